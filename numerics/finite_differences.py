"""Finite-difference derivatives: the check every automatic derivative is measured against.

``jacobian(f, x)`` has one row per output and one column per input, like the derived
Jacobians; ``gradient`` is the Jacobian of a scalar function, shaped like ``x``. The forward
scheme errs by ``O(step)``, the central one by ``O(step**2)``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["SCHEMES", "jacobian", "gradient"]

SCHEMES = ("forward", "backward", "central")


def _difference(f, x, direction, step, scheme):
    """One column of the Jacobian: the difference quotient of ``f`` along ``direction``."""
    if scheme == "forward":
        return (np.asarray(f(x + step * direction), float) - np.asarray(f(x), float)) / step
    if scheme == "backward":
        return (np.asarray(f(x), float) - np.asarray(f(x - step * direction), float)) / step
    return (np.asarray(f(x + step * direction), float)
            - np.asarray(f(x - step * direction), float)) / (2 * step)


def jacobian(f, x, step=1e-6, scheme="central"):
    """Finite-difference Jacobian ``J[i, j] ~ d f_i / d x_j`` of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Maps a 1-D float array to a scalar or a 1-D array.
    x : array_like
        The point, a 1-D array of inputs.
    step : float, default 1e-6
        The finite-difference step, positive.
    scheme : {"forward", "backward", "central"}, default "central"
        One-sided schemes err by ``O(step)``, the central one by ``O(step**2)``.

    Returns
    -------
    ndarray of shape (n_outputs, n_inputs)

    Examples
    --------
    >>> J = jacobian(lambda w: np.array([w[0] * w[1], w[0] ** 2]), np.array([2.0, 3.0]))
    >>> np.round(J, 6)
    array([[3., 2.],
           [4., 0.]])
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme == {scheme!r}, must be one of {SCHEMES}; pick one of them")
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step == {step!r}, must be a positive finite number; use e.g. 1e-6")
    x = np.asarray(x, dtype=float).ravel()
    columns = [np.atleast_1d(_difference(f, x, unit, step, scheme)).ravel()
               for unit in np.eye(x.size)]
    return np.stack(columns, axis=1)


def gradient(f, x, step=1e-6, scheme="central"):
    """Finite-difference gradient of a scalar ``f`` at ``x``, shaped like ``x``.

    Examples
    --------
    >>> g = gradient(lambda w: float(w @ w), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    x = np.asarray(x, dtype=float)
    flat = jacobian(lambda v: f(v.reshape(x.shape)), x.ravel(), step, scheme)
    return flat.reshape(x.shape)
