"""Comparing a claimed value with a derived one, by kind of value: the second room.

- **correct**, proved symbolically (the difference cancels, interval ends and set
  elements agree) or, where SymPy cannot prove it, agreeing at random points inside the
  model's assumptions (parameter domains, ``Derivation.constraints``, the result's
  assumptions, the topic's ``definitions``) -- the outcome says which;
- **wrong**, with a *witness*: parameter values inside the assumptions at which claim
  and result differ, and both values there.

A lone decimal number matches a derived number when it is that number rounded to the
digits written, or cut off there (``2.3026`` and ``2.3025`` for ``log 10``; not ``2.3027``).
"""
from __future__ import annotations

import functools
import itertools
import math
import random
import re
from dataclasses import dataclass, replace

import sympy as sp
from sympy.calculus.accumulationbounds import AccumBounds
from sympy.core.function import AppliedUndef
from sympy.solvers.inequalities import solve_rational_inequalities

from ..core import Derivation, Result
from .reading import ClaimError, _Context, _Labelled, _set_where, normal_name

__all__ = ["Outcome", "Space", "compare", "compare_expressions", "unlabelled", "names_result",
           "defined", "range_of", "rounded_and_cut"]

POINTS = 16
# Scales of the random points, in hundredths: small, middling (twice as often), large.
BANDS = ((1, 50), (5, 300), (5, 300), (300, 5000))
SWITCH_POINTS = 48
# Working precision (digits) to which a difference that agrees in double precision is told
# from 0: beyond the largest number a claim may write (reading's LIMITS["digits"]).
APART_DIGITS = 1100
MAX_DEGREE = 12  # of a condition's polynomials in its variable, solved exactly
CROSSINGS = 5  # crossings of sets' ends searched, beside three switches


@dataclass(frozen=True)
class Outcome:
    """The comparison of one claimed value with one derived value."""

    correct: bool
    method: str
    witness: dict | None = None
    parts: tuple[bool, ...] | None = None  # per element of a tuple, set or matrix


class Space:
    """Random points inside a derivation's assumptions, drawn reproducibly."""

    def __init__(self, derivation: Derivation, result: Result, context=None, seed: int = 2024):
        self.reading = context if context is not None else _Context({}, {}, {})  # what it found
        self.definitions = dict(getattr(derivation, "definitions", None) or {})
        self.domains = {p.symbol: p.domain for p in derivation.parameters}
        defined_domains = [sp.Contains(s, self.domains[s], evaluate=False)  # kappa = L/mu >= 1
                           for s in self.definitions if s in self.domains]
        self.conditions = [defined(c, self.definitions)
                           for c in (*derivation.constraints, *result.assumptions, *defined_domains)
                           if isinstance(c, sp.Basic) and c is not sp.true]
        self.lhs = result.lhs
        self.order_in = result.order_in  # an exact result also asked as an order in it
        self.seed = seed
        self.cache: dict = {}

    def points(self, symbols, count=POINTS) -> list[dict]:
        """``count`` points (one when there is nothing to draw) inside the assumptions."""
        if not symbols:
            return [{}]
        key = frozenset(symbols)
        if key not in self.cache:
            self.cache[key] = self._draw(sorted(key, key=str), count)
        return self.cache[key]

    def _draw(self, symbols, count):
        rng = random.Random(self.seed)
        scalars = [s for s in symbols if isinstance(s, sp.Symbol)]
        matrices = [s for s in symbols if isinstance(s, sp.MatrixSymbol)]
        sizes = {s for m in matrices for n in m.shape for s in sp.sympify(n).free_symbols}
        points, tries = [], 0
        while len(points) < count and tries < 40 * count:
            tries += 1
            band = rng.choice(BANDS) if rng.random() < 0.25 else None  # one scale for all
            point = {s: self._value(s, rng, small=s in sizes, band=band) for s in scalars}
            if not all(self._holds(c, point) for c in self.conditions):
                continue
            try:
                for m in matrices:
                    rows, cols = (int(sp.sympify(n).xreplace(point)) for n in m.shape)
                    point[m] = sp.ImmutableMatrix(rows, cols, lambda i, j: sp.Rational(
                        rng.randint(-200, 200), 100))
            except TypeError:  # a symbolic shape not fixed by the point
                continue
            points.append(point)
        return points + self._edges(points, set(scalars))

    def _edges(self, points, drawn):
        """Points where a constraint between whole numbers holds with equality (``i = n`` for
        ``i \\leq n``, ``i = n - 1`` for ``i < n``), from the first two points drawn: random
        whole numbers rarely meet there, and a claim wrong at the last layer only is wrong.

        Examples
        --------
        >>> from derivations import vanishing
        >>> d = vanishing.derive(); i, n = sp.symbols("i n", integer=True, positive=True)
        >>> [p[i] == p[n] for p in Space(d, d["chain_derivative"]).points({i, n})[-2:]]
        [True, True]
        """
        edges = []
        for condition in self.conditions:
            if not isinstance(condition, (sp.LessThan, sp.StrictLessThan, sp.GreaterThan,
                                          sp.StrictGreaterThan)):
                continue
            low, high = (condition.lhs, condition.rhs) if isinstance(
                condition, (sp.LessThan, sp.StrictLessThan)) else (condition.rhs, condition.lhs)
            gap = 1 if isinstance(condition, (sp.StrictLessThan, sp.StrictGreaterThan)) else 0
            for symbol, other, shift in ((low, high, -gap), (high, low, gap)):
                if not (isinstance(symbol, sp.Symbol) and symbol.is_integer and symbol in drawn):
                    continue
                for point in points[:2]:
                    edge = {**point, symbol: other.xreplace(point) + shift}
                    if edge[symbol].is_Integer and edge not in edges and \
                            self.domains.get(symbol, sp.Integers).contains(edge[symbol]) == sp.true \
                            and all(self._holds(c, edge) for c in self.conditions):
                        edges.append(edge)
        return edges

    @staticmethod
    def _holds(condition, point):
        if not condition.free_symbols <= set(point):
            return True
        return bool(condition.xreplace(point) == sp.true)

    def switch_points(self, values, points) -> list[dict]:
        """Points next to where a part of ``values`` switches (a ``Max`` or ``Min``'s
        arguments cross, an ``Abs`` or a ``Piecewise`` condition's sides meet, a floor's or
        ceiling's argument is whole): random points rarely land on either side of a
        threshold a claim puts far away, or on a whole ``E`` where ``floor(E) + 1`` and
        ``ceil(E)`` differ.  From the first points of ``points``, one parameter at a time is
        solved for (exactly, in SymPy) and the others drawn again where the assumptions
        ask; at most :data:`SWITCH_POINTS`."""
        rng, found = random.Random(self.seed + 1), []
        switches = _switches(values)[:3] + _crossings(values)[:CROSSINGS]
        for (gap, whole), point in itertools.product(switches, points[:2]):
            # where no one parameter reaches it: those whose domain is a cone scaled together
            found += self._one_at_a_time(gap, whole, point, rng) or \
                self._along_a_ray(gap, whole, point, rng)
            if point is points[0]:  # and from the centre of a disk
                found += next(filter(None, (self._one_at_a_time(gap, whole, base, rng)
                                            for base in self._centres(gap, point))), [])
        return found[:SWITCH_POINTS]

    def _one_at_a_time(self, gap, whole, point, rng):
        """Points beside where ``gap`` switches, solved for the first parameter of ``point``
        that reaches it (not a whole number where matrices have drawn sizes)."""
        sized = any(not isinstance(s, sp.Symbol) for s in point)  # matrices of drawn sizes
        for symbol in sorted(gap.free_symbols & set(point), key=str):
            if isinstance(symbol, sp.Symbol) and not (symbol.is_integer and sized):
                beside = self._beside(gap, whole, symbol, point, rng)
                if beside:
                    return beside
        return []

    def _centres(self, gap, point):
        """``point`` moved to where a factor of ``gap`` quadratic in two or more real
        parameters has its gradient 0, then with each of them as drawn again: a switch on a
        small disk (``(\\sigma_L - 2)^2 + (\\sigma_S - 1)^2 < 10^{-4}``, or a pole at its
        centre) has no root in any one parameter, nor along a ray, from the points drawn."""
        real = {s for s in gap.free_symbols & set(point)
                if isinstance(s, sp.Symbol) and not s.is_integer}
        bases = []
        for factor in _factors(gap) if len(real) > 1 and sp.count_ops(gap) <= 40 else ():
            names = sorted(real & factor.free_symbols, key=str)
            if len(names) < 2 or not factor.is_polynomial(*names) or \
                    sp.Poly(factor, *names).total_degree() != 2:
                continue
            for centre in sp.solve([factor.diff(s) for s in names], names, dict=True):
                if len(centre) == len(names) and all(
                        v.is_number and self.domains.get(s, sp.Reals).contains(v) == sp.true
                        for s, v in centre.items()):
                    bases += [{**point, **centre}] + [
                        {**point, **{s: v for s, v in centre.items() if s != drawn}}
                        for drawn in names]
        return bases

    def _along_a_ray(self, gap, whole, point, rng):
        """Points where ``gap`` switches with every real parameter of ``point`` in it whose
        domain a positive factor keeps (:func:`_is_cone`) scaled by one factor:
        ``\\min(1/(\\sigma_L^2 + \\sigma_S^2), 10)`` switches only where both are small,
        which no one of them solved for reaches from the points drawn."""
        scaled = sorted((s for s in gap.free_symbols & set(point) if isinstance(s, sp.Symbol)
                         and not s.is_integer and _is_cone(self.domains.get(s, sp.Reals))), key=str)
        if len(scaled) < 2:
            return []
        factor = sp.Dummy("factor", positive=True)
        ray = gap.xreplace({s: point[s] * factor for s in scaled})
        on_ray = {**{s: v for s, v in point.items() if s not in scaled}, factor: sp.S.One}
        found = []
        for beside in self._beside(ray, whole, factor, on_ray, rng):
            if beside[factor] > 0:
                moved = {**{s: v for s, v in beside.items() if s != factor},
                         **{s: point[s] * beside[factor] for s in scaled}}
                if all(self._holds(c, moved) for c in self.conditions):
                    found.append(moved)
        return found

    def _beside(self, gap, whole, symbol, point, rng):
        """Points with ``symbol`` on and on both sides of where ``gap`` is 0, or, for a
        floor's or ceiling's argument, where it is the whole number nearest its value at
        ``point`` or the next one up or down (``\\lfloor 1/(1000\\sigma) \\rfloor`` is 0 at
        every point drawn, 1 from ``\\sigma = 10^{-3}`` down)."""
        rest = {s: v for s, v in point.items() if s != symbol}
        found = []
        try:
            at = gap.xreplace(rest)
            longest = 10**12 if at.is_rational_function(symbol) else 10**6  # eta < 2000000
            if sp.count_ops(at) > 40 or any(max(abs(q.p), q.q) > longest for q in at.atoms(sp.Rational)):
                return []  # solving a log with long numbers can take SymPy minutes
            nearest = sp.Integer(round(complex(sp.N(gap.xreplace(point))).real)) if whole else 0
            for target in (nearest, nearest + 1, nearest - 1) if whole else (0,):
                found += self._around(_real_roots(at - target, symbol), symbol, point, rng)
        except (TypeError, ValueError, NotImplementedError, ArithmeticError, sp.PolynomialError):
            pass  # the points found before SymPy gave up
        return found

    def _around(self, roots, symbol, point, rng):
        """Points on and beside the least root inside ``symbol``'s domain, and halfway to the
        next one: a window between two close roots (``(\\sigma - 1.7)^2 = 10^{-4}``) is
        narrower than the step beside a root."""
        domain = self.domains.get(symbol, sp.Reals)
        inside = sorted((r for r in roots if r.is_real and (symbol.is_integer or domain.contains(
            r) == sp.true)), key=float)
        for root, following in itertools.zip_longest(inside, inside[1:]):
            step = abs(root) / 37 if root != 0 else sp.Rational(1, 37)
            values = [root - step, root, root + step] + (
                [] if following is None else [(root + following) / 2])
            if symbol.is_integer:  # the whole numbers either side (m = 69, 70, 71 for 70)
                values = [sp.floor(root) - 1, sp.floor(root), sp.ceiling(root),
                          sp.ceiling(root) + 1, *(sp.Integer(round(v)) for v in values)]
            values = list(dict.fromkeys(v for v in values if domain.contains(v) == sp.true))
            if values:
                return [p for p in (self._fitted({**point, symbol: v}, symbol, rng)
                                    for v in values) if p is not None]
        return []

    def _fitted(self, point, fixed, rng):
        """``point``, or one with its other scalars drawn again, inside the assumptions."""
        for attempt in range(40):
            if all(self._holds(c, point) for c in self.conditions):
                return point
            point = {s: v if s == fixed or not isinstance(s, sp.Symbol) else
                     self._near(s, point[fixed], rng) if attempt % 2 else self._value(s, rng)
                     for s, v in point.items()}
        return None

    def _near(self, symbol, value, rng):
        """A value of ``symbol`` within a factor of 4 of ``value`` where its domain holds one
        (a switch at ``\\sigma_S = 2000`` needs ``\\sigma_L > \\sigma_S`` beside it), else any."""
        near = value * sp.Rational(rng.randint(26, 400), 100)
        domain = self.domains.get(symbol, sp.Reals)
        fits = near.is_number and domain.contains(near) == sp.true and not symbol.is_integer
        return near if fits else self._value(symbol, rng)

    def on_boundary(self, point) -> bool:
        """Whether ``point`` puts a parameter at a closed end of its domain."""
        return any(isinstance(self.domains.get(s), sp.Interval) and value in (
            self.domains[s].inf, self.domains[s].sup) for s, value in point.items())

    def _value(self, symbol, rng, small=False, band=None):
        """A value of ``symbol`` in its domain. Whole numbers: the five smallest, or, half
        the time for a parameter that is no matrix size (``small``), up to 60 past them. Reals: a
        random fraction of a random denominator (50 to 997) of a finite domain, a closed end
        one time in ten; else a distance from 0.01 to 1000 past a finite end."""
        domain = self.domains.get(symbol)
        if isinstance(domain, sp.Union):
            domain = rng.choice(domain.args)
        if symbol.is_integer or isinstance(domain, (sp.Range, type(sp.S.Naturals),
                                                        type(sp.S.Naturals0))):
            low = 0 if symbol.is_nonnegative else -3
            low = 1 if symbol.is_positive else low
            if domain is not None and domain.inf.is_finite:
                low = int(sp.ceiling(domain.inf))
            wide = domain is not None and not small and rng.random() < 0.5
            high = low + (60 if wide else 4)
            if domain is not None and domain.sup.is_finite:
                high = min(high, int(sp.floor(domain.sup)))
            return sp.Integer(rng.randint(low, max(low, high)))
        if isinstance(domain, sp.Interval):
            start, end = domain.start, domain.end
            ends = [e for e, is_open in ((start, domain.left_open), (end, domain.right_open))
                    if not is_open and e.is_finite]
            if ends and rng.random() < 0.1:
                return rng.choice(ends)
        elif symbol.is_nonnegative:
            start, end = sp.S.Zero, sp.oo
        else:
            start, end = -sp.oo, sp.oo
        if start.is_finite and end.is_finite:
            denominator = rng.randint(50, 997)
            return start + (end - start) * sp.Rational(rng.randint(1, denominator - 1),
                                                       denominator)
        if start.is_finite:
            return start + self._magnitude(rng, band)
        if end.is_finite:
            return end - self._magnitude(rng, band)
        return rng.choice([-1, 1]) * self._magnitude(rng, band)

    @staticmethod
    def _magnitude(rng, band=None):
        """A positive number of a random scale: small (0.01..0.5), middling (0.05..3, twice as
        often), large (3..50), or one time in ten very large (50..1000); a fraction of a
        random denominator. A quarter of the points take one ``band`` for every parameter
        (a step times a curvature is then small, or large, for once)."""
        low, high = band or ((5000, 100000) if rng.random() < 0.1 else rng.choice(BANDS))
        denominator = rng.randint(50, 997)
        return sp.Rational(round(rng.uniform(low, high) / 100 * denominator), denominator)


