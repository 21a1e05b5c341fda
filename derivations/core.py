"""Core types of a derivation: steps, results, parameters and the derivation itself.

A topic module builds a :class:`Derivation` from its model with SymPy operations.
Each :class:`Result` carries the steps that produced it, so that the renderers can
print the derivation and the tests can compare the value with a closed form and
with a simulation.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import sympy as sp

from . import plain_data

__all__ = [
    "POSITIVE",
    "Step",
    "Result",
    "Parameter",
    "Derivation",
    "equation",
    "matrix_symbol",
    "matrix_derivative",
    "positive_roots",
    "in_exp",
    "limits_at_infinity",
    "real_zeros",
    "parse_number",
    "parse_value",
    "describe_set",
    "interval_from_inequalities",
    "linear_root",
    "derivation",
    "is_cached",
]

# The domain of a parameter the model says is positive.
POSITIVE = sp.Interval.open(0, sp.oo)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a short sentence and the SymPy object it produces.

    Examples
    --------
    >>> import sympy as sp
    >>> Step("differentiate the loss", sp.Symbol("w") ** 2).text
    'differentiate the loss'
    """

    text: str
    expr: sp.Basic

    def _repr_markdown_(self) -> str:
        from . import render
        return render.markdown_step(self)

    def _repr_latex_(self) -> str:
        from . import render
        return render.notebook_latex(self)


@dataclass(frozen=True)
class Result:
    """A derived result.

    Parameters
    ----------
    name : str
        Stable snake_case name; scripts select results by it.
    statement : str
        One sentence saying what the value is.
    value : sympy object
        Expression, Relational, Matrix, Tuple, Interval/Union or FiniteSet.
    steps : tuple of Step
        The derivation, in order.
    lhs : sympy object, optional
        What the value is the value *of* (``eta^*``, ``R``); rendered as
        ``lhs = value`` or, for sets, ``lhs \\in value``.
    assumptions : tuple of sympy Relational
        Conditions, beyond the symbols' declared facts, under which the value holds.
    order_in : sympy Symbol, optional
        The variable in which the statement also asks for the value's order of growth
        (a rate asked as ``O(1/sqrt(T))``: ``T``); the checker then takes an order in it
        as an answer.
    chooses : tuple of sympy Symbol
        The parameters an optimal tuning chooses (``beta``, ``eta``): a value given to one
        of them asks another question, and the result is left out.

    Examples
    --------
    >>> import sympy as sp
    >>> r = Result("half", "One half.", sp.S.Half)
    >>> r.value
    1/2
    """

    name: str
    statement: str
    value: sp.Basic
    steps: tuple[Step, ...] = ()
    lhs: sp.Basic | None = None
    assumptions: tuple[sp.Basic, ...] = ()
    order_in: sp.Symbol | None = None
    chooses: tuple[sp.Symbol, ...] = ()

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"name == {self.name!r}, must be snake_case; rename the result")
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "value", _immutable(self.value))

    def subs(self, values: dict[sp.Symbol, sp.Basic]) -> "Result":
        """The result with ``values`` substituted into its value (steps stay general).

        Examples
        --------
        >>> import sympy as sp
        >>> x = sp.Symbol("x")
        >>> Result("double", "Twice x.", 2 * x).subs({x: 3}).value
        6
        """
        if not values:
            return self
        return replace(self, value=_immutable(self.value.subs(values)))

    def _repr_markdown_(self) -> str:
        from . import render
        return render.markdown_result(self)

    def _repr_latex_(self) -> str:
        from . import render
        return render.notebook_latex(self)


@dataclass(frozen=True)
class Parameter:
    """A model parameter: its symbol, its meaning and the set of values the model allows.

    Examples
    --------
    >>> import sympy as sp
    >>> beta = Parameter(sp.Symbol("beta", positive=True), "momentum weight",
    ...                  sp.Interval.Lopen(0, 1))
    >>> beta.validate(sp.Rational(1, 2))
    1/2
    """

    symbol: sp.Symbol
    meaning: str
    domain: sp.Set = sp.Reals

    @property
    def name(self) -> str:
        return self.symbol.name

    def validate(self, value) -> sp.Basic:
        """Return ``value`` as a SymPy number, or raise ``ValueError`` naming the constraint."""
        number = parse_value(value, self.name) if isinstance(value, str) else sp.sympify(value)
        if number.free_symbols:
            return number  # symbolic values pass until their facts are known
        if self.domain.contains(number) is sp.false:
            raise ValueError(
                f"{self.name} == {value}, must lie in {describe_set(self.domain)} "
                f"({self.meaning}); choose a value in that range"
            )
        return number


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE](?P<exponent>[+-]?\d+))?(/[+-]?\d+)?")

