"""Initialization of a ten-layer ReLU net: zero, N(0, 0.01^2) and He; weight stds, gradient norms, training.

Ten hidden ReLU layers of 50 units are initialized with zeros, with ``N(0, 0.01^2)``
and with He's fan-in normal ``N(0, 2/n_in)``, and trained by SGD at ``1e-3``, batch 100,
for 5 epochs (inputs as in CS231n: mean image subtracted, 8-bit pixels).  The figures
show each layer's measured weight std beside the derived one (``he_variance`` of the
``initialization`` derivation: ``std = sqrt(2/n_in)``), every layer's gradient norm at
every update, and the training curves.  Zero initialization does not train: every hidden
unit computes the same value (zero), so every hidden gradient is exactly zero and the
units stay identical; only the output bias learns, which leaves the accuracy at the
frequency of one class.  ``N(0, 0.01^2)`` shrinks the signal by about
``sqrt(50 * 0.01^2 / 2) = 0.05`` per layer, and the gradients of the first layers vanish.
"""
from __future__ import annotations

import numpy as np

from .common import main, sweep
from .theory import prediction, results
from .training_runs import classification_data, layer_names, per_epoch, train_mlp

HIDDEN, LR, BATCH_SIZE, EPOCHS = (50,) * 10, 1e-3, 100, 5
INITIALIZATIONS = {"zero": ("zeros", None), "N(0, 0.01²)": ("normal", 0.01),
                   "He (fan-in, normal)": ("he_normal", None)}


def derived_stds(sizes, he_variance):
    """Per layer: the std each initialization is built to have (He's from the derivation)."""
    fan_in = np.asarray(sizes[:-1], dtype=float)
    return {"zero": np.zeros_like(fan_in), "N(0, 0.01²)": np.full_like(fan_in, 0.01),
            "He (fan-in, normal)": np.sqrt(he_variance(n_in=fan_in))}


def sampling_tolerance(sizes, spread: float = 4.0):
    """``spread / sqrt(2 N)`` per layer: that many standard errors of a sample std over ``N`` normal weights.

    Examples
    --------
    >>> sampling_tolerance((50, 50, 10)).round(3)
    array([0.057, 0.126])
    """
    weights = np.asarray(sizes[:-1], dtype=float) * np.asarray(sizes[1:], dtype=float)
    return spread / np.sqrt(2 * weights)


