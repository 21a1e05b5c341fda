"""momentum: the derived results against simulated momentum and numeric spectra."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, strategies as st

from derivations import momentum as mo
from numerics.optim import heavy_ball, momentum_ema
from numerics.recurrences import (empirical_rate, iterate, least_squares_gradient,
                                  piecewise_linear_gradient)
from numerics.spectra import momentum_matrix, momentum_spectral_radius

DERIVED = mo.derive()
betas = st.floats(0.05, 1.0)
sigmas = st.floats(0.3, 3.0)


def numeric(name, *symbols):
    return sp.lambdify(symbols, DERIVED[name].value, "numpy")


def derived_eigenvalues(eta, beta, sigma):
    roots = [sp.lambdify((mo.eta, mo.beta, mo.sigma), r, "numpy")
             for r in DERIVED["eigenvalues"].value.args]
    return np.array([complex(r(complex(eta), complex(beta), complex(sigma))) for r in roots])


@given(eta=st.floats(0.01, 3.0), beta=betas, sigma=sigmas)
def test_recurrence_matrix_is_the_simulated_one(eta, beta, sigma):
    derived = np.array(numeric("recurrence_matrix", mo.eta, mo.beta, mo.sigma)(eta, beta, sigma),
                       dtype=float)
    np.testing.assert_allclose(derived, momentum_matrix(eta, beta, sigma), rtol=1e-12, atol=1e-12)


@given(eta=st.floats(0.01, 3.0), beta=betas, sigma=sigmas)
def test_derived_eigenvalues_are_numpys(eta, beta, sigma):
    numpy_eigenvalues = np.sort_complex(np.linalg.eigvals(momentum_matrix(eta, beta, sigma)))
    derived = np.sort_complex(derived_eigenvalues(eta, beta, sigma))
    np.testing.assert_allclose(derived, numpy_eigenvalues, rtol=1e-7, atol=1e-7)


@given(beta=st.floats(0.05, 0.95), sigma=sigmas, where=st.floats(0.05, 0.95))
def test_complex_regime_has_complex_eigenvalues_of_the_derived_modulus(beta, sigma, where):
    interval = DERIVED["complex_eigenvalue_range"].value.subs({mo.beta: beta, mo.sigma: sigma})
    eta = float(interval.start + where * (interval.end - interval.start))
    eigenvalues = np.linalg.eigvals(momentum_matrix(eta, beta, sigma))
    assert np.all(np.abs(eigenvalues.imag) > 0)
    modulus = float(DERIVED["complex_eigenvalue_modulus"].value.subs(mo.beta, beta))
    np.testing.assert_allclose(np.abs(eigenvalues), modulus, rtol=1e-9)


@given(beta=st.floats(0.05, 0.95), sigma=sigmas, eta=st.floats(0.01, 5.0))
def test_real_regime_is_where_numpy_finds_real_eigenvalues(beta, sigma, eta):
    real_range = DERIVED["real_eigenvalue_range"].value.subs({mo.beta: beta, mo.sigma: sigma})
    edges = [float(e) for e in DERIVED["repeated_eigenvalue_learning_rates"].value.subs(
        {mo.beta: beta, mo.sigma: sigma})]
    assume(min(abs(eta - e) for e in edges) > 1e-3 * eta)
    eigenvalues = np.linalg.eigvals(momentum_matrix(eta, beta, sigma))
    assert bool(real_range.contains(eta)) == bool(np.all(np.abs(eigenvalues.imag) < 1e-12))


@given(beta=betas, sigma=sigmas, where=st.one_of(st.floats(0.05, 0.9), st.floats(1.1, 1.6)))
def test_stability_range_is_where_the_simulation_converges(beta, sigma, where):
    edge = float(DERIVED["stability_range"].value.end.subs({mo.beta: beta, mo.sigma: sigma}))
    try:
        path = iterate(momentum_ema(where * edge, beta), least_squares_gradient([[sigma]], [1.0]),
                       [0.0], 600)
    except FloatingPointError:  # overflowed: diverged
        converged = False
    else:
        error = np.abs(path[:, 0] - 1 / sigma)
        converged = bool(error[-50:].max() < 1e-3 * error[0])
    assert converged == (where < 1)


@given(eta=st.floats(0.01, 2.0), beta=st.floats(0.1, 1.0), sigma=sigmas)
def test_long_run_contracts_at_the_derived_spectral_radius(eta, beta, sigma):
    eigenvalues = derived_eigenvalues(eta, beta, sigma)
    moduli = np.sort(np.abs(eigenvalues))
    radius = float(moduli[-1])
    assume(0.3 < radius < 0.98)
    # The slowest mode must dominate within the run: a complex pair (equal moduli) or two
    # real modes of clearly different size, not the near-repeated root between them.
    assume(moduli[0] > radius * (1 - 1e-9) or moduli[0] < 0.9 * radius)
    # The max over a window of one oscillation period follows the envelope of a complex
    # pair. Starting 1e100 away (the recurrence is linear), the error has over 100 orders of
    # magnitude to fall before rounding, so the run is long enough for a precise rate.
    angle = float(np.abs(np.angle(eigenvalues)).max())
    window = int(np.ceil(2 * np.pi / angle)) + 1 if angle > 1e-9 else 1
    steps = int(np.log(1e-110) / np.log(radius))
    burn_in = steps // 5
    assume(steps - burn_in >= 4 * window)
    path = iterate(momentum_ema(eta, beta), least_squares_gradient([[sigma]], [1.0]), [1e100], steps)
    error = np.abs(path[:, 0] - 1 / sigma)
    assert empirical_rate(error, burn_in=burn_in, window=window) == pytest.approx(radius, rel=0.02)


@given(seed=st.integers(0, 2**32 - 1), nudge=st.floats(0.03, 0.3),
       which=st.sampled_from(["eta", "beta"]), sign=st.sampled_from([-1, 1]))
def test_optimal_tuning_beats_nearby_tunings_on_a_random_problem(seed, nudge, which, sign):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((12, 5))
    singular_values = np.linalg.svd(X, compute_uv=False)
    bounds = {mo.sigma_min: singular_values.min(), mo.sigma_max: singular_values.max()}
    best = {"eta": float(DERIVED["optimal_learning_rate"].value.subs(bounds)),
            "beta": float(DERIVED["optimal_beta"].value.subs(bounds))}
    nearby = dict(best)
    nearby[which] *= 1 + sign * nudge
    assume(nearby["beta"] <= 1)

    def worst_radius(eta, beta):
        return momentum_spectral_radius(eta, beta, singular_values).max()

    assert worst_radius(**best) == pytest.approx(float(DERIVED["optimal_rate"].value.subs(bounds)),
                                                 rel=1e-6)
    assert worst_radius(**nearby) > worst_radius(**best)
    y = rng.standard_normal(12)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    gradient = least_squares_gradient(X, y)
    errors = {label: np.linalg.norm(iterate(momentum_ema(**params), gradient, np.zeros(5), 300)[-1]
                                    - w_star) for label, params in (("best", best), ("nearby", nearby))}
    assume(errors["nearby"] > 1e-12)
    assert errors["best"] < errors["nearby"] * 10  # transients aside, the best is not worse


@given(eta=st.floats(0.01, 2.0), beta=betas, seed=st.integers(0, 2**32 - 1))
def test_ema_form_is_the_classical_heavy_ball_under_the_derived_map(eta, beta, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    alpha_eq, m_eq = DERIVED["heavy_ball_equivalence"].value.args
    values = {mo.eta: eta, mo.beta: beta}
    alpha, m = float(alpha_eq.rhs.subs(values)), float(m_eq.rhs.subs(values))
    gradient = least_squares_gradient(X, y)
    try:
        ema = iterate(momentum_ema(eta, beta), gradient, np.zeros(3), 40)
        classical = iterate(heavy_ball(alpha, m), gradient, np.zeros(3), 40)
    except FloatingPointError:
        assume(False)
    np.testing.assert_allclose(ema, classical, rtol=1e-9, atol=1e-9 * np.abs(ema).max())


def test_iterating_the_cycle_map_returns_to_its_start():
    alpha, m = (float(v) for v in DERIVED["nonquadratic_cycle"].steps[1].expr)
    gradient = piecewise_linear_gradient([1, 2], [25, 1, 25], [0, 24, -24])
    for cycle in DERIVED["nonquadratic_cycle"].value.args:
        x1, x2, x3 = (float(v) for v in cycle)
        previous, current = x3, x1
        visited = []
        for _ in range(9):
            previous, current = current, current - alpha * gradient(current) + m * (current - previous)
            visited.append(current)
        np.testing.assert_allclose(visited, [x2, x3, x1] * 3, rtol=1e-9)


def test_iterations_from_rest_are_the_simulated_settling_times():
    # X = diag(sqrt 5, sqrt(1/20)) and y = 0 (w* = 0): each coordinate is one of the sheet's
    # directions, started at 1 with the momentum buffer at rest. 3000 steps take every error
    # below 1e-12 of its start (rho <= 0.99^3000 ~ 1e-13 after the transient), far from 1/200.
    from numerics.optim import sgd
    from numerics.recurrences import settling_time
    gradient = least_squares_gradient(np.diag([np.sqrt(5), np.sqrt(0.05)]), [0.0, 0.0])
    optimizers = (sgd(20 / 101), momentum_ema(1.0, 40 / 121), momentum_ema(1.0, 0.1))
    simulated = tuple(max(settling_time(np.abs(path[:, k]), 1 / 200) for k in range(2))
                      for path in (iterate(o, gradient, [1.0, 1.0], 3000) for o in optimizers))
    assert tuple(int(T) for T in DERIVED["iterations_from_rest_2g"].value) == simulated
