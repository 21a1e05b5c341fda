"""Heavy-ball momentum on least squares: eigenvalues, regimes, stability, optimal tuning.

Model: ``z_{t+1} = (1 - beta) z_t + beta g_t``, ``w_{t+1} = w_t - eta z_{t+1}`` with
``g_t = 2 X^T (X w_t - y)`` and ``X = U Sigma V^T``; in the coordinates
``x_t = V^T (w_t - w*)``, ``a_t = V^T z_t`` every singular value ``sigma`` decouples
into a 2x2 system.  Beyond quadratics: the period-3 cycle of optimally tuned heavy
ball on a strongly convex piecewise quadratic.
"""
from __future__ import annotations

import itertools

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation,
                   interval_from_inequalities)

eta = sp.Symbol("eta", positive=True)
beta = sp.Symbol("beta", positive=True)
sigma = sp.Symbol("sigma", positive=True)
sigma_min = sp.Symbol("sigma_min", positive=True)
sigma_max = sp.Symbol("sigma_max", positive=True)
lam = sp.Symbol("lambda")
rho = sp.Symbol("rho", positive=True)
alpha = sp.Symbol("alpha", positive=True)
m = sp.Symbol("m", nonnegative=True)
a_t, x_t, z_t, g_t, w_t, w_prev = sp.symbols("a_t x_t z_t g_t w_t w_{t-1}", real=True)
a_next, x_next, w_next = sp.symbols("a_{t+1} x_{t+1} w_{t+1}", real=True)
x = sp.Symbol("x", real=True)

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(beta, "weight of the new gradient in the EMA (1 - momentum)", sp.Interval.Lopen(0, 1)),
    Parameter(sigma, "a singular value of X", POSITIVE),
    Parameter(sigma_min, "the smallest singular value of X", POSITIVE),
    Parameter(sigma_max, "the largest singular value of X", POSITIVE),
)
NOTATION = {
    "lambda": "an eigenvalue of R", "rho": "the contraction factor |lambda|",
    "alpha": "step of the classical heavy ball", "m": "momentum of the classical heavy ball",
    "a_t": "V^T z_t, one coordinate", "x_t": "V^T (w_t - w*), one coordinate",
}


def decoupled_recurrence():
    """The scalar recurrences of one singular direction, and their steps.

    Examples
    --------
    >>> decoupled_recurrence()[0]
    a_t*(1 - beta) + 2*beta*sigma**2*x_t
    """
    loss = sigma**2 * x_t**2
    gradient = sp.diff(loss, x_t)
    a_new = (1 - beta) * a_t + beta * gradient
    x_new = sp.expand(x_t - eta * a_new)
    steps = (
        Step("in x = V^T (w - w*) the loss ||y - X w||^2 is sum_i sigma_i^2 x_i^2 plus a "
             "constant, one term per singular value", loss),
        Step("so the gradient's coordinate is", sp.Eq(sp.Symbol("(V^T g_t)_i"), gradient)),
        Step("the EMA of the gradient in these coordinates", sp.Eq(a_next, a_new)),
        Step("the weight update, with a_{t+1} substituted", sp.Eq(x_next, x_new)),
    )
    return a_new, x_new, steps


def roots_ordered(polynomial, var):
    """The two roots of a quadratic in ``var``, smaller (minus sign) first.

    Examples
    --------
    >>> roots_ordered(eta**2 - 3*eta + 2, eta)
    (1, 2)
    """
    quadratic = sp.Poly(polynomial, var)
    c2, c1, c0 = quadratic.all_coeffs()
    root = sp.sqrt(sp.factor(c1**2 - 4 * c2 * c0))
    return tuple(sp.factor(sp.cancel((-c1 + sign * root) / (2 * c2))) for sign in (-1, 1))


def jury_conditions(polynomial, var):
    """Schur stability of ``var**2 + c1 var + c0``: p(1) > 0, p(-1) > 0, |c0| < 1.

    Examples
    --------
    >>> jury_conditions(lam**2 - lam / 2, lam)
    (1/2, 3/2, 0)
    """
    monic = sp.Poly(polynomial, var).monic()
    return (monic.eval(1), monic.eval(-1), monic.all_coeffs()[-1])


