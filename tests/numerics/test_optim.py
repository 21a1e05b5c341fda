"""numerics.optim: hand-computed steps, convergence, reparametrisations, purity, validation."""
import math

import numpy as np
import pytest
from hypothesis import assume, example, given, strategies as st

from numerics import optim
from numerics.optim import apply_updates

GRADS = [1.0, -2.0, 0.5]  # a fixed gradient sequence for the hand-computed steps


def run(opt, w0, grads=GRADS):
    """Parameters after each update when the gradients are given in advance."""
    w = np.array([w0])
    state = opt.init(w)
    path = []
    for g in grads:
        updates, state = opt.update(np.array([g]), state, w)
        w = apply_updates(w, updates)
        path.append(float(w[0]))
    return path


def descend(opt, gradient, w0, steps):
    """Parameters after each update when the gradient is taken at the current parameters."""
    w = np.asarray(w0, dtype=float)
    state = opt.init(w)
    path = [w]
    for _ in range(steps):
        updates, state = opt.update(gradient(w), state, w)
        w = apply_updates(w, updates)
        path.append(w)
    return np.array(path)


# ------------------------------------------------------------------ hand-computed steps

def test_sgd_by_hand():
    assert run(optim.sgd(0.1), 1.0) == pytest.approx([0.9, 1.1, 1.05], abs=1e-15)


def test_sgd_momentum_dampening_weight_decay_by_hand():
    lr, mu, d, wd = 0.1, 0.9, 0.5, 0.1
    w0 = 1.0
    g1 = 1.0 + wd * w0
    b1 = g1                                  # first step: the buffer is the gradient
    w1 = w0 - lr * b1
    g2 = -2.0 + wd * w1
    b2 = mu * b1 + (1 - d) * g2
    w2 = w1 - lr * b2
    g3 = 0.5 + wd * w2
    b3 = mu * b2 + (1 - d) * g3
    w3 = w2 - lr * b3
    assert run(optim.sgd(lr, momentum=mu, dampening=d, weight_decay=wd), w0) == pytest.approx(
        [w1, w2, w3], abs=1e-15)


def test_sgd_nesterov_by_hand():
    lr, mu = 0.1, 0.9
    b1 = 1.0
    w1 = 1.0 - lr * (1.0 + mu * b1)
    b2 = mu * b1 - 2.0
    w2 = w1 - lr * (-2.0 + mu * b2)
    assert run(optim.sgd(lr, momentum=mu, nesterov=True), 1.0, GRADS[:2]) == pytest.approx(
        [w1, w2], abs=1e-15)


def test_sgd_dampening_is_ignored_without_momentum():
    assert run(optim.sgd(0.1, dampening=0.5), 1.0) == pytest.approx([0.9, 1.1, 1.05], abs=1e-15)


def test_momentum_ema_by_hand():
    eta, beta = 0.5, 0.2
    z1 = beta * 1.0
    z2 = (1 - beta) * z1 + beta * -2.0
    z3 = (1 - beta) * z2 + beta * 0.5
    assert run(optim.momentum_ema(eta, beta), 0.0) == pytest.approx(
        [-eta * z1, -eta * (z1 + z2), -eta * (z1 + z2 + z3)], abs=1e-15)


@pytest.mark.parametrize("factory", [optim.sgd_momentum_cs231n, optim.heavy_ball])
def test_velocity_momentum_by_hand(factory):
    lr, mu = 0.1, 0.5
    v1 = -lr * 1.0
    v2 = mu * v1 - lr * -2.0
    v3 = mu * v2 - lr * 0.5
    assert run(factory(lr, mu), 1.0) == pytest.approx(
        [1.0 + v1, 1.0 + v1 + v2, 1.0 + v1 + v2 + v3], abs=1e-15)


def test_heavy_ball_is_the_classical_recurrence():
    alpha, m = 0.3, 0.6
    previous = current = 2.0
    expected = []
    for g in GRADS:
        previous, current = current, current - alpha * g + m * (current - previous)
        expected.append(current)
    assert run(optim.heavy_ball(alpha, m), 2.0) == pytest.approx(expected, abs=1e-15)


