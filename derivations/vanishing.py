"""Vanishing gradients: the chain rule through a chain of scalar sigmoid or ReLU layers.

Model: ``h_1 = s(x)``, ``h_k = s(z_k)`` with ``z_k = w_k h_{k-1}`` for ``k = 2, ..., n``;
``s`` is the sigmoid ``1/(1 + exp(-z))`` or ``relu(z) = max(z, 0)``.
"""
from __future__ import annotations

import functools

import sympy as sp

from .cli import main
from .core import (Derivation, Parameter, Result, Step, derivation, equation, limits_at_infinity,
                   real_zeros)

n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
x = sp.Symbol("x", real=True)
zeta = sp.Symbol("z", real=True)
w = sp.IndexedBase("w", real=True)
h = sp.IndexedBase("h", real=True)
z = sp.IndexedBase("z", real=True)
s = sp.Function("s")
D = sp.Function("D")
SLOPE = sp.Function("s'")
SIGMOID = 1 / (1 + sp.exp(-zeta))

LAYER_INDEX = sp.Range(2, sp.oo)
PARAMETERS = (
    Parameter(n, "depth: index of the last layer", LAYER_INDEX),
    Parameter(i, "index of the weight w_i the derivative is taken in", LAYER_INDEX),
    Parameter(x, "the input", sp.Reals),
)
NOTATION = {"w": "w_k, the weight of layer k", "h": "h_k, the output of layer k",
            "z": "z_k = w_k h_{k-1}, the pre-activation of layer k", "s": "the activation",
            "D": "D(k) = d h_k / d w_i", "s'": "the activation's derivative"}


def s_prime(argument):
    """``s'`` at ``argument``, written as the derivative of ``s``.

    Examples
    --------
    >>> s_prime(z[k])
    Derivative(s(z[k]), z[k])
    """
    return sp.Derivative(s(argument), argument)


def chain_rule():
    """``d h_n / d w_i`` by the chain rule, for symbolic ``n`` and ``i``.

    Returns the product and the steps.

    Examples
    --------
    >>> chain_rule()[0]
    Derivative(s(z[i]), z[i])*h[i - 1]*Product(Derivative(s(z[k]), z[k])*w[k], (k, i + 1, n))
    """
    u = sp.Symbol("u", real=True)
    before = sp.Function("h_{k-1}")(u)
    through = sp.diff(s(w[k] * before), u)
    factor = sp.cancel(through / sp.Derivative(before, u)).subs(w[k] * before, z[k]).doit()
    first = sp.diff(s(u * h[i - 1]), u).subs(u * h[i - 1], z[i]).doit()
    per_layer = w[k] * s_prime(z[k])
    start = h[i - 1] * s_prime(z[i])
    product = start * sp.Product(per_layer, (k, i + 1, n))
    steps = (
        Step("only layers k >= i depend on w_i; at layer i, with z_i = w_i h_{i-1}",
             equation(D(i), first)),
        Step("beyond it the chain rule through h_k = s(w_k h_{k-1}) multiplies by",
             equation(D(k) / D(k - 1), factor)),
        Step("the recurrence D(k) = w_k s'(z_k) D(k-1) from D(i) unrolls to",
             equation(sp.Derivative(h[n], w[i]), product)),
    )
    return product, steps


def concrete_chain(depth: int):
    """The chain of the given depth built explicitly; returns ``{layer: h_layer}``.

    Examples
    --------
    >>> concrete_chain(3)[3]
    s(s(s(x)*w[2])*w[3])
    """
    layers = {1: s(x)}
    for layer in range(2, depth + 1):
        layers[layer] = s(w[layer] * layers[layer - 1])
    return layers


def with_slopes(expr):
    """``expr`` with each ``d s(xi)/d xi`` at ``xi = p`` (the ``Subs`` that ``diff`` makes of
    a derivative at a point) written ``s'(p)``: the same value, and unlike ``Subs``, whose
    bound dummy is numbered by a hash, factors that print in the same order in every run.

    Examples
    --------
    >>> with_slopes(sp.diff(s(s(x) * w[2]), w[2]))
    s(x)*s'(s(x)*w[2])
    """
    def slope(subs):
        (variable,), (point,) = subs.variables, subs.point
        return SLOPE(point) if subs.expr == sp.Derivative(s(variable), variable) else subs
    return expr.replace(lambda e: isinstance(e, sp.Subs), slope)


def check_depth(product, depth: int = 4):
    """Differentiate the explicit chain of ``depth`` layers and compare with ``product``.

    Returns the derivatives ``d h_depth / d w_i`` for ``i = 2..depth`` as equations.
    """
    layers = concrete_chain(depth)
    checks = []
    for index in range(2, depth + 1):
        direct = sp.diff(layers[depth], w[index])
        formula = product.subs({n: depth, i: index}).doit()
        formula = formula.subs({z[layer]: w[layer] * layers[layer - 1]
                                for layer in range(2, depth + 1)})
        formula = formula.subs({h[layer]: layers[layer] for layer in range(1, depth + 1)})
        if sp.expand(direct - formula) != 0:
            raise ArithmeticError(f"chain rule product differs at i = {index}: {direct} != {formula}")
        checks.append(equation(sp.Derivative(h[depth], w[index]), with_slopes(direct)))
    return checks


