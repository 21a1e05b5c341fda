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
from scipy.optimize import minimize_scalar

from numerics import convolution, init, montecarlo
from numerics.autodiff import Dual, Var, exp, reverse_jacobian, sigmoid
from numerics.experiments.implicit_bias import OPTIMIZERS as IMPLICIT_BIAS_OPTIMIZERS
from numerics.finite_differences import gradient as fd_gradient
from numerics.implicit_bias import least_squares_path
from numerics.nn import softmax_cross_entropy
from numerics.optim import adam, momentum_ema, sgd
from numerics.recurrences import contraction_rate, iterate, least_squares_gradient
from numerics.schedules import exponential_range
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

    # the contraction is unimodal in eta (a V with its tip at the optimum): a bounded
    # Brent search finds the best rate the simulation allows in about 30 runs
    found = minimize_scalar(contraction, bounds=(0.02 / sigma_L**2, 0.98 / sigma_L**2),
                            method="bounded", options={"xatol": 1e-7})
    return float(found.fun)


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


def _noise_limit(x, y, sigma):
    """Average of SGD with fresh input noise over many runs, after it has settled."""
    path = montecarlo.sgd_with_input_noise(x, y, sigma, 0.05, 600, 4000, np.random.default_rng(0))
    return path[300:].mean()


def _initializer_variance(initializer, n_in):
    """Sample variance of a large ``n_in x 2000`` weight matrix from ``initializer``."""
    return getattr(init, initializer)((int(n_in), 2000), np.random.default_rng(0)).var()


def _sigmoid_slope_max():
    z = np.linspace(-6, 6, 12_001)
    return max(sigmoid(Dual(v, 1.0)).tangent for v in z)  # forward-mode derivative on a grid


def _cross_entropy_at_init(C):
    return softmax_cross_entropy(np.zeros((1, int(C))), np.array([0]))[0]


def _finder_steps(eta_target):
    rates = exponential_range()(np.arange(1000))
    return int(np.argmax(rates >= eta_target))


def _receptive_field(k):
    k = int(k)
    return convolution.receptive_field([("conv", k, 1, 1, 0), ("pool", 2, 2), ("conv", k, 1, 1, 0)])


def _rmsprop_limit():
    """Where the implicit_bias experiment's RMSProp (eps 1e-10, decaying rate) stops on the example."""
    path = least_squares_path(IMPLICIT_BIAS_OPTIMIZERS["RMSProp"](), [[2.0, 1.0]], [2.0], 4000)
    return path[-1, 0]


def _adam_third_weight():
    """w_x after three Adam steps (textbook constants) on the sigmoid neuron, gradient by reverse mode."""
    def loss(w_x, w_y):  # (s(w_x x + w_y y) - t)^2 at x = 1, y = -1, t = 1
        residual = sigmoid(w_x - w_y) - 1
        return residual * residual

    def gradient(w):
        return reverse_jacobian(loss, w)[0]
    return iterate(adam(1.0, betas=(0.9, 0.999), eps=1e-8), gradient, [-1.0, 1.0], 3)[-1, 0]


def _f1_value():
    """f_1(1, -1) = exp(exp(w_1) + exp(2 w_2)) + s(exp(w_1) + exp(2 w_2)) on the autodiff tape."""
    w_1, w_2 = Var(1.0), Var(-1.0)
    inner = exp(w_1) + exp(2 * w_2)
    return (exp(inner) + sigmoid(inner)).value


def _sgd_step_increase(eta):
    """f_1 + f_2 after one SGD step on f_1 alone from the minimiser 0, minus f at 0."""
    def f_1(w):
        return np.logaddexp(0, w[0])  # -log(1 - s(w))

    def f(w):
        return np.logaddexp(0, w[0]) + np.logaddexp(0, -w[0])

    w_1 = -eta * fd_gradient(f_1, np.zeros(1))
    return f(w_1) - f(np.zeros(1))


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
          what="best measured contraction, bounded search over eta"),
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
    Check("noise", "limit", {"x": 1.5, "y": 2, "sigma": 0.5}, _noise_limit,
          "tests/agreement/test_noise.py", what="mean of 4000 noisy SGD runs, steps 300-600"),
    Check("initialization", "he_variance", {"n_in": 50}, lambda n_in: _initializer_variance(
              "he_normal", n_in), "tests/agreement/test_initialization.py",
          what="sample variance of he_normal weights"),
    Check("initialization", "pytorch_linear_default", {"n_in": 50}, lambda n_in:
          _initializer_variance("pytorch_linear_default", n_in),
          "tests/agreement/test_initialization.py",
          what="sample variance of nn.Linear's default weights"),
    Check("vanishing", "sigmoid_derivative_max", {}, _sigmoid_slope_max,
          "tests/agreement/test_vanishing.py", what="largest forward-mode s'(z) on a grid"),
    Check("adaptive", "adam_iterates", {}, _adam_third_weight,
          "tests/agreement/test_adaptive.py", pick=lambda v: v[-2, -1],
          what="w_x after 3 steps of numerics.optim.adam"),
    Check("autodiff", "value", {}, _f1_value, "tests/agreement/test_autodiff.py",
          pick=lambda v: v[1], what="f_1(1, -1) evaluated on the reverse-mode tape"),
    Check("logistic", "sgd_not_monotone", {"eta": 1}, _sgd_step_increase,
          "tests/agreement/test_logistic.py", pick=lambda v: v[2],
          what="rise of f_1 + f_2 after one SGD step on f_1 (finite-difference gradient)"),
    Check("logistic", "cross_entropy_at_init", {"C": 10}, _cross_entropy_at_init,
          "tests/agreement/test_logistic.py", what="softmax cross-entropy of equal logits"),
    Check("schedules", "lr_finder_steps", {"eta_target": 0.1}, _finder_steps,
          "tests/agreement/test_schedules.py", what="first step of exponential_range at 0.1"),
    Check("convolution", "receptive_field", {"k": 5}, _receptive_field,
          "tests/agreement/test_convolution.py",
          what="extent of a back-propagated one-hot gradient"),
    Check("implicit_bias", "rmsprop_counterexample", {}, _rmsprop_limit,
          "tests/agreement/test_implicit_bias.py", pick=lambda v: v[1][0],
          what="w_1 where RMSProp (eps 1e-10) stops on x = [2, 1], t = 2"),
)
