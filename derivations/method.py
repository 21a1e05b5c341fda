r"""Your own method: stability, regimes, rate and tuning of any linear first-order method.

A method is a list of updates written in LaTeX, each linear in the states and in the
gradient ``g`` taken at the iterate (``g_t``) or at any linear combination of states
(``g(y_t)``); ``x_{t-1}`` history becomes a state.  On a quadratic every
eigendirection has ``g(v) = h (v - w^*)``, so in the error coordinates (``w^* = 0``)
one step is a matrix ``T(h)``; everything below is derived from it: its characteristic
polynomial, eigenvalues and regimes, the stability region from Jury's conditions (any
degree), the rate (the spectral radius: an asymptotic rate, not a per-step factor), its
worst value over curvatures in ``[mu, L]`` (at an end of the range, proved up to degree
2) and the best tuning over them: in closed form where one exists, else computed
numerically for a numeric range.
``python -m derivations.method`` without a method derives the sheet's (cs182 2) EMA
heavy ball.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType

import sympy as sp

from numerics.terminal import command, fail

from . import cli
from .core import (POSITIVE, Derivation, Parameter, Result, Step, derivation, describe_set,
                   equation, linear_root)
from .parsing import latex_parser

__all__ = ["BUILTINS", "Method", "MethodError", "balanced_tuning", "builtin",
           "characteristic_polynomial", "critically_damped_tuning", "derive",
           "derive_method", "disk_conditions", "eigenvalues_in_radicals", "engine_results",
           "equivalence", "jury_conditions", "linear_inequality", "main",
           "maximum_at_the_ends", "method_from_latex", "natural_form", "nelder_mead",
           "numeric_spectrum", "numeric_tuning", "polyak_tuning", "read_update",
           "regime_results", "spectrum_results", "stability_region", "state_matrix",
           "worst_rate"]

h = sp.Symbol("h", positive=True)
lam = sp.Symbol("lambda")
rho = sp.Symbol("rho", positive=True)
mu = sp.Symbol("mu", positive=True)
L = sp.Symbol("L", positive=True)
GRADIENT = "g"
MOMENTUM_DOMAIN = sp.Interval.Ropen(0, 1)
STEP_NAMES = ("alpha", "eta", "gamma", "lr")
TIME = re.compile(r"^(?P<base>.+?)_\{?\s*t\s*(?:(?P<sign>[+-])\s*(?P<shift>\d+))?\s*\}?$")
MAX_UPDATE_LENGTH = 400


class MethodError(ValueError):
    """An update that cannot be read, names an unknown state or is not linear."""


# --------------------------------------------------------------------------- reading

def read_update(text: str) -> sp.Eq:
    r"""Read one update ``lhs = rhs`` from LaTeX into a SymPy equation (parsed, never evaluated).

    This is the one place that reads LaTeX; it uses SymPy's LaTeX parser, the one the
    checker's reader is built on.  Only ``g`` is a function: ``\beta (w_t - w_{t-1})``
    is a product.  An unreadable update raises :class:`MethodError` with the position.

    Examples
    --------
    >>> read_update(r"b_{t+1} = \mu b_t + g_t")
    Eq(b_{t+1}, b_t*mu + g_t)
    >>> read_update(r"y_t = w_t + \beta\left(w_t - w_{t-1}\right)")
    Eq(y_t, beta*(w_t - w_{t-1}) + w_t)
    """
    from sympy.parsing.latex.errors import LaTeXParsingError

    if len(text) > MAX_UPDATE_LENGTH:
        raise MethodError(f"update {text[:30]!r}... has {len(text)} characters, more than "
                          f"{MAX_UPDATE_LENGTH}; split it into several updates")
    cleaned = re.sub(r"\{\s*\\left\(", "(", re.sub(r"\\right\)\s*\}", ")", text))  # g{\left(y\right)}
    cleaned = re.sub(r"\\(?:left|right)(?![a-zA-Z])|\\[,;!]", " ", cleaned)
    try:
        parsed = latex_parser()(cleaned, strict=True)
    except (LaTeXParsingError, TypeError, ValueError, SyntaxError):
        raise MethodError(f"cannot read update '{text}' at position {_readable_length(cleaned)}; "
                          r"write it like b_{t+1} = \mu b_t + g_t") from None
    if not isinstance(parsed, sp.Equality):
        raise MethodError(f"update '{text}' at position 0 is not an equation; write "
                          r"state_{t+1} = ... as in w_{t+1} = w_t - \alpha g_t")
    equation = sp.Eq(*(_products(side) for side in parsed.args), evaluate=False)
    return equation.xreplace({s: sp.Symbol(_time_name(s.name), **s.assumptions0)
                              for s in equation.free_symbols})


def _readable_length(text: str) -> int:
    """Where the parser stops: the longest prefix it reads (bounded by the length cap)."""
    for end in range(len(text), 0, -1):
        try:
            latex_parser()(text[:end], strict=True)
        except Exception:  # noqa: BLE001, S112 -- any failure means the prefix is unreadable too
            continue
        partial = re.search(r"\\[a-zA-Z]*$", text[:end])   # inside a command: point at its start
        return partial.start() if partial else end
    return 0


def _products(expr):
    """Applications ``f(x)`` of any name but ``g`` are products ``f x``."""
    return expr.replace(
        lambda e: isinstance(e, sp.core.function.AppliedUndef) and e.func.__name__ != GRADIENT,
        lambda e: sp.Symbol(e.func.__name__) * sp.Add(*e.args))


def _time_name(name: str) -> str:
    """``b_{t + 1}`` -> ``b_{t+1}``, ``b_{t}`` -> ``b_t``; other names unchanged."""
    match = TIME.match(name)
    if not match:
        return name
    shift = f"{match['sign']}{match['shift']}" if match["sign"] else ""
    return f"{match['base']}_{{t{shift}}}" if shift else f"{match['base']}_t"


MAX_LAG = 20  # steps an update may look back: each is a state of T (w_{t-400} took 4 s)


def _timed(symbol):
    """``(base, offset)`` of a time-indexed symbol, or ``None``."""
    match = TIME.match(symbol.name)
    if not match:
        return None
    return match["base"], int(f"{match['sign']}{match['shift']}") if match["sign"] else 0


def _at(base: str, offset: int) -> sp.Symbol:
    return sp.Symbol(_time_name(f"{base}_{{t{offset:+d}}}" if offset else f"{base}_t"), real=True)


# --------------------------------------------------------------------------- the method

@dataclass(frozen=True)
class Method:
    """A linear first-order method: its updates and its parameters.

    Parameters
    ----------
    name, title : str
        A snake_case key and a human title.
    updates : tuple of sympy Eq
        In order; a later update may use an earlier one's new value.
    parameters : tuple of Parameter
        The symbols other than states, ``g`` and the curvature, with their domains.
    step : Symbol or None
        The parameter the stability region is solved for (None: solve for ``h``).
    sources : tuple of str
        The LaTeX of each update, for error positions and display.
    iterate : str
        The state ``g_t`` is evaluated at.

    Examples
    --------
    >>> gd = builtin("gd")
    >>> gd.states
    (w_t,)
    """

    name: str
    title: str
    updates: tuple
    parameters: tuple
    step: sp.Symbol | None = None
    sources: tuple = ()
    iterate: str = "w"
    curvature: sp.Symbol = h
    tuning: str = "auto"

    @property
    def bases(self) -> tuple[str, ...]:
        """The state names, in the order of their updates, then the history they need."""
        updated = [b for b, off in (_timed(u.lhs) for u in self.updates) if off == 1]
        history = []
        for update in self.updates:
            for symbol in sorted(update.rhs.free_symbols, key=str):
                timed = _timed(symbol)
                if timed and timed[1] < 0:
                    history += [f"{timed[0]}_{{t{k}}}" for k in range(-1, timed[1] - 1, -1)
                                if f"{timed[0]}_{{t{k}}}" not in history]
        return tuple(updated) + tuple(history)

    @property
    def states(self) -> tuple[sp.Symbol, ...]:
        return tuple(sp.Symbol(_time_name(f"{b}_t") if "_{t" not in b else b, real=True)
                     for b in self.bases)


def method_from_latex(updates, name="custom", title="A linear method", domains=None,
                      meanings=None, step=None, iterate=None) -> Method:
    r"""Build a :class:`Method` from LaTeX updates.

    ``domains`` maps parameter names to sets (default: a step size in ``STEP_NAMES`` is
    positive, any other parameter lies in ``[0, 1)``); ``step`` names the step size
    (default: the first parameter in ``STEP_NAMES``).

    Examples
    --------
    >>> m = method_from_latex([r"b_{t+1} = \mu b_t + g_t", r"w_{t+1} = w_t - \alpha b_{t+1}"])
    >>> [p.name for p in m.parameters], m.step
    (['alpha', 'mu'], alpha)
    """
    updates = list(updates)
    if not updates:
        raise MethodError("no update given; pass --update 'w_{t+1} = w_t - \\alpha g_t' or --name")
    return method_from_equations([read_update(u) for u in updates], updates, name, title,
                                 domains, meanings, step, iterate)


def method_from_equations(equations, sources, name="custom", title="A linear method",
                          domains=None, meanings=None, step=None, iterate=None) -> Method:
    """Build a :class:`Method` from SymPy updates (``sources``: their text, for messages).

    Examples
    --------
    >>> w, w_next, alpha = sp.symbols("w_t w_{t+1} alpha")
    >>> method_from_equations([equation(w_next, w - alpha * sp.Symbol("g_t"))], ["gd"]).step
    alpha
    """
    domains, meanings = dict(domains or {}), dict(meanings or {})
    for text, e in zip(sources, equations):
        for symbol in sorted(e.free_symbols, key=str):
            if _timed(symbol) and _timed(symbol)[1] < -MAX_LAG:  # each step back is a state
                raise MethodError(f"update '{text}': {symbol} looks back more than {MAX_LAG} "
                                  f"steps; a method here remembers at most {MAX_LAG}")
    names = sorted({s.name for e in equations for s in e.free_symbols
                    if not _timed(s) and s.name != h.name})
    step_name = step or next((n for n in STEP_NAMES if n in names), None)
    if step_name is not None and step_name not in names:
        raise MethodError(f"step == {step_name!r} is not a parameter of the updates; choose "
                          f"from {', '.join(names) or 'none'}")
    parameters = []
    for pname in names:
        domain = domains.get(pname, POSITIVE if pname == step_name else MOMENTUM_DOMAIN)
        meaning = meanings.get(pname, "step size" if pname == step_name else "a coefficient")
        symbol = sp.Symbol(pname, positive=True) if domain.is_subset(POSITIVE) else \
            sp.Symbol(pname, nonnegative=True) if domain.is_subset(sp.Interval(0, sp.oo)) else \
            sp.Symbol(pname, real=True)
        parameters.append(Parameter(symbol, meaning, domain))
    symbols = {p.name: p.symbol for p in parameters}
    equations = tuple(e.xreplace({s: symbols[s.name] for s in e.free_symbols if s.name in symbols})
                      for e in equations)
    lhs_bases = [_timed(e.lhs) for e in equations]
    for text, e, timed in zip(sources, equations, lhs_bases):
        if not timed or timed[1] not in (0, 1):
            raise MethodError(f"update '{text}' at position 0: the left side must be a state "
                              f"at t+1 (w_{{t+1}}) or a point at t (y_t), got {e.lhs}")
        if lhs_bases.count(timed) > 1:
            raise MethodError(f"update '{text}' at position 0: {e.lhs} is updated "
                              f"{lhs_bases.count(timed)} times; give each state one update")
    if iterate is None:
        updated = [b for b, off in lhs_bases if off == 1]
        iterate = next((c for c in ("w", "x", "xi", "theta") if c in updated),
                       updated[-1] if updated else "w")
    return Method(name, title, equations, tuple(parameters),
                  symbols.get(step_name) if step_name else None, tuple(sources), iterate)


# --------------------------------------------------------------------------- built-ins

@functools.cache
def _library():
    """The built-ins as SymPy updates (their LaTeX is printed from these, and reads back to them).

    Built once per process and shared, so read-only: tuples and read-only mappings.
    """
    at = {n: sp.Symbol(n) for n in ("w_t", "w_{t+1}", "w_{t-1}", "z_t", "z_{t+1}", "b_t",
                                    "b_{t+1}", "y_t", "x_t", "x_{t+1}", "x_{t-1}", "g_t")}
    alpha, eta, beta, m, mu, tau, nu, gamma = sp.symbols("alpha eta beta m mu tau nu gamma")
    g, gt = sp.Function(GRADIENT), at["g_t"]
    unit = sp.Interval.Ropen(0, 1)

    def updates(*pairs):
        return tuple(sp.Eq(at[lhs], rhs, evaluate=False) for lhs, rhs in pairs)

    library = {
        "gd": ("Gradient descent", updates(("w_{t+1}", at["w_t"] - alpha * gt)), {},
               {"alpha": "step size"}),
        "heavy_ball": ("Polyak's heavy ball (classical form)", updates(
            ("w_{t+1}", at["w_t"] - alpha * gt + m * (at["w_t"] - at["w_{t-1}"]))),
            {"m": unit}, {"alpha": "step size", "m": "momentum"}),
        "heavy_ball_ema": ("Heavy ball, EMA form of the sheets", updates(
            ("z_{t+1}", (1 - beta) * at["z_t"] + beta * gt),
            ("w_{t+1}", at["w_t"] - eta * at["z_{t+1}"])),
            {"beta": sp.Interval.Lopen(0, 1)},
            {"eta": "learning rate", "beta": "weight of the new gradient in the EMA"}),
        "heavy_ball_pytorch": ("Heavy ball, PyTorch's SGD with momentum and dampening", updates(
            ("b_{t+1}", mu * at["b_t"] + (1 - tau) * gt),
            ("w_{t+1}", at["w_t"] - alpha * at["b_{t+1}"])),
            {"mu": unit, "tau": unit},
            {"alpha": "learning rate lr", "mu": "momentum", "tau": "dampening"}),
        "nesterov_pytorch": ("PyTorch's SGD with nesterov=True", updates(
            ("b_{t+1}", mu * at["b_t"] + gt),
            ("w_{t+1}", at["w_t"] - alpha * (gt + mu * at["b_{t+1}"]))),
            {"mu": unit}, {"alpha": "learning rate lr", "mu": "momentum"}),
        "nesterov": ("Nesterov's constant-momentum method (strongly convex)", updates(
            ("y_t", at["w_t"] + beta * (at["w_t"] - at["w_{t-1}"])),
            ("w_{t+1}", at["y_t"] - alpha * g(at["y_t"]))),
            {"beta": unit}, {"alpha": "step size (1/L)", "beta": "momentum"}),
        "qhm": ("Quasi-hyperbolic momentum", updates(
            ("b_{t+1}", beta * at["b_t"] + (1 - beta) * gt),
            ("w_{t+1}", at["w_t"] - alpha * ((1 - nu) * gt + nu * at["b_{t+1}"]))),
            {"beta": unit, "nu": sp.Interval(0, 1)},
            {"alpha": "step size", "beta": "EMA decay", "nu": "immediate discount"}),
        "triple_momentum": ("The triple momentum method (Van Scoy, Freeman, Lynch)", updates(
            ("y_t", (1 + gamma) * at["x_t"] - gamma * at["x_{t-1}"]),
            ("x_{t+1}", (1 + beta) * at["x_t"] - beta * at["x_{t-1}"] - alpha * g(at["y_t"]))),
            {"beta": unit, "gamma": sp.Interval(0, sp.oo)},
            {"alpha": "step size", "beta": "momentum", "gamma": "look-ahead"}),
    }
    return MappingProxyType({name: (title, equations, MappingProxyType(domains),
                                    MappingProxyType(meanings))
                             for name, (title, equations, domains, meanings) in library.items()})


BUILTINS = tuple(_library())


@functools.cache          # a Method is immutable; topics and results ask for the same ones
def builtin(name: str) -> Method:
    """A method of the built-in library by name (``BUILTINS``).

    Examples
    --------
    >>> print(builtin("heavy_ball_ema").sources[0])
    z_{t+1} = \\beta g_{t} + z_{t} \\left(1 - \\beta\\right)
    """
    library = _library()
    if name not in library:
        raise MethodError(f"name == {name!r} is not a built-in method; choose from "
                          f"{', '.join(library)}")
    title, equations, domains, meanings = library[name]
    method = method_from_equations(equations, [sp.latex(e) for e in equations], name, title,
                                   domains, meanings)
    return replace(method, tuning="critical") if name.startswith("nesterov") else method


# --------------------------------------------------------------------------- derivation

@functools.cache          # a method's matrix is asked for by several results
def state_matrix(method: Method):
    """The state-transition matrix ``T(h)`` in error coordinates, with its steps.

    Examples
    --------
    >>> state_matrix(builtin("heavy_ball"))[0]
    Matrix([
    [-alpha*h + m + 1, -m],
    [               1,  0]])
    """
    states = method.states
    known = {s.name for s in states}
    values = {}
    steps = [Step(f"update {k + 1} as read", u) for k, u in enumerate(method.updates)]
    steps.append(Step("on a quadratic, in each eigendirection and with w^* = 0, the gradient "
                      "is the curvature times the point", equation(sp.Function(GRADIENT)(
                          sp.Symbol("v")), method.curvature * sp.Symbol("v"))))
    iterate = _at(method.iterate, 0)
    for k, (update, text) in enumerate(zip(method.updates, method.sources or [""] * 99)):
        rhs = update.rhs.replace(lambda e: isinstance(e, sp.core.function.AppliedUndef),
                                 lambda e: method.curvature * e.args[0])
        rhs = rhs.xreplace({sp.Symbol(f"{GRADIENT}_t", real=True): method.curvature * iterate,
                            sp.Symbol(f"{GRADIENT}_t"): method.curvature * iterate})
        rhs = rhs.xreplace({s: sp.Symbol(s.name, real=True) for s in rhs.free_symbols if _timed(s)})
        for symbol in rhs.free_symbols:
            if _timed(symbol) and symbol.name not in known and symbol not in values:
                raise MethodError(
                    f"update {text or update} at position {_position(text, symbol)} names "
                    f"{symbol.name}, which is not a state (no update gives it); add an update "
                    f"for {_timed(symbol)[0]}_{{t+1}} or define it at time t")
        rhs = sp.expand(rhs.xreplace(values))
        lhs = sp.Symbol(update.lhs.name, real=True)
        polynomial = sp.Poly(rhs, *states) if rhs.has(*states) else None
        if rhs.free_symbols & set(states) and (polynomial.total_degree() > 1 or any(
                c.has(*states) for c in polynomial.coeffs())) or (polynomial is not None and
                                                                    polynomial.coeff_monomial(1) != 0):
            raise MethodError(
                f"update {text or update} at position {_position(text, _first_state(rhs, states))} "
                f"is not linear in the states: {rhs}; each update must be a linear "
                f"combination of states and gradients")
        values[lhs] = rhs
    new_values = []
    for state in states:
        timed = _timed(state)
        if timed[1] < 0:   # history: x_{t-1} at the next step is x_t (or x_{t-2+1})
            new_values.append(_at(timed[0], timed[1] + 1))
        else:
            new_values.append(values[_at(timed[0], 1)])
    # Each new state is linear in the old ones (checked above): its Jacobian row is its
    # coefficients, read off the expanded sum (the same entries as differentiating, faster).
    matrix = sp.ImmutableMatrix([[value.coeff(state) for state in states] for value in new_values])
    steps.append(Step("substitute each update into the next; the new states are",
                      sp.Tuple(*(equation(sp.Symbol(_next_name(s)), v) for s, v in zip(states,
                                                                                   new_values)))))
    steps.append(Step("T is the Jacobian of the new states in the old ones "
                      f"({', '.join(s.name for s in states)})", matrix))
    return matrix, tuple(steps)


def _next_name(state):
    base, offset = _timed(state)
    return _at(base, offset + 1).name


def _first_state(expr, states):
    return next((s for s in states if expr.has(s)), states[0])


def _position(text, symbol) -> int:
    if not text:
        return 0
    base = _timed(symbol)[0] if _timed(symbol) else symbol.name
    found = text.find(base.lstrip("\\"), text.find("=") + 1)
    return max(found - (1 if base.startswith("\\") else 0), 0)


@functools.lru_cache(maxsize=256)
def _cached_coefficients(polynomial):
    return tuple(sp.Poly(polynomial, lam).all_coeffs())


def _coefficients(polynomial) -> list:
    """The coefficients of ``polynomial`` in ``lambda``, highest first (a new list; the
    same few polynomials are asked for by several results)."""
    return list(_cached_coefficients(polynomial))


def characteristic_polynomial(matrix):
    """``det(lambda I - T)``, collected in ``lambda``, with its steps.

    Examples
    --------
    >>> characteristic_polynomial(sp.Matrix([[0, 1], [-2, 3]]))[0]
    lambda**2 - 3*lambda + 2
    """
    return _characteristic_polynomial(sp.ImmutableMatrix(matrix))


@functools.lru_cache(maxsize=256)    # several results (and equivalence) ask for the same matrix's
def _characteristic_polynomial(matrix):
    polynomial = sp.collect(sp.expand(matrix.charpoly(lam).as_expr()), lam)
    return polynomial, (Step("expand det(lambda I - T)", equation(sp.Function("p")(lam), polynomial)),)


RADICAL_OPERATIONS = 200


def eigenvalues_in_radicals(polynomial):
    """The distinct roots of ``p`` in radicals, and the operation count of the largest.

    Up to degree 2 by the quadratic formula; beyond, SymPy's ``roots`` (factors, then
    Cardano's and Ferrari's formulas).  ``(None, size)`` when a root has more than
    ``RADICAL_OPERATIONS`` operations (``count_ops``) or SymPy finds no radicals for them all.

    Examples
    --------
    >>> sorted(eigenvalues_in_radicals(lam**3 - lam)[0])
    [-1, 0, 1]
    >>> eigenvalues_in_radicals(lam**4 + h * lam**3 + lam + 1)
    (None, 422)
    """
    poly = sp.Poly(polynomial, lam)
    degree = poly.degree()
    found = sp.roots(poly) if degree <= 2 else sp.roots(poly, cubics=True, quartics=True)
    size = max((sp.count_ops(r) for r in found), default=0) if degree > 2 else 0
    if degree > 2 and (sum(found.values()) < degree or size > RADICAL_OPERATIONS):
        return None, size
    return list(found), size


def _roots_in(expr, var):
    """The roots in ``var`` of the factors of ``expr`` that contain it (each of degree <= 2).

    Examples
    --------
    >>> x, a = sp.symbols("x a", positive=True)
    >>> _roots_in((a - 1) * (x**2 - a), x)
    [-sqrt(a), sqrt(a)]
    """
    roots = []
    for factor in sp.Mul.make_args(sp.factor(expr)):
        base = factor.as_base_exp()[0]
        if base.has(var):
            roots += [r for r in sp.roots(sp.Poly(base, var)) if r not in roots]
    return roots


def natural_form(expr):
    """A closed form written as a person would: ``(2 - beta)/(beta sigma^2)``, ``(1 - r)^2``.

    Factors, takes the sign into the numerator and writes squares of negatives as
    squares of their opposites.

    Examples
    --------
    >>> b, s = sp.symbols("beta sigma", positive=True)
    >>> natural_form(-(b - 2) / (b * s**2))
    (2 - beta)/(beta*sigma**2)
    >>> natural_form((sp.sqrt(1 - b) - 1)**2 / b)
    (1 - sqrt(1 - beta))**2/beta
    """
    factored = sp.factor(expr).replace(
        lambda e: e.is_Pow and e.exp.is_even and isinstance(e.base, sp.Add)
        and e.base.as_coeff_Add()[0].is_negative, lambda e: sp.Pow(-e.base, e.exp))
    numerator, denominator = sp.fraction(factored)
    if isinstance(denominator, sp.Add) and (denominator.could_extract_minus_sign() or sum(
            t.could_extract_minus_sign() for t in denominator.args) * 2 > len(denominator.args)):
        factored = sp.factor(-numerator) / sp.factor(-denominator)
    if not factored.could_extract_minus_sign():
        return factored
    args = list(sp.Mul.make_args(factored))
    odd = [k for k, a in enumerate(args)
           if isinstance(a.as_base_exp()[0], sp.Add) and a.as_base_exp()[1].is_odd]
    if not odd:
        return factored
    k = min(odd, key=lambda k: not args[k].as_base_exp()[0].as_coeff_Add()[0].is_negative)
    base, exponent = args[k].as_base_exp()
    args[k] = sp.Pow(-base, exponent)
    sign = 1 if -1 in args else -1     # the flip took one factor -1; give it back
    return sign * sp.Mul(*(a for a in args if a != -1))


def _domains(method: Method) -> dict:
    return {**{p.symbol: p.domain for p in method.parameters}, method.curvature: POSITIVE}


def _sign(expr, domains) -> int:
    """+1 or -1 where the sign of ``expr`` is fixed on the parameters' domains, else 0."""
    expr = sp.factor(expr)
    if expr.is_positive:
        return 1
    if expr.is_negative:
        return -1
    if isinstance(expr, sp.Mul):
        signs = [_sign(f, domains) for f in expr.args]
        return 0 if 0 in signs else int(sp.prod(signs))
    if isinstance(expr, sp.Pow) and expr.exp.is_integer:
        base = _sign(expr.base, domains)
        return base ** int(expr.exp) if base else (1 if expr.exp.is_even and expr.base.is_real
                                                   and expr.base.is_nonzero else 0)
    free = expr.free_symbols
    linear = _sign_linear(expr, domains)     # the ends of a linear factor: cheaper than solveset
    if linear:
        return linear
    if len(free) == 1:
        (symbol,) = free
        return _sign_univariate(expr, symbol, domains.get(symbol, sp.Reals))
    return 0