@functools.lru_cache(maxsize=256)
def _real_roots(expr, symbol):
    """The real numbers where ``expr`` (in ``symbol`` alone) is 0, as SymPy solves it, else
    (``\\sigma - 2000 + \\sin\\sigma``, or no root found for an ``expr`` not rational in
    ``symbol``) the roots :func:`_sign_changes` brackets: kept
    between claims, whose points and the result's switches are mostly the same."""
    try:
        roots = tuple(r for r in sp.solve(expr, symbol) if r.is_real and r.is_number)
    except NotImplementedError:
        return _sign_changes(expr, symbol)
    # none found where some may be: SymPy's solve gives up on sin(x) + 1/(x - a) silently
    return roots or (() if expr.is_rational_function(symbol) else _sign_changes(expr, symbol))


# Where a switch SymPy cannot solve is looked for: 0 and +-m 10^k, k from -6 to 6.
_GRID = sorted({sign * sp.Rational(m, 10) * sp.Integer(10)**k for sign in (1, -1)
                for m in (10, 15, 20, 30, 50, 70) for k in range(-6, 7)} | {sp.S.Zero})


def _is_cone(domain):
    """Whether a positive factor maps ``domain`` onto itself (its only finite boundary
    point, if any, is 0): its parameters scale together.

    Examples
    --------
    >>> [_is_cone(d) for d in (sp.Reals - {0}, sp.Interval(0, sp.oo), sp.Interval(1, sp.oo))]
    [True, True, False]
    """
    try:
        return bool(domain.boundary.is_subset(sp.FiniteSet(0)))
    except (TypeError, NotImplementedError):
        return False


def _sign_changes(expr, symbol, halvings=30):
    """Rational approximations (to ``2^-halvings`` of their bracket) of the roots of ``expr``
    (in ``symbol`` alone) where it changes sign between neighbours of :data:`_GRID` at which
    it is defined (a pole between them gives a point there too).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> [round(float(r), 6) for r in _sign_changes(x - 2000 + sp.sin(x), x)]
    [1999.122841]
    """
    def sign(value):
        try:
            number = complex(sp.N(expr.xreplace({symbol: value})))
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            return 0
        return 0 if not math.isfinite(number.real) or abs(number.imag) > 1e-9 * abs(number) \
            else (number.real > 0) - (number.real < 0)
    roots, signed = [], [(value, s) for value in _GRID if (s := sign(value))]  # a pole: skipped
    for (low, s_low), (high, s_high) in itertools.pairwise(signed):
        if s_low == s_high:
            continue
        for _ in range(halvings):
            middle = (low + high) / 2
            s_middle = sign(middle)
            if s_middle == 0:
                break
            low, high = (middle, high) if s_middle == s_low else (low, middle)
        roots.append((low + high) / 2)
    return tuple(roots)


def _atoms(value, *types) -> list:
    """``value.atoms(*types)`` in a fixed order (a set's order changes from run to run, and
    the first few switches searched must not)."""
    return sorted(value.atoms(*types), key=sp.default_sort_key)