def test_adagrad_by_hand():
    lr, lr_decay, wd, r0, eps = 0.5, 0.1, 0.2, 0.3, 1e-10
    w0 = 1.0
    g1 = 1.0 + wd * w0
    r1 = r0 + g1 ** 2
    w1 = w0 - lr / (1 + 0 * lr_decay) * g1 / (math.sqrt(r1) + eps)
    g2 = -2.0 + wd * w1
    r2 = r1 + g2 ** 2
    w2 = w1 - lr / (1 + 1 * lr_decay) * g2 / (math.sqrt(r2) + eps)
    opt = optim.adagrad(lr, lr_decay=lr_decay, weight_decay=wd, initial_accumulator_value=r0,
                        eps=eps)
    assert run(opt, w0, GRADS[:2]) == pytest.approx([w1, w2], abs=1e-15)


def test_adagrad_eps_inside():
    assert run(optim.adagrad(1.0, eps=0.5, eps_placement="inside"), 0.0, [2.0]) == pytest.approx(
        [-2.0 / math.sqrt(4.0 + 0.5)], abs=1e-15)


def test_rmsprop_torch_form_by_hand():
    lr, alpha, eps = 0.01, 0.9, 1e-8
    r1 = (1 - alpha) * 1.0
    w1 = 1.0 - lr * 1.0 / (math.sqrt(r1) + eps)
    r2 = alpha * r1 + (1 - alpha) * 4.0
    w2 = w1 - lr * -2.0 / (math.sqrt(r2) + eps)
    assert run(optim.rmsprop(lr, alpha=alpha, eps=eps), 1.0, GRADS[:2]) == pytest.approx(
        [w1, w2], abs=1e-15)


def test_rmsprop_textbook_eps_inside_by_hand():
    step, rho, delta = 1.0, 0.9, 1e-8
    r = 0.0
    w = 1.0
    expected = []
    for g in GRADS:
        r = rho * r + (1 - rho) * g * g
        w = w - step / math.sqrt(delta + r) * g
        expected.append(w)
    opt = optim.rmsprop(step, alpha=rho, eps=delta, eps_placement="inside")
    assert run(opt, 1.0) == pytest.approx(expected, rel=1e-13, abs=1e-13)


def test_rmsprop_centered_momentum_weight_decay_by_hand():
    lr, alpha, eps, mu, wd = 0.01, 0.8, 1e-3, 0.5, 0.1
    w0 = 1.0
    g1 = 1.0 + wd * w0
    r1, a1 = (1 - alpha) * g1 ** 2, (1 - alpha) * g1
    b1 = g1 / (math.sqrt(r1 - a1 ** 2) + eps)
    w1 = w0 - lr * b1
    g2 = -2.0 + wd * w1
    r2, a2 = alpha * r1 + (1 - alpha) * g2 ** 2, alpha * a1 + (1 - alpha) * g2
    b2 = mu * b1 + g2 / (math.sqrt(r2 - a2 ** 2) + eps)
    w2 = w1 - lr * b2
    opt = optim.rmsprop(lr, alpha=alpha, eps=eps, weight_decay=wd, momentum=mu, centered=True)
    assert run(opt, w0, GRADS[:2]) == pytest.approx([w1, w2], abs=1e-14)


def adam_by_hand(lr, b1, b2, eps, w0, grads, wd=0.0, decoupled=False, amsgrad=False):
    """Adam written out with plain floats, independent of the code under test."""
    w, m, v, v_max = w0, 0.0, 0.0, 0.0
    path = []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            w = w * (1 - lr * wd)
        else:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = max(v_max, v)
        m_hat = m / (1 - b1 ** t)
        v_hat = (v_max if amsgrad else v) / (1 - b2 ** t)
        w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        path.append(w)
    return path


@pytest.mark.parametrize("wd, amsgrad", [(0.0, False), (0.1, False), (0.0, True)])
def test_adam_by_hand(wd, amsgrad):
    expected = adam_by_hand(0.1, 0.9, 0.999, 1e-8, 1.0, GRADS, wd=wd, amsgrad=amsgrad)
    got = run(optim.adam(0.1, weight_decay=wd, amsgrad=amsgrad), 1.0)
    assert got == pytest.approx(expected, rel=1e-13, abs=1e-13)


def test_adam_first_step_is_lr_times_sign():
    # m_hat = g and v_hat = g^2 at step 1, so the first update is -lr g / (|g| + eps);
    # eps = 1e-300 moves it by lr eps / |g|, far below one rounding of 1.1
    assert run(optim.adam(0.1, eps=1e-300), 1.0, [-7.0]) == pytest.approx([1.1], abs=1e-15)


def test_adam_eps_inside():
    got = run(optim.adam(0.1, eps=0.5, eps_placement="inside"), 0.0, [2.0])
    assert got == pytest.approx([-0.1 * 2.0 / math.sqrt(4.0 + 0.5)], abs=1e-15)