def _nonnegative(expr, domains) -> bool:
    """Whether ``expr`` is at least 0 wherever the parameters lie in their domains (False
    where that is not shown).

    Examples
    --------
    >>> b, m = sp.Symbol("beta", positive=True), sp.Symbol("m", real=True)
    >>> _nonnegative(1 - b, {b: sp.Interval.Lopen(0, 1)}), _nonnegative(m, {m: sp.Interval.open(-1, 1)})
    (True, False)
    """
    if expr.is_nonnegative:
        return True
    free = expr.free_symbols
    if len(free) == 1:
        (symbol,) = free
        domain = domains.get(symbol, sp.Reals)
        if isinstance(domain, sp.Interval) and expr.is_polynomial(symbol) and \
                sp.degree(expr, symbol) == 1:   # a line: at least 0 at both ends (cheaper)
            slope = sp.expand(expr).coeff(symbol)
            return all((slope * end).is_nonnegative if end.is_infinite else
                       expr.subs(symbol, end).is_nonnegative for end in (domain.start, domain.end))
    if _sign(expr, domains) > 0:
        return True
    return len(free) == 1 and sp.solveset(expr < 0, symbol, domain) is sp.EmptySet


def _sign_univariate(expr, symbol, domain) -> int:
    """The sign of ``expr``, rational in ``symbol``, on an interval ``domain``, or 0 when it
    changes or vanishes there: a rational function keeps its sign between the real roots
    of its numerator and denominator, so it has one sign on the domain when none of them
    lies in it, the sign at an inner point.

    Examples
    --------
    >>> b = sp.Symbol("beta")
    >>> _sign_univariate(2 - b**2, b, sp.Interval.Lopen(0, 1)), _sign_univariate(1 - b, b, sp.Interval.Lopen(0, 1))
    (1, 0)
    """
    numerator, denominator = sp.fraction(sp.cancel(sp.together(expr)))
    if not isinstance(domain, sp.Interval) or not all(
            part.is_polynomial(symbol) for part in (numerator, denominator)):
        return _sign_by_solveset(expr, symbol, domain)
    for part in (numerator, denominator):
        if any(domain.contains(root) == sp.true for root in sp.Poly(part, symbol).real_roots()):
            return 0
    start, end = domain.inf, domain.sup
    inner = (start + end) / 2 if start.is_finite and end.is_finite else \
        start + 1 if start.is_finite else end - 1 if end.is_finite else sp.S.Zero
    value = expr.subs(symbol, inner)
    return 1 if value.is_positive else -1 if value.is_negative else 0


