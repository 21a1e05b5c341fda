"""Optimizers on a five-layer net: SGD, momentum, RMSProp, Adam; then the batch size plain SGD needs to keep up.

A net of five hidden ReLU layers of 100 units, weights ``N(0, 0.05^2)``, is trained on
4,000 examples (the embedded digits have 1,437: all of them are used, and the metrics
say so) with batch 100 for 5 epochs by SGD (``1e-2``), SGD with momentum (``1e-2``,
``0.9``), RMSProp (``1e-4``) and Adam (``1e-3``), three seeds each.  The inputs are
preprocessed as in CS231n, for which the weight scale was chosen: the mean image
subtracted, pixels in 8-bit units.  Then plain SGD's batch is grown in multiples of 100
with the number of updates kept, looking for the first batch whose final training
accuracy (mean of three seeds) differs from momentum's by less than 0.04, as the sheet
asks (an absolute gap, strictly below), up to batch 2,000 (or the whole training set).
Momentum averages about ``1/(1 - 0.9) = 10`` past gradients, so the "larger effective
batch" reading predicts a batch near ten times 100; plain SGD at the rate
``lr/(1 - 0.9)`` that momentum takes in the long run is run beside it.
"""
from __future__ import annotations

import math

import numpy as np

from .common import main, sweep
from .theory import prediction, results
from .training_runs import classification_data, train_mlp

HIDDEN, WEIGHT_SCALE, N_TRAIN, BATCH_SIZE, EPOCHS, SEEDS = (100,) * 5, 5e-2, 4000, 100, 5, 3
MOMENTUM, ACCURACY_GAP = 0.9, 0.04   # the sheet's accuracies "differ by less than 0.04"
LARGEST_BATCH = 2000   # twice the batch the "larger effective batch" reading predicts
OPTIMIZERS = {"SGD": ("sgd", 1e-2), "SGD+momentum": ("momentum", 1e-2),
              "RMSProp": ("rmsprop", 1e-4), "Adam": ("adam", 1e-3)}


def candidate_batch_sizes(n_train: int, largest: int = LARGEST_BATCH) -> list[int]:
    """Multiples of 100 from 100 up to the training set's size or ``largest``.

    Examples
    --------
    >>> candidate_batch_sizes(1437)
    [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400]
    >>> candidate_batch_sizes(4000, largest=300)
    [100, 200, 300]
    """
    return list(range(BATCH_SIZE, min(n_train, largest) + 1, BATCH_SIZE))


def first_closer_than(accuracies: dict, target: float, gap: float = ACCURACY_GAP):
    """The smallest batch whose mean accuracy is less than ``gap`` from ``target``; else None.

    The gap is absolute (accuracies are fractions, so 0.04 is four percentage points) and
    strict: a mean exactly ``gap`` away does not count.

    Examples
    --------
    >>> first_closer_than({100: [0.7], 200: [0.97], 300: [0.99]}, 1.0)
    200
    >>> first_closer_than({100: [0.25, 0.5]}, 0.5, gap=0.125) is None    # 0.375: 0.125 away
    True
    >>> first_closer_than({100: [0.47]}, 0.5)          # 0.03 < 0.04, though 6 % of 0.5
    100
    """
    for batch, values in sorted(accuracies.items()):
        if abs(np.mean(values) - target) < gap:
            return batch
    return None


def _band(axis, x, curves, label, **style):
    """Mean of ``curves`` (rows: seeds) with a min-to-max band."""
    curves = np.asarray(curves)
    line, = axis.plot(x, curves.mean(axis=0), label=label, **style)
    axis.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=line.get_color(),
                      alpha=0.2)


