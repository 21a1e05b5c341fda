"""Hyper-gradients: the loss after gradient steps as a function of the learning rate.

Model: ``L(w) = (1/n) ||X w - t||^2`` with ``X`` of size ``n x d``; one GD step
``w_1 = w_0 - eta grad L(w_0)``; ``a = X w_0 - t`` is the starting residual.  Then
``T`` steps, differentiated in ``eta`` by forward mode or by back-propagation.
"""
from __future__ import annotations

import functools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, linear_root,
                   matrix_derivative, matrix_symbol)
from .graph import ComputationGraph

n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
eta = sp.Symbol("eta", positive=True)
T = sp.Symbol("T", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
i, j, l = (sp.Symbol(name, integer=True, nonnegative=True) for name in "ijl")
p = sp.Symbol("p", nonnegative=True)
q = sp.Symbol("q", nonnegative=True)
r = sp.Symbol("r", nonnegative=True)
X = matrix_symbol("X", n, d)
t = matrix_symbol("t", n, 1)
w = matrix_symbol("w", d, 1)
w_0 = matrix_symbol("w_0", d, 1)
a = matrix_symbol("a", n, 1)
L_1 = sp.Function("L_1")(eta)

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(n, "number of examples (rows of X)", sp.Naturals),
    Parameter(d, "number of weights (columns of X)", sp.Naturals),
    Parameter(p, "||a||^2 = a^T a", sp.Interval(0, sp.oo)),
    Parameter(q, "||X^T a||^2 = a^T X X^T a", sp.Interval(0, sp.oo)),
    Parameter(r, "||X X^T a||^2 = a^T X X^T X X^T a", sp.Interval(0, sp.oo)),
    Parameter(T, "number of GD steps differentiated through", sp.Naturals),
)
NOTATION = {"X": "the n x d data matrix", "t": "the targets", "w_0": "the starting weights",
            "a": "X w_0 - t, the starting residual", "w": "the weights",
            "k": "a step index", "g": "the gradient of L at w", "g_0": "the gradient at w_0",
            "e_1": "X w_1 - t, the residual after one step"}


def components(vector):
    """Entry ``j`` of a column-vector expression, with indexed symbols for the matrices.

    Examples
    --------
    >>> components(X.T * t)
    Sum(X[i, j]*t[i], (i, 0, n - 1))
    """
    def indexed(element):
        base = sp.IndexedBase(element.parent.name)
        return base[element.i] if element.parent.shape[1] == 1 else base[element.i, element.j]

    entry = vector[j, 0].replace(lambda e: isinstance(e, MatrixElement), indexed)
    dummies = sorted((e for e in entry.atoms(sp.Dummy)), key=lambda e: e.dummy_index)
    return entry.xreplace(dict(zip(dummies, (i, l))))


def least_squares_loss(weights):
    """``(1/n) ||X w - t||^2`` as a 1x1 matrix expression.

    Examples
    --------
    >>> least_squares_loss(w)
    1/n*(-t.T + w.T*X.T)*(X*w - t)
    """
    residual = X * weights - t
    return residual.T * residual / n


@functools.cache
def loss_gradient():
    """The gradient of :func:`least_squares_loss` in ``w`` (matrix calculus, derived once).

    Examples
    --------
    >>> loss_gradient()
    (2/n)*X.T*(X*w - t)
    """
    return matrix_derivative(least_squares_loss(w), w)


def one_step():
    """The weights after one GD step and the residual they leave, with the steps."""
    gradient = loss_gradient()
    at_start = gradient.subs(w, w_0)
    weights = w_0 - eta * at_start
    in_residual = at_start.subs(X * w_0 - t, a)
    residual = (X * (w_0 - eta * in_residual) - t).expand().subs(X * w_0, a + t).doit()
    steps = (
        Step("differentiate the loss in w", equation(sp.MatrixSymbol("g", d, 1), gradient)),
        Step("one step from w_0", equation(sp.MatrixSymbol("w_1", d, 1), weights)),
        Step("with a = X w_0 - t the gradient is", equation(sp.MatrixSymbol("g_0", d, 1), in_residual)),
        Step("and the new residual X w_1 - t is", equation(sp.MatrixSymbol("e_1", n, 1), residual)),
    )
    return weights, residual, steps


def quadratic_in_eta(residual):
    """``L_1(eta)`` as a scalar quadratic: each 1x1 product becomes ``p``, ``q`` or ``r``."""
    expanded = (residual.T * residual / n).expand()
    names = {a.T * a: p, a.T * X * X.T * a: q, a.T * X * X.T * X * X.T * a: r}
    loss = sp.S.Zero
    for term in expanded.args:
        coefficient, product = term.as_coeff_mmul()
        loss += coefficient * names[product]
    steps = (
        Step("expand (X w_1 - t)^T (X w_1 - t) / n", expanded),
        Step("name the 1x1 products: a^T a = p, a^T X X^T a = ||X^T a||^2 = q, "
             "a^T X X^T X X^T a = ||X X^T a||^2 = r",
             sp.Tuple(*[equation(symbol, product) for product, symbol in names.items()])),
        Step("a quadratic in eta", equation(L_1, loss)),
    )
    return loss, steps


