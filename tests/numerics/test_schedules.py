"""numerics.schedules: values at the landmarks, vectorised equals scalar, use as lr."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics import optim, schedules


def test_cosine_warmup_landmarks_with_the_default_T():
    eta_max, T = 0.1, 50 * 391
    eta = schedules.cosine_warmup(eta_max)
    T_0 = T / 5
    assert eta(0) == pytest.approx(1e-4, abs=1e-15)
    assert eta(T_0) == pytest.approx(1e-4 + eta_max, abs=1e-15)
    assert eta(T_0 + 1) == pytest.approx(eta_max * math.cos(math.pi / 2 / (T - T_0)) + 1e-6,
                                         abs=1e-15)
    assert eta(T) == pytest.approx(1e-6, abs=1e-15)
    assert eta(T + 100) == pytest.approx(1e-6, abs=1e-15)


def test_cosine_warmup_midpoint_of_the_cosine():
    eta = schedules.cosine_warmup(2.0, T=300, T_0=100)
    assert eta(200) == pytest.approx(2.0 * math.cos(math.pi / 4) + 1e-6, abs=1e-15)
    assert eta(50) == pytest.approx(1e-4 + 1.0, abs=1e-15)


SCHEDULES = [
    schedules.constant(0.3),
    schedules.step_decay(1.0, 0.5, 7),
    schedules.exponential_range(),
    schedules.cosine_warmup(0.1, T=500),
    schedules.cosine_warmup(0.1, T=500, T_0=50, floor_warmup=0.0, floor_cosine=0.0),
]


@pytest.mark.parametrize("schedule", SCHEDULES)
@given(steps=st.lists(st.integers(0, 600), min_size=1, max_size=20))
def test_vectorised_equals_scalar(schedule, steps):
    vector = schedule(np.array(steps))
    assert isinstance(vector, np.ndarray) and vector.shape == (len(steps),)
    scalars = [schedule(s) for s in steps]
    assert all(isinstance(s, float) for s in scalars)
    np.testing.assert_allclose(vector, scalars, rtol=1e-15, atol=0)


@given(k=st.integers(0, 200))
def test_exponential_range_reaches_start_times_factor_to_the_k(k):
    assert schedules.exponential_range()(k) == pytest.approx(1e-5 * 1.1 ** k, rel=1e-12)


def test_step_decay_drops_every_period():
    eta = schedules.step_decay(0.1, 0.1, 30)
    assert [eta(t) for t in (0, 29, 30, 60)] == pytest.approx([0.1, 0.1, 0.01, 0.001], rel=1e-12)


def test_a_schedule_is_an_optimizers_lr():
    opt = optim.sgd(schedules.step_decay(1.0, 0.5, 1))
    w = np.array([0.0])
    state = opt.init(w)
    for _ in range(3):
        updates, state = opt.update(np.array([1.0]), state, w)
        w = optim.apply_updates(w, updates)
    assert w[0] == pytest.approx(-(1.0 + 0.5 + 0.25), abs=1e-15)


@pytest.mark.parametrize("build, message", [
    (lambda: schedules.cosine_warmup(0.1, T=100, T_0=100), r"T_0 == 100, must lie in \(0, 100\)"),
    (lambda: schedules.cosine_warmup(0.0), r"eta_max == 0.0, must be > 0"),
    (lambda: schedules.step_decay(0.1, 1.5, 10), r"drop == 1.5, must lie in \(0, 1\]"),
    (lambda: schedules.step_decay(0.1, 0.5, 0), r"every == 0, must be >= 1"),
    (lambda: schedules.exponential_range(factor=0.0), r"factor == 0.0, must be > 0"),
    (lambda: schedules.constant(0.1)(-1), r"step == -1, must be finite and >= 0"),
])
def test_invalid_settings_are_named(build, message):
    with pytest.raises(ValueError, match=message):
        build()
