r"""Diagnosing slips: the fourth room of the checker.

A wrong claim is tested against the derived value transformed by each slip of the
catalogue (:data:`CATALOGUE`, one table): when the claim equals the transformed value
within the model's assumptions, that slip explains it.  Slips of values (a factor of 2,
a flipped sign, a reciprocal, a missing square or square root, an exponent off by one,
min and max swapped) and slips of ranges (reversed, an end open instead of closed, a
bound that holds but is not tight) are in the same table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .comparing import Space, compare, range_of
from .reading import ClaimError

__all__ = ["Slip", "CATALOGUE", "diagnose"]


@dataclass(frozen=True)
class Slip:
    """One entry of the catalogue.

    ``variants(derived, space)`` gives the values a claim with this slip would have (for
    a range slip tested by inclusion, ``holds(claimed, derived, space)`` decides instead).
    """

    name: str
    says: str
    variants: Callable | None = None
    holds: Callable | None = None

    def explains(self, claimed, derived, space: Space) -> bool:
        """Whether this slip turns the derived value into the claim."""
        try:
            if self.holds is not None:
                return bool(self.holds(claimed, derived, space))
            return any(compare(claimed, variant, space).correct
                       for variant in self.variants(derived, space))
        except (ClaimError, TypeError, ValueError, AttributeError, NotImplementedError,
                ZeroDivisionError, IndexError, sp.ShapeError):
            return False


def _scalar(transform):
    """Variants of an expression result (none for sets, tuples, relations)."""
    def variants(derived, space):
        if isinstance(derived, sp.Expr) and derived != 0 and \
                not isinstance(derived, (sp.Order, sp.MatrixBase, sp.MatrixExpr)):
            return [value for value in transform(derived) if value != derived]
        return []
    return variants


def _exponents(derived, step):
    """The derived value with one power's exponent moved by ``step`` (at most six tries)."""
    powers = [p for p in sp.preorder_traversal(derived)
              if isinstance(p, sp.Pow) and p.exp not in (sp.S.Half, -sp.S.Half)][:6]
    return [derived.xreplace({p: sp.Pow(p.base, p.exp + step)}) for p in powers]


def _swap_min_max(derived):
    swapped = derived.replace(lambda e: isinstance(e, (sp.Max, sp.Min)),
                              lambda e: (sp.Min if isinstance(e, sp.Max) else sp.Max)(*e.args))
    names = {s: sp.Symbol(s.name.replace("max", "\0").replace("min", "max").replace("\0", "min"),
                          **s.assumptions0)
             for s in derived.free_symbols if "max" in s.name or "min" in s.name}
    return [swapped.xreplace(names)] if names or swapped != derived else []


def _closed(value):
    """A range with every finite end closed (for slips of open and closed ends)."""
    if isinstance(value, sp.Interval):
        return sp.Interval(value.start, value.end, value.start.is_infinite,
                           value.end.is_infinite)
    if isinstance(value, sp.Union):
        return sp.Union(*(_closed(part) for part in value.args), evaluate=False)
    return value


def _range(value):
    return isinstance(value, (sp.Interval, sp.Union))


def _open_closed(claimed, derived, space):
    return _range(claimed) and _range(derived) and \
        compare(_closed(claimed), _closed(derived), space).correct


def _reversed(claimed, derived, space):
    """The claim is the rest of the variable's domain: the inequality points the wrong way
    (compared at points, ends taken closed)."""
    if not (_range(claimed) and _range(derived)):
        return False
    domain = space.domains.get(space.lhs, sp.Reals)
    symbols = (claimed.free_symbols | derived.free_symbols) - {space.lhs}
    checked = 0
    for point in space.points(symbols):
        rest = sp.Complement(domain, derived.xreplace(point))
        mine = _closed(claimed.xreplace(point))
        if not _range(rest) or mine != _closed(rest):
            return False
        checked += 1
    return checked > 0


def _inclusion(claimed, derived, space, wider):
    """At every point: the claimed range strictly contains (or lies inside) the derived one."""
    if not (_range(claimed) and _range(derived)):
        return False
    symbols = (claimed.free_symbols | derived.free_symbols) - {space.lhs}
    checked = 0
    for point in space.points(symbols):
        mine, theirs = claimed.xreplace(point), derived.xreplace(point)
        outer, inner = (mine, theirs) if wider else (theirs, mine)
        if inner.is_subset(outer) is not True or outer.is_subset(inner) is True:
            return False
        checked += 1
    return checked > 0


#: The catalogue of slips, tried in this order; the first that explains a claim is named.
CATALOGUE = (
    Slip("sign", "the sign is flipped", _scalar(lambda d: [-d])),
    Slip("factor 2", "off by a factor of 2: the claim is twice the result",
         _scalar(lambda d: [2 * d])),
    Slip("factor 1/2", "off by a factor of 2: the claim is half the result",
         _scalar(lambda d: [d / 2])),
    Slip("factor 4", "off by a factor of 4: the claim is four times the result",
         _scalar(lambda d: [4 * d])),
    Slip("reciprocal", "the claim is the reciprocal of the result", _scalar(lambda d: [1 / d])),
    Slip("missing square root", "a square root is missing: the claim is the result squared",
         _scalar(lambda d: [d ** 2])),
    Slip("missing square", "a square is missing: the claim is the square root of the result",
         _scalar(lambda d: [sp.sqrt(d)])),
    Slip("exponent + 1", "an exponent is off by one (one more than derived)",
         _scalar(lambda d: _exponents(d, 1))),
    Slip("exponent - 1", "an exponent is off by one (one less than derived)",
         _scalar(lambda d: _exponents(d, -1))),
    Slip("min/max swapped", "min and max are swapped", _scalar(_swap_min_max)),
    Slip("reversed", "the range is reversed: the inequality points the wrong way",
         holds=_reversed),
    Slip("open/closed end", "an end of the range is open where it should be closed, or "
         "closed where it should be open", holds=_open_closed),
    Slip("not tight (contains)", "the claimed range holds the derived one but is larger: "
         "the bound is not tight", holds=lambda c, d, s: _inclusion(c, d, s, wider=True)),
    Slip("not tight (inside)", "the claimed range lies inside the derived one: part of the "
         "range is missing", holds=lambda c, d, s: _inclusion(c, d, s, wider=False)),
)


def diagnose(claimed, derived, space: Space) -> Slip | None:
    r"""The first slip of the catalogue that explains a wrong claim, or None.

    Examples
    --------
    >>> from derivations import gd
    >>> from derivations.checking.reading import read_claim
    >>> d = gd.derive(); result = d["optimal_learning_rate"]
    >>> claim = read_claim(r"\frac{2}{\sigma_L^2 + \sigma_S^2}", d, result)
    >>> diagnose(claim, result.value, Space(d, result)).name
    'factor 2'
    """
    if isinstance(claimed, sp.Contains):
        claimed = range_of(claimed, space)
    return next((slip for slip in CATALOGUE if slip.explains(claimed, derived, space)), None)