def test_adamw_by_hand():
    expected = adam_by_hand(0.1, 0.8, 0.99, 1e-8, 1.0, GRADS, wd=0.5, decoupled=True)
    got = run(optim.adamw(0.1, betas=(0.8, 0.99), weight_decay=0.5), 1.0)
    assert got == pytest.approx(expected, rel=1e-13, abs=1e-13)


def test_adamw_defaults_to_weight_decay_one_hundredth():
    expected = adam_by_hand(1e-3, 0.9, 0.999, 1e-8, 3.0, GRADS, wd=1e-2, decoupled=True)
    assert run(optim.adamw(), 3.0) == pytest.approx(expected, rel=1e-13)


# ------------------------------------------------------------------ Nesterov

def lookahead_nesterov(A, lr, m, w0, steps):
    """Nesterov's look-ahead recurrence written directly: ``(y_t, w_t)`` for t = 0..steps."""
    w_prev = w = np.array(w0, dtype=float)
    ys, ws = [], [w]
    for _ in range(steps):
        y = w + m * (w - w_prev)
        ys.append(y)
        w_prev, w = w, y - lr * A @ y
        ws.append(w)
    ys.append(w + m * (w - w_prev))
    return np.array(ys), np.array(ws)


@given(kappa=st.floats(1.0, 100.0), seed=st.integers(0, 2**32 - 1))
def test_nesterov_is_the_lookahead_recurrence_on_a_quadratic(kappa, seed):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    A = Q @ np.diag([1.0, (1.0 + kappa) / 2, kappa]) @ Q.T
    lr, m = 1.0 / kappa, optim.nesterov_momentum(kappa)
    w0 = rng.standard_normal(3)
    ys, ws = lookahead_nesterov(A, lr, m, w0, 30)
    opt = optim.nesterov(lr, kappa=kappa)
    y, state = w0, opt.init(w0)
    got_y, got_w = [y], [optim.nesterov_iterate(y, state, m)]
    for _ in range(30):
        updates, state = opt.update(A @ y, state, y)
        y = apply_updates(y, updates)
        got_y.append(y)
        got_w.append(optim.nesterov_iterate(y, state, m))
    np.testing.assert_allclose(got_y, ys, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_w, ws, rtol=1e-10, atol=1e-12)


@given(lr=st.floats(0.01, 0.5), m=st.floats(0.0, 0.95))
def test_nesterov_lookahead_form_is_torch_nesterov_sgd(lr, m):
    A = np.diag([0.5, 1.5])
    gradient = lambda w: A @ w  # noqa: E731
    ours = descend(optim.nesterov(lr, momentum=m), gradient, [1.0, -1.0], 25)
    torch_form = descend(optim.sgd(lr, momentum=m, nesterov=True), gradient, [1.0, -1.0], 25) \
        if m > 0 else descend(optim.sgd(lr), gradient, [1.0, -1.0], 25)
    np.testing.assert_allclose(ours, torch_form, rtol=1e-10, atol=1e-12)


def test_nesterov_momentum_of_kappa():
    assert optim.nesterov_momentum(1.0) == 0.0
    assert optim.nesterov_momentum(100.0) == pytest.approx(9 / 11, abs=1e-15)


# ------------------------------------------------------------------ convergence

def parabola_gradient(w):
    return np.array([1.0, 10.0]) * w


def rosenbrock_gradient(w):
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


PARABOLA = [
    (optim.sgd(0.1), 200),
    (optim.sgd(0.05, momentum=0.9), 300),
    (optim.sgd(0.05, momentum=0.9, nesterov=True), 300),
    (optim.momentum_ema(0.5, 0.2), 300),
    (optim.sgd_momentum_cs231n(0.05, 0.8), 300),
    (optim.heavy_ball(0.05, 0.8), 300),
    (optim.nesterov(0.1, kappa=10.0), 300),
    (optim.adagrad(0.5), 2000),
    (optim.rmsprop(0.01), 3000),
    (optim.rmsprop(0.01, eps_placement="inside", centered=True, momentum=0.5), 3000),
    (optim.adam(0.05), 3000),
    (optim.adam(0.05, amsgrad=True), 3000),
    (optim.adamw(0.05, weight_decay=1e-3), 3000),
]


@pytest.mark.parametrize("opt, steps", PARABOLA)
def test_converges_on_a_parabola(opt, steps):
    w = descend(opt, parabola_gradient, [1.0, -1.0], steps)[-1]
    assert np.linalg.norm(w) < 2e-2


