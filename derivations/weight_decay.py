"""L2 regularisation against weight decay (toronto CSC413 HW2, 2.3).

Model, as the sheet sets it: data ``X`` (``n x d``), targets ``t``, the loss
``L(w) = (1/n) ||X w - t||^2`` and the regularised loss
``L~(w) = (1/n) ||X w - t||^2 + lambda~ ||w||^2`` (no factor 1/2 on either term).
One gradient-descent step from ``w_0`` with learning rate ``eta`` on ``L~`` (2.3.1, first
expression) against one step of weight decay ``w_1 = (1 - lambda) w_0 - eta grad L(w_0)``
(equation (5), second expression); 2.3.2 asks for the ``lambda~`` that makes them equal.
The common ``(lambda~/2) ||w||^2`` convention is kept as a named variant only.
For 2.3.3 an adaptive method (RMSProp, equation (3)) divides coordinate ``i`` of the
gradient it is given by ``D_i = sqrt(v_i) + epsilon``.
"""
from __future__ import annotations

import functools

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, linear_root,
                   matrix_derivative, matrix_symbol)

n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
eta = sp.Symbol("eta", positive=True)
lam = sp.Symbol("lambda", positive=True)
lambda_tilde = sp.Symbol("lambdatilde", positive=True)  # printed \tilde{\lambda}
D = sp.Symbol("D_i", positive=True)
w_0i = sp.Symbol("w_0i", real=True)
g_i = sp.Symbol("g_i", real=True)
X = matrix_symbol("X", n, d)
t = matrix_symbol("t", n, 1)
w = matrix_symbol("w", d, 1)
w_0 = matrix_symbol("w_0", d, 1)
w_L2 = matrix_symbol("w_1^L2", d, 1)
w_decay = matrix_symbol("w_1^decay", d, 1)
w_L2_i = sp.Symbol("w_1i^L2")
w_decay_i = sp.Symbol("w_1i^decay")

# The sheet's penalty lambda~ ||w||^2, and the variant (lambda~/2) ||w||^2.
SHEET, HALF = sp.S.One, sp.S.Half

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(lam, "weight decay per step, w_1 = (1 - lambda) w_0 - eta grad L(w_0)",
              sp.Interval.open(0, 1)),
    Parameter(lambda_tilde, "coefficient of the penalty lambda~ ||w||^2", POSITIVE),
    Parameter(n, "number of examples (rows of X)", sp.Naturals),
    Parameter(d, "number of weights (columns of X)", sp.Naturals),
    Parameter(D, "an adaptive method's scale sqrt(v_i) + epsilon of coordinate i", POSITIVE),
    Parameter(w_0i, "coordinate i of w_0", sp.Reals),
    Parameter(g_i, "coordinate i of grad L(w_0)", sp.Reals),
)
NOTATION = {"X": "the n x d data matrix", "t": "the targets", "w": "the weights",
            "w_0": "the starting weights", "L": "(1/n) ||X w - t||^2, the loss",
            "Ltilde": "L + lambda~ ||w||^2, the regularised loss",
            "w_1^L2": "the weights after one GD step on the regularised loss",
            "w_1^decay": "the weights after one step with weight decay",
            "w_1i^L2": "coordinate i of an adaptive step on the regularised loss",
            "w_1i^decay": "coordinate i of an adaptive step with decoupled decay"}


def loss(weights, penalty=0):
    """The sheet's loss ``(1/n) ||X w - t||^2 + penalty ||w||^2`` as a 1x1 matrix expression.

    Examples
    --------
    >>> loss(w)
    1/n*(-t.T + w.T*X.T)*(X*w - t)
    """
    residual = X * weights - t
    data = residual.T * residual / n
    return data + penalty * weights.T * weights if penalty else data


@functools.cache
def term_gradients():
    """The gradients at ``w`` of the loss's two terms, ``(1/n) ||X w - t||^2`` and
    ``||w||^2``, by matrix differentiation (the costly operation of this topic: once each).

    Examples
    --------
    >>> term_gradients()
    ((2/n)*X.T*(X*w - t), 2*w)
    """
    return matrix_derivative(loss(w), w), matrix_derivative(w.T * w, w)


def gradient(penalty=0):
    """``grad (L + penalty ||w||^2)`` at ``w``: the derivative is linear, so the terms'
    gradients add with their weights.

    Examples
    --------
    >>> gradient()
    (2/n)*X.T*(X*w - t)
    >>> gradient(lambda_tilde)
    (2*lambdatilde)*w + (2/n)*X.T*(X*w - t)
    """
    data, squared_norm = term_gradients()
    return data + penalty * squared_norm if penalty else data


def gradient_at_start(penalty=0):
    """``grad (L + penalty ||w||^2)`` at ``w_0``.

    Examples
    --------
    >>> gradient_at_start()
    (2/n)*X.T*(X*w_0 - t)
    """
    return gradient(penalty).subs(w, w_0)


