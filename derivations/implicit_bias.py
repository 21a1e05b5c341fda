"""Implicit bias: which interpolating solution an optimizer finds.

Model: over-parameterised least squares, ``X`` of size ``n x d`` with ``d > n`` and full
row rank, targets ``t``, the sheet's loss ``(1/n) ||X w - t||^2`` (toronto CSC413 HW2,
1): on one example ``x_j`` it is ``(x_j^T w - t_j)^2``, and mini-batch SGD, equation (2),
steps ``w <- w - (eta/b) sum_{j in B} grad (x_j^T w - t_j)^2``, the batch's rows picked by
``S_B`` (``b x n``); every run starts at ``w_0 = 0``.  (The row-span argument holds for any
positive scaling of the loss: it only rescales the coefficients.)  Then RMSProp as the
sheet writes it, equations (3) and (4) (``v <- beta v + (1 - beta) g^2`` from ``v_{-1} = 0``,
step ``-eta g / (sqrt(v) + epsilon)``), on the single example ``x_1 = [2, 1]``, ``t = 2``.
"""
from __future__ import annotations

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, linear_root,
                   matrix_symbol)

n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
b = sp.Symbol("b", integer=True, positive=True)
eta = sp.Symbol("eta", positive=True)
beta = sp.Symbol("beta", positive=True)
epsilon = sp.Symbol("epsilon", positive=True)


X = matrix_symbol("X", n, d)
t = matrix_symbol("t", n, 1)
w = matrix_symbol("w", d, 1)
nu = matrix_symbol("nu", n, 1)
S_B = matrix_symbol("S_B", b, n)
w_k = matrix_symbol("w_k", d, 1)
c_k = matrix_symbol("c_k", n, 1)
v_k = matrix_symbol("v_k", n, 1)
Delta_k = matrix_symbol("Delta_k", d, 1)
w_infinity = matrix_symbol("w_infinity", d, 1)
w_mn = matrix_symbol("w_mn", d, 1)
Q = sp.Symbol("Q", positive=True)
M = sp.Symbol("M", real=True)
x_j = sp.Symbol("x_j", positive=True)
alpha = sp.Symbol("alpha", real=True)

PARAMETERS = (
    Parameter(n, "number of examples (rows of X)", sp.Naturals),
    Parameter(d, "number of weights (columns of X), more than n", sp.Naturals),
    Parameter(b, "mini-batch size", sp.Naturals),
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(beta, "RMSProp's decay of the squared-gradient average v", sp.Interval.open(0, 1)),
    Parameter(epsilon, "RMSProp's epsilon", POSITIVE),
)
NOTATION = {
    "X": "the n x d inputs, full row rank", "t": "the targets", "w": "the weights",
    "nu": "Lagrange multipliers of X w = t", "S_B": "the b x n matrix selecting a batch's rows",
    "w_k": "the k-th SGD iterate", "c_k": "coefficients with w_k = X^T c_k",
    "w_infinity": "the limit of the iterates", "w_mn": "the minimum-norm solution",
    "Delta_k": "the k-th SGD increment w_{k+1} - w_k", "v_k": "the n-vector with Delta_k = X^T v_k",
    "u": "2 (x_1^T w - t), the loss's derivative in the prediction",
    "Q": "RMSProp's average of past u^2", "M": "the averaged u in Adam's numerator (u itself "
    "for RMSProp)", "x_j": "a positive input coordinate",
    "alpha": "the common coordinate of an iterate on the line w_1 = w_2",
    "Delta_j": "an adaptive step's change of coordinate j", "Delta_0": "the first step",
}