def computation_graph(steps: int = 2) -> ComputationGraph:
    """The graph of ``steps`` GD steps on the regularised loss, in the sheet's names (2.1.1).

    Nodes ``w_k`` (weights), ``g_k`` (the gradient of the regularised loss at ``w_k``),
    ``Ltilde_k`` (the regularised loss at ``w_k``) and the hyper-parameters ``eta`` and
    ``lambdatilde``; ``w_{k+1}`` is computed from ``w_k``, ``g_k`` and ``eta``.

    Examples
    --------
    >>> computation_graph().parents("w_2")
    ('w_1', 'g_1', 'eta')
    >>> len(computation_graph().nodes)
    10
    """
    nodes = [("eta", r"\eta"), ("lambdatilde", r"\tilde{\lambda}")]
    edges = []
    for k in range(steps + 1):
        weights = (f"w_{k}", rf"\mathbf{{w}}_{k}")
        nodes += [weights, (f"Ltilde_{k}", rf"\tilde{{\mathcal{{L}}}}_{k}")]
        edges += [(f"w_{k}", f"Ltilde_{k}"), ("lambdatilde", f"Ltilde_{k}")]
        if k < steps:
            nodes.append((f"g_{k}", rf"\nabla_{{\mathbf{{w}}_{k}}} \tilde{{\mathcal{{L}}}}_{k}"))
            edges += [(f"w_{k}", f"g_{k}"), ("lambdatilde", f"g_{k}"),
                      (f"w_{k}", f"w_{k + 1}"), (f"g_{k}", f"w_{k + 1}"), ("eta", f"w_{k + 1}")]
    return ComputationGraph(tuple(nodes), tuple(edges))


def memory_counts(counts: dict[int, int]):
    """The polynomial in ``T`` through ``{steps: count}`` and its order as ``T`` grows.

    Examples
    --------
    >>> memory_counts({1: 5, 2: 7, 3: 9})
    (2*T + 3, O(T, (T, oo)))
    """
    polynomial = sp.expand(sp.interpolate(list(counts.items()), T))
    return polynomial, sp.Order(polynomial, (T, sp.oo))


def memory_results(lengths=(2, 3, 4, 5)):
    """2.1.2 and 2.1.3, counted on :func:`computation_graph` for ``T`` steps, with the steps."""
    graphs = {steps: computation_graph(steps) for steps in lengths}
    kept = lambda steps: ("eta", "lambdatilde", "w_0", f"Ltilde_{steps}")
    live = {steps: graph.peak_live(kept(steps)) for steps, graph in graphs.items()}
    stored = {steps: graph.stored_for_backward() for steps, graph in graphs.items()}
    live_count, live_order = memory_counts(live)
    stored_count, stored_order = memory_counts(stored)
    forward = Result(
        "memory_forward",
        "2.1.2: forward propagation through T steps of GD (T is the sheet's t) frees w_k and its "
        "gradient once w_{k+1} is computed: the values held at once do not grow with T.",
        live_order,
        (Step("evaluate the graph of T steps in order, freeing every value after its last use "
              "(keeping eta, lambda~, w_0 and the final loss): values held at once for "
              f"T = {', '.join(map(str, lengths))}", sp.Tuple(*live.values())),
         Step("the same count for every T (each value is a vector of d numbers or a scalar)",
              equation(sp.Symbol("M_forward"), live_count)),
         Step("as T grows", live_order)),
        lhs=sp.Symbol("M_forward"))
    backprop = Result(
        "memory_backprop",
        "2.1.2: back-propagation to the learning rate runs after the forward pass and needs "
        "the value of every node an operation reads (all w_k and their gradients): memory "
        "linear in T.",
        stored_order,
        (Step("values read by the backward pass (every node with a child) on the graph of T "
              f"steps, T = {', '.join(map(str, lengths))}", sp.Tuple(*stored.values())),
         Step("the polynomial through these counts",
              equation(sp.Symbol("M_backprop"), stored_count)),
         Step("as T grows", stored_order)),
        lhs=sp.Symbol("M_backprop"))
    lambda_tilde = sp.Symbol("lambdatilde", positive=True)
    penalty = lambda_tilde * w.T * w       # the regularised loss is least_squares_loss(w) + penalty
    gradient = loss_gradient() + matrix_derivative(penalty, w)   # the derivative term by term
    jacobian = matrix_derivative(w, w) - eta * matrix_derivative(gradient, w)   # of w - eta g
    per_step = matrix_symbol("J", d, d)
    through = sp.Product(sp.Symbol("J"), (k, 1, T))  # the same J at every step: a quadratic
    horizon = Result(
        "long_horizon_problem",
        "2.1.3: with models that take many iterations to converge, back-propagating through "
        "the whole run keeps every iterate (memory growing linearly in T, times the d "
        "weights: T = 10^4 steps of a 10^6-weight model store about 2 10^10 numbers), each "
        "hyper-gradient costs a full training run, and the derivative through T steps is a "
        "product of T step Jacobians, which explodes or vanishes as T grows.",
        sp.Tuple(stored_count * d, equation(sp.Symbol("J_T"), through)),
        (Step("the stored values of 2.1.2, each a vector of d numbers at most",
              equation(sp.Symbol("M_backprop"), stored_count * d)),
         Step("one GD step w_{k+1} = w_k - eta grad Ltilde(w_k) has the Jacobian in w_k",
              equation(per_step, jacobian)),
         Step("the chain rule through T steps multiplies T of them into J_T = dw_T / dw_0; "
              "J is symmetric, so the norm of J^T is rho(J)^T: it grows or decays "
              "geometrically unless the spectral radius of J is 1",
              equation(sp.Symbol("J_T"), through))))
    return forward, backprop, horizon


