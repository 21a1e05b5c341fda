"""vanishing: derived chain-rule products and bounds against reverse-mode autodiff."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st
from scipy.special import expit

from derivations import vanishing as v
from numerics.autodiff import Dual, scalar_chain, sigmoid

DERIVED = v.derive()
bound = {name: sp.lambdify((v.n, v.i, v.x), DERIVED[name].value.rhs, "numpy")
         for name in ("sigmoid_gradient_bound", "relu_gradient_bound")}
depths = st.integers(2, 12)
seeds = st.integers(0, 2**32 - 1)


def forward(weights, x, act):
    """h_k and z_k of the chain, computed directly (no autodiff)."""
    h, z = {1: act(x)}, {}
    for k, w in enumerate(weights, start=2):
        z[k] = w * h[k - 1]
        h[k] = act(z[k])
    return h, z


@given(depth=depths, x=st.floats(-3, 3), seed=seeds)
def test_chain_derivative_product_equals_autodiff(depth, x, seed):
    weights = np.random.default_rng(seed).uniform(-2, 2, depth - 1)
    _, grads = scalar_chain(weights, x)
    h, z = forward(weights, x, expit)
    values = {v.w[k]: weights[k - 2] for k in range(2, depth + 1)}
    values |= {v.h[k]: h[k] for k in h} | {v.z[k]: z[k] for k in z}
    for index in range(2, depth + 1):
        formula = DERIVED["chain_derivative"].value.subs({v.n: depth, v.i: index}).doit()
        slope = lambda e: expit(values[e.variables[0]]) * (1 - expit(values[e.variables[0]]))
        number = formula.replace(lambda e: isinstance(e, sp.Derivative), slope).subs(values)
        assert grads[index - 2] == pytest.approx(float(number), rel=1e-10, abs=1e-300)


@given(depth=depths, x=st.floats(-5, 5), seed=seeds)
def test_sigmoid_gradients_stay_under_the_bound(depth, x, seed):
    weights = np.random.default_rng(seed).uniform(-1, 1, depth - 1)
    _, grads = scalar_chain(weights, x)
    limit = bound["sigmoid_gradient_bound"](float(depth), np.arange(2.0, depth + 1), x)
    # every gradient, however far its weight from the output, is within 4^-(n - i + 1)
    assert np.all(np.abs(grads) <= limit)


def test_sigmoid_slope_peaks_at_the_derived_maximum():
    grid = np.linspace(-6, 6, 1201)
    slopes = Dual(grid, np.ones_like(grid))
    slopes = sigmoid(slopes).tangent
    assert slopes.max() == pytest.approx(float(DERIVED["sigmoid_derivative_max"].value), abs=1e-12)
    assert grid[slopes.argmax()] == pytest.approx(0.0, abs=1e-12)


@given(depth=depths, x=st.floats(-5, 5), seed=seeds)
def test_relu_gradients_stay_under_the_bound(depth, x, seed):
    weights = np.random.default_rng(seed).uniform(-1, 1, depth - 1)
    _, grads = scalar_chain(weights, x, activation="relu")
    assert np.all(np.abs(grads) <= bound["relu_gradient_bound"](float(depth), np.arange(2.0, depth + 1), x)
                  + 1e-12)


@given(depth=depths, x=st.floats(0.1, 5), seed=seeds)
def test_active_relu_chain_does_not_shrink_the_gradient(depth, x, seed):
    weights = np.random.default_rng(seed).uniform(0.9, 1.0, depth - 1)
    _, grads = scalar_chain(weights, x, activation="relu")
    # relu' = 1 throughout: d h_n / d w_i = x * prod_{k != i} w_k, no factor from the activation
    expected = x * np.prod(weights) / weights
    np.testing.assert_allclose(grads, expected, rtol=1e-12)
    assert grads.min() >= x * 0.9 ** (depth - 1)  # unlike the sigmoid's 4^-(n - i + 1)


@given(depth=depths, x=st.floats(-3, 3), seed=seeds)
def test_first_weight_product_equals_autodiff_when_the_first_layer_is_weighted(depth, x, seed):
    from numerics.autodiff import Var
    weights = np.random.default_rng(seed).uniform(-2, 2, depth)
    ws = [Var(float(w)) for w in weights]
    h = Var(float(x))
    for w in ws:  # h_1 = s(w_1 x), h_k = s(w_k h_{k-1})
        h = sigmoid(w * h)
    h.backward()
    hs, zs, previous = {}, {}, x
    for k, w in enumerate(weights, start=1):
        zs[k] = w * previous
        hs[k] = previous = expit(zs[k])
    values = {v.w[k]: weights[k - 1] for k in range(1, depth + 1)} | {v.z[k]: zs[k] for k in zs}
    formula = DERIVED["chain_derivative_first_weight_weighted"].value.subs(v.n, depth).doit()
    slope = lambda e: expit(values[e.variables[0]]) * (1 - expit(values[e.variables[0]]))
    number = formula.replace(lambda e: isinstance(e, sp.Derivative), slope).subs(values).subs(v.x, x)
    assert ws[0].grad == pytest.approx(float(number), rel=1e-10, abs=1e-300)


@given(depth=depths, x=st.floats(-5, 5))
def test_relu_bound_is_approached_as_the_weights_tend_to_one(depth, x):
    # With every w_k = 1 - 1e-9 the chain is active for x > 0 and each gradient is x times
    # at most 12 factors 1 - 1e-9: within 1.2e-8 relative of max(x, 0) (2e-8 with the
    # rounding of 12 products); 0 for x <= 0.
    _, grads = scalar_chain(np.full(depth - 1, 1 - 1e-9), x, activation="relu")
    edge = bound["relu_gradient_bound"](float(depth), np.arange(2.0, depth + 1), x)
    assert np.allclose(grads, edge, rtol=2e-8, atol=0)


def test_sigmoid_bound_is_not_attained():
    # n = i = 3: d h_3 / d w_3 = s'(w_3 h_2) h_2 is largest at w_3 = 0 with h_2 = s(w_2 s(x))
    # as large as |w_2| < 1 allows, s(1) / 4 = 0.1828 in the limit, below the bound 1/4.
    grid = np.linspace(-0.999, 0.999, 201)
    largest = max(abs(scalar_chain([w2, w3], x)[1][-1]) for w2 in grid for w3 in grid[95:106]
                  for x in (-20.0, 0.0, 20.0))
    assert largest == pytest.approx(expit(1) / 4, rel=1e-3)
    assert largest < bound["sigmoid_gradient_bound"](3.0, 3.0, 0.0) == 0.25