ROSENBROCK = [
    (optim.sgd(1e-3, momentum=0.9), 4000),
    (optim.sgd(1e-3, momentum=0.9, nesterov=True), 4000),
    (optim.momentum_ema(1e-2, 0.1), 4000),
    (optim.heavy_ball(1e-3, 0.9), 4000),
    (optim.nesterov(1e-3, momentum=0.9), 4000),
    (optim.adam(0.02), 4000),
    (optim.rmsprop(1e-3, momentum=0.9), 4000),
]


@pytest.mark.parametrize("opt, steps", ROSENBROCK)
def test_converges_on_rosenbrock(opt, steps):
    w = descend(opt, rosenbrock_gradient, [-1.2, 1.0], steps)[-1]
    np.testing.assert_allclose(w, [1.0, 1.0], atol=1e-3)


# ------------------------------------------------------------------ reparametrisations

def least_squares(seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    return lambda w: X.T @ (X @ w - y) / 6


def same_trajectory(first, second, gradient, steps=40):
    with np.errstate(over="ignore", invalid="ignore"):
        a = descend(first, gradient, np.zeros(3), steps)
        b = descend(second, gradient, np.zeros(3), steps)
    assume(np.all(np.isfinite(a)) and np.abs(a).max() < 1e6)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(a).max())


@given(eta=st.floats(0.01, 2.0), beta=st.floats(0.05, 1.0), seed=st.integers(0, 2**32 - 1))
def test_ema_is_undamped_torch_momentum(eta, beta, seed):
    """EMA ``(eta, beta)`` is PyTorch SGD ``(lr = eta beta, momentum = 1 - beta, dampening = 0)``.

    With ``z = beta b`` both recurrences start from a zero buffer: PyTorch's first buffer
    ``b = g`` is ``momentum * 0 + g``, so the two agree at every step.
    """
    same_trajectory(optim.momentum_ema(eta, beta), optim.sgd(eta * beta, momentum=1 - beta),
                    least_squares(seed))


def test_dampened_torch_momentum_is_not_ema_on_its_first_step():
    """``dampening = 1 - momentum`` would give the EMA, but PyTorch skips it on step 1 (b = g)."""
    eta, beta = 0.5, 0.25
    ema = run(optim.momentum_ema(eta, beta), 0.0)
    dampened = run(optim.sgd(eta, momentum=1 - beta, dampening=1 - beta), 0.0)
    assert ema[0] == pytest.approx(-eta * beta * 1.0, abs=1e-15)
    assert dampened[0] == pytest.approx(-eta * 1.0, abs=1e-15)
    # afterwards both are the same recurrence, so the gap is the first-step gap decayed
    gap = [d - e for d, e in zip(dampened, ema)]
    first = -eta * (1 - beta)
    assert gap == pytest.approx([first, first * (1 + (1 - beta)),
                                 first * (1 + (1 - beta) + (1 - beta) ** 2)], abs=1e-15)


@given(lr=st.floats(0.01, 2.0), mu=st.floats(0.0, 0.95), seed=st.integers(0, 2**32 - 1))
def test_cs231n_momentum_is_torch_momentum_with_velocity_minus_lr_b(lr, mu, seed):
    gradient = least_squares(seed)
    same_trajectory(optim.sgd_momentum_cs231n(lr, mu), optim.sgd(lr, momentum=mu), gradient)
    cs, torch_form = optim.sgd_momentum_cs231n(lr, mu), optim.sgd(lr, momentum=mu)
    w = np.zeros(3)
    s_cs, s_torch = cs.init(w), torch_form.init(w)
    for _ in range(5):
        g = gradient(w)
        u, s_cs = cs.update(g, s_cs, w)
        _, s_torch = torch_form.update(g, s_torch, w)
        w = apply_updates(w, u)
        np.testing.assert_allclose(s_cs.trace, -lr * s_torch.trace, rtol=1e-12, atol=1e-15)


@given(eta=st.floats(0.01, 2.0), beta=st.floats(0.05, 1.0), seed=st.integers(0, 2**32 - 1))
def test_heavy_ball_is_ema_with_alpha_eta_beta_and_m_one_minus_beta(eta, beta, seed):
    same_trajectory(optim.momentum_ema(eta, beta), optim.heavy_ball(eta * beta, 1 - beta),
                    least_squares(seed))


# ------------------------------------------------------------------ schedules, trees, purity

