"""Automatic differentiation in two small pieces: dual numbers and a tape.

Forward mode carries a tangent beside every value (:class:`Dual`); reverse mode
records every operation (:class:`Var`) and sends adjoints back along the records.
Both share one table of primitives, each a value and its local partial derivatives:
``+ - * / exp log sigmoid max relu``.  A :class:`Dual` may hold NumPy arrays (with
``@`` and ``sum``), which is how :func:`gd_loss` differentiates a whole
gradient-descent run with respect to its learning rate.

``max(a, b)`` is differentiated along the active branch; at a tie the first
argument counts as active.  ``relu'(0) = 0``.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit

from .optim import _count

__all__ = ["Dual", "Var", "exp", "log", "sigmoid", "relu", "maximum", "forward_jacobian",
           "reverse_jacobian", "forward_trace", "reverse_trace", "to_dot", "gd_loss",
           "scalar_chain"]

PRIMITIVES = {
    "add": (np.add, lambda a, b, out: (1.0, 1.0)),
    "sub": (np.subtract, lambda a, b, out: (1.0, -1.0)),
    "mul": (np.multiply, lambda a, b, out: (b, a)),
    "div": (np.divide, lambda a, b, out: (1.0 / b, -a / b**2)),
    "exp": (np.exp, lambda a, out: (out,)),
    "log": (np.log, lambda a, out: (1.0 / a,)),
    "sigmoid": (expit, lambda a, out: (out * (1.0 - out),)),
    "max": (np.maximum, lambda a, b, out: (np.greater_equal(a, b) * 1.0, np.less(a, b) * 1.0)),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, out: (np.greater(a, 0) * 1.0,)),
}


def _plain(x):
    return float(x) if np.ndim(x) == 0 else x


class _Node:
    """Arithmetic shared by both modes; subclasses say how partials combine."""

    def __add__(self, other):
        return self._apply("add", self, other)

    def __radd__(self, other):
        return self._apply("add", other, self)

    def __sub__(self, other):
        return self._apply("sub", self, other)

    def __rsub__(self, other):
        return self._apply("sub", other, self)

    def __mul__(self, other):
        return self._apply("mul", self, other)

    def __rmul__(self, other):
        return self._apply("mul", other, self)

    def __truediv__(self, other):
        return self._apply("div", self, other)

    def __rtruediv__(self, other):
        return self._apply("div", other, self)

    def __neg__(self):
        return self._apply("mul", -1.0, self)

    @classmethod
    def _apply(cls, op, *args):
        if any(isinstance(a, np.ndarray) for a in args) and not cls._arrays:
            return NotImplemented  # NumPy applies the operation element by element
        value_of, partials_of = PRIMITIVES[op]
        values = [a.value if isinstance(a, _Node) else a for a in args]
        out = _plain(value_of(*values))
        partials = [_plain(p) for p in partials_of(*values, out)]
        return cls._combine(op, out, [(a, p) for a, p in zip(args, partials) if isinstance(a, cls)])


class Dual(_Node):
    """A value and its tangent (directional derivative); forward mode.

    ``trace``, a list, collects every Dual computed from this one, in order.

    Examples
    --------
    >>> x = Dual(2.0, 1.0)
    >>> y = x * x + exp(x - 2.0)
    >>> y.value, y.tangent
    (5.0, 5.0)
    """

    __array_ufunc__ = None  # NumPy defers to the reflected operators (ndarray @ Dual)
    _arrays = True

    def __init__(self, value, tangent=0.0, trace=None, op="input"):
        self.value, self.tangent, self.trace, self.op = value, tangent, trace, op

    @classmethod
    def _combine(cls, op, out, pairs):
        tangent = sum((p * a.tangent for a, p in pairs), 0.0 * out)
        trace = next((a.trace for a, _ in pairs if a.trace is not None), None)
        result = cls(out, tangent, trace, op)
        if trace is not None:
            trace.append(result)
        return result

    def __matmul__(self, other):
        value = other.value if isinstance(other, Dual) else other
        tangent = other.tangent if isinstance(other, Dual) else 0.0 * value
        return Dual(self.value @ value, self.tangent @ value + self.value @ tangent)

    def __rmatmul__(self, other):
        return Dual(other @ self.value, other @ self.tangent)

    def sum(self):
        """Sum of the entries of an array-valued Dual."""
        return Dual(np.sum(self.value), np.sum(self.tangent))

    def __repr__(self):
        return f"Dual({self.value!r}, {self.tangent!r})"


class Var(_Node):
    """A scalar value on a tape; reverse mode.

    Each Var remembers its parents and the local partial derivative to each;
    :meth:`backward` fills ``grad`` (the adjoint) on every Var it depends on.

    Examples
    --------
    >>> x, y = Var(1.0), Var(-1.0)
    >>> f = (x + y) * (y + 1.0)
    >>> _ = f.backward()
    >>> x.grad, y.grad
    (0.0, 0.0)
    """

    _arrays = False

    def __init__(self, value, parents=(), op="input"):
        self.value, self.parents, self.op, self.grad = value, tuple(parents), op, 0.0

    @classmethod
    def _combine(cls, op, out, pairs):
        return cls(out, pairs, op)

    def tape(self) -> list["Var"]:
        """Every Var this one depends on (itself last), parents before children."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent, _ in reversed(node.parents))
        return order

    def backward(self) -> list["Var"]:
        """Set every ``grad`` to ``d self / d node``; return the nodes in the order visited."""
        order = self.tape()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, partial in node.parents:
                parent.grad += partial * node.grad
        return order[::-1]

    def __repr__(self):
        return f"Var({self.value!r}, op={self.op!r})"


