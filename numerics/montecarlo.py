"""Monte Carlo for noisy inputs: many independent runs at once, with confidence bands.

Input noise ``x~ = x + N``, ``N ~ N(0, sigma^2)`` independent entries, drawn afresh for
every run and, in SGD, at every step.  Runs are vectorised: one array axis indexes
them, and one :class:`numpy.random.Generator` draws for all of them.
"""
from __future__ import annotations

import math

import numpy as np

from .optim import _count, sgd
from .recurrences import iterate

__all__ = ["noisy_squared_loss", "sgd_with_input_noise", "mean_and_band"]


def _scale(sigma):
    sigma = float(sigma)
    if not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma == {sigma!r}, must be a finite number >= 0 (the noise's "
                         f"standard deviation); pass e.g. sigma=0.5")
    return sigma


def noisy_squared_loss(X, y, w, sigma, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``||(X + N) w - y||^2`` for ``draws`` independent noise matrices ``N``.

    Returns an array of shape ``(draws,)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noisy_squared_loss([[1.0, 0.0]], [1.0], [1.0, 0.0], 0.0, 3, rng)
    array([0., 0., 0.])
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    if X.shape != (y.shape[0], w.shape[0]):
        raise ValueError(f"X has shape {X.shape}, y has {y.shape[0]} entries and w has "
                         f"{w.shape[0]}: X must be len(y) x len(w)")
    noise = rng.normal(scale=_scale(sigma), size=(_count("draws", draws, 1, 1000),) + X.shape)
    residual = (X + noise) @ w - y
    return np.einsum("ri,ri->r", residual, residual)


def sgd_with_input_noise(x, y, sigma, eta, steps: int, runs: int, rng: np.random.Generator,
                         w0=0.0) -> np.ndarray:
    """Scalar SGD on ``1/2 (x~ w - y)^2`` with fresh ``x~ = x + N`` each step, ``runs`` times.

    ``w <- w - eta (x~ w - y) x~``.  Returns the trajectories, shape ``(steps + 1, runs)``.
    Two calls with generators in the same state see the same noise (common random
    numbers), so their difference isolates the effect of ``w0``.

    Raises
    ------
    FloatingPointError
        When an iterate stops being finite; the message names the step.

    Examples
    --------
    >>> path = sgd_with_input_noise(2.0, 1.0, 0.0, 0.125, 40, 3, np.random.default_rng(0))
    >>> np.round(path[-1], 6)
    array([0.5, 0.5, 0.5])
    """
    sigma, eta = _scale(sigma), float(eta)
    if not math.isfinite(eta) or eta <= 0:
        raise ValueError(f"eta == {eta!r}, must be a finite number > 0; pass e.g. eta=0.1")
    runs = _count("runs", runs, 1, 1000)

    def gradient(w):
        noisy = x + sigma * rng.standard_normal(runs)
        return (noisy * w - y) * noisy

    try:
        return iterate(sgd(eta), gradient, np.broadcast_to(np.asarray(w0, float), (runs,)), steps)
    except FloatingPointError as error:
        raise FloatingPointError(f"{error}; eta == {eta!r} is too large for these runs") from None


def mean_and_band(samples, z: float = 5.0, axis: int = -1):
    """The sample mean and the half-width ``z * std / sqrt(count)`` of its confidence band.

    Examples
    --------
    >>> mean, half = mean_and_band(np.array([1.0, 3.0]), z=1.0)
    >>> float(mean), round(float(half), 6)
    (2.0, 1.0)
    """
    samples = np.asarray(samples, dtype=float)
    count = samples.shape[axis]
    if count < 2:
        raise ValueError(f"samples has {count} entries along axis {axis}; a band needs at least 2")
    return samples.mean(axis=axis), z * samples.std(axis=axis, ddof=1) / math.sqrt(count)