def run(args, outputs):
    import matplotlib.pyplot as plt

    epochs = 1 if args.quick else EPOCHS
    data = classification_data(args, preprocessing="center")
    sizes = (data.train[0].shape[1], *HIDDEN, 10)
    runs = dict(zip(INITIALIZATIONS, sweep(train_mlp, [
        {"data": data, "sizes": sizes, "activation": "relu", "init_name": name, "std": std,
         "optimizer": "sgd", "lr": LR, "batch_size": BATCH_SIZE, "epochs": epochs,
         "seed": args.seed} for name, std in INITIALIZATIONS.values()], jobs=args.jobs)))
    derived = derived_stds(sizes, prediction(results("initialization")["he_variance"]))
    layers = np.arange(1, len(sizes))

    he = "He (fan-in, normal)"
    deviation = np.asarray(runs[he].initial_weight_std) / derived[he] - 1
    figure, (axis, error_axis) = plt.subplots(1, 2, figsize=(12, 4.5))
    for index, (label, result) in enumerate(runs.items()):
        if label == "zero":
            continue
        color = f"C{index}"
        axis.plot(layers, result.initial_weight_std, "o", color=color,
                  label=f"{label}: measured")
        axis.plot(layers, derived[label], "-", color=color, lw=1, label=f"{label}: " + (
            r"derived $\sqrt{2/n_{in}}$" if label == he else "as set"))
    axis.set(xlabel="layer (1 = input layer, 11 = output layer)", ylabel="weight std",
             yscale="log", xticks=layers,
             title="each layer's initial weights (zero init: 0 everywhere)")
    axis.legend(fontsize=8)
    error_axis.plot(layers, deviation, "o", color="C2", label="He: measured / derived - 1")
    error_axis.fill_between(layers, -sampling_tolerance(sizes, 1.0),
                            sampling_tolerance(sizes, 1.0), color="C2", alpha=0.2, step="mid",
                            label=r"$\pm 1/\sqrt{2N}$: one standard error of a std over N weights")
    error_axis.axhline(0, color="k", lw=0.8)
    error_axis.set(xlabel="layer", ylabel="relative deviation", xticks=layers,
                   title=r"He's measured std against the derived $\sqrt{2/n_{in}}$")
    error_axis.legend(fontsize=8)
    outputs.figure(figure, "weight_std")

    figure, axes = plt.subplots(1, len(runs), figsize=(15, 4.2), sharey=True)
    colors = plt.cm.viridis(np.linspace(0, 0.95, len(layers)))
    for axis, (label, result) in zip(axes, runs.items()):
        norms = result.history.grad_norms
        silent = [k for k in layer_names(result.history) if max(norms[k]) == 0]
        for color, key in zip(colors, layer_names(result.history)):
            if key not in silent:
                axis.plot(np.arange(1, len(norms[key]) + 1), norms[key], color=color, lw=1,
                          label=f"layer {int(key.split('.')[0]) // 2 + 1}")
        axis.set(xlabel="update", yscale="log", title=label + (
            f"\n{len(silent)} layers: gradient exactly 0 at every update" if silent else ""))
    axes[0].set_ylabel("gradient norm of the layer")
    axes[-1].legend(fontsize=6, ncol=2, title="layer (1 = input)", title_fontsize=7)
    outputs.figure(figure, "gradient_norms")

    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(12, 4.2))
    for label, result in runs.items():
        loss_axis.plot(np.arange(1, len(result.history.loss) + 1), result.history.loss,
                       label=label)
        accuracy_axis.plot(result.history.epoch_step, result.history.train_accuracy, "o-",
                           label=label)
    counts = np.bincount(data.train[1], minlength=10) / len(data.train[1])
    accuracy_axis.axhline(counts.max(), color="k", ls=":", label="largest class frequency")
    loss_axis.set(xlabel="update", ylabel="mini-batch training loss", yscale="log",
                  title=f"SGD {LR}, batch {BATCH_SIZE}; {data.note}")
    accuracy_axis.set(xlabel="update", ylabel="training accuracy (mean over the epoch)")
    accuracy_axis.legend()
    outputs.figure(figure, "training")
    outputs.history("histories", **{f"{key}:{label}": value for label, result in runs.items()
                                    for key, value in result.history.arrays().items()})

    zero = runs["zero"].history
    hidden = layer_names(zero)[:-1]
    return {
        "settings": {"hidden": HIDDEN, "lr": LR, "batch_size": BATCH_SIZE, "epochs": epochs,
                     "seed": args.seed, "data": data.note, "sizes": sizes},
        "weights_per_layer": [a * b for a, b in zip(sizes[:-1], sizes[1:])],
        "initial_weight_std": {label: r.initial_weight_std for label, r in runs.items()},
        "derived_weight_std": {label: value for label, value in derived.items()},
        "he_relative_std_error": deviation,
        "he_sampling_tolerance": sampling_tolerance(sizes),
        "final_weight_std": {label: r.final_weight_std for label, r in runs.items()},
        "final_train_accuracy": {label: r.train_accuracy for label, r in runs.items()},
        "final_test_accuracy": {label: r.test_accuracy for label, r in runs.items()},
        "chance_accuracy": 0.1,
        "largest_class_frequency": float(counts.max()),
        "mean_gradient_norm_per_layer": {
            label: [float(np.mean(r.history.grad_norms[k])) for k in layer_names(r.history)]
            for label, r in runs.items()},
        "gradient_norm_per_epoch": {
            label: [per_epoch(r.history.grad_norms[k], r.history.epoch_step)
                    for k in layer_names(r.history)] for label, r in runs.items()},
        "zero_init": {
            "max_hidden_gradient_norm": max(max(zero.grad_norms[k]) for k in hidden),
            "max_final_weight_std": max(runs["zero"].final_weight_std),
            "why": "all hidden units compute 0, so dL/dW = h^T delta = 0 and delta = 0 below the "
                   "output: the hidden weights never move and stay identical (final std 0); "
                   "only the output bias learns the class frequencies"},
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