def run(args, outputs):
    import matplotlib.pyplot as plt

    n_train, epochs, seeds, largest = ((400, 2, 2, 300) if args.quick
                                       else (N_TRAIN, EPOCHS, SEEDS, LARGEST_BATCH))
    data = classification_data(args, n_train, preprocessing="center")
    n_used = len(data.train[1])
    updates = epochs * math.ceil(n_used / BATCH_SIZE)
    sizes = (data.train[0].shape[1], *HIDDEN, 10)
    common = {"data": data, "sizes": sizes, "activation": "relu", "init_name": "normal",
              "std": WEIGHT_SCALE, "steps": updates}
    effective = prediction(results("schedules")["effective_learning_rate"])  # eta/(1 - rho)
    window = float(effective(eta=1.0, rho=MOMENTUM))
    effective_rate = float(effective(eta=OPTIMIZERS["SGD"][1], rho=MOMENTUM))
    batches = candidate_batch_sizes(n_used, largest)
    jobs = ([{"optimizer": o, "lr": lr, "batch_size": BATCH_SIZE} for o, lr in OPTIMIZERS.values()]
            + [{"optimizer": "sgd", "lr": effective_rate, "batch_size": BATCH_SIZE}]
            + [{"optimizer": "sgd", "lr": OPTIMIZERS["SGD"][1], "batch_size": b}
               for b in batches[1:]])
    runs = sweep(train_mlp, [{**common, **job, "seed": args.seed + s} for job in jobs
                             for s in range(seeds)], jobs=args.jobs)
    grouped = [runs[i:i + seeds] for i in range(0, len(runs), seeds)]
    by_optimizer = dict(zip(OPTIMIZERS, grouped))
    at_effective_rate = grouped[len(OPTIMIZERS)]
    by_batch = {BATCH_SIZE: by_optimizer["SGD"], **dict(zip(batches[1:],
                                                             grouped[len(OPTIMIZERS) + 1:]))}

    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, group in by_optimizer.items():
        _band(loss_axis, np.arange(1, updates + 1), [r.history.loss for r in group], name)
        steps = np.asarray(group[0].history.epoch_step)
        _band(accuracy_axis, steps, [r.history.train_accuracy for r in group], name, marker="o")
    loss_axis.set(xlabel="update", ylabel="mini-batch training loss", yscale="log")
    accuracy_axis.set(xlabel="update", ylabel="training accuracy (mean over the epoch)")
    loss_axis.legend()
    figure.suptitle(f"{len(HIDDEN)} x {HIDDEN[0]} ReLU, N(0, {WEIGHT_SCALE}²), batch "
                    f"{BATCH_SIZE}, {seeds} seeds (band: min to max); {data.note}", fontsize=10)
    outputs.figure(figure, "optimizer_curves")

    accuracy = {name: [r.train_accuracy for r in group] for name, group in by_optimizer.items()}
    by_batch_accuracy = {b: [r.train_accuracy for r in group] for b, group in by_batch.items()}
    target = float(np.mean(accuracy["SGD+momentum"]))
    found = first_closer_than(by_batch_accuracy, target)

    figure, axis = plt.subplots(figsize=(7, 4.5))
    means = [np.mean(v) for v in by_batch_accuracy.values()]
    low = [np.mean(v) - min(v) for v in by_batch_accuracy.values()]
    high = [max(v) - np.mean(v) for v in by_batch_accuracy.values()]
    axis.errorbar(list(by_batch_accuracy), means, yerr=[low, high], marker="o", capsize=3,
                  label=f"SGD (lr {OPTIMIZERS['SGD'][1]}), {updates} updates at every batch")
    axis.axhline(target, color="C1", label=f"SGD+momentum {MOMENTUM}, batch {BATCH_SIZE}")
    axis.axhspan(target - ACCURACY_GAP, min(1.0, target + ACCURACY_GAP), color="C1",
                 alpha=0.15, label=f"less than {ACCURACY_GAP:g} from momentum")
    axis.axhline(np.mean([r.train_accuracy for r in at_effective_rate]), color="C2", ls="--",
                 label=f"SGD at lr/(1-β) = {effective_rate:g}, batch {BATCH_SIZE}")
    axis.axvline(window * BATCH_SIZE, color="k", ls=":",
                 label=f"'larger batch' reading: 1/(1-β) x {BATCH_SIZE} = "
                       f"{window * BATCH_SIZE:.0f}")
    axis.set(xlabel="plain SGD's batch size", ylabel=f"final training accuracy ({seeds} seeds)",
             title=f"batch found: {found if found else 'none up to ' + str(max(by_batch))}")
    axis.legend(fontsize=7, loc="center right")
    outputs.figure(figure, "sgd_batch_size")
    outputs.history("curves", **{f"loss:{name}": np.stack([r.history.loss for r in group])
                                 for name, group in by_optimizer.items()},
                    **{f"train_accuracy:{name}": np.stack([r.history.train_accuracy
                                                           for r in group])
                       for name, group in by_optimizer.items()},
                    batch_sizes=np.array(list(by_batch_accuracy)),
                    batch_accuracy=np.array(list(by_batch_accuracy.values())))

    return {
        "settings": {"hidden": HIDDEN, "weight_std": WEIGHT_SCALE, "batch_size": BATCH_SIZE,
                     "epochs": epochs, "updates": updates, "seeds": seeds,
                     "training_examples": n_used, "training_examples_asked": n_train,
                     "data": data.note, "preprocessing": "mean image subtracted, 8-bit pixels",
                     "rates": {name: lr for name, (_, lr) in OPTIMIZERS.items()},
                     "momentum": MOMENTUM},
        "final_train_accuracy": accuracy,
        "final_train_loss": {name: [r.train_loss for r in group]
                             for name, group in by_optimizer.items()},
        "final_test_accuracy": {name: [r.test_accuracy for r in group]
                                for name, group in by_optimizer.items()},
        "mean_final_train_accuracy": {name: float(np.mean(v)) for name, v in accuracy.items()},
        "batch_search": {
            "accuracy_gap": ACCURACY_GAP,
            "criterion": f"|mean accuracy - momentum's| < {ACCURACY_GAP:g}, absolute",
            "momentum_accuracy": target,
            "train_accuracy_by_batch": by_batch_accuracy, "batch_found": found,
            "largest_batch_tried": max(by_batch),
            "sgd_at_effective_rate": {"lr": effective_rate, "train_accuracy":
                                      [r.train_accuracy for r in at_effective_rate]},
            "momentum_averaging_window": window,
            "effective_batch_reading": window * BATCH_SIZE,
            "note": f"momentum's buffer averages about 1/(1-{MOMENTUM}) = {window:.0f} "
                    f"gradients, the 'larger effective batch' reading of batch "
                    f"{window * BATCH_SIZE:.0f}; at equal updates the batch changes only the "
                    f"noise, the rate lr/(1-beta) is what momentum adds"},
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
