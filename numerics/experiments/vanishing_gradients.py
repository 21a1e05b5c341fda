"""Vanishing gradients: sigmoid and ReLU nets of depth 1 to 4, per-layer gradient norms beside the 1/4 bound.

Hidden layers (50,), (50, 30), (50, 30, 30) and (50, 30, 30, 30), first with sigmoids,
then with ReLUs, with PyTorch's default ``nn.Linear`` initialization (weights and biases
``U(-1/sqrt(n_in), 1/sqrt(n_in))``), trained by SGD at 0.005 for 20 epochs (batch 10:
the embedded digits are small, and this gives about 2,900 updates).  The deepest net is
run twice more: with Xavier-normal weights (2(a)4), and with the default's own method,
``kaiming_uniform_``, its parameter ``a = sqrt(5)`` set to 1 (2(a)5): ``U(-b, b)`` with
``b = sqrt(3/n_in)``, variance ``1/n_in``, the ``initialization`` derivation's forward
condition, three times the default's ``1/(3 n_in)``.  Both re-initialize only the
weights; the biases stay PyTorch's default, as the sheet's "non-bias weights" leaves them.
As the sheet asks, the gradient norms recorded per layer are those of the last
mini-batch of every epoch.  The figures show the test accuracy of every configuration,
those last-batch norms per epoch (one panel per configuration), and each layer's
gradient norm (mean over every update) relative to the output layer's against its
distance from the output, beside ``(1/4)^k``: the ``vanishing`` derivation's
``sigmoid_derivative_max = 1/4`` is the factor each sigmoid layer contributes to
``d h_n / d w_i`` (for a scalar chain with ``|w| < 1``), while ReLU's derivative is 1.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .common import main, sweep
from .theory import prediction, results
from .training_runs import classification_data, last_of_each_epoch, layer_names, train_mlp

ARCHITECTURES = ((50,), (50, 30), (50, 30, 30), (50, 30, 30, 30))
ACTIVATIONS = ("sigmoid", "relu")
LR, EPOCHS, BATCH_SIZE = 5e-3, 20, 10
DEFAULT_INIT = "pytorch_linear_default"
BIASES = "pytorch_linear_default"   # nn.Linear's own, whatever draws the weights


class Initialization(NamedTuple):
    """How the weights are drawn: initializer, the derived result giving its variance, hatch, legend."""

    weights: str
    variance: str
    hatch: str | None
    legend: str


# every net starts at the default; the deepest also at the two others
INITIALIZATIONS = {
    "default": Initialization(DEFAULT_INIT, "pytorch_linear_default", None,
                              "PyTorch's default: variance 1/(3 n_in)"),
    "Xavier": Initialization("xavier_normal", "xavier_variance", "//",
                             "Xavier-normal weights (2(a)4)"),
    "a=1": Initialization("lecun_uniform", "forward_condition", "\\\\",
                          "default with a = 1: variance 1/n_in (2(a)5)"),
}


def configurations():
    """``(label, activation, hidden, initialization)`` per run: the depths, then the deepest again.

    Examples
    --------
    >>> [c[0] for c in configurations()][3:6]
    ['sigmoid (50, 30, 30, 30)', 'sigmoid (50, 30, 30, 30) Xavier', 'sigmoid (50, 30, 30, 30) a=1']
    """
    deepest = ARCHITECTURES[-1]
    return [run for a in ACTIVATIONS for run in
            [(f"{a} {h}", a, h, "default") for h in ARCHITECTURES]
            + [(f"{a} {deepest} {name}", a, deepest, name) for name in INITIALIZATIONS
               if name != "default"]]


def last_batch_norms(history) -> np.ndarray:
    """The gradient norms of each epoch's last mini-batch: a row per layer (input first), a column per epoch.

    Examples
    --------
    >>> from numerics.train import History
    >>> last_batch_norms(History(grad_norms={"0.Linear": [4.0, 3.0, 2.0, 1.0],
    ...                                      "2.Linear": [8.0, 6.0, 4.0, 2.0]}, epoch_step=[2, 4]))
    array([[3., 1.],
           [6., 2.]])
    """
    return np.array([last_of_each_epoch(history.grad_norms[k], history.epoch_step)
                     for k in layer_names(history)])


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


def derived_weight_stds(sizes, variance) -> np.ndarray:
    """Per layer, the weight std from a derived ``variance(n_in=..., n_out=...)``.

    Examples
    --------
    >>> derived_weight_stds((12, 3, 1), lambda n_in, n_out: 1 / (3 * n_in))
    array([0.16666667, 0.33333333])
    """
    n_in, n_out = (np.asarray(s, dtype=float) for s in (sizes[:-1], sizes[1:]))
    return np.sqrt(variance(n_in=n_in, n_out=n_out))


def run(args, outputs):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    epochs, n_train = (1, 700) if args.quick else (EPOCHS, None)
    data = classification_data(args, n_train)
    sizes = {label: (data.train[0].shape[1], *hidden, 10)
             for label, _, hidden, _ in configurations()}
    kind = {label: name for label, _, _, name in configurations()}
    runs = dict(zip(sizes, sweep(train_mlp, [
        {"data": data, "sizes": sizes[label], "activation": activation,
         "init_name": INITIALIZATIONS[name].weights, "bias_init": BIASES, "optimizer": "sgd",
         "lr": LR, "batch_size": BATCH_SIZE, "epochs": epochs, "seed": args.seed}
        for label, activation, _, name in configurations()], jobs=args.jobs)))
    slope = float(prediction(results("vanishing")["sigmoid_derivative_max"])())
    theory = results("initialization")
    derived_stds = {label: derived_weight_stds(
        sizes[label], prediction(theory[INITIALIZATIONS[name].variance]))
        for label, name in kind.items()}
    epoch_norms = {label: last_batch_norms(r.history) for label, r in runs.items()}
    mean_norms = {label: [float(np.mean(r.history.grad_norms[k])) for k in layer_names(r.history)]
                  for label, r in runs.items()}

    figure, axis = plt.subplots(figsize=(9, 4.5), layout="constrained")
    labels = list(runs)
    colors = ["C0" if label.startswith("sigmoid") else "C1" for label in labels]
    bars = axis.bar(range(len(labels)), [runs[k].test_accuracy for k in labels], color=colors)
    for bar, label in zip(bars, labels):
        bar.set_hatch(INITIALIZATIONS[kind[label]].hatch)
    chance = axis.axhline(0.1, color="k", ls=":", label="chance (10 classes)")
    axis.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=8)
    axis.set(ylabel="test accuracy", title=f"SGD {LR}, {epochs} epochs, batch {BATCH_SIZE}; "
                                           f"{data.note}")
    axis.title.set_fontsize(9)
    axis.legend(handles=[chance] + [Patch(facecolor="w", edgecolor="k", hatch=i.hatch,
                                          label=i.legend) for i in INITIALIZATIONS.values()],
                fontsize=8)
    outputs.figure(figure, "test_accuracy")

    others = [name for name in INITIALIZATIONS if name != "default"]
    columns = len(ARCHITECTURES) + len(others)
    figure, axes = plt.subplots(len(ACTIVATIONS), columns, figsize=(3.6 * columns, 7),
                                sharey=True, layout="constrained")
    for label, activation, hidden, name in configurations():
        column = (ARCHITECTURES.index(hidden) if name == "default"
                  else len(ARCHITECTURES) + others.index(name))
        axis, norms = axes[ACTIVATIONS.index(activation), column], epoch_norms[label]
        shades = plt.cm.viridis(np.linspace(0, 0.9, len(norms)))
        for index, (color, series) in enumerate(zip(shades, norms)):
            axis.semilogy(np.arange(1, epochs + 1), series, "o-", ms=3, color=color,
                          label="output" if index == len(norms) - 1 else f"hidden {index + 1}")
        axis.set(title=label, xlabel="epoch")
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.legend(fontsize=6)
    for axis in axes[:, 0]:
        axis.set_ylabel("gradient norm of the epoch's last batch")
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
    outputs.history("gradient_norms",
                    **{f"last_batch_norms:{k}": v for k, v in epoch_norms.items()},
                    **{f"loss:{k}": np.asarray(r.history.loss) for k, r in runs.items()})

    deepest = {a: {name: label for label, activation, hidden, name in configurations()
                   if activation == a and hidden == ARCHITECTURES[-1]} for a in ACTIVATIONS}
    first_layer = {label: norms[0] for label, norms in mean_norms.items()}
    return {
        "settings": {"architectures": ARCHITECTURES, "lr": LR, "epochs": epochs,
                     "batch_size": BATCH_SIZE, "seed": args.seed, "data": data.note,
                     "initialization": DEFAULT_INIT, "biases": BIASES,
                     "deepest_also": {name: INITIALIZATIONS[name].weights for name in others},
                     "gradient_norms_recorded": "per layer, of the last mini-batch of each "
                                                "epoch"},
        "test_accuracy": {label: r.test_accuracy for label, r in runs.items()},
        "train_accuracy": {label: r.train_accuracy for label, r in runs.items()},
        "initial_weight_std": {label: r.initial_weight_std for label, r in runs.items()},
        "derived_weight_std": derived_stds,
        "deepest_net": {a: {name: {"test_accuracy": runs[label].test_accuracy,
                                   "train_loss": runs[label].train_loss}
                            for name, label in labels.items()} for a, labels in deepest.items()},
        "a_equals_1_against_the_default": {
            a: {"higher_test_accuracy": runs[labels["a=1"]].test_accuracy
                > runs[labels["default"]].test_accuracy,
                "lower_train_loss": runs[labels["a=1"]].train_loss
                < runs[labels["default"]].train_loss}
            for a, labels in deepest.items()},
        "mean_gradient_norm_per_layer": mean_norms,
        "last_batch_gradient_norm_per_epoch": epoch_norms,
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
