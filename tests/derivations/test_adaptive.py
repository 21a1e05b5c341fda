"""The adaptive topic's results against the textbook forms, and its command line."""
import json
import subprocess
import sys

import pytest
import sympy as sp

from derivations import adaptive as ad

DERIVED = ad.derive()
E2 = sp.exp(2)


def test_loss_gradient_is_the_chain_rule_form():
    o = 1 / (1 + sp.exp(-(ad.w_x * ad.x + ad.w_y * ad.y)))
    textbook = sp.Matrix([2 * (o - ad.t) * o * (1 - o) * v for v in (ad.x, ad.y)])
    assert (DERIVED["loss_gradient"].value - textbook).applyfunc(sp.simplify) == sp.zeros(2, 1)


def test_first_iteration_by_hand():
    """g = 2 (o - 1) o (1 - o) (1, -1) with o = s(-2); each optimizer's first step."""
    o = 1 / (1 + E2)
    g = 2 * (o - 1) * o * (1 - o)
    assert sp.simplify(g + 2 * sp.exp(4) / (1 + E2) ** 3) == 0
    delta = sp.Rational(1, 10**8)
    first_steps = {
        "sgd": -g,
        "adagrad": -g / (delta + abs(g)),
        "rmsprop": -g / sp.sqrt(delta + g**2 / 10),
        "adam": -g / (abs(g) + delta),
    }
    for name, step in first_steps.items():
        table = DERIVED[f"{name}_iterates"].value
        assert float(table[0, 0]) == pytest.approx(float(g), rel=1e-12)
        assert float(table[-4, 0]) == pytest.approx(float(step), rel=1e-12)
        assert float(table[-2, 0]) == pytest.approx(float(-1 + step), rel=1e-12, abs=1e-15)
        assert table.shape[1] == ad.ITERATIONS


def test_values_the_problem_set_expects():
    """AdaGrad's and Adam's first step lands on w ~ (0, 0); RMSProp overshoots by sqrt(10)."""
    assert float(DERIVED["adagrad_iterates"].value[-2, 0]) == pytest.approx(-5.4066885e-8, rel=1e-7)
    assert float(DERIVED["rmsprop_iterates"].value[-4, 0]) == pytest.approx(10**0.5, rel=1e-5)
    assert float(DERIVED["sgd_iterates"].value[-2, 2]) == pytest.approx(-0.31022995, rel=1e-7)


def test_sign_step():
    assert DERIVED["sign_step"].value == -ad.epsilon * sp.sign(ad.g)
    assert ad.derive(epsilon="1/2")["sign_step"].value == -sp.sign(ad.g) / 2


def test_overrides_change_the_tables():
    other = ad.derive(epsilon="0.5", rho="0.5")
    assert other["sgd_iterates"].value[2, 0] == pytest.approx(
        float(DERIVED["sgd_iterates"].value[2, 0]) / 2, rel=1e-12)
    assert other["adagrad_iterates"].value[0, 0] == DERIVED["adagrad_iterates"].value[0, 0]
    assert other["rmsprop_iterates"].value != DERIVED["rmsprop_iterates"].value


@pytest.mark.parametrize("overrides, message", [
    ({"rho": 1}, r"rho == 1, must lie in \[0, 1\)"),
    ({"delta": 0}, r"delta == 0, must lie in \(0, oo\)"),
    ({"learning_rate": 1}, r"'learning_rate' is not a parameter of adaptive; choose from"),
    ({"x": sp.Symbol("a")}, r"x == a is symbolic; the iterations need a number"),
])
def test_bad_settings(overrides, message):
    with pytest.raises(ValueError, match=message):
        ad.derive(**overrides)


def test_cli_json_and_errors():
    done = subprocess.run([sys.executable, "-m", "derivations.adaptive", "--json", "--subs",
                           "rho_1=0.5", "--only", "adam_iterates"], capture_output=True,
                          text=True, check=True)
    (entry,) = json.loads(done.stdout)["results"]
    assert len(entry["numeric"]) == 14 and len(entry["numeric"][0]) == 3
    bad = subprocess.run([sys.executable, "-m", "derivations.adaptive", "--subs", "rho=2"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: rho == 2")
    assert "Traceback" not in bad.stderr


def test_latex_has_a_table_per_optimizer():
    from derivations import render
    document = render.latex(DERIVED)
    assert document.count(r"\hat{s}_{x}") >= 1
    assert document.count("8 significant digits") == 4