def _switches(values):
    """``(gap, whole)`` pairs: where ``gap`` is 0 (``whole`` false) or a whole number
    (``whole`` true), a part of one of ``values`` switches."""
    found = []
    for value in values:
        if not isinstance(value, sp.Basic):
            continue
        for atom in _atoms(value, sp.Max, sp.Min):
            found += [(a - b, False) for a, b in itertools.combinations(atom.args, 2)]
        found += [(atom.args[0], False) for atom in _atoms(value, sp.Abs, sp.sign)]
        found += [(bar.args[0], False) for bar in _hidden_bars(value)]
        found += [(atom.args[0] - atom.args[1], False)  # 0 below: binomial(n, 62), n < 62
                  for atom in _atoms(value, sp.binomial, sp.ff)]
        found += [(atom.args[0], True) for atom in _atoms(value, sp.floor, sp.ceiling)]
        for atom in _atoms(value, sp.Piecewise):
            found += [(r.lhs - r.rhs, False) for _, condition in atom.args
                      if isinstance(condition, sp.Basic)
                      for r in _atoms(condition, sp.core.relational.Relational)]
    found = sorted(found, key=lambda switch: not switch[1])  # whole numbers first
    bound = {s.sym for value in values if isinstance(value, sp.Basic)
             for s in value.atoms(sp.ConditionSet)}  # a condition's variable is not drawn
    return list(dict.fromkeys((g, w) for g, w in found if g.free_symbols and
                              not g.free_symbols & bound))


def _hidden_bars(value):
    """The absolute values an even root of a square hides once its radicand is factored:
    ``\\sqrt{a^2 - 2ac + c^2}`` is ``|a - c|``, a ``\\min`` written without one.

    Examples
    --------
    >>> a, c = sp.symbols("a c", positive=True)
    >>> _hidden_bars((a + c - sp.sqrt(a**2 - 2*a*c + c**2)) / 2)
    [Abs(a - c)]
    """
    bars = []
    for root in _atoms(value, sp.Pow):
        if root.exp.is_Rational and root.exp.q % 2 == 0 and sp.count_ops(root.base) <= 40:
            try:
                bars += _atoms(sp.factor(root.base) ** root.exp, sp.Abs)
            except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
                pass
    return bars


def _crossings(values):
    """``(gap, False)`` pairs where two ends of sets among ``values`` cross (a range's
    ``\\land \\eta < 14`` binds only where ``1/\\sigma^2 > 14``)."""
    ends = list(dict.fromkeys(end for value in values if isinstance(value, sp.Set)
                              for end in _boundaries(value)))
    gaps = []
    for value in values:  # first, a factor free of the variable that turns a condition over
        for conditions in _atoms(value, sp.ConditionSet) if isinstance(value, sp.Basic) else ():
            gaps += [factor for relation in _atoms(conditions.condition, sp.core.relational.Relational)
                     for factor in _factors(relation.lhs - relation.rhs)
                     if conditions.sym not in factor.free_symbols]
    gaps += [a - b for a, b in itertools.combinations(ends, 2)]
    return list(dict.fromkeys((gap, False) for gap in gaps if gap.free_symbols))


def _factors(gap):
    """The factors of ``gap``'s numerator and denominator, found where it is small enough to
    factor (an expanded ``(\\sigma^2 - 10^{-6})(1 - \\eta\\sigma^2)`` too)."""
    found = []
    for part in sp.fraction(sp.together(gap)):
        try:
            small = sp.count_ops(part) <= 60 and all(  # Wang's algorithm on x^(361 b) takes seconds
                _degree_bound(part, symbol) <= MAX_DEGREE for symbol in part.free_symbols)
            factors = [f for f, _ in sp.factor_list(part)[1]] if small else []
        except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
            factors = []
        found += factors or list(sp.Mul.make_args(sp.factor_terms(part)))
    return found


def _boundaries(value):
    """Where membership of the set ``value`` may change: its intervals' finite ends, and for
    a condition on a variable the roots of its relations' sides' gaps and of the values
    inside their bars (``|1 - 2\\eta\\sigma^2| < 1``: 0, ``1/(2\\sigma^2)``, ``1/\\sigma^2``)."""
    ends = [end for interval in _atoms(value, sp.Interval) for end in interval.args[:2]
            if end.is_finite is not False]
    ends += [point for points in _atoms(value, sp.FiniteSet) for point in points.args
             if isinstance(point, sp.Expr) and point.is_finite is not False]  # \setminus \{p\}
    for conditions in _atoms(value, sp.ConditionSet):
        variable = conditions.sym
        for relation in _atoms(conditions.condition, sp.core.relational.Relational):
            gap = relation.lhs - relation.rhs
            bars = [bar for bar in _atoms(gap, sp.Abs) if variable in bar.free_symbols]
            pieces = [gap.xreplace({bar: sign * bar.args[0] for bar in bars}) for sign in (1, -1)]
            for piece in [*dict.fromkeys(pieces), *(bar.args[0] for bar in bars)]:
                if sp.count_ops(piece) <= 40 and _degree_bound(piece, variable) <= MAX_DEGREE:
                    try:
                        ends += [r for r in sp.solve(piece, variable) if variable not in r.free_symbols]
                    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
                        pass
    return ends


def _numbers(value, point):
    """Complex numbers of ``value`` at ``point`` (a tuple), or None where undefined
    (a singular matrix inverted, a division by zero)."""
    try:  # derivatives first: their variable is no number once the point is in
        value = value.xreplace({d: d.doit() for d in value.atoms(sp.Derivative)})
        value = _empty_ranges(value.xreplace(point))
        if value.has(sp.Sum, sp.Product, sp.Derivative, sp.Subs, sp.Integral, sp.MatrixExpr,
                     sp.Piecewise):
            value = value.doit()
        if isinstance(value, sp.MatrixExpr):
            value = value.as_explicit()
    except sp.ShapeError:
        raise
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    opaque, seed = {}, repr(sorted(point.items(), key=str))  # the same for claim and result
    for item in items:
        for atom in _opaque_atoms(item):  # min(G(t), 5) switches: values from 0.001 to 300
            rng = random.Random(seed + sp.srepr(atom))
            opaque[atom] = sp.Rational(rng.randint(-300, 300) or 1, 100) * 10**rng.choice(
                (0, 0, 0, 1, 2, -1))
    try:
        numbers = tuple(complex(sp.N(item.xreplace(opaque), 20, maxn=APART_DIGITS))  # cosh^2 - sinh^2
                        for item in items)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    return numbers if all(math.isfinite(abs(z)) for z in numbers) else None


def _empty_ranges(value):
    r"""Sums and products over a range that runs backwards (``\prod_{k=n+1}^{n-1}``) as the
    empty sum 0 and product 1, as they are read in mathematics; SymPy's own (Karr's)
    convention makes the product ``1/f(n)``, which let a factor pulled out of a product
    cancel it where the range is empty.

    Examples
    --------
    >>> k, f = sp.Symbol("k"), sp.Function("f")
    >>> _empty_ranges(sp.Product(f(k), (k, 4, 2)) * f(3)), sp.Product(f(k), (k, 4, 2)).doit() * f(3)
    (f(3), 1)
    """
    def backwards(term):
        return any((end - start).is_negative and (end - start + 1).is_negative
                   for _, start, end in term.limits)
    return value.replace(lambda term: isinstance(term, (sp.Sum, sp.Product)) and backwards(term),
                         lambda term: sp.S.Zero if isinstance(term, sp.Sum) else sp.S.One)


def _opaque_atoms(expr):
    """Subexpressions a point cannot evaluate (undefined functions, indexed entries, ...)."""
    if isinstance(expr, (sp.Derivative, AppliedUndef, sp.Indexed, sp.Symbol)):
        return {expr}
    if not isinstance(expr, sp.Basic):
        return set()
    found = set()
    for arg in expr.args:
        found |= _opaque_atoms(arg)
    return found


def _close(a, b, tolerance=None):
    if not (math.isfinite(abs(a)) and math.isfinite(abs(b))):
        return a == b
    if tolerance is not None:
        return abs(a - b) <= tolerance
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _shown(numbers, digits=6):
    def one(z):
        return f"{z.real:.{digits}g}" if abs(z.imag) <= 1e-12 * max(1, abs(z)) else \
            f"{z.real:.{digits}g}{z.imag:+.{digits}g}i"
    return one(numbers[0]) if len(numbers) == 1 else [one(z) for z in numbers]


def _shown_apart(claimed, derived):
    """Both as :func:`_shown`, with as many significant digits as tell them apart (6 to 17).

    Examples
    --------
    >>> _shown_apart((-22482282.9,), (-22482335.1,))
    ('-22482282.9', '-22482335.1')
    """
    for digits in (6, 9, 12, 17):
        shown = _shown(claimed, digits), _shown(derived, digits)
        if shown[0] != shown[1]:
            break
    return shown


def _point_shown(point):
    def value(v):
        if isinstance(v, sp.MatrixBase):
            return [[value(e) for e in v.row(i)] for i in range(v.rows)]
        return str(v) if v.is_Integer else f"{float(v):.6g}"
    return {str(s): value(v) for s, v in point.items()}


def _symbols_of(*values):
    found = set()
    for value in values:
        if isinstance(value, sp.Basic):
            found |= {s for s in value.free_symbols if isinstance(s, sp.Symbol)}
            found |= value.atoms(sp.MatrixSymbol)
            for matrix in value.atoms(sp.MatrixSymbol):
                found |= {s for n in matrix.shape for s in sp.sympify(n).free_symbols}
    return found


def _same(a, b) -> bool:
    """Symbolic equality by cheap means: structure, then expand and cancel.

    Numbers are left to numeric evaluation (at 20 digits).
    """
    if a == b:
        return True
    try:
        difference = a - b
        if difference == 0:
            return True
        if isinstance(difference, sp.MatrixExpr) or difference.is_number:
            return False
        return sp.cancel(sp.expand(difference)) == 0
    except (TypeError, ValueError, sp.PolynomialError, NotImplementedError):
        return False


def _simplifies_to_zero(difference) -> bool:
    """``simplify``, for small differences only (it can take seconds on large ones)."""
    try:
        return sp.count_ops(difference) <= 40 and sp.simplify(difference) == 0
    except (TypeError, ValueError, sp.PolynomialError, NotImplementedError):
        return False