def _sign_by_solveset(expr, symbol, domain) -> int:
    if sp.solveset(expr > 0, symbol, domain) == domain:
        return 1
    if sp.solveset(expr < 0, symbol, domain) == domain:
        return -1
    return 0


def _sign_linear(expr, domains) -> int:
    """The sign of ``expr`` linear in one parameter with an interval domain: from its ends.

    A linear function on an interval lies strictly between its values at the ends, so
    it is negative throughout when each end is negative (or zero at an open end).
    """
    for symbol in sorted(expr.free_symbols, key=str):
        domain = domains.get(symbol)
        if not isinstance(domain, sp.Interval) or sp.degree(expr, symbol) != 1:
            continue
        slope = sp.expand(expr).coeff(symbol)
        ends = []
        for end, is_open in ((domain.start, domain.left_open), (domain.end, domain.right_open)):
            if end.is_infinite:   # the sign there is the slope's; undecided, it decides nothing
                value_sign = _sign(slope, domains) * (1 if end > 0 else -1)
                if value_sign == 0:
                    break
                ends.append((value_sign, True))
            else:
                value = sp.expand(expr.subs(symbol, end))
                value_sign = 0 if value == 0 else _sign(value, domains)
                if value_sign == 0 and value != 0:   # undecided, not zero
                    break
                ends.append((value_sign, is_open))
        else:
            for target in (1, -1):
                if all(s == target or (s == 0 and is_open) for s, is_open in ends) and \
                        any(s == target for s, _ in ends):
                    return target
    return 0


def _file(relation, condition, undecided, holds, failing) -> None:
    """Put ``relation`` (``expr > 0`` for a Jury ``condition``) with the undecided ones,
    or ``condition`` with those that hold or fail where SymPy decides it at once
    (``3/4 > 0`` once a parameter is fixed)."""
    if relation is sp.true:
        holds.append(condition)
    elif relation is sp.false:
        failing.append(condition)
    else:
        undecided.append(relation)


def jury_conditions(polynomial, var=lam):
    """Jury's conditions for every root of ``polynomial`` inside the unit circle (any degree).

    For ``a_n z^n + ... + a_0`` with ``a_n > 0``: ``p(1) > 0``, ``(-1)^n p(-1) > 0``,
    ``a_n - a_0 > 0``, ``a_n + a_0 > 0`` (that is ``|a_0| < a_n``), then for each row
    ``b_k = a_0 a_k - a_n a_{n-k}`` of Jury's table until three entries remain,
    ``b_0^2 - b_{last}^2 > 0``.  Each returned expression must be positive.

    Examples
    --------
    >>> jury_conditions(lam**2 - lam / 2)
    (1/2, 3/2, 1, 1)
    >>> len(jury_conditions(lam**3 + lam / 4))
    5
    """
    poly = sp.Poly(polynomial, var)
    if poly.LC().is_negative:
        poly = -poly
    coefficients = poly.all_coeffs()[::-1]            # a_0 .. a_n
    n = poly.degree()
    conditions = [poly.eval(1), (-1) ** n * poly.eval(-1)]
    if n >= 2:
        conditions += [coefficients[-1] - coefficients[0], coefficients[-1] + coefficients[0]]
    row = coefficients
    while len(row) > 3:
        k = len(row) - 1
        row = [sp.expand(row[0] * row[j] - row[k] * row[k - j]) for j in range(k)]
        conditions.append(sp.expand(row[0] ** 2 - row[-1] ** 2))
    return tuple(sp.factor(c) for c in conditions)


def stability_region(method: Method, polynomial):
    """The values of the step size (or of ``h``) for which every root lies inside the unit circle.

    Jury's conditions are reduced with the parameters' domains: factors of fixed sign
    are dropped; conditions free of the variable are checked on the domains; a condition
    linear in the variable gives a bound.  Returns the set, the steps and the conditions
    that could not be decided (kept as assumptions).

    Examples
    --------
    >>> m = builtin("heavy_ball")
    >>> stability_region(m, characteristic_polynomial(state_matrix(m)[0])[0])[0]
    Interval.open(0, 2*(m + 1)/h)
    """
    var = method.step if method.step is not None else method.curvature
    domains = _domains(method)
    conditions = jury_conditions(polynomial, lam)
    steps = [Step("Jury's conditions for all roots inside the unit circle, each > 0",
                  sp.Tuple(*conditions))]
    lower, upper, undecided, holds = [], [], [], []
    region = domains.get(var, POSITIVE)
    failing = []
    for condition in conditions:
        kept = [f for f in sp.Mul.make_args(condition)       # factored by jury_conditions
                if not (f.is_number and f.is_positive)]
        sign = 1
        varying = []
        for factor in kept:
            s = _sign(factor, domains) if not factor.has(var) else 0
            if s:
                sign *= s
            else:
                varying.append(factor)
        if (sign < 0 and not varying) or condition.is_zero:
            failing.append(condition)   # an eigenvalue on or outside the circle for every value
            continue
        expr = sign * sp.Mul(*varying)
        if not varying:
            holds.append(condition)
            continue
        if not expr.has(var):
            _file(sp.StrictGreaterThan(expr, 0), condition, undecided, holds, failing)
            continue
        if expr.free_symbols == {var}:
            region = sp.Intersection(region, sp.solveset(expr > 0, var, domains.get(var, sp.Reals)))
            continue
        poly = sp.Poly(sp.expand(expr), var)
        if poly.degree() == 1:
            slope, intercept = poly.all_coeffs()
            bound = natural_form(-intercept / slope)
            slope_sign = _sign(slope, domains)
            if slope_sign > 0 and _sign(bound, domains) <= 0 and _sign(bound, domains) != 0:
                holds.append(condition)
            elif slope_sign > 0:
                lower.append(bound)
            elif slope_sign < 0:
                upper.append(bound)
            else:
                _file(sp.StrictGreaterThan(expr, 0), condition, undecided, holds, failing)
        else:
            _file(sp.StrictGreaterThan(expr, 0), condition, undecided, holds, failing)
    if failing:
        steps.append(Step("these are never positive, so no value is stable", sp.Tuple(*failing)))
        return sp.S.EmptySet, tuple(steps) + (Step("so the stable values are", sp.S.EmptySet),), ()
    if holds:
        steps.append(Step("these hold for every parameter in its domain "
                          f"({_domain_text(method)})", sp.Tuple(*holds)))
    start = _tightest(lower, domains, sp.Max) if lower else None
    end = _tightest(upper, domains, sp.Min) if upper else None
    if start is not None or end is not None:
        interval = sp.Interval.open(start if start is not None else -sp.oo,
                                    end if end is not None else sp.oo)
        region = _meet(region, interval, domains)  # alpha > 0 from a condition kept
        steps.append(Step(f"the conditions linear in {var} bound it", sp.Tuple(
            *(sp.Gt(var, b, evaluate=False) for b in lower),
            *(sp.Lt(var, b, evaluate=False) for b in upper))))
    if isinstance(region, sp.Interval) and not {region.start, region.end} & {sp.oo, -sp.oo}:
        implied = [c for c in undecided if _holds_on(c.lhs, var, region, domains)]
        undecided = [c for c in undecided if c not in implied]
        if implied:
            steps.append(Step("linear in the variable and positive at both ends of that "
                              "interval, these hold on all of it", sp.Tuple(*implied)))
    binding = [c for c in undecided if c.has(var)]
    if binding:
        region = sp.ConditionSet(var, sp.And(*binding), region)
    if undecided:
        steps.append(Step("and these, which the domains do not decide", sp.And(*undecided)))
    steps.append(Step("so the stable values are", region))
    return region, tuple(steps), tuple(undecided)


def _meet(region, interval, domains):
    """``region`` (the domain, or what conditions left of it) cut to ``interval``, the ends
    picked by the parameters' signs where both are intervals (SymPy leaves
    ``(0, oo) & (-oo, 2/h)`` unevaluated); ``(0, 5) & (-oo, 2/h)`` keeps both ends.

    Examples
    --------
    >>> _meet(POSITIVE, sp.Interval.open(-sp.oo, 2 / h), {})
    Interval.open(0, 2/h)
    """
    if not (isinstance(region, sp.Interval) and isinstance(interval, sp.Interval)):
        return sp.Intersection(region, interval)
    ends = []
    for side, infinite, pick in ((0, -sp.oo, sp.Max), (1, sp.oo, sp.Min)):
        written = [(i.args[side], i.args[side + 2]) for i in (region, interval)
                   if i.args[side] != infinite]
        end = _tightest([e for e, _ in written], domains, pick) if written else infinite
        at_end = [is_open for e, is_open in written if e == end]  # none: a Max/Min undecided
        ends.append((end, any(at_end) if at_end else all(is_open for _, is_open in written)))
    (start, left_open), (end, right_open) = ends
    return sp.Interval(start, end, left_open, right_open)


def _holds_on(expr, var, interval, domains) -> bool:
    """Whether ``expr > 0``, linear in ``var``, holds on all of ``interval``: check both ends."""
    if sp.degree(expr, var) != 1:
        return False
    return all(_sign(expr.subs(var, end), domains) > 0 or
               (sp.simplify(expr.subs(var, end)) == 0 and is_open)
               for end, is_open in ((interval.start, interval.left_open),
                                    (interval.end, interval.right_open)))


def _tightest(bounds, domains, pick):
    kept = list(dict.fromkeys(bounds))
    for a in list(kept):
        for b in kept:
            if a != b and a in kept:
                difference = _sign(sp.factor(a - b), domains)
                if (pick is sp.Min and difference > 0) or (pick is sp.Max and difference < 0):
                    kept.remove(a)
                    break
    return kept[0] if len(kept) == 1 else pick(*kept)


def _domain_text(method):
    return ", ".join(f"{p.name} in {describe_set(p.domain)}" for p in method.parameters) or \
        "no parameters"


def quadratic_regimes(method: Method, polynomial):
    """Discriminant, repeated-eigenvalue steps and the real and complex regimes of a degree-2 method.

    Returns a dict of results' values and steps, or ``{}`` when the discriminant is not
    a quadratic in the step with positive leading coefficient.

    Examples
    --------
    >>> m = builtin("heavy_ball")
    >>> p = characteristic_polynomial(state_matrix(m)[0])[0]
    >>> quadratic_regimes(m, p)["repeated"][0]
    ((1 - sqrt(m))**2/h, (sqrt(m) + 1)**2/h)
    """
    disc = sp.factor(sp.discriminant(polynomial, lam))
    found = {"discriminant": (disc, (Step("b^2 - 4ac of the quadratic in lambda", disc),))}
    step = method.step
    if step is None or sp.degree(disc, step) != 2:
        return found
    leading = sp.Poly(disc, step).LC()
    domains = _domains(method)
    if _sign(leading, domains) <= 0:
        return found
    constant = _coefficients(polynomial)[-1]
    # The roots in the step involve sqrt(p(0)); write p(0) = r^2 with r >= 0 to keep them tidy.
    r = sp.Symbol("r", nonnegative=True)
    momentum = next((p.symbol for p in method.parameters
                     if p.symbol != step and constant.has(p.symbol)), None)
    rewrite = {}
    if momentum is not None and not constant.has(method.curvature, step) and \
            sp.degree(constant, momentum) == 1:
        rewrite = {momentum: sp.expand(linear_root(constant - r**2, momentum))}
    roots = _roots_in(disc.subs(rewrite), step)
    if rewrite:     # r >= 0 with r^2 = p(0)
        roots = [_rationalised(x, r, constant).subs(r, sp.sqrt(constant)) for x in roots]
    roots = [natural_form(x) for x in roots]
    sample = _sample(method)
    at_sample = [complex(x.xreplace(sample).evalf()) for x in roots]
    if len(roots) != 2 or any(abs(v.imag) > 1e-12 or v.real <= 0 for v in at_sample):
        return found   # the regimes below need two positive roots in the step
    low, high = (x for _, x in sorted(zip((v.real for v in at_sample), roots),
                                      key=lambda pair: pair[0]))
    real_roots = _positive_part(sp.factor(sp.discriminant(disc, step)), domains)
    if _sign(real_roots, domains) < 0:
        return found   # never two real steps: every step has real eigenvalues
    found["assumes"] = () if _nonnegative(real_roots, domains) else (sp.GreaterThan(real_roots, 0),)
    found["repeated"] = ((low, high), (
        Step("the eigenvalues coincide where the discriminant vanishes", equation(disc, 0)),
        Step(f"a quadratic in {step}; its roots are real where its own discriminant, up to "
             "positive factors, is at least 0", real_roots),
        Step("its roots", sp.Tuple(low, high))))
    # low < high: the two pieces are disjoint, and Union has nothing to merge (asking is slow)
    found["real"] = (sp.Union(sp.Interval.Lopen(0, low), sp.Interval(high, sp.oo),
                              evaluate=False), (
        Step(f"the discriminant is a quadratic in {step} with positive leading coefficient",
             leading),
        Step("so it is non-negative outside its roots", sp.Tuple(low, high))))
    found["complex"] = (sp.Interval.open(low, high), (
        Step("the discriminant is negative strictly between its roots",
             sp.Interval.open(low, high)),))
    return found