def first_weight(product, depth: int = 4):
    """``d h_n / d w_1`` under the two readings of the sheet's first layer, with the steps.

    As written, ``h_1 = s(x)`` has no weight, so nothing depends on ``w_1`` and the
    derivative is 0.  Read as ``h_1 = s(w_1 x)`` (``h_0 = x``), the product for ``i >= 2``
    holds at ``i = 1`` with ``h_0 = x``.  Both are checked by differentiating explicit chains.

    Examples
    --------
    >>> first_weight(chain_rule()[0])[:2]
    (0, x*Derivative(s(z[1]), z[1])*Product(Derivative(s(z[k]), z[k])*w[k], (k, 2, n)))
    """
    literal = concrete_chain(depth)
    as_written = sp.diff(literal[depth], w[1])
    weighted = {0: x}
    for layer in range(1, depth + 1):
        weighted[layer] = s(w[layer] * weighted[layer - 1])
    direct = sp.diff(weighted[depth], w[1])
    formula = product.subs(i, 1).subs(h[0], x)
    check = formula.subs(n, depth).doit().subs(
        {z[layer]: w[layer] * weighted[layer - 1] for layer in range(1, depth + 1)}).subs(
        {h[layer]: weighted[layer] for layer in range(1, depth + 1)})
    if as_written != 0 or sp.expand(direct - check) != 0:
        raise ArithmeticError(f"d h_n / d w_1: {as_written}, {direct} != {check}")
    steps = (
        Step("as written, h_1 = s(x) has no weight: the chain of depth 4 is",
             equation(h[depth], literal[depth])),
        Step("w_1 appears nowhere in it (nor, by induction, in any h_k), so",
             equation(sp.Derivative(h[depth], w[1]), as_written)),
        Step("read instead as h_1 = s(w_1 x), i.e. h_0 = x: the first layer is like the others, "
             "and the product at i = 1 with h_0 = x is", equation(sp.Derivative(h[n], w[1]), formula)),
        Step("check at depth 4 by differentiating the explicit chain",
             equation(sp.Derivative(h[depth], w[1]), with_slopes(direct))),
    )
    return as_written, formula, steps


@functools.cache
def sigmoid_slope_maximum():
    """The largest slope of the sigmoid, from ``s''(z) = 0``; returns it and the steps
    (derived once per process: the logistic topic uses it too).

    Examples
    --------
    >>> sigmoid_slope_maximum()[0]
    1/4
    """
    first = sp.diff(SIGMOID, zeta)
    logistic_form = sp.cancel(first - SIGMOID * (1 - SIGMOID))
    second = sp.diff(first, zeta)
    (where,) = real_zeros(second, zeta)
    curvature = sp.simplify(sp.diff(second, zeta).subs(zeta, where))
    tails = limits_at_infinity(first, zeta)
    peak = sp.simplify(first.subs(zeta, where))
    if curvature >= 0 or logistic_form != 0 or any(t != 0 for t in tails):
        raise ArithmeticError("s' has no single interior maximum")
    steps = (
        Step("differentiate the sigmoid", equation(sp.Derivative(s(zeta), zeta), first)),
        Step("which is s(1 - s): their difference simplifies to", logistic_form),
        Step("s'' = 0 only at", equation(zeta, where)),
        Step("s''' there is negative, a maximum", equation(sp.Symbol("s'''(0)"), curvature)),
        Step("s' tends to 0 at both ends, so it is the global maximum",
             sp.Tuple(*tails)),
        Step("the value there", equation(sp.Symbol("s'(0)"), peak)),
    )
    return peak, steps


def bound_of(product, height, slope):
    """``product`` with ``|h_{i-1}| <= height``, ``s' <= slope`` and ``|w_k| <= 1``.

    Examples
    --------
    >>> bound_of(chain_rule()[0], 1, sp.Rational(1, 4))
    2**(2*i - 2*n - 2)
    """
    bounded = product.replace(lambda e: isinstance(e, sp.Derivative), lambda e: slope)
    bounded = bounded.subs(h[i - 1], height).replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == w, lambda e: 1)
    return sp.powsimp(bounded.doit())


