"""Linear first-order methods simulated from their matrices: the numeric twin of ``derivations.method``.

A method with one gradient evaluation per step is the state-space system
``s_{t+1} = A s_t + B g(C s_t)`` (states ``s``, query point ``C s``); on a quadratic mode of
curvature ``h`` (error coordinates, ``g(v) = h v``) one step is ``T(h) = A + h B C``.
Each built-in writes its ``(A, B, C)`` here by hand from its update rules, in the same
state order as the derivation (updated states in order, then history), independently of
the algebra.  This module iterates methods on diagonal quadratics, measures their
contraction, finds stability edges by bisection, grids spectral radii, finds the worst
radius over a range of curvatures and (with SciPy) the tuning that minimises it.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .optim import _count
from .recurrences import contraction_rate
from .spectra import spectral_radius

__all__ = ["BUILTINS", "StateSpace", "iterate_method", "measured_rate",
           "optimal_tuning", "radius_grid", "random_state_space", "stability_edge",
           "state_space", "transition_matrix", "worst_rate"]


class StateSpace(NamedTuple):
    """``s_{t+1} = A s_t + B g(C s_t)``; ``iterate`` is the index of the iterate ``w`` in ``s``."""

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    iterate: int


def _space(A, B, C, iterate):
    return StateSpace(np.asarray(A, dtype=float), np.asarray(B, dtype=float),
                      np.asarray(C, dtype=float), iterate)


def _gd(alpha):
    return _space([[1.0]], [-alpha], [1.0], 0)


def _heavy_ball(alpha, m):
    # w' = w - alpha g(w) + m (w - w_prev); states (w_t, w_{t-1})
    return _space([[1 + m, -m], [1, 0]], [-alpha, 0], [1, 0], 0)


def _heavy_ball_ema(eta, beta):
    # z' = (1 - beta) z + beta g(w); w' = w - eta z'; states (z, w)
    return _space([[1 - beta, 0], [-eta * (1 - beta), 1]], [beta, -eta * beta], [0, 1], 1)


def _heavy_ball_pytorch(alpha, mu, tau=0.0):
    # b' = mu b + (1 - tau) g(w); w' = w - alpha b'; states (b, w)
    return _space([[mu, 0], [-alpha * mu, 1]], [1 - tau, -alpha * (1 - tau)], [0, 1], 1)


def _nesterov_pytorch(alpha, mu):
    # b' = mu b + g(w); w' = w - alpha (g(w) + mu b'); states (b, w)
    return _space([[mu, 0], [-alpha * mu**2, 1]], [1, -alpha * (1 + mu)], [0, 1], 1)


def _nesterov(alpha, beta):
    # y = w + beta (w - w_prev); w' = y - alpha g(y); states (w_t, w_{t-1})
    return _space([[1 + beta, -beta], [1, 0]], [-alpha, 0], [1 + beta, -beta], 0)


def _qhm(alpha, beta, nu):
    # b' = beta b + (1 - beta) g(w); w' = w - alpha ((1 - nu) g(w) + nu b'); states (b, w)
    return _space([[beta, 0], [-alpha * nu * beta, 1]],
                  [1 - beta, -alpha * ((1 - nu) + nu * (1 - beta))], [0, 1], 1)


def _triple_momentum(alpha, beta, gamma):
    # y = (1 + gamma) xi - gamma xi_prev; xi' = (1 + beta) xi - beta xi_prev - alpha g(y)
    return _space([[1 + beta, -beta], [1, 0]], [-alpha, 0], [1 + gamma, -gamma], 0)


BUILTINS = {"gd": _gd, "heavy_ball": _heavy_ball, "heavy_ball_ema": _heavy_ball_ema,
            "heavy_ball_pytorch": _heavy_ball_pytorch, "nesterov_pytorch": _nesterov_pytorch,
            "nesterov": _nesterov, "qhm": _qhm, "triple_momentum": _triple_momentum}


def state_space(name: str, **parameters) -> StateSpace:
    """The ``(A, B, C)`` of a built-in method at numeric parameters.

    Examples
    --------
    >>> state_space("heavy_ball", alpha=0.1, m=0.5).A
    array([[ 1.5, -0.5],
           [ 1. ,  0. ]])
    >>> state_space("nope")
    Traceback (most recent call last):
    ...
    ValueError: name == 'nope' is not a built-in method; choose from gd, heavy_ball, heavy_ball_ema, heavy_ball_pytorch, nesterov_pytorch, nesterov, qhm, triple_momentum
    """
    if name not in BUILTINS:
        raise ValueError(f"name == {name!r} is not a built-in method; choose from "
                         f"{', '.join(BUILTINS)}")
    return BUILTINS[name](**parameters)


def transition_matrix(space: StateSpace, h) -> np.ndarray:
    """``T(h) = A + h B C``, broadcast over an array of curvatures ``h`` (shape ``h.shape + (n, n)``).

    Examples
    --------
    >>> transition_matrix(state_space("gd", alpha=0.25), np.array([1.0, 4.0]))[:, 0, 0]
    array([0.75, 0.  ])
    """
    h = np.asarray(h, dtype=float)[..., None, None]
    return space.A + h * np.outer(space.B, space.C)


def iterate_method(space: StateSpace, curvatures, start, steps: int) -> np.ndarray:
    """Run the method on the diagonal quadratic ``sum_i h_i v_i^2 / 2`` (minimiser 0).

    ``start`` has one row per state and one column per curvature.  Returns the iterate's
    trajectory, shape ``(steps + 1, len(curvatures))``; a non-finite state raises
    ``FloatingPointError`` naming the step.

    Examples
    --------
    >>> iterate_method(state_space("gd", alpha=0.5), [1.0], [[1.0]], 2)[:, 0]
    array([1.  , 0.5 , 0.25])
    """
    steps = _count("steps", steps, 0)
    h = np.asarray(curvatures, dtype=float)
    s = np.array(start, dtype=float).reshape(len(space.A), h.size)
    path = np.empty((steps + 1, h.size))
    path[0] = s[space.iterate]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            gradient = h * (space.C @ s)
            s = space.A @ s + np.outer(space.B, gradient)
            if not np.all(np.isfinite(s)):
                raise FloatingPointError(f"the state became non-finite at step {t}")
            path[t] = s[space.iterate]
    return path


def measured_rate(space: StateSpace, h: float, steps: int = 2000, seed: int = 0) -> float:
    """The contraction per step read off a run on one curvature from a random start.

    Examples
    --------
    >>> round(measured_rate(state_space("gd", alpha=0.5), 1.0), 6)
    0.5
    """
    start = np.random.default_rng(seed).standard_normal((len(space.A), 1)) * 1e100
    # from 1e100 the error has 300 orders of magnitude to fall before it underflows
    return contraction_rate(np.abs(iterate_method(space, [h], start, steps)[:, 0]), span=1e300)


def stability_edge(make, high: float, tol: float = 1e-12) -> float:
    """The step at which ``spectral_radius(make(step))`` reaches 1, by bisection on ``(0, high)``.

    ``make(step)`` returns the transition matrix at that step; the stable steps must form
    an interval starting at 0 that ends below ``high``.

    Examples
    --------
    >>> gd = lambda alpha: transition_matrix(state_space("gd", alpha=alpha), 2.0)
    >>> round(stability_edge(gd, 10.0), 9)
    1.0
    """
    low = 0.0
    if spectral_radius(make(high)) < 1:
        raise ValueError(f"high == {high} is still stable; give a larger upper end")
    while high - low > tol * max(high, 1.0):
        middle = (low + high) / 2
        low, high = (middle, high) if spectral_radius(make(middle)) < 1 else (low, middle)
    return (low + high) / 2


def radius_grid(name: str, x_name: str, xs, y_name: str, ys, h, **fixed) -> np.ndarray:
    """Spectral radius of a built-in over a plane of two parameters at curvature(s) ``h``.

    With several curvatures (an array ``h``) the worst over them is returned.
    Shape ``(len(ys), len(xs))``.

    Examples
    --------
    >>> radius_grid("heavy_ball", "alpha", [0.5, 5.0], "m", [0.0], 1.0).round(3)
    array([[0.5, 4. ]])
    """
    curvatures = np.atleast_1d(np.asarray(h, dtype=float))
    grid = np.empty((len(ys), len(xs)))
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            space = state_space(name, **{x_name: x, y_name: y, **fixed})
            grid[i, j] = spectral_radius(transition_matrix(space, curvatures)).max()
    return grid


def worst_rate(space: StateSpace, small: float, large: float, points: int = 401) -> float:
    """The largest spectral radius of ``T(h)`` over curvatures ``h`` in ``[small, large]``.

    Found without assuming where it lies: the radius on a grid of ``points`` curvatures
    (ends included), then a bounded scalar search between the grid neighbours of the
    largest value.

    Examples
    --------
    >>> round(worst_rate(state_space("gd", alpha=0.5), 1.0, 3.0), 12)
    0.5
    """
    from scipy.optimize import minimize_scalar

    grid = np.linspace(small, large, points)
    radii = spectral_radius(transition_matrix(space, grid))
    k = int(np.argmax(radii))
    left, right = grid[max(k - 1, 0)], grid[min(k + 1, points - 1)]
    refined = minimize_scalar(lambda h: -spectral_radius(transition_matrix(space, h)),
                              bounds=(left, right), method="bounded",
                              options={"xatol": 1e-12 * large})
    return float(max(radii[k], -refined.fun))


def optimal_tuning(name: str, small: float, large: float, bounds: dict, seed: int = 0,
                   points: int = 65):
    """The built-in's parameters in the box ``bounds`` minimising its worst spectral radius
    over curvatures in ``[small, large]`` (on a grid of ``points`` curvatures), and that rate.

    SciPy's differential evolution over the box, then Nelder-Mead from its best point.

    Examples
    --------
    >>> tuned, rate = optimal_tuning("gd", 1.0, 3.0, {"alpha": (0.01, 2.0)})
    >>> round(tuned["alpha"], 5), round(rate, 5)
    (0.5, 0.5)
    """
    from scipy.optimize import differential_evolution, minimize

    names, box = list(bounds), np.array(list(bounds.values()), dtype=float)
    curvatures = np.linspace(small, large, points)

    def worst(x):
        x = np.clip(x, box[:, 0], box[:, 1])
        space = state_space(name, **dict(zip(names, x)))
        return float(spectral_radius(transition_matrix(space, curvatures)).max())

    searched = differential_evolution(worst, box, seed=seed, tol=1e-12, polish=False)
    polished = minimize(worst, searched.x, method="Nelder-Mead",
                        options={"xatol": 1e-13, "fatol": 1e-14, "maxiter": 20000})
    best = polished if polished.fun <= searched.fun else searched
    return dict(zip(names, np.clip(best.x, box[:, 0], box[:, 1]).tolist())), float(best.fun)


def random_state_space(rng: np.random.Generator, states: int) -> StateSpace:
    """A random method with ``states`` states and small rational-like coefficients.

    Examples
    --------
    >>> random_state_space(np.random.default_rng(0), 3).A.shape
    (3, 3)
    """
    def draw(*shape):
        return rng.integers(-4, 5, size=shape) / 4
    return _space(draw(states, states), draw(states), draw(states), 0)
