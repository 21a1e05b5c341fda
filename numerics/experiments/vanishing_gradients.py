"""Vanishing gradients: sigmoid and ReLU nets of depth 1 to 4, per-layer gradient norms beside the 1/4 bound.

Hidden layers (50,), (50, 30), (50, 30, 30) and (50, 30, 30, 30), first with sigmoids,
then with ReLUs, PyTorch's default initialization, trained by SGD at 0.005 for 20
epochs (batch 10: the embedded digits are small, and this gives about 2,900 updates);
then the deepest net again with Xavier-normal initialization.  The figures show the test
accuracy of every configuration, every layer's gradient norm per epoch (one panel per
configuration), and each layer's gradient norm relative to the output layer's against
its distance from the output, beside ``(1/4)^k``: the ``vanishing`` derivation's
``sigmoid_derivative_max = 1/4`` is the factor each sigmoid layer contributes to
``d h_n / d w_i`` (for a scalar chain with ``|w| < 1``), while ReLU's derivative is 1.
"""
from __future__ import annotations

import numpy as np

from .common import main, sweep
from .theory import prediction, results
from .training_runs import classification_data, layer_names, per_epoch, train_mlp

ARCHITECTURES = ((50,), (50, 30), (50, 30, 30), (50, 30, 30, 30))
ACTIVATIONS = ("sigmoid", "relu")
LR, EPOCHS, BATCH_SIZE = 5e-3, 20, 10
DEFAULT_INIT, OTHER_INIT = "pytorch_linear_default", "xavier_normal"


def configurations():
    """``(label, activation, hidden, init)`` of every run: the depth grid, then Xavier on the deepest.

    Examples
    --------
    >>> [c[0] for c in configurations()][-3:]
    ['relu (50, 30, 30, 30)', 'sigmoid (50, 30, 30, 30) Xavier', 'relu (50, 30, 30, 30) Xavier']
    """
    grid = [(f"{a} {h}", a, h, DEFAULT_INIT) for a in ACTIVATIONS for h in ARCHITECTURES]
    deepest = ARCHITECTURES[-1]
    return grid + [(f"{a} {deepest} Xavier", a, deepest, OTHER_INIT) for a in ACTIVATIONS]


def ratios_to_output(mean_norms):
    """Each layer's gradient norm over the output layer's, ordered by distance ``k`` from the output.

    Examples
    --------
    >>> ratios_to_output([0.01, 0.1, 1.0])
    array([1.  , 0.1 , 0.01])
    """
    norms = np.asarray(mean_norms, dtype=float)[::-1]
    return norms / norms[0]


def per_layer_factor(mean_norms) -> float:
    """The geometric mean of the consecutive ratios, ``(first / last) ** (1 / (layers - 1))``.

    Examples
    --------
    >>> per_layer_factor([0.01, 0.1, 1.0])
    0.1
    """
    ratios = ratios_to_output(mean_norms)
    return float(ratios[-1] ** (1 / (len(ratios) - 1))) if len(ratios) > 1 else 1.0


