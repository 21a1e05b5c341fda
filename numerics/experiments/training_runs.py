"""What the MLP experiments share: flat standardized data, initializers and optimizers by name, one seeded run.

:func:`classification_data` reads the data set the command line names (the embedded
digits by default) as flat, standardized features; :func:`train_mlp` builds an MLP with
named weight and bias initializers, trains it with :func:`numerics.train.fit` and
returns a :class:`Run`, a picklable summary that
:func:`numerics.experiments.common.sweep` can send back from a worker.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from .. import init, optim
from ..data import load, standardize, shuffle, train_val_split
from ..nn import MLP, Linear, softmax_cross_entropy
from ..train import History, evaluate, fit

__all__ = ["Data", "Run", "OPTIMIZERS", "INITIALIZERS", "splits", "classification_data",
           "BIAS_INITIALIZERS", "initializer", "build_mlp", "weight_stds", "one_blas_thread",
           "train_mlp", "per_epoch", "last_of_each_epoch", "layer_names"]

OPTIMIZERS = {"sgd": optim.sgd, "momentum": functools.partial(optim.sgd, momentum=0.9),
              "rmsprop": optim.rmsprop, "adam": optim.adam}
INITIALIZERS = {"zeros": init.zeros, "normal": init.normal, "he_normal": init.he_normal,
                "xavier_normal": init.xavier_normal, "lecun_uniform": init.lecun_uniform,
                "pytorch_linear_default": init.pytorch_linear_default}
# biases from the shape of their layer's (fan_in, fan_out) weight
BIAS_INITIALIZERS = {"zeros": lambda shape, rng: np.zeros(shape[1]),
                     "pytorch_linear_default": init.pytorch_linear_bias}


class Data(NamedTuple):
    """Train and test ``(x, y)`` pairs, the data set's name and how the split was made."""

    train: tuple
    test: tuple
    name: str
    note: str


class Run(NamedTuple):
    """One run: its :class:`History`, final train loss, train and test accuracy, weight stds before and after."""

    history: History
    train_loss: float
    train_accuracy: float
    test_accuracy: float
    initial_weight_std: list
    final_weight_std: list


PREPROCESSING = {"standardize": "standardized", "center": "mean image subtracted, 8-bit units"}
PIXEL_MAX = {"digits": 16.0}   # the 8-bit data sets' pixels reach 255


def splits(args):
    """``(name, train, test)`` of the data set the command line names; ``test`` is None without a train split.

    ``--dataset NAME``, else MNIST for ``--data DIR``, else the embedded digits. When the
    folder holds only the test split, that split is ``train`` and ``test`` is None.

    Examples
    --------
    >>> import argparse
    >>> name, train, test = splits(argparse.Namespace(dataset=None, data=None))
    >>> name, len(train[1]), len(test[1])
    ('digits', 1437, 360)
    """
    name = args.dataset or ("mnist" if args.data else "digits")
    try:
        return name, load(name, "train", args.data), load(name, "test", args.data)
    except FileNotFoundError:
        return name, load(name, "test", args.data), None


def classification_data(args, n_train: int | None = None, preprocessing="standardize") -> Data:
    """The data set named on the command line, flattened, with the train split's statistics applied.

    ``--dataset NAME`` or ``--data DIR`` (MNIST files by default) or the embedded digits.
    When the folder holds only the test split, it is divided 80/20 (seeded) and the note
    says so. ``n_train`` keeps that many training examples (a seeded subset); fewer exist
    in small data sets and the note says how many were used. ``preprocessing`` is
    ``"standardize"`` (per-pixel zero mean, unit variance) or ``"center"`` (CS231n's: the
    mean image subtracted, pixels in 8-bit units, the digits' ``0..16`` scaled to ``0..255``).

    Examples
    --------
    >>> import argparse
    >>> data = classification_data(argparse.Namespace(dataset=None, data=None, seed=0), 4000)
    >>> data.train[0].shape, data.test[0].shape, data.note
    ((1437, 64), (360, 64), 'digits, standardized: 1437 training examples (4000 asked for, all there are)')
    >>> centred = classification_data(argparse.Namespace(dataset=None, data=None, seed=0), None,
    ...                               "center").train[0]
    >>> bool(abs(centred.mean()) < 1e-9), float(centred.max()) <= 255
    (True, True)
    """
    if preprocessing not in PREPROCESSING:
        raise ValueError(f"preprocessing == {preprocessing!r}, must be one of "
                         f"{tuple(PREPROCESSING)}; pass 'standardize'")
    name, train, test = splits(args)
    source = name
    if test is None:
        train, test = train_val_split(*train, 0.2, seed=args.seed)
        source = f"{name} (no train split found: its test split divided 80/20)"
    x, y = shuffle(*train, seed=args.seed)
    if n_train is not None:
        x, y = x[:n_train], y[:n_train]
    x_train, x_test = (np.asarray(a, dtype=np.float64).reshape(len(a), -1) for a in (x, test[0]))
    if preprocessing == "standardize":
        x_train, x_test = standardize(x_train, x_test)
    else:
        mean, scale = x_train.mean(axis=0), 255.0 / PIXEL_MAX.get(name, 255.0)
        x_train, x_test = (x_train - mean) * scale, (x_test - mean) * scale
    note = f"{source}, {PREPROCESSING[preprocessing]}: {len(x)} training examples"
    if n_train is not None and len(x) < n_train:
        note += f" ({n_train} asked for, all there are)"
    return Data((x_train, y), (x_test, test[1]), name, note)