def _positive_part(expr, domains):
    """``expr`` without its factors that are positive on the domains (its sign's part).

    Examples
    --------
    >>> m = sp.Symbol("m", real=True)
    >>> _positive_part(16 * h**2 * m, {})
    m
    """
    return sp.Mul(*(f for f in sp.Mul.make_args(expr)
                    if not (f.is_positive or _sign_linear(f, domains) > 0)))


def _rationalised(expr, r, square):
    """``expr`` with no ``r`` in its denominator: multiply by conjugates, then ``r^2 = square``.

    Examples
    --------
    >>> r, b = sp.Symbol("r", nonnegative=True), sp.Symbol("beta", positive=True)
    >>> _rationalised((1 + r) / (h * (1 - r)), r, 1 - b)
    (r + 1)**2/(beta*h)
    """
    numerator, denominator = sp.fraction(sp.factor(expr))
    for factor in sp.Mul.make_args(denominator):
        base, exponent = factor.as_base_exp()
        if base.has(r) and sp.degree(base, r) == 1 and exponent.is_Integer and exponent > 0:
            conjugate = base.subs(r, -r) ** exponent
            numerator, denominator = numerator * conjugate, denominator * conjugate
    denominator = sp.expand(denominator)
    if sp.Poly(denominator, r).degree() and any(k % 2 for (k,) in sp.Poly(denominator, r).monoms()):
        return expr
    denominator = sp.factor(denominator.subs(r**2, square))
    return sp.factor(numerator) / denominator


def _sample(method):
    """A point inside every parameter's domain, for ordering expressions."""
    point = {method.curvature: sp.Rational(3, 2)}
    for p in method.parameters:
        inner = p.domain.intersect(sp.Interval(sp.Rational(1, 10), 1))
        point[p.symbol] = (inner.inf + inner.sup) / 2 if inner != sp.S.EmptySet else p.domain.inf + 1
    return point


# --------------------------------------------------------------------------- worst rate

@functools.cache
def disk_conditions(degree: int):
    """Jury's conditions for every root of a monic ``z^n + a_{n-1} z^{n-1} + ... + a_0`` in
    the unit disk, for generic coefficients ``a_k``, and whether each is linear in them.

    When every condition is linear, the coefficient vectors with all roots inside a disk
    of radius ``r`` (scale ``lambda = r z``) form a convex set: an intersection of
    half-spaces.  That holds up to degree 2 and fails from degree 3 (Jury's table then
    has products of coefficients).

    Examples
    --------
    >>> disk_conditions(2)[1], disk_conditions(3)[1]
    (True, False)
    """
    z = sp.Symbol("z")
    coefficients = sp.symbols(f"a_0:{degree}", real=True)
    monic = z**degree + sum(c * z**k for k, c in enumerate(coefficients))
    conditions = jury_conditions(monic, z)
    linear = all(sp.Poly(c, *coefficients).total_degree() <= 1 for c in conditions)
    return sp.Tuple(*conditions), linear


def maximum_at_the_ends(method: Method, polynomial) -> bool:
    """Whether the spectral radius is quasi-convex in the curvature, so that its maximum
    over an interval is at an end: every coefficient of ``p`` is affine in the curvature
    and Jury's conditions of ``p``'s degree are linear in the coefficients (degree <= 2).

    Examples
    --------
    >>> maximum_at_the_ends(builtin("gd"), lam - 1 + h), maximum_at_the_ends(builtin("gd"), lam**3 + h)
    (True, False)
    """
    coefficients = _coefficients(polynomial)
    affine = all(sp.degree(c, method.curvature) <= 1 for c in coefficients
                 if c.has(method.curvature))
    return len(coefficients) <= 3 and coefficients[0] == 1 and affine and \
        disk_conditions(len(coefficients) - 1)[1]


def worst_rate(method: Method, polynomial, roots, small, large):
    """The largest spectral radius over curvatures in ``[small, large]``, and its steps.

    ``roots``: the eigenvalues, whose largest modulus is the rate.  Every coefficient of
    ``p`` is affine in ``h`` (checked), and up to degree 2 the polynomials with all roots
    in a disk of radius ``r`` form a convex set of coefficients (Jury's conditions are
    linear in them).  So the curvatures with spectral radius below ``r`` form an
    interval, the radius is quasi-convex in ``h``, and its maximum over ``[small, large]``
    is at an end.  Returns ``None`` where this argument does not apply
    (:func:`maximum_at_the_ends`).

    Examples
    --------
    >>> a = sp.Symbol("alpha", positive=True)
    >>> worst_rate(builtin("gd"), lam - 1 + a * h, [1 - a * h], mu, L)[0]
    Max(Abs(L*alpha - 1), Abs(alpha*mu - 1))
    """
    if not maximum_at_the_ends(method, polynomial):
        return None
    curvature = method.curvature
    coefficients = _coefficients(polynomial)
    # Abs in its canonical form, so the value's srepr reads back as the same value; Max
    # unevaluated, as comparing the moduli pairwise decides nothing here and is slow.
    value = sp.Max(*(sp.Abs(r.xreplace({curvature: end}))
                     for end in (small, large) for r in roots), evaluate=False)
    steps = (
        Step(f"each coefficient of p is affine in {curvature} (its second derivative vanishes)",
             sp.Tuple(*(sp.diff(c, curvature, 2) for c in coefficients))),
        Step("with lambda = r z, every root has modulus below r exactly when the monic "
             "z^n + a_{n-1} z^{n-1} + ... + a_0 (a_k = p's coefficients over r^(n-k)) meets "
             "Jury's conditions, each linear in the a_k", disk_conditions(len(coefficients) - 1)[0]),
        Step(f"so for each r the curvatures with spectral radius below r are the {curvature} "
             "where an affine map lands in an intersection of half-planes: an interval. The "
             f"radius is quasi-convex in {curvature}, and over [{small}, {large}] it is largest "
             "at an end", equation(sp.Symbol("rho_max"), value)),
    )
    return value, steps


# --------------------------------------------------------------------------- tuning

def balanced_tuning(factor, step, small, large, curvature=h):
    """The step equalising ``|factor|`` at the two extreme curvatures of a one-state method.

    ``|1 - step h|`` is convex in ``h``, so its largest value over ``[small, large]`` is
    at an end; the maximum is least where ``factor(small) = -factor(large)``.

    Examples
    --------
    >>> a = sp.Symbol("alpha", positive=True)
    >>> balanced_tuning(1 - a * h, a, mu, L)[:2]
    (2/(L + mu), (L - mu)/(L + mu))
    """
    at_small, at_large = factor.subs(curvature, small), factor.subs(curvature, large)
    best = natural_form(linear_root(at_small + at_large, step))
    rate = sp.factor(at_small.subs(step, best))
    steps = (
        Step("|rho| is convex in the curvature, so its maximum is at an end of the range",
             sp.Max(sp.Abs(at_small), sp.Abs(at_large), evaluate=False)),   # as in worst_rate
        Step("the maximum is least where the two ends balance", equation(at_small, -at_large)),
        Step("solve for the step", equation(step, best)),
        Step("the common contraction factor there", equation(rho, rate)),
    )
    return best, rate, steps


def polyak_tuning(method: Method, polynomial, repeated, small, large):
    """Best (step, momentum) over curvatures in ``[small, large]`` when ``p(0)`` is free of ``h``.

    The product of the two roots is ``p(0)``, so the larger modulus is at least
    ``rho = sqrt(p(0))``, with equality exactly in the complex or repeated regime; every
    curvature is in that regime when the step lies in every curvature's band, and the
    smallest ``rho`` for which the bands of ``small`` and ``large`` overlap is the best.
    Returns ``{momentum: value, step: value}``, the rate and the steps.
    """
    step, curvature = method.step, method.curvature
    constant = _coefficients(polynomial)[-1]
    momentum = next(p.symbol for p in method.parameters if constant.has(p.symbol))
    in_rho = {momentum: sp.expand(linear_root(constant - rho**2, momentum))}
    low, high = (sp.factor(b.subs(in_rho)) for b in repeated)
    overlap = sp.factor(low.subs(curvature, small) / high.subs(curvature, large))
    squared_lhs, squared_rhs = sp.fraction(overlap)
    root_lhs, root_rhs = (sp.sqrt(side).subs(sp.Abs(rho - 1), 1 - rho)
                          for side in (squared_lhs, squared_rhs))
    feasible = linear_inequality(root_lhs - root_rhs, rho)
    rho_best = sp.factor(feasible.canonical.rhs)
    momentum_best = natural_form(in_rho[momentum].subs(rho, rho_best))
    step_best = natural_form(low.subs({curvature: small, rho: rho_best}))
    steps = (
        Step("the product of the roots is p(0), so max|lambda| >= sqrt(p(0)) = rho, with "
             "equality exactly in the complex or repeated regime", equation(momentum, in_rho[momentum])),
        Step("every curvature is in that regime when the step lies in every band; the "
             "extreme bands", sp.Tuple(low.subs(curvature, small), high.subs(curvature, large))),
        Step("the bands overlap when this ratio is at most 1", overlap),
        Step("both sides are squares of positive numbers for 0 < rho < 1; compare the roots",
             sp.Le(root_lhs, root_rhs, evaluate=False)),
        Step("solve for rho", feasible),
        Step("the smallest rho that allows it", equation(rho, rho_best)),
        Step("the smallest curvature sits on the lower repeated-eigenvalue step",
             equation(step, step_best)),
    ) + _no_better_tuning(polynomial, curvature, small, large, rho_best)
    return {momentum: momentum_best, step: step_best}, rho_best, steps


def _reaches_every_rate(method: Method, constant) -> bool:
    """Whether the momentum's domain holds the momentum of every rate ``0 <= rho < 1``,
    that is of ``p(0) = rho^2``: Polyak's optimum, whatever the range, is one of them.

    Examples
    --------
    >>> hb = builtin("heavy_ball"); m = hb.parameters[1].symbol
    >>> _reaches_every_rate(hb, m), _reaches_every_rate(replace(hb, parameters=(
    ...     hb.parameters[0], replace(hb.parameters[1], domain=sp.Interval(0, sp.S.Half)))), m)
    (True, False)
    """
    momentum = next(p for p in method.parameters if constant.has(p.symbol))
    if constant.free_symbols != {momentum.symbol} or sp.degree(constant, momentum.symbol) != 1:
        return True   # not a line in one momentum: left to polyak_tuning's own steps
    at = linear_root(constant - rho**2, momentum.symbol)
    ends = [at.subs(rho, 0), at.subs(rho, 1)]     # rho = 1 itself is not needed
    needed = sp.Interval(min(ends), max(ends), left_open=ends[0] > ends[1],
                         right_open=ends[1] > ends[0])
    return bool(needed.is_subset(momentum.domain))


def _no_better_tuning(polynomial, curvature, small, large, rho_best) -> tuple:
    """The steps showing that no tuning, in any regime, has a smaller worst radius than
    ``rho_best``, where ``p(1)`` is a multiple of the curvature (else none).

    With both roots in the disk of radius ``rho < 1``, ``p(1) = (1 - l1)(1 - l2)`` lies in
    ``[(1 - rho)^2, (1 + rho)^2]``; ``p(1) = c h`` at the two ends then bounds their ratio.
    """
    c = sp.cancel(polynomial.subs(lam, 1) / curvature)
    if c.has(curvature) or c == 0:
        return ()
    ratio = sp.sqrt(large) / sp.sqrt(small)
    least = linear_inequality(ratio * (1 - rho) - (1 + rho), rho).canonical.rhs  # rho >= least
    if sp.simplify(least - rho_best) != 0:
        return ()
    return (Step("no tuning does better, in any regime: p(1) = (1 - lambda_1)(1 - lambda_2) "
                 "lies in [(1 - rho)^2, (1 + rho)^2] when both roots have modulus at most rho, "
                 "and p(1) is c times the curvature", equation(sp.Symbol("p(1)"), c * curvature)),
            Step("so c times the largest curvature is at most (1 + rho)^2 and c times the "
                 "smallest at least (1 - rho)^2: their ratio is at most ((1 + rho)/(1 - rho))^2, "
                 "that is", sp.GreaterThan(rho, natural_form(least), evaluate=False)))