def heavy_ball_cycles(gradient, step, momentum):
    """Every period-3 cycle of ``x_{k+1} = x_k - step g(x_k) + momentum (x_k - x_{k-1})``.

    ``gradient`` is a Piecewise of linear pieces ``c x + d``.  The cycle equations are
    written once as a linear system with symbolic slopes and intercepts; each assignment
    of the three points to pieces substitutes its coefficients and solves, and the
    solution is kept when every point lies in its piece.  Cycles are returned once each, starting at their smallest
    point.

    Examples
    --------
    >>> g = sp.Piecewise((x, x < 1), (x, True))
    >>> heavy_ball_cycles(g, sp.Rational(1, 2), 0)
    ()
    """
    points = sp.symbols("x_1:4", real=True)
    slopes, intercepts = sp.symbols("c_1:4"), sp.symbols("d_1:4")
    equations = [sp.Eq(points[(k + 1) % 3],
                       points[k] - step * (slopes[k] * points[k] + intercepts[k])
                       + momentum * (points[k] - points[k - 1])) for k in range(3)]
    system, rhs = sp.linear_eq_to_matrix(equations, points)
    pieces = [sp.Poly(expr, x).all_coeffs()[-2:] if sp.degree(expr, x) else [0, expr]
              for expr, _ in gradient.args]
    cycles = []
    for assignment in itertools.product(range(len(pieces)), repeat=3):
        coefficients = {}
        for k, piece in enumerate(assignment):
            coefficients[slopes[k]], coefficients[intercepts[k]] = pieces[piece]
        values = list(system.xreplace(coefficients).LUsolve(rhs.xreplace(coefficients)))
        consistent = all(gradient.xreplace({x: v}) == pieces[j][0] * v + pieces[j][1]
                         for v, j in zip(values, assignment))
        if consistent and len(set(values)) == 3:
            start = values.index(min(values))
            cycle = sp.Tuple(*(values[start:] + values[:start]))
            if cycle not in cycles:
                cycles.append(cycle)
    return tuple(cycles)