def kkt_check(rows: int = 2, columns: int = 3):
    """Solve the KKT system of ``min ||w||^2/2 s.t. X w = t`` for symbolic ``rows x columns`` ``X``.

    Returns the solved ``w`` and its difference from ``X^T (X X^T)^{-1} t`` (zero).

    Examples
    --------
    >>> kkt_check(1, 2)[1]
    Matrix([
    [0],
    [0]])
    """
    inputs = sp.Matrix(rows, columns, lambda i, j: sp.Symbol(f"X_{i + 1}{j + 1}", real=True))
    targets = sp.Matrix(sp.symbols(f"t_1:{rows + 1}", real=True))
    weights = sp.Matrix(sp.symbols(f"w_1:{columns + 1}", real=True))
    multipliers = sp.Matrix(sp.symbols(f"nu_1:{rows + 1}", real=True))
    lagrangian = (weights.T * weights / 2 - multipliers.T * (inputs * weights - targets))[0]
    unknowns = list(weights) + list(multipliers)
    # the KKT equations are linear in the weights and the multipliers: solved over the
    # polynomials in X and t, as numerators over one common denominator
    ring = sp.QQ[tuple(inputs) + tuple(targets)]

    def over_ring(matrix):
        return DomainMatrix.from_Matrix(matrix).convert_to(ring)

    system, constants = sp.linear_eq_to_matrix([sp.diff(lagrangian, u) for u in unknowns],
                                               unknowns)
    numerators, denominator = over_ring(system).solve_den(over_ring(constants))
    solved = numerators[:columns, :]
    # the formula, with (X X^T)^{-1} = adj(X X^T) / det(X X^T)
    adjugate, determinant = (over_ring(inputs) * over_ring(inputs).transpose()).adj_det()
    formula = over_ring(inputs).transpose() * adjugate * over_ring(targets)
    if not determinant:
        raise ArithmeticError("X X^T is singular for a symbolic X")
    # solved / denominator - formula / determinant over the common denominator
    gap = (solved * determinant - formula * denominator).to_Matrix()
    common = ring.to_sympy(denominator * determinant)
    return solved.to_Matrix() / ring.to_sympy(denominator), gap / common


def minimum_norm_solution():
    """``X^T (X X^T)^{-1} t`` from the Lagrangian, with the steps.

    Examples
    --------
    >>> minimum_norm_solution()[0]
    X.T*(X*X.T)**(-1)*t
    """
    lagrangian = w.T * w / 2 - nu.T * (X * w - t)
    stationary = sp.diff(lagrangian, w)
    feasible = sp.diff(lagrangian, nu)
    weights = X.T * nu
    gram = X * X.T
    multipliers = gram.I * t
    value = X.T * multipliers
    _, gap = kkt_check()
    if any(gap):
        raise ArithmeticError(f"the KKT solution differs from X^T (X X^T)^-1 t by {gap}")
    v = matrix_symbol("v", d, 1)
    steps = (
        Step("minimise ||w||^2 / 2 subject to X w = t: the Lagrangian",
             equation(sp.Symbol("L(w, nu)"), lagrangian)),
        Step("stationarity in w", equation(stationary, sp.ZeroMatrix(d, 1))),
        Step("so w is a combination of the rows of X", equation(w, weights)),
        Step("stationarity in nu is the constraint", equation(feasible, sp.ZeroMatrix(n, 1))),
        Step("substitute w: X X^T is n x n of rank n (d > n, X of full row rank), so invertible",
             equation(gram * nu, t)),
        Step("solve for the multipliers", equation(nu, multipliers)),
        Step("and the weights", equation(w, value)),
        Step("every interpolant is w + v with X v = 0, and w^T v = t^T (X X^T)^{-1} X v = 0, "
             "so ||w + v||^2 = ||w||^2 + ||v||^2: w has the least norm",
             equation((value + v).T * (value + v), value.T * value + v.T * v)),
        Step("check: solve the KKT equations for a symbolic 2 x 3 X and subtract the formula",
             gap.T),
    )
    return value, steps


def row_span_increment():
    """One mini-batch SGD step's increment as ``X^T`` times a vector, with the steps.

    Examples
    --------
    >>> row_span_increment()[0]
    (-2*eta/b)*S_B.T*(S_B*X*w_k - S_B*t)
    """
    residual = S_B * X * w_k - S_B * t
    loss = residual.T * residual
    gradient = sp.diff(loss, w_k)
    coefficient, factors = (-eta / b * gradient).as_coeff_mmul()
    if factors.args[0] != X.T:
        raise ArithmeticError(f"the increment {-eta / b * gradient} does not start with X^T")
    vector = coefficient * sp.MatMul(*factors.args[1:])
    steps = (
        Step("the per-example losses (x_j^T w - t_j)^2 summed over the batch",
             equation(sp.Symbol("L_B"), loss)),
        Step("its gradient, the sum of the per-example gradients",
             equation(matrix_symbol("g_k", d, 1), gradient)),
        Step("the SGD increment Delta_k = w_{k+1} - w_k is X^T times an n-vector",
             equation(Delta_k, X.T * vector)),
        Step("namely", equation(v_k, vector)),
    )
    return vector, steps