def defined(value, definitions):
    """``value`` with the topic's definitions substituted (``kappa`` as ``L/mu``).

    Examples
    --------
    >>> import sympy as sp
    >>> kappa, L, mu = sp.symbols("kappa L mu", positive=True)
    >>> defined((kappa - 1) / (kappa + 1), {kappa: L / mu})
    (L/mu - 1)/(L/mu + 1)
    """
    if not definitions or not isinstance(value, sp.Basic):
        return value
    for _ in range(len(definitions)):  # definitions in terms of one another
        value, before = value.xreplace(definitions), value
        if value == before:
            break
    return value


def compare_expressions(claimed, derived, space: Space) -> Outcome:
    r"""A claimed expression against a derived one.

    A lone decimal matches when it is the derived number rounded to the digits written
    or cut off there; a number written with ``\pm`` matches within that spread; a claim
    undefined where the result is defined (a singular matrix inverted) is wrong there.

    Examples
    --------
    >>> import sympy as sp
    >>> from derivations import gd
    >>> d = gd.derive(); eta, sigma = sp.symbols("eta sigma", positive=True)
    >>> compare_expressions(1 - 2*eta*sigma**2, d["update_factor"].value,
    ...                     Space(d, d["update_factor"])).method
    'symbolic'
    """
    unit = space.reading.decimals.get(claimed)
    spread = claimed in space.reading.tolerances
    if derived.is_Integer and claimed.is_number and claimed != derived and (unit or spread):
        return Outcome(False, "numeric", {  # a count is exact: 1.1 \times 10^6 is not 1116042
            "values": {}, "claimed": str(claimed if claimed.is_Integer else sp.N(claimed, 15)),
            "derived": str(derived), "where": "a whole number, asked exactly: the digits or the "
                                              "spread written do not stand for it"})
    if unit is not None and derived.is_number and not spread:
        return _compare_decimal(claimed, derived, unit)
    if _same(claimed, derived):
        return Outcome(True, "symbolic")
    tolerance = space.reading.tolerances.get(claimed)
    tolerance = None if tolerance is None else float(tolerance)
    points = space.points(_symbols_of(claimed, derived))
    checked = 0
    for point in points:
        try:
            c, d = _numbers(claimed, point), _numbers(derived, point)
        except sp.ShapeError as error:
            raise ClaimError(f"the claim's matrix shapes do not fit ({error or type(error).__name__})", 0)
        if d is None:
            continue
        if c is None and space.on_boundary(point):
            continue  # a form undefined at a closed end, where the result has its limit
        if c is None:
            return Outcome(False, "numeric", {"values": _point_shown(point),
                                              "claimed": "undefined", "derived": _shown(d)})
        if len(c) != len(d):
            continue
        checked += 1
        if not all(_close(x, y, tolerance) for x, y in zip(c, d)):
            claimed_shown, derived_shown = _shown_apart(c, d)
            return Outcome(False, "numeric", {"values": _point_shown(point),
                                              "claimed": claimed_shown, "derived": derived_shown})
    if tolerance is not None and checked:
        return Outcome(True, f"numeric: within {tolerance:.2g}, the spread written")
    if checked:
        switches = space.switch_points((claimed, derived), points)
        for point in switches:
            c, d = _numbers(claimed, point), _numbers(derived, point)
            if c is not None and d is not None and len(c) == len(d) and \
                    not all(_close(x, y) for x, y in zip(c, d)):
                claimed_shown, derived_shown = _shown_apart(c, d)
                return Outcome(False, "numeric", {"values": _point_shown(point),
                                                  "claimed": claimed_shown, "derived": derived_shown})
        for point in [*_ends_of(points), *switches]:
            apart = _apart(claimed, derived, point)
            if apart is not None:  # agreeing in double precision only (``x + 10^{-12}``)
                return Outcome(False, "numeric", {"values": _point_shown(point),
                                                  "claimed": _digits(claimed, point),
                                                  "derived": _digits(derived, point),
                                                  "difference": apart})
    if checked and not isinstance(claimed, sp.MatrixExpr) and \
            _simplifies_to_zero(claimed - derived):
        return Outcome(True, "symbolic")
    if checked and points == [{}]:
        return Outcome(True, "numeric: the numbers agree to 9 significant digits")
    if checked:
        return Outcome(True, f"numeric: agreeing at {checked} random points within the assumptions")
    return Outcome(False, "symbolic: the difference does not simplify to 0 and could not be "
                          "evaluated", {"values": {}, "claimed": sp.latex(claimed),
                                        "derived": sp.latex(derived)})


def _ends_of(points):
    """The first and the last of the points drawn, where a difference that agrees in double
    precision is looked at closer: two, so that one value at which a constructed difference
    vanishes (``10^{-20} (3\\sigma - 8)^2``) does not hide it.

    Examples
    --------
    >>> _ends_of([{"x": 1}, {"x": 2}, {"x": 3}]), _ends_of([{}])
    ([{'x': 1}, {'x': 3}], [{}])
    """
    return points[:1] + points[1:][-1:]


def _apart(claimed, derived, point, digits=APART_DIGITS):
    """The difference at ``point`` where it is not 0 (as text), else None: exactly where it
    is a rational number there (a rational function at the rational points drawn), else
    where SymPy's adaptive evaluation tells it from 0 with at most ``digits`` digits of
    working precision (``1 - \\cos(10^{-20})`` is 5e-41); matrices entry by entry.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> _apart(x + sp.Rational(1, 10**12), x, {x: 1}), _apart(2 * x, x + x, {x: 1})
    ('1.0e-12', None)
    >>> _apart(x + sp.Rational(1, 10**50), x, {x: 1})
    '1.0e-50'
    >>> _apart(x * sp.cos(sp.Rational(1, 10**20)), x, {x: 2}), _apart(sp.sin(x)**2, 1 - sp.cos(x)**2, {x: 3})
    ('1.0e-40', None)
    """
    try:
        gaps, sizes = (_entries(value.xreplace(point)) for value in (claimed - derived, derived))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, sp.ShapeError):
        return None
    for gap, size in zip(gaps, sizes):
        if gap.is_Rational:
            if gap != 0:
                return str(sp.N(abs(gap), 2))
            continue
        far = _told_from_zero(gap, size, digits)
        if far is not None:
            return str(sp.N(far, 2))
    return None


def _told_from_zero(gap, size, digits):
    """``|gap|`` where it is told from 0, else None: by SymPy's adaptive evaluation (strict,
    at most ``digits`` digits of working precision); where that gives exactly 0, which it
    can for a difference inside a function (``\\ln(1 + 10^{-30})``), to ``digits`` digits
    beyond their rounding, relative to ``size``.

    Examples
    --------
    >>> sp.N(_told_from_zero(sp.log(1 + sp.Rational(1, 10**30)), sp.S.One, 1100), 3)
    1.00e-30
    """
    try:
        far = sp.Abs(sp.N(gap, 15, strict=True, maxn=digits))  # not a float: 1e-400 is no 0
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None  # PrecisionExhausted among them: 0 as far as ``digits`` digits tell
    if not far.is_Number or far != 0:  # a number, not an unevaluated product of a point
        return far if far.is_Number else None
    try:  # an exact 0 the adaptive evaluation claims: looked at to ``digits`` digits
        far, scale = sp.Abs(sp.N(gap, digits)), sp.Abs(sp.N(size, digits))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    bound = sp.Float(10, digits) ** (5 - digits) * (sp.Max(1, scale) if scale.is_Number else 1)
    return far if far.is_Number and far > bound else None


def _digits(value, point):
    """``value`` at ``point`` to 30 digits (a matrix entry by entry), as text."""
    shown = [str(sp.N(entry, 30)) for entry in _entries(value.xreplace(point))]
    return shown[0] if len(shown) == 1 else shown


def _entries(value):
    """The entries of a matrix (a product of matrices worked out), or ``(value,)``."""
    if isinstance(value, sp.MatrixExpr):
        value = value.doit()
        value = value.as_explicit() if isinstance(value, sp.MatrixExpr) else value
    return tuple(value) if isinstance(value, sp.MatrixBase) else (value,)


def rounded_and_cut(value, unit) -> tuple[sp.Rational, sp.Rational]:
    """``value`` rounded to a multiple of ``unit`` (half away from zero) and cut off there.

    Examples
    --------
    >>> import sympy as sp
    >>> rounded_and_cut(sp.log(10), sp.Rational(1, 10**4))
    (11513/5000, 921/400)
    >>> rounded_and_cut(-sp.Rational(1, 3), sp.Rational(1, 100))
    (-33/100, -33/100)
    """
    sign = -1 if value.is_negative else 1
    scaled = sp.Abs(value) / unit
    return (sign * sp.floor(scaled + sp.S.Half) * unit, sign * sp.floor(scaled) * unit)


def _compare_decimal(claimed, derived, unit):
    """A decimal against a number: equal to it rounded or cut off at the digits written."""
    try:
        allowed = rounded_and_cut(derived, unit)
    except (TypeError, ValueError):
        return Outcome(False, "numeric", {"values": {}, "claimed": str(claimed),
                                          "derived": sp.latex(derived)})
    if claimed == derived:
        return Outcome(True, "numeric: the value exactly")
    if claimed in allowed and min(_significant(claimed, unit), _significant(derived, unit)) >= 2:
        # 0.0 or 0.0001 hide too much, and so does 1.0e-4 for 9.9e-5: one digit of the value
        how = "rounded" if claimed == allowed[0] else "cut off"
        return Outcome(True, f"numeric: the value {how} to the digits written")
    return Outcome(False, "numeric", {
        "values": {}, "claimed": _decimal_shown(claimed, unit),
        "derived": _decimal_shown(allowed[0], unit),
        **({} if claimed not in allowed else {
            "where": "the digits written: an inexact decimal needs two of the value's significant digits"})})


