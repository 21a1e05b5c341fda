"""numerics.config_optim: the CS231n/CS182 adapters equal the core optimizers and the assignments."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics import config_optim, optim
from numerics.optim import apply_updates

seeds = st.integers(0, 2**32 - 1)


def draws(seed, steps=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(3), [rng.standard_normal(3) for _ in range(steps)]


def adapter_path(rule, w, grads, config, **kwargs):
    path = []
    for g in grads:
        w, config = rule(w, g, config, **kwargs)
        path.append(w)
    return np.array(path), config


def core_path(opt, w, grads):
    state, path = opt.init(w), []
    for g in grads:
        updates, state = opt.update(g, state, w)
        w = apply_updates(w, updates)
        path.append(w)
    return np.array(path), state


@given(seed=seeds, lr=st.floats(1e-3, 1.0))
def test_sgd_equals_core(seed, lr):
    w, grads = draws(seed)
    got, config = adapter_path(config_optim.sgd, w, grads, {"learning_rate": lr})
    np.testing.assert_allclose(got, core_path(optim.sgd(lr), w, grads)[0], rtol=1e-14, atol=1e-14)
    assert config == {"learning_rate": lr}


@given(seed=seeds, lr=st.floats(1e-3, 1.0), mu=st.floats(0.0, 0.99))
def test_sgd_momentum_equals_core_in_both_conventions(seed, lr, mu):
    w, grads = draws(seed)
    settings = {"learning_rate": lr, "momentum": mu}
    for convention, opt in (("pytorch", optim.sgd(lr, momentum=mu)),
                            ("cs231n", optim.sgd_momentum_cs231n(lr, mu))):
        got, config = adapter_path(config_optim.sgd_momentum, w, grads, settings,
                                   convention=convention)
        expected, state = core_path(opt, w, grads)
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(config["velocity"], state.trace, rtol=1e-14, atol=1e-14)


@given(seed=seeds, lr=st.floats(1e-3, 1.0), rho=st.floats(0.0, 0.999))
def test_rmsprop_equals_core(seed, lr, rho):
    w, grads = draws(seed)
    got, config = adapter_path(config_optim.rmsprop, w, grads,
                               {"learning_rate": lr, "decay_rate": rho})
    expected, state = core_path(optim.rmsprop(lr, alpha=rho), w, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(config["cache"], state.square_avg, rtol=1e-14)


@given(seed=seeds, lr=st.floats(1e-3, 1.0), b1=st.floats(0.0, 0.99), b2=st.floats(0.5, 0.9999))
def test_adam_equals_core(seed, lr, b1, b2):
    w, grads = draws(seed)
    got, config = adapter_path(config_optim.adam, w, grads,
                               {"learning_rate": lr, "beta1": b1, "beta2": b2})
    expected, state = core_path(optim.adam(lr, betas=(b1, b2)), w, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(config["m"], state.exp_avg, rtol=1e-14)
    np.testing.assert_allclose(config["v"], state.exp_avg_sq, rtol=1e-14)
    assert config["t"] == state.count == len(grads)


def test_momentum_conventions_by_hand():
    w, dw = np.array([1.0]), np.array([2.0])
    config = {"learning_rate": 0.1, "momentum": 0.5, "velocity": np.array([1.0])}
    w1, c1 = config_optim.sgd_momentum(w, dw, config, convention="pytorch")
    assert c1["velocity"][0] == pytest.approx(0.5 * 1.0 + 2.0)
    assert w1[0] == pytest.approx(1.0 - 0.1 * 2.5)
    w2, c2 = config_optim.sgd_momentum(w, dw, config)  # the assignment's v = mu v - lr dw
    assert c2["velocity"][0] == pytest.approx(0.5 * 1.0 - 0.1 * 2.0)
    assert w2[0] == pytest.approx(1.0 + 0.3)


def test_missing_keys_get_the_assignment_defaults():
    w, dw = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    _, config = config_optim.sgd(w, dw)
    assert config == {"learning_rate": 1e-2}
    next_w, config = config_optim.sgd_momentum(w, dw)
    assert (config["learning_rate"], config["momentum"]) == (1e-2, 0.9)
    np.testing.assert_allclose(config["velocity"], -1e-2 * dw)   # 0.9 * 0 - lr dw
    np.testing.assert_allclose(next_w, w - 1e-2 * dw)
    _, config = config_optim.rmsprop(w, dw)
    assert (config["decay_rate"], config["epsilon"]) == (0.99, 1e-8)
    np.testing.assert_allclose(config["cache"], 0.01 * dw ** 2)
    _, config = config_optim.adam(w, dw)
    assert (config["beta1"], config["beta2"], config["epsilon"], config["t"]) == (
        0.9, 0.999, 1e-8, 1)


def test_adam_increments_t_before_using_it():
    w, dw = np.array([0.0]), np.array([2.0])
    m, v = np.array([0.3]), np.array([0.5])
    config = {"learning_rate": 0.1, "m": m, "v": v, "t": 4}
    next_w, config = config_optim.adam(w, dw, config)
    t = 5
    m5 = 0.9 * 0.3 + 0.1 * 2.0
    v5 = 0.999 * 0.5 + 0.001 * 4.0
    expected = 0.0 - 0.1 * (m5 / (1 - 0.9 ** t)) / (np.sqrt(v5 / (1 - 0.999 ** t)) + 1e-8)
    assert next_w[0] == pytest.approx(expected, rel=1e-13)
    assert config["t"] == 5
    assert config["m"][0] == pytest.approx(m5) and config["v"][0] == pytest.approx(v5)


def test_neither_w_nor_config_is_modified():
    w, dw = np.array([1.0]), np.array([1.0])
    config = {"learning_rate": 0.1, "cache": np.array([0.5])}
    _, new = config_optim.rmsprop(w, dw, config)
    assert w[0] == 1.0 and config["cache"][0] == 0.5 and set(config) == {"learning_rate", "cache"}
    assert new is not config


def test_bad_config_and_convention_are_named():
    with pytest.raises(TypeError, match=r"config == \[\], must be a dict or None"):
        config_optim.sgd(np.zeros(1), np.zeros(1), [])
    with pytest.raises(ValueError, match=r"convention == 'nesterov', must be one of"):
        config_optim.sgd_momentum(np.zeros(1), np.zeros(1), convention="nesterov")
    with pytest.raises(ValueError, match=r"momentum == 1.0, must lie in \[0, 1\)"):
        config_optim.sgd_momentum(np.zeros(1), np.zeros(1), {"momentum": 1.0})


@pytest.mark.parametrize("rule, key, value, message", [
    (config_optim.rmsprop, "epsilon", -1.0, r"^epsilon == -1.0, must be > 0; choose a larger epsilon$"),
    (config_optim.adam, "epsilon", 0.0, r"^epsilon == 0.0, must be > 0; choose a larger epsilon$"),
    (config_optim.rmsprop, "decay_rate", 1.0, r"^decay_rate == 1.0, must lie in \[0, 1\); choose a "
                                               r"smaller decay_rate$"),
    (config_optim.adam, "beta1", 1.5, r"^beta1 == 1.5, must lie in \[0, 1\); choose a smaller beta1$"),
    (config_optim.adam, "beta2", -0.5, r"^beta2 == -0.5, must lie in \[0, 1\); choose a larger beta2$"),
    (config_optim.sgd, "learning_rate", -0.1, r"^learning_rate == -0.1, must be >= 0; choose a "
                                               r"larger learning_rate$"),
    (config_optim.adam, "t", -1, r"^t == -1, must be a whole number >= 0; pass e.g. t=0$"),
    (config_optim.adam, "t", 1.5, r"^t == 1.5, must be a whole number >= 0"),
])
def test_errors_name_the_config_key_the_user_wrote(rule, key, value, message):
    with pytest.raises(ValueError, match=message):
        rule(np.zeros(2), np.ones(2), {key: value})
