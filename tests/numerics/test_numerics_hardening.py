"""Fuzzing the numerics contracts: bad numbers to the optimizers, bad bytes to the readers,
extreme scores to the losses. Each either works or raises a ValueError/TypeError that names
what is wrong; nothing crashes with another exception or returns NaN."""
import gzip
import math
import pickle
import struct

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from numerics import data, optim
from numerics.nn import logistic_loss, mean_squared_error, softmax_cross_entropy
from numerics.train import evaluate, fit

EPS = np.finfo(float).eps
# every float, the awkward ones included, and a few non-floats
numbers = (st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0, 0.0, -0.0, 1])
           | st.integers(-10, 10))
OPTIMIZERS = {  # factory, the parameters it validates
    "sgd": (optim.sgd, ("lr", "momentum", "dampening", "weight_decay")),
    "momentum_ema": (optim.momentum_ema, ("eta", "beta")),
    "heavy_ball": (optim.heavy_ball, ("alpha", "m")),
    "adagrad": (optim.adagrad, ("lr", "lr_decay", "weight_decay", "eps")),
    "rmsprop": (optim.rmsprop, ("lr", "alpha", "eps", "weight_decay", "momentum")),
    "adam": (optim.adam, ("lr", "eps", "weight_decay")),
    "adamw": (optim.adamw, ("lr", "eps", "weight_decay")),
}
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")
SAFE = {"lr": 0.1, "momentum": 0.5, "dampening": 0.0, "weight_decay": 0.0, "eta": 0.1,
        "beta": 0.5, "alpha": 0.5, "m": 0.5, "lr_decay": 0.0, "eps": 1e-8}


# ------------------------------------------------------------------ optimizers

@given(name=st.sampled_from(sorted(OPTIMIZERS)), data_=st.data())
def test_any_setting_is_refused_by_name_or_gives_finite_updates(name, data_):
    factory, parameters = OPTIMIZERS[name]
    parameter = data_.draw(st.sampled_from(parameters))
    value = data_.draw(numbers)
    settings_ = {p: SAFE[p] for p in parameters} | {parameter: value}
    try:
        opt = factory(**settings_)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(f"{parameter} == {value!r}, must "), error
        return
    # accepted: finite settings; a zero, a tiny and a huge gradient never give NaN, and the
    # adaptive methods' updates (at most lr / (1 - beta1) or so in size) stay finite; lr g of
    # the others may truly exceed the largest float
    assert math.isfinite(value)
    w = np.array([1.0, -2.0, 0.0])
    state = opt.init(w)
    for g in (np.zeros(3), np.full(3, 1e-300), np.array([1e300, -1e300, 0.0])):
        with np.errstate(over="ignore"):  # g * g overflows for 1e300: the update is then 0
            updates, state = opt.update(g, state, w)
        assert not np.any(np.isnan(updates)), (settings_, g, updates)
        if name in ADAPTIVE:
            assert np.all(np.isfinite(updates)), (settings_, g, updates)


@pytest.mark.parametrize("factory", [optim.adagrad, optim.rmsprop, optim.adam, optim.adamw])
@pytest.mark.parametrize("placement", ["outside", "inside"])
def test_zero_eps_is_refused_because_a_zero_gradient_would_give_nan(factory, placement):
    with pytest.raises(ValueError, match=r"^eps == 0, must be > 0; choose a larger eps$"):
        factory(eps=0, eps_placement=placement)
    opt = factory(eps=1e-12, eps_placement=placement)
    updates, _ = opt.update(np.zeros(2), opt.init(np.ones(2)), np.ones(2))
    assert np.all(np.isfinite(updates))


# ------------------------------------------------------------------ empty data

def test_empty_batches_and_validation_sets_are_named():
    from numerics.nn import MLP
    model, x, y = MLP((2, 2), seed=0), np.zeros((4, 2)), np.array([0, 1, 0, 1])
    empty = (np.zeros((0, 2)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"^data has 0 examples and 0 labels, must have as many "
                                         r"labels as examples and at least one example"):
        fit(model, optim.sgd, empty, schedule=0.1, epochs=1, quiet=True)
    with pytest.raises(ValueError, match=r"^validation has 0 examples"):
        fit(model, optim.sgd, (x, y), schedule=0.1, epochs=1, quiet=True, validation=empty)
    with pytest.raises(ValueError, match=r"^data has 0 examples"):
        evaluate(model, softmax_cross_entropy, empty)
    for loss, scores, labels in [(softmax_cross_entropy, np.zeros((0, 3)), np.zeros(0, int)),
                                 (logistic_loss, np.zeros(0), np.zeros(0)),
                                 (mean_squared_error, np.zeros(0), np.zeros(0))]:
        with pytest.raises(ValueError, match=r"has shape \(0,?.*\), must hold at least one "
                                             r"example.*an empty batch has no mean loss"):
            loss(scores, labels)


# ------------------------------------------------------------------ losses at extreme scores

def reference_cross_entropy(logits, labels):
    """Mean ``logsumexp(z) - z[y]`` in 60-digit arithmetic, independent of NumPy."""
    mpmath.mp.dps = 60
    rows = [mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row))
            - mpmath.mpf(float(row[label])) for row, label in zip(logits, labels)]
    return float(mpmath.fsum(rows) / len(rows))