# Limits on a value typed on the command line: its length, and the size of the numbers
# in it as a power of ten (10^100 and 10^-100 pass, 1e999999999 does not).
VALUE_LENGTH = 100
MAGNITUDE = 100


def parse_number(text: str, name: str = "value") -> sp.Rational:
    """Read a decimal or a fraction exactly, never by evaluating the text.

    Examples
    --------
    >>> parse_number("0.1")
    1/10
    >>> parse_number("3/2")
    3/2
    >>> parse_number("1e-3")
    1/1000
    """
    text = text.strip()
    match = _NUMBER.fullmatch(text)
    if not match or len(text) > VALUE_LENGTH:
        raise ValueError(
            f"{name} == {_shorten(text)!r} is not a number; give a decimal or a fraction "
            f"such as 0.1 or 1/10 (at most {VALUE_LENGTH} characters)")
    if match["exponent"] and abs(int(match["exponent"])) > MAGNITUDE:
        raise ValueError(f"{name} == {text!r} has an exponent beyond 10^±{MAGNITUDE}; "
                         f"give a number between 10^-{MAGNITUDE} and 10^{MAGNITUDE}")
    numerator, _, denominator = text.partition("/")
    if denominator and Fraction(denominator) == 0:
        raise ValueError(f"{name} == {text!r} divides by zero; give a non-zero denominator")
    fraction = Fraction(numerator) / Fraction(denominator or 1)
    return sp.Rational(fraction.numerator, fraction.denominator)


_FUNCTIONS = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log}
_CONSTANTS = {"pi": sp.pi, "e": sp.E}
_OPERATORS = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
              ast.Div: lambda a, b: a / b, ast.Pow: sp.Pow}


def parse_value(text: str, name: str = "value") -> sp.Expr:
    """Read an exact value: numbers, ``+ - * / ^ **``, parentheses, sqrt, exp, log, pi, e.

    The text is parsed into a syntax tree and each node is built with SymPy; nothing is
    evaluated as Python.  Decimals are exact (``0.1`` is 1/10).  The text has at most
    ``VALUE_LENGTH`` characters and every number and power stays within
    ``10^±MAGNITUDE``.

    Examples
    --------
    >>> parse_value("sqrt(1/20)")
    sqrt(5)/10
    >>> parse_value("5^(1/2)") == parse_value("sqrt(5)")
    True
    >>> parse_value("2**2**64")
    Traceback (most recent call last):
    ...
    ValueError: value == '2**2**64' holds a number beyond 10^±100 (2**18446744073709551616); give smaller numbers
    """
    text = text.strip()
    if len(text) > VALUE_LENGTH:
        raise ValueError(f"{name} == {_shorten(text)!r} is longer than {VALUE_LENGTH} characters; "
                         f"give a shorter value")
    source = text.replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        tree = None
    if tree is None or not text:
        raise ValueError(f"{name} == {text!r} is not a number; give a decimal, a fraction or an "
                         f"exact expression such as 0.1, 1/20, sqrt(5) or 5^(1/2)")
    return _ExactValue(source, text, name).build(tree.body)