def _significant(value, unit) -> int:
    """The significant digits of a decimal ``value`` written to a multiple of ``unit``.

    Examples
    --------
    >>> _significant(sp.Rational(1, 10**4), sp.Rational(1, 10**4)), _significant(sp.Rational(23026, 10**4), sp.Rational(1, 10**4))
    (1, 5)
    """
    if value == 0:
        return 0
    return int(sp.floor(sp.log(abs(value), 10))) - int(sp.floor(sp.log(unit, 10))) + 1


def _decimal_shown(value, unit):
    digits = max(0, -int(sp.floor(sp.log(unit, 10))))
    return f"{float(value):.{digits}f}"


def _plain(name: str) -> str:
    """A name without the decorations of an optimum or a limit (``eta^*`` is ``eta``)."""
    return name.replace("^*", "").replace("*", "").rstrip("'")


def names_result(label, lhs, known: bool = True) -> bool:
    r"""Whether a claim's left-hand side names the result whose left-hand side is ``lhs``.

    The result's own symbol, the symbol without its star (``\eta`` for ``\eta^*``) and,
    for a name the model does not have (``known=False``), the symbol with a subscript
    (``\lambda_{1,2}`` for ``\lambda``, ``\eta_{opt}`` for ``\eta^*``) or its letter
    starred in place of its subscript (``t^*`` for ``t_\epsilon``).

    Examples
    --------
    >>> import sympy as sp
    >>> eta_star, eta, mu = sp.Symbol("eta^*"), sp.Symbol("eta"), sp.Symbol("mu")
    >>> names_result(eta, eta_star), names_result(mu, eta_star)
    (True, False)
    >>> names_result(sp.Symbol("eta_max"), eta_star), names_result(sp.Symbol("eta_opt"),
    ...                                                             eta_star, known=False)
    (False, True)
    >>> names_result(sp.Symbol("t^*"), sp.Symbol("t_epsilon"), known=False)
    True
    """
    if lhs is None or label == lhs:
        return True
    if not (isinstance(label, sp.Symbol) and isinstance(lhs, sp.Symbol)):
        return False
    mine, theirs = _plain(label.name), _plain(lhs.name)
    return mine == theirs or (not known and (mine.startswith(theirs + "_") or (
        mine != label.name and theirs.startswith(mine + "_"))))


def _as_text(latex: str) -> str:
    """LaTeX without spaces, sizing and braces, for comparing two left-hand sides as text."""
    return re.sub(r"\\left|\\right|\\[,;! ]|[\s{}\\]", "", latex)


def as_system(value):
    """A tuple of equations ``symbol = expression`` with each symbol's expression put into
    the other equations, as a system: the sheet's ``a_{t+1} = ..., x_{t+1} = x_t - \\eta
    a_{t+1}``, in either order.  A system that defines its symbols in a circle keeps them.

    Examples
    --------
    >>> a, x, b = sp.symbols("a x b")
    >>> as_system(sp.Tuple(sp.Eq(x, a + 1), sp.Eq(a, 2 * b)))
    (Eq(x, 2*b + 1), Eq(a, 2*b))
    """
    if not (isinstance(value, sp.Tuple) and value and all(
            isinstance(e, sp.Equality) and isinstance(e.lhs, sp.Symbol) for e in value)):
        return value
    sides = [equation.rhs for equation in value]
    for _ in value:  # one more symbol's expression reaches every equation per round
        sides = [side.xreplace({e.lhs: other for e, other in zip(value, sides)
                                if e.lhs not in other.free_symbols}) for side in sides]
    return sp.Tuple(*(sp.Eq(e.lhs, side, evaluate=False) for e, side in zip(value, sides)))


def one_based(claimed, derived):
    """The claim with the model's entries read 1-based (``X_{ij}`` is the model's
    ``X[i-1, j-1]``) where the result's sums count from 0 and the claim's from 1; else None.
    The sheets fix no index base.

    The sums from 1 are then written from 0 (``i -> i + 1`` inside), which changes no
    value and lets the two be compared term by term.

    Examples
    --------
    >>> i, m = sp.symbols("i m", integer=True); y = sp.IndexedBase("y")
    >>> one_based(sp.Sum(i * y[i], (i, 1, m)), sp.Sum(y[i], (i, 0, m - 1)))
    Sum((i + 1)*y[i], (i, 0, m - 1))
    """
    def counts_from(value, start):
        return any(limit[1] == start for term in value.atoms(sp.Sum, sp.Product)
                   for limit in term.limits)

    def from_zero(term):
        body, limits = term.function, []
        for variable, low, high in term.limits:
            if low == 1:
                body, low, high = body.xreplace({variable: variable + 1}), 0, high - 1
            limits.append((variable, low, high))
        return term.func(body, *limits)
    if not (isinstance(claimed, sp.Basic) and isinstance(derived, sp.Basic)
            and counts_from(derived, 0) and counts_from(claimed, 1)):
        return None
    positions = {limit[0] for term in derived.atoms(sp.Sum, sp.Product) for limit in term.limits
                 if limit[1] == 0}  # entries indexed by these only: w[j], not a time's w[t]
    bases = {entry.base for entry in derived.atoms(sp.Indexed)
             if set(entry.indices) <= positions}
    shifted = claimed.replace(lambda e: isinstance(e, sp.Indexed) and e.base in bases,
                              lambda e: e.base[tuple(index - 1 for index in e.indices)])
    return shifted.replace(lambda e: isinstance(e, (sp.Sum, sp.Product)), from_zero)


def unlabelled(claimed, space: Space):
    """The value a claim ``lhs = value`` gives for the result.

    A left-hand side naming the result gives the value; an equation holding the
    result's symbol is kept to be solved for it; any other left-hand side names another
    quantity and cannot be read as an answer for this result.
    """
    if not isinstance(claimed, _Labelled):
        return claimed
    if space.lhs is None or _as_text(claimed.text) == _as_text(sp.latex(space.lhs)):
        return claimed.value
    if claimed.lhs is None:  # ``\lambda_\pm``: a name with a subscript the model lacks
        name = normal_name(claimed.text)
        if re.fullmatch(r"[A-Za-z]+_[A-Za-z0-9,+-]+", name) and \
                names_result(sp.Symbol(name), space.lhs, known=False):
            return claimed.value
        raise ClaimError(f"could not read the left-hand side {claimed.text!r}", claimed.position)
    label, unknown = claimed.lhs, claimed.unknown
    known_label = not (unknown & label.free_symbols) if isinstance(label, sp.Basic) else False
    if names_result(label, space.lhs, known_label) or _counts_result(label, space.lhs) or \
            _as_text(sp.latex(label)) == _as_text(sp.latex(space.lhs)):
        return claimed.value
    value = claimed.value
    equation = sp.Eq(label, value, evaluate=False) if isinstance(value, sp.Expr) else None
    if known_label and equation is not None and _result_unknown(equation, space.lhs) is not None:
        return equation  # solved for the result when compared
    wanted = f"the result's {sp.latex(space.lhs)}" if space.lhs is not None else "the result"
    raise ClaimError(f"the left-hand side {claimed.text!r} names another quantity, not "
                     f"{wanted}", claimed.position)


def range_of(claimed, space: Space, universe=None):
    r"""The set of the result's variable that a range ``x \in S`` states.

    ``x`` is the result's variable, or an expression ``a v + b`` in it with ``a`` of a
    known sign (``0 < 2\eta < 2/\sigma^2`` is ``0 < \eta < 1/\sigma^2``); the side a
    one-sided chain leaves open (``2\eta < 2/\sigma^2``) is the variable's domain's, while
    an infinite end written out stays.  Any other expression in the variable
    (``|1 - 2\eta\sigma^2| < 1``, a discriminant ``\geq 0``) is a condition on it, kept
    as the set of the variable's domain where it holds, solved at each point compared.
    Ranges joined by ``\lor`` and ``\land`` are the union and the intersection of theirs.
    A range of a quantity without the variable is not read as an answer.

    Examples
    --------
    >>> from derivations import gd
    >>> d = gd.derive(); eta, sigma = sp.symbols("eta sigma", positive=True)
    >>> range_of(sp.Contains(2 * eta, sp.Interval.open(0, 2 / sigma**2), evaluate=False),
    ...          Space(d, d["stability_range"]))
    Interval.open(0, sigma**(-2))
    """
    if isinstance(claimed, (sp.Or, sp.And)):
        join = sp.Union if isinstance(claimed, sp.Or) else sp.Intersection
        universe = universe or (sp.Reals if _writes_outside(claimed, space) else None)
        return join(*(range_of(part, space, universe) for part in claimed.args))
    if not isinstance(claimed, sp.Contains):
        raise ClaimError(r"the parts joined by \lor or \land must be ranges", 0)
    element, values = claimed.args
    if not isinstance(space.lhs, sp.Symbol):
        return values
    twin = sp.Symbol(space.lhs.name, real=True)  # the reader's variable, without assumptions
    variable = twin if twin in claimed.free_symbols else space.lhs
    bounded = variable in values.free_symbols
    domain = universe or space.domains.get(space.lhs, sp.Reals)
    one_sided = claimed in space.reading.one_sided
    hull = domain if isinstance(domain, sp.Interval) and one_sided else sp.Reals
    if element == variable and not bounded:
        if isinstance(values, sp.ConditionSet) and universe is not None:  # a set-builder's
            return sp.ConditionSet(values.sym, values.condition, universe)
        return _preimage(values, sp.S.One, sp.S.Zero, hull)
    if isinstance(values, sp.ConditionSet) and values.sym != variable or not bounded and not (
            isinstance(element, sp.Expr) and variable in element.free_symbols):  # \{\sigma | ..\}
        raise ClaimError(f"the range is of {sp.latex(element)}, not of the result's "
                         f"{sp.latex(variable)}; state it for {sp.latex(variable)}", 0)
    try:
        polynomial = None if bounded else sp.Poly(element, variable)
    except sp.PolynomialError:
        polynomial = None
    slope = polynomial.coeff_monomial(variable) if polynomial is not None else None
    if polynomial is None or polynomial.degree() != 1 or not (
            slope.is_positive or slope.is_negative):  # eta in its own bound too (eta < 2 - eta)
        return _set_where(variable, element, values, domain)
    return _preimage(values, slope, polynomial.coeff_monomial(1), hull)