def _unary(op, numpy_function):
    def apply(x):
        if isinstance(x, _Node):
            return type(x)._apply(op, x)
        return numpy_function(x)
    apply.__name__ = op
    apply.__doc__ = f"``{op}`` of a number, array, Dual or Var."
    return apply


exp = _unary("exp", np.exp)
log = _unary("log", np.log)
sigmoid = _unary("sigmoid", expit)
relu = _unary("relu", PRIMITIVES["relu"][0])


def maximum(a, b):
    """``max(a, b)``; its derivative follows the active branch (the first at a tie).

    Examples
    --------
    >>> z = maximum(Dual(1.0, 1.0), Dual(-1.0, 0.0))
    >>> z.value, z.tangent
    (1.0, 1.0)
    """
    for node in (a, b):
        if isinstance(node, _Node):
            return type(node)._apply("max", a, b)
    return np.maximum(a, b)


def _outputs(result):
    return list(result) if isinstance(result, (list, tuple)) else [result]


def forward_jacobian(f, x) -> np.ndarray:
    """Jacobian of ``f(*x)`` by forward mode: one pass per input.

    Examples
    --------
    >>> forward_jacobian(lambda a, b: [a * b, a + b], [2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    columns = [[out.tangent if isinstance(out, Dual) else 0.0
                for out in _outputs(f(*[Dual(v, float(i == j)) for i, v in enumerate(x)]))]
               for j in range(len(x))]
    return np.array(columns, dtype=float).T


def reverse_jacobian(f, x) -> np.ndarray:
    """Jacobian of ``f(*x)`` by reverse mode: one backward pass per output.

    Examples
    --------
    >>> reverse_jacobian(lambda a, b: [a * b, a + b], [2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    inputs = [Var(v) for v in x]
    rows = []
    for out in _outputs(f(*inputs)):
        if isinstance(out, Var):
            for v in inputs:
                v.grad = 0.0  # inputs this output does not use keep no earlier adjoint
            out.backward()
            rows.append([v.grad for v in inputs])
        else:
            rows.append([0.0] * len(inputs))
    return np.array(rows, dtype=float)


def forward_trace(f, x, direction) -> list[tuple[str, float, float]]:
    """Every intermediate of ``f(*x)`` in evaluation order: ``(op, value, tangent)``.

    The inputs come first, seeded with ``direction``.

    Examples
    --------
    >>> forward_trace(lambda a, b: (a + b) * (b + 1.0), [1.0, -1.0], [1.0, 0.0])
    [('input', 1.0, 1.0), ('input', -1.0, 0.0), ('add', 0.0, 1.0), ('add', 0.0, 0.0), ('mul', 0.0, 0.0)]
    """
    trace = []
    trace.extend(Dual(v, float(d), trace) for v, d in zip(x, direction))
    f(*trace[:len(x)])
    return [(node.op, node.value, node.tangent) for node in trace]


def reverse_trace(f, x, output=0) -> list[tuple[str, float, float]]:
    """Every intermediate of output ``output`` of ``f(*x)``, ``(op, value, adjoint)``,
    in the order the backward pass finalises them (the output first).

    Examples
    --------
    >>> reverse_trace(lambda a, b: (a + b) * (b + 1.0), [1.0, -1.0])
    [('mul', 0.0, 1.0), ('add', 0.0, 0.0), ('add', 0.0, 0.0), ('input', -1.0, 0.0), ('input', 1.0, 0.0)]
    """
    out = _outputs(f(*[Var(v) for v in x]))[output]
    return [(node.op, node.value, node.grad) for node in out.backward()]


def to_dot(output: Var, name: str = "G") -> str:
    """The computation graph behind ``output`` as Graphviz DOT text.

    Examples
    --------
    >>> print(to_dot(Var(2.0) * Var(3.0)))
    digraph G {
      rankdir=LR;
      n0 [label="input\\n2"];
      n1 [label="input\\n3"];
      n2 [label="mul\\n6"];
      n0 -> n2;
      n1 -> n2;
    }
    """
    order = output.tape()
    index = {id(node): i for i, node in enumerate(order)}
    lines = [f"digraph {name} {{", "  rankdir=LR;"]
    lines += [f'  n{i} [label="{node.op}\\n{node.value:.4g}"];' for i, node in enumerate(order)]
    lines += [f"  n{index[id(parent)]} -> n{i};" for i, node in enumerate(order)
              for parent, _ in node.parents]
    return "\n".join(lines + ["}"])


def gd_loss(X, targets, w0, eta, steps: int):
    """Loss ``(1/n) ||X w_t - t||^2`` after ``steps`` gradient steps from ``w0``.

    ``eta`` may be a float, a :class:`Dual` (forward mode: the loss's tangent is
    ``dL/d eta``, memory independent of ``steps``) or a :class:`Var` (reverse mode: the
    tape grows with ``steps``).

    Examples
    --------
    >>> X, t = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 1.0])
    >>> loss = gd_loss(X, t, np.zeros(2), Dual(0.1, 1.0), 3)
    >>> round(float(loss.value), 6), round(float(loss.tangent), 6)
    (0.289048, -2.70459)
    """
    steps = _count("steps", steps, 0)
    X, targets = np.asarray(X, dtype=float), np.asarray(targets, dtype=float)
    n = X.shape[0]
    w = np.asarray(w0, dtype=float)
    for _ in range(steps):
        w = w - eta * ((2.0 / n) * (X.T @ (X @ w - targets)))
    residual = X @ w - targets
    return (residual * residual).sum() / n


def scalar_chain(weights, x: float, activation: str = "sigmoid"):
    """The chain ``h_1 = s(x)``, ``h_i = s(w_i h_{i-1})`` and ``d h_n / d w_i`` by reverse mode.

    ``weights`` are ``w_2, ..., w_n``; returns ``h_n`` and the gradients in that order.

    Examples
    --------
    >>> h, grads = scalar_chain([2.0, 3.0], 1.0, activation="relu")
    >>> h, grads
    (6.0, array([3., 2.]))
    """
    act = {"sigmoid": sigmoid, "relu": relu}.get(activation)
    if act is None:
        raise ValueError(f"activation == {activation!r}, must be 'sigmoid' or 'relu'")
    ws = [Var(float(w)) for w in weights]
    h = act(Var(float(x)))
    for w in ws:
        h = act(w * h)
    h.backward()
    return float(h.value), np.array([w.grad for w in ws])