class _ExactValue:
    """Builds a SymPy number from the syntax tree of :func:`parse_value`'s text."""

    def __init__(self, source, text, name):
        self.source, self.text, self.name = source, text, name

    def refuse(self, what):
        raise ValueError(f"{self.name} == {self.text!r} is not a number: {what} is not allowed; "
                         f"use numbers, + - * / ^, parentheses, {', '.join(_FUNCTIONS)}, pi and e")

    def build(self, node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return parse_number(ast.get_source_segment(self.source, node), self.name)
        if isinstance(node, ast.Name):
            if node.id not in _CONSTANTS:
                self.refuse(f"the name {node.id!r}")
            return _CONSTANTS[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = self.build(node.left), self.build(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ValueError(f"{self.name} == {self.text!r} divides by zero; "
                                 f"give a non-zero denominator")
            if isinstance(node.op, ast.Pow):
                self.bound(left, right)
            return self.bounded(_OPERATORS[type(node.op)](left, right))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in _FUNCTIONS and len(node.args) == 1 and not node.keywords):
            return self.bounded(_FUNCTIONS[node.func.id](self.build(node.args[0])))
        return self.refuse(f"{ast.get_source_segment(self.source, node)!r}")

    def bound(self, base, exponent):
        """Refuse a power whose value would be beyond the limit before SymPy computes it."""
        size = sp.Abs(exponent) * sp.log(sp.Max(sp.Abs(base), 1 / sp.Abs(base)
                                                if base != 0 else 1), 10)
        if not (size.is_number and size.evalf(15) <= MAGNITUDE):
            raise ValueError(f"{self.name} == {self.text!r} holds a number beyond "
                             f"10^±{MAGNITUDE} ({base}**{exponent}); give smaller numbers")

    def bounded(self, value):
        magnitude = sp.Abs(value).evalf(15)
        if magnitude.is_zero is False and not (
                sp.Float(10) ** -MAGNITUDE <= magnitude <= sp.Float(10) ** MAGNITUDE):
            raise ValueError(f"{self.name} == {self.text!r} is beyond 10^±{MAGNITUDE}; "
                             f"give a value between 10^-{MAGNITUDE} and 10^{MAGNITUDE}")
        return value


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "..."


def describe_set(domain: sp.Set) -> str:
    """Write an interval the way a person would: ``(0, 1]``, ``(0, oo)``.

    Examples
    --------
    >>> import sympy as sp
    >>> describe_set(sp.Interval.Lopen(0, 1))
    '(0, 1]'
    """
    if isinstance(domain, sp.Interval):
        left = "(" if domain.left_open else "["
        right = ")" if domain.right_open else "]"
        return f"{left}{domain.start}, {domain.end}{right}"
    if isinstance(domain, sp.Union):
        return " U ".join(describe_set(part) for part in domain.args)
    return str(domain)


def interval_from_inequalities(condition: sp.Basic, var: sp.Symbol) -> sp.Interval:
    """Turn a conjunction of bounds on ``var`` into an Interval.

    ``reduce_inequalities`` answers with relations such as ``(0 < eta) & (eta < b)``;
    this collects the lower and upper bounds.  A positive ``var`` is bounded below
    by 0 even where the solver leaves that bound out.

    Examples
    --------
    >>> import sympy as sp
    >>> eta = sp.Symbol("eta", positive=True)
    >>> interval_from_inequalities(eta < 2, eta)
    Interval.open(0, 2)
    """
    relations = condition.args if isinstance(condition, sp.And) else (condition,)
    lower = [(sp.S.Zero, True)] if var.is_positive else [(sp.S.NegativeInfinity, True)]
    upper = [(sp.S.Infinity, True)]
    for relation in relations:
        if relation is sp.true:
            continue
        relation = relation.reversed if relation.rhs == var else relation
        if not isinstance(relation, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan,
                                     sp.GreaterThan)) or relation.lhs != var:
            raise ValueError(f"condition {relation} does not bound {var} alone")
        strict = isinstance(relation, (sp.StrictLessThan, sp.StrictGreaterThan))
        bound = sp.factor(relation.rhs)
        if bound.is_infinite:
            continue
        target = upper if isinstance(relation, (sp.StrictLessThan, sp.LessThan)) else lower
        target.append((bound, strict))
    start, left_open = _tightest(lower, sp.Max)
    end, right_open = _tightest(upper, sp.Min)
    return sp.Interval(start, end, left_open, right_open)


def linear_root(condition: sp.Basic, var: sp.Symbol) -> sp.Expr:
    """The one value of ``var`` that solves an equation linear in ``var``.

    ``a var + b = 0`` (``a`` and ``b`` free of ``var``, as polynomials or fractions in the
    other symbols) has the one root ``-b/a`` wherever ``a != 0``, returned factored: the
    root ``solve`` finds, without its general search and checks.  An equation that is not
    of degree one in ``var`` raises ``ValueError``.

    Examples
    --------
    >>> import sympy as sp
    >>> x, a, b = sp.symbols("x a b", positive=True)
    >>> linear_root(sp.Eq(a * x + b, 2 * b), x)
    b/a
    >>> linear_root(x**2 - a, x)
    Traceback (most recent call last):
    ...
    ValueError: -a + x**2 is not linear in x; solve it another way
    """
    expr = condition.lhs - condition.rhs if isinstance(condition, sp.Equality) else condition
    try:
        poly = sp.Poly(expr, var)
    except sp.PolynomialError:
        poly = None
    if poly is None or poly.degree() != 1:
        raise ValueError(f"{expr} is not linear in {var}; solve it another way")
    slope, offset = poly.all_coeffs()
    return sp.factor(-offset / slope)


def _tightest(bounds, pick):
    finite = [b for b in bounds if not b[0].is_infinite] or bounds
    value = pick(*(b for b, _ in finite))
    return value, next((strict for b, strict in finite if b == value), True)


@dataclass(frozen=True)
class Derivation(Mapping):
    """A topic's results, its parameters and the constraints that relate them.

    A derivation is a read-only mapping from result names to results: ``len(d)``,
    ``list(d)`` (the names, in order), ``"name" in d``, ``d["name"]``; an unknown
    name raises ``KeyError`` listing the names.  In Jupyter it shows itself as
    typeset mathematics (``_repr_markdown_``, ``_repr_latex_``).

    Parameters
    ----------
    topic, title : str
        The module's short name and a human title.
    results : tuple of Result
    parameters : tuple of Parameter
        The symbols a user may fix with ``--subs``, each with its allowed values.
    constraints : tuple of sympy Relational
        Relations between parameters (``sigma_S < sigma_L``) that values must keep.
    notation : dict
        Meanings of the other symbols that appear (``lambda``, ``t``).
    definitions : dict
        Relations the topic defines, symbol to value (``{kappa: L/mu}``, which the checker
        substitutes in claims and results), and values the sheet fixes for a question
        (``{w_0: 0}``: a result in ``w_0`` is compared there with a claim that leaves it out).
    aliases : dict
        Names students write for the model's quantities, LaTeX to value
        (``{r"\\lambda_{max}": sigma_max**2}``); declared, never guessed by the checker.
    values : dict
        The values given with ``--subs`` (set by :meth:`with_values`): a claim's symbol of
        that name is the value.
    left_out : dict
        The results left out at the values given, name to the reason (:meth:`with_values`
        leaves out a result whose assumption the values make false).

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", positive=True)
    >>> d = Derivation("demo", "A demo", (Result("square", "x squared.", x**2),),
    ...                parameters=(Parameter(x, "a number", sp.Interval.open(0, sp.oo)),))
    >>> d.with_values({"x": "3"})["square"].value
    9
    >>> d.symbols
    {'x': 'a number'}
    >>> len(d), list(d), "square" in d, "cube" in d
    (1, ['square'], True, False)
    """

    topic: str
    title: str
    results: tuple[Result, ...]
    parameters: tuple[Parameter, ...] = ()
    constraints: tuple[sp.Basic, ...] = ()
    notation: dict[str, str] = field(default_factory=dict)
    definitions: dict[sp.Symbol, sp.Basic] = field(default_factory=dict)
    aliases: dict[str, sp.Basic] = field(default_factory=dict)
    values: dict[sp.Symbol, sp.Basic] = field(default_factory=dict)  # given with --subs
    left_out: dict[str, str] = field(default_factory=dict)  # false assumptions at the values

    @property
    def symbols(self) -> dict[str, str]:
        """Every symbol's name and meaning: the parameters', then the notation's."""
        return {**{p.name: p.meaning for p in self.parameters}, **self.notation}

    def __getitem__(self, name: str) -> Result:
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(self._unknown(name))

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.results)

    def __contains__(self, name) -> bool:
        return name in self.names

    @property
    def names(self) -> tuple[str, ...]:
        """The results' names, in order."""
        return tuple(r.name for r in self.results)

    def _repr_markdown_(self) -> str:
        from . import render
        return render.markdown(self)

    def _repr_latex_(self) -> str:
        from . import render
        return render.notebook_latex(self)

    def _unknown(self, name: str) -> str:
        if name in self.left_out:
            return f"{self.topic}.{name} is left out at the values given: {self.left_out[name]}"
        return (f"result == {name!r} is not a result of {self.topic}; "
                f"choose from {', '.join(self.names)}")

    def only(self, names) -> "Derivation":
        """Keep the named results, in the order given (a repeated name once); unknown names
        raise ``ValueError``."""
        by_name = {r.name: r for r in self.results}
        wanted = dict.fromkeys(names)
        unknown = [n for n in wanted if n not in by_name]
        if unknown:
            raise ValueError(self._unknown(unknown[0]))
        return replace(self, results=tuple(by_name[n] for n in wanted))

    def with_values(self, values: dict) -> "Derivation":
        """Substitute parameter values (names or symbols to numbers or numeric strings).

        Each value is checked against its parameter's domain and the derivation's
        constraints; a value outside the model raises ``ValueError``.  A result with an
        assumption that is false at the values is left out (``left_out`` says why).

        Examples
        --------
        >>> x = sp.Symbol("x", positive=True)
        >>> d = Derivation("demo", "Demo", (Result("root", "1/(1 - x) for x < 1.", 1 / (1 - x),
        ...                assumptions=(x < 1,)),), (Parameter(x, "x", sp.Interval.open(0, sp.oo)),))
        >>> d.with_values({"x": "1/2"})["root"].value, d.with_values({"x": "2"}).names
        (2, ())
        """
        by_name = {p.name: p for p in self.parameters}
        fixed = {}
        for key, value in values.items():
            name = getattr(key, "name", key)
            if name not in by_name:
                raise ValueError(
                    f"{name!r} is not a parameter of {self.topic}; "
                    f"choose from {', '.join(sorted(by_name))}"
                )
            fixed[by_name[name].symbol] = by_name[name].validate(value)
        for constraint in self.constraints:
            if constraint.subs(fixed) is sp.false:
                shown = ", ".join(f"{s} == {v}" for s, v in fixed.items()
                                  if s in constraint.free_symbols)
                raise ValueError(f"{shown} violate the model's constraint {constraint}; "
                                 f"choose values that satisfy it")
        implied = {s: sp.sympify(v).subs(fixed) for s, v in self.definitions.items()}
        for symbol, value in self.definitions.items():  # kappa = 5 with L = 3, mu = 1
            if symbol in fixed and sp.sympify(value).free_symbols and \
                    not implied[symbol].free_symbols and implied[symbol] != fixed[symbol]:
                raise ValueError(f"{symbol} == {fixed[symbol]} contradicts {symbol} = {value} "
                                 f"= {implied[symbol]} at the other values; give one of them")
        left_out = {r.name: why for r in self.results
                    if (why := _left_out_because(r, fixed)) is not None}
        return replace(self, results=tuple(r.subs(fixed) for r in self.results
                                           if r.name not in left_out),
                       definitions={s: v for s, v in implied.items() if s not in fixed},
                       # a value given wins, and is a claim's value of its name
                       values={**self.values, **fixed}, left_out={**self.left_out, **left_out})


