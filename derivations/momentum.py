"""Heavy-ball momentum on least squares: eigenvalues, regimes, stability, optimal tuning.

Model (cs182 2): ``z_{t+1} = (1 - beta) z_t + beta g_t``, ``w_{t+1} = w_t - eta z_{t+1}``
with ``g_t = 2 X^T (X w_t - y)`` and ``X = U Sigma V^T``; in the coordinates
``x_t = V^T (w_t - w*)``, ``a_t = V^T z_t`` every singular value ``sigma`` decouples
into a 2x2 system, which is the engine's EMA heavy ball (:mod:`derivations.method`) on
the curvature ``h = 2 sigma^2``.  Then the sheet's 2(g) comparison with plain GD, and,
beyond quadratics, the period-3 cycle of optimally tuned heavy ball on a strongly convex
piecewise quadratic.
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.core.relational import Relational
from sympy.polys.matrices import DomainMatrix

from .cli import main
from .core import POSITIVE, Derivation, Parameter, Result, Step, derivation, equation
from .method import balanced_tuning, builtin, engine_results, equivalence, h, settling_time

eta = sp.Symbol("eta", positive=True)
beta = sp.Symbol("beta", positive=True)
sigma = sp.Symbol("sigma", positive=True)
sigma_min = sp.Symbol("sigma_min", positive=True)
sigma_max = sp.Symbol("sigma_max", positive=True)
lam = sp.Symbol("lambda")
rho = sp.Symbol("rho", positive=True)
alpha = sp.Symbol("alpha", positive=True)
m = sp.Symbol("m", nonnegative=True)
epsilon = sp.Symbol("epsilon", positive=True)
a_t, x_t, z_t, g_t, w_t, w_prev = sp.symbols("a_t x_t z_t g_t w_t w_{t-1}", real=True)
a_next, x_next, w_next = sp.symbols("a_{t+1} x_{t+1} w_{t+1}", real=True)
x = sp.Symbol("x", real=True)

PARAMETERS = (
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(beta, "weight of the new gradient in the EMA (1 - momentum)", sp.Interval.Lopen(0, 1)),
    Parameter(sigma, "a singular value of X", POSITIVE),
    Parameter(sigma_min, "the smallest singular value of X", POSITIVE),
    Parameter(sigma_max, "the largest singular value of X", POSITIVE),
    Parameter(epsilon, "the remaining fraction of the initial error (2(g): 1/200 for 99.5%)",
              sp.Interval.open(0, 1)),
)
NOTATION = {
    "lambda": "an eigenvalue of R", "rho": "the contraction factor |lambda|",
    "alpha": "step of the classical heavy ball", "m": "momentum of the classical heavy ball",
    "a_t": "V^T z_t, one coordinate", "x_t": "V^T (w_t - w*), one coordinate",
}
EMA = builtin("heavy_ball_ema")
CURVATURE = 2 * sigma**2         # the Hessian 2 X^T X of ||y - X w||^2 has eigenvalues 2 sigma^2
SHEET_2G = {sigma_max: sp.sqrt(5), sigma_min: sp.sqrt(sp.Rational(1, 20))}
SHEET_BETA = sp.Rational(1, 10)
# The engine's results this topic reads (its rate and worst rate it does not).
ENGINE_RESULTS = {"state_matrix", "characteristic_polynomial", "eigenvalues", "discriminant",
                  "repeated_eigenvalue_learning_rates", "real_eigenvalue_range",
                  "complex_eigenvalue_range", "complex_eigenvalue_modulus", "stability_region",
                  "optimal_parameters", "optimal_rate", "transient_growth"}
SHEET_EPSILON = sp.Rational(1, 200)


def svd_gradient():
    """``V^T g_t`` in the coordinates ``x_t = V^T (w_t - w*)``: ``2 Sigma^T Sigma x_t``, with steps.

    Matrix algebra on symbols: ``X = U Sigma V^T``, ``y = X w* + r`` with the residual
    ``r`` orthogonal to the columns of ``X`` (the normal equations ``Sigma^T U^T r = 0``),
    ``U^T U = V^T V = I``.

    Examples
    --------
    >>> svd_gradient()[0]
    2*Sigma.T*Sigma*x_t
    """
    n = sp.Symbol("n", integer=True, positive=True)
    U, S, V = (sp.MatrixSymbol(name, n, n) for name in ("U", "Sigma", "V"))
    x_vec, w_opt, r, g_vec = (sp.MatrixSymbol(name, n, 1) for name in ("x_t", "w^*", "r", "g_t"))
    X = U * S * V.T
    gradient = 2 * X.T * (X * (V * x_vec + w_opt) - (X * w_opt + r))
    rotated = sp.expand_mul(V.T * gradient)
    reduced = sp.expand_mul(rotated.subs({U.T * U: sp.Identity(n), V.T * V: sp.Identity(n)})).subs(
        S.T * U.T * r, sp.ZeroMatrix(n, 1)).doit()
    steps = (
        Step("with w_t = V x_t + w^* and y = X w^* + r, the gradient 2 X^T (X w_t - y) is",
             equation(g_vec, gradient)),
        Step("rotate by V^T and expand", equation(V.T * g_vec, rotated)),
        Step("U^T U = V^T V = I and the normal equations Sigma^T U^T r = 0 leave",
             equation(V.T * g_vec, reduced)),
        Step("Sigma^T Sigma is diagonal with entries sigma_i^2, so coordinate i of V^T g_t is "
             "2 sigma_i^2 x_t[i]: the curvature of direction i is", equation(h, CURVATURE)),
    )
    return reduced, steps


def in_svd_coordinates(expr):
    """The engine's error coordinates ``(z_t, w_t)`` (and ``z_{t+1}, w_{t+1}``) renamed
    ``(a_t, x_t)``, with ``h = 2 sigma^2``."""
    names = {s: {"z_t": a_t, "w_t": x_t, "z_{t+1}": a_next, "w_{t+1}": x_next}.get(s.name, s)
             for s in expr.free_symbols}
    return _renamed(expr, {**names, h: CURVATURE})


def _renamed(expr, rule):
    """``expr.xreplace(rule)``, with relations (the steps' ``lhs = rhs``) left unevaluated."""
    if isinstance(expr, Relational):
        return expr.func(*(_renamed(side, rule) for side in expr.args), evaluate=False)
    if isinstance(expr, sp.Tuple):
        return sp.Tuple(*(_renamed(item, rule) for item in expr))
    return expr.xreplace(rule)


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
    equations = [equation(points[(k + 1) % 3],
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
        matrix, vector = DomainMatrix.from_Matrix(system.xreplace(coefficients)).unify(
            DomainMatrix.from_Matrix(rhs.xreplace(coefficients)))
        values = list(matrix.to_field().lu_solve(vector.to_field()).to_Matrix())
        consistent = all(_at(gradient, v) == pieces[j][0] * v + pieces[j][1]
                         for v, j in zip(values, assignment))
        if consistent and len(set(values)) == 3:
            start = values.index(min(values))
            cycle = sp.Tuple(*(values[start:] + values[:start]))
            if cycle not in cycles:
                cycles.append(cycle)
    return tuple(cycles)


def _at(gradient, value):
    """The Piecewise ``gradient`` at a number: its first piece whose condition holds there."""
    return next(expr for expr, condition in gradient.args
                if condition.xreplace({x: value}) == sp.true).xreplace({x: value})


@derivation
def derive() -> Derivation:
    """Heavy-ball momentum: eigenvalues, regimes, stability and optimal tuning.

    Examples
    --------
    >>> derive()["stability_range"].value
    Interval.open(0, (2 - beta)/(beta*sigma**2))
    >>> derive(sigma_min=1, sigma_max=3)["optimal_rate"].value
    1/2
    """
    engine = engine_results(EMA, (2 * sigma_min**2, 2 * sigma_max**2), only=ENGINE_RESULTS)
    _, svd_steps = svd_gradient()
    R = in_svd_coordinates(engine["state_matrix"].value)
    new = R * sp.Matrix([a_t, x_t])
    a_new, x_new = sp.expand(new[0]), sp.expand(new[1])
    decoupled = Result(
        "decoupled_recurrence", "Each singular direction follows two scalar recurrences "
        "(cs182 2(a)).", sp.Tuple(equation(a_next, a_new), equation(x_next, x_new)),
        svd_steps + (Step("multiply the EMA by V^T: a_{t+1} = (1 - beta) a_t + beta V^T g_t, "
                          "and the weight update by V^T: x_{t+1} = x_t - eta a_{t+1}; "
                          "coordinate i", sp.Tuple(equation(a_next, a_new), equation(x_next, x_new))),))

    def from_engine(name, new_name=None, statement=None, value=None, lhs=None):
        result = engine[name]
        value = value if value is not None else in_svd_coordinates(result.value)
        return Result(new_name or name, statement or result.statement, value,
                      tuple(Step(s.text.replace("(z_t, w_t)", "(a_t, x_t)"),
                                 in_svd_coordinates(s.expr)) for s in result.steps)
                      + (Step("with the curvature h = 2 sigma^2", value),),
                      lhs=lhs if lhs is not None else result.lhs)

    recurrence_matrix = from_engine(
        "state_matrix", "recurrence_matrix", "The matrix R with [a_{t+1}; x_{t+1}] = R [a_t; x_t].",
        lhs=sp.Symbol("R"))
    characteristic_polynomial = from_engine("characteristic_polynomial")  # collected in lambda
    eigenvalues = from_engine("eigenvalues", statement="The two eigenvalues of R.")
    discriminant = from_engine("discriminant", value=sp.factor(in_svd_coordinates(
        engine["discriminant"].value)))
    repeated = from_engine("repeated_eigenvalue_learning_rates")
    low, high = sorted(repeated.value,
                       key=lambda v: float(v.xreplace({beta: sp.S.Half, sigma: 1})))
    real_eigenvalues = from_engine("real_eigenvalue_range", value=sp.Union(
        sp.Interval.Lopen(0, low), sp.Interval(high, sp.oo)))
    complex_eigenvalues = from_engine("complex_eigenvalue_range", value=sp.Interval.open(low, high))
    complex_modulus = from_engine(
        "complex_eigenvalue_modulus", statement="In the complex regime both eigenvalues have "
        "this modulus, whatever eta and sigma.")
    region = in_svd_coordinates(engine["stability_region"].value)
    stability_range = from_engine(
        "stability_region", "stability_range", "The learning rates for which both |lambda| < 1 "
        "(for fixed 0 < beta <= 1).", value=region)

    tuned = {k.lhs: k.rhs for k in engine["optimal_parameters"].value}
    tuning_steps = engine["optimal_parameters"].steps
    beta_best, eta_best = tuned[beta], tuned[eta]
    rate_best = engine["optimal_rate"].value
    optimal_beta = Result(
        "optimal_beta", "The beta minimising the worst spectral radius over [sigma_min, "
        "sigma_max].", beta_best, tuning_steps, lhs=sp.Symbol("beta^*"), chooses=(beta, eta))
    optimal_learning_rate = Result(
        "optimal_learning_rate", "The learning rate paired with the optimal beta.", eta_best,
        tuning_steps[-1:], lhs=sp.Symbol("eta^*"), chooses=(beta, eta))
    optimal_rate = Result(
        "optimal_rate", "The worst spectral radius over every direction at the optimal tuning: "
        "an asymptotic rate (the error shrinks like t rho^t), not a per-step factor.",
        rate_best, tuning_steps[:-1], lhs=sp.Symbol("rho^*"), chooses=(beta, eta))
    growth = engine["transient_growth"]
    transient = Result("transient_growth", growth.statement, growth.value, growth.steps,
                       lhs=growth.lhs, assumptions=growth.assumptions, chooses=(beta, eta))

    mapping, map_steps = equivalence(builtin("heavy_ball"), EMA)
    step_coefficient, momentum_coefficient = mapping[alpha], mapping[m]
    equivalence_result = Result(
        "heavy_ball_equivalence",
        "The EMA form is the classical heavy ball w_{t+1} = w_t - alpha g_t + m (w_t - w_{t-1}).",
        sp.Tuple(equation(alpha, step_coefficient), equation(m, momentum_coefficient)), map_steps)

    comparison, iterations, from_rest = sheet_comparison(rate_best, R, tuned)

    strong, smooth = sp.Integer(1), sp.Integer(25)
    tuned_hb = {sigma_min: sp.sqrt(strong / 2), sigma_max: sp.sqrt(smooth / 2)}
    step_hb = sp.radsimp(step_coefficient.xreplace({eta: eta_best, beta: beta_best}).xreplace(tuned_hb))
    momentum_hb = sp.radsimp(momentum_coefficient.xreplace({beta: beta_best}).xreplace(tuned_hb))
    gradient = sp.Piecewise((25 * x, x < 1), (x + 24, x < 2), (25 * x - 24, True))
    cycles = heavy_ball_cycles(gradient, step_hb, momentum_hb)
    cycle = Result(
        "nonquadratic_cycle",
        "Heavy ball tuned optimally for quadratics with strong convexity 1 and smoothness 25 "
        "cycles with period 3 on a strongly convex function with those constants.",
        sp.Tuple(*cycles),
        (Step("the Hessian 2 sigma^2 ranges over [1, 25], so", sp.Tuple(*tuned_hb.values())),
         Step("the optimal (alpha, m) of the quadratic theory", sp.Tuple(step_hb, momentum_hb)),
         Step("the gradient, piecewise linear with slopes in {1, 25}",
              equation(sp.Symbol("f'(x)"), gradient)),
         Step("solve x_{k+1} = x_k - alpha f'(x_k) + m (x_k - x_{k-1}) with period 3 for each "
              "assignment of the points to pieces; the consistent cycles", sp.Tuple(*cycles))),
        lhs=sp.Tuple(*sp.symbols("x_1:4")))

    return Derivation(
        "momentum", "Heavy-ball momentum on least squares",
        (decoupled, recurrence_matrix, characteristic_polynomial, eigenvalues, discriminant,
         repeated, real_eigenvalues, complex_eigenvalues, complex_modulus, stability_range,
         optimal_beta, optimal_learning_rate, optimal_rate, transient, equivalence_result,
         comparison, iterations, from_rest, cycle),
        PARAMETERS,
        constraints=(sp.LessThan(sigma_min, sigma_max),),
        notation=NOTATION, aliases={r"\sigma_1": sigma_max},
        definitions={epsilon: SHEET_EPSILON})  # 2(g)'s 99.5%


def sheet_comparison(momentum_rate, matrix, tuning):
    """cs182 2(g): GD's best rate against momentum's, and the iterations each needs; both readings.

    Reading (i): both methods tuned optimally over ``[sigma_min, sigma_max]`` (``tuning``
    gives momentum's ``beta`` and ``eta``).  Reading (ii), the known solution's: momentum
    with ``beta = 1/10`` and a learning rate that puts every direction in the complex
    regime, rate ``sqrt(1 - beta)``.  Iterations from the spectral radii, the fewest ``t``
    with ``rho^t <= epsilon`` (the known solution's count, asymptotic), and the iterations
    after which the error of each of the sheet's two directions stays within ``epsilon``,
    from rest, exactly (:func:`~derivations.method.settling_time`): momentum's error
    carries a transient factor beside ``rho^t``.
    """
    gd_step = sp.Symbol("eta", positive=True)
    gd_best, gd_rate, gd_steps = balanced_tuning(1 - gd_step * h, gd_step, 2 * sigma_min**2,
                                                 2 * sigma_max**2)
    modulus = sp.sqrt(1 - beta)
    low = (1 - sp.sqrt(1 - beta))**2 / (2 * beta * sigma_min**2)
    high = (1 + sp.sqrt(1 - beta))**2 / (2 * beta * sigma_max**2)
    band = sp.Interval.open(*(end.xreplace({beta: SHEET_BETA, **SHEET_2G}) for end in (low, high)))
    if band.is_empty is not False:
        raise ArithmeticError(f"beta = {SHEET_BETA} leaves no learning rate in the complex regime")
    rates = sp.Tuple(gd_rate, momentum_rate, modulus.xreplace({beta: SHEET_BETA})).xreplace(SHEET_2G)
    rates = sp.Tuple(*(sp.radsimp(r) for r in rates))
    comparison = Result(
        "rate_comparison_2g",
        "cs182 2(g) with sigma_max^2 = 5, sigma_min^2 = 1/20 (kappa = 100): plain GD at its best "
        "learning rate, momentum tuned optimally (reading i), and momentum with beta = 1/10 and "
        "a learning rate in every direction's complex band (reading ii, the known solution's); "
        "spectral radii, that is asymptotic rates per step.",
        rates,
        gd_steps + (Step("GD's best rate over [2 sigma_min^2, 2 sigma_max^2]", gd_rate),
                    Step("momentum's optimal rate", momentum_rate),
                    Step("with beta = 1/10 the complex bands of sigma_min and sigma_max overlap "
                         "on", band),
                    Step("so every direction has modulus sqrt(1 - beta)", modulus),
                    Step("at sigma_max^2 = 5, sigma_min^2 = 1/20", rates)),
        lhs=sp.Tuple(*sp.symbols("rho_GD rho_momentum rho_beta")))
    t = sp.Symbol("t", positive=True)
    counts = sp.Tuple(*(sp.ceiling(sp.log(epsilon) / sp.log(r)) for r in rates))
    at_sheet = counts.xreplace({epsilon: SHEET_EPSILON})
    iterations = Result(
        "iterations_2g",
        "The known solution's count: the fewest t with rho^t <= epsilon at the rates of "
        "rate_comparison_2g (GD, momentum reading i, momentum reading ii); the sheet's 99.5% "
        "is epsilon = 1/200.  An estimate from the asymptotic rates: momentum's error is not "
        "rho^t times its start (iterations_from_rest_2g counts the iterates).",
        counts,
        (Step("rho^t <= epsilon once t >= log(epsilon)/log(rho)",
              sp.Ge(t, sp.log(epsilon) / sp.log(rho), evaluate=False)),
         Step("with epsilon = 1/200", sp.Tuple(*(int(c) for c in at_sheet)))),
        lhs=sp.Tuple(*sp.symbols("t_GD t_momentum t_beta")))
    readings = (("GD at its best learning rate", sp.Matrix([[1 - gd_best * h]]), sp.Matrix([1]), 0),
                ("momentum tuned optimally (reading i)", matrix.xreplace(tuning),
                 sp.Matrix([0, 1]), 1),
                ("momentum with beta = 1/10, eta = 1 (reading ii)",
                 matrix.xreplace({beta: SHEET_BETA, eta: 1}), sp.Matrix([0, 1]), 1))
    return comparison, iterations, iterations_from_rest(readings, band)


def iterations_from_rest(readings, band):
    """cs182 2(g): ``iterations_from_rest_2g``, each reading's settling time (the later of
    the sheet's two directions) from rest, exactly (:func:`~derivations.method.settling_time`).

    ``readings`` are ``(name, state matrix in h, start, row of x)``; ``band`` is reading
    (ii)'s complex band, whose ends' geometric mean is the ``eta = 1`` it uses.
    """
    firsts, steps = [], [Step("reading ii's band, where both directions are complex", band),
                         Step("the product of its ends: eta = 1, their geometric mean, lies in "
                              "it", sp.expand(band.start * band.end))]
    for name, system, start, row in readings:
        counts_here = []
        for direction in (sigma_max, sigma_min):
            at = system.xreplace({h: 2 * direction**2, sigma: direction}).xreplace(SHEET_2G)
            first, found = settling_time(at, start, row, SHEET_EPSILON)
            counts_here.append(first)
            steps += [Step(f"{name}, {direction} = {SHEET_2G[direction]}: the state matrix",
                           at)] + [Step(f"  {s.text}", s.expr) for s in found]
        firsts.append(max(counts_here))
        steps.append(Step(f"{name}: the later of the two directions", sp.Integer(firsts[-1])))
    return Result(
        "iterations_from_rest_2g",
        "The fewest iterations T after which the error stays within 1/200 of its start "
        "(|x_t| <= |x_0|/200 for every t >= T) in both of the sheet's directions "
        "(sigma^2 = 5 and 1/20), from rest (z_0 = 0): GD at its best learning rate, momentum "
        "tuned optimally (reading i), and momentum with beta = 1/10 and eta = 1 (reading ii; "
        "the count depends on eta).",
        sp.Tuple(*firsts), tuple(steps),
        lhs=sp.Tuple(*sp.symbols("T_GD T_momentum T_beta")))


if __name__ == "__main__":
    raise SystemExit(main(derive))
