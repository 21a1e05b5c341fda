"""Bonn 2(b): Adam against SGD on the last sheet's network, then Adam's rate by grid search (10^-k) and random search (k ~ U[1, 5]).

The last sheet's network is not held; the deepest sigmoid net of ``vanishing_gradients``
stands in (hidden layers 50, 30, 30, 30, PyTorch's default initialization of weights
and biases, batch 10).
2(b)1-2: it is trained for 50 epochs by SGD at 0.005 (2(a)'s rate) and by Adam with
PyTorch's defaults (``1e-3``, betas 0.9 and 0.999), and the test accuracy per epoch of
both is drawn.  2(b)3-4: Adam is trained for the same 20 epochs as ``vanishing_gradients``
at each rate of the searches.  The sheet's data is CIFAR-10: ``--data DIR`` reads it
from ``DIR``; without it the embedded digits stand in.  The grid tries ``10^-1 ... 10^-5``; the random search draws five exponents
``k`` uniformly from ``[1, 5]`` (seeded by ``--seed``) and tries ``10^-k``.  The figure
puts the final training accuracy of both searches against the rate on one log axis,
with the training loss per epoch of every run beside it.
"""
from __future__ import annotations

import numpy as np

from .common import main, sweep
from .training_runs import classification_data, train_mlp
from .vanishing_gradients import ARCHITECTURES, BATCH_SIZE, BIASES, DEFAULT_INIT, EPOCHS

HIDDEN, ACTIVATION, TRIALS, EXPONENTS = ARCHITECTURES[-1], "sigmoid", 5, (1.0, 5.0)
COMPARISON_EPOCHS, SGD_LR, ADAM_DEFAULT_LR = 50, 5e-3, 1e-3


def grid_rates(trials: int = TRIALS) -> np.ndarray:
    """``10^-k`` for ``k = 1 .. trials``.

    Examples
    --------
    >>> grid_rates()
    array([1.e-01, 1.e-02, 1.e-03, 1.e-04, 1.e-05])
    """
    return np.array([10.0 ** -k for k in range(1, trials + 1)])


def random_rates(seed: int, trials: int = TRIALS) -> np.ndarray:
    """``10^-k`` for ``trials`` exponents ``k`` drawn uniformly from ``[1, 5]`` by ``default_rng(seed)``.

    Examples
    --------
    >>> rates = random_rates(0)
    >>> len(rates), bool(np.all((1e-5 <= rates) & (rates <= 1e-1)))
    (5, True)
    """
    return 10.0 ** -np.random.default_rng(seed).uniform(*EXPONENTS, size=trials)


def run(args, outputs):
    import matplotlib.pyplot as plt

    if args.data is not None and args.dataset is None:
        args.dataset = "cifar10"
    epochs, comparison_epochs, n_train = ((1, 2, 500) if args.quick
                                          else (EPOCHS, COMPARISON_EPOCHS, None))
    data = classification_data(args, n_train)
    searches = {"grid": grid_rates(), "random": random_rates(args.seed)}
    rates = np.concatenate(list(searches.values()))
    common = {"data": data, "sizes": (data.train[0].shape[1], *HIDDEN, 10),
              "activation": ACTIVATION, "init_name": DEFAULT_INIT, "bias_init": BIASES,
              "batch_size": BATCH_SIZE, "seed": args.seed}
    compared = {"SGD": ("sgd", SGD_LR), "Adam": ("adam", ADAM_DEFAULT_LR)}
    runs = sweep(train_mlp, [{**common, "optimizer": optimizer, "lr": lr,
                              "epochs": comparison_epochs}
                             for optimizer, lr in compared.values()]
                 + [{**common, "optimizer": "adam", "lr": float(lr), "epochs": epochs}
                    for lr in rates], jobs=args.jobs)
    comparison, runs = dict(zip(compared, runs[:len(compared)])), runs[len(compared):]

    figure, axis = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for (name, (_, lr)), style in zip(compared.items(), ("s--", "o-")):
        accuracy = comparison[name].history.val_accuracy
        axis.plot(np.arange(1, len(accuracy) + 1), accuracy, style, ms=4,
                  label=f"{name} {lr:g} (final {comparison[name].test_accuracy:.3f})")
    axis.set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1.02),
             title=f"sigmoid net {HIDDEN}, batch {BATCH_SIZE}; {data.note}")
    axis.title.set_fontsize(9)
    axis.xaxis.get_major_locator().set_params(integer=True)
    axis.legend(fontsize=9)
    outputs.figure(figure, "adam_against_sgd")
    found = {}
    for index, (name, tried) in enumerate(searches.items()):
        part = runs[index * TRIALS:(index + 1) * TRIALS]
        accuracy = np.array([r.train_accuracy for r in part])
        found[name] = {"rates": tried, "exponents": -np.log10(tried),
                       "train_accuracy": accuracy,
                       "test_accuracy": np.array([r.test_accuracy for r in part]),
                       "train_loss_per_epoch": np.array([r.history.train_loss for r in part]),
                       "best_rate": float(tried[np.argmax(accuracy)]),
                       "best_train_accuracy": float(accuracy.max())}
    best = max(found.values(), key=lambda f: f["best_train_accuracy"])

    figure, (axis, loss_axis) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    for (name, result), style in zip(found.items(), ("o-", "s")):
        order = np.argsort(result["rates"])
        axis.semilogx(result["rates"][order], result["train_accuracy"][order], style, ms=7,
                      label=f"{name} search (best {result['best_rate']:.2g}: "
                            f"{result['best_train_accuracy']:.3f})")
        for rate, losses in zip(result["rates"], result["train_loss_per_epoch"]):
            loss_axis.semilogy(np.arange(1, len(losses) + 1), losses,
                               "-" if name == "grid" else "--", label=f"{name} {rate:.2g}")
    axis.axvline(best["best_rate"], color="k", ls=":", label="best rate found")
    axis.set(xlabel="Adam learning rate", ylabel="final training accuracy",
             title=f"sigmoid net {HIDDEN}, {epochs} epochs, batch {BATCH_SIZE}; {data.note}")
    axis.title.set_fontsize(9)
    axis.legend(fontsize=8)
    loss_axis.set(xlabel="epoch", ylabel="training loss (mean over the epoch)",
                  title="every run (solid: grid, dashed: random)")
    loss_axis.xaxis.get_major_locator().set_params(integer=True)
    loss_axis.legend(fontsize=8, ncol=2)
    outputs.figure(figure, "adam_rate_search")
    outputs.history("searches", **{f"{key}:{name}": value for name, result in found.items()
                                   for key, value in result.items()
                                   if isinstance(value, np.ndarray)})

    return {
        "settings": {"hidden": HIDDEN, "activation": ACTIVATION, "initialization": DEFAULT_INIT,
                     "biases": BIASES,
                     "epochs": epochs, "batch_size": BATCH_SIZE, "seed": args.seed,
                     "data": data.note, "exponent_range": EXPONENTS, "trials": TRIALS,
                     "comparison_epochs": comparison_epochs},
        "adam_against_sgd": {name: {"lr": lr, "final_test_accuracy": comparison[name].test_accuracy,
                                    "test_accuracy_per_epoch": comparison[name].history.val_accuracy}
                             for name, (_, lr) in compared.items()},
        "adam_improvement": comparison["Adam"].test_accuracy - comparison["SGD"].test_accuracy,
        "searches": {name: {k: v for k, v in result.items() if k != "train_loss_per_epoch"}
                     for name, result in found.items()},
        "best_rate": best["best_rate"],
        "best_train_accuracy": best["best_train_accuracy"],
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