def _writes_outside(claimed, space) -> bool:
    """Whether a part of ranges joined by ``\\land``, ``\\lor`` writes an end on or past the
    edge of the variable's domain (``\\eta \\geq 0``, ``\\eta > -5``): its parts then state
    the sets they write, an open side unbounded, not filled from the domain."""
    domain = space.domains.get(space.lhs)
    if not isinstance(domain, sp.Interval):
        return False
    for part in claimed.atoms(sp.Contains):
        written = range_of(part, space, sp.Reals)
        for interval in [written] if isinstance(written, sp.Interval) else written.atoms(sp.Interval):
            for end, edge in ((interval.start, domain.inf), (interval.end, domain.sup)):
                if end.is_finite and (end in (domain.inf, domain.sup) or
                                      domain.contains(end) == sp.false):
                    return True
                infinite_written = part not in space.reading.one_sided or written == sp.Reals
                if end.is_infinite and infinite_written and edge.is_finite:  # eta > -oo
                    return True
    return False


def _preimage(values, slope, offset, hull):
    """``{v : slope v + offset in values}`` for an interval, a union or a finite set; an
    infinite end is the ``hull``'s end on that side."""
    if isinstance(values, sp.Union):
        return sp.Union(*(_preimage(part, slope, offset, hull) for part in values.args),
                        evaluate=False)
    if isinstance(values, sp.FiniteSet):
        return sp.FiniteSet(*((value - offset) / slope for value in values.args))
    if not isinstance(values, sp.Interval):
        return values
    ends = [((values.start - offset) / slope, values.left_open),
            ((values.end - offset) / slope, values.right_open)]
    (start, left_open), (end, right_open) = ends if slope.is_positive else ends[::-1]
    if start.is_infinite:
        start, left_open = hull.start, hull.left_open
    if end.is_infinite:
        end, right_open = hull.end, hull.right_open
    return sp.Interval(start, end, left_open, right_open)


def _frozen(value):
    r"""``value`` with each derivative of a name (``\partial h_n / \partial w_i``) kept as an
    unknown of its own: the name stands for a function of the model that SymPy does not
    see, and would otherwise differentiate to 0.

    Examples
    --------
    >>> h, w = sp.IndexedBase("h"), sp.IndexedBase("w")
    >>> _frozen(sp.Derivative(h[1], w[2]) + 1)
    \frac{\partial}{\partial {w}_{2}} {h}_{1} + 1
    """
    if not isinstance(value, sp.Basic):
        return value
    names = {d: sp.Symbol(sp.latex(d), real=True) for d in value.atoms(sp.Derivative)
             if isinstance(d.expr, (sp.Indexed, sp.Symbol))}
    return value.xreplace(names) if names else value


def takes_derivatives(value) -> bool:
    r"""Whether ``value`` holds a derivative SymPy works out (a derivative of a name is an
    unknown of its own, :func:`_frozen`): a claim that writes the derivative asked for
    (``\frac{\partial}{\partial w} (...)^2``) is judged by its value, and says so.

    Examples
    --------
    >>> x, h = sp.Symbol("x"), sp.IndexedBase("h")
    >>> takes_derivatives(sp.Derivative(x**2, x)), takes_derivatives(sp.Derivative(h[1], x))
    (True, False)
    """
    value = _frozen(value)
    return isinstance(value, sp.Basic) and any(d.doit() != d for d in value.atoms(sp.Derivative))


def compare(claimed, derived, space: Space) -> Outcome:
    """Dispatch on the derived value's kind: sets, tuples, matrices, relations, orders."""
    if isinstance(claimed, _Labelled):
        claimed = claimed.value  # labels inside tuples are matched by _by_label
    claimed, derived = _frozen(claimed), _frozen(derived)
    if isinstance(claimed, (sp.Contains, sp.Or, sp.And)) and isinstance(derived, sp.Set):
        claimed = range_of(claimed, space)
    if isinstance(derived, sp.Set):
        if isinstance(claimed, sp.Expr) and isinstance(derived, sp.FiniteSet):
            claimed = sp.FiniteSet(claimed)
        return _compare_sets(claimed, derived, space)
    if isinstance(derived, sp.Tuple):
        return _compare_sequences(claimed, derived, space, "element")
    if isinstance(derived, sp.MatrixBase):
        if not isinstance(claimed, (sp.MatrixBase, sp.MatrixExpr)) or \
                claimed.shape != derived.shape:
            return _mismatch(claimed, f"a {derived.rows}x{derived.cols} matrix")
        if not isinstance(claimed, sp.MatrixBase):  # a product of matrix symbols
            return compare_expressions(claimed, derived, space)
        return _compare_sequences(sp.Tuple(*claimed), sp.Tuple(*derived), space, "entry",
                                  derived.cols)
    if isinstance(claimed, sp.Order) or isinstance(derived, sp.Order):
        return _compare_orders(claimed, derived, space)
    if isinstance(derived, sp.core.relational.Relational):
        return _compare_relations(claimed, derived, space)
    if isinstance(claimed, sp.core.relational.Relational):
        return _compare_bound(claimed, derived, space)
    if not isinstance(claimed, (sp.Expr, sp.MatrixExpr)):
        return _mismatch(claimed, "an expression")
    return compare_expressions(claimed, derived, space)


def _mismatch(claimed, wanted):
    """A claim of another kind than the result (an expression for a range, ...)."""
    raise ClaimError(f"the result is {wanted}, the claim reads as {_kind(claimed)}", 0)


