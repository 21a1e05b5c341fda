"""The training loop: :func:`fit` with a :class:`History`, and the learning-rate finder :func:`lr_find`.

A model is a :class:`numerics.nn.Sequential` (``forward``, ``backward``, ``parameters``,
``gradients``, ``set_parameters``, ``gradient_norms``). An optimizer is given as a factory
``lr -> GradientTransformation`` (``optim.sgd``, ``functools.partial(optim.sgd,
momentum=0.9)``, ...) together with ``schedule``, a float or a function of the 0-based
update count, which the optimizer evaluates before every update without its state being
reset; a ready ``GradientTransformation`` is accepted too (its rates are then unknown and
recorded as NaN). Updates are pure (:func:`numerics.optim.apply_updates`); the model
receives the new parameters cast to its dtype.
"""
from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from .data import minibatches
from .files import atomic_path
from .nn import accuracy, softmax_cross_entropy
from .optim import GradientTransformation, _integer, _real, _schedule, apply_updates
from .schedules import exponential_range

__all__ = ["History", "fit", "evaluate", "LRFinderResult", "lr_find"]

EPOCH_FIELDS = ("epoch_step", "train_loss", "train_accuracy", "val_loss", "val_accuracy")


@dataclass
class History:
    """What a :func:`fit` run recorded.

    Per update: ``loss`` (the mini-batch loss), ``lr`` (NaN when unknown) and
    ``grad_norms`` (``{"<index>.<Layer>": [norm per update]}``). Per epoch: ``epoch_step``
    (updates done at its end), ``train_loss`` and ``train_accuracy`` (means over its
    mini-batches), ``val_loss`` and ``val_accuracy`` (NaN without validation data).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> h = History(loss=[1.0, 0.5], lr=[0.1, 0.1], grad_norms={"0.Linear": [2.0, 1.0]})
    >>> base = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> npz, js = h.save(base)
    >>> History.load(npz).grad_norms, sorted(json.loads(js.read_text()))[:3]
    ({'0.Linear': [2.0, 1.0]}, ['epoch_step', 'grad_norms', 'loss'])
    """

    loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    grad_norms: dict = field(default_factory=dict)
    epoch_step: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)

    def arrays(self):
        """Flat ``{name: ndarray}``; gradient norms under ``"grad_norm:<layer>"``."""
        out = {f.name: np.asarray(getattr(self, f.name), dtype=float) for f in fields(self)
               if f.name != "grad_norms"}
        out.update({f"grad_norm:{k}": np.asarray(v, dtype=float)
                    for k, v in self.grad_norms.items()})
        return out

    def save(self, path):
        """Write ``<path>.npz`` and ``<path>.json`` (NaN as ``null``), each via a temporary file renamed into place."""
        path = Path(path)
        base = path.with_suffix("") if path.suffix in (".npz", ".json") else path
        npz, js = base.parent / f"{base.name}.npz", base.parent / f"{base.name}.json"
        with atomic_path(npz) as temporary:
            with open(temporary, "wb") as handle:
                np.savez(handle, **self.arrays())
        plain = {f.name: _json_ready(getattr(self, f.name)) for f in fields(self)}
        with atomic_path(js) as temporary:
            temporary.write_text(json.dumps(plain, allow_nan=False) + "\n")
        return npz, js

    @classmethod
    def load(cls, path):
        """A History read back from the ``.npz`` written by :meth:`save`."""
        with np.load(Path(path)) as stored:
            plain = {key: stored[key].tolist() for key in stored.files}
        norms = {key.split(":", 1)[1]: plain.pop(key) for key in list(plain)
                 if key.startswith("grad_norm:")}
        return cls(grad_norms=norms, **plain)


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return [None if isinstance(v, float) and not math.isfinite(v) else v for v in value]


def _optimizer(optimizer, schedule):
    """The GradientTransformation and the rate of each update (``count -> lr``, NaN if unknown)."""
    if isinstance(optimizer, GradientTransformation):
        if schedule is not None:
            raise ValueError("schedule is given but optimizer is a ready GradientTransformation; "
                             "pass the factory instead, e.g. optimizer=optim.sgd, schedule=0.1")
        return optimizer, lambda count: math.nan
    if not callable(optimizer):
        raise TypeError(f"optimizer == {optimizer!r}, must be a factory lr -> "
                        f"GradientTransformation (e.g. optim.sgd) or a GradientTransformation")
    if schedule is None:
        raise ValueError("schedule is None; pass the learning rate, schedule=0.1, or a "
                         "function of the update count")
    rate = _schedule("schedule", schedule)
    return optimizer(rate), rate


