"""Regularised logistic regression computed directly: the numeric twin of ``derivations.logistic``.

``f(w, b) = mean(log(1 + exp(-y (X w + b)))) + lam/2 (||w||^2 + b^2)`` with labels in
``{-1, +1}``; the bias ``b`` is penalised like the weights.  The loss is the softplus
``logaddexp(0, -margin)``, never ``log`` of a rounded-off sigmoid.  Stacked parameters
``theta = (w, b)`` follow ``x~ = (x, 1)``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from .finite_differences import gradient as fd_gradient
from .finite_differences import jacobian
from .optim import nesterov
from .recurrences import iterate

__all__ = ["augment", "softplus_and_sigmoid", "augmented_gram", "logistic_objective",
           "logistic_loss", "logistic_gradient", "logistic_hessian", "finite_difference_hessian",
           "stacked_gradient", "logistic_minimiser", "descent_path"]


def _checked(X, y, lam):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float).reshape(-1)
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows and y has {y.size} labels; they must match")
    if not np.all(np.abs(y) == 1):
        raise ValueError("y must hold labels -1 or +1; map classes {0, 1} with 2 * y - 1")
    if not (np.isfinite(lam) and lam > 0):
        raise ValueError(f"lam == {lam!r}, must be a positive number; use e.g. lam=1e-2")
    return X, y


def augment(X):
    """``X~ = [X, 1]``: the features with a constant column that carries the bias.

    Examples
    --------
    >>> augment(np.array([[2.0], [3.0]]))
    array([[2., 1.],
           [3., 1.]])
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return np.hstack([X, np.ones((X.shape[0], 1))])


def softplus_and_sigmoid(margin):
    """``log(1 + exp(-m))`` and ``1 / (1 + exp(m))`` for margins ``m``, both from ``e = exp(-|m|)``.

    ``softplus(-m) = max(-m, 0) + log1p(e)`` and ``expit(-m)`` is ``e / (1 + e)`` for
    ``m >= 0`` and ``1 / (1 + e)`` otherwise: ``e`` lies in ``(0, 1]``, so nothing overflows
    and no logarithm sees 0; one ``exp`` and one ``log1p`` (vectorised in NumPy) serve both.

    Examples
    --------
    >>> softplus, sigmoid = softplus_and_sigmoid(np.array([-800.0, 0.0, 800.0]))
    >>> softplus.round(4).tolist(), sigmoid.tolist()
    ([800.0, 0.6931, 0.0], [1.0, 0.5, 0.0])
    """
    e = np.abs(margin)
    np.negative(e, out=e)
    np.exp(e, out=e)
    softplus = np.log1p(e)
    softplus -= np.minimum(margin, 0)  # + max(-m, 0)
    sigmoid = np.where(margin >= 0, e, 1.0)
    e += 1
    sigmoid /= e
    return softplus, sigmoid


def cache_bytes(level: int, cpu: Path = Path("/sys/devices/system/cpu/cpu0/cache")) -> int:
    """The size in bytes of the first processor's data or unified cache of ``level``, as
    Linux describes it under ``cpu`` (``index*/level``, ``type``, ``size`` such as
    ``2048K``), or 0 where it does not. An entry that cannot be read, or reads as no
    number, is passed over.

    Examples
    --------
    >>> cache_bytes(2) >= 0
    True
    >>> cache_bytes(2, Path("/no/such/folder"))
    0
    """
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    for index in sorted(cpu.glob("index*")):
        try:
            if (int((index / "level").read_text()) == level
                    and (index / "type").read_text().strip() in ("Data", "Unified")):
                size = (index / "size").read_text().strip()
                return int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)
        except (OSError, ValueError):
            continue
    return 0


# Rows of ``X`` are taken in blocks of half the core's level-2 cache (1 MiB where it is not
# known): a block read twice in a row is read from memory once, the second time from the
# core's own cache, and a product with weights copies one block at a time.
BLOCK_BYTES = cache_bytes(2) // 2 or 1 << 20
SHARED_CACHE_BYTES = cache_bytes(3)


