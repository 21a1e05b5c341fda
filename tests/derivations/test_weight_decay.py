"""The weight_decay topic's results against textbook forms, and its command line."""
import pytest
import sympy as sp

from derivations import cli, weight_decay as wd

DERIVED = wd.derive()
eta, lam, lambda_L2, D, w_0, g = wd.eta, wd.lam, wd.lambda_L2, wd.D, wd.w_0, wd.g

CLOSED_FORMS = {
    "l2_update": w_0 - eta * (g + lambda_L2 * w_0),
    "decay_update": (1 - lam) * w_0 - eta * g,
    "equivalent_penalty": lam / eta,
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_matches_closed_form(name):
    assert sp.simplify(DERIVED[name].value - CLOSED_FORMS[name]) == 0


def test_adaptive_updates_and_their_difference():
    with_penalty, with_decay = DERIVED["adaptive_mismatch"].value
    assert sp.simplify(with_penalty.rhs - (w_0 - eta * (g + lambda_L2 * w_0) / D)) == 0
    assert sp.simplify(with_decay.rhs - ((1 - lam) * w_0 - eta * g / D)) == 0
    gap = (with_penalty.rhs - with_decay.rhs).subs(lambda_L2, lam / eta)
    assert sp.simplify(gap - lam * w_0 * (1 - 1 / D)) == 0
    assert sp.expand(gap.subs(D, 1)) == 0 and sp.expand(gap.subs({D: 2, lam: sp.S.Half, w_0: 1})) != 0


def test_no_single_penalty_matches_two_scales():
    assert DERIVED["adaptive_mismatch"].steps[-1].expr == sp.EmptySet


def test_substitution():
    assert wd.derive(eta="0.1", **{"lambda": "0.01"})["equivalent_penalty"].value == sp.Rational(1, 10)


def test_decay_outside_unit_interval_is_refused(capsys):
    with pytest.raises(ValueError, match=r"lambda == 1, must lie in \(0, 1\)"):
        wd.derive(**{"lambda": 1})
    assert cli.main(wd.derive, ["--subs", "eta=0"]) == 2
    assert capsys.readouterr().err.startswith("error: eta == 0, must lie in (0, oo)")


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)
