"""The schedules topic's results against the textbook forms, and its command line."""
import json
import subprocess
import sys

import pytest
import sympy as sp

from derivations import schedules as sc

DERIVED = sc.derive()


def test_cosine_warmup_textbook_pieces():
    schedule = DERIVED["cosine_warmup"].value
    T0 = sc.T / 5
    warmup = sp.Rational(1, 10**4) + sc.t / T0 * sc.eta_max
    cosine = sc.eta_max * sp.cos(sp.pi / 2 * (sc.t - T0) / (sc.T - T0)) + sp.Rational(1, 10**6)
    (first, first_holds), (second, second_holds) = schedule.args
    assert sp.simplify(first - warmup) == 0 and sp.simplify(second - cosine) == 0
    assert first_holds.canonical == (sc.t <= T0).canonical
    assert second_holds.canonical == (sc.t <= sc.T).canonical
    at_problem = sc.derive(T=50 * 391)["cosine_warmup"].value
    assert at_problem.subs(sc.t, 3910) == sc.eta_max + sp.Rational(1, 10**4)
    assert at_problem.subs(sc.t, 19550) == sp.Rational(1, 10**6)


def test_boundary_jump_is_the_offset_difference():
    assert DERIVED["warmup_boundary_jump"].value == sp.Rational(1, 10**4) - sp.Rational(1, 10**6)


@pytest.mark.parametrize("target, steps", [("0.1", 97), ("1", 121), ("0.00001", 0),
                                           ("0.000011", 1), ("0.0000110001", 2),
                                           ("1331/100000000", 3)])
def test_lr_finder_steps_is_the_exact_ceiling(target, steps):
    assert sc.derive(eta_target=target)["lr_finder_steps"].value == steps


def test_effective_learning_rate_and_pairs():
    assert sp.simplify(DERIVED["effective_learning_rate"].value - sc.eta / (1 - sc.rho)) == 0
    (eta_a, rho_a), (eta_b, rho_b) = DERIVED["interchangeable_pairs"].value
    assert (eta_a, rho_a, eta_b, rho_b) == (sc.eta, sp.Rational(9, 10), 5 * sc.eta, sp.S.Half)
    assert sp.simplify(eta_a / (1 - rho_a) - eta_b / (1 - rho_b)) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"rho": 1}, r"rho == 1, must lie in \[0, 1\)"),
    ({"eta_target": 0}, r"eta_target == 0, must lie in \(0, oo\)"),
    ({"T_1": 3}, r"'T_1' is not a parameter of schedules"),
])
def test_bad_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        sc.derive(**overrides)


def test_cli():
    done = subprocess.run([sys.executable, "-m", "derivations.schedules", "--json", "--subs",
                           "eta_target=0.1", "--only", "lr_finder_steps"],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["results"][0]["numeric"] == 97.0
    bad = subprocess.run([sys.executable, "-m", "derivations.schedules", "--subs", "T=-5"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: T == -5")


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)