def without_epsilon(step):
    """The limit of an adaptive ``step`` as ``epsilon -> 0``: a ratio of polynomials in
    ``epsilon`` whose denominator is positive at 0 for every ``beta`` in (0, 1) (checked with
    ``beta = 1/(1 + r)``, ``r > 0``) is continuous there, so the limit is its value at 0.

    Examples
    --------
    >>> without_epsilon(-eta * 4 / (sp.sqrt((1 - beta) * 16) + epsilon))
    -eta/sqrt(1 - beta)
    """
    top, bottom = sp.fraction(step)
    at_zero = bottom.subs(epsilon, 0)
    r = sp.Dummy("r", positive=True)
    if not (top.is_polynomial(epsilon) and bottom.is_polynomial(epsilon)
            and at_zero.subs(beta, 1 / (1 + r)).is_positive):
        raise ArithmeticError(f"{step} is not continuous at epsilon = 0")
    return sp.factor_terms(top.subs(epsilon, 0) / at_zero)


def adaptive_step_on_one_example(x=(2, 1), target=2):
    """RMSProp's and Adam's steps on one example: equal in every coordinate with ``x_j > 0``.

    Returns the per-coordinate step, RMSProp's first step from 0 and the steps.

    Examples
    --------
    >>> adaptive_step_on_one_example()[0]
    -M*eta/sqrt(Q)
    """
    weights = sp.Matrix(sp.symbols(f"w_1:{len(x) + 1}", real=True))
    inputs = sp.Matrix(x)
    prediction = sp.Symbol("p", real=True)
    residual = (inputs.T * weights)[0] - target
    loss = residual**2
    gradient = sp.Matrix([sp.diff(loss, u) for u in weights])
    outer = sp.diff((prediction - target) ** 2, prediction).subs(prediction, residual + target)
    if any(sp.expand(g - outer * xj) != 0 for g, xj in zip(gradient, x)):
        raise ArithmeticError(f"the gradient {gradient.T} is not {outer} times x_1")
    history = sp.symbols("u_0:3", real=True)
    average = sp.S.Zero
    for past in history:
        average = beta * average + (1 - beta) * (past * x_j) ** 2
    kept = sp.factor(average / (1 - beta))
    average = sp.Mul(1 - beta, kept, evaluate=False)  # (1 - beta) in front, not -(beta - 1)
    scale = sp.Mul(1 - beta, sp.factor(kept / x_j**2), evaluate=False)
    step = without_epsilon(-eta * x_j * M / (sp.sqrt(x_j**2 * Q) + epsilon))
    first_gradient = gradient.subs({u: 0 for u in weights})
    first_step = first_gradient.applyfunc(
        lambda g: without_epsilon(-eta * g / (sp.sqrt((1 - beta) * g**2) + epsilon)))
    if x_j in step.free_symbols or len(set(first_step)) != 1:
        raise ArithmeticError(f"the adaptive steps {step}, {first_step.T} differ between coordinates")
    steps = (
        Step("the sheet's loss on the one example (n = 1)", equation(sp.Symbol("L"), loss)),
        Step("its gradient: u = 2 (x_1^T w - t), the loss's derivative in the prediction, "
             "times x_1", equation(sp.Symbol("g"), gradient.T)),
        Step("coordinate j sees g_j = u x_j; equation (4) from v_{-1} = 0 over three steps "
             "t = 0, 1, 2 gives", equation(sp.Symbol("v_2"), average)),
        Step("so v_j = x_j^2 Q with Q the same average of u^2 in every coordinate (AdaGrad's "
             "plain sum and Adam's bias-corrected average factor the same way)",
             equation(sp.Symbol("Q_2"), scale)),
        Step("RMSProp's numerator is g_j = x_j u, Adam's is x_j M (M the average of u); the "
             "step (3) as epsilon -> 0", equation(sp.Symbol("Delta_j"), step)),
        Step("it does not depend on x_j > 0: every step moves both coordinates equally; the "
             "first, from w_0 = 0", equation(sp.Symbol("Delta_0"), first_step.T)),
    )
    return step, first_step, steps