def _kind(value):
    for kind, name in ((sp.Interval, "an interval"), (sp.Set, "a set"),
                       (sp.Tuple, "a tuple"), (sp.MatrixBase, "a matrix"),
                       (sp.core.relational.Relational, "a relation"), (sp.Expr, "an expression")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _by_label(claimed, derived, names=None):
    """Labelled claims (``m = ..., \\alpha = ...``) put in the order of the derived labels:
    those of the derived equations, else ``names`` (the result's left-hand side, a tuple);
    a part matched to a derived value that is no equation gives its value."""
    def label(item):
        return item.lhs if isinstance(item, sp.Eq) else None
    wanted = [label(d) for d in derived]
    if None in wanted and isinstance(names, sp.Tuple) and len(names) == len(derived):
        wanted = list(names)
    given = [label(c) for c in claimed]
    if None in wanted or None in given or len(set(given)) != len(given) or \
            set(given) != set(wanted):
        return claimed
    order = {g: c for g, c in zip(given, claimed)}
    return sp.Tuple(*(order[w] if isinstance(d, sp.Eq) else order[w].rhs
                      for w, d in zip(wanted, derived)))


def _compare_sequences(claimed, derived, space, label, columns=None):
    if not isinstance(claimed, sp.Tuple) or len(claimed) != len(derived):
        return _mismatch(claimed, f"a tuple of {len(derived)}")
    claimed = _by_label(claimed, derived, space.lhs)
    if any(isinstance(c, sp.Eq) and not isinstance(d, sp.Eq) for c, d in zip(claimed, derived)):
        names = ", ".join(map(sp.latex, space.lhs)) if isinstance(space.lhs, sp.Tuple) else None
        raise ClaimError("the labels do not name the result's parts" +
                         (f" ({names}) once each" if names else ""), 0)
    methods, parts, witness = [], [], None
    for index, (c, d) in enumerate(zip(claimed, derived)):
        outcome = compare(c, d, space)
        parts.append(outcome.correct)
        methods.append(outcome.method)
        if not outcome.correct and witness is None:
            where = f"{label} {index + 1}" if columns is None else \
                f"{label} ({index // columns + 1}, {index % columns + 1})"
            inner = (outcome.witness or {}).get("where")
            where = f"{where}, {inner}" if inner else where
            witness = {**(outcome.witness or {}), "where": where}
    numeric = [m for m in methods if m != "symbolic"]
    method = numeric[0] if numeric else "symbolic"
    return Outcome(all(parts), method, witness, tuple(parts))


def _order_variables(claimed, derived, order_in=None):
    r"""The variables that grow: the derived order's, else the one the result is asked as an
    order in and every one of the claim's (``O(B^2/\sqrt T)`` is not the order in B of
    ``B \rho / \sqrt T``; ``O(B \rho t / \sqrt T)`` grows with the step index ``t``, which the
    result does not depend on)."""
    if isinstance(derived, sp.Order) and derived.variables:
        return derived.variables
    shared = sorted(set(claimed.variables) | {order_in} - {None}, key=str)
    if not shared:
        raise ClaimError("cannot tell which variable grows in the order", 0)
    return shared


def _compare_orders(claimed, derived, space):
    """Orders of growth: the same order when the ratio tends to a finite non-zero limit (or
    stays between two such bounds) as each variable that grows does, the others held
    fixed. An exact result is answered by an order only where its statement asks for one."""
    if not isinstance(claimed, sp.Order):
        return _mismatch(claimed, "an order of growth O(.)")
    if any(point != sp.oo for point in claimed.point):
        raise ClaimError("an order of growth is taken as its variable tends to infinity", 0)
    theirs = derived.expr if isinstance(derived, sp.Order) else derived
    if not isinstance(derived, sp.Order) and space.order_in is None:
        return Outcome(False, "symbolic", {
            "values": {}, "claimed": sp.latex(claimed), "derived": sp.latex(derived),
            "where": "an order of growth, for a result asked as an exact value"})
    mine = space.reading.orders.get(claimed, claimed.expr)  # as written: O(sin T) is not O(1)
    for variable in _order_variables(claimed, derived, space.order_in):
        ratio = sp.limit(sp.simplify(mine / theirs), variable, sp.oo)
        if isinstance(ratio, AccumBounds):  # bounded between two limits
            ratio = ratio.min * ratio.max if ratio.min.is_positive or ratio.max.is_negative \
                else sp.S.Zero
        if not (ratio.is_finite and ratio != 0):
            return Outcome(False, "symbolic", {
                "values": {str(variable): "oo"}, "claimed": sp.latex(claimed),
                "derived": sp.latex(sp.Order(theirs, (variable, sp.oo))), "ratio": str(ratio)})
    return Outcome(True, "symbolic: the same order of growth")


def _sides(relation):
    if isinstance(relation, (sp.StrictGreaterThan, sp.GreaterThan)):
        relation = relation.reversed
    return type(relation), relation.lhs - relation.rhs


def _compare_relations(claimed, derived, space):
    if not isinstance(claimed, sp.core.relational.Relational):
        return _mismatch(claimed, "a relation")
    (c_kind, c_gap), (d_kind, d_gap) = _sides(claimed), _sides(derived)
    if c_kind is not d_kind:
        return Outcome(False, "symbolic", {"values": {}, "claimed": sp.latex(claimed),
                                           "derived": sp.latex(derived)})
    outcome = compare_expressions(c_gap, d_gap, space)
    if not outcome.correct and d_kind in (sp.Eq, sp.Ne):
        flipped = compare_expressions(c_gap, -d_gap, space)
        outcome = flipped if flipped.correct else outcome
    if not outcome.correct and _scaled(c_gap, d_gap, d_kind):
        return Outcome(True, "symbolic: the same relation, both sides times a positive factor")
    if not outcome.correct and d_kind is sp.Eq and isinstance(derived.lhs, sp.Symbol) and \
            derived.lhs in claimed.free_symbols:
        solved = _solved_for(claimed, derived.lhs, space)  # the same equation, solved another way
        if solved is not None:
            outcome = compare_expressions(solved, derived.rhs, space)
            if outcome.witness:
                outcome.witness["where"] = f"{derived.lhs} from the equation"
            return outcome
    if outcome.witness:
        outcome.witness["where"] = "the difference of the two sides"
    return outcome


def _scaled(mine, theirs, kind) -> bool:
    """Whether ``mine = f theirs`` with ``f`` positive by the symbols' assumptions (non-zero
    for an equation): ``4^{n-i+1} |g| <= 1`` is ``|g| <= 4^{-(n-i+1)}``. Small gaps only
    (``simplify`` can take seconds on large ones)."""
    if sp.count_ops(mine) + sp.count_ops(theirs) > 40 or theirs == 0:
        return False
    try:
        factor = sp.simplify(mine / theirs)
    except (TypeError, ValueError, sp.PolynomialError, NotImplementedError):
        return False
    return bool(factor.is_positive or (kind in (sp.Eq, sp.Ne) and factor.is_nonzero))


def _result_unknown(expression, lhs):
    """The symbol to solve ``expression`` for to find the result: the result's left-hand
    side's one symbol (``\\sigma_W`` for ``\\sigma_W^2``) where ``expression`` holds it,
    else None."""
    symbols = lhs.free_symbols if isinstance(lhs, sp.Expr) else set()
    if len(symbols) != 1 or not isinstance(lhs, (sp.Symbol, sp.Pow, sp.Mul)):
        return None
    symbol = symbols.pop()
    return symbol if symbol in expression.free_symbols else None


def _solved_for(equation, symbol, space):
    """The one solution of ``equation`` for ``symbol``, or None.  Where the equation is
    linear in ``symbol`` its coefficient must be non-zero at every point drawn: SymPy's
    solve divides by it, and ``X = X + (X - V) \\max(0, \\eta - \\eta^2 - 1)`` says nothing
    of ``X`` (red team 11)."""
    linear = sp.expand(equation.lhs - equation.rhs).as_poly(symbol)
    if linear is not None and linear.degree() == 1:
        slope = linear.coeff_monomial(symbol)
        points = space.points(slope.free_symbols) if slope.free_symbols else [{}]
        rng = random.Random(space.seed + 2)  # and where it is 0 (beta = 1 for 1 - beta)
        points += [zero for point in points[:2]
                   for zero in space._one_at_a_time(slope, False, point, rng)]
        if slope == 0 or any(_numbers(slope, point) in (None, (0,)) for point in points):
            return None
    try:
        solutions = sp.solve(sp.Eq(equation.lhs, equation.rhs), symbol, dict=False)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return solutions[0] if len(solutions) == 1 else None


def _compare_bound(claimed, derived, space):
    r"""A relation for an expression result: the threshold it states (``t \geq E`` for
    ``\lceil E \rceil``, the least integer past it), or the equation solved for the result."""
    unknown = _result_unknown(claimed, space.lhs) if isinstance(claimed, sp.Eq) else None
    if unknown is not None:
        solved = _solved_for(claimed, unknown, space)
        if solved is None:
            raise ClaimError(f"the equation does not give {sp.latex(unknown)} one value", 0)
        return compare_expressions(space.lhs.xreplace({unknown: solved}), derived, space)
    bounds = (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan)
    if not (isinstance(derived, sp.ceiling) and isinstance(claimed, bounds)):
        return _mismatch(claimed, "an expression")
    above = claimed if isinstance(claimed, (sp.StrictGreaterThan, sp.GreaterThan)) else \
        claimed.reversed  # ``big > small``
    if _counts_result(above.lhs, space.lhs) and isinstance(above, sp.StrictGreaterThan):
        return Outcome(False, "symbolic", {  # the least integer past E is floor(E) + 1
            "values": {"E": "a whole number"}, "claimed": sp.latex(claimed),
            "derived": sp.latex(sp.GreaterThan(above.lhs, derived.args[0], evaluate=False)),
            "where": "a strict bound: the least whole t > E is floor(E) + 1, not ceil(E)"})
    if _counts_result(above.lhs, space.lhs) and isinstance(above.rhs, sp.ceiling):
        return compare_expressions(above.rhs, derived, space)  # t >= ceil(E): t >= E
    if _counts_result(above.lhs, space.lhs):
        return compare_expressions(above.rhs, derived.args[0], space)
    if _counts_result(above.rhs, space.lhs):  # an upper bound on the count: the wrong way
        return Outcome(False, "symbolic", {"values": {}, "claimed": sp.latex(claimed),
                                           "derived": sp.latex(sp.GreaterThan(
                                               above.rhs, derived.args[0], evaluate=False))})
    raise ClaimError(f"the bound is not on the result's {sp.latex(space.lhs)}", 0)


def _counts_result(variable, lhs) -> bool:
    """Whether a bound's variable is the result's (``t`` for ``t_epsilon``, ``k`` for ``k_min``)."""
    if not isinstance(variable, sp.Symbol):
        return False
    return lhs is None or (isinstance(lhs, sp.Symbol) and
                           variable.name in (lhs.name, lhs.name.split("_")[0]))


def _compare_sets(claimed, derived, space):
    if not isinstance(claimed, sp.Set):
        return _mismatch(claimed, _kind(derived))
    written, claimed = claimed, _decimal_ends(claimed, derived, space)
    if written != claimed:  # decimal ends written to their digits
        outcome = _compare_sets(claimed, derived, space)
        return replace(outcome, method="numeric: the ends to the digits written") \
            if outcome.correct else outcome
    if _same_set(claimed, derived):
        parts = (True,) * len(derived) if isinstance(derived, sp.FiniteSet) else None
        return Outcome(True, "symbolic", parts=parts)
    points = space.points(_symbols_of(claimed, derived))
    checked = 0
    for point in points:
        outcome = _set_difference(claimed, derived, point)
        checked += outcome is not None
        if outcome:
            return outcome
    if claimed.has(sp.ConditionSet) and checked < len(points):  # unsolved points hide anything
        raise ClaimError(f"could solve the condition at {checked} of the {len(points)} points "
                         "drawn only; state the range as an interval or a chain of inequalities", 0)
    switches = space.switch_points((claimed, derived), points) if checked else []
    for point in switches:
        outcome = _set_difference(claimed, derived, point)
        if outcome:
            return outcome
    for point in [*_ends_of(points), *switches] if checked else ():
        try:
            mine = _solved(claimed, point)
        except TypeError:  # a switch point where the condition cannot be solved
            continue
        if not isinstance(mine, (sp.Interval, sp.Union)):
            break
        mine_ends, their_ends = _ends(mine, point), _ends(derived, point)
        for mine, theirs in zip(mine_ends, their_ends) if len(mine_ends) == len(their_ends) \
                else ():  # pieces merged in one and not the other: agreeing numerically
            gap = _apart(mine, theirs, point)
            if gap is not None:  # ends equal in double precision only
                return Outcome(False, "numeric", {
                    "values": _point_shown(point), "claimed": _digits(mine, point),
                    "derived": _digits(theirs, point), "difference": gap,
                    "where": "an end of the range"})
    if checked and isinstance(claimed, sp.FiniteSet) and isinstance(derived, sp.FiniteSet):
        point = points[0]
        for element in claimed.args:  # each equal to a derived one beyond double precision
            if isinstance(element, sp.Expr) and all(
                    _apart(element, other, point) is not None for other in derived.args):
                return Outcome(False, "numeric", {
                    "values": _point_shown(point), "claimed": str(sp.N(element.xreplace(point), 30)),
                    "derived": _set_shown(_set_numbers(derived.xreplace(point)))})
    if checked:
        parts = (True,) * len(derived) if isinstance(derived, sp.FiniteSet) else None
        return Outcome(True, f"numeric: agreeing at {checked} random points within the "
                             f"assumptions", parts=parts)
    return Outcome(False, "symbolic", {"values": {}, "claimed": sp.latex(claimed),
                                       "derived": sp.latex(derived)})


def _decimal_ends(claimed, derived, space):
    """A numeric range's decimal ends as the derived ends they give to the digits written
    (``0 < \\eta < 0.1111`` for ``1/9``), by the rule for a lone decimal."""
    if not isinstance(claimed, (sp.Interval, sp.Union)) or derived.free_symbols or \
            claimed.free_symbols:
        return claimed
    mine, theirs = _ends(claimed, {}), _ends(derived, {})
    if len(mine) != len(theirs):
        return claimed
    written = {end: space.reading.decimals.get(end) for end in mine}
    return claimed.xreplace({end: exact for end, exact in zip(mine, theirs) if written[end]
                             is not None and _compare_decimal(end, exact, written[end]).correct})


def _ends(value, point):
    """The finite ends of an interval or a union's intervals, in their order at ``point``."""
    parts = value.args if isinstance(value, sp.Union) else (value,)
    ends = [end for part in parts if isinstance(part, sp.Interval)
            for end in (part.start, part.end) if not end.is_infinite]
    return sorted(ends, key=lambda end: complex(sp.N(end.xreplace(point))).real)


def _set_difference(claimed, derived, point):
    """A wrong outcome where the two sets differ at ``point``, False where they agree, None
    where either cannot be evaluated."""
    try:
        c, d = _set_numbers(_solved(claimed, point)), _set_numbers(derived.xreplace(point))
    except (TypeError, ValueError):
        return None
    if _same_numbers(c, d):
        return False
    return Outcome(False, "numeric", {"values": _point_shown(point), "claimed": _set_shown(c),
                                      "derived": _set_shown(d)},
                   _set_parts(claimed, derived, c, d))


def _solved(value, point):
    """A set at ``point``, each condition on a variable (a ``ConditionSet``) solved there
    exactly (:func:`_condition_set`).

    Examples
    --------
    >>> x, s = sp.symbols("x s", positive=True)
    >>> _solved(sp.ConditionSet(x, abs(1 - 2*x*s) < 1, sp.Interval.open(0, sp.oo)), {s: 2})
    Interval.open(0, 1/2)
    """
    value = value.xreplace(point)
    return value.replace(sp.ConditionSet, lambda variable, condition, domain: _condition_set(
        condition, variable, domain)) if value.has(sp.ConditionSet) else value


def _condition_set(condition, variable, domain):
    """Where ``condition`` holds in ``domain``, exactly, for a condition rational in
    ``variable`` with numbers for coefficients once each ``|a|`` is split by the sign of
    ``a``; a ``TypeError`` for any other (SymPy's general ``solveset`` takes seconds).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> _condition_set(sp.Abs(1 - x) < 1, x, sp.Reals)
    Interval.open(0, 2)
    """
    if condition in (sp.true, sp.false):
        return domain if condition == sp.true else sp.S.EmptySet
    if isinstance(condition, (sp.And, sp.Or)):
        join = sp.Intersection if isinstance(condition, sp.And) else sp.Union
        return join(*(_condition_set(part, variable, domain) for part in condition.args))
    if not isinstance(condition, sp.core.relational.Relational):
        raise TypeError(f"cannot solve {condition} for {variable}")
    bars = [bar for bar in _atoms(condition, sp.Abs) if variable in bar.free_symbols]
    if bars:  # solved where the first bar's inside has each sign: a sign no value has ends
        inside = bars[0].args[0]  # the branch, so n bars take as many branches as regions
        regions = [(_condition_set(sign, variable, domain), value)
                   for sign, value in ((inside >= 0, inside), (inside < 0, -inside))]
        return sp.Union(*(_condition_set(condition.xreplace({bars[0]: value}), variable, region)
                          for region, value in regions if region != sp.S.EmptySet))
    if _degree_bound(condition.lhs - condition.rhs, variable) > MAX_DEGREE:  # x^999: minutes
        raise TypeError(f"{condition} is of degree over {MAX_DEGREE} in {variable}")
    numerator, denominator = sp.fraction(sp.together(condition.lhs - condition.rhs))
    if (numerator.free_symbols | denominator.free_symbols) - {variable}:
        raise TypeError(f"cannot solve {condition} for {variable}")
    try:
        polynomials = sp.Poly(numerator, variable), sp.Poly(denominator, variable)
    except sp.PolynomialError as error:
        raise TypeError(f"cannot solve {condition} for {variable}") from error
    try:
        return solve_rational_inequalities([[(polynomials, condition.rel_op)]]).intersect(domain)
    except NotImplementedError as error:  # "sorted roots not supported over EX": a sqrt(2)
        solved = _linear_set(*polynomials, condition.rel_op)
        if solved is None:
            raise TypeError(f"cannot solve {condition} for {variable}") from error
        return solved.intersect(domain)


def _linear_set(numerator, denominator, relation):
    """Where ``numerator / denominator`` (a linear polynomial over a constant, with algebraic
    numbers such as ``2\\sqrt{1 - \\beta}`` for coefficients) stands in ``relation`` to 0,
    or None for any other.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> _linear_set(sp.Poly(x - sp.sqrt(2), x), sp.Poly(-1, x), "<")
    Interval.open(sqrt(2), oo)
    """
    if numerator.degree() > 1 or denominator.degree() > 0:
        return None
    slope, offset = (c / denominator.LC() for c in numerator.all_coeffs()[-2:]) \
        if numerator.degree() == 1 else (sp.S.Zero, numerator.LC() / denominator.LC())
    if slope == 0:
        holds = sp.core.relational.Relational(offset, 0, relation)
        return sp.Reals if holds == sp.true else sp.S.EmptySet if holds == sp.false else None
    if not (slope.is_positive or slope.is_negative):
        return None
    root = -offset / slope
    if relation in ("==", "!="):
        return sp.FiniteSet(root) if relation == "==" else sp.Reals - sp.FiniteSet(root)
    below = (relation in ("<", "<=")) == bool(slope.is_positive)  # the side where it holds
    closed = relation in ("<=", ">=")
    return sp.Interval(-sp.oo, root, True, not closed) if below else \
        sp.Interval(root, sp.oo, not closed, True)


def _degree_bound(expression, variable) -> float:
    """A bound on the degree in ``variable`` of a rational function's numerator and
    denominator, found without expanding (``(1 - x)^{999}``); infinite for anything else.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> _degree_bound((1 - x)**3 / (x + y) + x**2, x), _degree_bound(sp.sqrt(x), x)
    (6, inf)
    """
    if variable not in expression.free_symbols:
        return 0
    if expression == variable:
        return 1
    if isinstance(expression, sp.Pow) and expression.exp.is_Integer:
        return _degree_bound(expression.base, variable) * abs(int(expression.exp))
    if isinstance(expression, (sp.Add, sp.Mul)):  # a sum over a common denominator at worst
        return sum(_degree_bound(term, variable) for term in expression.args)
    return math.inf


def _set_parts(claimed, derived, c, d):
    """For finite sets: whether each derived element is among the claimed ones."""
    if not (isinstance(claimed, sp.FiniteSet) and isinstance(derived, sp.FiniteSet)):
        return None
    found = [any(_same_numbers((x,), (y,)) for y in c) for x in d]
    return tuple(found) + (False,) * max(0, len(c) - len(d))


def _same_set(a, b):
    if type(a) is not type(b) or len(a.args) != len(b.args):
        return False
    if isinstance(a, sp.Interval):
        return (a.left_open, a.right_open) == (b.left_open, b.right_open) and \
            _same(a.start, b.start) and _same(a.end, b.end)
    if isinstance(a, (sp.Union, sp.FiniteSet)) and len(a.args) <= 6:
        same = _same_set if isinstance(a, sp.Union) else _same_element
        return any(all(same(x, y) for x, y in zip(order, b.args))
                   for order in itertools.permutations(a.args))
    return a == b


def _same_element(a, b):
    if isinstance(a, sp.Tuple) and isinstance(b, sp.Tuple):
        return len(a) == len(b) and all(_same_element(x, y) for x, y in zip(a, b))
    return isinstance(a, sp.Expr) and isinstance(b, sp.Expr) and _same(a, b)


def _set_numbers(value):
    """A numeric set as sorted tuples: intervals ``(start, end, left_open, right_open)``."""
    if value is sp.S.EmptySet:
        return ()
    if isinstance(value, sp.Interval):
        start, end = complex(sp.N(value.start)), complex(sp.N(value.end))
        return (("I", start, end, value.left_open or not math.isfinite(start.real),
                 value.right_open or not math.isfinite(end.real)),)
    if isinstance(value, sp.Union):
        return tuple(sorted((part for arg in value.args for part in _set_numbers(arg)),
                            key=lambda p: p[1].real))
    if isinstance(value, sp.FiniteSet):
        elements = [tuple(complex(sp.N(e)) for e in (x if isinstance(x, sp.Tuple) else (x,)))
                    for x in value.args]
        elements.sort(key=lambda e: [(z.real, z.imag) for z in e])
        return tuple(("E", *e) for e in elements)
    raise TypeError(f"cannot evaluate the set {value}")


def _same_numbers(c, d):
    if len(c) != len(d):
        return False
    for x, y in zip(c, d):
        if len(x) != len(y) or x[0] != y[0]:
            return False
        for u, v in zip(x[1:], y[1:]):
            if isinstance(u, bool) or isinstance(v, bool):
                if u != v:
                    return False
            elif not (u == v or _close(u, v)):
                return False
    return True


def _set_shown(parts):
    shown = []
    for part in parts:
        if part[0] == "I":
            _, start, end, left_open, right_open = part
            shown.append(f"{'(' if left_open else '['}{_shown((start,))}, {_shown((end,))}"
                         f"{')' if right_open else ']'}")
        else:
            shown.append(_shown(part[1:]) if len(part) == 2 else f"({', '.join(_shown(part[1:]))})")
    if parts and parts[0][0] == "I":
        return " U ".join(shown)
    return "{" + ", ".join(map(str, shown)) + "}"