def _left_out_because(result: Result, fixed: dict) -> str | None:
    """Why ``result`` does not hold at the values ``fixed``, or None where it does: an
    assumption they make false; a parameter its tuning chooses that they fix; an assumption
    SymPy cannot decide there while the value turns complex (an interval's imaginary end)."""
    false = next((a for a in result.assumptions if isinstance(a, sp.Basic)
                  and a.subs(fixed) == sp.false), None)
    if false is not None:
        return f"it assumes {sp.sstr(false)}, which they make false; choose values that satisfy it"
    if set(result.chooses) & set(fixed):
        return f"it chooses {', '.join(sorted(map(str, result.chooses)))}, which they fix"
    if result.assumptions and not _has_imaginary(result.value) and \
            _has_imaginary(result.value.subs(fixed)):
        return (f"it assumes {sp.sstr(sp.And(*result.assumptions).subs(fixed))} there, which "
                f"SymPy cannot decide, and its value is not real at them")
    return None


def _has_imaginary(value) -> bool:
    """Whether ``value`` holds the imaginary unit (``I*sqrt(beta)``, an interval's end)."""
    return isinstance(value, sp.Basic) and value.has(sp.I)


def _immutable(value):
    if isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(value)
    if isinstance(value, (tuple, list)):
        return sp.Tuple(*value)
    return value