def coefficient_of_start(update):
    """Split an update into ``c w_0 + rest``: the scalar ``c`` and the rest.

    Examples
    --------
    >>> coefficient_of_start(3 * w_0 - eta * X.T * t)
    (3, (-eta)*X.T*t)
    """
    expanded = update.expand()
    terms = expanded.args if isinstance(expanded, sp.MatAdd) else (expanded,)
    coefficient, rest = sp.S.Zero, []
    for term in terms:
        scalar, matrix = term.as_coeff_mmul()
        if matrix.doit() == w_0:
            coefficient += scalar
        else:
            rest.append(term)
    return sp.factor(coefficient), sp.MatAdd(*rest).doit() if rest else sp.ZeroMatrix(*update.shape)


def natural(update):
    """An update written as ``c w_0 - eta grad L(w_0)``, checked against its expansion."""
    coefficient, rest = coefficient_of_start(update)
    data_step = -eta * gradient_at_start()
    written = sp.MatAdd(coefficient * w_0, data_step)
    # the expansion of update is coefficient w_0 + rest, so update is written exactly when
    # rest is the data step
    if sp.MatAdd(data_step, -rest).expand().doit() != sp.ZeroMatrix(d, 1):
        raise ArithmeticError(f"{update} is not {written}")
    return written


@functools.cache
def l2_update(scale=SHEET):
    """One GD step on ``L + scale lambda~ ||w||^2`` from ``w_0``, with the steps.

    Examples
    --------
    >>> l2_update()[0]
    (-2*eta/n)*X.T*(X*w_0 - t) + (-2*eta*lambdatilde + 1)*w_0
    """
    penalty = scale * lambda_tilde
    full = gradient_at_start(penalty)
    stepped = w_0 - eta * full
    value = natural(stepped)
    steps = (
        Step("the regularised loss", equation(sp.Symbol("Ltilde"), loss(w, penalty))),
        Step("its gradient", equation(matrix_symbol("grad_Ltilde", d, 1), gradient(penalty))),
        Step("one gradient-descent step from w_0", equation(w_L2, stepped)),
        Step("collect w_0: the penalty shrinks the weights before the data step",
             equation(w_L2, value)),
    )
    return value, steps


@functools.cache
def decay_update():
    """One step of weight decay, equation (5), on the unregularised loss, with the steps.

    Examples
    --------
    >>> decay_update()[0]
    (-2*eta/n)*X.T*(X*w_0 - t) + (1 - lambda)*w_0
    """
    stepped = (1 - lam) * w_0 - eta * gradient_at_start()
    value = natural(stepped)
    steps = (
        Step("the unregularised loss", equation(sp.Symbol("L"), loss(w))),
        Step("its gradient at w_0", equation(matrix_symbol("grad_L", d, 1), gradient_at_start())),
        Step("equation (5): shrink by 1 - lambda and step along the loss gradient",
             equation(w_decay, value)),
    )
    return value, steps


def equivalent_penalty(scale=SHEET):
    """The ``lambda~`` for which the regularised step is the decay step, with the steps.

    Examples
    --------
    >>> equivalent_penalty()[0]
    lambda/(2*eta)
    >>> equivalent_penalty(HALF)[0]
    lambda/eta
    """
    penalised, penalised_steps = l2_update(scale)
    decayed, _ = decay_update()
    gap, rest = coefficient_of_start(penalised - decayed)
    if rest != sp.ZeroMatrix(d, 1):
        raise ArithmeticError(f"the two updates differ by more than a multiple of w_0: {rest}")
    value = linear_root(equation(gap, 0), lambda_tilde)
    steps = penalised_steps[-1:] + (
        Step("the two steps differ only in the factor on w_0",
             equation(w_L2 - w_decay, gap * w_0)),
        Step("equal for every w_0, X and t exactly when that factor vanishes", equation(gap, 0)),
        Step("solve for the penalty coefficient", equation(lambda_tilde, value)),
    )
    return value, steps


def step(gradient, scale=1, decay=0):
    """``(1 - decay) w_0i - eta gradient / scale``: coordinate i of a (preconditioned) step.

    Examples
    --------
    >>> step(g_i, decay=lam)
    -eta*g_i + w_0i*(1 - lambda)
    """
    return (1 - decay) * w_0i - eta * gradient / scale


def common_root(equations, var):
    """The set of values of ``var`` solving every one of ``equations``, each linear in ``var``:
    the first one's root if it solves the others identically, else the empty set.

    Examples
    --------
    >>> common_root([sp.Eq(2 * lam, eta), sp.Eq(4 * lam, 2 * eta)], lam)
    {eta/2}
    >>> common_root([sp.Eq(2 * lam, eta), sp.Eq(lam, eta)], lam)
    EmptySet
    """
    first, *others = equations
    root = linear_root(first, var)
    solves_all = all(sp.cancel((e.lhs - e.rhs).subs(var, root)) == 0 for e in others)
    return sp.FiniteSet(root) if solves_all else sp.S.EmptySet


