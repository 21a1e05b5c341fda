"""The weight_decay topic against closed forms written here, in the sheet's model (toronto 2.3)."""
import pytest
import sympy as sp

from derivations import cli, weight_decay as wd
from derivations.core import matrix_symbol

DERIVED = wd.derive()
eta, lam, lt, D, w_0i, g_i = wd.eta, wd.lam, wd.lambda_tilde, wd.D, wd.w_0i, wd.g_i

# A concrete data set: n = 2 examples, d = 3 weights.
X_ = sp.Matrix([[1, 2, 0], [0, -1, 3]])
T_ = sp.Matrix([1, -2])
W0 = sp.Matrix([sp.Rational(1, 2), -1, 2])


def concrete(expr):
    """``expr`` with n = 2, d = 3 and the data above put in for X, t, w_0."""
    sized = expr.subs({wd.n: 2, wd.d: 3})
    return sp.Matrix(sized.subs({matrix_symbol("X", 2, 3): X_, matrix_symbol("t", 2, 1): T_,
                                 matrix_symbol("w_0", 3, 1): W0}).doit())


def sheet_gradient(weights, penalty):
    """grad of (1/n) ||X w - t||^2 + penalty ||w||^2, differentiated by hand: no factor 1/2."""
    return sp.Rational(2, X_.rows) * X_.T * (X_ * weights - T_) + 2 * penalty * weights


def test_l2_update_is_a_gd_step_on_the_sheets_loss():
    expected = W0 - eta * sheet_gradient(W0, lt)
    assert (concrete(DERIVED["l2_update"].value) - expected).expand() == sp.zeros(3, 1)


def test_decay_update_is_equation_5():
    expected = (1 - lam) * W0 - eta * sheet_gradient(W0, 0)
    assert (concrete(DERIVED["decay_update"].value) - expected).expand() == sp.zeros(3, 1)


def test_equivalent_penalty_is_lambda_over_two_eta():
    # 1 - 2 eta lambda~ = 1 - lambda  <=>  lambda~ = lambda / (2 eta)
    assert sp.simplify(DERIVED["equivalent_penalty"].value - lam / (2 * eta)) == 0
    assert DERIVED["equivalent_penalty"].lhs == lt
    assert sp.latex(lt) == r"\tilde{\lambda}"


def test_half_convention_is_a_named_variant_only():
    assert sp.simplify(DERIVED["equivalent_penalty_half_convention"].value - lam / eta) == 0
    assert "variant" in DERIVED["equivalent_penalty_half_convention"].statement


def test_the_steps_agree_exactly_at_the_equivalent_penalty():
    penalised = concrete(DERIVED["l2_update"].value).subs(lt, lam / (2 * eta))
    assert (penalised - concrete(DERIVED["decay_update"].value)).expand() == sp.zeros(3, 1)
    wrong = concrete(DERIVED["l2_update"].value).subs(lt, lam / eta)
    assert (wrong - concrete(DERIVED["decay_update"].value)).expand() != sp.zeros(3, 1)


def test_adaptive_updates_and_their_difference():
    with_penalty, with_decay = DERIVED["adaptive_mismatch"].value
    assert sp.simplify(with_penalty.rhs - (w_0i - eta * (g_i + 2 * lt * w_0i) / D)) == 0
    assert sp.simplify(with_decay.rhs - ((1 - lam) * w_0i - eta * g_i / D)) == 0
    gap = (with_penalty.rhs - with_decay.rhs).subs(lt, lam / (2 * eta))
    assert sp.simplify(gap - lam * w_0i * (1 - 1 / D)) == 0


def test_no_single_penalty_matches_two_scales():
    (set_step,) = [s for s in DERIVED["adaptive_mismatch"].steps if isinstance(s.expr, sp.Set)]
    assert set_step.expr == sp.EmptySet


def test_substitution():
    value = wd.derive(eta="0.1", **{"lambda": "0.01"})["equivalent_penalty"].value
    assert value == sp.Rational(1, 20)


def test_check_reads_the_sheets_notation(capsys):
    assert cli.main(wd.derive, ["--check", "equivalent_penalty", r"\frac{\lambda}{2\eta}"]) == 0
    assert cli.main(wd.derive, ["--check", "equivalent_penalty",
                                r"\tilde{\lambda} = \frac{\lambda}{2\eta}"]) == 0
    assert cli.main(wd.derive, ["--check", "equivalent_penalty", r"\frac{\lambda}{\eta}"]) == 1
    capsys.readouterr()


def test_decay_outside_unit_interval_is_refused(capsys):
    with pytest.raises(ValueError, match=r"lambda == 1, must lie in \(0, 1\)"):
        wd.derive(**{"lambda": 1})
    assert cli.main(wd.derive, ["--subs", "eta=0"]) == 2
    assert capsys.readouterr().err.startswith("error: eta == 0, must lie in (0, oo)")


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)
