"""Learning-rate finder, warm-up + cosine schedule, and whether equal eta/(1 - rho) gives equal error.

A small All-CNN-style net (3x3 convolutions, strided convolutions instead of pooling,
1x1 convolutions and a global average over the last map; ReLU, He-normal weights,
dropout 0.5) is trained by SGD with momentum 0.9 and weight decay 1e-3 on the embedded
8x8 digits (``--dataset cifar10`` for CIFAR-10; the held-out split is the validation
set).  The finder raises the rate from 1e-5 by x1.1 per mini-batch for about 100
mini-batches; ``eta*`` is the rate at its lowest loss and ``eta_max = eta*/10``.  The
warm-up + cosine schedule with ``T_0 = T/5`` sets the rate before every update, the
momentum buffer carrying over.  Then ``(eta_max, 0.9)``, ``(5 eta_max, 0.5)`` and
``(eta_max, 0.5)`` (the first two share the derived effective rate ``eta/(1 - rho)``)
are trained over seeds and their validation errors compared.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import optim
from ..nn import Conv2d, Dropout, GlobalAvgPool, ReLU, Sequential, softmax_cross_entropy
from ..schedules import cosine_warmup
from ..train import evaluate, fit, lr_find
from .common import main, sweep
from .theory import prediction, results
from .training_runs import classification_data, one_blas_thread

IMAGE_SHAPES = {"digits": (1, 8, 8), "mnist": (1, 28, 28), "fashion-mnist": (1, 28, 28),
                "cifar10": (3, 32, 32)}
WEIGHT_DECAY, MOMENTUM, DROPOUT, BATCH_SIZE = 1e-3, 0.9, 0.5, 128
FINDER_START, FINDER_FACTOR, FINDER_TARGET = 1e-5, 1.1, 1.0


def all_cnn(channels: int, widths=(16, 32), classes: int = 10, seed: int = 0) -> Sequential:
    """All-CNN-style: two blocks (3x3 conv, 3x3 stride-2 conv, dropout), 1x1 convs, global average.

    Examples
    --------
    >>> model = all_cnn(1, (4, 8), seed=0)
    >>> model.forward(np.zeros((2, 1, 8, 8), dtype=np.float32), training=False).shape
    (2, 10)
    """
    rng = np.random.default_rng(seed)
    layer = functools.partial(Conv2d, init="he_normal", rng=rng, dtype=np.float32)
    first, second = widths
    return Sequential(
        layer(channels, first, 3, padding=1), ReLU(),
        layer(first, first, 3, stride=2, padding=1), ReLU(), Dropout(DROPOUT, rng),
        layer(first, second, 3, padding=1), ReLU(),
        layer(second, second, 3, stride=2, padding=1), ReLU(), Dropout(DROPOUT, rng),
        layer(second, second, 1), ReLU(), layer(second, classes, 1), GlobalAvgPool())


def momentum_sgd(rho: float):
    """The optimizer factory ``lr -> sgd(lr, momentum=rho, weight_decay=1e-3)`` (PyTorch's buffer)."""
    return functools.partial(optim.sgd, momentum=rho, weight_decay=WEIGHT_DECAY)


def images(data, shape):
    """``(train, validation)`` as float32 ``(N, C, H, W)`` image batches."""
    return tuple((x.reshape(len(x), *shape).astype(np.float32), y) for x, y in data)


def train_with_schedule(train, validation, widths, peak, rho, steps, seed):
    """One run of the warm-up + cosine schedule peaking at ``peak`` with momentum ``rho``.

    Returns the :class:`numerics.train.History` and the final validation error.
    """
    model = all_cnn(train[0].shape[1], widths, seed=seed)
    with one_blas_thread():
        history = fit(model, momentum_sgd(rho), train, schedule=cosine_warmup(peak, T=steps),
                      steps=steps, batch_size=BATCH_SIZE, validation=validation, seed=seed,
                      quiet=True)
        return history, 1.0 - evaluate(model, softmax_cross_entropy, validation)[1]


def run(args, outputs):
    import matplotlib.pyplot as plt

    data = classification_data(args)
    shape = IMAGE_SHAPES[data.name]
    train, validation = images((data.train, data.test), shape)
    widths = (16, 32) if shape[-1] <= 8 else (32, 64)
    per_epoch = int(np.ceil(len(train[0]) / BATCH_SIZE))
    epochs, seeds = (5, 1) if args.quick else ((60, 3) if data.name == "digits" else (50, 1))
    steps = epochs * per_epoch

    derived = results("schedules")
    finder_steps = int(prediction(derived["lr_finder_steps"])(
        eta_target=FINDER_TARGET))
    effective = prediction(derived["effective_learning_rate"])

    with one_blas_thread():
        finder = lr_find(all_cnn(shape[0], widths, seed=args.seed), momentum_sgd(MOMENTUM),
                         train, start=FINDER_START, factor=FINDER_FACTOR,
                         max_steps=finder_steps, batch_size=BATCH_SIZE, seed=args.seed)
    eta_star, eta_max = finder.best_rate, finder.suggestion
    settings = [("eta_max, 0.9", eta_max, 0.9), ("5 eta_max, 0.5", 5 * eta_max, 0.5),
                ("eta_max, 0.5", eta_max, 0.5)]
    runs = sweep(train_with_schedule,
                 [{"train": train, "validation": validation, "widths": widths, "peak": peak,
                   "rho": rho, "steps": steps, "seed": args.seed + s}
                  for _, peak, rho in settings for s in range(seeds)], jobs=args.jobs)
    by_setting = {label: runs[i * seeds:(i + 1) * seeds] for i, (label, _, _) in
                  enumerate(settings)}
    main_history = by_setting["eta_max, 0.9"][0][0]
    schedule = cosine_warmup(eta_max, T=steps)(np.arange(steps))

    # ------------------------------------------------------------------ figures
    figure, axis = plt.subplots(figsize=(6.5, 4.2))
    axis.semilogx(finder.rates, finder.losses, label="mini-batch loss")
    axis.axvline(eta_star, color="r", ls="--", label=f"eta* = {eta_star:.3g} (lowest loss)")
    axis.axvline(eta_max, color="g", ls=":", label=f"eta_max = eta*/10 = {eta_max:.3g}")
    axis.set(xlabel="learning rate (log scale)", ylabel="training loss",
             title=f"finder: from {FINDER_START:g}, x{FINDER_FACTOR} per mini-batch, "
                   f"{len(finder.rates)} mini-batches; momentum {MOMENTUM}")
    axis.legend(fontsize=8)
    outputs.figure(figure, "lr_finder")

    h = main_history
    steps_axis = np.arange(steps)   # update t uses the rate schedule(t), t counted from 0
    figure, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes[0].plot(steps_axis, h.lr, label="rate used")
    axes[0].plot(steps_axis, schedule, "k:", label="cosine_warmup(eta_max, T, T/5)")
    axes[0].axvline(steps / 5, color="grey", lw=0.8)
    axes[0].set(xlabel="update", ylabel="learning rate", title=f"T = {steps}, T_0 = T/5")
    axes[1].plot(steps_axis, h.loss, alpha=0.4, label="training (mini-batch)")
    axes[1].plot(h.epoch_step, h.train_loss, "o-", ms=3, label="training (epoch mean)")
    axes[1].plot(h.epoch_step, h.val_loss, "s-", ms=3, label="validation")
    axes[1].set(xlabel="update", ylabel="cross-entropy", yscale="log")
    axes[2].plot(h.epoch_step, 1 - np.array(h.train_accuracy), "o-", ms=3, label="training")
    axes[2].plot(h.epoch_step, 1 - np.array(h.val_accuracy), "s-", ms=3, label="validation")
    axes[2].set(xlabel="update", ylabel="error", yscale="log")
    for axis in axes:
        axis.legend(fontsize=8)
    figure.suptitle(f"eta_max = {eta_max:.3g}, momentum {MOMENTUM}, weight decay "
                    f"{WEIGHT_DECAY}, dropout {DROPOUT}; {data.note}", fontsize=9)
    outputs.figure(figure, "schedule_training")

    table = {}
    figure, axis = plt.subplots(figsize=(7, 4.2))
    for (label, peak, rho), colour in zip(settings, ("C0", "C1", "C2")):
        errors = [error for _, error in by_setting[label]]
        rate = float(effective(eta=peak, rho=rho))
        table[label] = {"eta": peak, "rho": rho, "effective_rate": rate,
                        "validation_error_mean": float(np.mean(errors)),
                        "validation_error_std": float(np.std(errors)),
                        "validation_errors": errors}
        for s, (history, _) in enumerate(by_setting[label]):
            axis.plot(history.epoch_step, 1 - np.array(history.val_accuracy), colour,
                      alpha=0.8, label=(f"({label}): eta/(1-rho) = {rate:.3g}, final "
                                        f"{np.mean(errors):.3f}") if s == 0 else None)
    reference = table["eta_max, 0.9"]["effective_rate"]
    for row in table.values():
        row["keeps_effective_rate"] = bool(np.isclose(row["effective_rate"], reference,
                                                      rtol=1e-12))
    axis.set(xlabel="update", ylabel="validation error", yscale="log",
             title=f"warm-up + cosine, {seeds} seed(s) each")
    axis.legend(fontsize=8)
    outputs.figure(figure, "effective_rate_table")

    outputs.history("finder", rates=finder.rates, losses=finder.losses)
    outputs.history("training", schedule=schedule, **h.arrays())
    return {
        "data": data.note, "widths": widths, "epochs": epochs, "updates_T": steps,
        "T_0": steps / 5, "seeds": seeds, "weight_decay": WEIGHT_DECAY, "momentum": MOMENTUM,
        "dropout": DROPOUT,
        "finder": {"start": FINDER_START, "factor": FINDER_FACTOR, "target": FINDER_TARGET,
                   "derived_steps": finder_steps, "steps_run": len(finder.rates),
                   "rate_range": [finder.rates[0], finder.rates[-1]], "eta_star": eta_star,
                   "lowest_loss": float(finder.losses.min())},
        "eta_max": eta_max,
        "schedule_max_abs_difference": float(np.max(np.abs(np.array(h.lr) - schedule))),
        "training_loss_first_last_epoch": [h.train_loss[0], h.train_loss[-1]],
        "validation_error_final": 1 - h.val_accuracy[-1],
        "table": table,
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
