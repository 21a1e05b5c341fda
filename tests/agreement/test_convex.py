"""convex: the derived identity and bounds against vector sequences and subgradient descent."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st
from scipy.optimize import minimize_scalar

from derivations import convex as cv
from numerics.convex import absolute_deviation_minimiser, average_iterate, mean_absolute_deviation

DERIVED = cv.derive()
D, G, P, t, T = cv.D, cv.G, cv.P, cv.t, cv.T
identity_rhs = sp.lambdify((D(t), D(t + 1), G(t), cv.eta),
                           DERIVED["three_point_identity"].value.rhs)
regret_rhs = sp.lambdify((D(1), G, cv.eta, T), DERIVED["regret_bound"].value.rhs)
gap_bound = sp.lambdify((cv.B, cv.rho, cv.eta, T), DERIVED["average_iterate_bound"].value.rhs)
best_rate = sp.lambdify((cv.B, cv.rho, T), DERIVED["optimal_fixed_learning_rate"].value)
rate = sp.lambdify((cv.B, cv.rho, T), DERIVED["rate"].value)
seeds = st.integers(0, 2**32 - 1)
etas = st.floats(1e-3, 10.0)


def squared(v):
    return float(v @ v)


@given(seed=seeds, dim=st.integers(1, 8), eta=etas, scale=st.floats(1e-3, 1e3))
def test_random_vectors_satisfy_the_three_point_identity(seed, dim, eta, scale):
    rng = np.random.default_rng(seed)
    w_t, w_star, v_t = scale * rng.standard_normal((3, dim))
    w_next = w_t - eta * v_t
    inner = float((w_t - w_star) @ v_t)
    derived = identity_rhs(squared(w_t - w_star), squared(w_next - w_star), squared(v_t), eta)
    size = squared(w_t - w_star) / eta + eta * squared(v_t)   # the terms' magnitude
    assert inner == pytest.approx(derived, abs=1e-12 * size)


@given(seed=seeds, dim=st.integers(1, 5), steps=st.integers(1, 40), eta=etas)
def test_any_vector_sequence_from_zero_keeps_the_regret_bound(seed, dim, steps, eta):
    rng = np.random.default_rng(seed)
    vs = rng.standard_normal((steps, dim)) * rng.uniform(0.1, 3.0, (steps, 1))
    w_star = 3 * rng.standard_normal(dim)
    # w_1 = 0 and w_{t+1} = w_t - eta v_t
    ws = np.vstack([np.zeros(dim), -eta * np.cumsum(vs, axis=0)])
    regret = float(np.sum((ws[:-1] - w_star) * vs))
    bound = regret_rhs(squared(w_star), lambda k: squared(vs[k - 1]), eta, steps)
    # the telescoped sum is exact; the bound only drops ||w_{T+1} - w^*||^2 / (2 eta)
    dropped = squared(ws[-1] - w_star) / (2 * eta)
    assert regret == pytest.approx(bound - dropped, rel=1e-9, abs=1e-9)
    assert regret <= bound * (1 + 1e-12)


def random_problem(seed, rows, dim):
    rng = np.random.default_rng(seed)
    A, b = rng.standard_normal((rows, dim)), 2 * rng.standard_normal(rows)
    f, subgradient, lipschitz = mean_absolute_deviation(A, b)
    w_star = absolute_deviation_minimiser(A, b)
    return f, subgradient, lipschitz, w_star


@given(seed=seeds, rows=st.integers(2, 20), dim=st.integers(1, 4), eta=st.floats(1e-3, 1.0),
       steps=st.integers(1, 200))
def test_average_iterate_of_subgradient_descent_stays_under_the_bound(seed, rows, dim, eta, steps):
    f, subgradient, lipschitz, w_star = random_problem(seed, rows, dim)
    w_bar, _, vs = average_iterate(subgradient, np.zeros(dim), eta, steps)
    assert np.linalg.norm(vs, axis=1).max() <= lipschitz * (1 + 1e-12)
    B = np.linalg.norm(w_star)
    assert f(w_bar) - f(w_star) <= gap_bound(B, lipschitz, eta, steps) + 1e-9


@given(seed=seeds, rows=st.integers(2, 20), dim=st.integers(1, 4),
       steps=st.sampled_from([4, 16, 64, 256]))
def test_the_optimal_fixed_rate_achieves_the_derived_rate(seed, rows, dim, steps):
    f, subgradient, lipschitz, w_star = random_problem(seed, rows, dim)
    B = max(np.linalg.norm(w_star), 1e-3)
    eta = best_rate(B, lipschitz, steps)
    numeric = minimize_scalar(lambda e: gap_bound(B, lipschitz, e, steps),
                              bounds=(eta / 100, eta * 100), method="bounded",
                              options={"xatol": 1e-10 * eta}).x
    assert numeric == pytest.approx(eta, rel=1e-4)
    assert gap_bound(B, lipschitz, eta, steps) == pytest.approx(rate(B, lipschitz, steps),
                                                                rel=1e-12)
    w_bar, _, _ = average_iterate(subgradient, np.zeros(dim), eta, steps)
    assert f(w_bar) - f(w_star) <= rate(B, lipschitz, steps) + 1e-9


def test_the_bound_is_not_vacuous_for_a_one_dimensional_absolute_value():
    # f(w) = |w - 1|: B = rho = 1, and with eta = 1/sqrt(T) the gap is near the bound's scale
    f, subgradient, lipschitz = mean_absolute_deviation([[1.0]], [1.0])
    steps = 100
    w_bar, _, _ = average_iterate(subgradient, np.zeros(1), best_rate(1.0, 1.0, steps), steps)
    gap = f(w_bar) - f(np.ones(1))
    assert 0.1 * rate(1.0, 1.0, steps) < gap <= rate(1.0, 1.0, steps)
