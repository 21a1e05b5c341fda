"""Regularised logistic regression: gradient, Hessian, conditioning, GD and Nesterov rates.

Model: ``f(w) = (1/n) sum_i log(1 + exp(-y_i z_i)) + lambda/2 sum_j w_j^2`` with
``z_i = sum_j x_ij w_j``, labels ``y_i`` in ``{-1, +1}``, features ``x_i1 .. x_id`` and the
constant feature ``x_i0 = 1`` whose weight ``w_0`` is the (penalised) bias, so
``x~ = (x, 1)``.  ``s`` is the sigmoid ``1/(1 + exp(-z))``.  Then the rates of GD and
Nesterov's method with step ``1/L``, the cross-entropy of a softmax at equal logits, and
SGD on ``f_1 + f_2`` with ``f_1 = -log(1 - s(w))``, ``f_2 = -log s(w)``.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, in_exp,
                   limits_at_infinity, real_zeros)
from .gd import gd_factor
from .method import builtin, engine_results
from .method import h as curvature
from .vanishing import sigmoid_slope_maximum

lam = sp.Symbol("lambda", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
sigma_max = sp.Symbol("sigma_max", positive=True)
kappa = sp.Symbol("kappa", positive=True)
mu = sp.Symbol("mu", positive=True)
L = sp.Symbol("L", positive=True)
eta = sp.Symbol("eta", positive=True)
C = sp.Symbol("C", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
j, k = sp.symbols("j k", integer=True, nonnegative=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
x = sp.IndexedBase("x", real=True)
y = sp.IndexedBase("y", real=True)
w = sp.IndexedBase("w", real=True)
z = sp.IndexedBase("z", real=True)
s = sp.IndexedBase("s", real=True)
zeta, label, m = sp.symbols("z y m", real=True)
beta, delta = sp.symbols("beta delta", real=True)
gap, g, F = sp.symbols("Delta g F", real=True)
f = sp.Function("f")

PARAMETERS = (
    Parameter(lam, "weight of the L2 penalty (bias included)", POSITIVE),
    Parameter(n, "number of examples", sp.Naturals),
    Parameter(sigma_max, "largest singular value of X~ = [X, 1], so sigma_max^2 = "
              "lambda_max(X~^T X~)", POSITIVE),
    Parameter(kappa, "condition number L/mu", sp.Interval(1, sp.oo)),
    Parameter(eta, "SGD learning rate of the sgd_not_monotone example", POSITIVE),
    Parameter(C, "number of classes of the softmax", sp.Range(2, sp.oo)),
)
NOTATION = {
    "x": "x_ij, feature j of example i; x_i0 = 1 carries the bias",
    "y": "y_i in {-1, +1}, the label of example i", "w": "w_j, weight j; w_0 is the bias",
    "z": "z_i = sum_j x_ij w_j, the margin of example i before the label",
    "s": "s_i = s(z_i), the sigmoid of the margin", "mu": "strong-convexity constant",
    "L": "smoothness constant (step 1/L)", "beta": "Nesterov's momentum",
    "Delta": "the loss gap f - f^*", "g": "the gradient's norm", "lambda": "a root of the "
    "characteristic polynomial", "i, j, k": "example index (1..n), weight indices (0..d)",
}


def sigmoid(argument):
    """The sigmoid ``1/(1 + exp(-argument))``.

    Examples
    --------
    >>> sigmoid(zeta)
    1/(1 + exp(-z))
    """
    return 1 / (1 + sp.exp(-argument))


def sample_loss(margin=zeta, target=label):
    """The loss ``log(1 + exp(-y z))`` of one example with margin ``z`` and label ``y``.

    Examples
    --------
    >>> sample_loss()
    log(1 + exp(-y*z))
    """
    return sp.log(1 + sp.exp(-target * margin))


def sigmoid_curvature(margin=zeta):
    """``s(z) (1 - s(z))``, the data term's curvature in the margin.

    Examples
    --------
    >>> sigmoid_curvature(0)
    1/4
    """
    return sigmoid(margin) * (1 - sigmoid(margin))


def margin_derivative():
    """``d z_i / d w_j = x_ij``, differentiating the sum ``z_i = sum_k x_ik w_k``.

    Examples
    --------
    >>> margin_derivative()
    x[i, j]
    """
    margin = sp.Sum(x[i, k] * w[k], (k, 0, d))
    return sp.diff(margin, w[j]).doit().subs(sp.Ge(d, j), True)


def explicit_sample_hessian():
    """The Hessian of one example's loss with two features, by ``sp.hessian``, for both labels.

    Returns the Hessian with ``y = 1`` written in the margin ``z``, and the differences to
    ``s(1-s) x~ x~^T`` for ``y = 1`` and ``y = -1`` (both zero matrices).

    Examples
    --------
    >>> explicit_sample_hessian()[0][0, 1]
    x_1*exp(z)/(exp(z) + 1)**2
    >>> explicit_sample_hessian()[2]
    Matrix([
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0]])
    """
    weights = sp.Matrix(sp.symbols("w_0:3", real=True))
    features = sp.Matrix([1, *sp.symbols("x_1:3", real=True)])
    margin = (features.T * weights)[0]
    outer = sigmoid_curvature(margin) * features * features.T

    def in_margin(matrix):
        """Write ``matrix`` in the margin ``z``: ``w_0 = z - x_1 w_1 - x_2 w_2``."""
        return matrix.subs(weights[0], zeta - margin + weights[0])

    hessians = {sign: sp.hessian(sample_loss(margin, sign), weights) for sign in (1, -1)}
    differences = tuple(in_margin(hessians[sign] - outer).applyfunc(lambda e: in_exp(e, zeta))
                        for sign in (1, -1))
    return (in_margin(hessians[1]).applyfunc(sp.factor),) + differences


def gradient_and_hessian():
    """The gradient and the Hessian of ``f`` component by component, with their steps.

    Examples
    --------
    >>> gradient_and_hessian()[1]
    lambda*KroneckerDelta(j, k) + Sum((1 - s[i])*s[i]*x[i, j]*x[i, k], (i, 1, n))/n
    """
    first = sp.diff(sample_loss(), zeta)
    first_form = -label / (1 + sp.exp(label * zeta))
    second = sp.diff(first_form, zeta)
    labels_agree = [in_exp((second - sigmoid_curvature()).subs(label, sign), zeta)
                    for sign in (1, -1)]
    if sp.cancel(first - first_form) != 0 or any(labels_agree):
        raise ArithmeticError("the per-example derivatives do not take the sigmoid form")
    dz = margin_derivative()
    penalty = lam / 2 * sp.Sum(w[k] ** 2, (k, 0, d))
    penalty_gradient = sp.diff(penalty, w[j]).doit().subs(sp.Ge(d, j), True)
    penalty_hessian = sp.diff(penalty_gradient, w[k])
    per_example = first_form.subs({label: y[i], zeta: z[i]}) * dz
    gradient = sp.Sum(per_example, (i, 1, n)) / n + penalty_gradient
    hessian = (sp.Sum(s[i] * (1 - s[i]) * dz * dz.subs(j, k), (i, 1, n)) / n
               + penalty_hessian)
    sample, difference, other_label = explicit_sample_hessian()
    if not (difference.is_zero_matrix and other_label.is_zero_matrix):
        raise ArithmeticError("the sample Hessian is not s(1 - s) x~ x~^T for both labels")
    grad_steps = (
        Step("one example's loss as a function of its margin z = sum_j x_j w_j",
             sample_loss()),
        Step("differentiate in z", equation(sp.Derivative(sample_loss(), zeta), first)),
        Step("which is -y s(-y z)", equation(sp.Derivative(sample_loss(), zeta), first_form)),
        Step("differentiate the sum z_i = sum_k x_ik w_k in w_j",
             equation(sp.Derivative(z[i], w[j]), dz)),
        Step("differentiate the penalty", equation(sp.Derivative(sp.Symbol("R"), w[j]),
                                               penalty_gradient)),
        Step("chain rule, averaged over the examples",
             equation(sp.Derivative(f(w), w[j]), gradient)),
    )
    hess_steps = grad_steps[2:3] + (
        Step("differentiate -y s(-y z) once more", second),
        Step("for y = 1 and y = -1 alike (y^2 = 1) this minus s(z)(1 - s(z)) simplifies to",
             sp.Tuple(*labels_agree)),
        Step("z is linear in w, so d^2 z / dw_j dw_k = 0 and the chain rule gives "
             "s(1 - s) x_j x_k; with two features sp.hessian of the loss itself gives",
             sample),
        Step("which equals s(1 - s) x~ x~^T: the difference, in E = exp(z), is",
             difference),
        Step("the penalty adds lambda I", equation(sp.Derivative(sp.Symbol("R"), w[j], w[k]),
                                                 penalty_hessian)),
        Step("average over the examples, with s_i = s(z_i)",
             equation(sp.Derivative(f(w), w[j], w[k]), hessian)),
    )
    return gradient, hessian, grad_steps, hess_steps


def strong_convexity():
    """The best strong-convexity constant valid for every data set, with its steps.

    Examples
    --------
    >>> strong_convexity()[0]
    lambda
    """
    v = sp.Matrix(sp.symbols("v_0:3", real=True))
    features = sp.Matrix([1, *sp.symbols("x_1:3", real=True)])
    c = sp.Symbol("c", nonnegative=True)
    form = (v.T * (c * features * features.T + lam * sp.eye(3)) * v)[0]
    split = c * ((v.T * features)[0]) ** 2 + lam * (v.T * v)[0]
    if sp.expand(form - split) != 0:
        raise ArithmeticError("the quadratic form does not split into data and penalty")
    curvature_exp = sp.factor(sigmoid_curvature().rewrite(sp.exp))
    if not curvature_exp.is_positive:
        raise ArithmeticError(f"the curvature {curvature_exp} is not positive")
    _, tail = limits_at_infinity(sigmoid_curvature(m), m)
    best = sp.cancel(split.subs(c, tail) / (v.T * v)[0])
    steps = (
        Step("the data term's curvature s(1 - s) is positive", curvature_exp),
        Step("so along any v the Hessian's quadratic form (shown for one example, "
             "c = s(1 - s)) is c (v . x~)^2 + lambda ||v||^2 >= lambda ||v||^2", split),
        Step("at w = (w_0 = m, 0, ..., 0) every margin z_i = m, because x_i0 = 1; the "
             "curvature there tends to", equation(sp.Limit(sigmoid_curvature(m), m, sp.oo), tail)),
        Step("so the Hessian tends to lambda I on every data set, and no constant above "
             "lambda is valid", equation(mu, best)),
    )
    return best, steps


def smoothness_bound():
    """``L = lambda + sigma_max^2 / (4 n)`` from ``max s(1 - s) = 1/4``, with its steps.

    Examples
    --------
    >>> smoothness_bound()[0]
    lambda + sigma_max**2/(4*n)
    """
    peak, peak_steps = sigmoid_slope_maximum()
    bound = lam + peak * sigma_max**2 / n
    steps = peak_steps + (
        Step("so every weight s_i (1 - s_i) <= 1/4 and the Hessian is at most "
             "X~^T X~ / (4 n) + lambda I; its largest eigenvalue is at most", equation(L, bound)),
        Step("at w = 0 every s_i = 1/2, where the bound is attained", sigmoid_curvature(0)),
    )
    return bound, steps


def gd_rate():
    """GD's contraction per step with step ``1/L``: ``1 - 1/kappa``, with its steps.

    Examples
    --------
    >>> gd_rate()[0]
    1 - 1/kappa
    """
    factor, factor_steps = gd_factor(curvature)
    at_step = factor.subs(eta, 1 / L)  # gd's learning rate is this module's eta
    worst = sp.expand(at_step.subs(curvature, mu).subs(L, kappa * mu))
    upper = F + g * delta + L / 2 * delta**2
    lower = F + g * delta + mu / 2 * delta**2
    step_up = sp.solve(sp.diff(upper, delta), delta, simplify=False)[0]
    decrease = sp.factor(upper.subs(delta, step_up) - F)
    floor = sp.factor(lower.subs(delta, sp.solve(sp.diff(lower, delta), delta,
                                                 simplify=False)[0]))
    squared = sp.solve(sp.Eq(floor, F - gap), g**2, simplify=False)[0]
    ratio = sp.expand(sp.cancel((gap + decrease.subs(g**2, squared)) / gap).subs(L, kappa * mu))
    if ratio != worst:
        raise ArithmeticError(f"the quadratic rate {worst} and the PL rate {ratio} differ")
    steps = factor_steps + (
        Step("with step 1/L the factor is", at_step),
        Step("for curvatures h in [mu, L] it lies in [0, 1 - mu/L], largest at h = mu; "
             "with L = kappa mu", worst),
        Step("beyond quadratics: the L-smooth upper model F + g delta + L/2 delta^2 is "
             "least at the GD step", equation(delta, step_up)),
        Step("which changes the loss by at most (a fall of at least g^2/(2L))", decrease),
        Step("mu-strong convexity: the lower model's minimum bounds f^* from below",
             sp.Ge(sp.Symbol("f^*"), floor, evaluate=False)),
        Step("so with Delta = F - f^*, g^2 >= 2 mu Delta", sp.Ge(g**2, squared)),
        Step("the new gap is at most Delta times", equation(sp.Symbol("rho"), ratio)),
    )
    return worst, steps


def nesterov_tuning():
    """Nesterov's momentum and rate with step ``1/L`` on curvatures ``h`` in ``[mu, L]``.

    The engine's Nesterov method (:mod:`derivations.method`) with the step fixed at
    ``1/L``: the momentum makes the slowest mode (``h = mu``) critically damped.  Returns
    the momentum, the rate (a spectral radius) and their steps.

    Examples
    --------
    >>> nesterov_tuning()[:2]
    ((sqrt(kappa) - 1)/(sqrt(kappa) + 1), 1 - 1/sqrt(kappa))
    """
    engine = engine_results(builtin("nesterov"), (mu, L),
                            only={"state_matrix", "optimal_parameters", "optimal_rate"})
    tuned = {e.lhs.name: e.rhs for e in engine["optimal_parameters"].value}
    in_kappa = {L: kappa * mu}
    momentum = sp.factor(tuned["beta"].subs(in_kappa))
    rate = sp.expand(engine["optimal_rate"].value.subs(in_kappa))
    steps = engine["state_matrix"].steps + engine["optimal_parameters"].steps
    momentum_steps = steps + (Step("with L = kappa mu", equation(beta, momentum)),)
    rate_steps = steps + (Step("the double root of the slowest mode (h = mu), the largest "
                               "modulus over the modes, with L = kappa mu",
                               equation(sp.Symbol("rho"), rate)),)
    return momentum, rate, momentum_steps, rate_steps


def quadratic_slopes(rates):
    """Slopes of ``log(loss)`` on a quadratic whose error contracts by ``rates`` per step.

    The loss of a mode is ``h/2 e_t^2``, so its logarithm falls twice as fast as the
    error's: slope ``2 log(rho)``.  Returns the slopes and the steps.

    Examples
    --------
    >>> quadratic_slopes([sp.Rational(1, 2)])[0]
    (-2*log(2),)
    """
    rho, e_0 = sp.Symbol("rho", positive=True), sp.Symbol("e_0", positive=True)
    log_loss = sp.expand_log(sp.log(curvature / 2 * (rho**t * e_0) ** 2), force=True)
    slope = sp.diff(log_loss, t)
    steps = (
        Step("on a quadratic mode the loss is h/2 e_t^2 with e_t = rho^t e_0, so",
             equation(sp.log(sp.Symbol("ell_t")), log_loss)),
        Step("its slope in t", equation(sp.Derivative(sp.log(sp.Symbol("ell_t")), t), slope)),
    )
    return tuple(slope.subs(rho, r) for r in rates), steps


def semilog_slopes(rates):
    """Slopes of ``log(loss)`` against steps for per-step loss factors ``rates``.

    Returns the natural-log slopes, the log10 slopes and the steps.

    Examples
    --------
    >>> semilog_slopes([sp.Rational(1, 2)])[:2]
    ((-log(2),), (-log(2)/log(10),))
    """
    rho, gap_0 = sp.Symbol("rho", positive=True), sp.Symbol("Delta_0", positive=True)
    log_loss = sp.expand_log(sp.log(gap_0 * rho**t), force=True)
    slope = sp.diff(log_loss, t)
    natural = tuple(slope.subs(rho, rate) for rate in rates)
    decimal = tuple(sp.diff(log_loss / sp.log(10), t).subs(rho, rate) for rate in rates)
    u = sp.Symbol("u", positive=True)
    steps = (
        Step("a loss gap shrinking by rho per step is a line in t on a log scale",
             equation(sp.log(sp.Symbol("Delta_t")), log_loss)),
        Step("its slope", equation(sp.Derivative(sp.log(sp.Symbol("Delta_t")), t), slope)),
        Step("with u = 1/kappa or 1/sqrt(kappa) small, log(1 - u) is about -u",
             sp.series(sp.log(1 - u), u, 0, 2)),
        Step("log10 divides by log(10)", sp.Tuple(*decimal)),
    )
    return natural, decimal, steps


def softmax_cross_entropy_at_equal_logits():
    """The cross-entropy of a ``C``-class softmax whose logits are all equal: ``log C``.

    Examples
    --------
    >>> softmax_cross_entropy_at_equal_logits()[0]
    log(C)
    """
    logit = sp.Symbol("a", real=True)
    c = sp.Symbol("c", integer=True, positive=True)
    normaliser = sp.Sum(sp.exp(logit), (c, 1, C)).doit()
    probability = sp.exp(logit) / normaliser
    loss = sp.expand_log(-sp.log(probability), force=True)
    steps = (
        Step("equal logits a: the softmax's normaliser", equation(sp.Sum(sp.exp(logit), (c, 1, C)),
                                                              normaliser)),
        Step("so every class, the true one included, has probability", probability),
        Step("and the cross-entropy -log p_y is", loss),
        Step("for C = 10 it is log(10), about 2.3026", loss.subs(C, 10)),
    )
    return loss, steps


def sgd_not_monotone():
    """One SGD step from the minimiser of ``f_1 + f_2`` raises it; values and steps.

    Returns ``(f(w^*), f(w_1), f(w_1) - f(w^*))`` for the learning rate ``eta``.

    Examples
    --------
    >>> sgd_not_monotone()[0][2]
    2*log(cosh(eta/4))
    """
    u = sp.Symbol("w", real=True)
    f_1, f_2 = -sp.log(1 - sigmoid(u)), -sp.log(sigmoid(u))
    softplus = {f_1: sp.log(1 + sp.exp(u)), f_2: sp.log(1 + sp.exp(-u))}
    if any(sp.cancel(in_exp(sp.exp(part) - sp.exp(form), u)) != 0     # in E = exp(w)
           for part, form in softplus.items()):
        raise ArithmeticError("f_1, f_2 are not the softplus functions")
    total = sum(softplus.values())
    slope = sp.factor(sp.diff(total, u))
    (minimiser,) = real_zeros(slope, u)
    bend = sp.factor(sp.diff(total, u, 2))
    at_minimum = sp.expand_log(total.subs(u, minimiser), force=True)
    steps_taken = {name: minimiser - eta * sp.diff(part, u).subs(u, minimiser)
                   for name, part in (("f_1", f_1), ("f_2", f_2))}
    w_1 = steps_taken["f_1"]
    after = total.subs(u, w_1)
    symmetric = sp.cancel(total - total.subs(u, -u))
    inside = sp.exp(sp.logcombine(after - at_minimum, force=True))
    increase = 2 * sp.log(sp.cosh(eta / 4))
    if (sp.cancel(sp.expand((inside - sp.cosh(eta / 4) ** 2).rewrite(sp.exp))) != 0 or symmetric != 0
            or not sp.diff(increase, eta).is_positive):
        raise ArithmeticError("the SGD step does not raise f_1 + f_2 as derived")
    one = {eta: 1}
    steps = (
        Step("1 - s(w) = 1/(1 + exp(w)) and s(w) = 1/(1 + exp(-w)), so f_1 and f_2 are",
             sp.Tuple(*softplus.values())),
        Step("f = f_1 + f_2 and its derivative", equation(sp.Derivative(f(u), u), slope)),
        Step("f' = 0 at", equation(sp.Symbol("w^*"), minimiser)),
        Step("f'' > 0 there, so it is the minimum", equation(sp.Symbol("f''(w)"), bend)),
        Step("f(w^*)", at_minimum),
        Step("one SGD step on the sample f_1 (on f_2 it goes the other way; f is even, as "
             "f(w) - f(-w) simplifies to 0)", sp.Tuple(*steps_taken.values())),
        Step("f after the step", equation(f(sp.Symbol("w_1")), after)),
        Step("exp(f(w_1) - f(w^*)) simplifies to cosh(eta/4)^2, so the increase is",
             increase),
        Step("it is 0 at eta = 0 and increasing in eta, so positive for every eta > 0",
             sp.diff(increase, eta)),
        Step("with eta = 1: f(w^*), f(w_1) and the increase",
             sp.Tuple(at_minimum, after.subs(one), increase.subs(one))),
    )
    return sp.Tuple(at_minimum, after, increase), steps


@derivation
def derive() -> Derivation:
    """Regularised logistic regression: Hessian, conditioning, GD and Nesterov rates.

    Examples
    --------
    >>> derive()["nesterov_rate"].value
    1 - 1/sqrt(kappa)
    >>> derive(kappa=100)["nesterov_momentum"].value
    9/11
    """
    gradient_value, hessian_value, gradient_steps, hessian_steps = gradient_and_hessian()
    gradient = Result(
        "gradient", "The gradient of f, component j (j = 0 is the bias).", gradient_value,
        gradient_steps, lhs=sp.Derivative(f(w), w[j]))
    hessian = Result(
        "hessian", "The Hessian of f: (1/n) sum_i s_i (1 - s_i) x~_i x~_i^T + lambda I, "
        "entry (j, k).", hessian_value, hessian_steps, lhs=sp.Derivative(f(w), w[j], w[k]))

    mu_value, mu_steps = strong_convexity()
    strong = Result(
        "strong_convexity", "The best strong-convexity constant valid for every data set: "
        "the data term's curvature can be made arbitrarily small.", mu_value, mu_steps, lhs=mu)

    L_value, L_steps = smoothness_bound()
    smooth = Result(
        "smoothness_bound", "A smoothness constant: the Hessian's largest eigenvalue is at "
        "most lambda + lambda_max(X~^T X~)/(4 n), attained at w = 0.", L_value, L_steps, lhs=L)

    gd_value, gd_steps = gd_rate()
    gd = Result(
        "gd_rate", "GD with step 1/L shrinks the loss gap (and on quadratics the error) by "
        "at least this factor per step.", gd_value, gd_steps, lhs=sp.Symbol("rho_GD"))

    momentum, nesterov_value, momentum_steps, rate_steps = nesterov_tuning()
    nesterov_momentum = Result(
        "nesterov_momentum", "Nesterov's momentum for condition number kappa, step 1/L.",
        momentum, momentum_steps, lhs=beta)
    nesterov = Result(
        "nesterov_rate", "Nesterov's method with step 1/L and that momentum: the largest "
        "spectral radius over quadratic modes in [mu, L], an asymptotic rate (at the double "
        "root the error behaves like (1 + c t) rho^t, so it is not a per-step factor).",
        nesterov_value,
        rate_steps, lhs=sp.Symbol("rho_Nesterov"))

    natural, decimal, slope_steps = semilog_slopes((gd_value, nesterov_value))
    slopes = Result(
        "semilog_slopes", "The slopes of log(Delta) against steps for a loss gap Delta "
        "falling like rho^t at the rates gd_rate and nesterov_rate, natural log then log10 "
        "(about -1/kappa and -1/sqrt(kappa)): for GD the slope of its per-step bound on the "
        "gap; Nesterov's rate is asymptotic, not a per-step bound.  The sheet's -1/kappa is "
        "a bound's slope, not the slope itself (see quadratic_semilog_slopes).",
        sp.Tuple(*natural, *decimal), slope_steps,
        lhs=sp.Tuple(*sp.symbols("slope_GD slope_Nesterov slope10_GD slope10_Nesterov")))
    exact, exact_steps = quadratic_slopes((gd_value, nesterov_value))
    quadratic = Result(
        "quadratic_semilog_slopes", "On a quadratic whose slowest curvature is mu, the slope "
        "of log(loss) in the long run, for GD with step 1/L and for Nesterov: twice the log "
        "of the error's rate, 2 log(1 - 1/kappa) for GD (Nesterov's error carries a further "
        "factor linear in t at its double root, which does not change the slope).",
        sp.Tuple(*exact), exact_steps + (Step("at the rates of GD and Nesterov", sp.Tuple(*exact)),),
        lhs=sp.Tuple(*sp.symbols("slope_GD slope_Nesterov")))

    entropy, entropy_steps = softmax_cross_entropy_at_equal_logits()
    cross_entropy = Result(
        "cross_entropy_at_init", "The cross-entropy of a C-class softmax with equal logits "
        "(near which a small random initialisation starts).", entropy, entropy_steps,
        lhs=sp.Symbol("ell_0"))

    values, sgd_steps = sgd_not_monotone()
    sgd = Result(
        "sgd_not_monotone", "From the minimiser of f = f_1 + f_2, one SGD step on a single "
        "sample raises f: f(w^*), f(w_1) and the increase.", values, sgd_steps,
        lhs=sp.Tuple(f(sp.Symbol("w^*")), f(sp.Symbol("w_1")),
                     f(sp.Symbol("w_1")) - f(sp.Symbol("w^*"))))

    return Derivation(
        "logistic", "Regularised logistic regression and Nesterov's method",
        (gradient, hessian, strong, smooth, gd, nesterov_momentum, nesterov, slopes,
         quadratic, cross_entropy, sgd),
        PARAMETERS, notation=NOTATION,
        definitions={kappa: L / mu, C: 10},  # kappa = L/mu; the sheet has ten classes
        aliases={r"\sigma_1": sigma_max})


if __name__ == "__main__":
    raise SystemExit(main(derive))