def adaptive_mismatch(matching):
    """Coordinate ``i`` of an adaptive step with the penalty and with decoupled decay."""
    penalised = g_i + 2 * lambda_tilde * w_0i
    with_penalty = step(penalised, scale=D)
    with_decay = step(g_i, scale=D, decay=lam)
    difference = sp.factor(sp.expand((with_penalty - with_decay).subs(lambda_tilde, matching)))
    per_coordinate = linear_root(equation(with_penalty, with_decay), lambda_tilde)
    D_1, D_2 = sp.symbols("D_1 D_2", positive=True)
    w_1, w_2, g_1, g_2 = sp.symbols("w_01 w_02 g_1 g_2", real=True)
    coordinates = ({D: D_1, w_0i: w_1, g_i: g_1}, {D: D_2, w_0i: w_2, g_i: g_2})
    two = [equation(with_penalty.subs(c), with_decay.subs(c)) for c in coordinates]
    common = common_root(two, lambda_tilde)
    steps = (
        Step("coordinate i of the regularised loss's gradient: the data part g_i and the "
             "penalty's 2 lambda~ w_0i", equation(sp.Symbol("gtilde_i"), penalised)),
        Step("the adaptive method divides the whole gradient it is given by D_i",
             equation(w_L2_i, with_penalty)),
        Step("decoupled decay (AdamW) shrinks w outside the adaptive step",
             equation(w_decay_i, with_decay)),
        Step("with the same scale D_i in both (one taken from the history before the "
             "current gradient) and the GD-matching lambda~ = lambda/(2 eta), they differ by",
             equation(w_L2_i - w_decay_i, difference)),
        Step("the penalty that matches decay in coordinate i depends on its D_i",
             equation(lambda_tilde, per_coordinate)),
        Step("two coordinates with scales D_1 != D_2 (and non-zero weights w_01, w_02): the "
             "set of lambda~ solving both equations",
             common),
        Step("the factors on w_0i: the penalty shrinks by 2 eta lambda~ / D_i, weakest where "
             "the gradient history v_i is large, while decay shrinks every weight by lambda",
             sp.Tuple(*(sp.expand(update).coeff(w_0i) for update in (with_penalty, with_decay)))),
    )
    return sp.Tuple(equation(w_L2_i, with_penalty), equation(w_decay_i, with_decay)), steps


@derivation
def derive() -> Derivation:
    """L2 regularisation against weight decay, for GD and for adaptive steps.

    Examples
    --------
    >>> derive()["equivalent_penalty"].value
    lambda/(2*eta)
    >>> derive(eta="0.1", **{"lambda": "0.01"})["equivalent_penalty"].value
    1/20
    """
    l2, l2_steps = l2_update()
    decayed, decay_steps = decay_update()
    matching, matching_steps = equivalent_penalty()
    half, half_steps = equivalent_penalty(HALF)
    adaptive, adaptive_steps = adaptive_mismatch(matching)
    results = (
        Result("l2_update", "2.3.1 (first expression): one GD step from w_0 on the regularised "
               "loss (1/n) ||X w - t||^2 + lambda~ ||w||^2.", l2, l2_steps, lhs=w_L2),
        Result("decay_update", "2.3.1 (second expression): one step of weight decay (5) on the "
               "loss (1/n) ||X w - t||^2.", decayed, decay_steps, lhs=w_decay),
        Result("equivalent_penalty", "2.3.2: the penalty coefficient lambda~ for which GD on the "
               "regularised loss is weight decay lambda with learning rate eta (for every w_0, "
               "X and t).", matching, matching_steps, lhs=lambda_tilde),
        Result("equivalent_penalty_half_convention", "A variant, not the sheet's model: with "
               "the penalty written (lambda~/2) ||w||^2 the matching coefficient is twice the "
               "sheet's.", half, half_steps, lhs=lambda_tilde),
        Result("adaptive_mismatch", "2.3.3: the penalty's gradient 2 lambda~ w is divided "
               "by the coordinate's scale D_i and decay is not, so with the same D_i in both "
               "the two updates differ (unless D_i = 1), and no single lambda~ matches decay "
               "in coordinates with different D_i.  Under the sheet's RMSProp (4) the scales "
               "differ as well: the current, penalised gradient enters D_i of the L2 update.",
               adaptive, adaptive_steps,
               assumptions=(sp.Ne(D, 1),)),
    )
    return Derivation("weight_decay", "L2 regularisation against weight decay", results,
                      PARAMETERS, notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
