"""Adam's learning rate by grid search (10^-k, k = 1..5) against random search (k uniform in [1, 5]).

The net is the deepest sigmoid net of ``vanishing_gradients`` (hidden layers 50, 30, 30,
30, PyTorch's default initialization), trained with Adam for the same 20 epochs at
batch 10.  The grid tries ``10^-1 ... 10^-5``; the random search draws five exponents
``k`` uniformly from ``[1, 5]`` (seeded by ``--seed``) and tries ``10^-k``.  The figure
puts the final training accuracy of both searches against the rate on one log axis,
with the training loss per epoch of every run beside it.
"""
from __future__ import annotations

import numpy as np

from .common import main, sweep
from .training_runs import classification_data, train_mlp
from .vanishing_gradients import ARCHITECTURES, BATCH_SIZE, DEFAULT_INIT, EPOCHS

HIDDEN, ACTIVATION, TRIALS, EXPONENTS = ARCHITECTURES[-1], "sigmoid", 5, (1.0, 5.0)


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

    epochs, n_train = (1, 500) if args.quick else (EPOCHS, None)
    data = classification_data(args, n_train)
    searches = {"grid": grid_rates(), "random": random_rates(args.seed)}
    rates = np.concatenate(list(searches.values()))
    runs = sweep(train_mlp, [{"data": data, "sizes": (data.train[0].shape[1], *HIDDEN, 10),
                              "activation": ACTIVATION, "init_name": DEFAULT_INIT,
                              "optimizer": "adam", "lr": float(lr), "batch_size": BATCH_SIZE,
                              "epochs": epochs, "seed": args.seed} for lr in rates],
                 jobs=args.jobs)
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
    loss_axis.legend(fontsize=6, ncol=2)
    outputs.figure(figure, "adam_rate_search")
    outputs.history("searches", **{f"{key}:{name}": value for name, result in found.items()
                                   for key, value in result.items()
                                   if isinstance(value, np.ndarray)})

    return {
        "settings": {"hidden": HIDDEN, "activation": ACTIVATION, "initialization": DEFAULT_INIT,
                     "epochs": epochs, "batch_size": BATCH_SIZE, "seed": args.seed,
                     "data": data.note, "exponent_range": EXPONENTS, "trials": TRIALS},
        "searches": {name: {k: v for k, v in result.items() if k != "train_loss_per_epoch"}
                     for name, result in found.items()},
        "best_rate": best["best_rate"],
        "best_train_accuracy": best["best_train_accuracy"],
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
