"""initialization: derived variance rules against Monte Carlo signal propagation.

Confidence bands: a second-moment estimate from ``M`` independent nets with ``S``
inputs each has relative standard error ``sqrt((K (1 + 2/S) - 1) / M)`` when the
weights' fourth moments multiply to ``K`` times the squared variance (3 per normal
factor, 9/5 per uniform one); tests allow five standard errors.  Wide layers average
many units, and there a fixed relative band (stated per test) is several standard
errors wide.
"""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from derivations import initialization as theory
from numerics import init as initializers
from numerics.propagation import propagate

DERIVED = theory.derive()
seeds = st.integers(0, 2**32 - 1)


def numeric(name, *symbols):
    return sp.lambdify(symbols, DERIVED[name].value, "numpy")


def normal(std):
    return lambda shape, rng: rng.normal(0.0, std, shape)


def uniform(std):
    return lambda shape, rng: rng.uniform(-np.sqrt(3) * std, np.sqrt(3) * std, shape)


@given(stds=st.lists(st.floats(0.3, 2.0), min_size=1, max_size=4),
       kinds=st.lists(st.sampled_from(["normal", "uniform"]), min_size=4, max_size=4),
       seed=seeds)
def test_product_variance_of_n_factors(stds, kinds, seed):
    nets, samples = 4000, 16
    draws = [(normal if kind == "normal" else uniform)(std) for std, kind in zip(stds, kinds)]
    out = propagate(draws, [1] * (len(stds) + 1), np.random.default_rng(seed),
                    nets=nets, samples=samples)
    n_factor = DERIVED["product_variance"].value[1].subs(theory.n, len(stds)).doit()
    derived = float(n_factor.subs({theory.sigma[k + 1]: s for k, s in enumerate(stds)}))
    kurtosis = np.prod([3.0 if kind == "normal" else 1.8 for kind in kinds[:len(stds)]])
    band = 5 * derived * np.sqrt((kurtosis * (1 + 2 / samples) - 1) / nets)
    assert abs(out.forward[-1] - derived) <= band  # input variance 1 times the weights'


@given(sigma_X=st.floats(0.3, 3.0), sigma_Y=st.floats(0.3, 3.0), seed=seeds)
def test_product_variance_of_two_factors(sigma_X, sigma_Y, seed):
    nets, samples = 4000, 16
    out = propagate(normal(sigma_Y), [1, 1], np.random.default_rng(seed), nets=nets,
                    samples=samples, input_std=sigma_X)
    derived = sp.lambdify((theory.sigma_X, theory.sigma_Y),
                          DERIVED["product_variance"].value[0])(sigma_X, sigma_Y)
    assert abs(out.forward[1] - derived) <= 5 * derived * np.sqrt((3 * (1 + 2 / samples) - 1) / nets)


@given(n_in=st.integers(1, 64), n_out=st.integers(8, 64), sigma_W=st.floats(0.1, 2.0),
       sigma_h=st.floats(0.3, 3.0), seed=seeds)
def test_layer_variance(n_in, n_out, sigma_W, sigma_h, seed):
    out = propagate(normal(sigma_W), [n_in, n_out], np.random.default_rng(seed), nets=200,
                    samples=64, input_std=sigma_h)
    derived = numeric("layer_variance", theory.n_in, theory.sigma_W, theory.sigma_h)(
        n_in, sigma_W, sigma_h)
    assert out.forward[1] == pytest.approx(derived, rel=0.1)


widths = st.lists(st.integers(16, 96), min_size=4, max_size=7)


@given(widths=widths, seed=seeds)
def test_forward_condition_keeps_the_forward_variance(widths, seed):
    variance = numeric("forward_condition", theory.n_in)
    out = propagate(lambda shape, rng: rng.normal(0, np.sqrt(variance(shape[0])), shape), widths,
                    np.random.default_rng(seed), nets=16, samples=64)
    np.testing.assert_allclose(out.forward, out.forward[0], rtol=0.15)


@given(widths=widths, seed=seeds)
def test_backward_condition_keeps_the_gradient_variance(widths, seed):
    variance = numeric("backward_condition", theory.n_out)
    out = propagate(lambda shape, rng: rng.normal(0, np.sqrt(variance(shape[1])), shape), widths,
                    np.random.default_rng(seed), nets=16, samples=64)
    np.testing.assert_allclose(out.backward, out.backward[-1], rtol=0.15)