@derivation
def derive() -> Derivation:
    """Implicit bias of SGD and of adaptive methods on over-parameterised least squares.

    Examples
    --------
    >>> derive()["minimum_norm_solution"].value
    X.T*(X*X.T)**(-1)*t
    >>> derive()["rmsprop_counterexample"].value
    (Matrix([
    [4/5],
    [2/5]]), Matrix([
    [2/3],
    [2/3]]))
    """
    value, norm_steps = minimum_norm_solution()
    minimum_norm = Result(
        "minimum_norm_solution",
        "For d > n and X of full row rank, the interpolating weights of least Euclidean norm "
        "(the w^* of 1.1.1).",
        value, norm_steps, lhs=w_mn, assumptions=(sp.StrictLessThan(n, d),))

    _, increment_steps = row_span_increment()
    span_steps = increment_steps + (
        Step("w_0 = 0 = X^T 0; if w_k = X^T c_k then w_{k+1} = X^T (c_k + v_k): by induction "
             "every iterate lies in the row span of X",
             equation(w_k, X.T * c_k)),
        Step("the row span is closed, so a limit that fits the data is w = X^T c with X X^T c = t",
             equation(X * X.T * matrix_symbol("c", n, 1), t)),
        Step("X X^T is invertible, so c = (X X^T)^{-1} t and the limit is the minimum-norm "
             "solution", equation(w_infinity, value)),
    )
    row_span = Result(
        "sgd_row_span",
        "1.1.1: every mini-batch SGD step (2) from w_0 = 0 adds X^T times a vector, so the "
        "iterates stay in the row span of X and a limit that fits the data is the minimum-norm "
        "solution. Computed with the sheet's loss (1/n) ||X w - t||^2 on each example; the "
        "conclusion does not depend on that scaling (a positive factor only rescales v_k).",
        sp.Tuple(equation(Delta_k, X.T * v_k), equation(w_infinity, value)),
        span_steps, assumptions=(sp.StrictLessThan(n, d),))

    example, target = sp.ImmutableMatrix([[2, 1]]), sp.ImmutableMatrix([2])
    smallest = value.subs({n: 1, d: 2}).subs({matrix_symbol("X", 1, 2): example,
                                             matrix_symbol("t", 1, 1): target}).doit()
    *_, adaptive_steps = adaptive_step_on_one_example(tuple(example), target[0])
    fit = sp.Eq((example * sp.Matrix([alpha, alpha]))[0], target[0])
    common = linear_root(fit, alpha)
    adaptive = sp.ImmutableMatrix([common, common])
    counterexample = Result(
        "rmsprop_counterexample",
        "For x_1 = [2, 1], t = 2, w_0 = 0: the minimum-norm solution, and the limit of "
        "RMSProp as epsilon -> 0 (also AdaGrad's and Adam's: their steps are equal in both "
        "coordinates, so the iterates stay on w_1 = w_2): RMSProp does not always find the "
        "minimum-norm solution (1.2.1), nor do AdaGrad and Adam in general (1.2.2). "
        "Per-dimension rates are still desirable: each coordinate's step is scaled by its "
        "own gradient size, so flat and steep directions of a badly conditioned loss move at "
        "comparable speeds.",
        sp.Tuple(smallest, adaptive),
        (Step("the minimum-norm formula with X = [2, 1], t = 2", equation(sp.Symbol("w_mn"), smallest)),)
        + adaptive_steps
        + (Step("so w_k = alpha_k (1, 1) for every k, and a limit that fits the data solves", fit),
           Step("hence", equation(sp.Symbol("w_RMSProp"), adaptive)),
           Step("its squared norm exceeds the minimum's: RMSProp does not find the "
                "minimum-norm solution", sp.StrictGreaterThan(
               (adaptive.T * adaptive)[0], (smallest.T * smallest)[0], evaluate=False))),
        lhs=sp.Tuple(sp.Symbol("w_mn"), sp.Symbol("w_RMSProp")))

    return Derivation(
        "implicit_bias", "Implicit bias: which solution an optimizer finds",
        (minimum_norm, row_span, counterexample), PARAMETERS,
        constraints=(sp.StrictLessThan(n, d),), notation=NOTATION,
        definitions={w_mn: value},
        aliases={r"X^\dagger": X.T * (X * X.T).I, "X^+": X.T * (X * X.T).I,  # n < d
                 **{f"{w_name}^{star}": w_mn for w_name in ("w", r"\mathbf{w}")  # 1.1.1's w^*
                    for star in ("*", "{*}", r"\star", r"{\star}", r"\ast", r"{\ast}")}})


if __name__ == "__main__":
    raise SystemExit(main(derive))
