"""Input noise is ridge regularisation.

Model (cs182 HW2, 3, in its notation): noisy rows ``x~_i = x_i + N_i`` of the ``m x n``
matrix ``X~``, ``N_i ~ N(0, sigma^2 I_n)`` independent, and the loss ``E ||X~ w - y||^2``; then the scalar SGD model
``L = 1/2 (x~ w - y)^2`` with ``x~ = x + N`` drawn afresh at every step.
Expectations are taken from the moments of the noise, ``E[N] = 0``,
``E[N^2] = sigma^2`` (higher ones ``sigma^k (k-1)!!``), and its independence.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation,
                   interval_from_inequalities, linear_root)

m = sp.Symbol("m", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, nonnegative=True)
sigma = sp.Symbol("sigma", positive=True)
eta = sp.Symbol("eta", positive=True)
lam = sp.Symbol("lambda", positive=True)
x = sp.Symbol("x", real=True, nonzero=True)
y = sp.Symbol("y", real=True)
N = sp.Symbol("N", real=True)
w_t = sp.Symbol("w_t", real=True)
mu_t = sp.Symbol("mu_t", real=True)
mu = sp.Symbol("mu", real=True)
j = sp.Symbol("j", integer=True, nonnegative=True)
X, w, Y = sp.IndexedBase("X"), sp.IndexedBase("w"), sp.IndexedBase("y")
J = sp.Symbol("J(w)")
SQUARED_NORM = sp.Sum(w[j] ** 2, (j, 0, n - 1))
CLEAN_LOSS = sp.Sum((sp.Sum(X[i, j] * w[j], (j, 0, n - 1)) - Y[i]) ** 2, (i, 0, m - 1))

NONZERO = sp.Union(sp.Interval.open(-sp.oo, 0), POSITIVE)
PARAMETERS = (
    Parameter(sigma, "standard deviation of the input noise", POSITIVE),
    Parameter(m, "number of examples (rows of X)", sp.Naturals),
    Parameter(n, "number of weights (columns of X)", sp.Naturals),
    Parameter(eta, "learning rate", POSITIVE),
    Parameter(x, "the clean scalar input", NONZERO),
    Parameter(y, "the target (the m-vector of targets in the first model)", sp.Reals),
    Parameter(mu_t, "E[w_t], the mean iterate over the noise", sp.Reals),
)
NOTATION = {
    "X": "the m x n clean inputs",
    "w": "the weights", "N": "input noise", "lambda": "the ridge coefficient",
    "w_t": "the SGD iterate", "mu": "a fixed point of the mean recurrence",
    "i": "a row index (from 0)", "j": "a column index (from 0)", "J(w)": "E ||X~ w - y||^2, the expected loss",
}


def normal_moment(k: int, scale=sigma):
    """``E[N^k]`` for ``N ~ N(0, scale^2)``: zero for odd ``k``, ``scale^k (k-1)!!`` for even.

    Examples
    --------
    >>> [normal_moment(k) for k in range(5)]
    [1, 0, sigma**2, 0, 3*sigma**4]
    """
    return sp.S.Zero if k % 2 else scale**k * sp.factorial2(k - 1)


def noise_expectation(expr, noises, scale=sigma):
    """``E[expr]`` over independent ``N(0, scale^2)`` noises, by expanding into monomials.

    Independence makes the expectation of a monomial the product of the moments of
    its factors; every other symbol is held fixed.

    Examples
    --------
    >>> a, b = sp.symbols("a b", real=True)
    >>> noise_expectation((a + N) ** 2, [N])
    a**2 + sigma**2
    >>> noise_expectation(a * N * b, [N])
    0
    """
    noises = tuple(noises)
    expectations = []
    for term in sp.Add.make_args(sp.expand(expr)):   # each monomial: fixed part times noises
        coefficient, monomial = term.as_independent(*noises, as_Add=False)
        powers = monomial.as_powers_dict()
        if not all(base in noises and power.is_Integer and power >= 0
                   for base, power in powers.items() if base is not sp.S.One):
            raise ValueError(f"{term} is not a polynomial in {noises}")
        expectations.append(coefficient * sp.Mul(*(normal_moment(int(powers.get(noise, 0)),
                                                                 scale) for noise in noises)))
    return sp.expand(sp.Add(*expectations))


def row_noise_term():
    """``E[(N_i^T w)^2]`` for any ``n``: a double sum over the covariances of the entries.

    Examples
    --------
    >>> row_noise_term()[0]
    sigma**2*Sum(w[j]**2, (j, 0, n - 1))
    """
    k = sp.Symbol("k", integer=True, nonnegative=True)
    first, second = sp.symbols("N_a N_b", real=True)
    same, different = noise_expectation(first**2, [first]), noise_expectation(first * second,
                                                                             [first, second])
    covariance = same * sp.KroneckerDelta(j, k) + different * (1 - sp.KroneckerDelta(j, k))
    pair = sp.Function("E")(sp.Symbol("N_ij") * sp.Symbol("N_ik"))
    double = sp.Sum(w[j] * w[k] * pair, (k, 0, n - 1), (j, 0, n - 1))
    inner = sp.Sum(w[j] * w[k] * covariance, (k, 0, n - 1)).doit()
    # j runs over 0..n-1, so the Kronecker delta's range condition holds inside the sum
    inner = inner.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr)
    value = sp.factor_terms(sp.Sum(sp.expand(inner), (j, 0, n - 1)))
    steps = (
        Step("for any n, expand the square: E[(N_i^T w)^2] = sum_jk w_j w_k E[N_ij N_ik]",
             equation(sp.Symbol("Delta_i"), double)),
        Step("independent zero-mean entries: E[N_ij N_ik] is E[N^2] for j = k and "
             "E[N_a] E[N_b] otherwise", equation(pair, covariance)),
        Step("only k = j survives the inner sum", equation(sp.Symbol("Delta_i"), value)),
    )
    return value, steps


def expected_objective(rows: int = 2, columns: int = 2):
    """``E ||X~ w - y||^2``: an explicit ``rows x columns`` case expanded, then any ``m``.

    Returns the general value, the explicit case's noise term and the steps.

    Examples
    --------
    >>> expected_objective()[0]
    m*sigma**2*Sum(w[j]**2, (j, 0, n - 1)) + Sum((-y[i] + Sum(X[i, j]*w[j], (j, 0, n - 1)))**2, (i, 0, m - 1))
    """
    clean = sp.Matrix(rows, columns, lambda r, c: sp.Symbol(f"X_{r + 1}{c + 1}", real=True))
    noise = sp.Matrix(rows, columns, lambda r, c: sp.Symbol(f"N_{r + 1}{c + 1}", real=True))
    weights = sp.Matrix(sp.symbols(f"w_1:{columns + 1}", real=True))
    targets = sp.Matrix(sp.symbols(f"y_1:{rows + 1}", real=True))
    squared = sp.expand(sum(e**2 for e in (clean + noise) * weights - targets))
    expected = noise_expectation(squared, list(noise))
    clean_part = sp.expand(sum(e**2 for e in clean * weights - targets))
    noise_part = sp.factor(expected - clean_part)
    per_row = sp.factor(noise_part / rows)
    norm_w = sum(e**2 for e in weights)
    if sp.expand(per_row - sigma**2 * norm_w) != 0:
        raise ArithmeticError(f"the noise term per row is {per_row}, not sigma^2 ||w||^2")
    general, general_steps = row_noise_term()
    if sp.expand(general.subs(n, columns).doit().subs(
            {w[c]: weights[c] for c in range(columns)}) - per_row) != 0:
        raise ArithmeticError(f"the general row term {general} misses the explicit {per_row}")
    noise_total = sp.summation(sigma**2 * SQUARED_NORM, (i, 0, m - 1))
    value = CLEAN_LOSS + noise_total
    steps = (
        Step(f"an explicit case, m = {rows}, n = {columns}: expand ||(X + N) w - y||^2",
             squared),
        Step("take the expectation: E[N_ij] = 0, E[N_ij^2] = sigma^2, independent entries",
             expected),
        Step("subtract the clean loss ||X w - y||^2: the noise adds",
             equation(sp.Symbol("Delta"), noise_part)),
        Step("per row that is sigma^2 ||w||^2", equation(sp.Symbol("Delta_i"), per_row)),
    ) + general_steps + (
        Step("the cross term 2 (x_i^T w - y_i) E[N_i^T w] vanishes; sum the rows",
             equation(sp.Sum(sigma**2 * SQUARED_NORM, (i, 0, m - 1)), noise_total)),
        Step("so the expected loss is the clean loss plus a ridge term", equation(J, value)),
    )
    return value, steps


def ridge_lambda(objective):
    """The ``lambda`` of ``(1/m) ||X w - y||^2 + lambda ||w||^2`` that equals ``objective / m``.

    Examples
    --------
    >>> ridge_lambda(expected_objective()[0])[0]
    sigma**2
    """
    scaled = objective / m
    ridge = CLEAN_LOSS / m + lam * SQUARED_NORM
    gap = sp.expand(scaled - ridge)
    condition = gap.coeff(SQUARED_NORM)
    value = linear_root(condition, lam)
    steps = (
        Step("divide the expected loss by m",
             equation(J / m, sp.expand(scaled))),
        Step("the ridge objective", equation(sp.Symbol("R(w)"), ridge)),
        Step("their difference is a multiple of ||w||^2", equation(sp.Symbol("Delta"), gap)),
        Step("it vanishes for every w when its coefficient does", equation(condition, 0)),
        Step("solve for lambda", equation(lam, value)),
    )
    return value, steps


def expected_update():
    """The mean recurrence of scalar SGD with fresh input noise, as ``(a, b, steps)``.

    ``E[w_{t+1}] = a E[w_t] + b``.

    Examples
    --------
    >>> expected_update()[:2]
    (-eta*sigma**2 - eta*x**2 + 1, eta*x*y)
    """
    noisy = x + N
    weight = sp.Symbol("w", real=True)
    loss = (noisy * weight - y) ** 2 / 2
    gradient = sp.factor(sp.diff(loss, weight)).subs(weight, w_t)
    update = w_t - eta * gradient
    expected = noise_expectation(update, [N])
    mean = sp.expand(expected.subs(w_t, mu_t))
    a, b = mean.coeff(mu_t), mean.subs(mu_t, 0)
    steps = (
        Step("the single-example loss with noisy input x~ = x + N",
             equation(sp.Symbol("L"), loss.subs(weight, w_t))),
        Step("differentiate in w", equation(sp.Symbol("g_t"), gradient)),
        Step("one SGD step", equation(sp.Symbol("w_{t+1}"), update)),
        Step("fresh N is independent of w_t, and the step is linear in w_t: take "
             "E[N] = 0, E[N^2] = sigma^2", equation(sp.Symbol("E[w_{t+1} | w_t]"), expected)),
        Step("average over w_t, with mu_t = E[w_t]",
             equation(sp.Symbol("mu_t+1"), sp.collect(mean, [mu_t, eta]))),
    )
    return a, b, steps


@derivation
def derive() -> Derivation:
    """Input noise as ridge regularisation, and SGD with fresh input noise.

    Examples
    --------
    >>> derive()["limit"].value
    x*y/(sigma**2 + x**2)
    >>> derive(sigma=1, x=1)["stability_range"].value
    Interval.open(0, 1)
    """
    objective, objective_steps = expected_objective()
    expected = Result(
        "expected_objective",
        "The expected squared loss under input noise: the clean loss plus m sigma^2 ||w||^2.",
        objective, objective_steps, lhs=J)

    ridge, ridge_steps = ridge_lambda(objective)
    ridge_equivalent = Result(
        "ridge_equivalent_lambda",
        "The ridge coefficient lambda for which (1/m) ||X w - y||^2 + lambda ||w||^2 is the "
        "1/m-scaled expected loss.", ridge, ridge_steps, lhs=lam)

    a, b, update_steps = expected_update()
    update = Result(
        "expected_update", "The recurrence of the mean iterate mu_t = E[w_t] of SGD.",
        (1 + sp.factor(a - 1)) * mu_t + b, update_steps, lhs=sp.Symbol("mu_t+1"))

    condition = sp.reduce_inequalities([a < 1, a > -1], eta)
    stable = interval_from_inequalities(condition, eta)
    stability = Result(
        "stability_range", "The learning rates for which the mean iterate E[w_t] converges.",
        stable,
        (Step("mu_{t+1} - mu = a (mu_t - mu) about a fixed point, with", equation(sp.Symbol("a"), a)),
         Step("so mu_t converges from every start exactly when |a| < 1",
              sp.Tuple(sp.Gt(a, -1, evaluate=False), sp.Lt(a, 1, evaluate=False))),
         Step("solve for eta > 0", condition)),
        lhs=eta)

    fixed = linear_root(equation(mu, a * mu + b), mu)
    fixed = sp.factor(fixed)
    clean = fixed.subs(sigma, 0)
    shrinkage = sp.factor(sp.cancel(fixed / clean))
    limit_steps = (
        Step("a limit of mu_t is a fixed point of the recurrence", equation(mu, a * mu + b)),
        Step("solve for mu", equation(sp.Symbol("mu_infinity"), fixed)),
        Step("without noise (sigma = 0) the limit is the exact fit", equation(sp.Symbol("w^*"), clean)),
        Step("their ratio: the noise shrinks the fit towards 0",
             equation(sp.Symbol("mu_infinity") / sp.Symbol("w^*"), shrinkage)),
    )
    limit = Result(
        "limit", "The limit of E[w_t] for every learning rate in the stability range; "
        "it is the noise-free y/x shrunk by x^2/(x^2 + sigma^2).",
        fixed, limit_steps, lhs=sp.Symbol("mu_infinity"),
        assumptions=(sp.StrictLessThan(eta, stable.end),))
    shrinkage_factor = Result(
        "shrinkage_factor", "The limit divided by the noise-free solution y/x.", shrinkage,
        limit_steps, lhs=sp.Symbol("mu_infinity") / sp.Symbol("w^*"))

    return Derivation(
        "noise", "Input noise is ridge regularisation",
        (expected, ridge_equivalent, update, stability, limit, shrinkage_factor),
        PARAMETERS, notation=NOTATION,
        aliases={**{f"{e}[w_{t}]": mu_t for e in ("E", r"\mathbb{E}") for t in ("t", "{t}")},
                 **{f"{e}[w_{{t+1}}]": sp.Symbol("mu_t+1") for e in ("E", r"\mathbb{E}")}})


if __name__ == "__main__":
    raise SystemExit(main(derive))