@derivation
def derive() -> Derivation:
    """Hyper-gradients: the loss after gradient steps as a function of the learning rate.

    Examples
    --------
    >>> derive()["optimal_learning_rate"].value
    n*q/(2*r)
    """
    weights, residual, weight_steps = one_step()
    entry = components(weights)
    one_step_weights = Result(
        "one_step_weights", "2.2.1: the weights after one GD step from w_0 on the sheet's loss "
        "(1/n) ||X w - t||^2, in terms of w_0, eta, t and X (entry j, indices from 0, in the "
        "last step).", weights,
        weight_steps[:2] + (Step("entry j", equation(sp.IndexedBase("w_1")[j], entry)),),
        lhs=sp.MatrixSymbol("w_1", d, 1))

    loss, loss_steps = quadratic_in_eta(residual)
    one_step_loss = Result(
        "one_step_loss", "2.2.1: the loss after one step as a function of the learning rate, "
        "with a = X w_0 - t (the sheet's hint).",
        loss, weight_steps[2:] + loss_steps, lhs=L_1)

    slope = sp.diff(loss, eta)
    curvature = sp.diff(loss, eta, 2)
    u = X * X.T * a
    if not curvature.is_nonnegative:
        raise ArithmeticError(f"cannot show the curvature {curvature} is nonnegative")
    convexity = Result(
        "one_step_loss_convexity",
        "The second derivative of L_1 in eta: a squared norm over n^3, never negative, so "
        "L_1 is convex in eta.",
        curvature,
        (Step("differentiate L_1 twice in eta", equation(sp.Derivative(L_1, (eta, 2)), curvature)),
         Step("r is the squared norm of u = X X^T a: u^T u is", equation(r, u.T * u)),
         Step("a sum of squares over a positive n^3, hence", sp.GreaterThan(curvature, 0, evaluate=False))),
        lhs=sp.Derivative(L_1, (eta, 2)))

    best = linear_root(slope, eta)
    optimal = Result(
        "optimal_learning_rate",
        "The learning rate minimising the one-step loss (when X X^T a != 0, i.e. r > 0).",
        best,
        (Step("the slope of L_1", equation(sp.Derivative(L_1, eta), slope)),
         Step("set it to zero and solve; convexity makes it the minimum", equation(eta, best)),
         Step("the loss there", equation(L_1.subs(eta, best), sp.factor(loss.subs(eta, best))))),
        lhs=sp.Symbol("eta^*"), assumptions=(sp.StrictGreaterThan(r, 0),))

    graph = computation_graph()
    memory_forward, memory_backprop, horizon = memory_results()
    graph_result = Result(
        "computation_graph",
        "2.1.1: the computation graph of two GD steps on the regularised loss, in the sheet's "
        "names (an edge from each quantity to those computed from it; the data X, t feed every "
        "loss and gradient and are left out).",
        sp.Tuple(*[sp.Tuple(sp.Symbol(src), sp.Symbol(dst)) for src, dst in graph.edges]),
        tuple(Step("computed from", sp.Function(name)(*map(sp.Symbol, graph.parents(name))))
              for name in graph.order() if graph.parents(name)))

    return Derivation(
        "hypergradient", "Hyper-gradients: the learning rate as a variable",
        (graph_result, one_step_weights, one_step_loss, convexity, optimal, memory_forward,
         memory_backprop, horizon),
        PARAMETERS, notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
