"""numerics.propagation: exact cases, reproducibility and bad input."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.propagation import propagate


def orthogonal(shape, rng):
    q, _ = np.linalg.qr(rng.standard_normal((shape[0], shape[0])))
    return q


@given(width=st.integers(1, 20), depth=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_orthogonal_linear_nets_preserve_both_moments_exactly(width, depth, seed):
    out = propagate(orthogonal, [width] * (depth + 1), np.random.default_rng(seed), nets=3,
                    samples=5)
    np.testing.assert_allclose(out.forward, out.forward[0], rtol=1e-10)
    np.testing.assert_allclose(out.backward, out.backward[-1], rtol=1e-10)


def test_scaling_weights_scales_the_moments_by_the_square():
    out = propagate(lambda shape, rng: 3.0 * np.eye(*shape), [4, 4, 4], np.random.default_rng(0),
                    nets=2, samples=10)
    np.testing.assert_allclose(out.forward, out.forward[0] * np.array([1, 9, 81]))
    np.testing.assert_allclose(out.backward, out.backward[-1] * np.array([81, 9, 1]))


def test_relu_with_identity_weights_halves_moments_about_half():
    out = propagate(lambda shape, rng: np.eye(*shape), [50, 50, 50], np.random.default_rng(1),
                    nets=4, samples=2000, activation="relu")
    assert out.forward[1] == pytest.approx(out.forward[0])  # first layer: no ReLU before it
    # 4e5 independent N(0, 1) units: relu(x)^2 has mean 1/2 and variance 5/4, so its mean
    # has relative standard error 0.0035 (x^2: 0.0022); 3 % is over seven of them
    assert out.forward[2] == pytest.approx(out.forward[1] / 2, rel=0.03)
    assert out.backward[0] == pytest.approx(out.backward[1] / 2, rel=0.03)


def test_one_initializer_per_layer_is_used_in_order():
    inits = [lambda shape, rng, c=c: c * np.ones(shape) for c in (1.0, 2.0, 5.0)]
    out = propagate(inits, [1, 1, 1, 1], np.random.default_rng(0), nets=1, samples=7)
    np.testing.assert_allclose(out.forward / out.forward[0], [1, 1, 4, 100])


def test_same_seed_same_numbers():
    draw = lambda shape, rng: rng.normal(0, 0.1, shape)
    first = propagate(draw, [5, 6, 7], np.random.default_rng(3))
    again = propagate(draw, [5, 6, 7], np.random.default_rng(3))
    np.testing.assert_array_equal(first.forward, again.forward)
    np.testing.assert_array_equal(first.backward, again.backward)


@pytest.mark.parametrize("kwargs, message", [
    ({"widths": [5]}, r"widths == \[5\], must hold at least two positive widths"),
    ({"widths": [5, 0]}, r"widths == \[5, 0\]"),
    ({"activation": "tanh"}, r"activation == 'tanh', must be one of \['linear', 'relu'\]"),
    ({"nets": 0}, r"nets == 0, must be a whole number >= 1"),
    ({"init": [np.zeros]}, r"init has 1 entries for 2 layers"),
    ({"init": lambda shape, rng: np.zeros((2, 2))}, r"init returned shape \(2, 2\) for layer 1, "
                                                    r"expected \(3, 4\)"),
])
def test_bad_input(kwargs, message):
    args = {"init": lambda shape, rng: np.zeros(shape), "widths": [3, 4, 5]} | kwargs
    with pytest.raises(ValueError, match=message):
        propagate(args.pop("init"), args.pop("widths"), np.random.default_rng(0), **args)
