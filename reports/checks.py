"""Check rows: a derived value beside the value a simulation measures at stated parameters.

Each :class:`Check` names a topic's result, the parameters it is evaluated at, a
simulation from :mod:`numerics` that measures the same quantity, and the agreement test
that covers it for all parameters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from numerics.optim import momentum_ema, sgd
from numerics.recurrences import contraction_rate, iterate, least_squares_gradient
from numerics.spectra import momentum_spectral_radius

__all__ = ["Check", "CHECKS", "stability_edge"]


@dataclass(frozen=True)
class Check:
    """One row of a check table."""

    topic: str
    result: str
    parameters: dict
    simulate: Callable[..., float]
    test: str
    pick: Callable = field(default=float)  # turns the derived value into one number
    what: str = ""

    def derived(self, derivation) -> float:
        return float(self.pick(derivation[self.result].value))

    def measured(self) -> float:
        return float(self.simulate(**{k: float(v) for k, v in self.parameters.items()}))


def converges(optimizer, sigma: float, steps: int = 3000) -> bool:
    """Whether the optimizer converges on ``(1 - sigma w)^2`` from 0."""
    try:
        path = iterate(optimizer, least_squares_gradient([[sigma]], [1.0]), [0.0], steps)
    except FloatingPointError:
        return False
    error = np.abs(path[:, 0] - 1 / sigma)
    return bool(error[-1] < 1e-3 * error[0])


def stability_edge(make, sigma: float, high: float = 100.0, tolerance: float = 1e-4) -> float:
    """The largest learning rate for which ``make(eta)`` still converges, by bisection."""
    low = 0.0
    while high - low > tolerance * high:
        middle = (low + high) / 2
        low, high = (middle, high) if converges(make(middle), sigma) else (low, middle)
    return (low + high) / 2


def _gd_edge(sigma):
    return stability_edge(sgd, sigma)


def _gd_optimal_rate(sigma_L, sigma_S):
    gradient = least_squares_gradient(np.diag([sigma_L, sigma_S]), [1.0, 1.0])
    minimiser = [1 / sigma_L, 1 / sigma_S]

    def contraction(eta):
        path = iterate(sgd(eta), gradient, [0.0, 0.0], 120)
        return contraction_rate(np.linalg.norm(path - minimiser, axis=1))

    etas = np.linspace(0.02, 0.98, 801) / sigma_L**2
    return min(contraction(eta) for eta in etas)  # the best rate a search over eta finds


def _gd_iterations(eta, sigma, epsilon):
    path = iterate(sgd(eta), least_squares_gradient([[sigma]], [1.0]), [0.0], 10_000)
    relative = np.abs(path[:, 0] * sigma - 1)
    return int(np.argmax(relative <= epsilon))


def _momentum_edge(beta, sigma):
    return stability_edge(lambda eta: momentum_ema(eta, beta), sigma)


def _momentum_modulus(beta):
    etas = np.linspace(0.01, 10, 20_001)
    radius = momentum_spectral_radius(etas, beta, 1.0)
    return float(radius.min())  # the floor of the radius is the complex-regime modulus


def _momentum_optimal_rate(sigma_min, sigma_max):
    grid_eta = np.linspace(0.05, 2.0, 400) / (sigma_min * sigma_max)
    grid_beta = np.linspace(0.01, 1.0, 400)
    sigmas = np.array([sigma_min, sigma_max])
    radius = momentum_spectral_radius(grid_eta[:, None, None], grid_beta[None, :, None], sigmas)
    return float(radius.max(-1).min())  # best worst-case radius found by search


CHECKS = (
    Check("gd", "stability_range", {"sigma": 1.5}, _gd_edge,
          "tests/agreement/test_gd.py::test_stability_range_is_where_the_simulation_converges",
          pick=lambda v: v.end, what="largest stable eta (bisection on divergence)"),
    Check("gd", "iterations_to_tolerance", {"eta": 0.1, "sigma": 1, "epsilon": 0.01},
          _gd_iterations,
          "tests/agreement/test_gd.py::test_iterations_to_tolerance_is_the_first_step_within_tolerance",
          what="first step within tolerance"),
    Check("gd", "optimal_rate", {"sigma_L": 2, "sigma_S": 1}, _gd_optimal_rate,
          "tests/agreement/test_gd.py::test_optimal_learning_rate_beats_nearby_rates",
          what="best measured contraction over a grid of eta"),
    Check("momentum", "stability_range", {"beta": 0.5, "sigma": 1}, _momentum_edge,
          "tests/agreement/test_momentum.py::test_stability_range_is_where_the_simulation_converges",
          pick=lambda v: v.end, what="largest stable eta (bisection on divergence)"),
    Check("momentum", "complex_eigenvalue_modulus", {"beta": 0.36}, _momentum_modulus,
          "tests/agreement/test_momentum.py::"
          "test_complex_regime_has_complex_eigenvalues_of_the_derived_modulus",
          what="smallest numeric spectral radius over eta"),
    Check("momentum", "optimal_rate", {"sigma_min": math.sqrt(0.05), "sigma_max": math.sqrt(5)},
          _momentum_optimal_rate,
          "tests/agreement/test_momentum.py::"
          "test_optimal_tuning_beats_nearby_tunings_on_a_random_problem",
          what="best worst-case radius on a 400 x 400 (eta, beta) grid"),
)