def initializer(name: str, std: float | None = None):
    """The weight initializer ``shape, rng -> array`` named ``name`` (``std`` for ``"normal"``).

    Examples
    --------
    >>> initializer("normal", 0.05)((2000,), np.random.default_rng(0)).std().round(3)
    np.float64(0.05)
    >>> initializer("he", None)
    Traceback (most recent call last):
    ...
    ValueError: initializer == 'he', must be one of ['he_normal', 'lecun_uniform', 'normal', 'pytorch_linear_default', 'xavier_normal', 'zeros']; pass e.g. 'he_normal'
    """
    if name not in INITIALIZERS:
        raise ValueError(f"initializer == {name!r}, must be one of {sorted(INITIALIZERS)}; "
                         f"pass e.g. 'he_normal'")
    draw = INITIALIZERS[name]
    return functools.partial(draw, std=std) if std is not None else draw


def build_mlp(sizes, activation: str, init_name: str, seed: int, std: float | None = None,
              bias_init: str = "zeros"):
    """An :class:`numerics.nn.MLP` whose weights ``init_name`` draws and biases ``bias_init``.

    ``bias_init`` is ``"zeros"`` or ``"pytorch_linear_default"`` (``nn.Linear``'s
    ``U(-1/sqrt(n_in), 1/sqrt(n_in))``); weights and biases come from separate streams
    of ``seed``, so the weights do not depend on the biases' choice.

    Examples
    --------
    >>> model = build_mlp((4, 3, 2), "relu", "zeros", seed=0)
    >>> [float(np.abs(w).max()) for w in weight_stds(model)]
    [0.0, 0.0]
    >>> biases = build_mlp((4, 3, 2), "relu", "zeros", 0, bias_init="pytorch_linear_default")
    >>> bias = biases.parameters()["0.bias"]
    >>> bias.shape, bool(0 < np.abs(bias).max() <= 0.5)
    ((3,), True)
    """
    if bias_init not in BIAS_INITIALIZERS:
        raise ValueError(f"bias_init == {bias_init!r}, must be one of "
                         f"{sorted(BIAS_INITIALIZERS)}; pass e.g. 'zeros'")
    model = MLP(sizes, activation=activation, seed=seed)
    draw, rng = initializer(init_name, std), np.random.default_rng([seed, 1])
    draw_bias, bias_rng = BIAS_INITIALIZERS[bias_init], np.random.default_rng([seed, 2])
    weights = {key: draw(value.shape, rng) for key, value in model.parameters().items()
               if key.endswith(".weight")}
    biases = {key.replace(".weight", ".bias"): draw_bias(value.shape, bias_rng)
              for key, value in weights.items()}
    model.set_parameters({**weights, **biases})
    return model


def weight_stds(model) -> list[float]:
    """The standard deviation of each ``Linear`` layer's weights, input layer first."""
    return [float(layer.params["weight"].std()) for layer in model.layers
            if isinstance(layer, Linear)]


def one_blas_thread():
    """``threadpool_limits(1, "blas")``: the experiments' matrices are small, so threads only cost."""
    return threadpool_limits(limits=1, user_api="blas")


def layer_names(history: History) -> list[str]:
    """The history's gradient-norm keys (``"0.Linear"``, ...) in layer order."""
    return sorted(history.grad_norms, key=lambda key: int(key.split(".")[0]))


def per_epoch(values, epoch_step) -> np.ndarray:
    """Per-epoch means of a per-update series; ``epoch_step``: the updates done at each epoch's end.

    Examples
    --------
    >>> per_epoch([1.0, 3.0, 5.0, 7.0, 9.0], [2, 4, 5])
    array([2., 6., 9.])
    """
    values = np.asarray(values, dtype=float)
    return np.array([part.mean() for part in np.split(values, np.asarray(epoch_step)[:-1])])


def last_of_each_epoch(values, epoch_step) -> np.ndarray:
    """Each epoch's last value of a per-update series; ``epoch_step`` as in :func:`per_epoch`.

    Examples
    --------
    >>> last_of_each_epoch([1.0, 3.0, 5.0, 7.0, 9.0], [2, 4, 5])
    array([3., 7., 9.])
    """
    return np.asarray(values, dtype=float)[np.asarray(epoch_step) - 1]


def train_mlp(data: Data, sizes, activation: str, init_name: str, optimizer: str, lr: float,
              batch_size: int, seed: int, epochs: int | None = None, steps: int | None = None,
              std: float | None = None, bias_init: str = "zeros") -> Run:
    """Build (:func:`build_mlp`), train (``epochs`` or ``steps``), evaluate one MLP; see :class:`Run`.

    Examples
    --------
    >>> import argparse
    >>> data = classification_data(argparse.Namespace(dataset=None, data=None, seed=0), 300)
    >>> run = train_mlp(data, (64, 20, 10), "relu", "he_normal", "adam", 1e-2, 50, seed=0,
    ...                 epochs=3)
    >>> len(run.history.loss), run.train_accuracy > 0.5, len(run.initial_weight_std)
    (18, True, 2)
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer == {optimizer!r}, must be one of {sorted(OPTIMIZERS)}; "
                         f"pass e.g. 'sgd'")
    model = build_mlp(sizes, activation, init_name, seed, std, bias_init)
    stds = weight_stds(model)
    with one_blas_thread():
        history = fit(model, OPTIMIZERS[optimizer], data.train, schedule=lr, epochs=epochs,
                      steps=steps, batch_size=batch_size, validation=data.test, seed=seed,
                      quiet=True)
        train_loss, train_accuracy = evaluate(model, softmax_cross_entropy, data.train)
        test_accuracy = evaluate(model, softmax_cross_entropy, data.test)[1]
    return Run(history, train_loss, train_accuracy, test_accuracy, stds, weight_stds(model))
