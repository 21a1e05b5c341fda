"""Adaptive optimizers by hand: SGD, AdaGrad, RMSProp and Adam on one sigmoid neuron.

Model: ``o = s(w_x x + w_y y)`` with ``s(z) = 1/(1 + exp(-z))``, loss ``L = (o - t)^2``,
data ``x = 1, y = -1, t = 1``, start ``w = (-1, 1)``, step size ``epsilon = 1`` and
stabiliser ``delta = 1e-8``.  The optimizers in the textbook forms (Goodfellow et al.,
Alg. 8.1, 8.4, 8.5, 8.7), per coordinate, accumulators starting at 0:

* SGD: ``Delta = -epsilon g``;
* AdaGrad: ``r = r + g^2``, ``Delta = -epsilon g / (delta + sqrt(r))``;
* RMSProp: ``r = rho r + (1 - rho) g^2``, ``Delta = -epsilon g / sqrt(delta + r)``;
* Adam: ``s = rho_1 s + (1 - rho_1) g``, ``r = rho_2 r + (1 - rho_2) g^2``,
  ``shat = s / (1 - rho_1^k)``, ``rhat = r / (1 - rho_2^k)``,
  ``Delta = -epsilon shat / (sqrt(rhat) + delta)``;

then ``w = w + Delta``.  Every setting is a parameter (``--subs rho=0.5``); the
iterates are computed at the given settings, the problem set's by default.
"""
from __future__ import annotations

import functools

import sympy as sp

from .cli import main
from .core import POSITIVE, Derivation, Parameter, Result, Step, equation
from .logistic import sigmoid

w_x, w_y = sp.symbols("w_x w_y", real=True)
x, y, t = sp.symbols("x y t", real=True)
z, o = sp.symbols("z o", real=True)
w_x0, w_y0 = sp.symbols("w_x0 w_y0", real=True)
epsilon = sp.Symbol("epsilon", positive=True)
delta = sp.Symbol("delta", positive=True)
rho = sp.Symbol("rho", nonnegative=True)
rho_1 = sp.Symbol("rho_1", nonnegative=True)
rho_2 = sp.Symbol("rho_2", nonnegative=True)
g = sp.Symbol("g", real=True, nonzero=True)
k = sp.Symbol("k", integer=True, positive=True)
L = sp.Function("L")(w_x, w_y)
PRE_ACTIVATION = w_x * x + w_y * y  # z; the output o is s(z)
NABLA = sp.ImmutableMatrix([sp.Derivative(L, w) for w in (w_x, w_y)])

ITERATIONS = 3
DIGITS = 30  # working precision after the first iteration
SHOWN = 8  # significant digits of the hand-written table
STORED = 13  # significant digits of the values
DECAY = sp.Interval.Ropen(0, 1)
PARAMETERS = (
    Parameter(x, "first input", sp.Reals),
    Parameter(y, "second input", sp.Reals),
    Parameter(t, "target", sp.Reals),
    Parameter(w_x0, "starting w_x", sp.Reals),
    Parameter(w_y0, "starting w_y", sp.Reals),
    Parameter(epsilon, "step size", POSITIVE),
    Parameter(delta, "stabiliser of the adaptive denominators", POSITIVE),
    Parameter(rho, "RMSProp's decay of the squared-gradient average", DECAY),
    Parameter(rho_1, "Adam's decay of the first moment", DECAY),
    Parameter(rho_2, "Adam's decay of the second moment", DECAY),
)
DEFAULTS = {x: sp.Integer(1), y: sp.Integer(-1), t: sp.Integer(1), w_x0: sp.Integer(-1),
            w_y0: sp.Integer(1), epsilon: sp.Integer(1), delta: sp.Rational(1, 10**8),
            rho: sp.Rational(9, 10), rho_1: sp.Rational(9, 10), rho_2: sp.Rational(999, 1000)}
NOTATION = {
    "w_x": "weight of x", "w_y": "weight of y", "z": "w_x x + w_y y", "o": "s(z), the output",
    "L": "the loss (o - t)^2", "g": "one coordinate of the gradient", "k": "the iteration, from 1",
    "r": "accumulated or averaged squared gradient", "s": "Adam's first-moment average",
    "shat": "s / (1 - rho_1^k)", "rhat": "r / (1 - rho_2^k)",
    "Delta": "the step added to a weight", "T_SGD": "table of the SGD iterations",
    "T_AdaGrad": "table of the AdaGrad iterations", "T_RMSProp": "table of the RMSProp "
    "iterations", "T_Adam": "table of the Adam iterations",
}


