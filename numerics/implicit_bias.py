"""Which interpolating solution an optimizer finds on over-parameterised least squares.

With more weights than examples (``d > n``) the loss ``1/(2b) ||X_B w - t_B||^2`` has a
whole affine space of minimisers.  These functions run the optimizers of
:mod:`numerics.optim` on it (full batch or mini-batch) and measure where they land
against the minimum-norm solution, computed here from the SVD (``numpy.linalg.pinv``),
independently of the normal-equation formula the derivation gives.
"""
from __future__ import annotations

import numpy as np

from .recurrences import iterate

__all__ = ["minimum_norm_solution", "least_squares_path", "null_space_component"]


def _problem(X, t):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if X.shape[0] != t.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows and t has {t.shape[0]} entries; "
                         f"give one target per row")
    return X, t


def minimum_norm_solution(X, t) -> np.ndarray:
    """The interpolating ``w`` of least norm, ``pinv(X) t`` from the SVD.

    Examples
    --------
    >>> minimum_norm_solution([[2.0, 1.0]], [2.0])
    array([0.8, 0.4])
    """
    X, t = _problem(X, t)
    return np.linalg.pinv(X) @ t


def null_space_component(X, w) -> np.ndarray:
    """The part of ``w`` (or of each row of a path) outside the row span of ``X``.

    Examples
    --------
    >>> null_space_component([[1.0, 0.0]], np.array([3.0, 4.0]))
    array([0., 4.])
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    w = np.asarray(w, dtype=float)
    projector = np.linalg.pinv(X) @ X
    return w - w @ projector.T


def least_squares_path(optimizer, X, t, steps: int, batch_size: int | None = None,
                       w0=None, rng: np.random.Generator | None = None) -> np.ndarray:
    """The iterates of ``optimizer`` on ``1/(2b) ||X_B w - t_B||^2``, ``w_0, ..., w_steps``.

    Each step draws a mini-batch ``B`` of ``batch_size`` rows without replacement
    (``None``: every row, plain gradient descent).

    Parameters
    ----------
    optimizer : GradientTransformation
        From :mod:`numerics.optim`.
    X, t : array_like
        The ``n x d`` inputs and ``n`` targets.
    steps : int
        Number of updates.
    batch_size : int, optional
        In ``1..n``; needs ``rng``.
    w0 : array_like, optional
        Start; zeros by default.
    rng : numpy.random.Generator, optional
        Draws the mini-batches.

    Examples
    --------
    >>> from numerics.optim import sgd
    >>> path = least_squares_path(sgd(0.2), [[2.0, 1.0]], [2.0], 200)
    >>> np.round(path[-1], 6)
    array([0.8, 0.4])
    """
    X, t = _problem(X, t)
    n = X.shape[0]
    if batch_size is None:
        def gradient(w):
            return X.T @ (X @ w - t) / n
    else:
        if int(batch_size) != batch_size or not 1 <= batch_size <= n:
            raise ValueError(f"batch_size == {batch_size!r}, must be a whole number in "
                             f"[1, {n}] (the rows of X); pass e.g. batch_size=1")
        if rng is None:
            raise ValueError("batch_size is set but rng is None; pass "
                             "rng=numpy.random.default_rng(seed) to draw the batches")

        def gradient(w):
            rows = rng.choice(n, size=int(batch_size), replace=False)
            return X[rows].T @ (X[rows] @ w - t[rows]) / batch_size
    start = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, dtype=float)
    return iterate(optimizer, gradient, start, steps)
