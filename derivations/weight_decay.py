"""L2 penalty against decoupled weight decay.

Model: a loss ``L(w)``, one coordinate ``w`` at a time (every update below acts
coordinate-wise), gradient ``g = L'(w_0)`` at the current weights ``w_0``.  The penalty
adds ``lambda_L2/2 w^2`` to the loss; decay shrinks the weights,
``w <- (1 - lambda) w - eta g``.  An adaptive (RMSProp/Adam-style) step divides the
gradient it is given by a per-coordinate scale ``D > 0`` (``sqrt(v) + epsilon``).
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import POSITIVE, Derivation, Parameter, Result, Step, derivation

eta = sp.Symbol("eta", positive=True)
lam = sp.Symbol("lambda", positive=True)
lambda_L2 = sp.Symbol("lambda_L2", positive=True)
D = sp.Symbol("D", positive=True)
w = sp.Symbol("w", real=True)
w_0 = sp.Symbol("w_0", real=True)
g = sp.Symbol("g", real=True)
L = sp.Function("L")
w_L2 = sp.Symbol("w_1^L2")
w_decay = sp.Symbol("w_1^decay")

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(lam, "decay per step, w <- (1 - lambda) w - eta g", sp.Interval.open(0, 1)),
    Parameter(lambda_L2, "coefficient of the penalty lambda_L2/2 ||w||^2", POSITIVE),
    Parameter(D, "an adaptive method's per-coordinate scale sqrt(v) + epsilon", POSITIVE),
    Parameter(w_0, "the current weight", sp.Reals),
    Parameter(g, "the loss gradient L'(w_0)", sp.Reals),
)
NOTATION = {"L": "the loss", "L_L2": "the penalised loss", "w": "a weight", "w_1^L2": "the weight after a step on the "
            "penalised loss", "w_1^decay": "the weight after a step with decay"}


def penalised_gradient():
    """The gradient of ``L(w) + lambda_L2/2 w^2`` at ``w_0``, with ``g = L'(w_0)``, and the steps.

    Examples
    --------
    >>> penalised_gradient()[0]
    g + lambda_L2*w_0
    """
    penalised = L(w) + lambda_L2 / 2 * w**2
    derivative = sp.diff(penalised, w)
    at_start = derivative.subs(sp.Derivative(L(w), w), g).subs(w, w_0)
    steps = (
        Step("the penalised loss", sp.Eq(sp.Function("L_L2")(w), penalised)),
        Step("differentiate", sp.Eq(sp.Derivative(sp.Function("L_L2")(w), w), derivative)),
        Step("at w_0, with g = L'(w_0)", sp.Eq(sp.Symbol("g_L2"), at_start)),
    )
    return at_start, steps


def step(gradient, scale=1, decay=0):
    """``(1 - decay) w_0 - eta gradient / scale``: a (preconditioned) step with decay.

    Examples
    --------
    >>> step(g, decay=lam)
    -eta*g + w_0*(1 - lambda)
    """
    return (1 - decay) * w_0 - eta * gradient / scale


@derivation
def derive() -> Derivation:
    """L2 penalty against decoupled weight decay, for GD and for adaptive steps.

    Examples
    --------
    >>> derive()["equivalent_penalty"].value
    lambda/eta
    >>> derive(eta="0.1", **{"lambda": "0.01"})["equivalent_penalty"].value
    1/10
    """
    gradient, gradient_steps = penalised_gradient()
    penalised = step(gradient)
    l2 = sp.collect(sp.expand(penalised), w_0)
    l2_update = Result(
        "l2_update", "One GD step on the loss plus lambda_L2/2 ||w||^2.", l2,
        gradient_steps + (Step("one GD step", sp.Eq(w_L2, penalised)),
                          Step("collect w_0: the penalty shrinks w by eta lambda_L2",
                               sp.Eq(w_L2, l2))),
        lhs=w_L2)

    decayed = step(g, decay=lam)
    decay_update = Result(
        "decay_update", "One GD step with decoupled decay w <- (1 - lambda) w - eta g.", decayed,
        (Step("decay shrinks w by lambda and the step follows the loss gradient alone",
              sp.Eq(w_decay, decayed)),),
        lhs=w_decay)

    gap = sp.collect(sp.expand(l2 - decayed), w_0)
    (matching,) = sp.solve(sp.Eq(l2, decayed), lambda_L2, simplify=False)
    equivalent = Result(
        "equivalent_penalty",
        "The penalty coefficient for which GD on the penalised loss is GD with decay lambda "
        "(for every w_0 and g).", matching,
        (Step("the two updates differ by", sp.Eq(w_L2 - w_decay, gap)),
         Step("equal for every w_0 when", sp.Eq(l2, decayed)),
         Step("solve for lambda_L2", sp.Eq(lambda_L2, matching))),
        lhs=lambda_L2)

    adaptive_l2 = step(gradient, scale=D)
    adaptive_decay = step(g, scale=D, decay=lam)
    difference = sp.factor(sp.expand((adaptive_l2 - adaptive_decay).subs(lambda_L2, matching)))
    (per_coordinate,) = sp.solve(sp.Eq(adaptive_l2, adaptive_decay), lambda_L2, simplify=False)
    D_1, D_2 = sp.symbols("D_1 D_2", positive=True)
    w_1, w_2, g_1, g_2 = sp.symbols("w_01 w_02 g_1 g_2", real=True)
    two = [sp.Eq(adaptive_l2.subs({D: s, w_0: v, g: h}), adaptive_decay.subs({D: s, w_0: v, g: h}))
           for s, v, h in ((D_1, w_1, g_1), (D_2, w_2, g_2))]
    common = sp.solve(two, lambda_L2, dict=True, simplify=False)
    adaptive = Result(
        "adaptive_mismatch",
        "With an adaptive step the penalty's gradient lambda_L2 w is divided by the "
        "coordinate's scale D and decay is not, so the two updates differ (unless D = 1), and "
        "no single lambda_L2 matches decay in coordinates with different D.",
        sp.Tuple(sp.Eq(w_L2, adaptive_l2), sp.Eq(w_decay, adaptive_decay)),
        (Step("the adaptive method divides the gradient it sees, here the penalised one, by D",
              sp.Eq(w_L2, adaptive_l2)),
         Step("decoupled decay (AdamW) shrinks w outside the adaptive step",
              sp.Eq(w_decay, adaptive_decay)),
         Step("with the GD-matching lambda_L2 = lambda/eta they differ by",
              sp.Eq(w_L2 - w_decay, difference)),
         Step("the penalty that matches decay in one coordinate depends on its D",
              sp.Eq(lambda_L2, per_coordinate)),
         Step("two coordinates with scales D_1 != D_2 (and non-zero weights w_01, w_02): "
              "the lambda_L2 solving both equations",
              sp.FiniteSet(*(s[lambda_L2] for s in common))),
         ),
        assumptions=(sp.Ne(D, 1),))

    return Derivation(
        "weight_decay", "L2 penalty against decoupled weight decay",
        (l2_update, decay_update, equivalent, adaptive), PARAMETERS, notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