def linear_inequality(expr, var, strict=False):
    """``expr <= 0`` (``expr < 0`` when ``strict``) solved for ``var`` where ``expr`` is
    linear in it with a slope of known sign (``var >= -offset/slope`` for a negative
    slope); else by ``reduce_inequalities``.

    Examples
    --------
    >>> a, b = sp.symbols("a b", positive=True)
    >>> linear_inequality(a * (1 - rho) - b * (rho + 1), rho)
    rho >= (-a + b)/(-a - b)
    >>> linear_inequality(a * rho - b, rho, strict=True)
    rho < b/a
    """
    slope, offset = sp.Poly(expr, var).all_coeffs() if sp.degree(expr, var) == 1 else (0, 0)
    if slope != 0 and slope.is_negative:
        return (sp.Gt if strict else sp.Ge)(var, -offset / slope)
    if slope != 0 and slope.is_positive:
        return (sp.Lt if strict else sp.Le)(var, -offset / slope)
    return sp.reduce_inequalities([expr < 0 if strict else expr <= 0], var)


def critically_damped_tuning(method: Method, polynomial, momentum, small, large):
    """The momentum that makes the slowest mode (``h = small``) critically damped.

    The step is already fixed in ``polynomial`` (for Nesterov, ``1/L``).  Returns the
    momentum, the double root there (the rate, in ``small`` and ``large``) and the steps.
    """
    at_small = polynomial.subs(method.curvature, small)
    discriminant = sp.factor(sp.discriminant(at_small, lam))
    candidates = _roots_in(discriminant, momentum)
    domain = next(p.domain for p in method.parameters if p.symbol == momentum)
    probe = {small: 1, large: 4} if small.free_symbols else {large: 4 * small}
    value = in_square_roots(next(c for c in candidates if domain.contains(c.subs(probe)) == sp.true),
                            small, large)
    double_root = in_square_roots(-sp.Poly(at_small, lam).all_coeffs()[1].subs(momentum, value) / 2,
                                  small, large)
    constant = sp.factor(_coefficients(polynomial)[-1])
    steps = (
        Step("the characteristic polynomial at the smallest curvature", at_small),
        Step("its discriminant, which vanishes for a critically damped mode",
             equation(discriminant, 0)),
        Step(f"of the roots in {momentum}, the one in {describe_set(domain)}",
             equation(momentum, value)),
        Step("the double root there", equation(lam, double_root)),
        Step(f"a faster mode {method.curvature} > {small} has a smaller constant term p(0), hence complex roots "
             f"of modulus sqrt(p(0)) below the double root", equation(lam * sp.conjugate(lam), constant)),
    )
    return value, double_root, steps


NUMERIC_STARTS = 8
# The largest condition number for which the numerical tuning is trusted: on QHM it comes
# within 0.1% of the gap 1 - rho of Polyak's optimum at 10^4, and 40% short at 10^5.
NUMERIC_CONDITION = 10**4


def spectral_radius_function(method: Method, polynomial, small, large):
    """``x -> `` the worst spectral radius over ``[small, large]`` at parameters ``x``, in floats.

    The coefficients of ``p`` are lambdified once.  Where :func:`worst_rate` proves the
    maximum is at an end of the range (degree at most 2), each call takes the larger of the
    two ends' radii, from the quadratic formula; otherwise the largest eigenvalue modulus
    of the companion matrix on a grid of 201 curvatures.  Returns the function and a
    sentence saying which.

    Examples
    --------
    >>> gd = builtin("gd")
    >>> worst, _ = spectral_radius_function(gd, lam - 1 + gd.parameters[0].symbol * h, 1, 3)
    >>> worst([0.5])
    0.5
    """
    import numpy as np

    symbols = [p.symbol for p in method.parameters]
    coefficients = _coefficients(polynomial)[1:]
    if maximum_at_the_ends(method, polynomial):
        ends = sp.lambdify(symbols, [c.subs(method.curvature, end) for end in (small, large)
                                     for c in coefficients], "math")
        degree = len(coefficients)

        def worst(x):
            values = ends(*x)
            return max(_largest_root_modulus(values[k:k + degree])
                       for k in range(0, len(values), degree))

        return worst, "at the two ends of the range (worst_rate)"
    evaluate = sp.lambdify((symbols, method.curvature), coefficients, "numpy")
    curvatures = np.linspace(float(small), float(large), 201)
    degree = len(coefficients)
    shift = np.eye(degree, k=-1)

    def worst_on_grid(x):
        companion = np.broadcast_to(shift, (curvatures.size, degree, degree)).copy()
        companion[:, 0, :] = -np.array([np.broadcast_to(c, curvatures.shape)
                                        for c in evaluate(list(x), curvatures)], dtype=float).T
        return float(np.abs(np.linalg.eigvals(companion)).max())

    return worst_on_grid, ("on a grid of 201 curvatures across the range (no end-point proof "
                           "beyond degree 2)")


def _largest_root_modulus(coefficients):
    """The largest root modulus of ``z + c`` or ``z^2 + b z + c`` (``coefficients``: ``[c]`` or ``[b, c]``)."""
    if len(coefficients) == 1:
        return abs(coefficients[0])
    b, c = coefficients
    discriminant = b * b - 4 * c
    return (abs(b) + discriminant ** 0.5) / 2 if discriminant >= 0 else abs(c) ** 0.5


def nelder_mead(f, start, edges, iterations=3000, tolerance=1e-15):
    """The minimum of ``f`` found by Nelder and Mead's simplex search from ``start``.

    ``edges``: the first simplex is ``start`` and ``start`` plus each row of ``edges``.

    Examples
    --------
    >>> import numpy as np
    >>> x, value = nelder_mead(lambda x: (x[0] - 1) ** 2 + abs(x[1]), np.zeros(2), np.eye(2) / 2)
    >>> np.round(x, 6).tolist(), bool(value < 1e-12)
    ([1.0, 0.0], True)
    """
    import numpy as np

    simplex = np.vstack([start, start + edges])
    values = np.array([f(x) for x in simplex])
    for _ in range(iterations):
        order = np.argsort(values)
        simplex, values = simplex[order], values[order]
        if values[-1] - values[0] <= tolerance and np.ptp(simplex, axis=0).max() <= tolerance:
            break
        centroid = simplex[:-1].mean(axis=0)
        reflected = 2 * centroid - simplex[-1]
        reflected_value = f(reflected)
        if reflected_value < values[0]:
            expanded = 3 * centroid - 2 * simplex[-1]
            expanded_value = f(expanded)
            simplex[-1], values[-1] = ((expanded, expanded_value) if expanded_value < reflected_value
                                       else (reflected, reflected_value))
        elif reflected_value < values[-2]:
            simplex[-1], values[-1] = reflected, reflected_value
        else:
            towards = simplex[-1] if reflected_value >= values[-1] else reflected
            contracted = (centroid + towards) / 2
            contracted_value = f(contracted)
            if contracted_value < min(reflected_value, values[-1]):
                simplex[-1], values[-1] = contracted, contracted_value
            else:
                simplex[1:] = (simplex[0] + simplex[1:]) / 2
                values[1:] = [f(x) for x in simplex[1:]]
    best = int(np.argmin(values))
    return simplex[best], values[best]


def _from_unbounded(domain, scale):
    """A map from the real line onto ``domain`` (its closed ends reached) and a start's spread."""
    import numpy as np

    start, end = float(domain.inf), float(domain.sup)
    if np.isfinite(start) and np.isfinite(end):
        return lambda u: start + (end - start) * (1 + np.sin(u)) / 2
    if np.isfinite(start):
        return lambda u: start + u * u / scale
    if np.isfinite(end):
        return lambda u: end - u * u / scale
    return lambda u: u / scale


def disk_margin_function(method: Method, polynomial, small, large):
    """``(x, r) -> `` the smallest of Jury's conditions for every root inside the disk of
    radius ``r``, at both ends of ``[small, large]``, at parameters ``x``; ``None`` where
    :func:`worst_rate` does not apply.

    It is positive exactly when the worst spectral radius is below ``r``, and, unlike the
    radius, has no square-root cusp where roots coincide: Jury's conditions are linear in
    the coefficients up to degree 2 (:func:`disk_conditions`).

    Examples
    --------
    >>> gd = builtin("gd")
    >>> margin = disk_margin_function(gd, lam - 1 + gd.parameters[0].symbol * h, 1, 3)
    >>> margin([0.5], 0.6) > 0, margin([0.5], 0.4) > 0
    (True, False)
    """
    if not maximum_at_the_ends(method, polynomial):
        return None
    coefficients = _coefficients(polynomial)[::-1][:-1]       # c_0 .. c_{n-1}
    degree = len(coefficients)
    conditions, _ = disk_conditions(degree)
    generic = sp.symbols(f"a_0:{degree}", real=True)
    radius = sp.Symbol("r", positive=True)
    scaled = [sp.expand(c.subs({a: a / radius**(degree - k) for k, a in enumerate(generic)})
                        * radius**degree) for c in conditions]
    at_ends = [s.subs({a: c.subs(method.curvature, end) for a, c in zip(generic, coefficients)})
               for end in (small, large) for s in scaled]
    margins = sp.lambdify(([p.symbol for p in method.parameters], radius), at_ends, "math")
    return lambda x, r: min(margins(list(x), r))


def numeric_tuning(method: Method, polynomial, small, large, starts=NUMERIC_STARTS):
    """The parameters in their domains minimising the worst spectral radius over a numeric
    range ``[small, large]``, found numerically, the rate there, and the steps.

    Each parameter is written as a map of a free real ``u`` onto its domain (``sin`` onto
    an interval, ``u^2`` onto a half-line, the step scaled by ``1/large``); Nelder-Mead
    runs on the worst radius from ``starts`` seeded starting points.  Up to degree 2 a
    bisection on the radius ``r`` follows, each step asking Nelder-Mead for parameters
    with a positive :func:`disk_margin_function` (the radius itself has a square-root
    cusp at the optimum, where a simplex stalls).  The rate returned is the worst radius
    at the parameters returned.

    Examples
    --------
    >>> gd = builtin("gd")
    >>> values, rate, _ = numeric_tuning(gd, lam - 1 + gd.parameters[0].symbol * h, 1, 3)
    >>> values, rate
    ({alpha: 0.500000000000000}, 0.500000000000000)
    """
    import numpy as np

    worst, where = spectral_radius_function(method, polynomial, small, large)
    maps = [_from_unbounded(p.domain, float(large) if p.symbol == method.step else 1.0)
            for p in method.parameters]

    def point(u):
        return [m(v) for m, v in zip(maps, u)]

    rng = np.random.default_rng(0)
    size = len(maps)
    found = [nelder_mead(lambda u: worst(point(u)), rng.uniform(-1.5, 1.5, size),
                         np.eye(size) / 2, 600) for _ in range(starts)]
    u, high = min(found, key=lambda pair: pair[1])
    margin = disk_margin_function(method, polynomial, small, large)
    low = 0.0
    while margin is not None and high - low > 1e-12:
        middle = (low + high) / 2
        for scale in (0.05, 0.3, 0.01):
            turned, _ = np.linalg.qr(rng.standard_normal((size, size)))
            moved, negative_margin = nelder_mead(
                lambda v, r=middle: -margin(point(v), r), u, scale * turned, 400)
            if negative_margin < 0:
                break
        if negative_margin < 0:
            u, high = moved, middle
        else:
            low = middle
    values = {p.symbol: sp.Float(v, 15) for p, v in zip(method.parameters, point(u))}
    rate_best = sp.Float(worst(point(u)), 15)
    search = (f"Nelder-Mead from {starts} seeded starts" + (
        ", then a bisection on the radius r, each step seeking parameters where Jury's "
        "conditions for the disk of radius r hold at both ends" if margin else ""))
    steps = (
        Step(f"the worst spectral radius over [{small}, {large}] at given parameters, computed "
             f"{where}", sp.Symbol("rho_max")),
        Step(f"minimised over the parameters in their domains ({_domain_text(method)}) by "
             f"{search}", sp.Tuple(*(equation(k, v) for k, v in values.items()))),
        Step("the worst spectral radius there", equation(rho, rate_best)),
    )
    return values, rate_best, steps


def equivalence(first: Method, second: Method):
    """Whether ``second`` is a reparametrisation of ``first``, and the map.

    Their characteristic polynomials (same degree, same curvature) must match for every
    ``h`` and ``lambda``; the coefficients give equations for ``first``'s parameters in
    terms of ``second``'s.  Returns ``(map or None, steps)``.

    Examples
    --------
    >>> mapping, _ = equivalence(builtin("heavy_ball"), builtin("heavy_ball_ema"))
    >>> mapping
    {alpha: beta*eta, m: 1 - beta}
    """
    p, q = (characteristic_polynomial(state_matrix(m)[0])[0] for m in (first, second))
    curvature = first.curvature
    q = q.xreplace({second.curvature: curvature})
    difference = sp.Poly(sp.expand(p - q), lam, curvature)
    unknowns = [s.symbol for s in first.parameters]
    shared = {s.symbol for s in first.parameters} & {s.symbol for s in second.parameters}
    if shared:   # rename first's parameters so they cannot be confused with second's
        unknowns = [sp.Dummy(s.name, **s.assumptions0) for s in unknowns]
        p = p.xreplace(dict(zip((s.symbol for s in first.parameters), unknowns)))
        difference = sp.Poly(sp.expand(p - q), lam, curvature)
    equations = [sp.Eq(c, 0) for c in difference.coeffs()]
    fixed = [e for e in equations if not e.has(*unknowns)]
    steps = (Step("the two characteristic polynomials", sp.Tuple(p, q)),
             Step("they agree for every h and lambda when each coefficient of the difference "
                  "vanishes", sp.Tuple(*equations)))
    solutions = [] if fixed else _solutions(equations, unknowns) if unknowns else [{}]
    solutions = [s for s in solutions if all(e.subs(s) == sp.true or sp.simplify(
        e.lhs.subs(s) - e.rhs.subs(s)) == 0 for e in equations)]
    if not solutions:
        return None, steps + (Step("these have no solution: not a reparametrisation", sp.S.false),)
    mapping = {k: natural_form(v) for k, v in solutions[0].items()}
    if shared:  # back to the names; a parameter of the first left free keeps its own (a family)
        theirs = {s.symbol.name for s in second.parameters}
        free = {d: sp.Symbol(d.name + ("_1" if d.name in theirs else ""), **d.assumptions0)
                for d in unknowns}
        mapping = {sp.Symbol(k.name, **k.assumptions0): v.xreplace(free) for k, v in mapping.items()}
    return mapping, steps + (Step("solve for the first method's parameters",
                                   sp.Tuple(*(equation(k, v) for k, v in mapping.items()))),)