def _xy(name, data):
    """``data = (x, y)`` as arrays with as many labels as examples, at least one."""
    try:
        x, y = data
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (x, y) of arrays; pass {name}=(x, y)") from None
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y) or len(x) == 0:
        rows = [len(a) if a.ndim else "no" for a in (x, y)]
        raise ValueError(f"{name} has {rows[0]} examples and {rows[1]} labels, must have as "
                         f"many labels as examples and at least one example; pass "
                         f"{name}=(x, y) with one row of x per label")
    return x, y


def _stop(what, value, step, history):
    error = FloatingPointError(
        f"{what} became {value} at step {step}; training stopped before that update (the "
        f"model keeps the step-{step} parameters): lower the learning rate or check the data")
    error.history = history
    raise error


def _train_step(model, loss, optimizer, state, xb, yb, step, history):
    """One update on a mini-batch; returns its scores, loss, gradient norms and the new state.

    Overflow is not warned about: a non-finite loss or gradient norm stops the run instead.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scores = model.forward(xb, training=True)
        value, dscores = loss(scores, yb)
        if not math.isfinite(value):
            _stop("the loss", value, step, history)
        model.backward(dscores, input_grad=False)
        norms = model.gradient_norms()
    for layer, norm in norms.items():
        if not math.isfinite(norm):
            _stop(f"the gradient norm of layer {layer}", norm, step, history)
    params = model.parameters()
    updates, state = optimizer.update(model.gradients(), state, params)
    model.set_parameters(apply_updates(params, updates))
    return scores, value, norms, state


def evaluate(model, loss, data, batch_size=1024, metric=accuracy):
    """``(mean loss, mean metric)`` of the model in evaluation mode over ``data = (x, y)``.

    Examples
    --------
    >>> from numerics.nn import MLP
    >>> x, y = np.zeros((3, 2)), np.array([0, 1, 1])
    >>> loss, acc = evaluate(MLP((2, 2), seed=0), softmax_cross_entropy, (x, y))
    >>> round(loss, 4), round(acc, 4)          # zero inputs: logits = bias = 0
    (0.6931, 0.3333)
    """
    x, y = _xy("data", data)
    batch_size = _integer("batch_size", batch_size)
    total_loss = total_metric = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        scores = model.forward(xb, training=False)
        total_loss += loss(scores, yb)[0] * len(xb)
        total_metric += (metric(scores, yb) if metric else math.nan) * len(xb)
    return total_loss / len(x), total_metric / len(x)


def fit(model, optimizer, data, *, schedule=None, loss=softmax_cross_entropy, epochs=None,
        steps=None, batch_size=128, validation=None, metric=accuracy, seed=0, quiet=False):
    """Train ``model`` on ``data = (x, y)`` by mini-batches; returns the :class:`History`.

    Parameters
    ----------
    model : numerics.nn.Sequential
        Trained in place (its parameters are replaced after every update).
    optimizer : callable or GradientTransformation
        A factory ``lr -> GradientTransformation`` used with ``schedule`` (see the module).
    data : (x, y)
    schedule : float or callable
        The learning rate, or a function of the 0-based update count.
    loss : callable
        ``loss(scores, targets) -> (value, dscores)``, e.g. ``nn.softmax_cross_entropy``.
    epochs, steps : int
        The budget: give exactly one (passes over the data, or updates).
    batch_size : int
    validation : (x, y), optional
        Evaluated at the end of every epoch.
    metric : callable or None
        ``metric(scores, targets)``, default :func:`numerics.nn.accuracy`.
    seed : int
        Seeds the order of the mini-batches.
    quiet : bool
        No progress bar.

    Raises
    ------
    FloatingPointError
        When the loss or a gradient becomes NaN or infinite; the message names the step
        and ``error.history`` holds what was recorded until then.

    Examples
    --------
    >>> from numerics import optim
    >>> from numerics.nn import MLP
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(256, 2)); y = (x[:, 0] > 0).astype(int)
    >>> h = fit(MLP((2, 8, 2), seed=0), optim.sgd, (x, y), schedule=0.5, epochs=5, quiet=True)
    >>> len(h.loss), len(h.train_loss), h.train_accuracy[-1] > 0.9
    (10, 5, True)
    """
    x, y = _xy("data", data)
    if validation is not None:
        validation = _xy("validation", validation)
    if (epochs is None) == (steps is None):
        raise ValueError(f"epochs == {epochs!r} and steps == {steps!r}: give exactly one "
                         f"budget; pass e.g. epochs=10")
    _integer(*(("epochs", epochs) if steps is None else ("steps", steps)))
    batch_size = _integer("batch_size", batch_size)
    total = steps if steps is not None else epochs * math.ceil(len(x) / batch_size)
    optimizer, rate = _optimizer(optimizer, schedule)
    state = optimizer.init(model.parameters())
    history = History()
    rng = np.random.default_rng(seed)
    step = 0
    with tqdm(total=total, disable=quiet, unit="step", desc="fit", leave=False) as bar:
        while step < total:
            seen = epoch_loss = epoch_metric = 0.0
            for xb, yb in minibatches(x, y, batch_size, rng):
                scores, value, norms, state = _train_step(model, loss, optimizer, state, xb, yb,
                                                          step, history)
                history.loss.append(value)
                history.lr.append(float(rate(step)))
                for layer, norm in norms.items():
                    history.grad_norms.setdefault(layer, []).append(norm)
                seen += len(xb)
                epoch_loss += value * len(xb)
                epoch_metric += (metric(scores, yb) if metric else math.nan) * len(xb)
                step += 1
                bar.update()
                if step % 25 == 0:
                    bar.set_postfix(loss=f"{value:.4g}", refresh=False)
                if step == total:
                    break
            val_loss, val_metric = (evaluate(model, loss, validation, metric=metric)
                                    if validation is not None else (math.nan, math.nan))
            history.epoch_step.append(step)
            history.train_loss.append(epoch_loss / seen)
            history.train_accuracy.append(epoch_metric / seen)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_metric)
    return history


class LRFinderResult(NamedTuple):
    """The learning-rate finder's curve and suggestion."""

    rates: np.ndarray
    losses: np.ndarray
    best_rate: float
    suggestion: float


