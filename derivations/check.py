r"""Checking claimed answers: a LaTeX claim against a derived result.

A claim is read into SymPy with ``sympy.parsing.latex.parse_latex`` (user text is never
passed to ``eval`` or ``sympify``), its symbols are mapped by name onto the derivation's,
and it is compared with the derived value:

- **correct**, proved symbolically (the difference cancels, interval ends and set
  elements agree) or, where SymPy cannot prove it, agreeing at random points inside the
  model's assumptions (parameter domains, ``Derivation.constraints``, the result's
  assumptions) -- the verdict says which;
- **wrong**, with a *witness*: parameter values inside the assumptions at which claim
  and result differ, both values, and the derived result in LaTeX;
- **could not read**, with the position (0-based, in the claim as written) of the problem.

What a claim can be: an expression; an equation ``lhs = value`` (compared as the value;
an equation result is compared by the difference of its sides, up to sign); a chain of
inequalities, an interval ``(a, b]``, a union ``\cup`` or ``\lambda \in ...`` for a
range; ``\{a, b\}``, a list ``a, b`` or ``a \pm b`` for a set of values in any order;
a matrix ``\begin{bmatrix}..\end{bmatrix}``; a tuple ``(a, b)``; ``\begin{cases}`` for a
piecewise value; a number with a tolerance ``2.3026 \pm 0.0001``.

Numbers written as decimals: inside an expression a decimal is read exactly (``0.5``
is 1/2).  A claim whose value is a lone number written with a decimal point stands for
every number within one unit of its last digit, rounded or cut off: ``2.3026`` and
``2.302`` match ``log(10) = 2.302585...``, ``2.32`` does not.

Normalisations: ``e`` is Euler's number (unless the derivation has a symbol ``e``),
``\pi``, ``\left( \right)``, ``\cdot``, ``\times``, spaces (``\,`` ``\;`` ``\!``
``\quad``), ``\mathrm{}``/``\text{}``/``\operatorname{}``, subscripts of several letters
(``\sigma_{max}``, ``n_{in}``), ``\varepsilon``, names written with or without
backslashes and braces (``\sigma_{\max}`` is ``sigma_max``), implicit products
(``\eta\beta\sigma^2``), and ``x(y+z)`` read as a product unless ``x`` is a function of
the model.
"""
from __future__ import annotations

import functools
import itertools
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from .core import Derivation, Result, parse_number
from .render import claim as rendered_claim

__all__ = ["ClaimError", "Verdict", "read_claim", "check", "check_answers", "main"]

CORRECT, WRONG, UNREADABLE = "correct", "wrong", "could not read"
POINTS = 12

GREEK = set("""alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron
pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi
Omega ell""".split())
WRAPPERS = {"operatorname", "mathrm", "text", "textrm", "textit", "mathit", "mathbf", "mathsf",
            "mathcal", "boldsymbol", "rm", "mathtt"}