def _solutions(equations, unknowns):
    """``solve(equations, unknowns, dict=True)``; a linear system with one solution is
    solved by Gauss-Jordan elimination (``linsolve``), the same solution without
    ``solve``'s general search."""
    from sympy.solvers.solveset import NonlinearError

    try:
        found = sp.linsolve(equations, unknowns)
    except NonlinearError:
        found = None
    if isinstance(found, sp.FiniteSet) and len(found) == 1:
        (values,) = found
        if not any(v.has(*unknowns) for v in values):
            return [dict(zip(unknowns, values))]
    return sp.solve(equations, unknowns, dict=True)


# --------------------------------------------------------------------------- assembly

def engine_results(method: Method, curvature_range=(mu, L), tuning="auto", only=None):
    """Every result the engine derives for ``method``, as a dict name -> Result.

    ``tuning``: ``"auto"`` (one state: balanced step; two states with ``p(0)`` free of
    ``h``: Polyak's; ``nesterov``'s built-in: step 1/L and critical damping), or ``None``.
    ``only``: the names of the results wanted (a topic that reads a few of them); the
    others are not derived.  ``None`` derives them all.

    Examples
    --------
    >>> sorted(engine_results(builtin("gd"), only={"eigenvalues", "rate"}))
    ['eigenvalues', 'rate']
    """
    wanted = functools.partial(_asks, only)
    matrix, matrix_steps = state_matrix(method)
    results = {"state_matrix": Result(
        "state_matrix", f"One step of {method.title} on a quadratic mode of curvature "
        f"{method.curvature}: the new states are T times the old ones (error coordinates).",
        matrix, matrix_steps, lhs=sp.Symbol("T"))}
    polynomial, poly_steps = characteristic_polynomial(matrix)
    results["characteristic_polynomial"] = Result(
        "characteristic_polynomial", "The characteristic polynomial det(lambda I - T).",
        polynomial, poly_steps, lhs=sp.Symbol("p(lambda)"))
    degree = sp.degree(polynomial, lam)
    tuning_wanted = tuning == "auto" and wanted("optimal_parameters", "optimal_rate",
                                                 "transient_growth")
    tuned = tuning_wanted and method.step is not None
    roots = None
    if wanted("eigenvalues", "rate", "worst_rate") or (tuned and degree == 1):
        spectrum, roots = spectrum_results(method, polynomial, curvature_range, only)
        results.update(spectrum)
    constant = _coefficients(polynomial)[-1]
    polyak = tuned and degree == 2 and not constant.has(method.curvature, method.step) and \
        any(constant.has(p.symbol) for p in method.parameters) and \
        _reaches_every_rate(method, constant)  # a momentum left to choose, in its domain
    regimes = {}
    if degree == 2 and (polyak or wanted(
            "discriminant", "repeated_eigenvalue_learning_rates", "real_eigenvalue_range",
            "complex_eigenvalue_range")):
        regimes = quadratic_regimes(method, polynomial)
        results.update(regime_results(method, regimes))
    if degree == 2 and wanted("complex_eigenvalue_modulus") and \
            _sign(constant, _domains(method)) >= 0:     # p(0) < 0 everywhere: no complex regime
        modulus = sp.sqrt(sp.factor(constant))
        sign = _positive_part(sp.factor(constant), _domains(method))
        assumes = () if _nonnegative(constant, _domains(method)) else (sp.GreaterThan(sign, 0),)
        results["complex_eigenvalue_modulus"] = Result(
            "complex_eigenvalue_modulus", "In the complex regime both eigenvalues have "
            "this modulus." + (f" It assumes {sp.sstr(assumes[0])}: complex eigenvalues have "
                               "the product p(0) = |lambda|^2, so elsewhere there is no "
                               "complex regime." if assumes else ""), modulus,
            (Step("complex eigenvalues are conjugate, so |lambda|^2 = lambda_1 lambda_2 "
                  "= p(0)", equation(sp.Symbol("lambda_1") * sp.Symbol("lambda_2"), constant)),
             Step("take the square root", equation(rho, modulus))), lhs=rho,
            assumptions=assumes)
    if wanted("stability_region"):
        region, region_steps, undecided = stability_region(method, polynomial)
        var = method.step if method.step is not None else method.curvature
        where = (f" It assumes {sp.sstr(sp.And(*undecided))}, which the domains do not "
                 "decide; where that fails no value is stable." if undecided else "")
        results["stability_region"] = Result(
            "stability_region", f"The values of {var} for which every eigenvalue of T lies "
            f"inside the unit circle (the other parameters fixed in their domains).{where}",
            region, region_steps, lhs=var, assumptions=undecided)
    small, large = curvature_range
    if tuned:
        if degree == 1:
            best, rate_best, steps = balanced_tuning(roots[0], method.step, small, large,
                                                     method.curvature)
            results.update(_tuning_results({method.step: best}, rate_best, steps, small, large,
                                           one_state=True))
        elif polyak and "repeated" in regimes:
            values, rate_best, steps = polyak_tuning(
                method, polynomial, regimes["repeated"][0], small, large)
            results.update(_tuning_results(values, rate_best, steps, small, large))
            if wanted("transient_growth"):
                results["transient_growth"] = transient_growth(method, matrix, values,
                                                               rate_best, large)
        elif method.tuning == "critical":
            fixed = polynomial.subs(method.step, 1 / large)
            momentum = next(p.symbol for p in method.parameters if p.symbol != method.step)
            value, root, steps = critically_damped_tuning(method, fixed, momentum, small, large)
            rate_best = sp.factor(root)
            results.update(_tuning_results(
                {method.step: 1 / large, momentum: value}, rate_best,
                (Step(f"the step is 1/{large}", equation(method.step, 1 / large)),) + steps, small, large,
                statement=f"With the step fixed at 1/{large}, the momentum minimising the worst "
                f"spectral radius over curvatures in [{small}, {large}] (it makes the slowest "
                f"mode critically damped); the step itself is not optimised.",
                rate_note=" It is not the least over the step and the momentum together: a "
                "numerical tuning of both (the same updates with --update and --range as two "
                f"numbers) does better where {large} > {small}."))
    numeric_range = all(end.is_number for end in curvature_range)
    if tuning_wanted and numeric_range and "optimal_parameters" not in results \
            and method.parameters:
        if large / small > NUMERIC_CONDITION:
            raise MethodError(
                f"--range {small} {large}: the numerical tuning is trusted for a condition number "
                f"largest/smallest up to {NUMERIC_CONDITION} (beyond, the search stalls short of "
                f"the optimum); give a narrower range")
        values, rate_best, steps = numeric_tuning(method, polynomial, small, large)
        results.update(_tuning_results(values, rate_best, steps, small, large, numeric=True))
    return {name: result for name, result in results.items() if wanted(name)}


def _asks(only, *names) -> bool:
    """Whether ``only`` (result names, or ``None`` for all) asks for any of ``names``."""
    return only is None or not set(only).isdisjoint(names)


def spectrum_results(method: Method, polynomial, curvature_range, only=None):
    """The eigenvalues, and where the degree is at most 2 the rate and the worst rate over
    ``curvature_range`` (those of them ``only`` asks for), as a dict name -> Result; and
    the roots (``None`` where they are omitted).

    Examples
    --------
    >>> gd = builtin("gd")
    >>> polynomial = characteristic_polynomial(state_matrix(gd)[0])[0]
    >>> spectrum_results(gd, polynomial, (mu, L))[0]["rate"].value
    Abs(alpha*h - 1)
    """
    degree = sp.degree(polynomial, lam)
    roots, size = eigenvalues_in_radicals(polynomial)
    numerically = ("with --subs fixing every parameter and the curvature, the command line "
                   "adds {}, computed numerically (numeric_spectrum).")
    if roots is None:
        return {"eigenvalues": Result(
            "eigenvalues", f"The eigenvalues of T are the roots of p; in radicals one of them "
            f"has {size} operations, more than {RADICAL_OPERATIONS}, so they are omitted; "
            + numerically.format("them and the rate"),
            sp.ConditionSet(lam, equation(polynomial, 0), sp.S.Complexes),
            (Step("the roots of p(lambda) = 0", equation(polynomial, 0)),), lhs=lam)}, None
    if degree > 2:
        return {"eigenvalues": Result(
            "eigenvalues", "The eigenvalues of T, in radicals. Their largest modulus (the rate) "
            "is not written symbolically (SymPy cannot order moduli of nested radicals); "
            + numerically.format("it"), sp.FiniteSet(*roots),
            (Step("solve p(lambda) = 0", equation(polynomial, 0)),), lhs=lam)}, roots
    roots = [natural_form(r) if degree == 1 else r for r in roots]
    results = {"eigenvalues": Result(
        "eigenvalues", "The eigenvalues of T.", sp.FiniteSet(*roots),
        (Step("solve p(lambda) = 0", equation(polynomial, 0)),), lhs=lam)}
    if _asks(only, "rate"):
        rate = sp.Abs(roots[0]) if degree == 1 else sp.Max(*(sp.Abs(r) for r in roots))
        results["rate"] = Result(
            "rate", "The spectral radius of T: " + (
                "with one state T is this direction's factor, so the error in it is "
                "multiplied by it at every step." if degree == 1 else
                "the asymptotic rate of convergence (the error shrinks like rate^t up to a "
                "factor polynomial in t), not a bound on each step."),
            rate, (Step("the largest modulus of the eigenvalues", rate),), lhs=rho)
    largest = (worst_rate(method, polynomial, roots, *curvature_range)
               if _asks(only, "worst_rate") else None)
    if largest:
        small, large = curvature_range
        results["worst_rate"] = Result(
            "worst_rate", f"The largest spectral radius over curvatures {method.curvature} "
            f"in [{small}, {large}] for fixed parameters: a bound on the asymptotic rate of "
            "every quadratic with Hessian eigenvalues there, its rate where one of them is "
            "at the curvature that attains it. It is at an end of the range, as "
            "proved for characteristic polynomials of degree at most 2 with coefficients "
            "affine in the curvature (the engine gives it only for those).",
            largest[0], largest[1], lhs=sp.Symbol("rho_max"))
    return results, roots


def regime_results(method: Method, regimes) -> dict:
    """The discriminant and, where the eigenvalues can coincide, the step sizes of the
    real and complex regimes, as a dict name -> Result (from :func:`quadratic_regimes`)."""
    disc, disc_steps = regimes["discriminant"]
    results = {"discriminant": Result(
        "discriminant", "The discriminant of the characteristic polynomial.", disc,
        disc_steps, lhs=sp.Symbol("Delta"))}
    if "repeated" in regimes:
        assumes = regimes["assumes"]
        where = (f" It assumes {sp.sstr(assumes[0])}, where the discriminant vanishes at two "
                 "real steps (the domains do not decide it; elsewhere every step has real "
                 "eigenvalues)." if assumes else "")
        for name, statement, (value, steps) in (
                ("repeated_eigenvalue_learning_rates", "The step sizes at which the two "
                 "eigenvalues coincide.", (sp.FiniteSet(*regimes["repeated"][0]),
                                           regimes["repeated"][1])),
                ("real_eigenvalue_range", "The step sizes with real eigenvalues.",
                 regimes["real"]),
                ("complex_eigenvalue_range", "The step sizes with complex eigenvalues.",
                 regimes["complex"])):
            results[name] = Result(name, statement + where, value, steps, lhs=method.step,
                                   assumptions=assumes)
    return results


def in_square_roots(expr, small, large):
    """Tidy an expression in ``sqrt(small)``, ``sqrt(large)``: write them as squares, factor, undo.

    Examples
    --------
    >>> in_square_roots((L + mu - 2 * sp.sqrt(L * mu)) / (L - mu), mu, L)
    (sqrt(L) - sqrt(mu))/(sqrt(L) + sqrt(mu))
    >>> in_square_roots(1 - 2 * mu / (L + mu), mu, L)
    (L - mu)/(L + mu)
    """
    a, b = sp.Symbol("a", positive=True), sp.Symbol("b", positive=True)
    squares = {s: r**2 for s, r in ((small, a), (large, b)) if isinstance(s, sp.Symbol)}
    if not squares:
        return natural_form(expr)
    tidy = natural_form(sp.factor(expr.subs(squares)))
    back = natural_form(tidy.subs({r: sp.sqrt(s) for s, r in ((small, a), (large, b))}))
    plain = natural_form(sp.cancel(back))      # (L - mu)/(L + mu) where no root is left
    return plain if sp.count_ops(plain) < sp.count_ops(back) else back


