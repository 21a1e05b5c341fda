"""numerics.autodiff: forward and reverse mode against each other and finite differences."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.autodiff import (Dual, Var, exp, forward_jacobian, forward_trace, gd_loss, log,
                               maximum, relu, reverse_jacobian, reverse_trace, scalar_chain,
                               sigmoid, to_dot)
from numerics.finite_differences import jacobian

UNARY = [exp, sigmoid, relu, lambda a: log(1.0 + a * a)]
BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, maximum,
          lambda a, b: a / (1.5 + sigmoid(b))]


def random_function(seed, inputs=3, operations=8):
    """A random composition of + - * / exp log sigmoid max relu, as f(*inputs) -> [outputs]."""
    rng = np.random.default_rng(seed)
    plan = [(rng.integers(2), rng.integers(len(BINARY)), rng.integers(0, inputs + k, size=2))
            for k in range(operations)]

    def f(*xs):
        nodes = list(xs)
        for kind, which, (i, j) in plan:
            if kind == 0:
                nodes.append(UNARY[which % len(UNARY)](0.5 * nodes[i]))
            else:
                nodes.append(BINARY[which](nodes[i], nodes[j]) * 0.5)
        return nodes[-2:]
    return f


@given(seed=st.integers(0, 2**32 - 1), x=st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_forward_and_reverse_agree_with_each_other_and_finite_differences(seed, x):
    f = random_function(seed)
    forward, reverse = forward_jacobian(f, x), reverse_jacobian(f, x)
    np.testing.assert_allclose(forward, reverse, rtol=1e-12, atol=1e-12)
    # at a kink of max/relu the one-sided quotients differ; elsewhere both match
    ahead, behind = (jacobian(lambda v: f(*v), x, 1e-7, scheme)
                     for scheme in ("forward", "backward"))
    if np.allclose(ahead, behind, rtol=1e-4, atol=1e-6):
        np.testing.assert_allclose(forward, (ahead + behind) / 2, rtol=1e-5, atol=1e-6)


def test_primitive_derivatives():
    x = 0.7
    for function, derivative in [(exp, np.exp(x)), (log, 1 / x),
                                 (sigmoid, np.exp(-x) / (1 + np.exp(-x)) ** 2), (relu, 1.0)]:
        assert function(Dual(x, 1.0)).tangent == pytest.approx(derivative, rel=1e-14)
        v = Var(x)
        function(v).backward()
        assert v.grad == pytest.approx(derivative, rel=1e-14)
    assert relu(Dual(-1.0, 1.0)).tangent == 0.0
    assert (Dual(1.0, 1.0) / 2.0).tangent == 0.5 and (2.0 / Dual(1.0, 1.0)).tangent == -2.0


def test_max_takes_the_active_branch_and_the_first_at_a_tie():
    assert reverse_jacobian(lambda a, b: maximum(a, b), [1.0, -1.0]).tolist() == [[1.0, 0.0]]
    assert reverse_jacobian(lambda a, b: maximum(a, b), [-1.0, 1.0]).tolist() == [[0.0, 1.0]]
    assert forward_jacobian(lambda a, b: maximum(a, b), [2.0, 2.0]).tolist() == [[1.0, 0.0]]


def test_reused_variable_accumulates_adjoints():
    x = Var(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0


def test_traces_record_every_step():
    forward = forward_trace(lambda a, b: exp(a) * b, [0.0, 2.0], [1.0, 0.0])
    assert [op for op, _, _ in forward] == ["input", "input", "exp", "mul"]
    assert forward[-1][1:] == (2.0, 2.0)
    backward = reverse_trace(lambda a, b: exp(a) * b, [0.0, 2.0])
    assert [(op, adjoint) for op, _, adjoint in backward] == [
        ("mul", 1.0), ("input", 1.0), ("exp", 2.0), ("input", 2.0)]


def test_dot_drawing_has_a_node_per_operation_and_an_edge_per_input():
    text = to_dot((Var(1.0) + Var(2.0)) * Var(3.0))
    assert text.startswith("digraph G {") and text.endswith("}")
    assert text.count("[label=") == 5 and text.count("->") == 4


@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 6), eta=st.floats(0.01, 0.2))
def test_gd_loss_forward_and_reverse_derivatives_agree(seed, steps, eta):
    rng = np.random.default_rng(seed)
    X, t, w0 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3)
    dual = gd_loss(X, t, w0, Dual(eta, 1.0), steps)
    var = Var(eta)
    loss = gd_loss(X, t, w0, var, steps)
    loss.backward()
    assert float(dual.value) == pytest.approx(gd_loss(X, t, w0, eta, steps), rel=1e-12)
    assert float(dual.tangent) == pytest.approx(var.grad, rel=1e-9, abs=1e-12)


def test_chain_and_loop_errors():
    with pytest.raises(ValueError, match=r"activation == 'tanh', must be 'sigmoid' or 'relu'"):
        scalar_chain([1.0], 0.5, activation="tanh")
    with pytest.raises(ValueError, match=r"steps == 1.5, must be a whole number >= 0"):
        gd_loss(np.eye(2), np.ones(2), np.zeros(2), 0.1, 1.5)
