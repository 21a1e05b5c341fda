"""Variance propagation through deep nets: product variances, Xavier, He and PyTorch's default.

Model: ``h^(i) = W^(i) h^(i-1)`` with the identity activation (ReLU for He's rule),
weights and inputs independent with zero mean, every weight of layer ``i`` with the
variance ``Var(W^(i)) = sigma_W^2``; ``W^(i)`` has ``n_out`` rows and ``n_in`` columns.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, linear_root,
                   positive_roots)

n_in = sp.Symbol("n_in", integer=True, positive=True)
n_out = sp.Symbol("n_out", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
sigma_W = sp.Symbol("sigma_W", positive=True)
sigma_h = sp.Symbol("sigma_h", positive=True)
sigma_g = sp.Symbol("sigma_g", positive=True)
sigma_z = sp.Symbol("sigma_z", positive=True)
sigma_X = sp.Symbol("sigma_X", positive=True)
sigma_Y = sp.Symbol("sigma_Y", positive=True)
mu_X = sp.Symbol("mu_X", real=True)
mu_Y = sp.Symbol("mu_Y", real=True)
a = sp.Symbol("a", nonnegative=True)
b = sp.Symbol("b", positive=True)
z = sp.Symbol("z", real=True)
sigma = sp.IndexedBase("sigma", positive=True)
X = sp.IndexedBase("X")

Var = sp.Function("Var")
E = sp.Function("E")
relu = sp.Function("relu")
h_prev, h_now = sp.Symbol("h_k"), sp.Symbol("h_j")
g_prev, g_now = sp.Symbol("g_k"), sp.Symbol("g_j")
mu_a, v_a = sp.Symbol("mu_a", real=True), sp.Symbol("v_a", positive=True)
W_jk = sp.Symbol("W_jk")
X_, Y_ = sp.symbols("X Y")

PARAMETERS = (
    Parameter(n_in, "fan-in: inputs of a layer (columns of W)", sp.Naturals),
    Parameter(n_out, "fan-out: outputs of a layer (rows of W)", sp.Naturals),
    Parameter(n, "number of independent factors in a product", sp.Naturals),
    Parameter(sigma_W, "standard deviation of every weight of a layer", POSITIVE),
    Parameter(sigma_h, "standard deviation of each entry of the layer's input h^(i-1)", POSITIVE),
    Parameter(sigma_g, "standard deviation of each entry of the gradient dL/dh^(i)", POSITIVE),
    Parameter(sigma_X, "standard deviation of X", POSITIVE),
    Parameter(sigma_Y, "standard deviation of Y", POSITIVE),
    Parameter(a, "negative slope of the leaky ReLU in kaiming_uniform_", sp.Interval(0, sp.oo)),
)
NOTATION = {
    "mu_X": "mean of X", "mu_Y": "mean of Y", "sigma[k]": "standard deviation of the k-th factor",
    "sigma_z": "standard deviation of a pre-activation", "b": "half-width of U(-b, b)",
    "E": "expectation", "Var": "variance", "z": "a pre-activation",
    "h_j": "unit j of layer i", "h_k": "unit k of layer i - 1 (its input)",
    "g_j": "dL/dh_j, the gradient at layer i", "g_k": "dL/dh_k, the gradient at layer i - 1",
    "mu_a": "mean of a ReLU output a", "v_a": "variance of a ReLU output a",
}


def product_variance(mean_1, variance_1, mean_2, variance_2):
    """Variance of the product of two independent variables from their first two moments.

    Independence factorises ``E[XY]`` and ``E[X^2 Y^2]``; ``E[X^2] = Var(X) + E[X]^2``.
    Returns the variance and the steps.

    Examples
    --------
    >>> product_variance(mu_X, sigma_X**2, mu_Y, sigma_Y**2)[0]
    mu_X**2*sigma_Y**2 + mu_Y**2*sigma_X**2 + sigma_X**2*sigma_Y**2
    >>> product_variance(0, sigma_X**2, 0, sigma_Y**2)[0]
    sigma_X**2*sigma_Y**2
    """
    first = mean_1 * mean_2
    second = (variance_1 + mean_1**2) * (variance_2 + mean_2**2)
    variance = sp.expand(second - first**2)
    steps = (
        Step("the variance from the moments", equation(Var(X_ * Y_), E(X_**2 * Y_**2) - E(X_ * Y_) ** 2)),
        Step("independence factorises the mean", equation(E(X_ * Y_), first)),
        Step("independence factorises the second moment, E[X^2] = Var(X) + E[X]^2",
             equation(E(X_**2 * Y_**2), second)),
        Step("so", equation(Var(X_ * Y_), variance)),
    )
    return variance, steps


def n_factor_variance():
    """Variance of a product of ``n`` independent zero-mean factors, by induction on ``n``.

    Returns the variance (a Product over ``k``) and the steps.

    Examples
    --------
    >>> n_factor_variance()[0]
    Product(sigma[k]**2, (k, 1, n))
    """
    v = sp.Function("v")
    previous = sp.Symbol("v_{n-1}", positive=True)
    step_variance, _ = product_variance(0, previous, 0, sigma[n] ** 2)
    solution = sp.Product(sigma[k] ** 2, (k, 1, n))
    base = solution.subs(n, 1).doit()
    if base != sigma[1] ** 2:
        raise ArithmeticError(f"the product does not start at sigma_1^2: {base}")
    checks = []
    for depth in range(2, 5):
        iterated = sigma[1] ** 2
        for factor in range(2, depth + 1):
            iterated = product_variance(0, iterated, 0, sigma[factor] ** 2)[0]
        closed = solution.subs(n, depth).doit()
        if sp.expand(iterated - closed) != 0:
            raise ArithmeticError(f"induction fails at n = {depth}: {iterated} != {closed}")
        checks.append(sp.Eq(iterated, closed, evaluate=False))
    equal = sp.Symbol("sigma", positive=True)
    constant = solution.xreplace({sigma[k]: equal}).doit()
    if (sp.powsimp(sp.expand(constant - equal**2 * constant.subs(n, n - 1))) != 0
            or constant.subs(n, 1) != equal**2):
        raise ArithmeticError(f"{constant} does not solve v(n) = sigma^2 v(n-1), v(1) = sigma^2")
    steps = (
        Step("P_n = P_{n-1} X_n with P_{n-1} and X_n independent; E[P_{n-1}] = 0 by the "
             "factorised mean, so the two-factor rule gives the recurrence",
             equation(v(n), step_variance.subs(previous, v(n - 1)))),
        Step("with v(1) = Var(X_1) its solution is the product", equation(v(n), solution)),
        Step("base case n = 1", equation(v(1), base)),
        Step("the recurrence iterated for n = 2, 3, 4 equals the product", sp.Tuple(*checks)),
        Step("equal variances sigma^2: the product, which solves the recurrence with "
             "v(1) = sigma^2, is", equation(v(n), constant)),
    )
    return solution, steps


def weighted_sum_variance(terms, count, index,
                          cross="E[W_jk h_k W_jl h_l] = E[W_jk] E[W_jl] E[h_k h_l]"):
    """Variance of a sum of ``count`` zero-mean, pairwise uncorrelated, identically
    distributed products ``W h``, each with variance ``terms``; ``cross`` writes out the
    expectation of two distinct products.

    Returns the variance and the steps.

    Examples
    --------
    >>> weighted_sum_variance(sigma_W**2 * sigma_h**2, n_in, k)[0]
    n_in*sigma_W**2*sigma_h**2
    """
    total = sp.summation(terms, (index, 1, count))
    steps = (
        Step("cross terms vanish: two distinct products have independent zero-mean weights "
             f"({cross} = 0), so the variance of the sum is the sum of the variances",
             equation(sp.Symbol("Var(sum)"), sp.Sum(terms, (index, 1, count)))),
        Step("sum the identical terms", equation(sp.Symbol("Var(sum)"), total)),
    )
    return total, steps


def variance_keeping(gain):
    """The weight variance ``sigma_W^2`` that makes the variance gain ``gain`` equal to 1.

    Examples
    --------
    >>> variance_keeping(n_in * sigma_W**2)[0]
    1/n_in
    """
    variance_w = sp.Symbol("v", positive=True)
    in_variance = gain.subs(sigma_W**2, variance_w)
    if in_variance.has(sigma_W):
        raise ArithmeticError(f"the gain {gain} is not a function of sigma_W^2")
    variance = linear_root(sp.Eq(in_variance, 1), variance_w)
    return variance, (Step("set the variance gain to 1", equation(gain, 1)),
                      Step("solve for the weight variance", equation(sigma_W**2, variance)))


def uniform_variance(bound):
    """Variance of ``U(-b, b)`` by integrating ``x^2`` against the density ``1/(2b)``.

    Examples
    --------
    >>> uniform_variance(b)[0]
    b**2/3
    """
    variance = sp.integrate(z**2 / (2 * bound), (z, -bound, bound))
    return variance, (Step("integrate z^2 against the uniform density 1/(2b) on [-b, b]",
                           equation(sp.Integral(z**2 / (2 * bound), (z, -bound, bound)), variance)),)


def relu_second_moment():
    """``E[relu(z)^2]`` for a symmetric zero-mean ``z``: half its variance.

    Integrates over ``z > 0`` for a normal and a uniform density and compares with the
    whole line.  Returns the ratio ``E[relu(z)^2] / Var(z)`` and the steps.

    Examples
    --------
    >>> relu_second_moment()[0]
    1/2
    """
    normal = sp.exp(-z**2 / (2 * sigma_z**2)) / sp.sqrt(2 * sp.pi * sigma_z**2)
    positive_half = sp.integrate(z**2 * normal, (z, 0, sp.oo))
    whole = sp.integrate(z**2 * normal, (z, -sp.oo, sp.oo))
    ratio = sp.cancel(positive_half / whole)
    uniform_half = sp.integrate(z**2 / (2 * b), (z, 0, b))
    uniform_whole = uniform_variance(b)[0]
    uniform_ratio = sp.cancel(uniform_half / uniform_whole)
    if uniform_ratio != ratio:
        raise ArithmeticError(f"the halving differs between densities: {ratio}, {uniform_ratio}")
    steps = (
        Step("relu(z) = 0 for z < 0, so only z > 0 contributes",
             equation(E(relu(z) ** 2), sp.Integral(z**2 * sp.Function("p")(z), (z, 0, sp.oo)))),
        Step("for a symmetric density p(z) = p(-z) the substitution z -> -z shows both halves "
             "of E[z^2] are equal; for the normal density",
             equation(sp.Integral(z**2 * normal, (z, 0, sp.oo)), positive_half)),
        Step("against the whole line", equation(sp.Integral(z**2 * normal, (z, -sp.oo, sp.oo)), whole)),
        Step("and for U(-b, b), E[relu(z)^2] over Var(z)",
             sp.Eq(uniform_half / uniform_whole, uniform_ratio, evaluate=False)),
        Step("ReLU halves the second moment", equation(E(relu(z) ** 2) / Var(z), ratio)),
    )
    return ratio, steps


@derivation
def derive() -> Derivation:
    """Variance propagation: product variances, Xavier, He and PyTorch's default.

    Examples
    --------
    >>> derive()["xavier_variance"].value
    2/(n_in + n_out)
    >>> derive(n_in=100)["forward_condition"].value
    1/100
    """
    two, two_steps = product_variance(mu_X, sigma_X**2, mu_Y, sigma_Y**2)
    zero_mean = two.subs({mu_X: 0, mu_Y: 0})
    many, many_steps = n_factor_variance()
    product = Result(
        "product_variance",
        "bonn 1(b)3: Var(XY) = Var(X) Var(Y) for independent zero-mean X, Y; for n "
        "independent zero-mean factors the variances multiply.",
        sp.Tuple(zero_mean, many),
        two_steps + (Step("with zero means", equation(Var(X_ * Y_), zero_mean)),) + many_steps,
        lhs=sp.Tuple(Var(X_ * Y_), Var(sp.Product(X[k], (k, 1, n)))))

    term, _ = product_variance(0, sigma_W**2, 0, sigma_h**2)
    forward, sum_steps = weighted_sum_variance(term, n_in, k)
    layer = Result(
        "layer_variance",
        "bonn 1(b)4: the variance of a unit of layer i is n_in times the weight variance times "
        "the variance of the layer's input h^(i-1) (Var(X) for i = 1); n_in is the number of "
        "columns of W^(i), the fan-in, which the damaged sheet writes n_i.",
        forward,
        (Step("a unit sums n_in products", equation(h_now, sp.Sum(W_jk * h_prev, (k, 1, n_in)))),
         Step("each product of independent zero-mean factors has variance",
              equation(Var(W_jk * h_prev), term)))
        + sum_steps + (Step("so", equation(Var(h_now), forward)),),
        lhs=Var(h_now))

    gain = sp.cancel(forward / sigma_h**2)
    depth = sp.Symbol("L", integer=True, positive=True)
    keep_forward, forward_steps = variance_keeping(gain)
    forward_condition = Result(
        "forward_condition",
        "bonn 1(b)5: the weight variance that keeps the forward variance constant from layer "
        "to layer, one over the fan-in (the number of columns of W^(i)).",
        keep_forward,
        (Step("each layer multiplies the variance by", equation(Var(h_now) / Var(h_prev), gain)),
         Step("after L layers the gains multiply (product_variance)",
              equation(Var(sp.Symbol("h_L")) / Var(sp.Symbol("x")),
                    sp.Product(gain, (sp.Symbol("i"), 1, depth)))))
        + forward_steps,
        lhs=sigma_W**2)

    back_term, _ = product_variance(0, sigma_W**2, 0, sigma_g**2)
    backward, back_steps = weighted_sum_variance(
        back_term, n_out, j, cross="E[W_jk g_j W_lk g_l] = E[W_jk] E[W_lk] E[g_j g_l]")
    back_gain = sp.cancel(backward / sigma_g**2)
    keep_backward, backward_steps = variance_keeping(back_gain)
    backward_condition = Result(
        "backward_condition",
        "bonn 1(b)6: the weight variance that keeps the gradient variance constant from layer "
        "to layer, one over the fan-out (the number of rows of W^(i)); weights taken "
        "independent of the back-propagated gradient.",
        keep_backward,
        (Step("the chain rule through h_j = sum_k W_jk h_k: each input's gradient sums "
              "n_out products", equation(g_prev, sp.Sum(W_jk * g_now, (j, 1, n_out)))),)
        + back_steps
        + (Step("each layer multiplies the gradient variance by",
                equation(Var(g_prev) / Var(g_now), back_gain)),)
        + backward_steps,
        lhs=sigma_W**2)

    average = (gain + back_gain) / 2
    xavier, xavier_steps = variance_keeping(average)
    xavier_result = Result(
        "xavier_variance",
        "Glorot and Bengio's compromise: the average of the forward and backward gains is 1.",
        xavier,
        (Step("both gains are 1 only when n_in = n_out; ask their average to be 1",
              equation(sp.Symbol("gain"), average)),) + xavier_steps,
        lhs=sigma_W**2)

    half, relu_steps = relu_second_moment()
    relu_term, _ = product_variance(0, sigma_W**2, mu_a, v_a)
    second_moment = v_a + mu_a**2
    if sp.expand(relu_term - sigma_W**2 * second_moment) != 0:
        raise ArithmeticError(f"Var(W a) is not Var(W) E[a^2]: {relu_term}")
    he_gain = sp.cancel(n_in * sigma_W**2 * half)
    he, he_steps = variance_keeping(he_gain)
    he_result = Result(
        "he_variance",
        "He et al.'s rule for ReLU nets: ReLU halves the second moment, so the weights need "
        "twice the variance.",
        he,
        relu_steps
        + (Step("a_k = relu(z_k) has non-zero mean mu_a, but W has zero mean, so "
                "Var(W a_k) = Var(W) E[a_k^2]", equation(Var(W_jk * sp.Symbol("a_k")), sp.factor(relu_term))),
           Step("summing n_in such terms, the pre-activation variance gain per layer",
                equation(Var(sp.Symbol("z_i")) / Var(sp.Symbol("z_{i-1}")), he_gain)))
        + he_steps,
        lhs=sigma_W**2)

    gain_leaky = sp.sqrt(2 / (1 + a**2))
    std = gain_leaky / sp.sqrt(n_in)
    bound = sp.sqrt(3) * std
    uniform, uniform_steps = uniform_variance(b)
    pytorch_bound = sp.radsimp(bound.subs(a, sp.sqrt(5)))
    pytorch = sp.factor(uniform.subs(b, pytorch_bound))
    pytorch_result = Result(
        "pytorch_linear_default",
        "The variance of nn.Linear's default weights, kaiming_uniform_(a = sqrt(5)).",
        pytorch,
        (Step("kaiming_uniform_ uses the leaky-ReLU gain", equation(sp.Symbol("gain"), gain_leaky)),
         Step("the target standard deviation gain / sqrt(fan_in)", equation(sp.Symbol("std"), std)),
         Step("and samples U(-b, b) with b = sqrt(3) std", equation(b, bound)),
         Step("with a = sqrt(5) the bound is", equation(b, pytorch_bound)))
        + uniform_steps
        + (Step("so the variance is", equation(sigma_W**2, pytorch)),
           Step("PyTorch's variance over He's: a sixth", equation(sp.Symbol("ratio"), sp.cancel(pytorch / he)))),
        lhs=sigma_W**2)

    (width,) = positive_roots(uniform - sigma_W**2, b)
    bound_result = Result(
        "uniform_bound",
        "The half-width b of U(-b, b) whose variance is sigma_W^2.",
        width,
        uniform_steps
        + (Step("set it equal to the target variance and solve for b > 0",
                equation(uniform, sigma_W**2)),
           Step("Xavier-uniform bound", equation(b, sp.factor(width.subs(sigma_W, sp.sqrt(xavier))))),
           Step("He-uniform bound", equation(b, width.subs(sigma_W, sp.sqrt(he))))),
        lhs=b)

    return Derivation(
        "initialization", "Variance propagation and initialization",
        (product, layer, forward_condition, backward_condition, xavier_result, he_result,
         pytorch_result, bound_result),
        PARAMETERS, notation=NOTATION,
        aliases={f"{var}{left}W{right}": sigma_W**2 for left, right in ("()", "[]")
                 for var in ("Var", r"\mathrm{Var}", r"\operatorname{Var}", r"\text{Var}",
                             r"\mathbb{V}")})  # the weights' variance, as students name it


if __name__ == "__main__":
    raise SystemExit(main(derive))