def _tuning_results(values, rate_best, steps, small, large, statement=None, numeric=False,
                    one_state=False, rate_note=""):
    """The ``optimal_parameters`` and ``optimal_rate`` results of a tuning: ``values`` (symbol
    to value), its worst rate and the steps that found them.  With ``one_state`` the rate
    is a factor of every step (the distance shrinks by at least it); ``rate_note`` is added
    to the rate's statement."""
    if not numeric:
        values = {k: in_square_roots(v, small, large) for k, v in values.items()}
        rate_best = in_square_roots(rate_best, small, large)
    how = ", computed numerically (not a closed form)" if numeric else ""
    return {
        "optimal_parameters": Result(
            "optimal_parameters", statement or (
                f"The tuning for the least worst spectral radius over curvatures in [{small}, "
                f"{large}], computed numerically (not a closed form) by a search that may stop "
                f"short of the minimum: the least radius is at most its rate." if numeric else
                f"The tuning that minimises the worst spectral radius over curvatures in "
                f"[{small}, {large}]."),
            sp.Tuple(*(equation(k, v) for k, v in values.items())), steps),
        "optimal_rate": Result(
            "optimal_rate", f"The worst spectral radius over the curvatures at that tuning{how}: "
            + ("with one state it is a factor of every step: the distance to the minimiser "
               "shrinks by at least it each step." if one_state else
               "an asymptotic rate; the distance to the minimiser need not shrink by it at "
               "every step.") + rate_note, rate_best, steps, lhs=sp.Symbol("rho^*")),
    }


def _rest_state(method: Method):
    """The states at rest at ``w_0 = 1`` (error coordinates): buffers 0, history = w_0."""
    iterate = method.iterate
    return sp.Matrix([1 if _timed(s)[0] == iterate else 0 for s in method.states])


def _solve_for_curvature(expr, small):
    """The one root of ``expr = 0`` in ``small`` where ``expr``'s numerator is linear in
    ``small`` or in ``sqrt(small)``; else ``None``.

    Examples
    --------
    >>> _solve_for_curvature(rho - (sp.sqrt(L) - sp.sqrt(mu)) / (sp.sqrt(L) + sp.sqrt(mu)), mu)
    L*(rho - 1)**2/(rho + 1)**2
    """
    numerator = sp.fraction(sp.together(expr))[0]
    if not numerator.has(sp.sqrt(small)) and sp.degree(numerator, small) == 1:
        return linear_root(numerator, small)          # factored
    root = sp.Dummy("q", positive=True)
    numerator = sp.fraction(sp.together(expr.subs(sp.sqrt(small), root).subs(small, root**2)))[0]
    if sp.degree(numerator, root) != 1:
        return None
    return sp.factor(linear_root(numerator, root) ** 2)


def transient_growth(method: Method, matrix, values, rate_best, large) -> Result:
    """The first step's factor ``|w_1 - w*| / |w_0 - w*|`` from rest, at the tuning, for ``h = large``.

    At Polyak's tuning the largest curvature has a double root ``-rho``, and from rest
    the first step can move away from the minimiser: the spectral radius is an
    asymptotic rate, not a per-step factor.
    """
    start = _rest_state(method)
    row = next(k for k, s in enumerate(method.states) if _timed(s)[0] == method.iterate
               and _timed(s)[1] == 0)
    first = sp.factor((matrix * start)[row])
    at_tuning = first.subs(values).subs(method.curvature, large)
    cancelled = sp.cancel(at_tuning)      # cancel only where a parameter (dampening) drops out
    tuned = natural_form(cancelled if cancelled.free_symbols < at_tuning.free_symbols else at_tuning)
    small = next(iter(sorted(rate_best.free_symbols - large.free_symbols, key=str)), None)
    solved = _solve_for_curvature(rho - rate_best, small) if small is not None else None
    in_rate = (sp.factor(tuned.subs(small, solved).subs(sp.Abs(rho - 1), 1 - rho))
               if solved is not None else tuned)
    return Result(
        "transient_growth", "From rest (buffers 0, history at w_0" + (
            ": the recurrence's first step; torch.optim.SGD instead sets its buffer to the "
            "undamped gradient on its first step, the same only without dampening"
            if method.name == "heavy_ball_pytorch" else "") + "), the first step multiplies "
        "the error w - w^* in the direction of the largest curvature by this factor (signed) "
        "at the optimal tuning, rho being the optimal rate; its size exceeds 1 when the rate "
        "is above sqrt(2) - 1, so the worst-case distance first grows although the spectral "
        "radius is below 1.",
        in_rate,
        (Step("the state at rest", sp.Tuple(*start)),
         Step("the iterate after one step, as a multiple of w_0 - w^*", first),
         Step("at the tuning and the largest curvature", tuned),
         Step("written with the optimal rate rho", equation(rho, rate_best)),
         Step("eliminate the smallest curvature", in_rate)),
        assumptions=(sp.StrictLessThan(rho, 1),) if rho in in_rate.free_symbols else ())


def settling_time(matrix, start, row, epsilon):
    """The fewest ``T`` with ``|x_t| <= epsilon |x_0|`` for every ``t >= T``, where ``x_t``
    is entry ``row`` of ``matrix^t start`` (rational entries), and the steps that show it.

    ``x_t`` is a sum of ``c t^j lambda^t`` over the eigenvalues (``j`` below the
    multiplicity), so ``|x_t|`` is at most the envelope ``sum |c| t^j |lambda|^t``, which
    decreases past its terms' peaks ``t = j / log(1/|lambda|)``; from the first ``t`` past
    those where the envelope is at most ``epsilon |x_0|`` every iterate is within, and the
    iterates before it are computed exactly.  The spectral radius alone gives the fewest
    ``t`` with ``rho^t <= epsilon``, which a repeated or complex eigenvalue's transient
    can exceed.

    Examples
    --------
    >>> half = sp.Matrix([[sp.Rational(1, 2)]])
    >>> settling_time(half, sp.Matrix([1]), 0, sp.Rational(1, 8))[0]
    3
    >>> repeated = sp.Matrix([[0, 1], [-sp.Rational(1, 4), 1]])  # x_t = (1 + t) / 2^t from x_1 = 1
    >>> settling_time(repeated, sp.Matrix([1, 1]), 0, sp.Rational(1, 8))[0]
    6
    """
    t, lam = sp.Symbol("t", integer=True, nonnegative=True), sp.Symbol("lambda")
    if not all(entry.is_Rational for entry in list(matrix) + list(start)):
        raise ValueError("settling_time counts exactly for rational matrices and starts only")
    terms = [(value, j) for value, multiplicity in sp.roots(matrix.charpoly(lam).as_expr(),
                                                           lam).items()
             for j in range(multiplicity)]
    iterates, state = [], start
    for _ in terms:
        iterates.append(state[row])
        state = matrix * state
    powers = sp.Matrix([[k**j * value**k for value, j in terms] for k in range(len(terms))])
    solution = [sp.expand(sp.radsimp(c)) for c in powers.LUsolve(sp.Matrix(iterates))]
    parts = [(c, value, j) for c, (value, j) in zip(solution, terms) if c != 0]
    if any(sp.Abs(value) >= 1 for _, value, _ in parts):
        raise ValueError("the iterates do not converge: an eigenvalue they involve has "
                         "modulus at least 1")
    closed = sum(sum(c * t**j for c, other, j in parts if other == value) * value**t
                 for value in dict.fromkeys(value for _, value, _ in parts))
    envelope = sum(sp.Abs(c) * t**j * sp.Abs(value)**t for c, value, j in parts)
    bound = epsilon * abs(start[row])
    peak = max([int(sp.ceiling(j / sp.log(1 / sp.Abs(value)))) for _, value, j in parts] + [0])
    sizes = [(float(sp.Abs(c)), j, float(sp.Abs(value))) for c, value, j in parts]
    horizon = peak
    while sum(c * horizon**j * r**horizon for c, j, r in sizes) > float(bound) * (1 - 1e-9):
        horizon += 1                                   # found in floats, then confirmed exactly
    while sp.StrictGreaterThan(envelope.subs(t, horizon), bound) == sp.true:
        horizon += 1
    numbers = [[Fraction(int(e.p), int(e.q)) for e in matrix.row(i)] for i in range(matrix.rows)]
    state, last = [Fraction(int(e.p), int(e.q)) for e in start], None
    for k in range(horizon):
        if abs(state[row]) > bound:
            last = k
        state = [sum(a * b for a, b in zip(line, state)) for line in numbers]
    first = 0 if last is None else last + 1
    x_t = sp.Symbol("x_t")
    return first, (
        Step("the eigenvalues", sp.Tuple(*dict.fromkeys(value for value, _ in terms))),
        Step("x_t from the first iterates", equation(x_t, closed)),
        Step("|x_t| is at most the envelope, decreasing from t = %d" % peak, envelope),
        Step("which is at most epsilon |x_0| from t = %d on" % horizon, bound),
        Step("the iterates before, exactly: the last above epsilon |x_0| is at t",
             sp.Integer(-1 if last is None else last)),
        Step("so the error stays within epsilon |x_0| from", sp.Integer(first)))


def _parameters(method: Method, curvature_range=(mu, L)):
    extra = [Parameter(method.curvature, "a curvature (Hessian eigenvalue)", POSITIVE)]
    extra += [Parameter(s, m, POSITIVE) for s, m in zip(
        curvature_range, ("smallest curvature (strong convexity)",
                          "largest curvature (smoothness)")) if isinstance(s, sp.Symbol)]
    return tuple(method.parameters) + tuple(extra)


def curvature_range_for(method: Method, names=None) -> tuple:
    """The smallest and largest curvature: ``names``, else ``mu, L``, else ``h_min, h_max``
    where the method has a parameter called ``mu`` or ``L``.  Two numbers (``["1", "100"]``)
    give a numeric range, for which a method without a closed-form tuning is tuned
    numerically.

    Examples
    --------
    >>> curvature_range_for(builtin("nesterov_pytorch"))
    (h_min, h_max)
    >>> curvature_range_for(builtin("qhm"), ["1", "1e2"])
    (1, 100)
    """
    taken = {p.name for p in method.parameters} | {method.curvature.name}
    if names:
        numbers = [_number_or_none(n) for n in names]
        if all(n is not None for n in numbers):
            return _numeric_range(*numbers)
        if any(n is not None for n in numbers):
            raise MethodError(f"--range {' '.join(names)} mixes a number and a name; give two "
                              f"names (mu L) or two numbers (1 100)")
        clash = taken & set(names)
        if clash:
            raise MethodError(f"--range names {', '.join(sorted(clash))}, already a parameter of "
                              f"the method; choose other names")
        return tuple(sp.Symbol(n, positive=True) for n in names)
    return (mu, L) if not taken & {"mu", "L"} else sp.symbols("h_min h_max", positive=True)


def _number_or_none(text):
    """The number ``text`` writes, or ``None`` where it is a name (an identifier)."""
    from .core import parse_number
    if str(text).isidentifier():
        return None
    try:
        return parse_number(str(text), "--range")
    except ValueError as error:
        raise MethodError(str(error)) from None


def _numeric_range(small, large):
    if not 0 < small < large:
        raise MethodError(f"--range {small} {large}: the curvatures must satisfy 0 < smallest < "
                          f"largest; give them in that order, like --range 1 100")
    return small, large


def derive_method(method: Method, curvature_range=None) -> Derivation:
    """The engine's derivation of ``method``.

    Examples
    --------
    >>> derive_method(builtin("nesterov"))["stability_region"].value
    Interval.open(0, 2*(beta + 1)/(h*(2*beta + 1)))
    """
    return _derive_cached(method, tuple(curvature_range or curvature_range_for(method)))


@functools.lru_cache(maxsize=64)
def _derive_cached(method, curvature_range):
    results = engine_results(method, curvature_range)
    constraints = (sp.LessThan(*curvature_range),) if all(
        isinstance(s, sp.Symbol) for s in curvature_range) else ()
    return Derivation(
        "method", method.title, tuple(results.values()), _parameters(method, curvature_range),
        constraints=constraints,
        notation={"lambda": "an eigenvalue of T", "rho": "a spectral radius",
                  "T": "the state-transition matrix", "g": "the gradient"})


@functools.cache
def builtin_derivation(name: str):
    """``derive(**overrides)`` of a built-in, kept in the on-disk cache like every topic.

    Examples
    --------
    >>> builtin_derivation("gd")(alpha="1/2")["eigenvalues"].value
    {1 - h/2}
    """
    builtin(name)   # refuse an unknown name before building anything

    def build() -> Derivation:
        return derive_method(builtin(name))

    build.__name__ = build.__qualname__ = f"derive_{name}"
    build.__doc__ = f"The engine's derivation of the built-in {name}."
    return derivation(build)


def derive(**overrides) -> Derivation:
    """Your own method: the sheet's EMA heavy ball unless another method is chosen.

    Examples
    --------
    >>> derive()["stability_region"].value
    Interval.open(0, 2*(2 - beta)/(beta*h))
    """
    return builtin_derivation("heavy_ball_ema")(**overrides)


