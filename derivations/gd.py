"""Gradient descent on least squares: stability, iterations, optimal rates, proximal view.

Model: the scalar loss ``L(w) = (y - sigma w)^2``; then two directions with curvatures
``sigma_L > sigma_S``; then a quadratic whose Hessian eigenvalues lie in ``[mu, L]``.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation,
                   interval_from_inequalities)

eta = sp.Symbol("eta", positive=True)
sigma = sp.Symbol("sigma", positive=True)
sigma_L = sp.Symbol("sigma_L", positive=True)
sigma_S = sp.Symbol("sigma_S", positive=True)
mu = sp.Symbol("mu", positive=True)
L = sp.Symbol("L", positive=True)
kappa = sp.Symbol("kappa", positive=True)
epsilon = sp.Symbol("epsilon", positive=True)
lam = sp.Symbol("lambda", positive=True)
y = sp.Symbol("y", real=True)
w, w_t, w_0, g = sp.symbols("w w_t w_0 g", real=True)
h = sp.Symbol("h", positive=True)
delta = sp.Symbol("delta", positive=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
w_star = sp.Symbol("w^*", real=True)
f = sp.Function("f")
rho = sp.Symbol("rho", nonnegative=True)

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(sigma, "the input (singular value) of the scalar problem", POSITIVE),
    Parameter(y, "the target", sp.Reals),
    Parameter(w_0, "the starting point", sp.Reals),
    Parameter(t, "the iteration count", sp.Naturals0),
    Parameter(epsilon, "relative tolerance", sp.Interval.open(0, 1)),
    Parameter(sigma_L, "the larger singular value", POSITIVE),
    Parameter(sigma_S, "the smaller singular value", POSITIVE),
    Parameter(mu, "smallest Hessian eigenvalue (strong convexity)", POSITIVE),
    Parameter(L, "largest Hessian eigenvalue (smoothness)", POSITIVE),
    Parameter(kappa, "condition number L/mu", sp.Interval(1, sp.oo)),
    Parameter(lam, "weight of the proximal term", POSITIVE),
    Parameter(g, "the gradient at w_t", sp.Reals),
    Parameter(w_t, "the current iterate", sp.Reals),
)
NOTATION = {"w^*": "the minimiser", "f": "the function GD minimises", "w": "the weight", "rho": "contraction factor per step",
            "h": "a curvature (Hessian eigenvalue)", "delta": "the gap sigma_L - sigma_S"}


def least_squares_loss(weight, singular_value=sigma, target=y):
    """The scalar least-squares loss ``(y - sigma w)^2``.

    Examples
    --------
    >>> least_squares_loss(w)
    (-sigma*w + y)**2
    """
    return (target - singular_value * weight) ** 2


def gd_contraction(loss, weight=w):
    """Steps deriving the factor by which one GD step scales the distance to the minimiser.

    Returns the factor ``(w_{t+1} - w*) / (w_t - w*)``, the minimiser and the steps.

    Examples
    --------
    >>> gd_contraction(least_squares_loss(w))[0]
    -2*eta*sigma**2 + 1
    """
    gradient = sp.diff(loss, weight)
    minimiser = sp.solve(sp.Eq(gradient, 0), weight)[0]
    update = w_t - eta * gradient.subs(weight, w_t)
    factor = sp.expand(sp.cancel((update - minimiser) / (w_t - minimiser)))
    steps = (
        Step("differentiate the loss", sp.Eq(sp.Derivative(loss, weight), gradient)),
        Step("the minimiser sets the gradient to zero", sp.Eq(w_star, minimiser)),
        Step("one gradient step", sp.Eq(sp.Symbol("w_{t+1}"), update)),
        Step("divide the new error by the old one", sp.Eq(rho, factor)),
    )
    return factor, minimiser, steps


def balanced_rate(factor, small, large):
    """Learning rate that equalises ``|factor|`` at the two extreme curvatures.

    ``|1 - eta h|`` is convex in ``h``, so over ``h`` in ``[small, large]`` its largest
    value sits at an end; the maximum of the two is smallest where the decreasing
    ``factor(small)`` meets ``-factor(large)``.  Returns the rate, the factor there and
    the steps.

    Examples
    --------
    >>> balanced_rate(1 - eta * h, mu, L)[:2]
    (2/(L + mu), (L - mu)/(L + mu))
    """
    at_small, at_large = factor.subs(h, small), factor.subs(h, large)
    best = sp.solve(sp.Eq(at_small, -at_large), eta)[0]
    rate = sp.factor(sp.simplify(at_small.subs(eta, best)))
    steps = (
        Step("|rho| is convex in the curvature, so its maximum is at an end of the range",
             sp.Max(sp.Abs(at_small), sp.Abs(at_large))),
        Step("the maximum is least where the two ends balance", sp.Eq(at_small, -at_large)),
        Step("solve for the learning rate", sp.Eq(eta, best)),
        Step("the common contraction factor there", sp.Eq(rho, rate)),
    )
    return best, rate, steps


@derivation
def derive() -> Derivation:
    """Gradient descent on least squares: stability, iterations, optimal rates.

    Examples
    --------
    >>> derive()["stability_range"].value
    Interval.open(0, sigma**(-2))
    >>> derive(sigma_L=2, sigma_S=1)["optimal_learning_rate"].value
    1/5
    """
    factor, minimiser, factor_steps = gd_contraction(least_squares_loss(w))
    update_factor = Result(
        "update_factor", "One GD step multiplies the distance to the minimiser by this factor.",
        factor, factor_steps, lhs=rho)

    iterate = sp.Function("w")
    recurrence = sp.Eq(iterate(t + 1), sp.expand(minimiser + factor * (iterate(t) - minimiser)))
    closed = sp.rsolve(recurrence.lhs - recurrence.rhs, iterate(t), {iterate(0): w_0})
    closed_form_iterate = Result(
        "closed_form_iterate", "The t-th iterate of GD from w_0.", closed,
        (Step("the update as a linear recurrence", recurrence),
         Step("solve the recurrence with w(0) = w_0", sp.Eq(iterate(t), closed))),
        lhs=sp.Symbol("w_t"))

    condition = sp.reduce_inequalities([factor < 1, factor > -1], eta)
    stable = interval_from_inequalities(condition, eta)
    stability_range = Result(
        "stability_range", "The learning rates for which GD converges.", stable,
        (Step("convergence needs the factor inside (-1, 1)",
              sp.Tuple(sp.Gt(factor, -1, evaluate=False), sp.Lt(factor, 1, evaluate=False))),
         Step("solve for eta > 0", condition)),
        lhs=eta)

    error_ratio = sp.simplify(sp.Abs(closed.subs(w_0, 0) - minimiser) / sp.Abs(minimiser))
    threshold = sp.solve(sp.Eq(error_ratio, epsilon), t)[0]
    iterations = sp.ceiling(threshold)
    iterations_to_tolerance = Result(
        "iterations_to_tolerance",
        "The fewest iterations from w_0 = 0 with |w_t - w*| <= epsilon |w*| (for a factor "
        "that is not zero).",
        iterations,
        (Step("relative error after t steps from w_0 = 0",
              sp.Eq(sp.Abs(sp.Symbol("w_t") - w_star) / sp.Abs(w_star), error_ratio)),
         Step("it falls below epsilon once t passes the solution of", sp.Eq(error_ratio, epsilon)),
         Step("the smallest whole number of steps", sp.Eq(t, iterations))),
        lhs=sp.Symbol("t_epsilon"))

    two_d = interval_from_inequalities(
        sp.reduce_inequalities([factor.subs(sigma, s) > -1 for s in (sigma_L, sigma_S)]
                               + [factor.subs(sigma, s) < 1 for s in (sigma_L, sigma_S)], eta),
        eta)
    gap = sp.factor((1 / sigma_S**2 - 1 / sigma_L**2).subs(sigma_L, sigma_S + delta))
    if not gap.is_positive:
        raise ArithmeticError(f"cannot order the two stability bounds: {gap}")
    largest = Result(
        "largest_stable_learning_rate_2d",
        "With two directions sigma_L > sigma_S, the largest stable rate is set by sigma_L.",
        1 / sigma_L**2,
        (Step("both factors must lie in (-1, 1)",
              sp.Tuple(factor.subs(sigma, sigma_L), factor.subs(sigma, sigma_S))),
         Step("the intersection of both ranges", sp.Eq(eta, two_d.end)),
         Step("with sigma_L = sigma_S + delta the sigma_S bound is the larger one",
              sp.Eq(1 / sigma_S**2 - 1 / sigma_L**2, gap))),
        lhs=sp.Symbol("eta_max"))

    curvature_factor, _, curvature_steps = gd_contraction(h * w**2 / 2)
    two_d_factor = curvature_factor.subs(h, 2 * sigma**2)
    best, best_rate, best_steps = balanced_rate(curvature_factor, 2 * sigma_S**2, 2 * sigma_L**2)
    optimal_learning_rate = Result(
        "optimal_learning_rate",
        "The single learning rate that makes both directions converge fastest.",
        best,
        (Step("the Hessian of (y - sigma w)^2 is 2 sigma^2, so the factor is",
              sp.Eq(rho, two_d_factor)),) + best_steps[:3],
        lhs=sp.Symbol("eta^*"))
    optimal_rate = Result(
        "optimal_rate", "The contraction factor of both directions at the optimal rate.",
        best_rate, best_steps[3:], lhs=sp.Symbol("rho^*"))
    faster = Result(
        "large_direction_faster_range",
        "The rates for which the sigma_L direction converges faster than the sigma_S one; "
        "above it the sigma_S direction is faster.",
        sp.Interval.open(0, best),
        (Step("equal speed where |factor(sigma_S)| = |factor(sigma_L)| with opposite signs",
              sp.Eq(eta, best)),),
        lhs=eta)

    model = f(w_t) + g * (w - w_t) + lam / 2 * (w - w_t) ** 2
    minimiser_w = sp.solve(sp.diff(model, w), w)[0]
    proximal_step = Result(
        "proximal_step",
        "GD's step minimises the linearisation plus lambda/2 ||w - w_t||^2 (coordinate-wise).",
        minimiser_w,
        (Step("the model of f around w_t", model),
         Step("set its derivative to zero", sp.Eq(sp.diff(model, w), 0))),
        lhs=sp.Symbol("w_{t+1}"))
    match = sp.solve(sp.Eq(w_t - eta * g, minimiser_w), eta)[0]
    proximal_rate = Result(
        "proximal_learning_rate", "The GD learning rate whose step is the proximal step.",
        match, (Step("match w_t - eta g with the minimiser", sp.Eq(w_t - eta * g, minimiser_w)),),
        lhs=eta)

    kappa_best, kappa_rate, kappa_steps = balanced_rate(curvature_factor, mu, L)
    condition_number_rate = Result(
        "condition_number_rate",
        "The best GD contraction factor on a quadratic with Hessian eigenvalues in [mu, L].",
        sp.factor(kappa_rate.subs(L, kappa * mu)),
        curvature_steps + kappa_steps
        + (Step("with L = kappa mu", sp.Eq(rho, sp.factor(kappa_rate.subs(L, kappa * mu)))),),
        lhs=sp.Symbol("rho^*"))

    return Derivation(
        "gd", "Gradient descent on least squares",
        (update_factor, closed_form_iterate, stability_range, iterations_to_tolerance,
         largest, faster, optimal_learning_rate, optimal_rate, proximal_step, proximal_rate,
         condition_number_rate),
        PARAMETERS,
        constraints=(sp.StrictLessThan(sigma_S, sigma_L), sp.LessThan(mu, L)),
        notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
