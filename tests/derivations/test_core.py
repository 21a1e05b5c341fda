"""Core types: parameters, number parsing, intervals from inequalities."""
import pytest
import sympy as sp

from derivations.core import (Derivation, Parameter, Result, derivation, describe_set,
                              interval_from_inequalities, is_cached, linear_root, parse_number)

x = sp.Symbol("x", positive=True)
b = sp.Symbol("b", positive=True)


@pytest.mark.parametrize("text, expected", [
    ("0.1", sp.Rational(1, 10)), ("-3/4", sp.Rational(-3, 4)), ("2e-3", sp.Rational(1, 500)),
    (" 7 ", 7),
])
def test_parse_number_is_exact(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1/0", "sqrt(2)", "__import__('os')", ""])
def test_parse_number_refuses_anything_else(text):
    with pytest.raises(ValueError, match="not a number|divides by zero"):
        parse_number(text, "eta")


def test_parameter_keeps_symbolic_values_and_refuses_out_of_range():
    beta = Parameter(sp.Symbol("beta", positive=True), "weight", sp.Interval.Lopen(0, 1))
    assert beta.validate(sp.Symbol("q")) == sp.Symbol("q")
    with pytest.raises(ValueError, match=r"beta == 2, must lie in \(0, 1\]"):
        beta.validate(2)


def test_interval_from_inequalities_collects_bounds():
    assert interval_from_inequalities(sp.And(x > 1, x <= 3), x) == sp.Interval.Lopen(1, 3)
    assert interval_from_inequalities(x < b, x) == sp.Interval.open(0, b)


def test_describe_set():
    assert describe_set(sp.Interval(0, sp.oo)) == "[0, oo)"


def test_result_names_are_snake_case():
    with pytest.raises(ValueError, match="snake_case"):
        Result("Bad Name", "no", sp.S.One)


def test_derivation_is_built_once_and_substituted_per_call():
    calls = []

    @derivation
    def derive():
        calls.append(1)
        return Derivation("demo", "Demo", (Result("sq", "x squared.", x**2),),
                          (Parameter(x, "x", sp.Interval.open(0, sp.oo)),))

    assert derive(x=3)["sq"].value == 9
    assert derive()["sq"].value == x**2
    assert len(calls) == 1


def test_linear_root_is_the_one_root_of_a_linear_equation():
    a, c = sp.symbols("a c", positive=True)
    # a x + b = 2 b  <=>  x = b / a;  x/a - 1/c = 0  <=>  x = a/c
    assert linear_root(sp.Eq(a * x + b, 2 * b), x) == b / a
    assert linear_root(x / a - 1 / c, x) == a / c
    assert (linear_root(sp.Eq(3 * x, 1), x)) == sp.Rational(1, 3)
    for equation in (x**2 - a, 1 / x - a, sp.Eq(a, b)):
        with pytest.raises(ValueError, match="is not linear in x"):
            linear_root(equation, x)


def test_is_cached_says_whether_derive_has_its_derivation_at_hand(monkeypatch):
    monkeypatch.setenv("OPTVERIFY_NO_CACHE", "1")

    @derivation
    def derive():
        return Derivation("demo", "Demo", (Result("sq", "x squared.", x**2),))

    assert not is_cached(derive)
    derive()
    assert is_cached(derive)
    assert not is_cached(lambda: None)  # a derive of its own derives every time