def cache_path(build) -> Path | None:
    """Where the derivation built by ``build`` is cached, or ``None`` when caching is off.

    The file name carries a hash of every source file of this package and of SymPy's
    version, so any change derives anew.  ``OPTVERIFY_NO_CACHE=1`` turns the cache off;
    ``OPTVERIFY_CACHE`` or ``XDG_CACHE_HOME`` move it.

    Examples
    --------
    >>> import os
    >>> os.environ["OPTVERIFY_NO_CACHE"] = "1"
    >>> cache_path(cache_path) is None
    True
    >>> del os.environ["OPTVERIFY_NO_CACHE"]
    """
    if os.environ.get("OPTVERIFY_NO_CACHE"):
        return None
    digest = hashlib.sha256(sp.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    root = os.environ.get("OPTVERIFY_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "optverify" / "derivations"
    return Path(root) / f"{_cache_key(build)}-{digest.hexdigest()[:16]}.json"


def _cache_key(build) -> str:
    module = sys.modules[build.__module__]
    name = module.__spec__.name if getattr(module, "__spec__", None) else build.__module__
    return f"{name}-{build.__name__}"


# A cache entry larger than this is not an entry this package wrote.
_CACHE_LIMIT = 64 * 2**20


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` private to the user; say whether it is safe to use.

    A folder owned by another user, or one that others may write to, is not used:
    an entry planted there could change what the derivations say.
    """
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = os.stat(folder)
    except OSError:
        return False
    return status.st_uid == os.geteuid() and not status.st_mode & 0o022


def _read_entry(path: Path, key: str) -> Derivation | None:
    """The cached derivation at ``path``, or ``None`` when it is absent, foreign or damaged.

    The entry is plain JSON read by :func:`plain_data.from_data`: loading it builds SymPy
    objects and this module's dataclasses only, and never runs code.  An entry that is
    not a regular file owned by the user, that others may write to, or that does not
    hold this derivation, is ignored.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as file:
        status = os.fstat(file.fileno())
        if (not stat.S_ISREG(status.st_mode) or status.st_uid != os.geteuid()
                or status.st_mode & 0o022 or status.st_size > _CACHE_LIMIT):
            return None
        raw = file.read(_CACHE_LIMIT + 1)
    try:
        entry = json.loads(raw)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        built = plain_data.from_data(entry["derivation"], (Step, Result, Parameter, Derivation))
        return built if _well_formed(built) else None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, MemoryError):
        return None


def _well_formed(built) -> bool:
    """Whether a loaded entry has the shape of a derivation, down to its steps."""
    return (isinstance(built, Derivation)
            and all(isinstance(r, Result) and all(isinstance(s, Step) for s in r.steps)
                    for r in built.results)
            and all(isinstance(p, Parameter) for p in built.parameters))


def _write_entry(path: Path, key: str, built: Derivation) -> None:
    """Store ``built`` at ``path`` (written whole, then renamed); a failure only costs speed."""
    if not _private_folder(path.parent):
        return
    try:
        text = json.dumps({"key": key, "derivation": plain_data.to_data(built)})
    except (plain_data.PlainDataError, RecursionError):
        return
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".entry-", suffix=".json")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.replace(name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _load_or_build(build) -> Derivation:
    path, key = cache_path(build), _cache_key(build)
    cached = None if path is None or not _private_folder(path.parent) else _read_entry(path, key)
    if cached is not None:
        return cached
    built = build()
    if path is not None:
        _write_entry(path, key, built)
    return built


def derivation(build):
    """Turn a topic's ``build() -> Derivation`` into ``derive(**overrides) -> Derivation``.

    The symbolic derivation runs once per process, and is kept on disk between
    processes (see :func:`cache_path`); ``overrides`` (parameter names to numbers or
    numeric strings) are validated and substituted.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", positive=True)
    >>> @derivation
    ... def derive():
    ...     \"\"\"A demo.\"\"\"
    ...     return Derivation("demo", "Demo", (Result("sq", "x squared.", x**2),),
    ...                       (Parameter(x, "x", sp.Interval.open(0, sp.oo)),))
    >>> derive(x=2)["sq"].value
    4
    """
    cached = functools.cache(functools.partial(_load_or_build, build))

    @functools.wraps(build)
    def derive(**overrides) -> Derivation:
        return cached().with_values(overrides)

    derive.is_cached = functools.partial(_is_cached, build, cached)
    return derive


def _is_cached(build, cached) -> bool:
    """Whether ``derive()`` will find its derivation in this process or on disk (a damaged
    entry is rebuilt all the same; this only says where the work is likely to be)."""
    if cached.cache_info().currsize:
        return True
    path = cache_path(build)
    return path is not None and path.is_file()


def is_cached(derive) -> bool:
    """Whether a topic's ``derive()`` has its derivation at hand: in this process or in the
    on-disk cache.  A ``derive`` not made by :func:`derivation` derives every time.

    Examples
    --------
    >>> is_cached(lambda: None)
    False
    """
    at_hand = getattr(derive, "is_cached", None)
    return bool(at_hand and at_hand())


def matrix_symbol(name: str, rows, columns) -> sp.MatrixSymbol:
    """A matrix symbol named by a ``Symbol``, so that its ``srepr`` round-trips through ``sympify``.

    (A plain string name becomes a ``Str``, which ``sympify`` does not read back.)

    Examples
    --------
    >>> A = matrix_symbol("A", 2, 3)
    >>> sp.sympify(sp.srepr(A.T * A)) == A.T * A
    True
    """
    return sp.MatrixSymbol(sp.Symbol(name), rows, columns)


def matrix_derivative(expr, weights):
    """The derivative of a matrix expression (1x1: its gradient; a column: its Jacobian) in
    the column vector ``weights``.

    SymPy's matrix differentiation by its matrix-lines algorithm: the derivative ``sp.diff``
    takes through array expressions, without that detour (and the assumptions machinery
    it loads), which costs several times as much; ``sp.diff`` where this SymPy has no such
    algorithm.

    Examples
    --------
    >>> w = matrix_symbol("w", 3, 1)
    >>> matrix_derivative(w.T * w, w)
    2*w
    >>> matrix_derivative(2 * w, w)
    2*I
    """
    try:
        from sympy.matrices.expressions.matexpr import _matrix_derivative_old_algorithm
    except ImportError:
        return sp.diff(expr, weights)
    return _matrix_derivative_old_algorithm(expr, weights)


# E = exp(z): a rational function of exp(z) is one of E, with E over (0, oo).
EXP = sp.Symbol("E", positive=True)


def positive_roots(expr, var) -> list:
    """The positive roots of ``expr``, a polynomial in ``var``, in SymPy's ``roots`` order.

    Every root must be found (with its multiplicity) and the sign of each decided, else
    ``ArithmeticError``: no root is dropped for want of a sign.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> positive_roots(x**2 - 4, x)
    [2]
    """
    roots = sp.roots(sp.Poly(expr, var))
    signs = {root: root.is_positive for root in roots}
    if sum(roots.values()) != sp.degree(expr, var) or None in signs.values():
        raise ArithmeticError(f"the roots of {expr} in {var} are not all found, or a sign is "
                              f"undecided")
    return [root for root, positive in signs.items() if positive]


def in_exp(expr, variable):
    """``expr``, a rational function of ``exp(variable)``, as one of ``E = exp(variable)``;
    ``E`` runs over ``(0, oo)`` as ``variable`` runs over the real line, one to one.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> in_exp(1 / (1 + sp.exp(-z)), z)
    E/(E + 1)
    """
    rational = sp.together(expr.subs(sp.exp(variable), EXP))
    if rational.has(variable):
        raise ValueError(f"{expr} is not a rational function of exp({variable})")
    return rational


def limits_at_infinity(expr, variable):
    """The limits of ``expr``, a rational function of ``exp(variable)``, as ``variable``
    tends to ``-oo`` and to ``oo``: those of ``in_exp(expr)`` as ``E`` tends to 0 and to oo.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> limits_at_infinity(1 / (1 + sp.exp(-z)), z)
    (0, 1)
    """
    rational = in_exp(expr, variable)
    return sp.limit(rational, EXP, 0), sp.limit(rational, EXP, sp.oo)


def real_zeros(expr, variable):
    """The real zeros of ``expr``, a rational function of ``exp(variable)``: ``log(E)`` for
    the positive roots ``E`` of its numerator in ``E``, its denominator being positive.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> real_zeros(sp.exp(z) - 2, z)
    [log(2)]
    """
    top, bottom = sp.fraction(in_exp(expr, variable))
    if not bottom.is_positive:
        raise ArithmeticError(f"the denominator {bottom} in E = exp({variable}) is not positive")
    return [sp.log(root) for root in positive_roots(top, EXP)]


def equation(lhs, rhs):
    """``lhs = rhs`` left unevaluated (SymPy would compare a scalar with a 1x1 matrix).

    Examples
    --------
    >>> p, a = sp.Symbol("p"), sp.MatrixSymbol("a", 2, 1)
    >>> equation(p, a.T * a)
    Eq(p, a.T*a)
    """
    return sp.Eq(lhs, rhs, evaluate=False)
