"""numerics.method: iteration, bisection and grids against closed forms written here."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.method import (iterate_method, measured_rate, radius_grid, random_state_space,
                             stability_edge, state_space, transition_matrix)


@given(alpha=st.floats(0.01, 2.0), h=st.floats(0.1, 3.0), steps=st.integers(0, 30))
def test_gd_iterates_are_powers_of_one_minus_alpha_h(alpha, h, steps):
    path = iterate_method(state_space("gd", alpha=alpha), [h], [[1.0]], steps)
    factor = 1 - alpha * h
    # Each step rounds x - alpha h x: a relative error of at most a few eps (1 + alpha h)/|factor|
    # (cancellation when alpha h is near 1), adding up over the steps.
    bound = 4 * (steps + 1) * np.finfo(float).eps * (1 + alpha * h) / max(abs(factor), 1e-300)
    np.testing.assert_allclose(path[:, 0], factor ** np.arange(steps + 1),
                               rtol=max(bound, 1e-15), atol=1e-300)


@given(seed=st.integers(0, 2**32 - 1), states=st.integers(1, 4), h=st.floats(0.1, 3.0))
def test_iteration_applies_the_transition_matrix(seed, states, h):
    rng = np.random.default_rng(seed)
    space = random_state_space(rng, states)
    start = rng.standard_normal((states, 1))
    path = iterate_method(space, [h], start, 5)
    expected = [(np.linalg.matrix_power(transition_matrix(space, h), k) @ start)[space.iterate, 0]
                for k in range(6)]
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-9, atol=1e-9)


@given(h=st.floats(0.1, 5.0), m=st.floats(0.0, 0.95))
def test_bisection_finds_the_heavy_ball_edge(h, m):
    def matrix(alpha):
        return transition_matrix(state_space("heavy_ball", alpha=alpha, m=m), h)
    # Polyak: stable exactly for 0 < alpha h < 2 (1 + m); bisection to 1e-12 relative
    assert stability_edge(matrix, 10 * (1 + m) / h) == pytest.approx(2 * (1 + m) / h, rel=1e-10)


def test_measured_rate_of_a_complex_pair_is_its_modulus():
    # heavy ball with alpha h = 1, m = 1/4: complex roots of modulus sqrt(m) = 1/2
    assert measured_rate(state_space("heavy_ball", alpha=1.0, m=0.25), 1.0) == pytest.approx(0.5, rel=1e-3)


def test_radius_grid_takes_the_worst_curvature():
    grid = radius_grid("heavy_ball", "alpha", [0.1, 1.0], "m", [0.0, 0.25], np.array([0.5, 3.0]))
    # m = 0 is gd: the worst of |1 - alpha h| over h in {0.5, 3}, so 0.95 and 2 at alpha = 0.1, 1
    assert grid.shape == (2, 2)
    assert grid[0] == pytest.approx([0.95, 2.0])


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="name == 'nope' is not a built-in method"):
        state_space("nope")
    with pytest.raises(ValueError, match="high == 0.5 is still stable"):
        stability_edge(lambda a: transition_matrix(state_space("gd", alpha=a), 1.0), 0.5)
    with pytest.raises(FloatingPointError, match="non-finite at step"):
        iterate_method(state_space("gd", alpha=1e200), [1e200], [[1e200]], 5)
