"""noise: derived expectations against Monte Carlo over many independent noisy runs.

Every comparison uses a 5-standard-error band around the Monte Carlo mean."""
import numpy as np
import sympy as sp
from hypothesis import assume, given, strategies as st

from derivations import noise as theory
from numerics.montecarlo import mean_and_band, noisy_squared_loss, sgd_with_input_noise

DERIVED = theory.derive()
x, y, sigma, eta, mu_t = theory.x, theory.y, theory.sigma, theory.eta, theory.mu_t
objective = sp.lambdify((theory.X, theory.w, theory.Y, sigma, theory.m, theory.n),
                        DERIVED["expected_objective"].value)
mean_step = sp.lambdify((mu_t, eta, x, y, sigma), DERIVED["expected_update"].value)
limit = sp.lambdify((x, y, sigma), DERIVED["limit"].value)
shrinkage = sp.lambdify((x, sigma), DERIVED["shrinkage_factor"].value)

seeds = st.integers(0, 2**32 - 1)
inputs = st.floats(0.5, 2.0).flatmap(lambda v: st.sampled_from([v, -v]))
noise_levels = st.floats(0.1, 1.5)
targets = st.floats(-2.0, 2.0)


def fourth_moment(clean, scale):
    """E[(x + N)^4] for N ~ N(0, scale^2) (textbook Gaussian moments)."""
    return clean**4 + 6 * clean**2 * scale**2 + 3 * scale**4


@given(seed=seeds, m=st.integers(1, 5), d=st.integers(1, 4), scale=noise_levels)
def test_expected_objective_is_the_monte_carlo_average(seed, m, d, scale):
    rng = np.random.default_rng(seed)
    X, w, t = rng.normal(size=(m, d)), rng.normal(size=d), rng.normal(size=m)
    mean, band = mean_and_band(noisy_squared_loss(X, t, w, scale, 20000, rng))
    assert abs(mean - objective(X, w, t, scale, m, d)) <= band + 1e-12


@given(seed=seeds, clean=inputs, target=targets, scale=noise_levels,
       fraction=st.floats(0.1, 0.9), start=st.floats(-3.0, 3.0))
def test_expected_update_follows_the_monte_carlo_mean_step_by_step(seed, clean, target, scale,
                                                                   fraction, start):
    rate = fraction * 2 * (clean**2 + scale**2) / fourth_moment(clean, scale)  # finite variance
    paths = sgd_with_input_noise(clean, target, scale, rate, 20, 20000,
                                 np.random.default_rng(seed), w0=start)
    means, bands = mean_and_band(paths, axis=1)
    predicted = [start]
    for _ in range(20):
        predicted.append(mean_step(predicted[-1], rate, clean, target, scale))
    assert np.all(np.abs(means - predicted) <= bands + 1e-12)


@given(seed=seeds, clean=inputs, scale=noise_levels, rate=st.floats(0.01, 4.0))
def test_stability_range_is_where_the_mean_contracts(seed, clean, scale, rate):
    # Common random numbers: the same noise from two starts isolates the mean's factor.
    one, zero = (sgd_with_input_noise(clean, 0.0, scale, rate, 1, 20000,
                                      np.random.default_rng(seed), w0=start)[1]
                 for start in (1.0, 0.0))
    factor, band = mean_and_band(one - zero)
    assume(abs(abs(factor) - 1) > band)  # the simulation must decide
    interval = DERIVED["stability_range"].value.subs({x: clean, sigma: scale})
    inside = interval.contains(sp.Float(rate)) == sp.true
    assert inside == (abs(factor) < 1)


@given(seed=seeds, clean=inputs, target=targets, scale=noise_levels,
       fraction=st.floats(0.3, 0.9))
def test_monte_carlo_sgd_average_converges_to_the_shrunk_limit(seed, clean, target, scale,
                                                               fraction):
    rate = fraction * 2 * (clean**2 + scale**2) / fourth_moment(clean, scale)
    final = sgd_with_input_noise(clean, target, scale, rate, 200, 20000,
                                 np.random.default_rng(seed))[-1]
    mean, band = mean_and_band(final)
    assert abs(mean - limit(clean, target, scale)) <= band + 1e-12
    noise_free = target / clean
    assume(abs(noise_free) > 0.1)
    assert abs(mean / noise_free - shrinkage(clean, scale)) <= band / abs(noise_free)
