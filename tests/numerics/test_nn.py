"""numerics.nn: every backward against central differences, stable losses, models, logistic regression."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from numerics import nn
from numerics.finite_differences import jacobian
from numerics.logistic import logistic_objective

TOLERANCE = 1e-6  # relative error of back-propagation against central differences


def linear_functional(scores, weights):
    """``sum(scores * weights)``: its gradient is ``weights``, so backward sees a generic ``dy``."""
    return float(np.sum(scores * weights)), weights


def assert_backward_matches(model, x, seed):
    out = model.forward(x, training=False)
    weights = np.random.default_rng(seed).normal(size=out.shape)
    errors = nn.check_gradients(model, linear_functional, x, weights)
    assert max(errors.values()) < TOLERANCE, errors


seeds = st.integers(0, 2 ** 16)


@given(seeds, st.integers(1, 4), st.integers(1, 5), st.integers(1, 4),
       st.sampled_from(["relu", "sigmoid", "tanh"]))
def test_mlp_backward_matches_central_differences(seed, n, n_in, n_out, activation):
    rng = np.random.default_rng(seed)
    model = nn.MLP((n_in, 3, n_out), activation=activation, seed=seed)
    assert_backward_matches(model, rng.normal(size=(n, n_in)), seed)


@settings(max_examples=15)
@given(seeds, st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 2), st.integers(0, 1), st.integers(3, 6))
def test_conv2d_backward_matches_central_differences(seed, n, c_in, c_out, k, stride, padding,
                                                     size):
    rng = np.random.default_rng(seed)
    conv = nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, rng=rng)
    conv.params["bias"] = rng.normal(size=c_out)
    assert_backward_matches(nn.Sequential(conv), rng.normal(size=(n, c_in, size, size)), seed)


@settings(max_examples=15)
@given(seeds, st.integers(1, 3), st.integers(1, 2), st.integers(2, 7))
def test_maxpool_backward_matches_central_differences(seed, size, stride, width):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 2, max(width, size), max(width, size)))
    assert_backward_matches(nn.Sequential(nn.MaxPool2d(size, stride)), x, seed)


@settings(max_examples=10)
@given(seeds)
def test_small_all_cnn_backward_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(2, 3, 3, stride=2, rng=rng), nn.Tanh(), nn.GlobalAvgPool(),
                          nn.Linear(3, 2, rng=rng))
    x = rng.normal(size=(2, 1, 8, 8))
    errors = nn.check_gradients(model, nn.softmax_cross_entropy, x, np.array([0, 1]))
    assert max(errors.values()) < TOLERANCE, errors


def test_flatten_and_global_average_pool_backward():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.GlobalAvgPool(), nn.Linear(3, 2, rng=rng))
    assert_backward_matches(model, rng.normal(size=(2, 3, 4, 5)), 0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2, rng=rng))
    assert_backward_matches(model, rng.normal(size=(2, 3, 4)), 1)


@given(seeds, st.floats(0.1, 0.9))
def test_dropout_backward_uses_the_forward_mask(seed, p):
    x = np.random.default_rng(seed).normal(size=(3, 4))
    weights = np.random.default_rng(seed + 1).normal(size=x.shape)
    layer = nn.Dropout(p, rng=np.random.default_rng(seed))
    y = layer.forward(x)
    kept = y != 0
    assert np.allclose(y[kept], x[kept] / (1 - p))
    assert np.allclose(layer.backward(weights), np.where(kept, weights / (1 - p), 0.0))
    assert np.array_equal(layer.forward(x, training=False), x)


@pytest.mark.parametrize("stride, padding", [(2, 1), (1, 1), (1, 0), (1, 2), (3, 2)])
def test_conv2d_against_direct_sum(stride, padding):
    rng = np.random.default_rng(3)
    conv = nn.Conv2d(2, 3, 3, stride=stride, padding=padding, rng=rng)
    conv.params["bias"] = rng.normal(size=3)
    x = rng.normal(size=(2, 2, 5, 5))
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    w, b = conv.params["weight"], conv.params["bias"]
    size = (5 + 2 * padding - 3) // stride + 1
    expected = np.array([[[[np.sum(padded[n, :, stride * i:stride * i + 3,
                                          stride * j:stride * j + 3] * w[o]) + b[o]
                            for j in range(size)] for i in range(size)] for o in range(3)]
                         for n in range(2)])
    assert np.allclose(conv.forward(x), expected)


def test_maxpool_sends_a_tied_gradient_to_the_first_maximum_only():
    pool = nn.MaxPool2d(2)
    pool.forward(np.zeros((1, 1, 2, 2)))
    assert pool.backward(np.ones((1, 1, 1, 1)))[0, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


def relu_then_pool_reference(x, dy, size):
    """``maxpool(relu(x))`` and its input gradient by loops over the windows, as written.

    The gradient of a window goes to the first maximum of ``relu(x)`` in row-major order
    (PyTorch's rule), then through the ReLU, whose derivative at 0 is 0.
    """
    relu = np.maximum(x, 0)
    n, c, h, w = x.shape
    out = np.zeros((n, c, h // size, w // size))
    dx = np.zeros_like(x)
    for index in np.ndindex(out.shape):
        b, ch, i, j = index
        window = relu[b, ch, size * i:size * i + size, size * j:size * j + size]
        first = np.argmax(window)                   # numpy's argmax: the first maximum
        out[index] = window.flat[first]
        p, q = size * i + first // size, size * j + first % size
        dx[b, ch, p, q] += dy[index] * (x[b, ch, p, q] > 0)
    return out, dx


@settings(max_examples=20)
@given(seeds, st.integers(2, 3))
def test_relu_before_maxpool_matches_the_layers_run_as_written(seed, size):
    # integers from a short range: many ties within windows, zeros and all-negative windows
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, size=(2, 3, 2 * size, 3 * size)).astype(float)
    dy = rng.normal(size=(2, 3, 2, 3))
    model = nn.Sequential(nn.ReLU(), nn.MaxPool2d(size))
    expected_out, expected_dx = relu_then_pool_reference(x, dy, size)
    assert np.array_equal(model.forward(x), expected_out)
    assert np.array_equal(model.backward(dy), expected_dx)


@pytest.mark.parametrize("n", [5, 2 * nn.MIN_PART + 1])     # whole, and split between 2 threads
def test_conv_net_forward_and_gradients_match_pytorch(n):
    torch = pytest.importorskip("torch")
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(7)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3, stride=2, padding=1, rng=rng), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 2 * 2, 3, rng=rng))
    for layer in (model.layers[0], model.layers[3]):
        layer.params["bias"] = rng.normal(size=layer.params["bias"].shape)
    x = rng.normal(size=(n, 1, 16, 16))
    x[:, :, :8] = 0.0        # a blank half, as in MNIST: equal outputs, ties in the pools
    labels = rng.integers(0, 3, size=n)
    t = torch.nn
    reference = t.Sequential(t.Conv2d(1, 4, 3, padding=1), t.ReLU(), t.MaxPool2d(2),
                             t.Conv2d(4, 6, 3, stride=2, padding=1), t.ReLU(), t.MaxPool2d(2),
                             t.Flatten(), t.Linear(24, 3)).double()
    params = model.parameters()
    with torch.no_grad():
        for key, value in params.items():
            index, name = key.split(".")
            value = value.T if key == "7.weight" else value       # ours is (n_in, n_out)
            getattr(reference[int(index)], name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    inputs = torch.from_numpy(x).requires_grad_()
    scores = reference(inputs)
    t.functional.cross_entropy(scores, torch.from_numpy(labels)).backward()

    with threadpool_limits(2, user_api="blas"):
        ours = model.forward(x)
        assert (model._parts is None) == (n < 2 * nn.MIN_PART)
        _, dscores = nn.softmax_cross_entropy(ours, labels)
        dx = model.backward(dscores)
    assert np.allclose(ours, scores.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert np.allclose(dx, inputs.grad.numpy(), rtol=1e-10, atol=1e-14)
    for key, grad in model.gradients().items():
        index, name = key.split(".")
        expected = getattr(reference[int(index)], name).grad.numpy()
        assert np.allclose(grad, expected.T if key == "7.weight" else expected,
                           rtol=1e-10, atol=1e-14), key


# ------------------------------------------------------------------ losses

@given(seeds, st.integers(1, 5), st.integers(2, 6), st.floats(0.1, 1e3))
def test_softmax_cross_entropy_value_and_gradient(seed, n, k, scale):
    rng = np.random.default_rng(seed)
    logits = scale * rng.normal(size=(n, k))
    labels = rng.integers(0, k, size=n)
    loss, grad = nn.softmax_cross_entropy(logits, labels)
    reference = np.mean(logsumexp(logits, axis=1) - logits[np.arange(n), labels])
    assert np.isfinite(loss) and loss == pytest.approx(reference, rel=1e-12, abs=1e-12)
    numeric = jacobian(lambda z: nn.softmax_cross_entropy(z.reshape(n, k), labels)[0],
                       logits.ravel(), step=1e-6 * scale).reshape(n, k)
    assert np.allclose(grad, numeric, atol=1e-6)


@given(seeds, st.integers(1, 6), st.floats(0.1, 1e3))
def test_logistic_loss_is_the_stable_softplus(seed, n, scale):
    rng = np.random.default_rng(seed)
    scores = scale * rng.normal(size=n)
    labels = rng.choice([-1, 1], size=n)
    loss, grad = nn.logistic_loss(scores, labels)
    reference = np.mean([max(0.0, -m) + np.log1p(np.exp(-abs(m))) for m in labels * scores])
    assert loss == pytest.approx(reference, rel=1e-12)
    numeric = jacobian(lambda s: nn.logistic_loss(s, labels)[0], scores, step=1e-6 * scale)
    assert np.allclose(grad, numeric.ravel(), atol=1e-6)


def test_losses_never_overflow():
    assert nn.softmax_cross_entropy(np.array([[1e300, -1e300]]), np.array([1]))[0] == 2e300
    assert nn.softmax_cross_entropy(np.array([[1e300, -1e300]]), np.array([0]))[0] == 0.0
    assert nn.logistic_loss(np.array([-1e4]), np.array([1]))[0] == pytest.approx(1e4)
    assert nn.logistic_loss(np.array([1e4]), np.array([1]))[0] == 0.0


def test_mean_squared_error_gradient():
    p, t = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])
    loss, grad = nn.mean_squared_error(p, t)
    numeric = jacobian(lambda q: nn.mean_squared_error(q.reshape(2, 2), t)[0], p.ravel())
    assert loss == pytest.approx(1.5) and np.allclose(grad.ravel(), numeric.ravel())


def test_loss_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"labels range over \[0, 5\], must lie in \[0, 2\]"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 5]))
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        nn.logistic_loss(np.zeros(2), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"labels has shape \(3,\), must be \(2,\)"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))


# ------------------------------------------------------------------ models

def test_named_parameters_work_with_the_optimizers():
    from numerics import optim
    model = nn.MLP((4, 3, 2), seed=0)
    assert list(model.parameters()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    out = model.forward(np.ones((5, 4)))
    model.backward(nn.softmax_cross_entropy(out, np.zeros(5, int))[1])
    grads = model.gradients()
    opt = optim.sgd(0.1)
    updates, _ = opt.update(grads, opt.init(model.parameters()))
    expected = {k: v - 0.1 * grads[k] for k, v in model.parameters().items()}
    model.set_parameters(optim.apply_updates(model.parameters(), updates))
    assert all(np.allclose(model.parameters()[k], expected[k]) for k in expected)
    norms = model.gradient_norms()
    assert norms["0.Linear"] == pytest.approx(
        np.sqrt(np.sum(grads["0.weight"] ** 2) + np.sum(grads["0.bias"] ** 2)))


def test_float32_model_stays_float32():
    model = nn.MLP((6, 5, 3), dtype=np.float32, dropout=0.2)
    out = model.forward(np.ones((4, 6)))
    model.backward(nn.softmax_cross_entropy(out, np.zeros(4, int))[1])
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in model.gradients().values())
    model.set_parameters({k: v.astype(np.float64) for k, v in model.parameters().items()})
    assert all(v.dtype == np.float32 for v in model.parameters().values())
    with pytest.raises(ValueError, match="must be float64 for a gradient check"):
        nn.check_gradients(model, nn.softmax_cross_entropy, np.ones((1, 6)), np.array([0]))


def test_model_errors_name_the_problem():
    model = nn.MLP((2, 2))
    with pytest.raises(ValueError, match=r"params has keys \['x'\]"):
        model.set_parameters({"x": np.ones(2)})
    bad = {**model.parameters(), "0.bias": np.ones(3)}
    with pytest.raises(ValueError, match=r"params\['0.bias'\] has shape \(3,\), must have \(2,\)"):
        model.set_parameters(bad)
    with pytest.raises(TypeError, match=r"layers\[0\] == 3 is a int, must be a Layer"):
        nn.Sequential(3)
    with pytest.raises(ValueError, match="activation == 'elu'"):
        nn.MLP((2, 2), activation="elu")
    with pytest.raises(ValueError, match="init == 'glorot'"):
        nn.Linear(2, 2, init="glorot")
    with pytest.raises(ValueError, match="kernel_size == 0, must be an integer >= 1"):
        nn.Conv2d(1, 1, 0)
    with pytest.raises(ValueError, match=r"input shape \(1, 2, 4, 4\) does not fit"):
        nn.Conv2d(1, 1, 3).forward(np.zeros((1, 2, 4, 4)))
    with pytest.raises(ValueError, match=r"p == 1.0, must lie in \[0, 1\)"):
        nn.Dropout(1.0)


# ------------------------------------------------------------------ logistic regression

def logistic_data(seed, n=120, d=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    y = np.where(X @ w + 0.3 + rng.normal(size=n) > 0, 1, -1)
    return X, y


@settings(max_examples=10)
@given(seeds, st.sampled_from([1e-2, 1e-1, 1.0]))
def test_logistic_optimum_matches_scikit_learn(seed, lam):
    X, y = logistic_data(seed)
    n = len(y)
    ours = nn.LogisticRegression(lam=lam, solver="nesterov", max_iter=3000, tol=1e-10).fit(X, y)
    reference = SklearnLogisticRegression(C=1 / (n * lam), fit_intercept=False, tol=1e-12,
                                          max_iter=10_000).fit(np.column_stack([X, np.ones(n)]), y)
    assert np.allclose(np.append(ours.coef_, ours.intercept_), reference.coef_[0], atol=1e-6)


def test_logistic_solvers_reach_the_same_optimum():
    X, y = logistic_data(1)
    fits = {solver: nn.LogisticRegression(lam=0.1, solver=solver, max_iter=4000,
                                          lr=0.5 if solver == "sgd" else None,
                                          batch_size=32).fit(X, y)
            for solver in nn.SOLVERS}
    best = fits["nesterov"].objective(X, y)
    assert fits["gd"].objective(X, y) == pytest.approx(best, abs=1e-10)
    assert fits["sgd"].objective(X, y) == pytest.approx(best, abs=5e-3)
    assert np.all(np.diff(fits["gd"].loss_history_) <= 1e-15)     # GD with 1/L is monotone


def test_logistic_starts_where_told_and_reaches_the_same_optimum():
    X, y = logistic_data(5, n=80, d=4)
    start = np.random.default_rng(0).uniform(-1, 1, size=5)
    lam = 0.1
    for solver in ("gd", "nesterov"):          # the objective at the first iterate: the start
        model = nn.LogisticRegression(lam=lam, solver=solver, max_iter=1).fit(
            X, y, coef_init=start[:-1], intercept_init=start[-1])
        assert model.loss_history_[0] == pytest.approx(
            logistic_objective(start, X, y.astype(float), lam)[0], rel=1e-14)
    assert nn.LogisticRegression(max_iter=0).fit(X, y).coef_.tolist() == [0.0] * 4
    from_start = nn.LogisticRegression(lam=lam, solver="nesterov", max_iter=3000, tol=1e-10).fit(
        X, y, coef_init=start[:-1], intercept_init=start[-1])
    from_zero = nn.LogisticRegression(lam=lam, solver="nesterov", max_iter=3000, tol=1e-10).fit(
        X, y)
    assert np.allclose(from_start.coef_, from_zero.coef_, atol=1e-8)
    with pytest.raises(ValueError, match=r"coef_init has shape \(3,\), must be finite of "
                                         r"shape \(4,\)"):
        nn.LogisticRegression().fit(X, y, coef_init=np.zeros(3))


def test_logistic_nesterov_is_faster_than_gd():
    X, y = logistic_data(2, n=200, d=6)
    X[:, 0] *= 10                                                  # ill-conditioned
    iterations = {solver: nn.LogisticRegression(lam=1e-3, solver=solver, max_iter=20_000,
                                                tol=1e-6).fit(X, y).n_iter_
                  for solver in ("gd", "nesterov")}
    assert iterations["nesterov"] < iterations["gd"] / 3, iterations


def test_logistic_hessian_and_condition_number():
    X, y = logistic_data(3, n=60, d=3)
    model = nn.LogisticRegression(lam=0.05, solver="nesterov", max_iter=2000).fit(X, y)
    theta = np.append(model.coef_, model.intercept_)
    numeric = jacobian(lambda t: logistic_objective(t, X, y.astype(float), 0.05)[1], theta)
    assert np.allclose(model.hessian_, numeric, atol=1e-6)
    eigenvalues = np.linalg.eigvalsh(model.hessian_)
    assert model.condition_number_ == pytest.approx(eigenvalues[-1] / eigenvalues[0])
    assert eigenvalues[0] >= 0.05 - 1e-12                           # lam-strongly convex
    assert eigenvalues[-1] <= model.smoothness_ + 1e-12             # below the L bound
    assert model.momentum_ == pytest.approx(
        (np.sqrt(model.smoothness_ / 0.05) - 1) / (np.sqrt(model.smoothness_ / 0.05) + 1))


def test_logistic_objective_against_a_direct_softplus_and_finite_differences():
    X, y = logistic_data(4, n=50, d=3)
    model = nn.LogisticRegression(lam=0.2, solver="gd", max_iter=50).fit(X, y)
    theta = np.append(model.coef_, model.intercept_)
    loss, grad = logistic_objective(theta, X, y.astype(float), 0.2)
    direct = np.mean(np.logaddexp(0, -y * (X @ theta[:-1] + theta[-1]))) + 0.1 * theta @ theta
    assert loss == pytest.approx(direct, rel=1e-12)
    numeric = jacobian(lambda t: np.array([logistic_objective(t, X, y.astype(float), 0.2)[0]]),
                       theta)[0]
    assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    assert model.objective(X, y) == pytest.approx(model.loss_history_[-1], rel=1e-3)


def test_logistic_objective_over_many_row_blocks(monkeypatch):
    X, y = logistic_data(5, n=37, d=3)
    y = y.astype(float)
    monkeypatch.setattr("numerics.logistic.BLOCK_BYTES", 5 * 3 * X.itemsize)   # 5 rows a block
    monkeypatch.setattr("numerics.logistic.SHARED_CACHE_BYTES", 0)        # X does not fit
    theta = np.array([0.3, -0.2, 0.5, 0.1])
    loss, grad = logistic_objective(theta, X, y, 0.2)
    margin = y * (X @ theta[:-1] + theta[-1])
    weights = -y / (1 + np.exp(margin)) / len(y)           # d softplus(-margin) / d score, / n
    expected_grad = np.append(X.T @ weights, weights.sum()) + 0.2 * theta
    assert loss == pytest.approx(np.mean(np.logaddexp(0, -margin)) + 0.1 * theta @ theta,
                                 rel=1e-12)
    assert np.allclose(grad, expected_grad, rtol=1e-12, atol=1e-15)


def test_cache_sizes_read_as_linux_describes_them(tmp_path):
    from numerics.logistic import cache_bytes
    for index, (level, kind, size) in enumerate([(1, "Data", "48K"), (1, "Instruction", "64K"),
                                                 (2, "Unified", "2048K"), (3, "Unified", "1M")]):
        folder = tmp_path / f"index{index}"
        folder.mkdir()
        for name, text in (("level", level), ("type", kind), ("size", size)):
            (folder / name).write_text(f"{text}\n")
    assert cache_bytes(1, tmp_path) == 48 * 1024          # the data cache, not the instructions'
    assert cache_bytes(2, tmp_path) == 2048 * 1024
    assert cache_bytes(3, tmp_path) == 1024 * 1024
    assert cache_bytes(4, tmp_path) == 0


def test_cache_sizes_pass_over_an_entry_that_reads_as_no_number(tmp_path):
    from numerics.logistic import cache_bytes
    for index, (level, size) in enumerate([("2", "lots"), ("two", "1M"), ("2", "512K")]):
        folder = tmp_path / f"index{index}"
        folder.mkdir()
        for name, text in (("level", level), ("type", "Unified"), ("size", size)):
            (folder / name).write_text(f"{text}\n")
    (tmp_path / "index3").mkdir()                       # no files in it: cannot be read
    assert cache_bytes(2, tmp_path) == 512 * 1024
    assert cache_bytes(3, tmp_path) == 0


def test_wide_product_sums_every_piece_of_columns():
    from numerics.nn import PIECE, _wide_product
    rng = np.random.default_rng(3)
    for columns in (1, PIECE - 1, PIECE, PIECE + 1, 2 * PIECE + PIECE // 2):
        left, right = rng.normal(size=(9, columns)), rng.normal(size=(8, columns))
        # float64 sums of at most 2.5 * 8192 products of normals: rounding far below 1e-9
        assert np.allclose(_wide_product(left, right), left @ right.T, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("stride, padding", [(1, 1), (1, 0), (2, 0), (2, 1)])
def test_conv_over_more_columns_than_one_piece(stride, padding):
    """Output and gradients against the cross-correlation written out with sliding
    windows, on a batch whose patch matrix is more than one piece of columns wide."""
    from numpy.lib.stride_tricks import sliding_window_view

    from numerics.nn import PIECE
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 2, 50, 50))
    conv = nn.Conv2d(2, 4, 3, stride=stride, padding=padding, rng=rng)
    conv.params["bias"][:] = rng.normal(size=4)
    pads = ((0, 0), (0, 0), (padding, padding), (padding, padding))
    windows = sliding_window_view(np.pad(x, pads), (3, 3), axis=(2, 3))[
        :, :, ::stride, ::stride]                                  # (n, c, p, q, i, j)
    n, _, out_h, out_w = windows.shape[:4]
    assert n * out_h * out_w > PIECE
    expected = np.einsum("ncpqij,ocij->nopq", windows, conv.params["weight"]) \
        + conv.params["bias"][None, :, None, None]
    dy = rng.normal(size=expected.shape)
    # the adjoint: each output's gradient sent back to the inputs its window read
    dx = np.zeros(np.pad(x, pads).shape)
    for i in range(3):
        for j in range(3):
            dx[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += np.einsum(
                "nopq,oc->ncpq", dy, conv.params["weight"][:, :, i, j])
    # float64 sums of at most 40,000 products of normals: rounding far below 1e-9
    assert np.allclose(conv.forward(x), expected, rtol=1e-12, atol=1e-9)
    assert np.allclose(conv.backward(dy), dx[:, :, padding:padding + 50, padding:padding + 50],
                       rtol=1e-12, atol=1e-9)
    assert np.allclose(conv.grads["weight"], np.einsum("nopq,ncpqij->ocij", dy, windows),
                       rtol=1e-12, atol=1e-9)
    assert np.allclose(conv.grads["bias"], dy.sum(axis=(0, 2, 3)), rtol=1e-12, atol=1e-9)


def test_logistic_errors_name_the_problem():
    X, y = logistic_data(0, n=10)
    with pytest.raises(ValueError, match=r"lam == 0.0, must be > 0"):
        nn.LogisticRegression(lam=0.0).fit(X, y)
    with pytest.raises(ValueError, match="y must hold -1 or \\+1 labels"):
        nn.LogisticRegression().fit(X, (y + 1) // 2)
    with pytest.raises(ValueError, match="solver == 'lbfgs'"):
        nn.LogisticRegression(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="not fitted yet"):
        nn.LogisticRegression().predict(X)
