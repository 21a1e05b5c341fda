"""Iterate optimizers on small systems and measure how fast they converge.

The optimizers are those of :mod:`numerics.optim` (optax-shaped); this module supplies
the gradients of the systems the derivations study (least squares with a given ``X``,
scalar and diagonal quadratics as its special cases, a 1-D piecewise-linear gradient)
and reads contraction rates off trajectories.
"""
from __future__ import annotations

import numpy as np

from .optim import _count, apply_updates

__all__ = ["iterate", "least_squares_gradient", "piecewise_linear_gradient", "empirical_rate",
           "contraction_rate", "settling_time"]


def iterate(optimizer, gradient, w0, steps: int) -> np.ndarray:
    """The trajectory ``w_0, w_1, ..., w_steps`` of ``optimizer`` on ``gradient``.

    Raises
    ------
    FloatingPointError
        When an iterate stops being finite; the message names the step.

    Examples
    --------
    >>> from numerics.optim import sgd
    >>> iterate(sgd(0.25), lambda w: 2 * w, np.array([1.0]), 2)[:, 0]
    array([1.  , 0.5 , 0.25])
    """
    steps = _count("steps", steps, 0)
    w = np.array(w0, dtype=float)
    state = optimizer.init(w)
    path = np.empty((steps + 1,) + w.shape)
    path[0] = w
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            updates, state = optimizer.update(gradient(w), state, w)
            w = apply_updates(w, updates)
            if not np.all(np.isfinite(w)):
                raise FloatingPointError(f"the iterate became non-finite at step {t}")
            path[t] = w
    return path


def least_squares_gradient(X, y):
    """The gradient ``w -> 2 X^T (X w - y)`` of ``||y - X w||^2``.

    A diagonal ``X`` gives the decoupled quadratics; a 1x1 ``X = [[sigma]]`` gives the
    scalar loss ``(y - sigma w)^2``.

    Examples
    --------
    >>> least_squares_gradient(np.array([[2.0]]), np.array([1.0]))(np.array([1.0]))
    array([4.])
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y = np.atleast_1d(np.asarray(y, dtype=float))
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows and y has {y.shape[0]} entries; they must match")
    return lambda w: 2 * X.T @ (X @ w - y)


def piecewise_linear_gradient(breakpoints, slopes, intercepts):
    """The 1-D gradient ``c_k x + d_k`` on the k-th piece between sorted ``breakpoints``.

    Piece k covers ``breakpoints[k-1] <= x < breakpoints[k]``.

    Examples
    --------
    >>> g = piecewise_linear_gradient([1, 2], [25, 1, 25], [0, 24, -24])
    >>> g(np.array([0.5, 1.5, 3.0]))
    array([12.5, 25.5, 51. ])
    """
    breakpoints = np.asarray(breakpoints, dtype=float)
    slopes, intercepts = np.asarray(slopes, dtype=float), np.asarray(intercepts, dtype=float)
    if not (len(slopes) == len(intercepts) == len(breakpoints) + 1):
        raise ValueError(f"{len(breakpoints)} breakpoints need {len(breakpoints) + 1} slopes and "
                         f"intercepts, got {len(slopes)} and {len(intercepts)}")
    if np.any(np.diff(breakpoints) <= 0):
        raise ValueError(f"breakpoints == {breakpoints.tolist()}, must increase strictly")

    def gradient(x):
        piece = np.searchsorted(breakpoints, x, side="right")
        return slopes[piece] * x + intercepts[piece]

    return gradient


def empirical_rate(errors, burn_in: int = 0, window: int = 1) -> float:
    """Per-step contraction factor read off a sequence of error norms.

    Compares the largest error in the first and the last ``window`` steps after
    ``burn_in``: ``(max_last / max_first) ** (1 / distance)``.  With ``window`` at least
    one period of an oscillating (complex-eigenvalue) error this follows its envelope,
    so it estimates the spectral radius of a linear recurrence once the slowest mode
    dominates.

    Examples
    --------
    >>> empirical_rate(0.5 ** np.arange(10))
    0.5
    >>> t = np.arange(200)
    >>> round(empirical_rate(0.9 ** t * np.abs(np.cos(0.3 * t)), window=25), 2)
    0.9
    """
    errors = np.abs(np.asarray(errors, dtype=float))
    tail = errors[burn_in:]
    if errors.ndim != 1 or len(tail) < 2 * window or window < 1:
        raise ValueError(f"errors has {len(errors)} entries; burn_in == {burn_in} and "
                         f"window == {window} need at least burn_in + 2 * window")
    first, last = tail[:window].max(), tail[-window:].max()
    if first <= 0 or last <= 0:
        raise ValueError("the errors reached zero; the run hit the minimiser exactly, so "
                         "shorten it or start elsewhere")
    return float(np.exp((np.log(last) - np.log(first)) / (len(tail) - window)))


def contraction_rate(errors, span: float = 1e10) -> float:
    """:func:`empirical_rate` over the part of ``errors`` within ``span`` of its first entry.

    A fast run reaches rounding error (a diverging one, overflow) after which the errors
    no longer follow the spectral radius; the run is cut there, the first quarter is
    skipped and the envelope is taken over windows of an eighth.

    Examples
    --------
    >>> t = np.arange(400)
    >>> errors = np.maximum(0.5 ** t, 1e-17)  # reaches the rounding floor at t = 56
    >>> round(contraction_rate(errors), 6)
    0.5
    """
    errors = np.abs(np.asarray(errors, dtype=float))
    ratio = errors / errors[0]  # compared as a ratio: errors[0] * span may overflow
    inside = (ratio > 1 / span) & (ratio < span)
    usable = errors if inside.all() else errors[:np.argmin(inside)]
    return empirical_rate(usable, burn_in=len(usable) // 4, window=max(len(usable) // 8, 1))


def settling_time(errors, epsilon: float) -> int:
    """The first step from which every error of the run is within ``epsilon`` of its start.

    A transient (momentum from rest) can keep the error above ``epsilon`` long after
    ``rho^t`` fell below it; the run must be long enough that nothing later rises again.

    Examples
    --------
    >>> settling_time([1.0, 0.2, 0.6, 0.05, 0.01], 0.1)
    3
    """
    errors = np.abs(np.asarray(errors, dtype=float))
    if errors.ndim != 1 or len(errors) < 1 or not errors[0] > 0:
        raise ValueError("errors must be a run of errors starting away from 0")
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon == {epsilon}; it must lie in (0, 1)")
    above = np.flatnonzero(errors > epsilon * errors[0])
    if above[-1] == len(errors) - 1:
        raise ValueError(f"the run of {len(errors)} errors ends above epsilon == {epsilon}; "
                         f"run it longer")
    return int(above[-1]) + 1