def _row_blocks(X):
    """Slices of about :data:`BLOCK_BYTES` of rows of ``X``.

    Examples
    --------
    >>> len(_row_blocks(np.zeros((10, 2)))) >= 1
    True
    """
    n, d = X.shape
    rows = max(1, BLOCK_BYTES // (X.itemsize * max(d, 1)))
    return [slice(start, start + rows) for start in range(0, n, rows)]


def augmented_gram(X, weights):
    """``[X, 1]^T diag(weights) [X, 1]``, accumulated over row blocks so ``X`` is never copied whole."""
    d = X.shape[1]
    gram = np.empty((d + 1, d + 1))
    gram[:d, :d] = sum(X[rows].T @ (weights[rows, None] * X[rows]) for rows in _row_blocks(X))
    gram[:d, d] = gram[d, :d] = X.T @ weights
    gram[d, d] = weights.sum()
    return gram


def logistic_objective(theta, X, y, lam):
    """``(1/n) sum softplus(-y (X w + w0)) + lam/2 ||theta||^2`` and its gradient, ``theta = (w, w0)``.

    The gradient is ``lam theta - (1/n) [X, 1]^T (y expit(-margin))``, ``margin = y (X w + w0)``.
    Where ``X`` does not fit in half the shared level-3 cache, both matrix-vector products
    run block by block of rows (:func:`_row_blocks`): a block's margins, then its share of
    ``X^T r`` while the block is still in the core's cache, so a step reads ``X`` from
    memory once, not twice.  Where it fits, both products read it whole from that cache:
    blocks would only add a call each (with two BLAS threads a synchronisation each; 1 MiB
    blocks made a step 1.5x slower on a processor with 480 MiB of L3, and gained 6% with one
    thread).

    Examples
    --------
    >>> X, y = np.array([[1.0], [-1.0]]), np.array([1.0, -1.0])
    >>> loss, grad = logistic_objective(np.zeros(2), X, y, 0.1)
    >>> round(loss, 6), grad                       # log 2; -(1/n) sum y x / 2
    (0.693147, array([-0.5,  0. ]))
    """
    n, d = X.shape
    w, w0 = theta[:d], theta[d]
    grad = lam * theta
    total = 0.0
    in_shared_cache = 2 * X.nbytes <= SHARED_CACHE_BYTES
    for rows in [slice(0, n)] if in_shared_cache else _row_blocks(X):
        block, labels = X[rows], y[rows]
        margin = block @ w
        margin += w0
        margin *= labels
        softplus, residual = softplus_and_sigmoid(margin)
        total += softplus.sum()
        residual *= labels                         # y expit(-margin)
        grad[:d] -= (block.T @ residual) / n
        grad[d] -= residual.sum() / n
    return float(total / n + lam / 2 * float(theta @ theta)), grad


def logistic_loss(w, b, X, y, lam):
    """The regularised logistic loss ``f(w, b)``, computed as a softplus.

    Examples
    --------
    >>> X, y = np.array([[1.0], [-1.0]]), np.array([1.0, -1.0])
    >>> round(logistic_loss(np.zeros(1), 0.0, X, y, 0.1), 6)   # log 2 at w = 0
    0.693147
    >>> logistic_loss(np.array([-1e3]), 0.0, X, y, 1e-9) < np.inf
    True
    """
    X, y = _checked(X, y, lam)
    return logistic_objective(np.append(np.asarray(w, dtype=float), b), X, y, lam)[0]


def logistic_gradient(w, b, X, y, lam):
    """The gradient ``(df/dw, df/db)``: ``(1/n) sum -y_i s(-y_i z_i) x~_i + lam (w, b)``.

    Examples
    --------
    >>> X, y = np.array([[1.0], [-1.0]]), np.array([1.0, -1.0])
    >>> logistic_gradient(np.zeros(1), 0.0, X, y, 0.1)
    (array([-0.5]), 0.0)
    """
    X, y = _checked(X, y, lam)
    grad = logistic_objective(np.append(np.asarray(w, dtype=float), b), X, y, lam)[1]
    return grad[:-1], float(grad[-1])


def logistic_hessian(w, b, X, y, lam):
    """The Hessian in ``theta = (w, b)``: ``(1/n) X~^T diag(s (1 - s)) X~ + lam I``.

    Examples
    --------
    >>> logistic_hessian(np.zeros(1), 0.0, np.array([[2.0]]), np.array([1.0]), 0.5)
    array([[1.5 , 0.5 ],
           [0.5 , 0.75]])
    """
    X, y = _checked(X, y, lam)
    return _hessian_at_scores(X, X @ np.asarray(w, dtype=float) + b, lam)


def _hessian_at_scores(X, scores, lam):
    """``(1/n) X~^T diag(s (1 - s)) X~ + lam I``, ``s = expit(X w + b)``: no labels needed."""
    s = expit(scores)
    return augmented_gram(X, s * (1 - s)) / X.shape[0] + lam * np.eye(X.shape[1] + 1)


def finite_difference_hessian(w, b, X, y, lam, step=1e-4):
    """The Hessian by central differences of central differences of :func:`logistic_loss`.

    Uses only loss values, so it checks the derived Hessian independently of the
    analytic gradient.  Errs by ``O(step^2)`` plus rounding ``O(eps / step^2)``.

    Examples
    --------
    >>> X, y = np.array([[2.0]]), np.array([1.0])
    >>> np.round(finite_difference_hessian(np.zeros(1), 0.0, X, y, 0.5), 6)
    array([[1.5 , 0.5 ],
           [0.5 , 0.75]])
    """
    def loss(theta):
        return logistic_loss(theta[:-1], theta[-1], X, y, lam)

    theta = np.append(np.asarray(w, dtype=float), b)
    hessian = jacobian(lambda p: fd_gradient(loss, p, step), theta, step)
    return (hessian + hessian.T) / 2


def stacked_gradient(X, y, lam):
    """``theta -> grad f(theta)`` with ``theta = (w, b)`` stacked, for the optimizers.

    Examples
    --------
    >>> g = stacked_gradient(np.array([[1.0]]), np.array([1.0]), 0.1)
    >>> g(np.zeros(2))
    array([-0.5, -0.5])
    """
    X, y = _checked(X, y, lam)
    return lambda theta: logistic_objective(np.asarray(theta, dtype=float), X, y, lam)[1]


def logistic_minimiser(X, y, lam, tol=1e-12):
    """The minimiser ``theta* = (w*, b*)`` by a trust-region Newton method.

    Examples
    --------
    >>> theta = logistic_minimiser(np.array([[1.0], [-1.0]]), np.array([1.0, -1.0]), 1.0)
    >>> np.round(theta, 6)                       # w solves lam w = s(-w), b = 0
    array([0.401058, 0.      ])
    """
    X, y = _checked(X, y, lam)

    def objective(theta):
        return logistic_loss(theta[:-1], theta[-1], X, y, lam)

    solution = minimize(objective, np.zeros(X.shape[1] + 1), jac=stacked_gradient(X, y, lam),
                        hess=lambda theta: logistic_hessian(theta[:-1], theta[-1], X, y, lam),
                        method="trust-exact", options={"gtol": tol})
    return solution.x


def descent_path(X, y, lam, lr, steps, momentum=0.0):
    """Iterates ``theta_0 = 0, ..., theta_steps`` of GD (``momentum=0``) or Nesterov's method.

    Nesterov's method is :func:`numerics.optim.nesterov`: its parameters are the look-ahead
    points ``y_t``; the iterates are ``theta_{t+1} = y_t - lr grad f(y_t)``.

    Examples
    --------
    >>> X, y = np.array([[1.0], [-1.0]]), np.array([1.0, -1.0])
    >>> path = descent_path(X, y, 1.0, 0.5, 60, momentum=0.2)
    >>> np.round(path[-1], 6)
    array([0.401058, 0.      ])
    """
    gradient = stacked_gradient(X, y, lam)
    theta0 = np.zeros(np.atleast_2d(X).shape[1] + 1)
    look_ahead = iterate(nesterov(lr, momentum=momentum), gradient, theta0, steps)
    following = [point - lr * gradient(point) for point in look_ahead[:-1]]
    return np.vstack([theta0, *following])
