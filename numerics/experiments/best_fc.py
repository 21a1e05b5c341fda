"""CS182's best fully connected net (10 layers of width 200, He, Adam) towards 45%, and a five-layer net overfitting 50 examples.

The sheet trains on CIFAR-10 and asks for at least 45% validation accuracy; without
``--data`` the embedded digits stand in (ten classes, 8x8: far easier, so 45% is no test
there).  ``--data DIR`` reads CIFAR-10 from ``DIR`` (``--dataset`` names another set).
The net has nine hidden ReLU layers of 200 and the output layer (ten linear layers),
He-normal weights, Adam at ``1e-3``, batch 100; the held-out split is the validation
set.  Beside it, the sheet's five-layer net (hidden ``4 x 100``) is trained by SGD on 50
training examples until it fits them: training accuracy 100%, validation far lower.
"""
from __future__ import annotations

import numpy as np

from .common import main, sweep
from .training_runs import classification_data, train_mlp

WIDTH, LAYERS, LR, BATCH_SIZE, EPOCHS, TARGET = 200, 10, 1e-3, 100, 20, 0.45
OVERFIT_HIDDEN, OVERFIT_EXAMPLES, OVERFIT_LR, OVERFIT_BATCH, OVERFIT_EPOCHS = (
    (100,) * 4, 50, 5e-2, 25, 40)


def hidden_sizes(width: int = WIDTH, layers: int = LAYERS) -> tuple[int, ...]:
    """The hidden widths of a net of ``layers`` linear layers: all but the output one.

    Examples
    --------
    >>> hidden_sizes()
    (200, 200, 200, 200, 200, 200, 200, 200, 200)
    """
    return (width,) * (layers - 1)


def run(args, outputs):
    import matplotlib.pyplot as plt

    if args.data is not None and args.dataset is None:
        args.dataset = "cifar10"
    epochs, n_train, overfit_epochs = (2, 500, 10) if args.quick else (EPOCHS, None,
                                                                       OVERFIT_EPOCHS)
    data = classification_data(args, n_train)
    small = classification_data(args, OVERFIT_EXAMPLES)
    classes = int(max(data.train[1].max(), data.test[1].max())) + 1
    best, overfit = sweep(train_mlp, [
        {"data": data, "sizes": (data.train[0].shape[1], *hidden_sizes(), classes),
         "activation": "relu", "init_name": "he_normal", "optimizer": "adam", "lr": LR,
         "batch_size": BATCH_SIZE, "epochs": epochs, "seed": args.seed},
        {"data": small, "sizes": (small.train[0].shape[1], *OVERFIT_HIDDEN, classes),
         "activation": "relu", "init_name": "he_normal", "optimizer": "sgd",
         "lr": OVERFIT_LR, "batch_size": OVERFIT_BATCH, "epochs": overfit_epochs,
         "seed": args.seed}], jobs=min(args.jobs, 2))

    figure, axis = plt.subplots(figsize=(7, 4.2), layout="constrained")
    epochs_axis = np.arange(1, len(best.history.val_accuracy) + 1)
    axis.plot(epochs_axis, best.history.val_accuracy, "o-",
              label=f"validation (final {best.test_accuracy:.3f})")
    axis.plot(epochs_axis, best.history.train_accuracy, "s--",
              label=f"training (final {best.train_accuracy:.3f})")
    axis.axhline(TARGET, color="k", ls=":", label="the sheet's 45%")
    axis.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02),
             title=f"{LAYERS} layers of {WIDTH}, He, Adam {LR:g}, batch {BATCH_SIZE}")
    axis.xaxis.get_major_locator().set_params(integer=True)
    axis.legend(fontsize=9)
    outputs.figure(figure, "best_fc")

    figure, axis = plt.subplots(figsize=(7, 4.2), layout="constrained")
    epochs_axis = np.arange(1, len(overfit.history.train_accuracy) + 1)
    axis.plot(epochs_axis, overfit.history.train_accuracy, "s-",
              label=f"training, {len(small.train[1])} examples (final "
                    f"{overfit.train_accuracy:.2f})")
    axis.plot(epochs_axis, overfit.history.val_accuracy, "o--",
              label=f"validation (final {overfit.test_accuracy:.2f})")
    axis.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02),
             title=f"hidden {OVERFIT_HIDDEN}, He, SGD {OVERFIT_LR:g}, batch {OVERFIT_BATCH}")
    axis.xaxis.get_major_locator().set_params(integer=True)
    axis.legend(fontsize=9)
    outputs.figure(figure, "overfit_50")

    return {
        "settings": {"hidden": hidden_sizes(), "initialization": "he_normal",
                     "optimizer": "adam", "lr": LR, "batch_size": BATCH_SIZE, "epochs": epochs,
                     "seed": args.seed, "data": data.note},
        "validation_accuracy": best.test_accuracy,
        "train_accuracy": best.train_accuracy,
        "reaches_target": bool(best.test_accuracy >= TARGET),
        "validation_accuracy_per_epoch": best.history.val_accuracy,
        "overfit": {"hidden": OVERFIT_HIDDEN, "examples": len(small.train[1]),
                    "lr": OVERFIT_LR, "epochs": overfit_epochs, "data": small.note,
                    "train_accuracy": overfit.train_accuracy,
                    "validation_accuracy": overfit.test_accuracy},
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