def run(args, outputs):
    import matplotlib.pyplot as plt

    epochs, n_train = (1, 700) if args.quick else (EPOCHS, None)
    data = classification_data(args, n_train)
    runs = dict(zip([c[0] for c in configurations()], sweep(train_mlp, [
        {"data": data, "sizes": (data.train[0].shape[1], *hidden, 10), "activation": activation,
         "init_name": init_name, "optimizer": "sgd", "lr": LR, "batch_size": BATCH_SIZE,
         "epochs": epochs, "seed": args.seed}
        for _, activation, hidden, init_name in configurations()], jobs=args.jobs)))
    slope = float(prediction(results("vanishing")["sigmoid_derivative_max"])())
    epoch_norms = {label: np.array([per_epoch(r.history.grad_norms[k], r.history.epoch_step)
                                    for k in layer_names(r.history)]) for label, r in runs.items()}
    mean_norms = {label: [float(np.mean(r.history.grad_norms[k])) for k in layer_names(r.history)]
                  for label, r in runs.items()}

    figure, axis = plt.subplots(figsize=(9, 4.5), layout="constrained")
    labels = list(runs)
    colors = ["C0" if label.startswith("sigmoid") else "C1" for label in labels]
    bars = axis.bar(range(len(labels)), [runs[k].test_accuracy for k in labels], color=colors,
                    hatch=None)
    for bar, label in zip(bars, labels):
        if label.endswith("Xavier"):
            bar.set_hatch("//")
    axis.axhline(0.1, color="k", ls=":", label="chance (10 classes)")
    axis.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=8)
    axis.set(ylabel="test accuracy", title=f"SGD {LR}, {epochs} epochs, batch {BATCH_SIZE}; "
                                           f"{data.note} (hatched: Xavier-normal)")
    axis.legend()
    outputs.figure(figure, "test_accuracy")

    figure, axes = plt.subplots(len(ACTIVATIONS), len(ARCHITECTURES) + 1, figsize=(18, 7),
                                sharey=True, layout="constrained")
    for label, activation, hidden, init_name in configurations():
        column = ARCHITECTURES.index(hidden) if init_name == DEFAULT_INIT else len(ARCHITECTURES)
        axis, norms = axes[ACTIVATIONS.index(activation), column], epoch_norms[label]
        shades = plt.cm.viridis(np.linspace(0, 0.9, len(norms)))
        for index, (color, series) in enumerate(zip(shades, norms)):
            axis.semilogy(np.arange(1, epochs + 1), series, "o-", ms=3, color=color,
                          label="output" if index == len(norms) - 1 else f"hidden {index + 1}")
        axis.set(title=label, xlabel="epoch")
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.legend(fontsize=6)
    for axis in axes[:, 0]:
        axis.set_ylabel("gradient norm (mean over the epoch)")
    outputs.figure(figure, "gradient_norms")

    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for axis, activation, factor in zip(axes, ACTIVATIONS, (slope, 1.0)):
        deepest = len(ARCHITECTURES[-1]) + 1
        k = np.arange(deepest)
        for label, norms in mean_norms.items():
            if label.startswith(activation):
                axis.semilogy(np.arange(len(norms)), ratios_to_output(norms), "o-",
                              label=label)
        axis.semilogy(k, factor ** k, "k--", label=(
            rf"derived per-layer factor $\max s' = {slope:g}$: $(1/4)^k$"
            if activation == "sigmoid" else "ReLU's derivative 1: no decay"))
        axis.set(xlabel="k: layers below the output layer", xticks=k, title=activation)
    axes[0].set_ylabel("gradient norm / output layer's (mean over training)")
    for axis in axes:
        axis.legend(fontsize=7)
    outputs.figure(figure, "decay_against_bound")
    outputs.history("gradient_norms", **{f"epoch_norms:{k}": v for k, v in epoch_norms.items()},
                    **{f"loss:{k}": np.asarray(r.history.loss) for k, r in runs.items()})

    first_layer = {label: norms[0] for label, norms in mean_norms.items()}
    return {
        "settings": {"architectures": ARCHITECTURES, "lr": LR, "epochs": epochs,
                     "batch_size": BATCH_SIZE, "seed": args.seed, "data": data.note,
                     "initialization": DEFAULT_INIT, "deepest_also": OTHER_INIT},
        "test_accuracy": {label: r.test_accuracy for label, r in runs.items()},
        "train_accuracy": {label: r.train_accuracy for label, r in runs.items()},
        "mean_gradient_norm_per_layer": mean_norms,
        "gradient_norm_per_epoch": epoch_norms,
        "first_layer_gradient_norm": first_layer,
        "sigmoid_first_layer_below_relu": {
            str(hidden): first_layer[f"sigmoid {hidden}"] < first_layer[f"relu {hidden}"]
            for hidden in ARCHITECTURES},
        "derived_sigmoid_derivative_max": slope,
        "ratio_to_output_layer": {label: ratios_to_output(n) for label, n in mean_norms.items()},
        "measured_per_layer_factor": {label: per_layer_factor(n)
                                      for label, n in mean_norms.items()},
        "note": "the derived 1/4 bounds |d h_n/d w_i| per layer of a scalar chain with |w| < 1; "
                "a layer of a wide net contributes about s'(z) ||W||, which may exceed 1/4",
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