@functools.cache
def loss_gradient():
    """The gradient of ``(s(w_x x + w_y y) - t)^2`` in ``(w_x, w_y)``, and its steps.

    Examples
    --------
    >>> loss_gradient()[0][0].subs({x: 0})
    0
    """
    loss = (sigmoid(PRE_ACTIVATION) - t) ** 2
    gradient = sp.ImmutableMatrix([sp.together(sp.diff(loss, w)) for w in (w_x, w_y)])
    slope = sp.diff(sigmoid(z), z)
    logistic_form = sp.cancel(slope - sigmoid(z) * (1 - sigmoid(z)))
    if logistic_form != 0:
        raise ArithmeticError(f"s'(z) - s(1 - s) == {logistic_form}, not 0")
    in_output = sp.ImmutableMatrix([2 * (o - t) * o * (1 - o) * v for v in (x, y)])
    difference = gradient - in_output.subs(o, sigmoid(PRE_ACTIVATION))
    # zero as a rational function with each exponential an independent positive variable,
    # hence zero: cancel works on far fewer generators
    independent = {power: sp.Dummy(positive=True) for power in difference.atoms(sp.exp)}
    check = difference.xreplace(independent).applyfunc(sp.cancel)
    if check != sp.zeros(2, 1):
        raise ArithmeticError(f"chain-rule form differs from the gradient by {check}")
    steps = (
        Step("the loss of the neuron", equation(L, loss)),
        Step("the sigmoid's slope, which equals s(z)(1 - s(z))", equation(sp.Derivative(
            sp.Function("s")(z), z), slope)),
        Step("differentiate L in w_x and w_y", sp.Eq(NABLA, gradient, evaluate=False)),
        Step("by the chain rule dL/do = 2(o - t), do/dz = o(1 - o), dz/dw = (x, y): the same "
             "gradient in terms of the output o",
             sp.Eq(NABLA, in_output, evaluate=False)),
    )
    return gradient, steps


# ---------------------------------------------------------------- the four update rules
# Each rule maps (gradient coordinate, previous accumulators, iteration k, settings) to the
# new accumulators, named as in the table, and the step Delta.

def sgd_rule(gk, state, step, p):
    """SGD: ``Delta = -epsilon g``.

    Examples
    --------
    >>> sgd_rule(sp.Integer(2), {}, 1, DEFAULTS)
    ({}, -2)
    """
    return {}, -p[epsilon] * gk


def adagrad_rule(gk, state, step, p):
    """AdaGrad: ``r = r + g^2``, ``Delta = -epsilon g / (delta + sqrt(r))``.

    Examples
    --------
    >>> adagrad_rule(sp.Integer(3), {"r": sp.Integer(16)}, 2, {epsilon: 1, delta: 0})
    ({'r': 25}, -3/5)
    """
    r = state.get("r", 0) + gk**2
    return {"r": r}, -p[epsilon] * gk / (p[delta] + sp.sqrt(r))


def rmsprop_rule(gk, state, step, p):
    """RMSProp: ``r = rho r + (1 - rho) g^2``, ``Delta = -epsilon g / sqrt(delta + r)``.

    Examples
    --------
    >>> rmsprop_rule(sp.Integer(2), {}, 1, {epsilon: 1, delta: 0, rho: sp.Rational(3, 4)})
    ({'r': 1}, -2)
    """
    r = p[rho] * state.get("r", 0) + (1 - p[rho]) * gk**2
    return {"r": r}, -p[epsilon] * gk / sp.sqrt(p[delta] + r)


