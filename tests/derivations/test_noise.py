"""The noise topic's results against textbook closed forms, and its command line."""
import json

import pytest
import sympy as sp

from derivations import cli, noise

DERIVED = noise.derive()
x, y, sigma, eta, mu_t = noise.x, noise.y, noise.sigma, noise.eta, noise.mu_t

CLOSED_FORMS = {
    "ridge_equivalent_lambda": sigma**2,
    "expected_update": (1 - eta * (x**2 + sigma**2)) * mu_t + eta * x * y,
    "limit": x * y / (x**2 + sigma**2),
    "shrinkage_factor": x**2 / (x**2 + sigma**2),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_matches_closed_form(name):
    assert sp.simplify(DERIVED[name].value - CLOSED_FORMS[name]) == 0


def test_stability_range_is_below_two_over_the_second_moment():
    assert DERIVED["stability_range"].value == sp.Interval.open(0, 2 / (x**2 + sigma**2))


def explicit_case(rows, columns):
    """||X w - y||^2 + rows sigma^2 ||w||^2 for explicit symbolic matrices, and the symbols."""
    X = sp.Matrix(rows, columns, lambda r, c: sp.Symbol(f"a{r}{c}", real=True))
    w = sp.Matrix(sp.symbols(f"v0:{columns}", real=True))
    t = sp.Matrix(sp.symbols(f"t0:{rows}", real=True))
    textbook = sum(e**2 for e in X * w - t) + rows * sigma**2 * sum(e**2 for e in w)
    return X, w, t, textbook


@pytest.mark.parametrize("rows, columns", [(3, 2), (1, 3)])
def test_expected_objective_is_the_textbook_form_on_explicit_sizes(rows, columns):
    X, w, t, textbook = explicit_case(rows, columns)
    value = DERIVED["expected_objective"].value.subs({noise.m: rows, noise.n: columns}).doit()
    value = value.subs({noise.X[r, c]: X[r, c] for r in range(rows) for c in range(columns)})
    value = value.subs({noise.w[c]: w[c] for c in range(columns)})
    value = value.subs({noise.Y[r]: t[r] for r in range(rows)})
    assert sp.expand(value - textbook) == 0


def test_noise_expectation_by_moments_equals_the_expectation_of_sympy_stats():
    from sympy.stats import E, Normal
    a = sp.Symbol("a", real=True)
    Z = Normal("Z", 0, sigma)
    expr = (a + noise.N) ** 4 - 3 * noise.N
    assert sp.expand(noise.noise_expectation(expr, [noise.N])
                     - E(expr.subs(noise.N, Z))) == 0


def test_substitution_gives_numbers():
    derived = noise.derive(x=2, y=3, sigma=1)
    assert derived["limit"].value == sp.Rational(6, 5)
    assert derived["stability_range"].value == sp.Interval.open(0, sp.Rational(2, 5))


@pytest.mark.parametrize("values, message", [
    ({"sigma": 0}, r"sigma == 0, must lie in \(0, oo\)"),
    ({"x": 0}, r"x == 0, must lie in \(-oo, 0\) U \(0, oo\)"),
    ({"m": "1/2"}, r"m == 1/2, must lie in Naturals"),
])
def test_values_outside_the_model_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        noise.derive(**values)


def test_json_numeric_when_every_symbol_is_fixed(capsys):
    assert cli.main(noise.derive, ["--json", "--subs", "x=1", "y=1", "sigma=1",
                                   "--only", "limit", "shrinkage_factor"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["numeric"] for r in results] == [pytest.approx(0.5), pytest.approx(0.5)]


def test_bad_subs_is_one_line_exit_2(capsys):
    assert cli.main(noise.derive, ["--subs", "sigma=-1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("error: sigma == -1")


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)


def test_row_noise_term_for_any_width():
    # E[(N_i^T w)^2] = sigma^2 ||w||^2: at n = 3 by hand
    value = noise.row_noise_term()[0].subs(noise.n, 3).doit()
    w = noise.w
    assert sp.expand(value - noise.sigma**2 * (w[0]**2 + w[1]**2 + w[2]**2)) == 0
