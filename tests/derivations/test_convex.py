"""The convex topic's results against textbook closed forms, and its command line."""
import json
import subprocess
import sys

import pytest
import sympy as sp

from derivations import convex as cv

DERIVED = cv.derive()
D, G, P, t, T, eta, B, rho = cv.D, cv.G, cv.P, cv.t, cv.T, cv.eta, cv.B, cv.rho


def test_three_point_identity_is_the_textbook_one():
    identity = DERIVED["three_point_identity"].value
    textbook = (D(t) - D(t + 1)) / (2 * eta) + eta / 2 * G(t)
    assert identity.lhs == P(t) and sp.simplify(identity.rhs - textbook) == 0


def test_regret_bound_is_the_textbook_one():
    bound = DERIVED["regret_bound"].value
    textbook = D(1) / (2 * eta) + eta / 2 * sp.Sum(G(t), (t, 1, T))
    assert isinstance(bound, sp.LessThan)
    assert bound.lhs == sp.Sum(P(t), (t, 1, T))
    assert sp.simplify(bound.rhs - textbook) == 0


def test_average_iterate_bound_is_the_textbook_one():
    bound = DERIVED["average_iterate_bound"].value
    assert isinstance(bound, sp.LessThan)
    assert bound.lhs == cv.f(cv.w_bar) - cv.f(cv.w_star)
    assert sp.simplify(bound.rhs - (B**2 / (2 * eta * T) + eta * rho**2 / 2)) == 0


@pytest.mark.parametrize("name, textbook", [
    ("optimal_fixed_learning_rate", B / (rho * sp.sqrt(T))),
    ("rate", B * rho / sp.sqrt(T)),
])
def test_optimal_rate_and_its_bound(name, textbook):
    assert sp.simplify(DERIVED[name].value - textbook) == 0


def test_the_rate_halves_when_the_steps_quadruple():
    rate = DERIVED["rate"].value
    assert sp.simplify(rate.subs(T, 4 * T) / rate) == sp.S.Half


def test_inner_products_are_read_off_matrix_products():
    expanded = ((cv.e_t - eta * cv.v_t).T * (cv.e_t - eta * cv.v_t)).expand()
    names = {cv.e_t.T * cv.e_t: D(t), cv.e_t.T * cv.v_t: P(t), cv.v_t.T * cv.e_t: P(t),
             cv.v_t.T * cv.v_t: G(t)}
    assert cv.as_inner_products(expanded, names) == D(t) - 2 * eta * P(t) + eta**2 * G(t)


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)


@pytest.mark.parametrize("overrides, message", [
    ({"T": 0}, r"T == 0, must lie in Naturals"),
    ({"rho": -2}, r"rho == -2, must lie in \(0, oo\)"),
    ({"B": "1/0"}, r"B == '1/0' divides by zero"),
])
def test_bad_parameters_name_the_constraint(overrides, message):
    with pytest.raises(ValueError, match=message):
        cv.derive(**overrides)


def run(*args):
    return subprocess.run([sys.executable, "-m", "derivations.convex", *args],
                          capture_output=True, text=True)


def test_command_line_json_gives_the_rate_for_numbers():
    done = run("--json", "--subs", "B=2", "rho=3", "T=100", "--only", "rate",
               "optimal_fixed_learning_rate")
    assert done.returncode == 0, done.stderr
    rate, best = json.loads(done.stdout)["results"]
    assert (rate["numeric"], best["numeric"]) == (pytest.approx(0.6), pytest.approx(2 / 30))


def test_command_line_refuses_an_unknown_result_in_one_line():
    done = run("--text", "--only", "nope")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: result == 'nope' is not a result of convex")
