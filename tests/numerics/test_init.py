"""numerics.init: measured standard deviations match the rules; seeds reproduce draws."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics import init

DRAWERS = {
    "normal": (init.normal, {"std": 0.05}),
    "lecun_normal": (init.lecun_normal, {}),
    "lecun_uniform": (init.lecun_uniform, {}),
    "xavier_normal": (init.xavier_normal, {"gain": 2.0}),
    "xavier_uniform": (init.xavier_uniform, {"gain": 0.5}),
    "he_normal": (init.he_normal, {"mode": "fan_out"}),
    "he_uniform": (init.he_uniform, {"mode": "fan_avg"}),
    "pytorch_linear_default": (init.pytorch_linear_default, {}),
}


@pytest.mark.parametrize("name", sorted(DRAWERS))
@pytest.mark.parametrize("shape", [(300, 200), (32, 16, 3, 3)])
def test_measured_std_is_the_rule(name, shape):
    draw, params = DRAWERS[name]
    weights = draw(shape, np.random.default_rng(0), **params)
    assert weights.shape == shape
    expected = init.std_of(name, *init.fans(shape), **params)
    # n draws of kurtosis K (3 normal, 9/5 uniform): the sample std has relative standard
    # error sqrt((K - 1) / (4 n)) and the mean sigma / sqrt(n); six of them are allowed
    kurtosis = 1.8 if "uniform" in name or "pytorch" in name else 3.0
    n = weights.size
    assert weights.std() == pytest.approx(expected, rel=6 * math.sqrt((kurtosis - 1) / (4 * n)))
    assert abs(weights.mean()) <= 6 * expected / math.sqrt(n)


def test_he_std_of_the_problem_set_layers():
    assert init.he_std(3072) == pytest.approx(0.0255, abs=5e-5)
    assert init.he_std(50) == pytest.approx(0.2, abs=1e-15)
    assert init.he_normal((3072, 100), np.random.default_rng(1)).std() == pytest.approx(
        0.0255, rel=0.02)


def test_std_rules_by_hand():
    assert init.std_of("lecun_normal", 400, 7) == pytest.approx(0.05)
    assert init.std_of("xavier_normal", 30, 70) == pytest.approx(math.sqrt(2 / 100))
    assert init.std_of("he_uniform", 30, 70, mode="fan_avg") == pytest.approx(math.sqrt(2 / 50))
    assert init.std_of("pytorch_linear_default", 12, 5) == pytest.approx(1 / 6)
    assert init.std_of("zeros", 3, 4) == 0.0


def test_uniform_bounds():
    rng = np.random.default_rng(0)
    w = init.pytorch_linear_default((25, 1000), rng)
    assert np.abs(w).max() <= 1 / 5 and np.abs(w).max() > 0.99 / 5
    w = init.xavier_uniform((40, 60), rng)
    assert np.abs(w).max() <= math.sqrt(6 / 100)


@pytest.mark.parametrize("shape", [(25, 4000), (4000, 3, 5, 5)])
def test_pytorch_default_bias_range(shape):
    fan_in = init.fans(shape)[0]
    bias = init.pytorch_linear_bias(shape, np.random.default_rng(0))
    assert bias.shape == (4000,)
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(bias).max() <= bound and np.abs(bias).max() > 0.99 * bound
    # uniform on (-b, b): the mean is 0 and the variance b^2 / 3, to six standard errors
    assert abs(bias.mean()) <= 6 * bound / math.sqrt(3 * bias.size)
    assert bias.var() == pytest.approx(bound**2 / 3, rel=6 * math.sqrt(0.8 / bias.size))


def test_lecun_uniform_is_the_default_with_a_set_to_1():
    w = init.lecun_uniform((48, 2000), np.random.default_rng(0))
    bound = math.sqrt(3 / 48)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert init.std_of("lecun_uniform", 48, 5) == pytest.approx(
        math.sqrt(3) * init.std_of("pytorch_linear_default", 48, 5))


def test_pytorch_ranges_agree_with_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    layer = torch.nn.Linear(48, 3000)            # its weight is (out, in): ours transposed
    weight, bias = layer.weight.detach().numpy().T, layer.bias.detach().numpy()
    ours = init.pytorch_linear_default(weight.shape, np.random.default_rng(0))
    ours_bias = init.pytorch_linear_bias(weight.shape, np.random.default_rng(0))
    modified = torch.nn.init.kaiming_uniform_(torch.empty(3000, 48), a=1.0).numpy().T
    ours_modified = init.lecun_uniform(weight.shape, np.random.default_rng(0))
    for theirs, mine in ((weight, ours), (bias, ours_bias), (modified, ours_modified)):
        assert theirs.shape == mine.shape
        assert np.abs(mine).max() == pytest.approx(np.abs(theirs).max(), rel=2e-3)
        assert mine.std() == pytest.approx(theirs.std(), rel=0.05)


def test_conv_fans():
    assert init.fans((64, 3, 7, 7)) == (147, 3136)
    assert init.fans((5, 9)) == (5, 9)


@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(DRAWERS)))
def test_same_seed_same_numbers(seed, name):
    draw, params = DRAWERS[name]
    a = draw((4, 3), np.random.default_rng(seed), **params)
    b = draw((4, 3), np.random.default_rng(seed), **params)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, draw((4, 3), np.random.default_rng(seed + 1), **params))


def test_zeros():
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))


def test_errors_are_named():
    with pytest.raises(TypeError, match=r"rng == 0, must be a numpy.random.Generator"):
        init.he_normal((3, 3), 0)
    with pytest.raises(ValueError, match=r"shape == \(3,\), must be \(fan_in, fan_out\)"):
        init.he_normal((3,), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"mode == 'fan_sum', must be one of"):
        init.he_normal((3, 3), np.random.default_rng(0), mode="fan_sum")
    with pytest.raises(ValueError, match=r"name == 'orthogonal', must be one of"):
        init.std_of("orthogonal", 3, 3)
    with pytest.raises(ValueError, match=r"std == -1.0, must be >= 0"):
        init.normal((2, 2), np.random.default_rng(0), std=-1.0)
    with pytest.raises(ValueError, match=r"every size must be >= 1"):
        init.fans((0, 3))
