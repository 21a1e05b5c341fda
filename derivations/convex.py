"""Gradient descent on convex Lipschitz functions: the three-point identity and O(1/sqrt(T)).

Model: ``w_{t+1} = w_t - eta v_t`` from ``w_1 = 0`` with any vectors ``v_t``; for a convex
``f`` with gradients ``v_t = grad f(w_t)``, ``||v_t|| <= rho`` and a minimiser
``||w^*|| <= B``, the average iterate ``wbar = (1/T) sum_{t=1}^T w_t``.  Inner products
and squared norms are named ``P(t) = <w_t - w^*, v_t>``, ``D(t) = ||w_t - w^*||^2`` and
``G(t) = ||v_t||^2``.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, linear_root,
                   positive_roots)

eta = sp.Symbol("eta", positive=True)
B = sp.Symbol("B", positive=True)
rho = sp.Symbol("rho", positive=True)
T = sp.Symbol("T", integer=True, positive=True)
t = sp.Symbol("t", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
e_t = sp.MatrixSymbol("e_t", d, 1)
v_t = sp.MatrixSymbol("v_t", d, 1)
D, G, P, f = (sp.Function(name) for name in "DGPf")
w_t, w_bar, w_star = sp.symbols("w_t wbar w^*")

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(B, "bound on the minimiser's norm ||w^*||", POSITIVE),
    Parameter(rho, "bound on the gradients' norm (Lipschitz constant of f)", POSITIVE),
    Parameter(T, "number of steps", sp.Naturals),
)
NOTATION = {
    "P": "P(t) = <w_t - w^*, v_t>", "D": "D(t) = ||w_t - w^*||^2, so D(1) = ||w^*||^2 "
    "from w_1 = 0", "G": "G(t) = ||v_t||^2", "f": "the convex function",
    "e_t": "w_t - w^*, a d-vector", "v_t": "the step direction (gradient) at step t",
    "wbar": "the average iterate (1/T) sum_t w_t", "w^*": "a minimiser of f",
    "t": "the step index", "d": "the dimension",
    "epsilon_T": "the guaranteed bound on f(wbar) - f(w^*) after T steps at eta^*",
}


def as_inner_products(expression, names):
    """A sum of 1x1 matrix products written with the scalar names of those products.

    Examples
    --------
    >>> as_inner_products(2 * e_t.T * v_t, {e_t.T * v_t: P(t)})
    2*P(t)
    """
    terms = expression.args if isinstance(expression, sp.MatAdd) else (expression,)
    total = sp.S.Zero
    for term in terms:
        coefficient, product = term.as_coeff_mmul()
        total += coefficient * names[product]
    return total


def three_point_identity():
    """``P(t)`` solved from the expansion of ``||w_{t+1} - w^*||^2``; identity and steps.

    Examples
    --------
    >>> three_point_identity()[0]
    Eq(P(t), eta*G(t)/2 + D(t)/(2*eta) - D(t + 1)/(2*eta))
    """
    following = e_t - eta * v_t
    expanded = (following.T * following).expand()
    names = {e_t.T * e_t: D(t), e_t.T * v_t: P(t), v_t.T * e_t: P(t), v_t.T * v_t: G(t)}
    scalar = as_inner_products(expanded, names)
    inner = linear_root(equation(D(t + 1), scalar), P(t))
    identity = equation(P(t), sp.expand(inner))
    e, v = (sp.Matrix(sp.symbols(f"{name}_1:4", real=True)) for name in "ev")
    explicit = sp.expand((e.T * v)[0] - ((e.T * e)[0] - ((e - eta * v).T * (e - eta * v))[0])
                         / (2 * eta) - eta / 2 * (v.T * v)[0])
    steps = (
        Step("with e_t = w_t - w^*, the step gives w_{t+1} - w^* =", following),
        Step("expand its squared norm (d-vectors, d symbolic)", expanded),
        Step("v^T e = e^T v (a 1x1 matrix is its own transpose); in the named scalars",
             equation(D(t + 1), scalar)),
        Step("solve for the inner product", identity),
        Step("check with explicit 3-vectors e, v: left minus right side expands to", explicit),
    )
    if explicit != 0:
        raise ArithmeticError(f"the identity fails for explicit vectors: {explicit}")
    return identity, steps


def regret_bound(identity):
    """Sum the identity over ``t = 1..T``; the telescoped bound and its steps.

    Examples
    --------
    >>> regret_bound(three_point_identity()[0])[0]
    Sum(P(t), (t, 1, T)) <= eta*Sum(G(t), (t, 1, T))/2 + D(1)/(2*eta)
    """
    distance = sp.Sum(identity.rhs.coeff(D(t)) * (D(t) - D(t + 1)), (t, 1, T))
    squares = sp.Sum(identity.rhs.coeff(G(t)) * G(t), (t, 1, T))
    telescoped = distance.doit()
    dropped = telescoped.subs(D(T + 1), 0)
    total = sp.Sum(P(t), (t, 1, T))
    bound = sp.Le(total, dropped + sp.factor_terms(squares), evaluate=False)
    steps = (
        Step("sum the identity over t = 1..T", equation(total, distance + squares)),
        Step("the distance terms telescope", equation(distance, telescoped)),
        Step("D(T + 1) >= 0, so dropping it can only increase the right side; and "
             "D(1) = ||w_1 - w^*||^2 = ||w^*||^2 from w_1 = 0", bound),
    )
    return bound, steps


def average_iterate_bound(regret):
    """``f(wbar) - f(w^*) <= B^2/(2 eta T) + eta rho^2/2`` from the regret bound; and steps.

    Examples
    --------
    >>> average_iterate_bound(regret_bound(three_point_identity()[0])[0])[0]
    -f(w^*) + f(wbar) <= B**2/(2*T*eta) + eta*rho**2/2
    """
    gap = f(w_bar) - f(w_star)
    jensen = sp.Le(f(w_bar), sp.Sum(f(w_t), (t, 1, T)) / T, evaluate=False)
    tangent = sp.Le(f(w_t) - f(w_star), P(t), evaluate=False)
    averaged = regret.rhs / T
    bounded = averaged.subs(D(1), B**2).replace(G, lambda _: rho**2).doit()
    bound = sp.expand(bounded)
    claim = sp.Le(gap, bound, evaluate=False)
    steps = (
        Step("Jensen: f is convex, so at the average iterate", jensen),
        Step("convexity: f(w^*) >= f(w_t) + <grad f(w_t), w^* - w_t>, so with "
             "v_t = grad f(w_t)", tangent),
        Step("averaging, f(wbar) - f(w^*) is at most (1/T) sum_t P(t), hence by the "
             "regret bound at most", averaged),
        Step("with D(1) = ||w^*||^2 <= B^2 and G(t) <= rho^2, summed over T steps",
             bounded),
        Step("expanded", claim),
    )
    return claim, steps


def optimal_fixed_learning_rate(bound):
    """The learning rate minimising ``bound`` (a function of ``eta``); it, the rate, steps.

    Examples
    --------
    >>> optimal_fixed_learning_rate(B**2 / (2 * eta * T) + eta * rho**2 / 2)[:2]
    (B/(sqrt(T)*rho), B*rho/sqrt(T))
    """
    slope = sp.diff(bound, eta)
    numerator, denominator = sp.fraction(sp.together(slope))
    if not denominator.is_positive:
        raise ArithmeticError(f"cannot show the slope's denominator {denominator} is positive")
    # the slope vanishes where its numerator does; eta is positive
    (best,) = positive_roots(numerator, eta)
    bend = sp.diff(bound, eta, 2)
    rate = sp.factor(bound.subs(eta, best))
    if not bend.is_positive:
        raise ArithmeticError(f"the bound is not convex in eta: {bend}")
    steps = (
        Step("differentiate the bound in eta", equation(sp.Derivative(sp.Symbol("b"), eta), slope)),
        Step("it vanishes at", equation(eta, best)),
        Step("the second derivative is positive, so this is the minimum",
             equation(sp.Derivative(sp.Symbol("b"), eta, 2), bend)),
    )
    rate_steps = steps + (Step("the bound there", rate),)
    return best, rate, steps, rate_steps


@derivation
def derive() -> Derivation:
    """GD on convex Lipschitz functions: the three-point identity and the O(1/sqrt(T)) rate.

    Examples
    --------
    >>> derive()["rate"].value
    B*rho/sqrt(T)
    >>> derive(B=1, rho=2, T=100)["optimal_fixed_learning_rate"].value
    1/20
    """
    identity, identity_steps = three_point_identity()
    three_point = Result(
        "three_point_identity", "For w_{t+1} = w_t - eta v_t: <w_t - w^*, v_t> = "
        "(||w_t - w^*||^2 - ||w_{t+1} - w^*||^2)/(2 eta) + eta/2 ||v_t||^2.",
        identity, identity_steps)

    regret, regret_steps = regret_bound(identity)
    regret_result = Result(
        "regret_bound", "From w_1 = 0: sum_t <w_t - w^*, v_t> <= ||w^*||^2/(2 eta) + "
        "eta/2 sum_t ||v_t||^2 (D(1) = ||w^*||^2).", regret, regret_steps)

    average, average_steps = average_iterate_bound(regret)
    average_result = Result(
        "average_iterate_bound", "For convex f with ||w^*|| <= B and ||grad f|| <= rho, the "
        "average iterate is within this of the minimum.", average, average_steps)

    best, rate, best_steps, rate_steps = optimal_fixed_learning_rate(average.rhs)
    best_result = Result(
        "optimal_fixed_learning_rate", "The fixed learning rate that minimises the bound.",
        best, best_steps, lhs=sp.Symbol("eta^*"))
    rate_result = Result(
        "rate", "The bound at that learning rate: O(1/sqrt(T)).", rate, rate_steps,
        lhs=sp.Symbol("epsilon_T"), order_in=T)

    return Derivation(
        "convex", "Gradient descent on convex Lipschitz functions: the O(1/sqrt(T)) rate",
        (three_point, regret_result, average_result, best_result, rate_result),
        PARAMETERS, notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
