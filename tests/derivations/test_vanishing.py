"""The vanishing topic's results against closed forms and the explicit chain."""
import pytest
import sympy as sp

from derivations import vanishing as v


def test_sigmoid_derivative_max_is_a_quarter():
    assert v.derive()["sigmoid_derivative_max"].value == sp.Rational(1, 4)


def test_sigmoid_bound_is_a_quarter_per_layer():
    bound = v.derive()["sigmoid_gradient_bound"].value.rhs
    assert sp.simplify(bound - sp.Rational(1, 4) ** (v.n - v.i + 1)) == 0


def test_relu_bound_is_the_input_size():
    assert v.derive()["relu_gradient_bound"].value.rhs == sp.Abs(v.x)


@pytest.mark.parametrize("depth, index", [(3, 2), (3, 3), (5, 2), (5, 4)])
def test_chain_derivative_matches_differentiating_the_chain(depth, index):
    layers = v.concrete_chain(depth)
    direct = sp.diff(layers[depth], v.w[index])
    formula = v.derive()["chain_derivative"].value.subs({v.n: depth, v.i: index}).doit()
    formula = formula.subs({v.z[k]: v.w[k] * layers[k - 1] for k in range(2, depth + 1)})
    formula = formula.subs({v.h[k]: layers[k] for k in range(1, depth + 1)})
    assert sp.expand(direct - formula) == 0


def test_substituted_bound():
    assert v.derive(n=5, i=3)["sigmoid_gradient_bound"].value.rhs == sp.Rational(1, 64)


@pytest.mark.parametrize("overrides, message", [
    ({"n": 3, "i": 5}, r"n == 3, i == 5 violate the model.s constraint i <= n"),
    ({"i": 1}, r"i == 1, must lie in Range\(2, oo"),
])
def test_bad_parameters_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        v.derive(**overrides)