def adam_rule(gk, state, step, p):
    """Adam: moment averages, their bias corrections at iteration ``step``, and the step.

    Examples
    --------
    >>> adam_rule(sp.Integer(-2), {}, 1, {epsilon: 1, delta: 0, rho_1: sp.S.Half,
    ...                                   rho_2: sp.S.Half})
    ({'s': -1, 'r': 2, 'shat': -2, 'rhat': 4}, 1)
    """
    s = p[rho_1] * state.get("s", 0) + (1 - p[rho_1]) * gk
    r = p[rho_2] * state.get("r", 0) + (1 - p[rho_2]) * gk**2
    shat, rhat = s / (1 - p[rho_1] ** step), r / (1 - p[rho_2] ** step)
    return {"s": s, "r": r, "shat": shat, "rhat": rhat}, -p[epsilon] * shat / (
        sp.sqrt(rhat) + p[delta])


g_k, r_k, r_prev, s_k, s_prev, shat_k, rhat_k, Delta_k = sp.symbols(
    "g_k r_k r_{k-1} s_k s_{k-1} shat_k rhat_k Delta_k", real=True)
RULES = {  # name: (rule, its update written out, the settings it uses)
    "SGD": (sgd_rule, sp.Eq(Delta_k, -epsilon * g_k), (epsilon,)),
    "AdaGrad": (adagrad_rule, sp.Tuple(
        sp.Eq(r_k, r_prev + g_k**2),
        sp.Eq(Delta_k, -epsilon * g_k / (delta + sp.sqrt(r_k)))), (epsilon, delta)),
    "RMSProp": (rmsprop_rule, sp.Tuple(
        sp.Eq(r_k, rho * r_prev + (1 - rho) * g_k**2),
        sp.Eq(Delta_k, -epsilon * g_k / sp.sqrt(delta + r_k))), (epsilon, delta, rho)),
    "Adam": (adam_rule, sp.Tuple(
        sp.Eq(s_k, rho_1 * s_prev + (1 - rho_1) * g_k),
        sp.Eq(r_k, rho_2 * r_prev + (1 - rho_2) * g_k**2),
        sp.Eq(shat_k, s_k / (1 - rho_1**k)),
        sp.Eq(rhat_k, r_k / (1 - rho_2**k)),
        sp.Eq(Delta_k, -epsilon * shat_k / (sp.sqrt(rhat_k) + delta))),
        (epsilon, delta, rho_1, rho_2)),
}
QUANTITIES = {"g": "the gradient g", "r": "the squared-gradient accumulator r",
              "s": "the first moment s", "shat": "the bias-corrected first moment",
              "rhat": "the bias-corrected second moment", "Delta": "the step Delta",
              "w": "the new weights w = w_0 + Delta"}


def tidy(value):
    """An exact value in a readable form: one fraction, common factors pulled out.

    (``factor`` would read better still, but takes seconds on exponents such as
    ``exp(31/20)``.)

    Examples
    --------
    >>> tidy(sp.exp(4) / 5 - 2 * sp.exp(4) / 15)
    exp(4)/15
    """
    return sp.factor_terms(sp.together(value)) if not value.has(sp.Float) else value


@functools.lru_cache(maxsize=256)
def gradient_at(gradient, weight_x, weight_y):
    """The gradient's coordinates, tidied, at ``(w_x, w_y)``: every optimizer starts at the
    same point, so the exact first gradient is computed once.

    Examples
    --------
    >>> gradient_at(sp.ImmutableMatrix([w_x * w_y, w_x]), 2, 3)
    (6, 2)
    """
    return tuple(tidy(e) for e in gradient.xreplace({w_x: sp.sympify(weight_x),
                                                      w_y: sp.sympify(weight_y)}))


