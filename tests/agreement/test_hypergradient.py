"""hypergradient: derived one-step formulas against forward-mode derivatives of GD runs,
finite differences, a scalar minimiser and the tape of reverse mode."""
import functools
import tracemalloc

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st
from scipy.optimize import minimize_scalar

from derivations import hypergradient as theory
from numerics.autodiff import Dual, Var, gd_loss
from numerics.finite_differences import gradient as fd_gradient

DERIVED = theory.derive()
SCALARS = (theory.eta, theory.n, theory.p, theory.q, theory.r)
loss_1 = sp.lambdify(SCALARS, DERIVED["one_step_loss"].value)
slope_1 = sp.lambdify(SCALARS, sp.diff(DERIVED["one_step_loss"].value, theory.eta))
curvature_1 = sp.lambdify(SCALARS, DERIVED["one_step_loss_convexity"].value)
best_rate = sp.lambdify(SCALARS[1:], DERIVED["optimal_learning_rate"].value)


def problem(seed, n, dim):
    rng = np.random.default_rng(seed)
    X, t, w0 = rng.normal(size=(n, dim)), rng.normal(size=n), rng.normal(size=dim)
    a = X @ w0 - t
    u = X @ (X.T @ a)
    return X, t, w0, (a @ a, np.sum((X.T @ a) ** 2), u @ u)


shapes = dict(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), dim=st.integers(1, 6))


@given(**shapes, eta=st.floats(0.001, 0.5))
def test_one_step_weights_and_loss(seed, n, dim, eta):
    X, t, w0, pqr = problem(seed, n, dim)
    weights = sp.lambdify((theory.X, theory.t, theory.w_0, theory.eta, theory.n),
                          DERIVED["one_step_weights"].value)
    entry = sp.lambdify((theory.j, sp.IndexedBase("X"), sp.IndexedBase("t"), sp.IndexedBase("w_0"),
                         theory.eta, theory.n, theory.d), DERIVED["one_step_weights"].steps[-1].expr.rhs)
    stepped = w0 - eta * 2 / n * X.T @ (X @ w0 - t)
    assert np.ravel(weights(X, t[:, None], w0[:, None], eta, n)) == pytest.approx(stepped, rel=1e-10)
    assert [entry(k, X, t, w0, eta, n, dim) for k in range(dim)] == pytest.approx(stepped, rel=1e-10)
    assert gd_loss(X, t, w0, eta, 1) == pytest.approx(loss_1(eta, n, *pqr), rel=1e-9, abs=1e-12)


@given(**shapes, eta=st.floats(0.001, 0.2), steps=st.integers(1, 8))
def test_forward_mode_derivative_against_finite_differences(seed, n, dim, eta, steps):
    X, t, w0, pqr = problem(seed, n, dim)
    derivative = float(gd_loss(X, t, w0, Dual(eta, 1.0), steps).tangent)
    central = fd_gradient(lambda e: gd_loss(X, t, w0, float(e[0]), steps), np.array([eta]),
                          step=1e-6, scheme="central")
    assert derivative == pytest.approx(float(np.ravel(central)[0]), rel=1e-5, abs=1e-7)
    if steps == 1:
        assert derivative == pytest.approx(slope_1(eta, n, *pqr), rel=1e-9, abs=1e-12)


@given(**shapes, eta=st.floats(0.001, 0.5))
def test_second_derivative_is_the_derived_nonnegative_curvature(seed, n, dim, eta):
    X, t, w0, pqr = problem(seed, n, dim)
    slope = lambda e: float(gd_loss(X, t, w0, Dual(e, 1.0), 1).tangent)
    h = 1e-4
    numeric = (slope(eta + h) - slope(eta - h)) / (2 * h)  # the slope is linear in eta: exact
    assert numeric == pytest.approx(curvature_1(eta, n, *pqr), rel=1e-6, abs=1e-9)
    assert curvature_1(eta, n, *pqr) >= 0


@given(**shapes)
def test_optimal_learning_rate_is_the_scalar_minimiser(seed, n, dim):
    X, t, w0, pqr = problem(seed, n, dim)
    eta_star = best_rate(n, *pqr)
    found = minimize_scalar(lambda e: gd_loss(X, t, w0, e, 1), bracket=(0.0, eta_star / 2 + 1e-3),
                            tol=1e-12).x
    assert found == pytest.approx(eta_star, rel=1e-5)
    assert float(gd_loss(X, t, w0, Dual(eta_star, 1.0), 1).tangent) == pytest.approx(0.0, abs=1e-9)


def peak_bytes(run):
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_forward_is_constant_and_backprop_linear_in_steps():
    X, t, w0, _ = problem(0, 4, 3)
    forward = [peak_bytes(lambda: gd_loss(X, t, w0, Dual(0.05, 1.0), T)) for T in (20, 200)]
    assert forward[1] < 1.5 * forward[0]  # O(1): the dual pair is all that is kept
    tapes = [len(gd_loss(X, t, w0, Var(0.05), T).tape()) for T in (10, 20, 40, 80)]
    growth = np.diff(tapes) / np.diff([10, 20, 40, 80])
    assert np.all(growth == growth[0]) and growth[0] > 0  # O(T): a fixed number of nodes per step
    backward = [peak_bytes(lambda: gd_loss(X, t, w0, Var(0.05), T).backward()) for T in (20, 200)]
    assert backward[1] > 5 * backward[0]


@functools.lru_cache(maxsize=None)
def step_jacobian(n, dim):
    """The derived Jacobian of one GD step on the regularised loss, sized n x dim, as numpy."""
    lt = sp.Symbol("lambdatilde", positive=True)
    derived = DERIVED["long_horizon_problem"].steps[1].expr.rhs.subs({theory.n: n, theory.d: dim})
    return sp.lambdify((theory.matrix_symbol("X", n, dim), theory.eta, lt), derived.doit())


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), dim=st.integers(1, 4),
       rate=st.floats(1e-3, 0.5), penalty=st.floats(0.0, 2.0))
def test_step_jacobian_is_the_finite_difference_jacobian_of_a_gd_step(seed, n, dim, rate, penalty):
    from numerics.finite_differences import jacobian as fd_jacobian
    X, t, w0, _ = problem(seed, n, dim)
    J = step_jacobian(n, dim)(X, rate, penalty)
    step = lambda w: w - rate * (2 / n * X.T @ (X @ w - t) + 2 * penalty * w)
    # the step is affine in w, so central differences are exact up to rounding: ~1e-10 relative
    measured = fd_jacobian(step, w0, step=1e-3, scheme="central")
    np.testing.assert_allclose(np.asarray(J, dtype=float), measured, rtol=1e-7, atol=1e-7)