@given(widths=widths, seed=seeds)
def test_xavier_balances_the_forward_and_backward_gains(widths, seed):
    out = propagate(initializers.xavier_normal, widths, np.random.default_rng(seed), nets=16,
                    samples=64)
    xavier = numeric("xavier_variance", theory.n_in, theory.n_out)
    fan_in, fan_out = np.array(widths[:-1]), np.array(widths[1:])
    forward_gain = out.forward[1:] / out.forward[:-1]
    backward_gain = out.backward[:-1] / out.backward[1:]
    np.testing.assert_allclose(forward_gain, fan_in * xavier(fan_in, fan_out), rtol=0.15)
    np.testing.assert_allclose(backward_gain, fan_out * xavier(fan_in, fan_out), rtol=0.15)
    np.testing.assert_allclose((forward_gain + backward_gain) / 2, 1.0, rtol=0.15)


@given(width=st.integers(32, 96), depth=st.integers(3, 6), scale=st.floats(0.5, 3.0), seed=seeds)
def test_relu_gain_is_init_variance_over_he_variance(width, depth, scale, seed):
    he = numeric("he_variance", theory.n_in)
    variance = scale * he(width)
    out = propagate(normal(np.sqrt(variance)), [width] * (depth + 1), np.random.default_rng(seed),
                    nets=64, samples=32, activation="relu")
    np.testing.assert_allclose(out.forward[2:] / out.forward[1:-1], scale, rtol=0.15)
    np.testing.assert_allclose(out.backward[:-2] / out.backward[1:-1], scale, rtol=0.15)


@given(widths=widths, seed=seeds)
def test_he_normal_keeps_relu_variances(widths, seed):
    out = propagate(initializers.he_normal, widths, np.random.default_rng(seed), nets=64,
                    samples=32, activation="relu")
    np.testing.assert_allclose(out.forward[1:], out.forward[1], rtol=0.2)
    # the first layer's input is not a ReLU output: he gives twice the input variance there
    assert out.forward[1] == pytest.approx(2 * out.forward[0], rel=0.15)


@pytest.mark.parametrize("name, derived_name, fan", [
    ("lecun_normal", "forward_condition", ("n_in",)),
    ("xavier_normal", "xavier_variance", ("n_in", "n_out")),
    ("xavier_uniform", "xavier_variance", ("n_in", "n_out")),
    ("he_normal", "he_variance", ("n_in",)),
    ("he_uniform", "he_variance", ("n_in",)),
    ("pytorch_linear_default", "pytorch_linear_default", ("n_in",)),
])
@given(n_in=st.integers(4, 300), n_out=st.integers(4, 300), seed=seeds)
def test_initializer_sample_variance(name, derived_name, fan, n_in, n_out, seed):
    sample = getattr(initializers, name)((n_in, n_out), np.random.default_rng(seed))
    variance = numeric(derived_name, *(getattr(theory, f) for f in fan))(
        *({"n_in": n_in, "n_out": n_out}[f] for f in fan))
    kurtosis = 1.8 if "uniform" in name or "pytorch" in name else 3.0
    band = 5 * variance * np.sqrt((kurtosis - 1) / sample.size)
    assert abs(np.mean(sample**2) - variance) <= band


@pytest.mark.parametrize("name, derived_name", [
    ("he_uniform", "he_variance"), ("xavier_uniform", "xavier_variance"),
    ("pytorch_linear_default", "pytorch_linear_default"),
])
@given(n_in=st.integers(16, 200), n_out=st.integers(16, 200), seed=seeds)
def test_uniform_bound_is_the_largest_weight(name, derived_name, n_in, n_out, seed):
    sample = getattr(initializers, name)((n_in, n_out), np.random.default_rng(seed))
    variance = DERIVED[derived_name].value.subs({theory.n_in: n_in, theory.n_out: n_out})
    bound = float(DERIVED["uniform_bound"].value.subs(theory.sigma_W, sp.sqrt(variance)))
    assert np.abs(sample).max() <= bound
    assert np.abs(sample).max() >= 0.95 * bound  # fails with probability 0.95**256 < 1e-5
