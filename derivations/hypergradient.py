"""Hyper-gradients: the loss after gradient steps as a function of the learning rate.

Model: ``L(w) = (1/n) ||X w - t||^2`` with ``X`` of size ``n x d``; one GD step
``w_1 = w_0 - eta grad L(w_0)``; ``a = X w_0 - t`` is the starting residual.  Then
``T`` steps, differentiated in ``eta`` by forward mode or by back-propagation.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .cli import main
from .core import POSITIVE, Derivation, Parameter, Result, Step, derivation, equation

n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
eta = sp.Symbol("eta", positive=True)
T = sp.Symbol("T", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
i, j, l = (sp.Symbol(name, integer=True, nonnegative=True) for name in "ijl")
p = sp.Symbol("p", nonnegative=True)
q = sp.Symbol("q", nonnegative=True)
r = sp.Symbol("r", nonnegative=True)
X = sp.MatrixSymbol("X", n, d)
t = sp.MatrixSymbol("t", n, 1)
w = sp.MatrixSymbol("w", d, 1)
w_0 = sp.MatrixSymbol("w_0", d, 1)
a = sp.MatrixSymbol("a", n, 1)
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


def one_step():
    """The weights after one GD step and the residual they leave, with the steps."""
    gradient = sp.diff(least_squares_loss(w), w)
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
        "one_step_weights", "The weights after one GD step from w_0, entry j (indices from 0).",
        entry,
        weight_steps[:2] + (Step("entry j", equation(sp.IndexedBase("w_1")[j], entry)),),
        lhs=sp.IndexedBase("w_1")[j])

    loss, loss_steps = quadratic_in_eta(residual)
    one_step_loss = Result(
        "one_step_loss", "The loss after one step, as a function of the learning rate.",
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

    (best,) = sp.solve(slope, eta)
    optimal = Result(
        "optimal_learning_rate",
        "The learning rate minimising the one-step loss (when X X^T a != 0, i.e. r > 0).",
        best,
        (Step("the slope of L_1", equation(sp.Derivative(L_1, eta), slope)),
         Step("set it to zero and solve; convexity makes it the minimum", equation(eta, best)),
         Step("the loss there", equation(L_1.subs(eta, best), sp.factor(loss.subs(eta, best))))),
        lhs=sp.Symbol("eta^*"), assumptions=(sp.StrictGreaterThan(r, 0),))

    tangent = sp.MatrixSymbol("wdot_k", d, 1)
    w_k = sp.MatrixSymbol("w_k", d, 1)
    update = w_k - eta * sp.diff(least_squares_loss(w), w).subs(w, w_k)
    total = (sp.diff(update, eta) + (update.subs(w_k, w_k + tangent) - update).expand()).expand()
    forward_memory = w_k.shape[0] + tangent.shape[0]
    forward_order = sp.Order(forward_memory, (T, sp.oo))
    memory_forward = Result(
        "memory_forward",
        "Forward mode (dual numbers) keeps only the current w_k and its tangent dw_k/deta: "
        "memory independent of the number of steps T.",
        forward_order,
        (Step("one GD step", equation(sp.MatrixSymbol("w_{k+1}", d, 1), update)),
         Step("its derivative in eta (chain rule through w_k; the update is linear in w_k)",
              equation(sp.MatrixSymbol("wdot_{k+1}", d, 1), total)),
         Step("w_{k+1}, wdot_{k+1} need only w_k, wdot_k: numbers stored at any time",
              equation(sp.Symbol("M_forward"), forward_memory)),
         Step("as T grows", forward_order)),
        lhs=sp.Symbol("M_forward"))

    stored = sp.summation(w_k.shape[0], (k, 0, T - 1))
    backprop_order = sp.Order(stored, (T, sp.oo))
    memory_backprop = Result(
        "memory_backprop",
        "Back-propagation through T steps needs every w_k of the forward pass (the backward "
        "pass visits them in reverse): memory growing linearly in T.",
        backprop_order,
        (Step("the backward pass through step k needs w_k (the gradient's Jacobian there); "
              "it runs after the forward pass, so w_0, ..., w_{T-1} are all kept",
              equation(sp.Symbol("M_backprop"), sp.Sum(w_k.shape[0], (k, 0, T - 1)))),
         Step("sum", equation(sp.Symbol("M_backprop"), stored)),
         Step("as T grows", backprop_order)),
        lhs=sp.Symbol("M_backprop"))

    return Derivation(
        "hypergradient", "Hyper-gradients: the learning rate as a variable",
        (one_step_weights, one_step_loss, convexity, optimal, memory_forward, memory_backprop),
        PARAMETERS, notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
