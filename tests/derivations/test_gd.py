"""The gd topic's results against textbook closed forms, compared symbolically."""
import pytest
import sympy as sp

from derivations import gd

CLOSED_FORMS = {
    "update_factor": 1 - 2 * gd.eta * gd.sigma**2,
    "closed_form_iterate": gd.y / gd.sigma
    + (1 - 2 * gd.eta * gd.sigma**2) ** gd.t * (gd.w_0 - gd.y / gd.sigma),
    "largest_stable_learning_rate_2d": 1 / gd.sigma_L**2,
    "optimal_learning_rate": 1 / (gd.sigma_L**2 + gd.sigma_S**2),
    "optimal_rate": (gd.sigma_L**2 - gd.sigma_S**2) / (gd.sigma_L**2 + gd.sigma_S**2),
    "proximal_step": gd.w_t - gd.g / gd.lam,
    "proximal_learning_rate": 1 / gd.lam,
    "condition_number_rate": (gd.kappa - 1) / (gd.kappa + 1),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_matches_closed_form(name):
    assert sp.simplify(gd.derive()[name].value - CLOSED_FORMS[name]) == 0


def test_stability_range_is_open_interval_up_to_one_over_sigma_squared():
    assert gd.derive()["stability_range"].value == sp.Interval.open(0, 1 / gd.sigma**2)


def test_stability_range_2d_is_the_sigma_L_range_and_its_end_is_not_called_stable():
    d = gd.derive()
    assert d["stability_range_2d"].value == sp.Interval.open(0, 1 / gd.sigma_L**2)
    assert "itself not stable" in d["largest_stable_learning_rate_2d"].statement


def test_iterations_to_tolerance_counts_whole_steps():
    value = gd.derive(eta=sp.Rational(1, 4), sigma=1, epsilon=sp.Rational(1, 1000))[
        "iterations_to_tolerance"].value
    # |1 - 2 eta sigma^2| = 1/2: 2^-9 > 1e-3 >= 2^-10
    assert value == 10


def test_faster_direction_switches_at_the_optimal_rate():
    derivation = gd.derive()
    assert derivation["large_direction_faster_range"].value.end == derivation[
        "optimal_learning_rate"].value


def test_every_result_has_steps():
    assert all(result.steps for result in gd.derive().results)


def test_constraint_between_singular_values_is_enforced():
    with pytest.raises(ValueError, match=r"sigma_S == 3, sigma_L == 1 violate .*sigma_S < sigma_L"):
        gd.derive(sigma_S=3, sigma_L=1)


def test_intermediate_directions_do_not_change_the_worst_factor():
    # cs182 1(f): |1 - 2 eta sigma^2| is convex in sigma^2, so its maximum over the range is
    # at sigma_S or sigma_L, whatever eta
    value = gd.derive()["intermediate_directions"].value
    expected = sp.Max(sp.Abs(1 - 2 * gd.eta * gd.sigma_S**2), sp.Abs(1 - 2 * gd.eta * gd.sigma_L**2))
    assert value == expected
