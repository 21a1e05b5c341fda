"""schedules: the derived Piecewise, finder count and effective rate against numerics."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from derivations import schedules as theory
from numerics.optim import sgd
from numerics.recurrences import iterate
from numerics.schedules import DEFAULT_T, cosine_warmup, exponential_range

DERIVED = theory.derive()
schedule = sp.lambdify((theory.t, theory.eta_max, theory.T), DERIVED["cosine_warmup"].value,
                       "numpy")


@pytest.mark.parametrize("eta_max", [0.1, 0.37])
def test_piecewise_matches_the_vectorised_schedule_at_every_integer_step(eta_max):
    steps = np.arange(DEFAULT_T + 1)
    np.testing.assert_allclose(schedule(steps, eta_max, DEFAULT_T),
                               cosine_warmup(eta_max)(steps), rtol=1e-13, atol=1e-15)


@given(eta_max=st.floats(1e-4, 2.0), T=st.integers(5, 3000))
def test_piecewise_matches_for_any_horizon(eta_max, T):
    steps = np.arange(T + 1)
    np.testing.assert_allclose(schedule(steps, eta_max, T), cosine_warmup(eta_max, T=T)(steps),
                               rtol=1e-13, atol=1e-15)


@given(eta_max=st.floats(1e-4, 2.0), T=st.integers(5, 10**6))
def test_boundary_jump_is_the_simulated_one(eta_max, T):
    eta = cosine_warmup(eta_max, T=T)
    boundary = T / 5
    jump = eta(boundary) - eta(boundary + 1e-9 * T)  # the cosine barely moves in 1e-9 T
    assert jump == pytest.approx(float(DERIVED["warmup_boundary_jump"].value), abs=1e-12)


count = DERIVED["lr_finder_steps"].value


@given(exponent=st.floats(-4.9, 1.0))
def test_finder_count_is_where_the_finder_first_reaches_the_target(exponent):
    target = 10.0**exponent
    k = int(count.subs(theory.eta_target, sp.Rational(target)))
    finder = exponential_range()
    assert finder(k) >= target * (1 - 1e-12)
    assert k == 0 or finder(k - 1) < target


@given(eta=st.floats(0.001, 0.1), rho=st.floats(0.0, 0.95), g=st.floats(-3.0, 3.0))
def test_momentum_step_tends_to_the_effective_rate(eta, rho, g):
    steps = 60 + int(40 / (1 - rho))
    path = iterate(sgd(eta, momentum=rho), lambda w: np.array([g]), np.zeros(1), steps)
    effective = float(DERIVED["effective_learning_rate"].value.subs({theory.eta: eta,
                                                                     theory.rho: rho}))
    assert path[-1, 0] - path[-2, 0] == pytest.approx(-effective * g, rel=1e-6, abs=1e-12)


@given(eta=st.floats(0.001, 0.1), g=st.floats(0.1, 3.0))
def test_interchangeable_pairs_share_the_steady_step_not_the_transient(eta, g):
    (eta_a, rho_a), (eta_b, rho_b) = DERIVED["interchangeable_pairs"].value
    steps = []
    for rate, momentum in ((eta_a, rho_a), (eta_b, rho_b)):
        path = iterate(sgd(float(rate.subs(theory.eta, eta)), momentum=float(momentum)),
                       lambda w: np.array([g]), np.zeros(1), 400)
        steps.append(np.diff(path[:, 0]))
    assert steps[0][-1] == pytest.approx(steps[1][-1], rel=1e-9)
    assert abs(steps[0][0] - steps[1][0]) > eta * g  # the first steps differ 5-fold
