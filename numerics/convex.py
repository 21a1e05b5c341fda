"""Subgradient descent on convex Lipschitz functions: the numeric twin of ``derivations.convex``.

The test functions are mean absolute deviations ``f(w) = (1/m) ||A w - b||_1``: convex,
piecewise linear, Lipschitz with constant ``(1/m) sum_k ||a_k||``, and minimised exactly
by a linear program.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from .optim import _count, sgd
from .recurrences import iterate

__all__ = ["mean_absolute_deviation", "absolute_deviation_minimiser", "average_iterate"]


def _checked(A, b):
    A = np.atleast_2d(np.asarray(A, dtype=float))
    b = np.asarray(b, dtype=float).reshape(-1)
    if A.shape[0] != b.size:
        raise ValueError(f"A has {A.shape[0]} rows and b has {b.size} entries; they must match")
    return A, b


def mean_absolute_deviation(A, b):
    """``f(w) = (1/m) ||A w - b||_1``, a subgradient of it, and its Lipschitz constant.

    Examples
    --------
    >>> f, subgradient, lipschitz = mean_absolute_deviation([[3.0, 4.0]], [1.0])
    >>> f(np.array([1.0, 0.0])), subgradient(np.array([1.0, 0.0])), lipschitz
    (2.0, array([3., 4.]), 5.0)
    """
    A, b = _checked(A, b)

    def value(w):
        return float(np.mean(np.abs(A @ w - b)))

    def subgradient(w):
        return A.T @ np.sign(A @ w - b) / b.size

    return value, subgradient, float(np.linalg.norm(A, axis=1).mean())


def absolute_deviation_minimiser(A, b):
    """A minimiser of ``(1/m) ||A w - b||_1``: the LP ``min sum u`` with ``-u <= A w - b <= u``.

    Examples
    --------
    >>> absolute_deviation_minimiser([[1.0], [1.0], [1.0]], [0.0, 1.0, 5.0])   # the median
    array([1.])
    """
    A, b = _checked(A, b)
    m, d = A.shape
    cost = np.concatenate([np.zeros(d), np.ones(m)])
    rows = np.block([[A, -np.eye(m)], [-A, -np.eye(m)]])
    solution = linprog(cost, A_ub=rows, b_ub=np.concatenate([b, -b]),
                       bounds=[(None, None)] * d + [(0, None)] * m, method="highs")
    if not solution.success:
        raise ArithmeticError(f"the linear program failed: {solution.message}")
    return solution.x[:d]


def average_iterate(subgradient, w1, eta, steps):
    """Subgradient descent ``w_{t+1} = w_t - eta v_t`` for ``t = 1..steps``.

    Returns the average iterate ``(1/T) sum_t w_t``, the iterates ``w_1..w_T`` and the
    subgradients ``v_t`` taken at them.

    Examples
    --------
    >>> w_bar, ws, vs = average_iterate(lambda w: np.sign(w), np.array([1.0]), 0.4, 4)
    >>> ws[:, 0], w_bar
    (array([ 1. ,  0.6,  0.2, -0.2]), array([0.4]))
    """
    iterates = iterate(sgd(eta), subgradient, w1, _count("steps", steps, 1) - 1)
    return iterates.mean(axis=0), iterates, np.array([subgradient(w) for w in iterates])