def test_schedule_is_evaluated_at_the_count_before_the_update():
    seen = []

    def schedule(count):
        seen.append(count)
        return [1.0, 0.5, 0.25][count]

    assert run(optim.sgd(schedule), 0.0) == pytest.approx([-1.0, 0.0, -0.125], abs=1e-15)
    assert seen == [0, 1, 2]


def test_cs231n_keeps_each_steps_rate_inside_the_velocity():
    rates = [1.0, 0.5]
    got = run(optim.sgd_momentum_cs231n(lambda c: rates[c], 0.5), 0.0, [1.0, 1.0])
    v1 = -1.0
    v2 = 0.5 * v1 - 0.5
    assert got == pytest.approx([v1, v1 + v2], abs=1e-15)


def test_dict_params_are_updated_leaf_by_leaf():
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    grads = {"W": np.full((2, 2), 2.0), "b": np.array([1.0, -1.0])}
    opt = optim.adam(0.1)
    updates, state = opt.update(grads, opt.init(params), params)
    new = apply_updates(params, updates)
    np.testing.assert_allclose(new["W"], 0.9)
    np.testing.assert_allclose(new["b"], [-0.1, 0.1])
    assert set(state.exp_avg) == {"W", "b"} and state.count == 1


ALL = [
    optim.sgd(0.1, momentum=0.9, weight_decay=0.1),
    optim.sgd(0.1, momentum=0.9, nesterov=True),
    optim.momentum_ema(0.1, 0.5), optim.sgd_momentum_cs231n(0.1, 0.9),
    optim.heavy_ball(0.1, 0.9), optim.nesterov(0.1, kappa=4.0),
    optim.adagrad(0.1, weight_decay=0.1),
    optim.rmsprop(0.1, momentum=0.9, centered=True, weight_decay=0.1),
    optim.adam(0.1, amsgrad=True, weight_decay=0.1), optim.adamw(0.1),
]


@pytest.mark.parametrize("opt", ALL)
def test_nothing_is_modified_in_place(opt):
    params = {"w": np.array([1.0, -2.0])}
    grads = {"w": np.array([0.5, 3.0])}
    state = opt.update(grads, opt.init(params), params)[1]
    frozen = [np.copy(leaf["w"]) if isinstance(leaf, dict) else leaf for leaf in state]
    _, new_state = opt.update(grads, state, params)
    for before, after in zip(frozen, state):
        np.testing.assert_array_equal(after["w"] if isinstance(after, dict) else after, before)
    np.testing.assert_array_equal(params["w"], [1.0, -2.0])
    np.testing.assert_array_equal(grads["w"], [0.5, 3.0])
    assert new_state.count == state.count + 1


