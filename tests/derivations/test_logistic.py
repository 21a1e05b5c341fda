"""The logistic topic's results against textbook closed forms, and its command line."""
import json
import subprocess
import sys

import pytest
import sympy as sp

from derivations import logistic as lg

DERIVED = lg.derive()
sqrt_kappa = sp.sqrt(lg.kappa)
CLOSED_FORMS = {
    "gradient": sp.Sum(-lg.y[lg.i] * lg.x[lg.i, lg.j] / (1 + sp.exp(lg.y[lg.i] * lg.z[lg.i])),
                       (lg.i, 1, lg.n)) / lg.n + lg.lam * lg.w[lg.j],
    "hessian": sp.Sum(lg.s[lg.i] * (1 - lg.s[lg.i]) * lg.x[lg.i, lg.j] * lg.x[lg.i, lg.k],
                      (lg.i, 1, lg.n)) / lg.n + lg.lam * sp.KroneckerDelta(lg.j, lg.k),
    "strong_convexity": lg.lam,
    "smoothness_bound": lg.lam + lg.sigma_max**2 / (4 * lg.n),
    "gd_rate": 1 - 1 / lg.kappa,
    "nesterov_rate": 1 - 1 / sqrt_kappa,
    "nesterov_momentum": (sqrt_kappa - 1) / (sqrt_kappa + 1),
    "cross_entropy_at_init": sp.log(lg.C),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_matches_closed_form(name):
    assert sp.simplify(DERIVED[name].value - CLOSED_FORMS[name]) == 0


def test_semilog_slopes_are_logs_of_the_rates_and_about_minus_one_over_kappa():
    slopes = DERIVED["semilog_slopes"].value
    expected = (sp.log(1 - 1 / lg.kappa), sp.log(1 - 1 / sqrt_kappa))
    assert tuple(slopes[:2]) == expected
    assert tuple(slopes[2:]) == tuple(e / sp.log(10) for e in expected)
    at_100 = [float(v) for v in lg.derive(kappa=100)["semilog_slopes"].value]
    assert at_100 == pytest.approx([-0.0100503, -0.1053605, -0.0043648, -0.0457575], rel=1e-5)


def test_cross_entropy_of_ten_classes_is_2_3026():
    value = lg.derive(C=10)["cross_entropy_at_init"].value
    assert value == sp.log(10) and float(value) == pytest.approx(2.302585, abs=1e-6)


def test_sgd_step_from_the_minimiser_raises_the_loss_by_exact_amounts():
    at_minimum, after, increase = lg.derive(eta=1)["sgd_not_monotone"].value
    assert at_minimum == 2 * sp.log(2)
    textbook_after = sp.log(1 + sp.exp(-sp.S.Half)) + sp.log(1 + sp.exp(sp.S.Half))
    assert sp.simplify(after - textbook_after) == 0
    assert increase == 2 * sp.log(sp.cosh(sp.Rational(1, 4)))
    assert float(after - at_minimum) == pytest.approx(float(increase), rel=1e-14)
    assert float(increase) == pytest.approx(0.0618596, abs=1e-7) and increase.is_positive


def test_sample_hessian_is_the_outer_product_for_both_labels():
    _, positive, negative = lg.explicit_sample_hessian()
    assert positive.is_zero_matrix and negative.is_zero_matrix


def test_smoothness_bound_is_attained_at_zero_where_the_curvature_peaks():
    assert lg.sigmoid_curvature(0) == sp.Rational(1, 4)
    assert sp.limit(lg.sigmoid_curvature(lg.m), lg.m, sp.oo) == 0


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)


@pytest.mark.parametrize("overrides, message", [
    ({"kappa": "0.5"}, r"kappa == 0.5, must lie in \[1, oo\)"),
    ({"C": 1}, r"C == 1, must lie in .*number of classes"),
    ({"lambda": -1}, r"lambda == -1, must lie in \(0, oo\)"),
    ({"eta": "x"}, r"eta == 'x' is not a number"),
])
def test_bad_parameters_name_the_constraint(overrides, message):
    with pytest.raises(ValueError, match=message):
        lg.derive(**overrides)


def run(*args):
    return subprocess.run([sys.executable, "-m", "derivations.logistic", *args],
                          capture_output=True, text=True)


def test_command_line_json_gives_the_momentum_for_kappa_100():
    done = run("--json", "--subs", "kappa=100", "--only", "nesterov_momentum")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["numeric"] == pytest.approx(9 / 11)


def test_command_line_refuses_a_condition_number_below_one_in_one_line():
    done = run("--text", "--subs", "kappa=1/2")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: kappa == 1/2, must lie in [1, oo)")
    assert len(done.stderr.strip().splitlines()) == 1


def test_quadratic_semilog_slopes_are_twice_the_log_rates():
    # loss = h e^2 / 2 per mode, so log(loss) falls at twice the error's log-rate; the sheet's
    # -1/kappa is the first-order bound, not this slope
    slopes = DERIVED["quadratic_semilog_slopes"].value
    assert sp.simplify(slopes[0] - 2 * sp.log(1 - 1 / lg.kappa)) == 0
    assert sp.simplify(slopes[1] - 2 * sp.log(1 - 1 / sqrt_kappa)) == 0
    assert "bound" in DERIVED["semilog_slopes"].statement
