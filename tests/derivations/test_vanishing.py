"""The vanishing topic's results against closed forms and the explicit chain."""
import os
import subprocess
import sys

import pytest
import sympy as sp

from derivations import vanishing as v


def test_sigmoid_derivative_max_is_a_quarter():
    assert v.derive()["sigmoid_derivative_max"].value == sp.Rational(1, 4)


def test_sigmoid_bound_is_a_quarter_per_layer():
    bound = v.derive()["sigmoid_gradient_bound"].value.rhs
    assert sp.simplify(bound - sp.Rational(1, 4) ** (v.n - v.i + 1)) == 0


def test_relu_bound_is_the_active_input():
    assert v.derive()["relu_gradient_bound"].value.rhs == sp.Max(v.x, 0)


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


def test_first_weight_as_written_is_zero():
    # h_1 = s(x) carries no weight: nothing downstream depends on w_1
    assert v.derive()["chain_derivative_first_weight"].value == 0
    chain = v.concrete_chain(5)
    assert v.w[1] not in chain[5].free_symbols


def test_first_weight_when_the_first_layer_is_weighted():
    # h_1 = s(w_1 x): by hand at depth 3, dh_3/dw_1 = s'(z_3) w_3 s'(z_2) w_2 s'(z_1) x
    s, x, w, z = v.s, v.x, v.w, v.z
    expected = (sp.Derivative(s(z[3]), z[3]) * w[3] * sp.Derivative(s(z[2]), z[2]) * w[2]
                * sp.Derivative(s(z[1]), z[1]) * x)
    value = v.derive()["chain_derivative_first_weight_weighted"].value.subs(v.n, 3).doit()
    assert sp.expand(value - expected) == 0


def test_the_steps_print_alike_whatever_the_hash_seed():
    """diff's Subs numbers its bound dummy by a hash, which orders the factors differently
    per process; the steps write s'(p) instead, so the printed derivation is reproducible."""
    printed = [subprocess.run([sys.executable, "-m", "derivations.vanishing", "--latex"],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed,
                                   "OPTVERIFY_NO_CACHE": "1"}).stdout
               for seed in ("1", "2", "3")]
    assert printed[0] == printed[1] == printed[2] and "s'" in printed[0]