def iterates(rule, settings: dict, iterations: int = ITERATIONS):
    """Run ``rule`` from the settings' start: the rows of the table and the exact first iteration.

    Iteration 1 is exact; its values are then evaluated to ``DIGITS`` significant digits
    and iterations 2, 3, ... continue in floating point of that precision (exact forms
    nest exponentials of exponentials).  Returns ``(labels, columns, first)``: row labels,
    one column of values per iteration, and the exact first column.

    Examples
    --------
    >>> labels, columns, first = iterates(sgd_rule, DEFAULTS, 1)
    >>> labels
    ('g_x', 'g_y', 'Delta_x', 'Delta_y', 'w_x', 'w_y')
    >>> first[0]
    -2*exp(4)/(1 + exp(2))**3
    """
    gradient = loss_gradient()[0].xreplace({x: settings[x], y: settings[y], t: settings[t]})
    weights = [settings[w_x0], settings[w_y0]]
    states = [{}, {}]
    columns, labels, first = [], (), None
    for step in range(1, iterations + 1):
        g_now = list(gradient_at(gradient, *weights))
        outcomes = [rule(gi, state, step, settings) for gi, state in zip(g_now, states)]
        states = [{name: tidy(v) for name, v in new.items()} for new, _ in outcomes]
        steps_now = [delta_i for _, delta_i in outcomes]
        weights = [wi + di for wi, di in zip(weights, steps_now)]
        rows = {"g": g_now, **{name: [s[name] for s in states] for name in states[0]},
                "Delta": steps_now, "w": weights}
        labels = tuple(f"{name}_{axis}" for name in rows for axis in "xy")
        column = [v for pair in rows.values() for v in pair]
        if step == 1:
            first = column
        column = [sp.N(v, DIGITS) for v in column]
        columns.append(column)
        states = [{name: sp.N(v, DIGITS) for name, v in s.items()} for s in states]
        weights = [sp.N(v, DIGITS) for v in weights]
    return labels, columns, first


def pairs(labels, values):
    """The labelled values of one iteration, one ``Eq`` of a coordinate pair per quantity.

    Examples
    --------
    >>> pairs(("g_x", "g_y"), [1, 2])
    (Eq(g^(1), Matrix([
    [1],
    [2]])),)
    """
    names = [label[:-2] for label in labels[::2]]
    return tuple(sp.Eq(sp.Symbol(f"{name}^(1)"), sp.ImmutableMatrix(values[2 * i: 2 * i + 2]),
                       evaluate=False) for i, name in enumerate(names))


def iterates_result(name: str, settings: dict) -> Result:
    """The table of an optimizer's iterations as a Result, with the hand computation as steps."""
    rule, update, used = RULES[name]
    labels, columns, first = iterates(rule, settings)
    shown = sp.ImmutableMatrix(
        [[k] + list(range(1, ITERATIONS + 1))]
        + [[sp.Symbol(label)] + [sp.N(column[row], SHOWN) for column in columns]
           for row, label in enumerate(labels)])
    value = sp.ImmutableMatrix([[sp.N(column[row], STORED) for column in columns]
                                for row in range(len(labels))])
    start = (x, y, t, w_x0, w_y0)
    steps = (
        Step(f"{name}'s update, per coordinate, accumulators starting at 0, then w_k = "
             f"w_(k-1) + Delta_k", update),
        Step("the data and the start",
             sp.Tuple(*(sp.Eq(v, settings[v], evaluate=False) for v in start))),
        Step(f"{name}'s settings",
             sp.Tuple(*(sp.Eq(v, settings[v], evaluate=False) for v in used))
             if len(used) > 1 else sp.Eq(used[0], settings[used[0]], evaluate=False)),
        *(Step(f"iteration 1, exact: {QUANTITIES[pair.lhs.name[:-4]]}", pair)
          for pair in pairs(labels, first)),
        Step(f"iterations 2 and 3 are evaluated numerically with {DIGITS}-digit floats (the "
             f"exact forms nest exponentials of exponentials); the table by hand, columns "
             f"k = 1, 2, 3, to {SHOWN} significant digits", shown),
    )
    return Result(
        f"{name.lower()}_iterates",
        f"{name}'s three iterations: rows {', '.join(labels)}; columns k = 1, 2, 3 "
        f"(to {STORED} significant digits).",
        value, steps, lhs=sp.Symbol(f"T_{name}"))


