"""Learning-rate schedules: functions of the step, usable as ``lr=`` of any optimizer.

Each factory returns ``schedule(step)``: a float for a scalar step, an ndarray for an
array of steps (vectorised, the same values). Steps are 0-based counts ``>= 0``; the
optimizers of :mod:`numerics.optim` call ``schedule(count)`` before every update.
"""
from __future__ import annotations

import math

import numpy as np

from .optim import _real

__all__ = ["constant", "step_decay", "exponential_range", "cosine_warmup"]

DEFAULT_T = 50 * 391  # 50 epochs of 391 minibatches (CIFAR-10, batch 128): the problem set's T


def _steps(step):
    """``step`` as a float array of counts ``>= 0``, or an error naming the offending value."""
    t = np.asarray(step, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"step == {step!r}, must be finite and >= 0; schedules count "
                         f"updates from 0")
    return t


def _vectorised(formula):
    """A schedule applying ``formula`` to the step array, a float back for a scalar step."""
    def schedule(step):
        value = formula(_steps(step))
        return float(value) if np.ndim(value) == 0 else value
    return schedule


def constant(lr):
    """The constant schedule ``eta(t) = lr``.

    Examples
    --------
    >>> constant(0.1)(7)
    0.1
    >>> constant(0.1)(np.arange(2))
    array([0.1, 0.1])
    """
    lr = _real("lr", lr, 0.0)
    return _vectorised(lambda t: np.full(t.shape, lr))


def step_decay(lr, drop, every):
    """Step decay ``eta(t) = lr * drop ** floor(t / every)``.

    Parameters
    ----------
    lr : float
        Initial rate ``>= 0``.
    drop : float
        Factor in ``(0, 1]`` applied every ``every`` steps.
    every : int
        Steps between drops, ``>= 1``.

    Examples
    --------
    >>> step_decay(1.0, 0.5, 10)(np.array([0, 9, 10, 25]))
    array([1.  , 1.  , 0.5 , 0.25])
    """
    lr = _real("lr", lr, 0.0)
    drop = _real("drop", drop, 0.0, 1.0, low_open=True)
    every = _real("every", every, 1.0)
    return _vectorised(lambda t: lr * drop ** np.floor(t / every))


def exponential_range(start=1e-5, factor=1.1):
    """The learning-rate finder's growth ``eta(t) = start * factor ** t``.

    Examples
    --------
    >>> round(exponential_range()(10), 12) == round(1e-5 * 1.1 ** 10, 12)
    True
    """
    start = _real("start", start, 0.0, low_open=True)
    factor = _real("factor", factor, 0.0, low_open=True)
    return _vectorised(lambda t: start * factor ** t)


def cosine_warmup(eta_max, T=DEFAULT_T, T_0=None, floor_warmup=1e-4, floor_cosine=1e-6):
    """Linear warm-up then a quarter cosine.

    ``eta(t) = floor_warmup + (t / T_0) eta_max`` for ``t <= T_0``;
    ``eta(t) = eta_max cos(pi/2 (t - T_0) / (T - T_0)) + floor_cosine`` for
    ``T_0 < t <= T``; held at the end value ``floor_cosine`` after ``T``.

    Parameters
    ----------
    eta_max : float
        Peak rate ``> 0``.
    T : float
        Total steps; default ``50 * 391``.
    T_0 : float, optional
        End of the warm-up, in ``(0, T)``; default ``T / 5``.
    floor_warmup, floor_cosine : float
        The offsets ``1e-4`` and ``1e-6`` of the two pieces.

    Examples
    --------
    >>> eta = cosine_warmup(0.1, T=100)
    >>> eta(0), round(eta(20), 6), round(eta(100), 9)
    (0.0001, 0.1001, 1e-06)
    """
    eta_max = _real("eta_max", eta_max, 0.0, low_open=True)
    T = _real("T", T, 0.0, low_open=True)
    T_0 = T / 5 if T_0 is None else _real("T_0", T_0, 0.0, T, low_open=True, high_open=True)
    floor_warmup = _real("floor_warmup", floor_warmup, 0.0)
    floor_cosine = _real("floor_cosine", floor_cosine, 0.0)

    def formula(t):
        warmup = floor_warmup + t / T_0 * eta_max
        phase = (t - T_0) / (T - T_0)
        cosine = np.where(t > T, 0.0, eta_max * np.cos(math.pi / 2 * phase)) + floor_cosine
        return np.where(t <= T_0, warmup, cosine)

    return _vectorised(formula)