def numeric_spectrum(built: Derivation) -> Derivation:
    """``built`` with the rate (and eigenvalues whose radicals were omitted) computed
    numerically, where the engine gives no symbolic rate (degree above 2) and the values
    given fix every symbol of the characteristic polynomial; else ``built`` unchanged.

    Examples
    --------
    >>> three = method_from_latex([r"u_{t+1} = \\frac{1}{2} u_t + g_t",
    ...     r"v_{t+1} = \\frac{1}{2} v_t + u_{t+1}", r"w_{t+1} = w_t - \\alpha v_{t+1}"])
    >>> numeric_spectrum(derive_method(three).with_values({"alpha": "1/10", "h": "1"}))["rate"].value
    0.835...
    """
    polynomial = built["characteristic_polynomial"].value
    if "rate" in built or polynomial.free_symbols - {lam}:
        return built
    roots = sp.Poly(polynomial, lam).nroots(n=15)
    rate = sp.Max(*(sp.Abs(r) for r in roots))
    steps = (Step("the roots of p(lambda) = 0 at the values given, computed numerically",
                  sp.FiniteSet(*roots)), Step("the largest modulus", rate))
    computed = (Result("rate", "The spectral radius of T at the values given, computed "
                       "numerically: the asymptotic rate of convergence, not a bound on each "
                       "step.", rate, steps, lhs=rho),)
    if isinstance(built["eigenvalues"].value, sp.ConditionSet):
        computed = (Result("eigenvalues", "The eigenvalues of T at the values given, computed "
                           "numerically (their radicals are omitted).", sp.FiniteSet(*roots),
                           steps[:1], lhs=lam),) + computed
    kept = tuple(r for r in built.results if r.name not in ("eigenvalues", "rate"))
    at = built.names.index("eigenvalues")
    return replace(built, results=kept[:at] + (built["eigenvalues"],) * (len(computed) == 1)
                   + computed + kept[at:])


# --------------------------------------------------------------------------- command line

HELP = r"""
Updates are LaTeX equations, one per --update, in order: a state at t+1 on the left
(w_{t+1}, b_{t+1}) or a point at time t (y_t); on the right, states at t (or t+1 once
updated, or t-1: history becomes a state), parameters, and the gradient g_t (at the
iterate w_t) or g(y_t) at any linear combination of states.  On a quadratic each
eigendirection has g(v) = h v (h: --curvature).  The step size is alpha, eta, gamma or lr
(positive); other parameters lie in [0, 1) unless a --file gives their domains.

examples:
  python -m derivations.method --update 'b_{t+1} = \mu b_t + g_t' \
      --update 'w_{t+1} = w_t - \alpha b_{t+1}' --json
  python -m derivations.method --update 'y_t = w_t + \beta (w_t - w_{t-1})' \
      --update 'w_{t+1} = y_t - \alpha g(y_t)' --only stability_region
  python -m derivations.method --name nesterov --latex
  python -m derivations.method --file my_method.toml
A --file is TOML: updates = ["...", "..."], and optionally name, title, step,
curvature, range = ["mu", "L"], [domains] alpha = "(0, oo)", beta = "[0, 1)", and
[meanings] alpha = "step size"; any other field, or text with control characters, is refused.

Curvature range: --range MU L names the smallest and largest curvature (default mu L;
h_min h_max when the method has a parameter mu or L); worst_rate (the largest spectral
radius over it, at an end of the range: proved for up to two states) and the tuning
use it.  Where no closed-form tuning applies (qhm, triple_momentum, most methods of your
own), give the range as numbers and the tuning is computed numerically (a minimum over
every parameter in its domain, said to be numerical; trusted up to largest/smallest =
10^4, beyond which it is an error):
  python -m derivations.method --name qhm --range 1 100 --only optimal_parameters optimal_rate
Eigenvalues of three and four states are given in radicals when each has at most 200
operations, else omitted; with --subs fixing every parameter and h the rate (and omitted
eigenvalues) is computed numerically: --subs alpha=1/10 h=1.
"""


# The results that choose parameters: with one of those fixed they are derived again.
TUNED = ("optimal_parameters", "optimal_rate", "transient_growth")


def with_fixed(method: Method, values: dict) -> Method:
    """``method`` with the parameters in ``values`` (symbol -> number) fixed: put into its
    updates, no longer parameters.  A fixed step leaves the stability region to be solved
    for the curvature and nothing to tune with it; the built-in Nesterov tuning (the step
    1/L, the momentum chosen) needs both, so with either fixed the engine tunes what is
    left as any method.

    Examples
    --------
    >>> m = builtin("heavy_ball").parameters[1].symbol
    >>> half = with_fixed(builtin("heavy_ball"), {m: sp.Rational(1, 2)})
    >>> half.updates[-1].rhs, [p.name for p in half.parameters]
    (-alpha*g_t + 3*w_t/2 - w_{t-1}/2, ['alpha'])
    """
    fixed = {p.symbol: values[p.symbol] for p in method.parameters if p.symbol in values}
    if not fixed:
        return method
    return replace(method, title=f"{method.title}, {_assignments(fixed)}",
                   updates=tuple(sp.Eq(u.lhs, sp.expand(u.rhs.xreplace(fixed)), evaluate=False)
                                 for u in method.updates),
                   parameters=tuple(p for p in method.parameters if p.symbol not in fixed),
                   step=None if method.step in fixed else method.step, tuning="auto")


def _assignments(values: dict) -> str:
    """``"m = 1/2, alpha = 1/10"``."""
    return ", ".join(f"{symbol} = {value}" for symbol, value in values.items())


def at_values(built: Derivation, values: dict, method: Method | None = None,
              curvature_range=(mu, L)) -> Derivation:
    """``built`` (the derivation of ``method``, by default the topic's EMA heavy ball) at
    the ``--subs`` values; where they fix a parameter the tuning chooses, its results
    (:data:`TUNED`) are those of the method with it fixed, tuning the others over the
    range (numerically where the values fix its ends to numbers), and left out where that
    has no tuning.

    Examples
    --------
    >>> hb = builtin("heavy_ball")
    >>> at = at_values(derive_method(hb), {"m": "0", "mu": "1", "L": "100"}, hb)
    >>> at["optimal_parameters"].value, at["optimal_rate"].value       # gradient descent's
    ((Eq(alpha, 2/101),), 99/101)
    """
    method = method or builtin("heavy_ball_ema")
    given = built.with_values(values)
    fixed = {p.symbol: given.values[p.symbol] for p in method.parameters
             if p.symbol in given.values}
    if not fixed or not any(name in given.names for name in TUNED):
        return given
    ends = tuple(given.values.get(end, end) for end in curvature_range)
    names = {str(symbol) for symbol in (*fixed, *curvature_range)}
    reduced = with_fixed(method, fixed)
    retuned = derive_method(reduced, ends).with_values(
        {key: value for key, value in values.items() if getattr(key, "name", key) not in names})
    shown = _assignments(fixed)
    why = (f"with {shown} fixed no parameter is left to tune" if not reduced.parameters else
           f"with {shown} fixed the tuning of the rest is numerical, and this result is "
           f"derived at a closed-form tuning only" if "optimal_parameters" in retuned.names else
           f"with {shown} fixed the engine has no tuning of the rest over [{ends[0]}, "
           f"{ends[1]}]; give the range as two numbers (--range 1 100, or --subs of its "
           f"ends) for a numerical one")
    return replace(given, results=tuple(
        retuned[r.name] if r.name in TUNED else r for r in given.results
        if r.name not in TUNED or r.name in retuned.names), left_out={
        **given.left_out, **retuned.left_out,
        **{name: why for name in TUNED if name in given.names and name not in retuned.names}})


def with_curvature(method: Method, name: str) -> Method:
    """``method`` with its curvature named ``name``, which must not be a parameter's name.

    Examples
    --------
    >>> with_curvature(builtin("gd"), "k").curvature
    k
    >>> with_curvature(builtin("gd"), "alpha")
    Traceback (most recent call last):
    ...
    derivations.method.MethodError: curvature == 'alpha' is a parameter of the updates; name the curvature otherwise, e.g. h
    """
    if name in {p.name for p in method.parameters}:
        raise MethodError(f"curvature == {name!r} is a parameter of the updates; name the "
                          f"curvature otherwise, e.g. h")
    return replace(method, curvature=sp.Symbol(name, positive=True))


def method_from_file(path) -> tuple[Method, tuple]:
    """A method from a TOML file (see ``HELP``) and its curvature range."""
    import tomllib          # only for --file: not on every start

    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MethodError(f"--file {path}: {error}") from None
    for key, value in data.items():
        if key not in FILE_FIELDS:
            raise MethodError(f"--file {path}: {key!r} is not a field of a method file; use "
                              f"{', '.join(FILE_FIELDS)}")
        kind, holds = FILE_FIELDS[key]
        if not holds(value):
            raise MethodError(f"--file {path}: {key} == {value!r} must be {kind}; see "
                              f"--help for an example")
    domains = {k: _read_domain(k, v) for k, v in data.get("domains", {}).items()}
    method = method_from_latex(data.get("updates", []), data.get("name", "custom"),
                               data.get("title", "A linear method"), domains,
                               data.get("meanings"), data.get("step"))
    if "curvature" in data:
        method = with_curvature(method, data["curvature"])
    return method, tuple(data["range"]) if "range" in data else None


def _text(value) -> bool:
    """A string to print back: no escape sequences, no NUL."""
    return isinstance(value, str) and value.isprintable()


# The fields of a method file: what each holds, and the test of it (see ``HELP``).
TEXT = "a string of printable characters"
FILE_FIELDS = {
    **{name: (TEXT, _text) for name in ("name", "title", "step", "curvature")},
    "updates": ("a list of strings of printable characters",
                lambda v: isinstance(v, list) and all(map(_text, v))),
    **{name: ("a table of such strings",
              lambda v: isinstance(v, dict) and all(map(_text, [*v, *v.values()])))
       for name in ("domains", "meanings")},
    "range": ("a list of two names or numbers",
              lambda v: isinstance(v, list) and len(v) == 2 and all(
                  isinstance(e, (str, int, float)) and not isinstance(e, bool) for e in v)),
}


def _read_domain(name, text):
    match = re.fullmatch(r"\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*", str(text))
    if not match:
        raise MethodError(f"domain of {name} == {text!r} is not an interval; write it like "
                          f"'(0, oo)' or '[0, 1)'")
    ends = [sp.oo if e in ("oo", "inf") else -sp.oo if e in ("-oo", "-inf")
            else cli_number(e, name) for e in match.group(2, 3)]
    closed = [end for end, bracket in zip(ends, (match[1], match[4])) if bracket in "[]"]
    if any(end.is_infinite for end in closed):
        raise MethodError(f"domain of {name} == {text!r} is closed at an infinite end; write "
                          f"'(' or ')' there, e.g. '(-oo, oo)'")
    domain = sp.Interval(*ends, match[1] == "(", match[4] == ")")
    if domain.is_empty:
        raise MethodError(f"domain of {name} == {text!r} holds no value; write its smaller end "
                          f"first, e.g. '(0, 1)'")
    return domain


def cli_number(text, name):
    from .core import parse_number
    return parse_number(text, name)


def _method_of(args):
    if sum(map(bool, (args.update, args.name, args.file))) > 1:
        raise MethodError("give one of --update, --name and --file")
    curvature_range = None
    if args.file:
        method, curvature_range = method_from_file(args.file)
    elif args.update:
        method = method_from_latex(args.update, step=args.step)
    else:
        method = builtin(args.name or "heavy_ball_ema")
    if args.curvature:
        method = with_curvature(method, args.curvature)
    return method, curvature_range_for(method, args.range or curvature_range)


@command
def main(argv=None) -> int:
    """``python -m derivations.method``: derive a built-in or your own method (see ``HELP``)."""
    parser = cli.ArgumentParser(prog="python -m derivations.method", description=(
        "Derive the stability region, regimes, rate and tuning of a linear method."),
        epilog=HELP, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="append", default=[], metavar="LATEX",
                        help="one update of your method (repeat, in order)")
    parser.add_argument("--name", metavar="NAME", help=f"a built-in: {', '.join(BUILTINS)}")
    parser.add_argument("--file", metavar="TOML", help="a method in a TOML file")
    parser.add_argument("--step", metavar="NAME", help="the step-size parameter")
    parser.add_argument("--curvature", metavar="NAME", help="the curvature's name (default h)")
    parser.add_argument("--range", nargs=2, metavar=("MU", "L"),
                        help="the smallest and largest curvature: two names (default mu L) "
                        "or two numbers (1 100: numerical tuning where no closed form exists)")
    cli.add_output_options(parser)
    args = cli.parse_with_check(parser, argv)
    try:
        method, curvature_range = _method_of(args)
        default = (not (args.update or args.file or args.curvature or args.range)
                   and curvature_range == curvature_range_for(method))
        built = builtin_derivation(method.name)() if default else \
            derive_method(method, curvature_range)
    except (ValueError, ArithmeticError) as error:
        return fail(error)
    except sp.polys.polyerrors.BasePolynomialError as error:  # sin(w_t), alpha^(10^10)
        return fail(f"the updates must be linear in the states and the gradient, with "
                    f"polynomial coefficients; SymPy could not read them so ({error})")
    rest = [f"--{args.form}"] + (["--standalone"] if args.standalone else [])
    rest += (["--subs", *args.subs] if args.subs else []) + (["--only", *args.only] if args.only else [])
    rest += (["--check", *args.check] if args.check else []) + (
        ["--no-reveal"] if args.no_reveal else [])
    return cli.main(lambda **values: numeric_spectrum(at_values(
        built, values, method, curvature_range)), rest, prog=parser.prog)


if __name__ == "__main__":
    raise SystemExit(main())
