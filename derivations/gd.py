"""Gradient descent on least squares: stability, iterations, optimal rates, proximal view.

Model (cs182 1): the scalar loss ``L(w) = (y - sigma w)^2``; then two directions with
``sigma_L > sigma_S``; then any number of directions between them; then a quadratic
whose Hessian eigenvalues lie in ``[mu, L]``.  GD is the engine's one-state method
``w_{t+1} = w_t - eta g_t`` (:mod:`derivations.method`), on the loss's curvature
``h = 2 sigma^2``.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation,
                   interval_from_inequalities, linear_root)
from .method import (balanced_tuning, characteristic_polynomial, h, linear_inequality,
                     method_from_equations, stability_region, state_matrix)

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

_UPDATE = sp.Eq(sp.Symbol("w_{t+1}"), sp.Symbol("w_t") - eta * sp.Symbol("g_t"))
GRADIENT_DESCENT = method_from_equations([_UPDATE], [sp.latex(_UPDATE)], "gd", "Gradient descent",
                                         meanings={"eta": "learning rate"})


def least_squares_loss(weight, singular_value=sigma, target=y):
    """The scalar least-squares loss ``(y - sigma w)^2``.

    Examples
    --------
    >>> least_squares_loss(w)
    (-sigma*w + y)**2
    """
    return (target - singular_value * weight) ** 2


def curvature_of(loss, weight=w):
    """The loss's curvature ``h`` (its second derivative) and minimiser, with their steps.

    Examples
    --------
    >>> curvature_of(least_squares_loss(w))[:2]
    (2*sigma**2, y/sigma)
    """
    gradient = sp.diff(loss, weight)
    minimiser = linear_root(gradient, weight)   # gradient = 0
    curvature = sp.diff(loss, weight, 2)
    steps = (
        Step("differentiate the loss", equation(sp.Derivative(loss, weight), gradient)),
        Step("the minimiser sets the gradient to zero", equation(w_star, minimiser)),
        Step("the gradient is linear, g(w) = h (w - w^*), with curvature",
             equation(h, curvature)),
    )
    return curvature, minimiser, steps


def gd_factor(curvature=h):
    """GD's one-step factor on a mode of curvature ``curvature``, from the engine, with steps.

    Examples
    --------
    >>> gd_factor(2 * sigma**2)[0]
    -2*eta*sigma**2 + 1
    """
    matrix, steps = state_matrix(GRADIENT_DESCENT)
    factor = matrix[0, 0].subs(h, curvature)
    return factor, steps + (Step("with the curvature of the loss", equation(rho, factor)),)


def gd_stability(curvature=h):
    """GD's stable learning rates on curvature ``curvature`` (Jury's conditions), with steps.

    Examples
    --------
    >>> gd_stability(2 * sigma**2)[0]
    Interval.open(0, sigma**(-2))
    """
    polynomial, _ = characteristic_polynomial(state_matrix(GRADIENT_DESCENT)[0])
    region, steps, _ = stability_region(GRADIENT_DESCENT, polynomial)
    on_loss = region.subs(h, curvature)
    return on_loss, steps + (Step("with the curvature of the loss", on_loss),)


def faster_direction(factor_large, factor_small):
    """The learning rates at which the larger-curvature direction contracts faster, with steps.

    Examples
    --------
    >>> faster_direction(1 - 2 * eta * sigma_L**2, 1 - 2 * eta * sigma_S**2)[0]
    Interval.open(0, 1/(sigma_L**2 + sigma_S**2))
    """
    difference = sp.factor(((factor_large - factor_small) * (factor_large + factor_small))
                           .subs(sigma_L, sigma_S + delta))     # rho_L^2 - rho_S^2, factored
    varying = sp.Mul(*(p for p in sp.Mul.make_args(difference) if not p.is_positive))
    condition = linear_inequality(varying, eta, strict=True) if varying.is_positive is None else sp.false
    rates = interval_from_inequalities(condition, eta).xreplace({delta: sigma_L - sigma_S})
    rates = sp.Interval.open(rates.start, sp.factor(rates.end))
    steps = (
        Step("|rho_L| < |rho_S| exactly when rho_L^2 - rho_S^2 < 0; with sigma_L = sigma_S + "
             "delta it factors as", sp.Lt(difference, 0, evaluate=False)),
        Step("every factor but one is positive; the remaining one must be negative",
             sp.Lt(varying, 0, evaluate=False)),
        Step("solve for eta", rates),
    )
    return rates, steps


def affine_recurrence_solution(recurrence, iterate, start):
    """Solve ``w(t+1) = a w(t) + b`` (``a != 1`` free of ``t``) with ``w(0) = start``.

    The fixed point ``p = b / (1 - a)`` gives ``w(t) - p = a^t (start - p)``; the solution
    is checked against the recurrence and the start.

    Examples
    --------
    >>> u = sp.Function("u")
    >>> affine_recurrence_solution(sp.Eq(u(t + 1), u(t) / 2 + 1), u, 0)
    2 - 2/2**t
    """
    previous = sp.Dummy("previous")
    rule = sp.Poly(recurrence.rhs.subs(iterate(t), previous), previous)
    if recurrence.lhs != iterate(t + 1) or rule.degree() != 1:
        raise ValueError(f"{recurrence} is not an affine first-order recurrence in {iterate(t)}")
    rate, offset = rule.all_coeffs()
    if rate.has(t) or offset.has(t) or sp.cancel(rate - 1) == 0:
        raise ValueError(f"{recurrence} has no single fixed point; solve it another way")
    fixed = sp.factor(offset / (1 - rate))
    solution = fixed + rate**t * sp.together(start - fixed)
    residual = solution.subs(t, t + 1) - (rate * solution + offset)
    if sp.cancel(sp.expand(residual, power_base=False)) != 0 or \
            sp.cancel(solution.subs(t, 0) - start) != 0:
        raise ArithmeticError(f"{solution} does not solve {recurrence} from {start}")
    return solution


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
    curvature, minimiser, curvature_steps = curvature_of(least_squares_loss(w))
    factor, factor_steps = gd_factor(curvature)
    update_factor = Result(
        "update_factor", "One GD step multiplies the distance to the minimiser by this factor.",
        factor, curvature_steps + factor_steps, lhs=rho)

    iterate = sp.Function("w")
    recurrence = equation(iterate(t + 1), sp.expand(minimiser + factor * (iterate(t) - minimiser)))
    closed = affine_recurrence_solution(recurrence, iterate, w_0)
    closed_form_iterate = Result(
        "closed_form_iterate", "The t-th iterate of GD from w_0.", closed,
        (Step("the update as a linear recurrence", recurrence),
         Step("solve the recurrence with w(0) = w_0", equation(iterate(t), closed))),
        lhs=sp.Symbol("w_t"))

    stable, stable_steps = gd_stability(curvature)
    stability_range = Result(
        "stability_range", "The learning rates for which GD converges.", stable,
        curvature_steps + stable_steps, lhs=eta)

    error_ratio = sp.Abs(closed.subs(w_0, 0) - minimiser) / sp.Abs(minimiser)
    threshold = sp.log(epsilon) / sp.log(error_ratio.base) if error_ratio.is_Pow and \
        error_ratio.exp == t else sp.solve(sp.Eq(error_ratio, epsilon), t)[0]   # base^t = epsilon
    iterations = sp.ceiling(threshold)
    iterations_to_tolerance = Result(
        "iterations_to_tolerance",
        "The fewest iterations from w_0 = 0 with |w_t - w*| <= epsilon |w*|, for a learning "
        "rate in the stability range other than eta = 1/(2 sigma^2) (there the factor is 0 "
        "and one step lands on w*; outside the range no number of steps does).",
        iterations,
        (Step("relative error after t steps from w_0 = 0",
              equation(sp.Abs(sp.Symbol("w_t") - w_star) / sp.Abs(w_star), error_ratio)),
         Step("it falls below epsilon once t passes the solution of", equation(error_ratio, epsilon)),
         Step("the smallest whole number of steps", equation(t, iterations))),
        lhs=sp.Symbol("t_epsilon"), assumptions=(  # the factor in the range, and not 0
            sp.StrictLessThan(error_ratio.base, 1), sp.StrictGreaterThan(error_ratio.base, 0))
        if error_ratio.is_Pow else ())

    # cs182 1(c): both directions must be stable; the intersection is set by sigma_L.
    ranges = [stable.xreplace({sigma: s}) for s in (sigma_L, sigma_S)]
    gap = sp.factor((ranges[1].end - ranges[0].end).subs(sigma_L, sigma_S + delta))
    if not gap.is_positive:
        raise ArithmeticError(f"cannot order the two stability bounds: {gap}")
    both = sp.Interval.open(0, ranges[0].end)   # the smaller end, by the gap just derived
    both_steps = (Step("each direction is stable on its own range", sp.Tuple(*ranges)),
                  Step("with sigma_L = sigma_S + delta the sigma_S bound exceeds the sigma_L one by",
                       equation(ranges[1].end - ranges[0].end, gap)),
                  Step("so the intersection of the two ranges ends at the sigma_L bound", both))
    stable_2d = Result(
        "stability_range_2d",
        "With two directions sigma_L > sigma_S and one learning rate, the rates for which GD "
        "converges in both.", both, both_steps, lhs=eta)
    largest = Result(
        "largest_stable_learning_rate_2d",
        "With two directions sigma_L > sigma_S, the bound the stable rates stay below, set by "
        "sigma_L: the supremum of stability_range_2d, itself not stable (the sigma_L "
        "direction's factor is -1 there).",
        both.end, both_steps, lhs=sp.Symbol("eta_max"))

    factors = {s: factor.subs(sigma, s) for s in (sigma_L, sigma_S)}
    faster_rates, faster_steps = faster_direction(factors[sigma_L], factors[sigma_S])
    best, best_rate, best_steps = balanced_tuning(gd_factor()[0], eta, 2 * sigma_S**2,
                                                  2 * sigma_L**2)
    optimal_learning_rate = Result(
        "optimal_learning_rate",
        "The single learning rate that makes both directions converge fastest.",
        best, (Step("the Hessian of (y - sigma w)^2 is 2 sigma^2, so the factor is",
                    equation(rho, factor)),) + best_steps[:3],
        lhs=sp.Symbol("eta^*"), chooses=(eta,))
    optimal_rate = Result(
        "optimal_rate", "The contraction factor of both directions at the optimal rate.",
        best_rate, best_steps[3:], lhs=sp.Symbol("rho^*"), chooses=(eta,))
    faster = Result(
        "large_direction_faster_range",
        "The rates for which the sigma_L direction converges faster than the sigma_S one; "
        "above it (up to the stability limit) the sigma_S direction is faster.",
        faster_rates, faster_steps, lhs=eta)

    s = sp.Symbol("s", positive=True)
    linear = factor.subs(sigma**2, s)
    intermediate = Result(
        "intermediate_directions",
        "Directions with sigma_S < sigma < sigma_L change neither the stable rates nor the "
        "best rate: |rho| over the whole range is largest at its ends.",
        sp.Max(sp.Abs(factors[sigma_S]), sp.Abs(factors[sigma_L])),
        (Step("the factor is linear in s = sigma^2", equation(rho, linear)),
         Step("its second derivative in s vanishes, so |rho| (a linear function's absolute "
              "value) is convex in s", equation(sp.Derivative(linear, s, 2), sp.diff(linear, s, 2))),
         Step("a convex function on [sigma_S^2, sigma_L^2] is largest at an end, so the "
              "slowest direction and the stability limit are those of sigma_S and sigma_L",
              sp.Max(sp.Abs(factors[sigma_S]), sp.Abs(factors[sigma_L])))))

    model = f(w_t) + g * (w - w_t) + lam / 2 * (w - w_t) ** 2
    stationary = sp.Poly(sp.diff(model, w), w)
    if stationary.degree() != 1:
        raise ArithmeticError(f"the model's derivative {stationary.as_expr()} is not linear in w")
    slope, offset = stationary.all_coeffs()
    minimiser_w = sp.expand(-offset / slope)     # its one root
    proximal_step = Result(
        "proximal_step",
        "GD's step minimises the linearisation plus lambda/2 ||w - w_t||^2 (coordinate-wise).",
        minimiser_w,
        (Step("the model of f around w_t", model),
         Step("set its derivative to zero", equation(sp.diff(model, w), 0))),
        lhs=sp.Symbol("w_{t+1}"))
    match = linear_root(w_t - eta * g - minimiser_w, eta)
    proximal_rate = Result(
        "proximal_learning_rate", "The GD learning rate whose step is the proximal step.",
        match, (Step("match w_t - eta g with the minimiser", equation(w_t - eta * g, minimiser_w)),),
        lhs=eta)

    _, kappa_rate, kappa_steps = balanced_tuning(gd_factor()[0], eta, mu, L)
    in_kappa = sp.factor(kappa_rate.subs(L, kappa * mu))
    condition_number_rate = Result(
        "condition_number_rate",
        "The best GD contraction factor on a quadratic with Hessian eigenvalues in [mu, L].",
        in_kappa, gd_factor()[1] + kappa_steps + (Step("with L = kappa mu", equation(rho, in_kappa)),),
        lhs=sp.Symbol("rho^*"))

    return Derivation(
        "gd", "Gradient descent on least squares",
        (update_factor, closed_form_iterate, stability_range, iterations_to_tolerance,
         stable_2d, largest, faster, optimal_learning_rate, optimal_rate, intermediate,
         proximal_step, proximal_rate, condition_number_rate),
        PARAMETERS,
        constraints=(sp.StrictLessThan(sigma_S, sigma_L), sp.LessThan(mu, L)),
        notation=NOTATION, definitions={kappa: L / mu, w_0: 0},  # the sheet starts at 0
        aliases={r"\sigma_l": sigma_L, r"\sigma_\ell": sigma_L, r"\sigma_s": sigma_S})


if __name__ == "__main__":
    raise SystemExit(main(derive))