@given(dtype=st.sampled_from([np.float16, np.float32, np.float64]), rows=st.integers(1, 4),
       classes=st.integers(2, 5), scale=st.sampled_from([1.0, 6e4, 3e38, 1e300, 4e307]),
       seed=st.integers(0, 2**32 - 1))
def test_cross_entropy_is_finite_and_accurate_for_extreme_logits(dtype, rows, classes, scale,
                                                                   seed):
    rng = np.random.default_rng(seed)
    limit = float(np.finfo(dtype).max)
    logits = np.clip(scale * rng.uniform(-1, 1, (rows, classes)), -limit, limit).astype(dtype)
    labels = rng.integers(0, classes, rows)
    loss, grad = softmax_cross_entropy(logits, labels)
    # every |z| <= 4e307: logsumexp(z) - z[y] <= 2 max|z| + log(classes) stays below 1.8e308
    assert math.isfinite(loss) and grad.dtype == dtype and np.all(np.isfinite(grad))
    # shifting by the maximum rounds each z by eps |z| / 2; log and the sums add a few eps
    top = float(np.abs(logits.astype(float)).max())
    assert abs(loss - reference_cross_entropy(logits, labels)) <= 8 * EPS * (2 * top + 2)


@given(dtype=st.sampled_from([np.float16, np.float32, np.float64]), n=st.integers(1, 5),
       scale=st.sampled_from([1.0, 6e4, 3e38, 1e308]), seed=st.integers(0, 2**32 - 1))
def test_logistic_loss_is_finite_for_scores_up_to_1e308(dtype, n, scale, seed):
    rng = np.random.default_rng(seed)
    limit = float(np.finfo(dtype).max)
    scores = np.clip(scale * rng.uniform(-1, 1, n), -limit, limit).astype(dtype)
    labels = rng.choice([-1, 1], n)
    loss, grad = logistic_loss(scores, labels)
    mpmath.mp.dps = 60
    reference = float(mpmath.fsum(mpmath.log1p(mpmath.exp(-int(y) * mpmath.mpf(float(s))))
                                  for s, y in zip(scores, labels)) / n)
    assert math.isfinite(loss) and grad.dtype == dtype
    assert loss == pytest.approx(reference, rel=8 * EPS, abs=8 * EPS)


def test_the_mean_of_losses_near_the_largest_float_does_not_overflow():
    loss, _ = logistic_loss(np.array([1e308, 1e308]), np.array([-1, -1]))
    assert loss == 1e308
    loss, _ = softmax_cross_entropy(np.array([[6e4, -6e4]] * 3, dtype=np.float16), [1, 1, 1])
    assert loss == 120000.0
    assert mean_squared_error(np.array([300.0], np.float16), np.array([0.0]))[0] == 90000.0


# ------------------------------------------------------------------ readers

@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.binary(max_size=24), body=st.binary(max_size=64), compress=st.booleans())
def test_any_idx_bytes_are_read_or_refused_naming_the_file(tmp_path, head, body, compress):
    path = tmp_path / "fuzz-idx"
    raw = head + body
    path.write_bytes(gzip.compress(raw) if compress else raw)
    try:
        array = data.read_idx(path)
    except ValueError as error:
        assert str(error).startswith(str(path)), error
        return
    shape = struct.unpack(f">{raw[3]}I", raw[4:4 + 4 * raw[3]])
    assert array.shape == shape


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(type_code=st.sampled_from(sorted(data.IDX_TYPES)),
       dims=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4))
def test_any_declared_shape_is_read_or_refused_without_allocating_it(tmp_path, type_code, dims):
    path = tmp_path / "declared-idx"
    path.write_bytes(bytes([0, 0, type_code, len(dims)])
                     + b"".join(d.to_bytes(4, "big") for d in dims) + bytes(16))
    size = math.prod(dims) * np.dtype(data.IDX_TYPES[type_code]).itemsize
    assume(size != 16)
    with pytest.raises(ValueError, match=("more than the 1.07e\\+09 any IDX data set needs"
                                          if size > data.MAX_IDX_BYTES else
                                          "its header .* needs")):
        data.read_idx(path)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=200) | st.builds(
    lambda obj, cut: pickle.dumps(obj, protocol=2)[:cut],
    st.recursive(st.none() | st.integers() | st.floats() | st.binary(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.binary(max_size=4), inner, max_size=3), max_leaves=8),
    st.integers(0, 400)))
def test_any_pickle_bytes_are_loaded_as_data_or_refused(tmp_path, blob):
    path = tmp_path / "test_batch"
    path.write_bytes(blob)
    try:
        data.restricted_load(path)
    except ValueError as error:
        assert str(error).startswith(str(path)), error