def test_apply_updates_returns_new_arrays():
    w = np.array([1.0])
    new = apply_updates(w, np.array([1.0]))
    assert new is not w and w[0] == 1.0 and new[0] == 2.0


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("build, message", [
    (lambda: optim.sgd(0.1, momentum=1.5), r"momentum == 1.5, must lie in \[0, 1\); choose a smaller momentum"),
    (lambda: optim.sgd(-0.1), r"lr == -0.1, must be >= 0; choose a larger lr"),
    (lambda: optim.sgd(0.1, nesterov=True), r"nesterov=True needs momentum > 0"),
    (lambda: optim.sgd(0.1, momentum=0.9, dampening=0.1, nesterov=True), r"dampening == 0.1"),
    (lambda: optim.sgd(0.1, dampening=2.0), r"dampening == 2.0, must lie in \[0, 1\]"),
    (lambda: optim.momentum_ema(0.1, 0.0), r"beta == 0.0, must lie in \(0, 1\]; choose a larger beta"),
    (lambda: optim.heavy_ball(0.1, 1.0), r"m == 1.0, must lie in \[0, 1\)"),
    (lambda: optim.nesterov(0.1), r"give exactly one"),
    (lambda: optim.nesterov(0.1, momentum=0.5, kappa=4.0), r"give exactly one"),
    (lambda: optim.nesterov(0.1, kappa=0.5), r"kappa == 0.5, must be >= 1"),
    (lambda: optim.adagrad(eps=-1.0), r"eps == -1.0, must be > 0; choose a larger eps"),
    (lambda: optim.adagrad(eps=0), r"eps == 0, must be > 0; choose a larger eps"),
    (lambda: optim.rmsprop(eps=0.0), r"eps == 0.0, must be > 0"),
    (lambda: optim.adam(eps=0.0, eps_placement="inside"), r"eps == 0.0, must be > 0"),
    (lambda: optim.adamw(eps=0), r"eps == 0, must be > 0"),
    (lambda: optim.sgd(float("inf")), r"lr == inf, must be finite and >= 0; pass a finite lr"),
    (lambda: optim.adam(lr=float("inf")), r"lr == inf, must be finite"),
    (lambda: optim.sgd(0.1, weight_decay=float("inf")), r"weight_decay == inf, must be finite"),
    (lambda: optim.sgd(0.1, momentum=float("-inf")), r"momentum == -inf, must be finite and in \[0, 1\)"),
    (lambda: optim.rmsprop(alpha=1.0), r"alpha == 1.0, must lie in \[0, 1\)"),
    (lambda: optim.rmsprop(eps_placement="under"), r"eps_placement == 'under', must be one of"),
    (lambda: optim.adam(betas=(0.9, 1.2)), r"betas\[1\] == 1.2, must lie in \[0, 1\)"),
    (lambda: optim.adam(lr=float("nan")), r"lr == nan.*pass a finite lr"),
])
def test_invalid_settings_are_named(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_type_errors_are_named():
    with pytest.raises(TypeError, match=r"lr == '0.1' is a str, must be a real number"):
        optim.sgd("0.1")
    with pytest.raises(TypeError, match=r"betas == 0.9, must be a pair"):
        optim.adam(betas=0.9)
    with pytest.raises(TypeError, match=r"centered == 1, must be True or False"):
        optim.rmsprop(centered=1)


@pytest.mark.parametrize("opt", [optim.sgd(0.1, weight_decay=0.1), optim.adamw(0.1)])
def test_weight_decay_needs_params(opt):
    w = np.array([1.0])
    with pytest.raises(ValueError, match=r"params is None but weight_decay == 0.\d+ needs them"):
        opt.update(w, opt.init(w))


def test_decoupled_weight_decay_is_adamw_at_a_fixed_rate():
    rng = np.random.default_rng(0)
    w = rng.normal(size=4)
    wrapped = optim.decoupled_weight_decay(optim.adam(0.01), 0.01 * 0.1)
    torch_like = optim.adamw(0.01, weight_decay=0.1)
    states = [wrapped.init(w), torch_like.init(w)]
    params = [w, w]
    for _ in range(5):
        grads = rng.normal(size=4)
        for k, opt in enumerate((wrapped, torch_like)):
            updates, states[k] = opt.update(grads, states[k], params[k])
            params[k] = apply_updates(params[k], updates)
    np.testing.assert_allclose(params[0], params[1], rtol=1e-12)
    with pytest.raises(ValueError, match="decay == 1.5"):
        optim.decoupled_weight_decay(optim.sgd(0.1), 1.5)


DTYPES = st.sampled_from([np.float16, np.float32, np.float64, np.int64])
SCALARS = st.one_of(st.floats(-2, 2), st.sampled_from([1, 1.0, 0, -1]),
                    st.floats(-2, 2).map(np.float64), st.floats(-2, 2).map(np.float32))


@given(a=SCALARS, b=SCALARS, x_dtype=DTYPES, y_dtype=DTYPES, seed=st.integers(0, 2**16),
       shapes=st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((3,), (2, 3)), ((), ()), ((), (2,))]))
@example(a=0.5, b=1.0, x_dtype=np.int64, y_dtype=np.int64, seed=0, shapes=((3,), (3,)))
@example(a=0.5, b=np.float64(1.0), x_dtype=np.float32, y_dtype=np.float32, seed=0,
         shapes=((3,), (3,)))
@example(a=0.9, b=1, x_dtype=np.float32, y_dtype=np.float64, seed=0, shapes=((3,), (2, 3)))
@example(a=0.9, b=1.0, x_dtype=np.float64, y_dtype=np.float64, seed=0, shapes=((), ()))
def test_trace_combination_is_the_expression_bit_for_bit(a, b, x_dtype, y_dtype, seed, shapes):
    """The momentum trace's a x + b y: same values, dtype and shape as NumPy's expression."""
    from numerics.optim import _combination
    rng = np.random.default_rng(seed)
    x = np.asarray(rng.normal(size=shapes[0]) * 4).astype(x_dtype)
    y = np.asarray(rng.normal(size=shapes[1]) * 4).astype(y_dtype)
    expected = a * x + b * y
    got = _combination(a, x, b, y)
    assert np.result_type(got) == np.result_type(expected)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_array_equal(got, expected)    # exact: the same operations, same order