@derivation
def derive() -> Derivation:
    """Vanishing gradients: the chain rule through a chain of scalar sigmoid or ReLU layers.

    Examples
    --------
    >>> derive()["sigmoid_derivative_max"].value
    1/4
    >>> derive(n=5, i=2)["sigmoid_gradient_bound"].value.rhs
    1/256
    """
    product, product_steps = chain_rule()
    chain = Result(
        "chain_derivative", "d h_n / d w_i by the chain rule, a product over the layers above i.",
        product,
        product_steps + tuple(
            Step(f"depth 4, i = {index}: differentiating the explicit chain gives the product "
                 f"with n = 4, i = {index}", check)
            for index, check in enumerate(check_depth(product, 4), start=2)),
        lhs=sp.Derivative(h[n], w[i]))

    as_written, weighted, first_steps = first_weight(product)
    first = Result(
        "chain_derivative_first_weight",
        "d h_n / d w_1 (the case i = 1): 0 as the sheet writes the first layer, h_1 = s(x), "
        "which has no weight; if the first layer is read as h_1 = s(w_1 x), it is the product "
        "of chain_derivative at i = 1 with h_0 = x (the last step).",
        as_written, first_steps, lhs=sp.Derivative(h[n], w[1]))
    first_weighted = Result(
        "chain_derivative_first_weight_weighted",
        "d h_n / d w_1 when the first layer is read as h_1 = s(w_1 x), h_0 = x: the same "
        "product as for i >= 2.", weighted, first_steps[2:], lhs=sp.Derivative(h[n], w[1]))

    peak, peak_steps = sigmoid_slope_maximum()
    slope_max = Result(
        "sigmoid_derivative_max", "The sigmoid's largest slope, at z = 0.", peak, peak_steps,
        lhs=sp.Symbol("s'_max"))

    size = sp.Abs(sp.Derivative(h[n], w[i]), evaluate=False)
    outputs = limits_at_infinity(SIGMOID, zeta)
    sigmoid_bound = bound_of(product, sp.Max(*map(sp.Abs, outputs)), peak)
    decay = sp.powsimp(sigmoid_bound.subs(n, n + 1) / sigmoid_bound)
    sigmoid_result = Result(
        "sigmoid_gradient_bound",
        "With |w_k| <= 1 the sigmoid chain's gradient is at most 4^-(n - i + 1), a bound "
        "that falls by a factor 4 per layer between w_i and the output.  It is not attained "
        "(every slope would need z_k = 0 while |h_{i-1}| = 1): the largest gradient is "
        "smaller, 0.183 against 1/4 at n = i = 3.  For the sheet's h_1 = s(x); read as "
        "h_1 = s(w_1 x), the case i = 1 has h_0 = x and the bound |x|/4^n.",
        sp.Le(size, sigmoid_bound),
        (Step("the sigmoid's outputs lie in (0, 1), so |h_{i-1}| <= 1",
              sp.Tuple(*outputs)),
         Step("every factor s'(z_k) <= 1/4 and |w_k| <= 1 in the product", sp.Abs(product, evaluate=False)),
         Step("so the product is at most", sigmoid_bound),
         Step("one more layer multiplies the bound by", equation(sp.Symbol("ratio"), decay)),
         Step("on a log scale it falls linearly in n - i",
              equation(sp.log(sigmoid_bound), sp.expand_log(sp.log(sigmoid_bound), force=True)))))

    relu_slope = sp.diff(sp.Max(zeta, 0), zeta)
    slopes = sp.FiniteSet(relu_slope.subs(zeta, -1), relu_slope.subs(zeta, 1))
    relu_bound = bound_of(product, sp.Max(x, 0), sp.Max(*slopes))
    relu_decay = sp.powsimp(relu_bound.subs(n, n + 1) / relu_bound)
    relu_result = Result(
        "relu_gradient_bound",
        "With |w_k| <= 1 the ReLU chain's gradient is at most max(x, 0), its supremum "
        "(approached as every w_k -> 1; 0 for x <= 0, where the chain is dead): relu' is 1 "
        "on the active side, so only the weights can shrink it, not the activation.",
        sp.Le(size, relu_bound),
        (Step("relu'(z) is a step function", equation(sp.Derivative(sp.Max(zeta, 0), zeta), relu_slope)),
         Step("taking the values", slopes),
         Step("h_1 = relu(x) = max(x, 0) and 0 <= h_k = relu(w_k h_{k-1}) <= |w_k| h_{k-1}, "
              "so", sp.Le(h[i - 1], sp.Max(x, 0))),
         Step("with relu' <= 1 and |w_k| <= 1 the product is at most", relu_bound),
         Step("one more layer multiplies the bound by", equation(sp.Symbol("ratio"), relu_decay))))

    return Derivation(
        "vanishing", "Vanishing gradients through a chain of scalar layers",
        (chain, first, first_weighted, slope_max, sigmoid_result, relu_result), PARAMETERS,
        constraints=(sp.LessThan(i, n),), notation=NOTATION,
        aliases={r"\sigma": s})  # the sheet's name for the activation


if __name__ == "__main__":
    raise SystemExit(main(derive))