def lr_find(model, optimizer, data, *, loss=softmax_cross_entropy, start=1e-5, factor=1.1,
            divergence=4.0, max_steps=None, batch_size=128, seed=0, quiet=True):
    """The learning-rate range test: the rate grows ``factor``-fold per mini-batch from ``start``.

    Trains a copy of ``model`` (the model itself is left untouched) with
    ``optimizer(exponential_range(start, factor))``, recording the mini-batch loss at each
    rate, until the loss exceeds ``divergence`` times its best, becomes non-finite, or
    ``max_steps`` updates are done (default: until the rate passes 10). Returns the curve,
    the rate at the lowest loss and the suggestion, a tenth of it.

    Examples
    --------
    >>> from numerics import optim, nn
    >>> x = np.random.default_rng(0).normal(size=(512, 2))
    >>> model = nn.MLP((2, 8, 2), seed=0)
    >>> y = (x[:, 0] > 0).astype(int)
    >>> before = {k: v.copy() for k, v in model.parameters().items()}
    >>> result = lr_find(model, optim.sgd, (x, y), batch_size=32)
    >>> result.suggestion == result.best_rate / 10, 1e-5 <= result.best_rate < 10
    (True, True)
    >>> all(np.array_equal(before[k], v) for k, v in model.parameters().items())
    True
    """
    x, y = _xy("data", data)
    start = _real("start", start, 0.0, low_open=True)
    factor = _real("factor", factor, 1.0, low_open=True)
    divergence = _real("divergence", divergence, 1.0, low_open=True)
    if max_steps is None:
        max_steps = max(1, math.ceil(math.log(10.0 / start) / math.log(factor)) + 1)
    trial = copy.deepcopy(model)
    rate = exponential_range(start, factor)
    optimizer = optimizer(rate)
    state = optimizer.init(trial.parameters())
    rates, losses = [], []
    batches = minibatches(x, y, batch_size, seed, epochs=None)
    for step in tqdm(range(max_steps), disable=quiet, unit="step", desc="lr_find", leave=False):
        xb, yb = next(batches)
        try:
            _, value, _, state = _train_step(trial, loss, optimizer, state, xb, yb, step, None)
        except FloatingPointError:
            break
        rates.append(rate(step))
        losses.append(value)
        if value > divergence * min(losses):
            break
    if not losses:
        raise FloatingPointError(f"the loss is non-finite already at the first rate {start!r}; "
                                 f"check the model and data, or pass a smaller start")
    rates, losses = np.array(rates), np.array(losses)
    best = float(rates[np.argmin(losses)])
    return LRFinderResult(rates, losses, best, best / 10)