@functools.cache
def sign_step():
    """The first AdaGrad and Adam steps as ``delta -> 0``: ``-epsilon sign(g)``; and their gap.

    Examples
    --------
    >>> sign_step()[0]
    -epsilon*sign(g)
    """
    adagrad_first = adagrad_rule(g, {}, 1, {epsilon: epsilon, delta: delta})[1]
    moments, adam_first = adam_rule(g, {}, 1, {epsilon: epsilon, delta: delta, rho_1: rho_1,
                                               rho_2: rho_2})
    if sp.simplify(adagrad_first - adam_first) != 0:
        raise ArithmeticError(f"first steps differ: {adagrad_first} != {adam_first}")
    limit = sp.limit(adagrad_first, delta, 0).rewrite(sp.sign)
    shrink = sp.cancel(sp.Abs(adagrad_first) / epsilon)
    gap = sp.factor(1 - shrink)
    rmsprop_first = sp.limit(rmsprop_rule(g, {}, 1, {epsilon: epsilon, delta: delta,
                                                     rho: rho})[1], delta, 0).rewrite(sp.sign)
    steps = (
        Step("AdaGrad at k = 1: r_1 = g^2 and sqrt(g^2) = |g|", equation(sp.Symbol("Delta_1"),
                                                                      adagrad_first)),
        Step("Adam at k = 1: the bias corrections undo the decays", sp.Tuple(
            *(equation(sp.Symbol(f"{n}_1"), v) for n, v in moments.items()))),
        Step("so Adam's first step is AdaGrad's", equation(sp.Symbol("Delta_1"), adam_first)),
        Step("its size relative to epsilon, and the shortfall from 1 (of order delta/|g|)",
             sp.Tuple(shrink, gap)),
        Step("as delta -> 0", equation(sp.Limit(sp.Symbol("Delta_1"), delta, 0), limit)),
        Step("RMSProp, by contrast, keeps the factor 1/sqrt(1 - rho) of its undone average "
             "(as delta -> 0; with delta inside the root the step is slightly smaller)",
             equation(sp.Limit(sp.Symbol("Delta_1^RMSProp"), delta, 0), rmsprop_first)),
    )
    return limit, steps


def validated(overrides: dict) -> dict:
    """The overrides as ``{symbol: number}``, each checked against its parameter's domain.

    Examples
    --------
    >>> validated({"rho": "0.5"})
    {rho: 1/2}
    """
    by_name = {p.name: p for p in PARAMETERS}
    fixed = {}
    for name, value in overrides.items():
        name = getattr(name, "name", name)
        if name not in by_name:
            raise ValueError(f"{name!r} is not a parameter of adaptive; choose from "
                             f"{', '.join(sorted(by_name))}")
        number = by_name[name].validate(value)
        if not number.is_number:
            raise ValueError(f"{name} == {value!r} is symbolic; the iterations need a number "
                             f"such as 0.5")
        fixed[by_name[name].symbol] = number
    return fixed


@functools.lru_cache(maxsize=64)
def _tables(settings: tuple) -> tuple[Result, ...]:
    values = dict(settings)
    return tuple(iterates_result(name, values) for name in RULES)


def derive(**overrides) -> Derivation:
    """Adaptive optimizers by hand on one sigmoid neuron: SGD, AdaGrad, RMSProp, Adam.

    ``overrides`` (parameter names to numbers or numeric strings) set the data, the start
    and the optimizers' settings; the rest keep the problem set's values.  The gradient
    and the sign-step result stay general in what is not overridden.

    Examples
    --------
    >>> d = derive()
    >>> d["sgd_iterates"].value.shape
    (6, 3)
    >>> sp.N(d["adagrad_iterates"].value[4, 0], 8)
    0.99999995
    >>> derive(epsilon=2)["sign_step"].value
    -2*sign(g)
    """
    fixed = validated(overrides)
    settings = {**DEFAULTS, **fixed}
    gradient, gradient_steps = loss_gradient()
    limit, limit_steps = sign_step()
    general = (
        Result("loss_gradient", "The partial derivatives of the loss in w_x and w_y.",
               gradient, gradient_steps, lhs=NABLA).subs(fixed),
        Result("sign_step", "The first AdaGrad and Adam steps are -epsilon sign(g) up to a "
               "relative error delta/(|g| + delta).", limit, limit_steps,
               lhs=sp.Limit(sp.Symbol("Delta_1"), delta, 0),
               assumptions=(sp.Ne(g, 0),)).subs(fixed),
    )
    tables = _tables(tuple(sorted(settings.items(), key=lambda item: item[0].name)))
    return Derivation("adaptive", "Adaptive optimizers by hand on one sigmoid neuron",
                      general[:1] + tables + general[1:], PARAMETERS, notation=NOTATION,
                      aliases={"z": PRE_ACTIVATION, "o": sigmoid(PRE_ACTIVATION),  # the notation's
                               r"\sigma": sp.Lambda(g, sigmoid(g))})  # the sheet's sigmoid


if __name__ == "__main__":
    raise SystemExit(main(derive))