ACCENTS = {"dot": "dot", "ddot": "ddot", "bar": "bar", "overline": "bar", "hat": "hat",
           "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "vec": "vec"}
BUILTINS = {"sign": sp.sign, "sgn": sp.sign, "max": sp.Max, "min": sp.Min, "exp": sp.exp,
            "log": sp.log, "ln": sp.log, "abs": sp.Abs}
RELATIONS = {"=": "=", "<": "<", ">": ">", r"\leq": "<=", r"\geq": ">=", r"\in": "in",
             r"\neq": "!="}
_OPEN = {"{": "}", r"\{": r"\}", "(": ")", "[": "]", r"\lceil": r"\rceil",
         r"\lfloor": r"\rfloor", r"\langle": r"\rangle"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_TOKEN = re.compile(r"\\begin\{[a-zA-Z*]+\}|\\end\{[a-zA-Z*]+\}|\\\\|\\[a-zA-Z]+|\\.|\s+|.", re.S)
_TRANSPOSE = sp.Symbol("transpose_marker")
_PLACEHOLDER, _LETTERS = "zq", "abcefghjkmnpqrstuvwxyz"


class ClaimError(ValueError):
    """A claim that could not be read, with the 0-based position of the problem.

    Examples
    --------
    >>> str(ClaimError("unbalanced '('", 3))
    "unbalanced '(' at position 3"
    """

    def __init__(self, problem: str, position: int):
        self.problem, self.position = problem, position
        super().__init__(f"{problem} at position {position}")


# --------------------------------------------------------------------------- source text


@dataclass(frozen=True)
class _Source:
    """Text with, for every character, its position in the claim as written."""

    text: str
    origins: tuple[int, ...]  # len(text) + 1 entries: the last is the end

    @classmethod
    def of(cls, text: str) -> "_Source":
        return cls(text, tuple(range(len(text) + 1)))

    @classmethod
    def join(cls, parts) -> "_Source":
        text, origins, end = "", [], 0
        for piece, origin in parts:
            text += piece
            origins += [origin] * len(piece)
            end = origin
        return cls(text, tuple(origins) + (end,))

    def __getitem__(self, span: slice) -> "_Source":
        start, stop, _ = span.indices(len(self.text))
        return _Source(self.text[start:stop], self.origins[start:stop] + (self.origins[stop],))

    def position(self, index: int) -> int:
        return self.origins[max(0, min(index, len(self.text)))]

    def strip(self) -> "_Source":
        start = len(self.text) - len(self.text.lstrip())
        return self[start:len(self.text.rstrip())] if self.text.strip() else self[start:start]

    def rewrite(self, pattern: str, replacement) -> "_Source":
        """Replace matches; new text takes the position of the match's start."""
        def kept(start, stop):
            return [(self.text[k], self.origins[k]) for k in range(start, stop)]
        parts, last = [], 0
        for match in re.finditer(pattern, self.text):
            parts += kept(last, match.start())
            new = replacement(match) if callable(replacement) else match.expand(replacement)
            parts.append((new, self.origins[match.start()]))
            last = match.end()
        parts += kept(last, len(self.text))
        joined = _Source.join(parts)
        return _Source(joined.text, joined.origins[:-1] + (self.origins[-1],))


def normalise(text: str) -> _Source:
    r"""The text-level normalisations: sizing, spaces, synonyms, ``$``.

    Examples
    --------
    >>> normalise(r"\left( a \cdot b \right)\, \times \varepsilon \le 1").text
    '( a \\cdot b )  \\cdot \\epsilon \\leq 1'
    """
    source = _Source.of(text)
    rules = [
        (r"\$|\\displaystyle|\\boxed(?![a-zA-Z])", ""),
        (r"\\(?:left|right|[bB]igg?[lr]?)(?![a-zA-Z])(?:\s*\.)?", ""),
        (r"\\[,;:! ]|\\q?quad(?![a-zA-Z])|~", " "),
        (r"\\[dt]frac(?![a-zA-Z])", r"\\frac"),
        (r"\\times(?![a-zA-Z])", r"\\cdot"),
        (r"\\(?:leqslant|leq|le)(?![a-zA-Z])", r"\\leq"),
        (r"\\(?:geqslant|geq|ge)(?![a-zA-Z])", r"\\geq"),
        (r"\\(?:neq|ne)(?![a-zA-Z])", r"\\neq"),
        (r"\\lt(?![a-zA-Z])", "<"), (r"\\gt(?![a-zA-Z])", ">"),
        (r"\\(?:rightarrow|to)(?![a-zA-Z])", r"\\to"),
        (r"\\var(epsilon|theta|phi|rho|sigma|pi)(?![a-zA-Z])", r"\\\1"),
        (r"\\(?:emptyset|varnothing)(?![a-zA-Z])", r"\\{\\}"),
    ]
    for pattern, replacement in rules:  # a row break ``\\`` is never part of a match
        source = source.rewrite(r"(\\\\)|" + pattern, lambda m, new=replacement: m.group(1) or
                                m.expand(new.replace("\\1", "\\2")))
    return source


def normal_name(name: str) -> str:
    r"""A symbol's name without backslashes, braces, spaces or font commands.

    Examples
    --------
    >>> [normal_name(n) for n in (r"\sigma_{\mathrm{max}}", "w_{t + 1}", r"\eta^{\star}")]
    ['sigma_max', 'w_t+1', 'eta^*']
    """
    name = re.sub(r"\\(?:star|ast)(?![a-zA-Z])", "*", name)
    name = re.sub(r"\\prime(?![a-zA-Z])", "'", name)
    name = re.sub(r"\\(?:%s)(?![a-zA-Z])" % "|".join(WRAPPERS), "", name)
    name = re.sub(r"var(epsilon|theta|phi|rho|sigma|pi)", r"\1", name)
    return re.sub(r"[\\{}\s]", "", name)


def _tokens(source: _Source):
    """(token, start, end) for a source, with ``\\begin{..}`` and ``\\end{..}`` whole."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(source.text)]


def _closer_of(token):
    if token.startswith(r"\begin{"):
        return r"\end{" + token[7:]
    return _OPEN.get(token)


def _is_closer(token):
    return token in _CLOSE or token.startswith(r"\end{")


def _matching(source: _Source, tokens) -> dict[int, int]:
    """Index of each opening token's closing token; unbalanced brackets raise ClaimError.

    Round and square brackets close one another (intervals ``[a, b)``); braces, set
    braces, ceilings and environments must match exactly.
    """
    stack, pairs = [], {}
    loose = {"(", "[", ")", "]"}
    for k, (tok, start, _) in enumerate(tokens):
        if _closer_of(tok):
            stack.append(k)
        elif _is_closer(tok):
            if not stack:
                raise ClaimError(f"unmatched {tok!r}", source.position(start))
            opener = tokens[stack[-1]][0]
            if not (_closer_of(opener) == tok or (opener in loose and tok in loose)):
                raise ClaimError(f"{tok!r} closes {opener!r}", source.position(start))
            pairs[stack.pop()] = k
    if stack:
        tok, start, _ = tokens[stack[-1]]
        raise ClaimError(f"unclosed {tok!r}", source.position(start))
    return pairs


def _split(source: _Source, separators) -> tuple[list[_Source], list[str]]:
    """Split at the separators that stand outside every bracket."""
    tokens = _tokens(source)
    pairs = _matching(source, tokens)
    pieces, found, k, last = [], [], 0, 0
    while k < len(tokens):
        tok, start, end = tokens[k]
        if k in pairs:
            k = pairs[k] + 1
            continue
        if tok in separators:
            pieces.append(source[last:start])
            found.append(tok)
            last = end
        k += 1
    pieces.append(source[last:])
    return pieces, found


def _enclosed(source: _Source):
    """``(opener, inside, closer)`` when one bracket pair encloses the whole source."""
    tokens = _tokens(source)
    pairs = _matching(source, tokens)
    solid = [k for k, t in enumerate(tokens) if not t[0].isspace()]
    if len(solid) < 2 or pairs.get(solid[0]) != solid[-1]:
        return None
    first, last = tokens[solid[0]], tokens[solid[-1]]
    return first[0], source[first[2]:last[1]], last[0]


# --------------------------------------------------------------------------- vocabulary


@dataclass
class _Context:
    """The derivation's names, and what one reading found: unknown names, tolerances."""

    symbols: dict[str, sp.Basic]
    functions: dict[str, Any]
    indexed: dict[str, sp.IndexedBase]
    derivation: Derivation
    unknown: dict[sp.Symbol, int] = field(default_factory=dict)
    tolerances: dict[sp.Expr, sp.Expr] = field(default_factory=dict)



def vocabulary(derivation: Derivation, result: Result | None = None) -> _Context:
    """Every symbol, function and indexed base of a derivation, by normalised name.

    The named result's own symbols take precedence over same-named ones elsewhere.

    Examples
    --------
    >>> from derivations import momentum
    >>> context = vocabulary(momentum.derive())
    >>> context.symbols["sigma_max"], context.symbols["a_t+1"]
    (sigma_max, a_{t+1})
    """
    symbols, functions, indexed, matrices = {}, {}, {}, {}
    parts = [p.symbol for p in derivation.parameters] + list(derivation.constraints)
    others = [r for r in derivation.results if r is not result]
    for r in others + ([result] if result is not None else []):
        parts += [r.value, *r.assumptions] + ([r.lhs] if r.lhs is not None else [])
    for part in parts:
        if not isinstance(part, sp.Basic):
            continue
        for atom in part.atoms(sp.Symbol):
            if not isinstance(atom, sp.Dummy):
                symbols[normal_name(atom.name)] = atom
        for atom in part.atoms(sp.MatrixSymbol):
            matrices[normal_name(atom.name)] = atom
        for atom in part.atoms(sp.Indexed):
            indexed[normal_name(atom.base.label.name)] = atom.base
            symbols[normal_name(atom.base.label.name)] = atom.base
        for atom in part.atoms(AppliedUndef):
            functions[normal_name(atom.func.__name__)] = atom
    return _Context({**symbols, **matrices}, functions, indexed, derivation)


# --------------------------------------------------------------------------- reading


def read_claim(text: str, derivation: Derivation, result: Result | None = None):
    r"""Read a LaTeX claim into SymPy, with the derivation's symbols.

    ``result`` guides the shape: ``(a, b)`` is an interval when the result is a
    range and a tuple otherwise.

    Examples
    --------
    >>> from derivations import momentum
    >>> d = momentum.derive()
    >>> read_claim(r"0 < \eta < \frac{2-\beta}{\beta\sigma^2}", d, d["stability_range"])
    Contains(eta, Interval.open(0, (2 - beta)/(beta*sigma**2)))
    >>> read_claim(r"\sigma_{max} a_t(1+\beta)", d)
    a_t*sigma_max*(beta + 1)
    """
    return _read_claim(text, derivation, result)[0]


def _read_claim(text, derivation, result):
    """The claim's value and the tolerances of its decimal numbers."""
    context = vocabulary(derivation, result)
    source = normalise(text)
    expected = result.value if result is not None else None
    value = _read(source, context, expected)
    free = value.free_symbols if isinstance(value, sp.Basic) else set()
    for symbol, position in context.unknown.items():
        if symbol in free:
            known = ", ".join(sorted(derivation.symbols))
            raise ClaimError(f"{symbol.name!r} is not a symbol of {derivation.topic} "
                             f"(its symbols: {known})", position)
    return value, context.tolerances


def _read(source, context, expected):
    source = source.strip()
    if not source.text:
        raise ClaimError("nothing to read", source.position(0))
    for connectives, join in (({r"\vee", r"\lor"}, sp.Or), ({r"\wedge", r"\land"}, sp.And)):
        pieces, found = _split(source, connectives)
        if found:
            return join(*(_read(p, context, None) for p in pieces))
    pieces, found = _split(source, RELATIONS)
    if found:
        return _read_relation(pieces, [RELATIONS[f] for f in found], context, expected)
    pieces, found = _split(source, {r"\cup"})
    if found:
        return sp.Union(*(_read_set(p, context, expected) for p in pieces))
    pieces, found = _split(source, {r"\pm", r"\mp"})
    if found:
        return _read_plus_minus(pieces, context, expected)
    pieces, found = _split(source, {","})
    if found:
        items = [_read(p, context, None) for p in pieces]
        return sp.Tuple(*items) if isinstance(expected, sp.Tuple) else sp.FiniteSet(*items)
    enclosed = _enclosed(source)
    if enclosed:
        opener, inside, closer = enclosed
        if opener.startswith(r"\begin{"):
            return _read_environment(opener[7:-1], inside, context, expected)
        if opener in "([" and re.fullmatch(r"\s*\\begin\{[a-z]*matrix\}.*\\end\{[a-z]*matrix\}\s*",
                                           inside.text, re.S):
            return _read(inside, context, expected)
        if opener == r"\{":
            if not inside.text.strip():
                return sp.S.EmptySet
            items, _ = _split(inside, {","})
            return sp.FiniteSet(*(_read(p, context, None) for p in items))
        if opener in "([":
            items, _ = _split(inside, {","})
            if len(items) > 1 or (isinstance(expected, sp.Tuple) and len(expected) == 1):
                return _read_bracketed(opener, items, closer, context, expected, source)
    return _read_expression(source, context)


def _read_bracketed(opener, items, closer, context, expected, source):
    if isinstance(expected, sp.Set) and not isinstance(expected, sp.FiniteSet):
        if len(items) != 2:
            raise ClaimError("an interval has two ends", source.position(0))
        start, end = (_read_expression(p, context) for p in items)
        return sp.Interval(start, end, opener == "(", closer == ")")
    parts = expected.args if isinstance(expected, sp.Tuple) and len(expected) == len(items) else \
        [None] * len(items)
    return sp.Tuple(*(_read(p, context, e) for p, e in zip(items, parts)))


def _read_set(source, context, expected):
    value = _read(source, context, expected if isinstance(expected, sp.Set) else sp.Reals)
    if isinstance(value, sp.Contains):
        value = value.args[1]
    if not isinstance(value, sp.Set):
        raise ClaimError("a set or an interval was expected here", source.strip().position(0))
    return value


def _read_plus_minus(pieces, context, expected):
    if len(pieces) != 2:
        raise ClaimError(r"one \pm at a time", pieces[1].position(0))
    centre = _read_expression(pieces[0], context)
    spread = _read_expression(pieces[1], context)
    if isinstance(expected, sp.FiniteSet) or not (centre.is_number and spread.is_number):
        return sp.FiniteSet(centre - spread, centre + spread)
    context.tolerances[centre] = abs(spread)
    return centre


def _read_relation(pieces, kinds, context, expected):
    if "in" in kinds:
        if kinds != ["in"]:
            raise ClaimError(r"\in cannot be chained", pieces[1].position(0))
        return sp.Contains(_read_expression(pieces[0], context),
                           _read_set(pieces[1], context, expected), evaluate=False)
    if set(kinds) == {"="}:
        if len(pieces) != 2:
            raise ClaimError("one '=' at a time", pieces[2].position(0))
        right = _read(pieces[1], context, expected)
        if expected is not None and not isinstance(expected, sp.core.relational.Relational):
            return right  # ``lhs = value``: the left side only names the quantity
        left = _read_expression(pieces[0], context)
        if isinstance(right, sp.Expr):
            return sp.Eq(left, right, evaluate=False)
        return _Labelled(left, right)
    sides = [_read_expression(p, context) for p in pieces]
    if isinstance(expected, sp.Set):
        return _interval_from_chain(kinds, sides, context.derivation, pieces)
    relations = [_relation(kind, a, b) for kind, a, b in zip(kinds, sides, sides[1:])]
    return relations[0] if len(relations) == 1 else sp.And(*relations, evaluate=False)


@dataclass(frozen=True)
class _Labelled:
    """``lhs = value`` where the value is a set or tuple (SymPy's Eq refuses those)."""

    lhs: sp.Basic
    value: Any


def _relation(kind, a, b):
    ops = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan,
           ">=": sp.GreaterThan, "=": sp.Eq, "!=": sp.Ne}
    return ops[kind](a, b, evaluate=False)


def _interval_from_chain(kinds, sides, derivation, pieces):
    """``a < x <= b`` (or ``x < b``, ``b > x > a``) as ``Contains(x, Interval)``."""
    if any(k in ("=", "!=") for k in kinds) or len(sides) > 3:
        raise ClaimError("a range is a chain of < and <= around one variable",
                         pieces[0].position(0))
    if len({k in (">", ">=") for k in kinds}) > 1:
        raise ClaimError("a range's inequalities must point one way", pieces[0].position(0))
    if kinds[0] in (">", ">="):
        kinds = [{">": "<", ">=": "<="}[k] for k in reversed(kinds)]
        sides = sides[::-1]
    variable = sides[1] if len(sides) == 3 else next(
        (s for s in sides if isinstance(s, sp.Symbol)), sides[0])
    domain = next((p.domain for p in derivation.parameters if p.symbol == variable), sp.Reals)
    hull = domain if isinstance(domain, sp.Interval) else sp.Reals
    start, left_open, end, right_open = hull.start, hull.left_open, hull.end, hull.right_open
    if len(sides) == 3:
        (start, end), left_open, right_open = (sides[0], sides[2]), kinds[0] == "<", kinds[1] == "<"
    elif sides[0] == variable:
        end, right_open = sides[1], kinds[0] == "<"
    else:
        start, left_open = sides[0], kinds[0] == "<"
    return sp.Contains(variable, sp.Interval(start, end, left_open, right_open), evaluate=False)


def _read_environment(name, inside, context, expected):
    rows = [r for r in _split(inside, {"\\\\"})[0] if r.text.strip()]
    cells = [_split(r, {"&"})[0] for r in rows]
    if name == "cases":
        pieces = []
        for row in cells:
            if len(row) != 2:
                raise ClaimError("a case is 'value & condition'", row[0].position(0))
            condition = row[1].rewrite(r"\\text\{\s*(?:for|if|when)\s*\}|\bfor\b|\bif\b", "")
            if re.fullmatch(r"\s*(\\text\{\s*otherwise\s*\}|otherwise|\\text\{\s*else\s*\})\s*",
                            condition.text):
                cond = sp.true
            else:
                cond = _read(condition, context, None)
            pieces.append((_read(row[0], context, None), cond))
        return sp.Piecewise(*pieces)
    if not name.endswith("matrix") and name != "array":
        raise ClaimError(f"unknown environment {name!r}", inside.position(0))
    width = {len(r) for r in cells}
    if len(width) != 1:
        raise ClaimError("the rows of a matrix must have equal lengths", inside.position(0))
    shape = (len(cells), width.pop())
    entries = expected if isinstance(expected, sp.MatrixBase) and expected.shape == shape else None
    return sp.ImmutableMatrix([[_read(c, context, entries[i, j] if entries is not None else None)
                                for j, c in enumerate(row)]
                               for i, row in enumerate(cells)])


# --------------------------------------------------------------------------- expressions


def _read_expression(source: _Source, context: _Context):
    """One expression: names become placeholders, parse_latex reads the rest."""
    source = source.strip()
    if not source.text:
        raise ClaimError("an expression is missing", source.position(0))
    skeleton, precision, placeholders = _Skeleton(source, context).build()
    from sympy.parsing.latex.errors import LaTeXParsingError
    text = skeleton.text.strip()
    shift = len(skeleton.text) - len(skeleton.text.lstrip())
    try:
        parsed = _plain_number(text)
        parsed = _parse(text) if parsed is None else parsed
    except LaTeXParsingError as error:
        raise ClaimError(_problem(error), skeleton.position(shift + _error_column(error, text)))
    except (TypeError, ValueError, AttributeError) as error:
        raise ClaimError(f"cannot read this expression ({error})", source.position(0))
    value = _Rebuild(placeholders, source).value(parsed)
    if precision and isinstance(value, sp.Expr) and value.is_number:
        context.tolerances[value] = abs(value) * precision + sp.Float(1e-15) if \
            precision.is_finite else sp.Float(1e-15)
    return value


_NUMBER = re.compile(r"(-?)\s*(?:(\d+)|\{\\frac\{(\d+)\}\{(\d+)\}\})"
                     r"(?:\s*\\cdot\s*10\^\{(-?\d+)\})?")


def _plain_number(text):
    r"""A number such as ``-0.25`` or ``3.4 \cdot 10^{-5}`` read without the parser (fast).

    Examples
    --------
    >>> _plain_number(r"-{\frac{34}{10}} \cdot 10^{-5}")
    -17/500000
    """
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, whole, numerator, denominator, exponent = match.groups()
    value = sp.Integer(whole) if whole else sp.Rational(int(numerator), int(denominator))
    return (-1 if sign else 1) * value * sp.Integer(10) ** int(exponent or 0)


@functools.lru_cache(maxsize=1024)
def _parse(text):
    """parse_latex, strict, remembered: placeholders are numbered per expression, so
    the same shape of expression is parsed once."""
    from sympy.parsing.latex import parse_latex
    match = re.fullmatch(r"\{?\\mathit\{(%s[a-z]+)\}\}?" % _PLACEHOLDER, text)
    return sp.Symbol(match.group(1)) if match else parse_latex(text, strict=True)


def _problem(error) -> str:
    first = str(error).splitlines()[0]
    return {"Invalid LaTeX": "unexpected text"}.get(first, first.rstrip(":"))


def _error_column(error, text) -> int:
    lines = str(error).splitlines()
    if len(lines) >= 3 and lines[-1].endswith("^"):
        return len(lines[-1]) - 1
    return _parsed_length(text)


def _parsed_length(text) -> int:
    """Where parse_latex stopped reading (it reports only 'Invalid LaTeX')."""
    try:
        import antlr4
        from sympy.parsing.latex._antlr.latexlexer import LaTeXLexer
        from sympy.parsing.latex._antlr.latexparser import LaTeXParser
        lexer = LaTeXLexer(antlr4.InputStream(text))
        lexer.removeErrorListeners()
        parser = LaTeXParser(antlr4.CommonTokenStream(lexer))
        parser.removeErrorListeners()
        relation = parser.math().relation()
        return relation.stop.stop + 1 if relation.start.start == 0 else 0
    except Exception:  # internals differ between SymPy versions: point at the start
        return 0


class _Skeleton:
    """The expression with every name, function call and derivative as a placeholder."""

    def __init__(self, source: _Source, context: _Context):
        self.source, self.context = source, context
        self.tokens = _tokens(source)
        self.pairs = _matching(source, self.tokens)
        self.parts: list[tuple[str, int]] = []
        self.placeholders: dict[str, tuple[Any, int]] = {}
        self.precision = sp.S.Zero  # one unit in the last digit, relative, of its decimals

    def placeholder(self, value, position: int) -> str:
        number, letters = len(self.placeholders), ""
        while True:  # no "d": parse_latex reads "dx" as a differential
            number, digit = divmod(number, len(_LETTERS))
            letters += _LETTERS[digit]
            if not number:
                break
        name = _PLACEHOLDER + letters
        self.placeholders[name] = (value, position)
        return rf"\mathit{{{name}}}"

    def origin(self, k):
        at = self.tokens[k][1] if k < len(self.tokens) else len(self.source.text)
        return self.source.position(at)

    def span(self, first, last):
        """Source of tokens first..last-1."""
        start = self.tokens[first][1] if first < len(self.tokens) else len(self.source.text)
        end = self.tokens[last - 1][2] if last > first else start
        return self.source[start:end]

    def build(self):
        k = 0
        while k < len(self.tokens):
            k = self.step(k)
        return _Source.join(self.parts), self.precision, self.placeholders

    def emit(self, text, k):
        self.parts.append((text, self.origin(k)))

    def skip_space(self, k):
        while k < len(self.tokens) and self.tokens[k][0].isspace():
            k += 1
        return k

    def step(self, k):
        tok = self.tokens[k][0]
        if tok == r"\frac":
            after = self._derivative(k)
            if after is not None:
                return after
        if tok.startswith(r"\begin{") and k in self.pairs:
            inside = self.span(k + 1, self.pairs[k])
            value = _read_environment(tok[7:-1], inside, self.context, None)
            self.emit(self.placeholder(value, self.origin(k)), k)
            return self.pairs[k] + 1
        following = self.tokens[k + 1][0] if k + 1 < len(self.tokens) else ""
        if tok.isdigit() or (tok == "." and following.isdigit()):
            return self.number(k)
        atom = self.atom(k)
        if atom is None:
            self.emit(tok, k)
            return k + 1
        value, after = atom
        self.emit(f"{{{self.placeholder(value, self.origin(k))}}}", k)
        return self.after_atom(value, after)

    def number(self, k):
        end = k
        while end < len(self.tokens) and (self.tokens[end][0].isdigit()
                                          or self.tokens[end][0] == "."):
            end += 1
        literal = "".join(t[0] for t in self.tokens[k:end])
        if literal.count(".") > 1 or literal.endswith("."):
            raise ClaimError(f"cannot read the number {literal!r}", self.origin(k))
        if "." in literal:
            mantissa = parse_number(literal)
            unit = sp.Rational(1, 10 ** len(literal.partition(".")[2]))
            self.precision = max(self.precision, unit / mantissa if mantissa else sp.oo)
            self.emit(rf"{{\frac{{{mantissa.p}}}{{{mantissa.q}}}}}", k)
        else:
            self.emit(literal, k)
        return end

    # names ------------------------------------------------------------------------
    def atom(self, k):
        """A name with its subscript and decorations: ``(object, next token index)``."""
        start, tok = k, self.tokens[k][0]
        if tok.startswith("\\") and tok[1:] in GREEK:
            base, k = tok, k + 1
        elif tok.startswith("\\") and tok[1:] in WRAPPERS | set(ACCENTS):
            group = self.skip_space(k + 1)
            if group >= len(self.tokens) or group not in self.pairs:
                raise ClaimError(f"{tok} needs a {{...}} argument", self.origin(k))
            inner = self.span(group + 1, self.pairs[group]).text
            base = inner + ACCENTS.get(tok[1:], "") if tok[1:] in ACCENTS else inner
            k = self.pairs[group] + 1
        elif len(tok) == 1 and tok.isalpha():
            base, k = tok, k + 1
        elif tok == "{" and self._braced_base(k):
            base, k = self.span(k + 1, self.pairs[k]).text, self.pairs[k] + 1
        else:
            return None
        subscript, superscript, decoration = None, None, ""
        while k < len(self.tokens):
            nxt = self.skip_space(k)
            if nxt >= len(self.tokens):
                break
            tok = self.tokens[nxt][0]
            if tok == "_" and subscript is None:
                subscript, k = self.argument(nxt + 1)
            elif tok == "'":
                decoration, k = decoration + "'", nxt + 1
            elif tok == "^" and self.star(nxt + 1):
                decoration += self.star(nxt + 1)[0]
                k = self.star(nxt + 1)[1]
            elif tok == "^" and superscript is None and self.labels(base, nxt + 1):
                superscript, k = self.argument(nxt + 1)
                decoration += f"^{{{superscript.text}}}"
            else:
                break
        return self.resolve(base, subscript, decoration, start), k

    def labels(self, base, k):
        """Whether ``^{...}`` at k is part of a name such as ``w^{L2}_{1}`` (``w_1^L2``)."""
        label = normal_name(self.argument(k)[0].text)
        prefix = normal_name(base)
        return bool(re.fullmatch(r"[A-Za-z]\w*", label)) and any(
            name.startswith(prefix) and name.endswith("^" + label)
            for name in self.context.symbols)

    def _braced_base(self, k):
        if k not in self.pairs:
            return False
        after = self.skip_space(self.pairs[k] + 1)
        inner = self.span(k + 1, self.pairs[k]).text.strip()
        return (after < len(self.tokens) and self.tokens[after][0] == "_"
                and re.fullmatch(r"(\\[a-zA-Z]+|[a-zA-Z])(\s*_\s*(\{[^{}]*\}|\w))?", inner)
                is not None)

    def argument(self, k):
        r"""A sub- or superscript: a group, ``\mathrm{..}`` or one token; ``(source, next)``."""
        k = self.skip_space(k)
        if k >= len(self.tokens):
            raise ClaimError("a sub- or superscript is missing", self.origin(k))
        if k in self.pairs and self.tokens[k][0] == "{":
            return self.span(k + 1, self.pairs[k]), self.pairs[k] + 1
        group = self.skip_space(k + 1)
        if self.tokens[k][0][1:] in WRAPPERS | set(ACCENTS) and group in self.pairs:
            return self.span(k, self.pairs[group] + 1), self.pairs[group] + 1
        return self.span(k, k + 1), k + 1

    def star(self, k):
        """``^*``, ``^{\\star}``, ``^{\\prime}``: part of a name, not a power."""
        group, after = self.argument(k)
        text = normal_name(group.text)
        return (("^*", after) if text == "*" else ("'" * len(text), after)
                if text and set(text) == {"'"} else None)

    def transpose(self, k):
        nxt = self.skip_space(k)
        if nxt < len(self.tokens) and self.tokens[nxt][0] == "^":
            group, after = self.argument(nxt + 1)
            if group.text.strip() in ("T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}"):
                return after
        return None

    def resolve(self, base, subscript, decoration, start):
        context = self.context
        name = normal_name(base + (f"_{{{subscript.text}}}" if subscript is not None else "")
                           + decoration)
        short = normal_name(base + decoration)
        if name in context.symbols:
            return context.symbols[name]
        if subscript is not None and short in context.indexed:
            return sp.Indexed(context.indexed[short], *self.indices(subscript))
        if subscript is not None and short == "delta":
            indices = self.indices(subscript, letters=True)
            if len(indices) == 2:
                return sp.KroneckerDelta(*indices)
        if name in context.functions or name in BUILTINS or name == "O":
            return _Function(name)
        if name == "e":
            return sp.E
        if name == "pi":
            return sp.pi
        symbol = sp.Symbol(name)
        context.unknown.setdefault(symbol, self.origin(start))
        return symbol

    def indices(self, subscript, letters=False):
        pieces, _ = _split(subscript, {","})
        if len(pieces) == 1 and letters:
            pieces = _split_atoms(subscript) or pieces
        return [_read_expression(p, self.context) for p in pieces]

    def after_atom(self, value, k):
        """Function calls, transposes, and ``x(y)`` as a product."""
        if isinstance(value, sp.MatrixExpr):
            after = self.transpose(k)
            if after is not None:
                self.parts.append((rf"^{{{self.placeholder(_TRANSPOSE, self.origin(k))}}}",
                                   self.origin(k)))
                return after
        nxt = self.skip_space(k)
        call = self.call_group(nxt)
        if isinstance(value, _Function):
            if call is None:
                applied = self.context.functions.get(value.name)
                if applied is None:
                    raise ClaimError(f"{value.name} needs its arguments", self.origin(k - 1))
                after = k
            else:
                inside, after = call
                applied = value.apply(inside, self.context)
            origin = self.parts[-1][1]
            self.parts[-1] = (f"{{{self.placeholder(applied, origin)}}}", origin)
            return after
        if nxt < len(self.tokens) and self.tokens[nxt][0] in ("(", "{") and call is not None:
            self.emit(r" \cdot ", nxt)
        return k

    def call_group(self, k):
        """``( ... )`` or SymPy's ``{( ... )}`` at token k: ``(inside, next index)``."""
        if k >= len(self.tokens) or k not in self.pairs:
            return None
        tok, close = self.tokens[k][0], self.pairs[k]
        if tok == "(":
            return self.span(k + 1, close), close + 1
        if tok == "{":
            first, last = self.skip_space(k + 1), close - 1
            while last > first and self.tokens[last][0].isspace():
                last -= 1
            if self.tokens[first][0] == "(" and self.pairs.get(first) == last:
                return self.span(first + 1, last), close + 1
        return None

    # derivatives ------------------------------------------------------------------
    def _derivative(self, k):
        r"""``\frac{d}{dx} f``, ``\frac{\partial^2}{\partial x \partial y} f``, ``\frac{df}{dx}``.

        Returns the index after the derivative, or None when this ``\frac`` is a fraction.
        """
        numerator = self.skip_space(k + 1)
        if numerator not in self.pairs or self.tokens[numerator][0] != "{":
            return None
        top = self.span(numerator + 1, self.pairs[numerator])
        match = re.fullmatch(r"\s*(d|\\partial)\s*(?:\^\s*\{?\s*(\d+)\s*\}?)?\s*(.*?)\s*", top.text,
                             re.S)
        denominator = self.skip_space(self.pairs[numerator] + 1)
        if match is None or denominator not in self.pairs:
            return None
        bottom = self.span(denominator + 1, self.pairs[denominator])
        marks = list(re.finditer(r"(?:\\partial|(?<![\\a-zA-Z])d)(?=[\s{\\a-zA-Z])", bottom.text))
        if not marks or bottom.text[:marks[0].start()].strip():
            return None
        variables = []
        for mark, following in zip(marks, marks[1:] + [None]):
            end = following.start() if following else len(bottom.text)
            piece = bottom.text[mark.end():end]
            power = re.search(r"\^\s*\{?\s*(\d+)\s*\}?\s*$", piece)
            variable = bottom[mark.end():mark.end() + (power.start() if power else len(piece))]
            variables.append((_read_expression(variable, self.context),
                              int(power.group(1)) if power else 1))
        after = self.pairs[denominator] + 1
        if match.group(3):
            operand = _read_expression(top[match.start(3):match.end(3)], self.context)
        else:
            start = self.skip_space(after)
            atom = self.atom(start) if start < len(self.tokens) else None
            if atom is not None:
                operand, after = atom
                if isinstance(operand, _Function):
                    call = self.call_group(self.skip_space(after))
                    if call is None:
                        operand = self.context.functions.get(operand.name)
                    else:
                        operand, after = operand.apply(call[0], self.context), call[1]
            elif start in self.pairs:
                operand = _read_expression(self.span(start + 1, self.pairs[start]), self.context)
                after = self.pairs[start] + 1
            else:
                raise ClaimError("a derivative of what?", self.origin(start))
        self.emit(self.placeholder(sp.Derivative(operand, *variables), self.origin(k)), k)
        return after


def _split_atoms(subscript: _Source):
    """``j k`` or ``jk`` in ``\\delta_{jk}``: one source per letter or command."""
    return [subscript[m.start():m.end()]
            for m in re.finditer(r"\\[a-zA-Z]+|[a-zA-Z0-9]", subscript.text)]


@dataclass(frozen=True)
class _Function:
    """A function name waiting for its arguments."""

    name: str

    def apply(self, inside: _Source, context: _Context):
        if self.name == "O":
            return _order(inside, context)
        arguments = [_read_expression(p, context) for p in _split(inside, {","})[0]]
        if self.name in context.functions:
            return context.functions[self.name].func(*arguments)
        return BUILTINS[self.name](*arguments)


def _order(inside, context):
    r"""``O(T)`` or SymPy's ``O\left(T; T\rightarrow \infty\right)``."""
    pieces, _ = _split(inside, {";"})
    expression = _read_expression(pieces[0], context)
    if len(pieces) == 1:
        return sp.Order(expression, *_default_limit(context, expression))
    variable, _, point = pieces[1].text.partition(r"\to")
    return sp.Order(expression, (_read_expression(pieces[1][:len(variable)], context),
                                 _read_expression(pieces[1][len(variable) + 3:], context)))


def _default_limit(context, expression):
    """The variable and point of the model's own O(.) terms, else none."""
    for symbol in context.symbols.values():
        if isinstance(symbol, sp.Symbol) and symbol in expression.free_symbols:
            return [(symbol, sp.oo)]
    return []


class _Rebuild:
    """parse_latex's tree with placeholders replaced; matrix products kept in text order."""

    def __init__(self, placeholders, source):
        self.placeholders, self.source = placeholders, source

    def first(self, node):
        positions = [self.placeholders[s.name][1] for s in node.free_symbols
                     if s.name in self.placeholders]
        return min(positions, default=-1)

    def value(self, node):
        if isinstance(node, sp.Symbol):
            if node.name in self.placeholders:
                return self.placeholders[node.name][0]
            return node
        if isinstance(node, AppliedUndef):
            name = node.func.__name__
            if name in BUILTINS:
                return BUILTINS[name](*(self.value(a) for a in node.args))
            raise ClaimError(f"unknown function {name}", self.source.position(0))
        if not node.args:
            return node
        if isinstance(node, sp.Mul):
            ordered = sorted(node.args, key=self.first)
            factors = [self.value(a) for a in ordered]
            if any(isinstance(f, (sp.MatrixExpr, sp.MatrixBase)) for f in factors):
                product = factors[0]
                try:
                    for factor in factors[1:]:
                        product = product * factor
                except sp.ShapeError as error:
                    raise ClaimError(f"the matrix shapes do not fit ({error.args[0]})",
                                     max(self.first(node), 0))
                return product
            return sp.Mul(*factors)
        if isinstance(node, sp.Pow):
            base, exponent = self.value(node.base), self.value(node.exp)
            if exponent == _TRANSPOSE:
                return base.T
            if isinstance(base, sp.MatrixExpr) and exponent == -1:
                return base.I
            return sp.Pow(base, exponent)
        return node.func(*(self.value(a) for a in node.args))


# --------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Outcome:
    """The comparison of one claimed value with one derived value."""

    correct: bool
    method: str
    witness: dict | None = None


class _Space:
    """Random points inside a derivation's assumptions, drawn reproducibly."""

    def __init__(self, derivation: Derivation, result: Result, tolerances=None, seed: int = 2024):
        self.tolerances = tolerances or {}
        self.domains = {p.symbol: p.domain for p in derivation.parameters}
        self.conditions = [c for c in (*derivation.constraints, *result.assumptions)
                           if isinstance(c, sp.Basic) and c is not sp.true]
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
        points, tries = [], 0
        while len(points) < count and tries < 40 * count:
            tries += 1
            point = {s: self._value(s, rng) for s in scalars}
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
        return points

    @staticmethod
    def _holds(condition, point):
        if not condition.free_symbols <= set(point):
            return True
        return bool(condition.xreplace(point) == sp.true)

    def _value(self, symbol, rng):
        domain = self.domains.get(symbol)
        if isinstance(domain, sp.Union):
            domain = rng.choice(domain.args)
        if symbol.is_integer or isinstance(domain, (sp.Range, type(sp.S.Naturals),
                                                        type(sp.S.Naturals0))):
            low = 0 if symbol.is_nonnegative else -3
            low = 1 if symbol.is_positive else low
            if domain is not None and domain.inf.is_finite:
                low = int(sp.ceiling(domain.inf))
            return sp.Integer(low + rng.randint(0, 4))
        if isinstance(domain, sp.Interval):
            start, end = domain.start, domain.end
        elif symbol.is_nonnegative:
            start, end = sp.S.Zero, sp.oo
        else:
            start, end = -sp.oo, sp.oo
        if start.is_finite and end.is_finite:
            width = int((end - start) * 100)
            return start + sp.Rational(rng.randint(1, max(1, width - 1)), 100)
        if start.is_finite:
            return start + sp.Rational(rng.randint(5, 300), 100)
        if end.is_finite:
            return end - sp.Rational(rng.randint(5, 300), 100)
        return sp.Rational(rng.choice([-1, 1]) * rng.randint(5, 300), 100)


def _numbers(value, point):
    """Complex numbers of ``value`` at ``point`` (a tuple), or None where undefined."""
    value = value.xreplace(point)
    if value.has(sp.Sum, sp.Product, sp.Derivative, sp.Integral, sp.MatrixExpr, sp.Piecewise):
        value = value.doit()
    if isinstance(value, sp.MatrixExpr):
        value = value.as_explicit()
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    opaque = {}
    for item in items:
        for atom in _opaque_atoms(item):
            opaque[atom] = sp.Rational(random.Random(sp.srepr(atom)).randint(-300, 300) or 1, 100)
    try:
        numbers = tuple(complex(sp.N(item.xreplace(opaque), 20)) for item in items)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return numbers if all(math.isfinite(abs(z)) for z in numbers) else None


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
    if tolerance is not None:
        return abs(a - b) <= tolerance
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _shown(numbers):
    def one(z):
        return f"{z.real:.6g}" if abs(z.imag) <= 1e-12 * max(1, abs(z)) else \
            f"{z.real:.6g}{z.imag:+.6g}i"
    return one(numbers[0]) if len(numbers) == 1 else [one(z) for z in numbers]


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


def compare_expressions(claimed, derived, space: _Space) -> Outcome:
    """A claimed expression against a derived one (a decimal claim within its tolerance).

    Examples
    --------
    >>> import sympy as sp
    >>> from derivations import gd
    >>> d = gd.derive(); eta, sigma = sp.symbols("eta sigma", positive=True)
    >>> compare_expressions(1 - 2*eta*sigma**2, d["update_factor"].value,
    ...                     _Space(d, d["update_factor"])).method
    'symbolic'
    """
    if _same(claimed, derived):
        return Outcome(True, "symbolic")
    tolerance = space.tolerances.get(claimed)
    tolerance = None if tolerance is None else float(tolerance)
    points = space.points(_symbols_of(claimed, derived))
    checked = 0
    for point in points:
        try:
            c, d = _numbers(claimed, point), _numbers(derived, point)
        except sp.ShapeError as error:
            raise ClaimError(f"the claim's matrix shapes do not fit ({error.args[0]})", 0)
        if c is None or d is None or len(c) != len(d):
            continue
        checked += 1
        if not all(_close(x, y, tolerance) for x, y in zip(c, d)):
            return Outcome(False, "numeric", {"values": _point_shown(point),
                                              "claimed": _shown(c), "derived": _shown(d)})
    if tolerance is not None and checked:
        return Outcome(True, f"numeric: within {tolerance:.2g}, the precision written")
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


def compare(claimed, derived, space: _Space) -> Outcome:
    """Dispatch on the derived value's kind: sets, tuples, matrices, relations, orders."""
    if isinstance(claimed, _Labelled):
        claimed = claimed.value
    if isinstance(claimed, sp.Contains) and isinstance(derived, sp.Set):
        claimed = claimed.args[1]
    if isinstance(claimed, sp.Eq) and not isinstance(derived, sp.core.relational.Relational):
        claimed = claimed.rhs
    if isinstance(derived, sp.Set):
        if isinstance(claimed, sp.Expr) and isinstance(derived, sp.FiniteSet):
            claimed = sp.FiniteSet(claimed)
        return _compare_sets(claimed, derived, space)
    if isinstance(derived, sp.Tuple):
        return _compare_sequences(claimed, derived, space, "element")
    if isinstance(derived, sp.MatrixBase):
        if not isinstance(claimed, sp.MatrixBase) or claimed.shape != derived.shape:
            return _mismatch(claimed, f"a {derived.rows}x{derived.cols} matrix")
        return _compare_sequences(sp.Tuple(*claimed), sp.Tuple(*derived), space, "entry",
                                  derived.cols)
    if isinstance(derived, sp.Order):
        return _compare_orders(claimed, derived)
    if isinstance(derived, sp.core.relational.Relational):
        return _compare_relations(claimed, derived, space)
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


def _compare_sequences(claimed, derived, space, label, columns=None):
    if not isinstance(claimed, sp.Tuple) or len(claimed) != len(derived):
        return _mismatch(claimed, f"a tuple of {len(derived)}")
    methods = []
    for index, (c, d) in enumerate(zip(claimed, derived)):
        outcome = compare(c, d, space)
        if not outcome.correct:
            where = f"{label} {index + 1}" if columns is None else \
                f"{label} ({index // columns + 1}, {index % columns + 1})"
            inner = (outcome.witness or {}).get("where")
            where = f"{where}, {inner}" if inner else where
            return Outcome(False, outcome.method, {**(outcome.witness or {}), "where": where})
        methods.append(outcome.method)
    numeric = [m for m in methods if m != "symbolic"]
    return Outcome(True, numeric[0] if numeric else "symbolic")


def _compare_orders(claimed, derived):
    if not isinstance(claimed, sp.Order):
        return _mismatch(claimed, "an order of growth O(.)")
    if not claimed.variables:
        claimed = sp.Order(claimed.expr, *zip(derived.variables, derived.point))
    if claimed == derived:
        return Outcome(True, "symbolic")
    variable = derived.variables[0] if derived.variables else None
    ratio = sp.limit(claimed.expr / derived.expr, variable, derived.point[0]) if variable else None
    return Outcome(False, "symbolic", {
        "values": {str(variable): str(derived.point[0])} if variable else {},
        "claimed": sp.latex(claimed), "derived": sp.latex(derived),
        **({"ratio": str(ratio)} if ratio is not None else {})})


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
    if outcome.witness:
        outcome.witness["where"] = "the difference of the two sides"
    return outcome


def _compare_sets(claimed, derived, space):
    if not isinstance(claimed, sp.Set):
        return _mismatch(claimed, _kind(derived))
    if _same_set(claimed, derived):
        return Outcome(True, "symbolic")
    points = space.points(_symbols_of(claimed, derived))
    checked = 0
    for point in points:
        try:
            c, d = _set_numbers(claimed.xreplace(point)), _set_numbers(derived.xreplace(point))
        except (TypeError, ValueError):
            continue
        checked += 1
        if not _same_numbers(c, d):
            return Outcome(False, "numeric", {"values": _point_shown(point),
                                              "claimed": _set_shown(c), "derived": _set_shown(d)})
    if checked:
        return Outcome(True, f"numeric: agreeing at {checked} random points within the assumptions")
    return Outcome(False, "symbolic", {"values": {}, "claimed": sp.latex(claimed),
                                       "derived": sp.latex(derived)})


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


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The answer for one claim: correct, wrong (with a witness) or could not read."""

    topic: str
    result: str
    claim: str
    status: str
    method: str | None = None
    witness: dict | None = None
    derived_latex: str = ""
    problem: str | None = None
    position: int | None = None

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, WRONG: 1, UNREADABLE: 2}[self.status]

    def as_dict(self) -> dict:
        return {"topic": self.topic, "result": self.result, "claim": self.claim,
                "verdict": self.status, "method": self.method, "witness": self.witness,
                "derived_latex": self.derived_latex, "problem": self.problem,
                "position": self.position}

    def __str__(self) -> str:
        head = f"{self.topic}.{self.result}: {self.status}"
        if self.status == CORRECT:
            return f"{head} ({self.method})"
        if self.status == UNREADABLE:
            return (f"{head}: {self.problem} at position {self.position}\n"
                    f"    {self.claim}\n    {' ' * (self.position or 0)}^")
        lines = [head]
        witness = self.witness or {}
        if witness.get("where"):
            lines.append(f"  in {witness['where']}")
        values = ", ".join(f"{k} = {v}" for k, v in witness.get("values", {}).items())
        lines.append(f"  at {values or 'every point'}: claimed {witness.get('claimed')}, "
                     f"derived {witness.get('derived')}")
        lines.append(f"  derived: {self.derived_latex}")
        return "\n".join(lines)


def check(derivation: Derivation, name: str, text: str) -> Verdict:
    r"""Check the claim ``text`` against the derivation's result ``name``.

    An unknown result name raises ``ValueError``; everything else is a verdict.

    Examples
    --------
    >>> from derivations import gd
    >>> check(gd.derive(), "stability_range", r"0 < \eta < \frac{1}{\sigma^2}").status
    'correct'
    >>> v = check(gd.derive(), "optimal_learning_rate", r"\frac{2}{\sigma_L^2 + \sigma_S^2}")
    >>> v.status, sorted(v.witness["values"])
    ('wrong', ['sigma_L', 'sigma_S'])
    >>> v = check(gd.derive(), "optimal_learning_rate", r"\frac{1}{\sigma_L^2 +")
    >>> v.status, v.problem, v.position
    ('could not read', "unclosed '{'", 8)
    """
    (result,) = derivation.only([name]).results
    derived_latex = sp.latex(rendered_claim(result))
    verdict = dict(topic=derivation.topic, result=name, claim=text, derived_latex=derived_latex)
    try:
        claimed, tolerances = _read_claim(text, derivation, result)
        outcome = compare(claimed, result.value, _Space(derivation, result, tolerances))
    except ClaimError as error:
        return Verdict(**verdict, status=UNREADABLE, problem=error.problem,
                       position=min(error.position, len(text)))
    except (TypeError, ValueError, AttributeError, NotImplementedError) as error:
        return Verdict(**verdict, status=UNREADABLE, position=0,
                       problem=f"could not compare the claim with the result ({error})")
    if outcome.correct:
        return Verdict(**verdict, status=CORRECT, method=outcome.method)
    return Verdict(**verdict, status=WRONG, method=outcome.method, witness=outcome.witness)


def check_answers(answers: dict) -> list[Verdict]:
    """Check a mapping ``{topic: {result: claim}}`` (a parsed answers.toml).

    Unknown topics or results, and claims that are not strings, raise ``ValueError``.

    Examples
    --------
    >>> [v.status for v in check_answers({"gd": {"optimal_learning_rate":
    ...     r"\\frac{1}{\\sigma_L^2 + \\sigma_S^2}"}})]
    ['correct']
    """
    from .__main__ import topic_module
    verdicts = []
    for topic, claims in answers.items():
        if not isinstance(claims, dict):
            raise ValueError(f"[{topic}] must be a table of result = 'claim' lines; "
                             f"write it as [{topic}] followed by name = '...'")
        derivation = topic_module(topic).derive()
        for name, text in claims.items():
            if not isinstance(text, str):
                raise ValueError(f"{topic}.{name} == {text!r}, must be a string; quote the "
                                 f"claim with single quotes")
            verdicts.append(check(derivation, name, text))
    return verdicts


def report(verdicts, as_json=False, single=False) -> int:
    """Print verdicts (text, or JSON for graders) and return the exit status.

    The status is 2 if any claim could not be read (one ``error:`` line on stderr says
    which), else 1 if any is wrong, else 0.
    """
    import json
    import sys
    unreadable = [v for v in verdicts if v.status == UNREADABLE]
    if as_json:
        payload = [v.as_dict() for v in verdicts]
        print(json.dumps(payload[0] if single else payload, indent=2, ensure_ascii=False))
    elif not (single and unreadable):
        print("\n".join(map(str, verdicts)))
        if not single:
            counts = {s: sum(v.status == s for v in verdicts) for s in (CORRECT, WRONG, UNREADABLE)}
            print(f"{len(verdicts)} claims: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    if unreadable:
        where = "; ".join(f"{v.topic}.{v.result} at position {v.position}: {v.problem}"
                          for v in unreadable)
        print(f"error: could not read {where}".replace("\n", " "), file=sys.stderr)
    return max((v.exit_status for v in verdicts), default=0)


def main(argv=None) -> int:
    """``python -m derivations check answers.toml [--json]``: exit 0, 1 or 2 as :func:`report`."""
    import sys
    import tomllib

    from .cli import ArgumentParser
    parser = ArgumentParser(prog="python -m derivations check",
                            description="Check the claims of an answers file.")
    parser.add_argument("answers", help="a TOML file: [topic] then result = 'LaTeX claim'")
    parser.add_argument("--json", action="store_true", help="verdicts as JSON, for graders")
    args = parser.parse_args(argv)
    try:
        with open(args.answers, "rb") as handle:
            answers = tomllib.load(handle)
        verdicts = check_answers(answers)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as error:
        print(f"error: {args.answers}: {error}".replace("\n", " "), file=sys.stderr)
        return 2
    return report(verdicts, args.json)
