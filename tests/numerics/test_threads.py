"""A batch split between threads (numerics.threads, Sequential): the same mathematics as whole."""
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from numerics import nn, threads

TOLERANCE = 1e-6  # relative error of back-propagation against central differences


def conv_model(rng):
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8, 3, rng=rng))
    model.layers[0].params["bias"] = rng.normal(size=2)
    return model


def test_a_split_batch_back_propagates_as_central_differences_say():
    rng = np.random.default_rng(11)
    model = conv_model(rng)
    x = rng.normal(size=(2 * nn.MIN_PART + 3, 1, 4, 4))
    labels = rng.integers(0, 3, size=len(x))
    with threadpool_limits(2, user_api="blas"):
        model.forward(x)
        assert [p.stop - p.start for p in model._parts] == [33, 34]     # split in two parts
        errors = nn.check_gradients(model, nn.softmax_cross_entropy, x, labels)
    assert max(errors.values()) < TOLERANCE, errors


def test_a_split_batch_gives_the_sum_of_every_examples_gradients():
    """Each example alone (one example: never split) against the batch split in two parts:
    the loss sum(scores * weights) is a sum over the examples, so are its gradients."""
    rng = np.random.default_rng(12)
    model = conv_model(rng)
    x = rng.normal(size=(2 * nn.MIN_PART, 1, 4, 4))
    weights = rng.normal(size=(len(x), 3))
    outputs, inputs, sums = [], [], {}
    for example, w in zip(x, weights):
        outputs.append(model.forward(example[None]))
        inputs.append(model.backward(w[None]))
        for key, grad in model.gradients().items():
            sums[key] = sums.get(key, 0) + grad
    with threadpool_limits(2, user_api="blas"):
        out = model.forward(x)
        assert model._parts is not None
        dx = model.backward(weights)
    # float64 sums of 64 terms of order 1 in two orders: they differ in the last few bits
    assert np.allclose(out, np.concatenate(outputs), rtol=1e-13, atol=1e-13)
    assert np.allclose(dx, np.concatenate(inputs), rtol=1e-13, atol=1e-13)
    for key, grad in model.gradients().items():
        assert np.allclose(grad, sums[key], rtol=1e-12, atol=1e-12), key
    with threadpool_limits(2, user_api="blas"):
        model.forward(x)
        assert model.backward(weights, input_grad=False) is None


def test_a_split_batch_follows_the_callers_error_state():
    model = nn.Sequential(nn.Conv2d(1, 1, 1, dtype=np.float32), nn.Flatten())
    model.layers[0].params["weight"][:] = 1
    model.layers[0].params["bias"][:] = 3e38
    x = np.zeros((2 * nn.MIN_PART, 1, 1, 1), dtype=np.float32)
    x[nn.MIN_PART:] = 3e38             # x + bias overflows in the second part, a worker's
    with threadpool_limits(2, user_api="blas"), np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            model.forward(x)
    with threadpool_limits(2, user_api="blas"), np.errstate(over="ignore"), \
            warnings.catch_warnings():
        warnings.simplefilter("error")                 # a warning from any thread fails
        assert np.isinf(model.forward(x)[nn.MIN_PART:]).all()


def test_parts_run_with_one_blas_thread_and_the_limit_comes_back():
    with threadpool_limits(2, user_api="blas"):
        assert threads.available() == 2
        assert threads.run_parts(lambda part: threads.available(), range(3)) == [1, 1, 1]
        assert threads.available() == 2


def test_parts_run_in_the_caller_where_another_thread_holds_the_blas_limit():
    """threadpoolctl lets one thread at a time set OpenBLAS's limit: here the main thread,
    inside its threadpool_limits block; a split from another thread cannot limit the BLAS."""
    import threading

    def where(part):
        return threading.current_thread().name, threads.available()

    found = []
    with threadpool_limits(2, user_api="blas"):
        here, there = threads.run_parts(where, range(2))
        assert here == (threading.current_thread().name, 1) and there[0].startswith("numerics")
        other = threading.Thread(target=lambda: found.extend(threads.run_parts(where, range(2))),
                                 name="other")
        other.start()
        other.join()
        assert threads.available() == 2
    assert found == [("other", 2), ("other", 2)]


def test_a_part_that_fails_raises_in_the_caller_after_every_part_ends():
    ended = []

    def work(part):
        if part == 1:
            raise ValueError("part 1 fails")
        ended.append(part)
        return part

    with threadpool_limits(2, user_api="blas"):
        with pytest.raises(ValueError, match="part 1 fails"):
            threads.run_parts(work, range(3))
        assert sorted(ended) == [0, 2]
        assert threads.available() == 2


def test_layers_with_random_draws_or_only_products_keep_the_batch_whole():
    x = np.zeros((4 * nn.MIN_PART, 1, 4, 4))
    with threadpool_limits(2, user_api="blas"):
        assert nn._parts(x, [nn.Conv2d(1, 1, 3), nn.Flatten(), nn.Dropout(0.5)]) is None
        assert nn._parts(x.reshape(len(x), -1), [nn.Linear(16, 2), nn.ReLU()]) is None
        assert nn._parts(x[:2 * nn.MIN_PART - 1], [nn.Conv2d(1, 1, 3)]) is None
        assert len(nn._parts(x, [nn.Conv2d(1, 1, 3)])) == 2
    with threadpool_limits(1, user_api="blas"):
        assert nn._parts(x, [nn.Conv2d(1, 1, 3)]) is None


def test_gradient_norms_hold_the_blas_to_one_thread_after_a_split_batch(monkeypatch):
    """After a split batch the BLAS is held to one thread for the norms' dot products, so its
    threads do not spin through the next batch's parts; a whole batch keeps its limit."""
    seen, vdot = [], np.vdot
    monkeypatch.setattr(np, "vdot", lambda a, b: seen.append(threads.available()) or vdot(a, b))
    rng = np.random.default_rng(13)
    images = rng.normal(size=(2 * nn.MIN_PART, 1, 4, 4))
    dense = nn.Sequential(nn.Flatten(), nn.Linear(16, 3, rng=rng))
    with threadpool_limits(2, user_api="blas"):
        for model, split in ((conv_model(rng), [1]), (dense, [2])):
            seen.clear()
            model.backward(np.ones_like(model.forward(images)))
            norms = model.gradient_norms()
            assert sorted(set(seen)) == split
            for key, norm in norms.items():     # the norms themselves, whatever the threads
                index = key.split(".")[0]
                grads = model.layers[int(index)].grads.values()
                assert np.isclose(norm, np.sqrt(sum((g ** 2).sum() for g in grads)))


def test_a_forked_child_splits_with_threads_of_its_own():
    """The parent's pool is copied into a forked child without its threads."""
    import multiprocessing

    with threadpool_limits(2, user_api="blas"):
        assert threads.run_parts(lambda part: part, range(2)) == [0, 1]    # the parent's pool
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply_async(_split_in_a_child).get(timeout=60) == [0, 1]


def _split_in_a_child():
    with threadpool_limits(2, user_api="blas"):
        return threads.run_parts(lambda part: part, range(2))