@derivation
def derive() -> Derivation:
    """Heavy-ball momentum: eigenvalues, regimes, stability and optimal tuning.

    Examples
    --------
    >>> derive()["stability_range"].value
    Interval.open(0, -(beta - 2)/(beta*sigma**2))
    >>> derive(sigma_min=1, sigma_max=3)["optimal_rate"].value
    1/2
    """
    a_new, x_new, recurrence_steps = decoupled_recurrence()
    decoupled = Result(
        "decoupled_recurrence", "Each singular direction follows two scalar recurrences.",
        sp.Tuple(sp.Eq(a_next, a_new), sp.Eq(x_next, x_new)), recurrence_steps)

    R = sp.ImmutableMatrix([a_new, x_new]).jacobian([a_t, x_t])
    recurrence_matrix = Result(
        "recurrence_matrix", "The matrix R with [a_{t+1}; x_{t+1}] = R [a_t; x_t].", R,
        (Step("R is the Jacobian of the update in (a_t, x_t)", R),), lhs=sp.Symbol("R"))

    polynomial = sp.collect(sp.expand(R.charpoly(lam).as_expr()), lam)
    characteristic_polynomial = Result(
        "characteristic_polynomial", "The characteristic polynomial det(lambda I - R).",
        polynomial,
        (Step("expand det(lambda I - R)", sp.Eq(sp.Symbol("p(lambda)"), polynomial)),
         Step("its trace and determinant", sp.Tuple(R.trace(), sp.factor(R.det())))),
        lhs=sp.Symbol("p(lambda)"))

    disc = sp.factor(sp.discriminant(polynomial, lam))
    discriminant = Result(
        "discriminant", "The discriminant of the characteristic polynomial.", disc,
        (Step("b^2 - 4ac of the quadratic in lambda", disc),), lhs=sp.Symbol("Delta"))

    roots = sp.roots(sp.Poly(polynomial, lam))
    eigenvalues = Result(
        "eigenvalues", "The two eigenvalues of R.", sp.FiniteSet(*roots),
        (Step("solve p(lambda) = 0", sp.Eq(polynomial, 0)),), lhs=lam)

    eta_low, eta_high = roots_ordered(disc / beta, eta)
    repeated = Result(
        "repeated_eigenvalue_learning_rates",
        "The learning rates at which the two eigenvalues coincide.",
        sp.FiniteSet(eta_low, eta_high),
        (Step("the eigenvalues coincide where the discriminant vanishes", sp.Eq(disc, 0)),
         Step("a quadratic in eta; its roots", sp.Tuple(eta_low, eta_high)),
         Step("the larger minus the smaller", sp.factor(eta_high - eta_low))),
        lhs=eta)

    leading = sp.Poly(disc, eta).LC()
    real_range = sp.Union(sp.Interval.Lopen(0, eta_low), sp.Interval(eta_high, sp.oo))
    real_eigenvalues = Result(
        "real_eigenvalue_range", "The learning rates with real eigenvalues.", real_range,
        (Step("the discriminant is a quadratic in eta with positive leading coefficient",
              leading),
         Step("so it is non-negative outside its roots", sp.Tuple(eta_low, eta_high))),
        lhs=eta)
    complex_eigenvalues = Result(
        "complex_eigenvalue_range", "The learning rates with complex eigenvalues.",
        sp.Interval.open(eta_low, eta_high),
        (Step("the discriminant is negative strictly between its roots",
              sp.Interval.open(eta_low, eta_high)),), lhs=eta)

    product = sp.factor(sp.expand(sp.Mul(*roots)))
    modulus = sp.sqrt(product)
    complex_modulus = Result(
        "complex_eigenvalue_modulus",
        "In the complex regime both eigenvalues have this modulus, whatever eta and sigma.",
        modulus,
        (Step("complex eigenvalues are conjugate, so |lambda|^2 = lambda_1 lambda_2",
              sp.Eq(sp.Symbol("lambda_1 lambda_2"), product)),
         Step("take the square root", sp.Eq(rho, modulus))),
        lhs=rho)

    at_one, at_minus_one, constant = jury_conditions(polynomial, lam)
    condition = sp.reduce_inequalities([at_one > 0, at_minus_one > 0], eta)
    stable = interval_from_inequalities(condition, eta)
    stability_range = Result(
        "stability_range",
        "The learning rates for which both |lambda| < 1 (for fixed 0 < beta <= 1).", stable,
        (Step("Jury: p(1) > 0", sp.Gt(at_one, 0, evaluate=False)),
         Step("Jury: p(-1) > 0", sp.Gt(at_minus_one, 0, evaluate=False)),
         Step("Jury: |p(0)| < 1 holds for every 0 < beta <= 1", sp.Eq(sp.Symbol("p(0)"), constant)),
         Step("solve for eta > 0", condition)),
        lhs=eta)

    # Optimal tuning over sigma in [sigma_min, sigma_max].
    in_rho = {beta: 1 - rho**2}
    band_low = sp.factor(eta_low.subs(in_rho))
    band_high = sp.factor(eta_high.subs(in_rho))
    overlap = sp.factor(band_low.subs(sigma, sigma_min) / band_high.subs(sigma, sigma_max))
    squared_lhs, squared_rhs = sp.fraction(overlap)
    root_lhs, root_rhs = (sp.sqrt(side).subs(sp.Abs(rho - 1), 1 - rho)
                          for side in (squared_lhs, squared_rhs))
    feasible = sp.reduce_inequalities([root_lhs <= root_rhs], rho)
    rho_best = sp.factor(feasible.canonical.rhs)
    beta_best = sp.factor(1 - rho_best**2)
    eta_best = sp.factor(band_low.subs({sigma: sigma_min, rho: rho_best}))
    tuning_steps = (
        Step("|lambda_1 lambda_2| = 1 - beta, so max|lambda| >= sqrt(1 - beta) = rho, with "
             "equality exactly in the complex or repeated regime", sp.Eq(beta, 1 - rho**2)),
        Step("every sigma is in that regime when eta lies in both bands",
             sp.Tuple(band_low.subs(sigma, sigma_min), band_high.subs(sigma, sigma_max))),
        Step("the bands overlap when this ratio is at most 1", overlap),
        Step("both sides are squares of positive numbers for 0 < rho < 1; compare the roots",
             sp.Le(root_lhs, root_rhs, evaluate=False)),
        Step("solve for rho", feasible),
        Step("the smallest rho that allows it", sp.Eq(rho, rho_best)),
    )
    optimal_beta = Result(
        "optimal_beta", "The beta minimising the worst contraction over [sigma_min, sigma_max].",
        beta_best, tuning_steps + (Step("beta = 1 - rho^2", sp.Eq(beta, beta_best)),),
        lhs=sp.Symbol("beta^*"))
    optimal_learning_rate = Result(
        "optimal_learning_rate", "The learning rate paired with the optimal beta.", eta_best,
        (Step("sigma_min sits on the lower repeated-eigenvalue rate", sp.Eq(eta, eta_best)),),
        lhs=sp.Symbol("eta^*"))
    optimal_rate = Result(
        "optimal_rate", "The contraction factor of every direction at the optimal tuning.",
        rho_best, tuning_steps, lhs=sp.Symbol("rho^*"))

    z_from_w = sp.solve(sp.Eq(w_t, w_prev - eta * z_t), z_t, simplify=False)[0]
    w_update = sp.expand(w_t - eta * ((1 - beta) * z_from_w + beta * g_t))
    step_coefficient = -w_update.coeff(g_t)
    momentum_coefficient = sp.factor(w_update.coeff(w_t) - 1)
    equivalence = Result(
        "heavy_ball_equivalence",
        "The EMA form is the classical heavy ball w_{t+1} = w_t - alpha g_t + m (w_t - w_{t-1}).",
        sp.Tuple(sp.Eq(alpha, step_coefficient), sp.Eq(m, momentum_coefficient)),
        (Step("the previous step gives z_t", sp.Eq(z_t, z_from_w)),
         Step("substitute into w_{t+1} = w_t - eta z_{t+1}", sp.Eq(w_next, w_update)),
         Step("read off the coefficients of g_t and w_t - w_{t-1}",
              sp.Tuple(step_coefficient, momentum_coefficient))))

    strong, smooth = sp.Integer(1), sp.Integer(25)
    tuned = {sigma_min: sp.sqrt(strong / 2), sigma_max: sp.sqrt(smooth / 2)}
    step_hb = sp.nsimplify(step_coefficient.subs({eta: eta_best, beta: beta_best}).subs(tuned))
    momentum_hb = sp.nsimplify(momentum_coefficient.subs(beta, beta_best).subs(tuned))
    gradient = sp.Piecewise((25 * x, x < 1), (x + 24, x < 2), (25 * x - 24, True))
    cycles = heavy_ball_cycles(gradient, step_hb, momentum_hb)
    cycle = Result(
        "nonquadratic_cycle",
        "Heavy ball tuned optimally for quadratics with strong convexity 1 and smoothness 25 "
        "cycles with period 3 on a strongly convex function with those constants.",
        sp.Tuple(*cycles),
        (Step("the Hessian 2 sigma^2 ranges over [1, 25], so", sp.Tuple(*tuned.values())),
         Step("the optimal (alpha, m) of the quadratic theory", sp.Tuple(step_hb, momentum_hb)),
         Step("the gradient, piecewise linear with slopes in {1, 25}",
              sp.Eq(sp.Symbol("f'(x)"), gradient)),
         Step("solve x_{k+1} = x_k - alpha f'(x_k) + m (x_k - x_{k-1}) with period 3 for each "
              "assignment of the points to pieces; the consistent cycles", sp.Tuple(*cycles))),
        lhs=sp.Tuple(*sp.symbols("x_1:4")))

    return Derivation(
        "momentum", "Heavy-ball momentum on least squares",
        (decoupled, recurrence_matrix, characteristic_polynomial, eigenvalues, discriminant,
         repeated, real_eigenvalues, complex_eigenvalues, complex_modulus, stability_range,
         optimal_beta, optimal_learning_rate, optimal_rate, equivalence, cycle),
        PARAMETERS,
        constraints=(sp.LessThan(sigma_min, sigma_max),),
        notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
