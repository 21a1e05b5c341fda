"""gd: the derived results against simulated gradient descent."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, strategies as st
from scipy.optimize import minimize_scalar

from derivations import gd
from numerics.optim import sgd
from numerics.recurrences import empirical_rate, iterate, least_squares_gradient

DERIVED = gd.derive()
positive = st.floats(0.2, 3.0)
fraction = st.floats(0.05, 0.95)


def numeric(name, *symbols):
    return sp.lambdify(symbols, DERIVED[name].value, "numpy")


@given(sigma=positive, y=st.floats(-3, 3), w0=st.floats(-3, 3), eta_fraction=fraction,
       steps=st.integers(1, 30))
def test_closed_form_iterate_matches_the_simulation(sigma, y, w0, eta_fraction, steps):
    eta = eta_fraction / sigma**2
    path = iterate(sgd(eta), least_squares_gradient([[sigma]], [y]), [w0], steps)
    closed = numeric("closed_form_iterate", gd.eta, gd.sigma, gd.y, gd.w_0, gd.t)
    assert path[-1, 0] == pytest.approx(closed(eta, sigma, y, w0, steps), rel=1e-9, abs=1e-9)


@given(sigma=positive, where=st.one_of(st.floats(0.05, 0.95), st.floats(1.05, 1.5)))
def test_stability_range_is_where_the_simulation_converges(sigma, where):
    edge = float(DERIVED["stability_range"].value.end.subs(gd.sigma, sigma))
    path = iterate(sgd(where * edge), least_squares_gradient([[sigma]], [1.0]), [0.0], 400)
    error = np.abs(path[:, 0] - 1.0 / sigma)
    assert (error[-1] < error[0] * 1e-3) == (where < 1)


@given(sigma=positive, eta_fraction=st.floats(0.05, 0.95).filter(lambda f: abs(f - 0.5) > 0.02),
       epsilon=st.floats(1e-6, 0.5))
def test_iterations_to_tolerance_is_the_first_step_within_tolerance(sigma, eta_fraction, epsilon):
    eta = eta_fraction / sigma**2
    count = int(numeric("iterations_to_tolerance", gd.eta, gd.sigma, gd.epsilon)(eta, sigma, epsilon))
    path = iterate(sgd(eta), least_squares_gradient([[sigma]], [1.0]), [0.0], count + 1)
    relative = np.abs(path[:, 0] - 1 / sigma) * sigma
    assume(np.all(np.abs(relative - epsilon) > 1e-9 * epsilon))  # no step on the boundary itself
    assert relative[count] <= epsilon < relative[count - 1] if count else relative[0] <= epsilon


@given(sigma_S=st.floats(0.2, 1.0), ratio=st.floats(1.2, 5.0), nudge=st.floats(0.02, 0.3),
       sign=st.sampled_from([-1, 1]))
def test_optimal_learning_rate_beats_nearby_rates(sigma_S, ratio, nudge, sign):
    sigma_L = sigma_S * ratio
    gradient = least_squares_gradient(np.diag([sigma_L, sigma_S]), [1.0, 1.0])
    minimiser = np.array([1 / sigma_L, 1 / sigma_S])
    best = numeric("optimal_learning_rate", gd.sigma_L, gd.sigma_S)(sigma_L, sigma_S)

    derived = numeric("optimal_rate", gd.sigma_L, gd.sigma_S)(sigma_L, sigma_S)
    steps = max(8, int(np.log(1e-9) / np.log(derived)))  # stop well above rounding error

    def rate(eta):
        path = iterate(sgd(eta), gradient, [0.0, 0.0], steps)
        return empirical_rate(np.linalg.norm(path - minimiser, axis=1), burn_in=steps // 4)

    assert rate(best) == pytest.approx(derived, rel=1e-6)
    assert rate(best * (1 + sign * nudge)) > rate(best)


@given(sigma_S=st.floats(0.2, 1.0), ratio=st.floats(1.1, 4.0))
def test_largest_stable_rate_2d_separates_convergence_from_divergence(sigma_S, ratio):
    sigma_L = sigma_S * ratio
    edge = float(DERIVED["largest_stable_learning_rate_2d"].value.subs(gd.sigma_L, sigma_L))
    gradient = least_squares_gradient(np.diag([sigma_L, sigma_S]), [1.0, 1.0])
    inside = iterate(sgd(0.97 * edge), gradient, [0.0, 0.0], 300)
    outside = iterate(sgd(1.03 * edge), gradient, [0.0, 0.0], 300)
    minimiser = np.array([1 / sigma_L, 1 / sigma_S])
    assert np.linalg.norm(inside[-1] - minimiser) < np.linalg.norm(minimiser)
    assert np.linalg.norm(outside[-1] - minimiser) > np.linalg.norm(minimiser)


@given(sigma_S=st.floats(0.2, 1.0), ratio=st.floats(1.1, 4.0),
       where=st.sampled_from([0.03, 0.97, 1.03]))
def test_stability_range_2d_is_where_both_directions_converge(sigma_S, ratio, where):
    # At 3% of the edge the slower direction's factor is at most 1 - 0.06/16: 300 steps take
    # it below 0.33; at 103% the sigma_L factor is -1.06 and grows (eta > 0 is the model's).
    sigma_L = sigma_S * ratio
    stable = DERIVED["stability_range_2d"].value.subs(gd.sigma_L, sigma_L)
    eta = where / sigma_L**2
    gradient = least_squares_gradient(np.diag([sigma_L, sigma_S]), [1.0, 1.0])
    minimiser = np.array([1 / sigma_L, 1 / sigma_S])
    error = np.linalg.norm(iterate(sgd(eta), gradient, [0.0, 0.0], 300)[-1] - minimiser)
    assert (error < np.linalg.norm(minimiser)) == bool(stable.contains(eta))


@given(mu=st.floats(0.1, 1.0), kappa=st.floats(1.5, 50.0), seed=st.integers(0, 2**32 - 1))
def test_condition_number_rate_is_the_spectral_radius_of_gd(mu, kappa, seed):
    rng = np.random.default_rng(seed)
    L = kappa * mu
    curvatures = np.concatenate([[mu, L], rng.uniform(mu, L, size=4)])
    rotation, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    hessian = rotation @ np.diag(curvatures) @ rotation.T
    eta = 2 / (mu + L)
    radius = np.abs(np.linalg.eigvals(np.eye(6) - eta * hessian)).max()
    assert radius == pytest.approx(float(numeric("condition_number_rate", gd.kappa)(kappa)), rel=1e-9)


@given(w_t=st.floats(-3, 3), g=st.floats(-3, 3), lam=st.floats(0.1, 10))
def test_proximal_step_minimises_the_model(w_t, g, lam):
    found = minimize_scalar(lambda w: g * (w - w_t) + lam / 2 * (w - w_t) ** 2).x
    derived = numeric("proximal_step", gd.w_t, gd.g, gd.lam)(w_t, g, lam)
    assert found == pytest.approx(derived, abs=1e-6)
    assert w_t - numeric("proximal_learning_rate", gd.lam)(lam) * g == pytest.approx(derived)


@given(sigma_S=st.floats(0.2, 1.0), ratio=st.floats(1.2, 4.0), eta_fraction=st.floats(0.05, 1.5),
       seed=st.integers(0, 2**32 - 1))
def test_intermediate_directions_never_set_the_worst_factor(sigma_S, ratio, eta_fraction, seed):
    sigma_L = sigma_S * ratio
    eta = eta_fraction / sigma_L**2
    inner = np.random.default_rng(seed).uniform(sigma_S, sigma_L, size=20)
    factors = np.abs(1 - 2 * eta * inner**2)
    worst = float(numeric("intermediate_directions", gd.eta, gd.sigma_L, gd.sigma_S)(
        eta, sigma_L, sigma_S))
    assert factors.max() <= worst * (1 + 1e-12)
