r"""Reading LaTeX into SymPy: the first room of the checker.

A claim is read with ``sympy.parsing.latex.parse_latex`` after a pass of our own over
its tokens (user text is never passed to ``eval`` or ``sympify``): names become
placeholders mapped by name onto the model's symbols, numbers stay exact, and the
commands parse_latex would misread are rewritten or refused.  Everything that cannot
be read raises :class:`ClaimError` with the 0-based position in the text as written.

What a claim can be: an expression; an equation ``lhs = value``; a chain of
inequalities (``\neq`` alone as a part), an interval ``(a, b]`` or ``]a, b[``, sets joined by
``\cup``, ``\cap`` or ``\setminus``, ``\lambda \in ...`` or
``\{\eta \mid ...\}`` for a range; ``\{a, b\}``, a list ``a, b`` or ``a \pm b`` for a
set of values in any order; a matrix ``\begin{bmatrix}..\end{bmatrix}``; a tuple
``(a, b)``, labelled or not; ``\begin{cases}`` for a piecewise value; an order
``O(.)``, ``\Theta(.)``; a number with a tolerance ``2.3026 \pm 0.0001``.

Normalisations: ``e`` is Euler's number (unless the model has a symbol ``e``), ``\pi``,
``\left( \right)``, ``\left.``, ``\cdot``, ``\times``, ``\dfrac``, ``\tfrac``, ``\over``,
spaces (``\,`` ``\;`` ``\!`` ``\quad``), ``\mathrm{}``/``\text{}``/``\operatorname{}``,
subscripts of several letters (``\sigma_{max}``, ``n_{in}``), ``\varepsilon``, names
written with or without backslashes and braces (``\sigma_{\max}`` is ``sigma_max``),
implicit products (``\eta\beta\sigma^2``), ``x(y+z)`` read as a product unless ``x`` is
a function of the model, and ``\pm`` anywhere (read as the set of both values).

Limits (hostile input ends quickly): see :data:`LIMITS`.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

import sympy as sp
from sympy.core.function import AppliedUndef

from ..core import Derivation, Result, parse_number
from ..parsing import latex_parser
from .skeleton import read_plain

__all__ = ["ClaimError", "read_latex", "read_claim", "vocabulary", "normalise", "normal_name",
           "LIMITS"]

GREEK = set("""alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron
pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi
Omega ell""".split())
WRAPPERS = {"operatorname", "mathrm", "text", "textrm", "textit", "mathit", "mathbf", "mathsf",
            "mathcal", "boldsymbol", "rm", "mathtt", "mathbb", "bm"}
ACCENTS = {"dot": "dot", "ddot": "ddot", "bar": "bar", "overline": "bar", "hat": "hat",
           "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "vec": "vec"}
BUILTINS = {"sign": sp.sign, "sgn": sp.sign, "max": sp.Max, "min": sp.Min, "exp": sp.exp,
            "log": sp.log, "ln": sp.log, "abs": sp.Abs}
ORDERS = {"O", "Theta"}  # both compared as orders of growth (the same rate)
RELATIONS = {"=": "=", "<": "<", ">": ">", r"\leq": "<=", r"\geq": ">=", r"\in": "in",
             r"\neq": "!="}
# The commands handed on to parse_latex; any other command is "unknown", never a symbol.
COMMANDS = {"frac", "sqrt", "cdot", "log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh",
            "tanh", "arcsin", "arccos", "arctan", "infty", "sum", "prod", "int", "lim", "to",
            "partial", "lfloor", "rfloor", "lceil", "rceil", "binom", "max", "min", "sign",
            "cup", "cap", "setminus", "leq", "geq", "neq", "in", "pm", "mp", "vee", "wedge", "lor", "land",
            "langle", "rangle", "begin", "end", "div", "cdots", "ldots", "dots", "mathit",
            "exp", "det", "operatorname", "nabla", "prime"}
_OPEN = {"{": "}", r"\{": r"\}", "(": ")", "[": "]", r"\lceil": r"\rceil",
         r"\lfloor": r"\rfloor", r"\langle": r"\rangle"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_TOKEN = re.compile(r"\\begin\{[a-zA-Z*]+\}|\\end\{[a-zA-Z*]+\}|\\\\|\\[a-zA-Z]+|\\.|\s+|.", re.S)
_TRANSPOSE = sp.Symbol("transpose_marker")
# Marks that are a transpose and never a power (``^T`` is either: a matrix's transpose, a
# scalar's power of T).
_UPRIGHT_TRANSPOSES = (r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}")
_PLACEHOLDER, _LETTERS = "zq", "abcefghjkmnpqrstuvwxyz"

#: Bounds on what a claim may hold, so that hostile input ends within seconds.
LIMITS = {"length": 2000,         # characters in one claim
          "depth": 40,            # brackets, braces and environments nested in one another
          "digits": 1000,         # digits of any number a claim writes or makes
          "exponent": 1000,       # size of a numeric exponent of a symbolic base
          "seconds": 10,          # time to read and compare one claim
          "file_seconds": 300,    # time for all the claims of an answers file
          "file_megabytes": 1,    # size of an answers file
          "claims": 1000}         # claims in an answers file


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
        return self.splice({match.span(): replacement(match) if callable(replacement)
                            else match.expand(replacement)
                            for match in re.finditer(pattern, self.text)})

    def splice(self, edits: dict) -> "_Source":
        """Each ``(start, stop)`` span replaced by its new text (an empty span inserts),
        in one pass; new text takes the position of its span's start."""
        parts, last = [], 0
        for (start, stop), new in sorted(edits.items()):
            parts += zip(self.text[last:start], self.origins[last:start])
            parts.append((new, self.origins[start]))
            last = stop
        parts += zip(self.text[last:], self.origins[last:-1])
        joined = _Source.join(parts)
        return _Source(joined.text, joined.origins[:-1] + (self.origins[-1],))


def normalise(text: str) -> _Source:
    r"""The text-level normalisations: sizing, spaces, synonyms, ``$``.

    Examples
    --------
    >>> normalise(r"\left( a \cdot b \right)\, \times \varepsilon \le 1").text
    '( a \\cdot b )  \\cdot \\epsilon \\leq 1'
    """
    source = _Source.of(text).rewrite(r"\\([lr]?)vert(?![a-zA-Z])", lambda m: (
        r"\left|" if m.group(1) == "l" else r"\right|" if m.group(1) == "r" else "|"))
    source = _absolute_bars(source)
    rules = [
        (r"\$|\\displaystyle|\\boxed(?![a-zA-Z])", ""),
        (r"\\(?:left|right|[bB]igg?[lr]?)(?![a-zA-Z])(?:\s*\.)?", ""),
        (r"\\[,;:! ]|\\q?quad(?![a-zA-Z])|~", " "),
        (r"\\[dt]frac(?![a-zA-Z])", r"\\frac"),
        (r"\\times(?![a-zA-Z])", r"\\cdot"),
        (r"\\(?:leqslant|leq|le)(?![a-zA-Z])", r"\\leq"),
        (r"\\(?:geqslant|geq|ge)(?![a-zA-Z])", r"\\geq"),
        (r"\\(?:neq|ne)(?![a-zA-Z])|\\not\s*=", r"\\neq"),
        (r"\\lt(?![a-zA-Z])", "<"), (r"\\gt(?![a-zA-Z])", ">"),
        (r"\\(?:rightarrow|to)(?![a-zA-Z])", r"\\to"),
        (r"\\var(epsilon|theta|phi|rho|sigma|pi)(?![a-zA-Z])", r"\\\1"),
        (r"\\(?:emptyset|varnothing)(?![a-zA-Z])", r"\\{\\}"),
        (r"\\mathbb\s*\{?R\}?\s*(?:_\s*\{?\s*(?:>\s*0|\+)\s*\}?|\^\s*\{?\+\}?)", r"(0, \\infty)"),
        (r"\\mathbb\s*\{?R\}?\s*_\s*\{\s*\\geq\s*0\s*\}", r"[0, \\infty)"),
        (r"\\mathbb\s*\{?R\}?", r"(-\\infty, \\infty)"),
    ]
    for pattern, replacement in rules:  # a row break ``\\`` is never part of a match
        source = source.rewrite(r"(\\\\)|" + pattern, lambda m, new=replacement: m.group(1) or
                                m.expand(new.replace("\\1", "\\2")))
    source = _iso_intervals(source)
    source = source.rewrite(_POWER_BEFORE_SUBSCRIPT, r"\1_\3^\2")  # ``\sigma^2_L``: (sigma_L)^2
    for pattern, problem in _DOUBLE_SCRIPTS:  # SymPy's reader would drop or guess one
        found = re.search(pattern, source.text)
        if found:
            raise ClaimError(problem, source.position(found.start()))
    return _separate_products(_over_as_frac(source))


# Tokens after which an operand starts, and before which one has ended: an ISO interval's
# outward brackets stand there (``\in ]0, 1[``, ``]0, 1[ \cup``), never a bracket of the usual kind.
_BETWEEN_OPERANDS = {",", ";", ":", "&", r"\\", "=", "<", ">", r"\leq", r"\geq", r"\neq", r"\in",
                     r"\cup", r"\cap", r"\setminus", r"\lor", r"\land", r"\vee", r"\wedge", r"\mid"}


def _iso_intervals(source: _Source) -> _Source:
    r"""The ISO notation of open ends, ``]a, b[``, ``]a, b]``, ``[a, b[``, as ``(a, b)``,
    ``(a, b]``, ``[a, b)``: a ``]`` where an operand starts (at the start, after an opening
    bracket or an operator) opens, a ``[`` where one has ended (at the end, before a closing
    bracket or an operator) closes.

    Examples
    --------
    >>> _iso_intervals(_Source.of(r"\eta \in ]0, 1] \cup [2, 3[")).text
    '\\eta \\in (0, 1] \\cup [2, 3)'
    """
    solid = [(token, start) for token, start, _ in _tokens(source) if not token.isspace()]
    edits = {}
    for k, (token, start) in enumerate(solid):
        before = solid[k - 1][0] if k else None
        after = solid[k + 1][0] if k + 1 < len(solid) else None
        if token == "]" and (before is None or before in _BETWEEN_OPERANDS or before in _OPEN):
            edits[start, start + 1] = "("
        elif token == "[" and (after is None or after in _BETWEEN_OPERANDS or _is_closer(after)):
            edits[start, start + 1] = ")"
    return source.splice(edits)


# A name's (or a \sum's) superscript written before its subscript: ``x^{p}_{s}``.
_SCRIPT = r"(\{(?:[^{}]|\{[^{}]*\})*\}|\\[a-zA-Z]+|[^\s{}\\^_])"
_POWER_BEFORE_SUBSCRIPT = r"(\\[a-zA-Z]+(?:\s*\{[^{}]*\})?|[a-zA-Z])\s*\^\s*" + _SCRIPT + r"\s*_\s*" + _SCRIPT
_DOUBLE_SCRIPTS = (  # ``|^1_0`` are an evaluation's bounds
    (r"(?<!\|)\^\s*" + _SCRIPT + r"\s*_", "a subscript after a power; write it before: x_{1}^{2}"),
    (r"\^\s*" + _SCRIPT + r"\s*\^", "a double superscript; write x^{2^{3}} or (x^{2})^{3}"))


# Commands after which a bar opens an absolute value (``\\cdot |x|``), unlike a name's.
_OPERATOR_COMMANDS = {"cdot", "times", "div", "pm", "mp", "leq", "geq", "neq", "le", "ge",
                      "lt", "gt", "in", "to", "mid", "quad", "qquad", "left", "frac", "sqrt"}


def _absolute_bars(source: _Source) -> _Source:
    r"""Absolute values ``|x|`` as ``\operatorname{abs}(x)``, each closing bar paired with
    its opening one: ``\left|`` opens, ``\right|`` closes, and a bare ``|`` closes an open
    one right after an operand (a name, a digit, a bracket or a closing bar), else opens
    (``|a| + 2|b|`` is two absolute values, not ``|a| (+2) |b|``). A bar left unpaired
    (``\{\eta \mid ...\}`` written with ``|``, ``\right|_{x=0}``) stays.

    Examples
    --------
    >>> _absolute_bars(_Source.of(r"|a| + 2\left|b - |c|\right|")).text
    '\\operatorname{abs}(a) + 2\\operatorname{abs}(b - \\operatorname{abs}(c))'
    """
    open_bars, pairs, closers = [], [], set()
    for match in re.finditer(r"\\(?:left|right)\s*\||\\\||\\[a-zA-Z]+|\|", source.text):
        token, start = match.group(), match.start()
        if token != "|" and not token.endswith("|") or token == "\\|":
            continue  # another command (``\\mid``, ``\\|``, ``\\left(``)
        before = source.text[:start].rstrip()
        command = re.search(r"\\([a-zA-Z]+)$", before)
        operand = bool(before) and (before[-1].isalnum() or before[-1] in ")]}'" or
                                    len(before) - 1 in closers) and not (
            command and command.group(1) in _OPERATOR_COMMANDS)
        if token.startswith("\\left"):
            open_bars.append(match.span())
        elif open_bars and (token.startswith("\\right") or operand):
            pairs.append((open_bars.pop(), match.span()))
            closers.add(match.end() - 1)
        elif token == "|":
            open_bars.append(match.span())
    new = {span: text for opening, closing in pairs
           for span, text in ((opening, r"\operatorname{abs}("), (closing, ")"))}
    return source.splice(new)


# Where a product's factors end: a sum, a relation, a separator, a closing bracket.
_PRODUCT_ENDS = {"+", "-", "=", "<", ">", r"\leq", r"\geq", r"\neq", ",", "&", ";", r"\\"}


def _separate_products(source: _Source) -> _Source:
    r"""``\prod_k a_k \prod_k b_k`` as ``(\prod_k a_k) \prod_k b_k``: a product with factors
    of its own ends where the next one starts (SymPy's reader would nest the second in the
    first); ``\prod_i \prod_j a_{ij}`` stays a double product.

    Examples
    --------
    >>> _separate_products(_Source.of(r"x\prod_{k=1}^{n} a_k \prod_{k=2}^{n} w_k")).text
    'x(\\prod_{k=1}^{n} a_k )\\prod_{k=2}^{n} w_k'
    """
    tokens = _tokens(source)
    try:
        pairs = _matching(source, tokens)
    except ClaimError:
        return source  # the reader reports it
    wraps = []
    for k, (token, start, _) in enumerate(tokens):
        if token != r"\prod":
            continue
        m = k + 1
        while m < len(tokens) and (tokens[m][0].isspace() or tokens[m][0] in ("_", "^")):
            if tokens[m][0] in ("_", "^"):
                m = pairs.get(m + 1, m + 1) + 1 if m + 1 < len(tokens) else m + 1
            else:
                m += 1
        body, end = m, None
        while m < len(tokens):
            if tokens[m][0] in _PRODUCT_ENDS or _is_closer(tokens[m][0]):
                break
            if tokens[m][0] == r"\prod":
                end = m
                break
            m = pairs.get(m, m) + 1
        if end is not None and "".join(t for t, _, _ in tokens[body:end]).strip():
            wraps.append((start, tokens[end][1]))
    edits: dict = {}
    for start, stop in wraps:  # ``\prod a \prod b \prod c``: ``)(`` where two meet
        edits[start, start] = edits.get((start, start), "") + "("
        edits[stop, stop] = edits.get((stop, stop), "") + ")"
    return source.splice(edits)


def _over_as_frac(source: _Source) -> _Source:
    r"""``{a \over b}`` as ``\frac{a}{b}`` (the group is the innermost braces around it).

    Examples
    --------
    >>> _over_as_frac(_Source.of(r"2{1 \over x+1}")).text
    '2{\\frac{1 }{ x+1}}'
    """
    while True:
        tokens = _tokens(source)
        over = next((k for k, t in enumerate(tokens) if t[0] == r"\over"), None)
        if over is None:
            return source
        pairs = _matching(source, tokens)
        group = max((k for k, close in pairs.items()
                     if k < over < close and tokens[k][0] == "{"), default=None)
        start = tokens[group][2] if group is not None else 0
        stop = tokens[pairs[group]][1] if group is not None else len(source.text)
        at, end = tokens[over][1], tokens[over][2]
        source = source.splice({(start, start): r"\frac{", (at, end): "}{", (stop, stop): "}"})


def normal_name(name: str) -> str:
    r"""A symbol's name without backslashes, braces, spaces or font commands.

    Examples
    --------
    >>> [normal_name(n) for n in (r"\sigma_{\mathrm{max}}", "w_{t + 1}", r"\eta^{\star}")]
    ['sigma_max', 'w_t+1', 'eta^*']
    """
    name = re.sub(r"\\(?:star|ast)(?![a-zA-Z])", "*", name)
    name = re.sub(r"\\prime(?![a-zA-Z])", "'", name)
    name = re.sub(r"\\infty(?![a-zA-Z])", "infinity", name)
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
    """The names a claim may use, and what one reading found: unknown names, tolerances.

    ``owner`` names the model in messages; with ``owner=None`` any name is a new symbol.
    """

    symbols: dict[str, sp.Basic]
    functions: dict[str, Any]
    indexed: dict[str, sp.IndexedBase]
    domains: dict[sp.Basic, sp.Set] = field(default_factory=dict)
    owner: str | None = None
    aliases: tuple = ()
    unknown: dict[sp.Symbol, int] = field(default_factory=dict)
    tolerances: dict[sp.Expr, sp.Expr] = field(default_factory=dict)
    decimals: dict[sp.Expr, sp.Expr] = field(default_factory=dict)
    orders: dict[sp.Order, sp.Expr] = field(default_factory=dict)  # O(.) as written
    ranks: dict[str, int] = field(default_factory=dict)  # indices an indexed name takes
    one_sided: set = field(default_factory=set)  # ranges of an expression with one side open
    bound: set = field(default_factory=set)  # names an evaluation bar substitutes (E|_{u=2})


def _names(parts) -> tuple[dict, dict, dict]:
    """Symbols (matrices after scalars), functions and indexed bases of SymPy objects."""
    symbols, functions, indexed, matrices = {}, {}, {}, {}
    for part in parts:
        if isinstance(part, (sp.FunctionClass, sp.core.function.UndefinedFunction)):
            functions[normal_name(part.__name__)] = part(sp.Symbol("x"))
            continue
        if not isinstance(part, sp.Basic):
            continue
        for atom in part.atoms(sp.Symbol):
            if not isinstance(atom, sp.Dummy):
                symbols[normal_name(atom.name)] = atom
        for atom in part.atoms(sp.MatrixSymbol):
            matrices[normal_name(atom.name)] = atom
        for atom in part.atoms(sp.IndexedBase) | {i.base for i in part.atoms(sp.Indexed)}:
            indexed[normal_name(atom.label.name)] = atom
            symbols[normal_name(atom.label.name)] = atom
        for atom in part.atoms(AppliedUndef):
            functions[normal_name(atom.func.__name__)] = atom
    return {**symbols, **matrices}, functions, indexed


def vocabulary(derivation: Derivation, result: Result | None = None) -> _Context:
    """Every symbol, function and indexed base of a derivation, by normalised name.

    The named result's own symbols take precedence over same-named ones elsewhere; the
    derivation's declared ``aliases`` (names students use) are read as what they stand for.

    Examples
    --------
    >>> from derivations import momentum
    >>> context = vocabulary(momentum.derive())
    >>> context.symbols["sigma_max"], context.symbols["a_t+1"]
    (sigma_max, a_{t+1})
    """
    definitions = getattr(derivation, "definitions", None) or {}
    parts = [p.symbol for p in derivation.parameters] + list(derivation.constraints) + \
        [*definitions.keys(), *definitions.values()]
    for r in derivation.results:
        if r is not result:
            parts += [r.value, *r.assumptions] + ([r.lhs] if r.lhs is not None else [])
    symbols, functions, indexed = _names(parts)
    if result is not None:  # the result's own names win over same-named ones elsewhere
        own = _names([result.value, *result.assumptions] +
                     ([result.lhs] if result.lhs is not None else []))
        symbols, functions, indexed = ({**symbols, **own[0]}, {**functions, **own[1]},
                                       {**indexed, **own[2]})
    declared = getattr(derivation, "aliases", None) or {}
    calls = (sp.Lambda, sp.core.function.UndefinedFunction)  # a function by another name
    aliases = tuple((_alias_tokens(name), value) for name, value in declared.items()
                    if not isinstance(value, calls))
    functions = {**functions, **{normal_name(name): value if isinstance(value, sp.Lambda) else
                                 functions.get(normal_name(value.__name__), value(sp.Symbol("x")))
                                 for name, value in declared.items() if isinstance(value, calls)}}
    domains = {p.symbol: p.domain for p in derivation.parameters}
    variable = result.lhs if result is not None and isinstance(result.value, sp.Set) and \
        not isinstance(result.value, sp.FiniteSet) and isinstance(result.lhs, sp.Symbol) else None
    if variable is not None:  # a range's variable is read as any real (|eta| stays |eta|)
        twin = sp.Symbol(variable.name, real=True)
        symbols = {name: twin if value == variable else value for name, value in symbols.items()}
        domains[twin] = domains.get(variable, sp.Reals)
    ranks = {normal_name(entry.base.label.name): len(entry.indices)
             for part in parts + ([result.value] if result is not None else [])
             if isinstance(part, sp.Basic) for entry in part.atoms(sp.Indexed)}
    return _Context(symbols, functions, indexed, domains, derivation.topic, aliases,
                    ranks=ranks)


def _alias_tokens(name: str) -> tuple[str, ...]:
    """An alias as the tokens a claim must hold, spaces and sizing dropped."""
    return tuple(t for t, _, _ in _tokens(normalise(name)) if not t.isspace())


# --------------------------------------------------------------------------- reading


def read_latex(text: str, symbols: Iterable | Derivation | None = None):
    r"""Read LaTeX into a SymPy object: an expression, a relation, a set, a tuple, a matrix.

    Parameters
    ----------
    text : str
        The LaTeX, with or without ``$``.  It is parsed, never evaluated.
    symbols : iterable of SymPy symbols, matrix symbols, indexed bases or undefined
        functions, or a Derivation, optional
        The names the text may use, matched by normalised name (``\sigma_{\max}`` is
        ``sigma_max``).  With ``symbols`` given, any other name raises ClaimError; without,
        every name becomes a new Symbol of its normalised name (``b_{t+1}`` is ``b_t+1``).

    Returns
    -------
    sympy object
        ``Eq`` for ``a = b``, an inequality or ``And`` for a chain, ``Tuple`` for ``a, b``
        and for ``(a, b)``, an expression otherwise.

    Raises
    ------
    ClaimError
        What could not be read, and where (0-based position in ``text``).

    Examples
    --------
    >>> import sympy as sp
    >>> mu = sp.Symbol("mu", positive=True)
    >>> rule = read_latex(r"b_{t+1} = \mu b_t + g_t", [mu])
    Traceback (most recent call last):
    ...
    derivations.checking.reading.ClaimError: 'b_t+1' is not a known name (known: mu) at position 0
    >>> read_latex(r"b_{t+1} = \mu b_t + g_t")
    Eq(b_t+1, b_t*mu + g_t)
    >>> read_latex(r"{1 \over 2} x^2")
    x**2/2
    """
    if isinstance(symbols, Derivation):
        context = vocabulary(symbols)
    elif symbols is None:
        context = _Context({}, {}, {})
    else:
        names, functions, indexed = _names(list(symbols))
        context = _Context(names, functions, indexed, owner="")
    value = _read_checked(text, context, None)
    if isinstance(value, sp.FiniteSet) and not _is_plus_minus(text):
        value = sp.Tuple(*value.args)  # a list ``a, b`` in text order
    return value


def _is_plus_minus(text):
    return r"\pm" in text or r"\mp" in text


def read_claim(text: str, derivation: Derivation, result: Result | None = None):
    r"""Read a claim about a derivation's result into SymPy, with the derivation's symbols.

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
    return read_claim_with_context(text, derivation, result)[0]


def read_claim_with_context(text, derivation, result):
    """The claim's value and the reading's context (its tolerances and decimals)."""
    context = vocabulary(derivation, result)
    expected = result.value if result is not None else None
    return _read_checked(text, context, expected), context


def _read_checked(text, context, expected):
    """Read within the limits; names that are not the model's are refused."""
    if len(text) > LIMITS["length"]:
        raise ClaimError(f"the claim has {len(text)} characters, more than the limit of "
                         f"{LIMITS['length']}; shorten it", LIMITS["length"])
    source = normalise(text)
    _check_depth(source)
    exponent = re.search(r"(?<![A-Za-z\\])\d*\.?\d+[eE][+-]?\d", source.text)
    if exponent and "e" not in context.symbols:  # ``1e-4``: 10^-4, or Euler's e minus 4?
        raise ClaimError(f"{exponent.group()!r} could be a power of ten or Euler's e; write "
                         f"10^{{...}} (1 \\times 10^{{-4}}) or e with an operator (1 \\cdot e - 4)",
                         source.position(exponent.start()))
    try:
        value = _read(source, context, expected)
        if isinstance(expected, sp.Tuple) and len(expected) == 1 and not isinstance(value, sp.Tuple):
            value = _read_list([source], context, expected)  # ``\alpha = a`` for ``(\alpha = a,)``
    except RecursionError:
        raise ClaimError("the claim is nested too deeply to read", 0) from None
    if context.owner is None:
        return value
    free = value.free_symbols if isinstance(value, sp.Basic) else set()
    written = value.atoms(sp.Symbol) if isinstance(value, sp.Basic) else set()  # bound ones too
    for symbol, position in sorted(context.unknown.items(), key=lambda item: item[1]):
        if symbol in free or not isinstance(value, sp.Basic) or \
                symbol not in written | context.bound:  # ``0 \cdot q``, ``{s'}(0)``: gone, not known
            known = ", ".join(sorted(str(s) for s in context.symbols))
            raise ClaimError(f"{symbol.name!r} is not a symbol of {context.owner} (its symbols: "
                             f"{known})" if context.owner else
                             f"{symbol.name!r} is not a known name (known: {known})", position)
    return value


def _check_depth(source):
    """Refuse brackets nested deeper than the limit before any recursive reading."""
    depth = 0
    for token, start, _ in _tokens(source):
        if _closer_of(token):
            depth += 1
            if depth > LIMITS["depth"]:
                raise ClaimError(f"brackets nested more than {LIMITS['depth']} deep",
                                 source.position(start))
        elif _is_closer(token):
            depth -= 1


_CONNECTIVES = {r"\vee", r"\lor", r"\wedge", r"\land"}


def _read(source, context, expected):
    source = source.strip()
    if not source.text:
        raise ClaimError("nothing to read", source.position(0))
    enclosed = _enclosed(source)
    if enclosed and enclosed[0] == "(" and _split(enclosed[1], _CONNECTIVES | set(_SET_OPERATIONS))[1]:
        return _read(enclosed[1], context, expected)  # ``(a \land b) \lor c``, ``(A \cup B) \cap C``
    for connectives, join in (({r"\vee", r"\lor"}, sp.Or), ({r"\wedge", r"\land"}, sp.And)):
        pieces, found = _split(source, connectives)
        if found:  # for a set, ranges (``\eta \leq a \lor \eta \geq b``)
            part = expected if isinstance(expected, sp.Set) else None
            values = [_read(p, context, part) for p in pieces]
            for piece, value in zip(pieces, values):
                if not isinstance(value, sp.logic.boolalg.Boolean):
                    raise ClaimError(r"the parts joined by \lor or \land are relations",
                                     piece.strip().position(0))
            return join(*values)
    items, commas = _split(source, {","})
    if commas and all(_split(item, {"="})[1] for item in items):
        return _read_list(items, context, expected)  # ``m = 1 - \beta, \alpha = \beta\eta``
    if commas and isinstance(expected, sp.Set) and not isinstance(expected, sp.FiniteSet) and all(
            _split(item, RELATIONS)[1] for item in items):  # ``0 < \eta, \eta\sigma^2 < 1``: both
        return sp.And(*(_read(item, context, expected) for item in items))
    pieces, found = _split(source, RELATIONS)
    if found:
        return _read_relation(pieces, [RELATIONS[f] for f in found], context, expected)
    pieces, found = _split(source, set(_SET_OPERATIONS))
    if found:
        return _read_set_operation(pieces, found, context, expected)
    pieces, found = _split(source, {r"\pm", r"\mp"})
    if found:
        return _read_plus_minus(pieces, context, expected)
    if commas:
        return _read_list(items, context, expected)
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
            builder, bars = _split(inside, {r"\mid", "|", ":"})
            if len(builder) == 2:  # ``\{\eta \mid 0 < \eta < 2\}``
                return _set_builder(builder, context, expected)
            items, _ = _split(inside, {","})
            return sp.FiniteSet(*(_read(p, context, None) for p in items))
        if opener in "([":
            items, _ = _split(inside, {","})
            if len(items) > 1 or (isinstance(expected, sp.Tuple) and len(expected) == 1):
                return _read_bracketed(opener, items, closer, context, expected, source)
    return _read_expression(source, context)


def _read_list(items, context, expected):
    """``a, b``: a tuple where the result is one, else a set (in any order)."""
    parts = expected.args if isinstance(expected, sp.Tuple) and len(expected) == len(items) else \
        [None] * len(items)
    values = [_labelled_part(_read(p, context, e), p) for p, e in zip(items, parts)]
    return sp.Tuple(*values) if isinstance(expected, sp.Tuple) else sp.FiniteSet(*values)


def _labelled_part(value, source):
    """A part ``label = value`` of a list as ``Eq(label, value)``, its label matched when
    comparing (:func:`derivations.checking.comparing.compare`)."""
    if not isinstance(value, _Labelled):
        return value
    if not isinstance(value.lhs, sp.Expr) or not isinstance(value.value, sp.Expr):
        raise ClaimError(f"could not read the label {value.text!r} of this part",
                         source.strip().position(0))
    return sp.Eq(value.lhs, value.value, evaluate=False)


def _read_bracketed(opener, items, closer, context, expected, source):
    if isinstance(expected, sp.Set) and not isinstance(expected, sp.FiniteSet):
        if len(items) != 2:
            raise ClaimError("an interval has two ends", source.position(0))
        start, end = _single_values([_read_expression(p, context) for p in items], source)
        return sp.Interval(start, end, opener == "(", closer == ")")
    parts = expected.args if isinstance(expected, sp.Tuple) and len(expected) == len(items) else \
        [None] * len(items)
    return sp.Tuple(*(_labelled_part(_read(p, context, e), p) for p, e in zip(items, parts)))


def _single_values(ends, source):
    """``ends`` of a range, each one value (``\\frac{1 \\pm 0}{\\sigma^2}`` is two)."""
    if any(not isinstance(end, sp.Expr) for end in ends):
        raise ClaimError(r"a range's ends are single values (\pm gives two)", source.position(0))
    return ends


def _read_set(source, context, expected):
    value = _read(source, context, expected if isinstance(expected, sp.Set) else sp.Reals)
    if isinstance(value, sp.Contains):
        value = value.args[1]
    if not isinstance(value, sp.Set):
        raise ClaimError("a set or an interval was expected here", source.strip().position(0))
    return value


# Set operations between ranges: how the sets of the parts join (``\setminus`` from the left).
_SET_OPERATIONS = {r"\cup": sp.Union, r"\cap": sp.Intersection, r"\setminus": sp.Complement}


def _read_set_operation(pieces, operators, context, expected):
    r"""``A \cup B``, ``A \cap B``, ``A \setminus B`` (one kind at a time: brackets say how
    two kinds group); where the parts name their variable (``\{x \mid ...\}``), one
    variable for all, kept as ``Contains(x, ...)``."""
    if len(set(operators)) > 1:
        raise ClaimError(f"{operators[0]} and {next(o for o in operators if o != operators[0])} "
                         f"mixed; bracket the parts, e.g. (A \\cup B) \\cap C",
                         pieces[1].strip().position(0))
    parts = [_read(p, context, expected if isinstance(expected, sp.Set) else sp.Reals)
             for p in pieces]
    variables = {part.args[0] for part in parts if isinstance(part, sp.Contains)}
    sets = [part.args[1] if isinstance(part, sp.Contains) else part for part in parts]
    for piece, value in zip(pieces, sets):
        if not isinstance(value, sp.Set):
            raise ClaimError("a set or an interval was expected here", piece.strip().position(0))
    if len(variables) > 1:
        raise ClaimError(f"the parts joined by {operators[0]} are sets of different variables",
                         pieces[0].strip().position(0))
    joined = functools.reduce(_SET_OPERATIONS[operators[0]], sets)
    return sp.Contains(variables.pop(), joined, evaluate=False) if variables else joined


def _set_builder(builder, context, expected):
    r"""``\{x \mid condition\}`` as ``Contains(x, S)``: the condition bounds ``x``, or an
    expression in ``x`` (``|1 - 2\eta\sigma^2| < 1``, kept as the set of ``x``'s domain where
    it holds); conditions may be joined by ``\land`` and ``\lor``, and the head may bound ``x``
    too (``\{\eta > 0 \mid ...\}``, ``\{\eta \in (0, 1) \mid ...\}``)."""
    wanted = expected if isinstance(expected, sp.Set) else sp.Reals
    head = _read(builder[0], context, wanted) if _split(builder[0], RELATIONS)[1] else None
    if head is not None and not (isinstance(head, sp.Contains) and
                                 isinstance(head.args[0], sp.Symbol)):
        raise ClaimError("the set's head is its variable, or a range of it",
                         builder[0].strip().position(0))
    variable = head.args[0] if head is not None else _read_expression(builder[0], context)
    universe = head.args[1] if head is not None else context.domains.get(variable, sp.Reals)
    condition = _of_variable(_read(builder[1], context, wanted), variable, universe,
                             builder[1].strip().position(0))
    return sp.And(head, condition) if head is not None else condition


def _of_variable(value, variable, universe, position):
    """A set-builder's condition as ranges of its ``variable``, conditions on expressions in
    it solved within ``universe`` (the set its head names, else the variable's domain)."""
    if isinstance(value, (sp.And, sp.Or)):
        return value.func(*(_of_variable(part, variable, universe, position)
                            for part in value.args))
    if isinstance(value, sp.Contains):
        element, values = value.args
        if element != variable and isinstance(element, sp.Expr) and \
                variable in element.free_symbols | values.free_symbols:
            return sp.Contains(variable, _set_where(variable, element, values, universe),
                               evaluate=False)
        if element != variable:
            raise ClaimError(f"the set is of {sp.latex(variable)} but its condition bounds "
                             f"{sp.latex(element)}", position)
        return value
    if not isinstance(value, sp.Set):
        raise ClaimError("a set or an interval was expected here", position)
    return sp.Contains(variable, value, evaluate=False)


def _condition(element, values, evaluate=True):
    """``element`` in ``values`` as relations, an infinite end stating nothing (SymPy's
    ``as_relational`` keeps ``-oo < e``, which a rational ``e`` cannot be compared with);
    ``evaluate=False`` keeps a relation the symbols' assumptions decide (to show it).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> _condition(1 / x, sp.Interval.open(-sp.oo, 2))
    1/x < 2
    """
    if isinstance(values, sp.Union):
        return sp.Or(*(_condition(element, part, evaluate) for part in values.args),
                     evaluate=evaluate)
    if isinstance(values, sp.FiniteSet):
        return sp.Or(*(sp.Eq(element, value, evaluate=evaluate) for value in values.args),
                     evaluate=evaluate)
    if not isinstance(values, sp.Interval):
        return values.as_relational(element)
    below = [] if values.start.is_infinite else [(sp.StrictLessThan if values.left_open else
                                                  sp.LessThan)(values.start, element,
                                                               evaluate=evaluate)]
    above = [] if values.end.is_infinite else [(sp.StrictLessThan if values.right_open else
                                                sp.LessThan)(element, values.end,
                                                             evaluate=evaluate)]
    parts = below + above
    return sp.And(*parts, evaluate=evaluate) if len(parts) == 2 else parts[0] if parts else sp.true


def _set_where(variable, element, values, universe):
    """The values of ``variable`` in ``universe`` for which ``element`` (an expression in it)
    lies in ``values``: a condition kept unsolved, solved at each point compared.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> _set_where(x, x**2, sp.Interval.open(-sp.oo, 4), sp.Reals)
    ConditionSet(x, x**2 < 4, Reals)
    """
    return sp.ConditionSet(variable, _condition(element, values), universe)


def _read_plus_minus(pieces, context, expected):
    if len(pieces) != 2:
        raise ClaimError(r"one \pm at a time", pieces[1].position(0))
    centre = _read_expression(pieces[0], context)
    spread = _read_expression(pieces[1], context)
    if isinstance(expected, sp.FiniteSet) or not (centre.is_number and spread.is_number):
        return sp.FiniteSet(centre - spread, centre + spread)
    if abs(spread) > abs(centre) / 100:  # ``2 \pm 1`` holds for ln 10 but answers nothing
        raise ClaimError("a tolerance wider than 1% of the value is not an answer; give the "
                         "value to more digits", pieces[1].position(0))
    context.tolerances[centre] = min(abs(spread), context.tolerances.get(centre, abs(spread)))
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
        if isinstance(expected, sp.core.relational.Relational) or (
                expected is None and isinstance(right, sp.Expr)):
            return sp.Eq(_read_expression(pieces[0], context), right, evaluate=False)
        label = replace(context, unknown={})  # a label's names are judged when comparing
        try:
            left = _read(pieces[0], label, None)
        except ClaimError:
            left = None  # compared with the result's left-hand side as text
        return _Labelled(left, right, pieces[0].strip().position(0), pieces[0].strip().text,
                         frozenset(label.unknown))
    sides = [_read_expression(p, context) for p in pieces]
    if isinstance(expected, sp.Set):
        return _interval_from_chain(kinds, sides, context, pieces)
    relations = [_relation(kind, a, b) for kind, a, b in zip(kinds, sides, sides[1:])]
    return relations[0] if len(relations) == 1 else sp.And(*relations, evaluate=False)


@dataclass(frozen=True)
class _Labelled:
    """``lhs = value``: the value, and the label that says what it is the value of.

    ``unknown`` holds the label's names that are not the model's (``lhs`` is None when
    the label could not be read); whether the label names the result is decided when
    comparing.
    """

    lhs: sp.Basic
    value: Any
    position: int = 0
    text: str = ""
    unknown: frozenset = frozenset()


def _relation(kind, a, b):
    ops = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan,
           ">=": sp.GreaterThan, "=": sp.Eq, "!=": sp.Ne}
    return ops[kind](a, b, evaluate=False)


def _interval_from_chain(kinds, sides, context, pieces):
    """``a < x <= b`` (or ``x < b``, ``b > x > a``) as ``Contains(x, Interval)``; ``x`` is
    the side that is a symbol, else the one side with symbols (``1 - \\eta\\sigma^2 > 0``).
    A one-sided chain is noted in ``context.one_sided``, its open side infinite: the
    comparison takes it from the variable's domain where the claim means that
    (:func:`derivations.checking.comparing.range_of`)."""
    _single_values(sides, pieces[0])
    if kinds == ["!="]:  # ``\eta \neq 0``: the reals but one value, the open sides the domain's
        variable, other = sides if isinstance(sides[0], sp.Symbol) or not sides[1].free_symbols \
            else sides[::-1]
        contains = sp.Contains(variable, sp.Union(sp.Interval.open(-sp.oo, other),
                                                  sp.Interval.open(other, sp.oo)), evaluate=False)
        context.one_sided.add(contains)
        return contains
    if any(k in ("=", "!=") for k in kinds) or len(sides) > 3:
        raise ClaimError("a range is a chain of < and <= around one variable, or one \\neq",
                         pieces[0].position(0))
    if len({k in (">", ">=") for k in kinds}) > 1:
        raise ClaimError("a range's inequalities must point one way", pieces[0].position(0))
    if kinds[0] in (">", ">="):
        kinds = [{">": "<", ">=": "<="}[k] for k in reversed(kinds)]
        sides = sides[::-1]
    with_symbols = [s for s in sides if s.free_symbols]
    variable = sides[1] if len(sides) == 3 else next(
        (s for s in sides if isinstance(s, sp.Symbol)),
        with_symbols[0] if len(with_symbols) == 1 else sides[0])
    start, left_open, end, right_open = -sp.oo, True, sp.oo, True
    if len(sides) == 3:
        (start, end), left_open, right_open = (sides[0], sides[2]), kinds[0] == "<", kinds[1] == "<"
    elif sides[0] == variable:
        end, right_open = sides[1], kinds[0] == "<"
    else:
        start, left_open = sides[0], kinds[0] == "<"
    contains = sp.Contains(variable, sp.Interval(start, end, left_open, right_open),
                           evaluate=False)
    if len(sides) == 2:
        context.one_sided.add(contains)
    return contains


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
    r"""One expression: names become placeholders, parse_latex reads the rest.

    ``\pm`` (and ``\mp``) inside it give the set of both values.
    """
    source = source.strip()
    if not source.text:
        raise ClaimError("an expression is missing", source.position(0))
    if any(t in (r"\pm", r"\mp") for t, _, _ in _tokens(source)):
        return sp.FiniteSet(*(_read_expression(source.rewrite(r"\\pm(?![a-zA-Z])|\\mp(?![a-zA-Z])",
                                                              lambda m, s=sign: s(m.group())),
                                               context)
                              for sign in (_plus, _minus)))
    pieces, bars = _split(source, {"|"})
    if bars:  # a bar left unpaired by ``_absolute_bars``
        return _evaluated(pieces, context)
    skeleton, placeholders = _Skeleton(source, context).build()
    _refuse_open_slash(skeleton)
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
    unit = decimal_unit(source.text)
    if unit is not None:  # one value written twice (-0.23, -0.23000) is held to the finer
        context.decimals[value] = min(unit, context.decimals.get(value, unit))
    return value


# Commands that start an operand in a skeleton (names and numbers are ``{\mathit{..}}``).
_OPERAND_COMMANDS = {"frac", "sqrt", "log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh",
                     "tanh", "pi", "infty", "binom", "lfloor", "lceil", "operatorname", "mathit"}
_FUNCTION_COMMANDS = {"log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh"}


def _refuse_open_slash(skeleton: _Source):
    r"""Refuse ``a / b c`` (and ``a \div b c``, ``a/-b c``): SymPy's reader takes ``1/2x`` as
    ``1/(2x)``, a reader of ``1/2 (xw - y)^2`` means a half of the square; the claim must say
    which. A ratio ``a : b`` is refused too.

    Examples
    --------
    >>> _refuse_open_slash(_Source.of(r"{\mathit{a}}/{\mathit{b}}^{2} + {\mathit{c}}"))
    >>> _refuse_open_slash(_Source.of(r"{\mathit{a}}/{\mathit{b}}{\mathit{c}}"))
    Traceback (most recent call last):
    ...
    derivations.checking.reading.ClaimError: a / b c: is c over the slash? write \frac{a}{b c} or \frac{a}{b} c at position 25
    """
    tokens = _tokens(skeleton)
    try:
        pairs = _matching(skeleton, tokens)
    except ClaimError:
        return  # the reader reports it
    for k, (token, start, _) in enumerate(tokens):
        if token.startswith("\\") and token[1:] in _FUNCTION_COMMANDS:
            argument = _skip_space(tokens, k + 1)
            after = None if argument == len(tokens) or tokens[argument][0] == "(" else \
                _operand_end(tokens, pairs, argument)
            while after is not None and after < len(tokens) and _starts_operand(tokens[after][0]):
                after = _operand_end(tokens, pairs, after)  # ``\log 10^5 \eta / ...``
            if after is not None and after < len(tokens) and tokens[after][0] in ("/", r"\div"):
                raise ClaimError(rf"{token} a / b: the {token[1:]} of a, or of a / b? write "
                                 rf"{token}(a) / b or {token}(a / b)", skeleton.position(start))
        if token == ":":  # SymPy's reader divides
            raise ClaimError(r"a ratio a : b; write \frac{a}{b}", skeleton.position(start))
        if token in ("/", r"\div"):
            after = _operand_end(tokens, pairs, k + 1)
            if after is not None and after < len(tokens) and tokens[after][0] == r"\cdot":
                following = _skip_space(tokens, after + 1)
                if following < len(tokens) and skeleton.position(tokens[after][1]) == \
                        skeleton.position(tokens[following][1]):  # ``b(c)``: a product we wrote
                    after = following
            if after is not None and after < len(tokens) and _starts_operand(tokens[after][0]):
                raise ClaimError(r"a / b c: is c over the slash? write \frac{a}{b c} or "
                                 r"\frac{a}{b} c", skeleton.position(tokens[after][1]))


def _skip_space(tokens, k):
    """The index of the first token from ``k`` on that is not a space (``len(tokens)`` if none)."""
    while k < len(tokens) and tokens[k][0].isspace():
        k += 1
    return k


def _operand_end(tokens, pairs, k):
    """The index after the operand starting at ``k`` (scripts and ``!`` included), after
    spaces; None where no operand starts there."""
    skip = functools.partial(_skip_space, tokens)

    def group(k):  # a bracketed group or one token
        k = skip(k)
        return pairs[k] + 1 if k in pairs else k + 1
    k = skip(k)
    while k < len(tokens) and tokens[k][0] in ("-", "+"):  # ``a/-b c``
        k = skip(k + 1)
    if k >= len(tokens):
        return None
    token = tokens[k][0]
    if k in pairs:
        k = pairs[k] + 1
    elif token.startswith("\\") and token[1:] in _FUNCTION_COMMANDS:
        k = skip(k + 1)
        k = pairs[k] + 1 if k in pairs else _operand_end(tokens, pairs, k)
        if k is None:
            return None
    elif token in (r"\frac", r"\binom"):
        k = group(group(k + 1))
    elif token == r"\sqrt":
        k = skip(k + 1)
        k = group(pairs[k] + 1 if k in pairs and tokens[k][0] == "[" else k)
    elif token.isalnum() or token.startswith("\\") and token[1:] in _OPERAND_COMMANDS:
        k += 1
    else:
        return None
    while skip(k) < len(tokens) and tokens[skip(k)][0] in ("^", "_", "!"):
        k = skip(k)
        k = group(k + 1) if tokens[k][0] != "!" else k + 1
    return skip(k)


def _starts_operand(token):
    """Whether a token of a claim, or of its skeleton, starts an operand: a name, a number,
    a bracket, a function."""
    return token.isalnum() or token in ("{", "(", "[", r"\{") or token.startswith("\\") and (
        token[1:] in GREEK | WRAPPERS | set(ACCENTS) | _OPERAND_COMMANDS)


def _evaluated(pieces, context):
    r"""``E |_{x=a}`` (``\left. E \right|_{x=a}``): ``E`` with ``x = a``.

    Examples
    --------
    >>> _read_expression(_Source.of(r"x^2 + y |_{x=3}"), _Context({}, {}, {}))
    y + 9
    """
    at = re.fullmatch(r"\s*_\s*\{(.*)\}\s*", pieces[-1].text, re.S)
    if len(pieces) != 2 or not at:
        raise ClaimError("a bar that is neither an absolute value nor an evaluation "
                         "E|_{x=a} (for bounds write F(b) - F(a))", pieces[1].position(0))
    sides, equals = _split(pieces[1][at.start(1):at.end(1)], {"="})
    variable = _read_expression(sides[0], context) if len(sides) == 2 else None
    if not isinstance(variable, sp.Symbol):
        raise ClaimError("an evaluation bar names its variable: E|_{x=a}", pieces[1].position(0))
    value = _read_expression(pieces[0], context).subs(variable, _read_expression(sides[1], context))
    context.bound.add(variable)
    return value.doit() if value.has(sp.Subs) else value  # a derivative at the point


def _plus(sign):
    return "+" if sign == r"\pm" else "-"


def _minus(sign):
    return "-" if sign == r"\pm" else "+"


_DECIMAL = re.compile(r"-?\s*\d*\.(\d+)(?:\s*(?:\\cdot|\\times)\s*10\s*\^\s*\{?\s*(-?\d+)\s*\}?)?")


def decimal_unit(text: str):
    r"""One unit in the last digit of a lone decimal number (``None`` for anything else).

    Examples
    --------
    >>> decimal_unit("2.3026"), decimal_unit(r"-1.5 \cdot 10^{-3}"), decimal_unit("3")
    (1/10000, 1/10000, None)
    """
    match = _DECIMAL.fullmatch(text.strip())
    if match is None:
        return None
    exponent = int(match.group(2) or 0) - len(match.group(1))
    if abs(exponent) > LIMITS["digits"]:
        return None
    return sp.Rational(10) ** exponent


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
    the same shape of expression is parsed once.  A skeleton of names, sums, products,
    powers and fractions alone is read without starting ANTLR (:mod:`.skeleton`, the
    same result)."""
    match = re.fullmatch(r"\{?\\mathit\{(%s[a-z]+)\}\}?" % _PLACEHOLDER, text)
    if match:
        return sp.Symbol(match.group(1))
    plain = read_plain(text)
    return latex_parser()(text, strict=True) if plain is None else plain




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
        return _Source.join(self.parts), self.placeholders

    def emit(self, text, k):
        self.parts.append((text, self.origin(k)))

    def alias(self, k):
        """A declared alias starting at token k: ``(value, next index)``, or None."""
        for tokens, value in self.context.aliases:
            at, matched = k, 0
            while matched < len(tokens) and at < len(self.tokens):
                if self.tokens[at][0].isspace():
                    at += 1
                    continue
                if self.tokens[at][0] != tokens[matched]:
                    break
                at, matched = at + 1, matched + 1
            if matched == len(tokens):
                return value, at
        return None

    def step(self, k):
        tok = self.tokens[k][0]
        alias = self.alias(k) if self.context.aliases else None
        if alias is not None:
            self.emit(f"{{{self.placeholder(alias[0], self.origin(k))}}}", k)
            return alias[1]
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
            if re.fullmatch(r"\\[a-zA-Z]+", tok) and tok[1:] not in COMMANDS:
                raise ClaimError(f"unknown command {tok}", self.origin(k))
            self.emit(tok, k)
            return k + 1
        value, after = atom
        self.emit(f"{{{self.placeholder(value, self.origin(k))}}}", k)
        return self.after_atom(value, after)

    def number(self, k):
        """A number: decimals as exact fractions, integers as placeholders (so that
        parse_latex never computes ``10^{10^{10}}``; :class:`_Rebuild` bounds the sizes)."""
        end = k
        while end < len(self.tokens) and (self.tokens[end][0].isdigit()
                                          or self.tokens[end][0] == "."):
            end += 1
        if self.bare_argument(k):
            end = k + 1  # ``\frac12``, ``x^2``: one digit is the whole argument
        literal = "".join(t[0] for t in self.tokens[k:end])
        if literal.count(".") > 1 or literal.endswith("."):
            raise ClaimError(f"cannot read the number {literal!r}", self.origin(k))
        if len(literal) > LIMITS["digits"]:
            raise ClaimError(f"a number with more than {LIMITS['digits']} digits",
                             self.origin(k))
        value = parse_number(literal) if "." in literal else sp.Integer(literal)
        self.emit(f"{{{self.placeholder(value, self.origin(k))}}}", k)
        return end

    def bare_argument(self, k):
        """Whether the digit at k is an argument without braces (``\frac12``, ``x^2``)."""
        before = [t[0] for t in self.tokens[max(0, k - 2):k]]
        takes = {r"\frac", r"\binom", "^", "_", r"\sqrt"}
        return bool(before) and (before[-1] in takes or (
            len(before) == 2 and before[-1].isdigit() and before[-2] in (r"\frac", r"\binom")))

    # names ------------------------------------------------------------------------
    def atom(self, k):
        """A name with its subscript and decorations: ``(object, next token index)``."""
        start, tok = k, self.tokens[k][0]
        if tok.startswith("\\") and tok[1:] in GREEK:
            base, k = tok, k + 1
        elif tok.startswith("\\") and tok[1:] in WRAPPERS | set(ACCENTS):
            group = _skip_space(self.tokens, k + 1)
            if group < len(self.tokens) and group not in self.pairs and \
                    re.fullmatch(r"\\[a-zA-Z]+|[a-zA-Z]", self.tokens[group][0]):
                inner, after = self.tokens[group][0], group + 1  # ``\tilde\lambda``, ``\bar w``
            elif group >= len(self.tokens) or group not in self.pairs:
                raise ClaimError(f"{tok} needs a {{...}} argument", self.origin(k))
            else:
                inner, after = self.span(group + 1, self.pairs[group]).text, self.pairs[group] + 1
            base = inner + ACCENTS.get(tok[1:], "") if tok[1:] in ACCENTS else inner
            k = after
        elif len(tok) == 1 and tok.isalpha():
            base, k = tok, k + 1
        elif tok == "{" and self._braced_base(k):
            base, k = self.span(k + 1, self.pairs[k]).text, self.pairs[k] + 1
        else:
            return None
        subscript, superscript, decoration = None, None, ""
        while k < len(self.tokens):
            nxt = _skip_space(self.tokens, k)
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
        after = _skip_space(self.tokens, self.pairs[k] + 1)
        inner = self.span(k + 1, self.pairs[k]).text.strip()
        return (after < len(self.tokens) and self.tokens[after][0] == "_"
                and re.fullmatch(r"(\\[a-zA-Z]+|[a-zA-Z])(\s*_\s*(\{[^{}]*\}|\w))?", inner)
                is not None)

    def argument(self, k):
        r"""A sub- or superscript: a group, ``\mathrm{..}`` or one token; ``(source, next)``."""
        k = _skip_space(self.tokens, k)
        if k >= len(self.tokens):
            raise ClaimError("a sub- or superscript is missing", self.origin(k))
        if k in self.pairs and self.tokens[k][0] == "{":
            return self.span(k + 1, self.pairs[k]), self.pairs[k] + 1
        group = _skip_space(self.tokens, k + 1)
        if self.tokens[k][0][1:] in WRAPPERS | set(ACCENTS) and group in self.pairs:
            return self.span(k, self.pairs[group] + 1), self.pairs[group] + 1
        return self.span(k, k + 1), k + 1

    def star(self, k):
        """``^*``, ``^{\\star}``, ``^{\\prime}``: part of a name, not a power."""
        group, after = self.argument(k)
        text = normal_name(group.text)
        return (("^*", after) if text == "*" else ("'" * len(text), after)
                if text and set(text) == {"'"} else None)

    def transpose(self, k, marks=("T", *_UPRIGHT_TRANSPOSES)):
        """The index after a transpose mark ``^T`` (or one of ``marks``) at token k, or None."""
        nxt = _skip_space(self.tokens, k)
        if nxt < len(self.tokens) and self.tokens[nxt][0] == "^":
            group, after = self.argument(nxt + 1)
            if group.text.strip() in marks:
                return after
        return None

    def resolve(self, base, subscript, decoration, start):
        context = self.context
        name = normal_name(base + (f"_{{{subscript.text}}}" if subscript is not None else "")
                           + decoration)
        short = normal_name(base + decoration)
        if name in context.symbols:
            return context.symbols[name]
        if subscript is not None and short in context.indexed:  # ``x_{ij}`` for x[i, j]
            rank = context.ranks.get(short, 1)
            indices = self.indices(subscript, letters=rank > 1)
            return sp.Indexed(context.indexed[short], *(
                indices if len(indices) == rank else self.indices(subscript)))
        if subscript is not None and short == "delta":
            indices = self.indices(subscript, letters=True)
            if len(indices) == 2:
                return sp.KroneckerDelta(*indices)
        if name in context.functions or name in BUILTINS or name in ORDERS or (
                name.rstrip("'") != name and name.rstrip("'") in context.functions):
            return _Function(name)  # s'(z): a prime on the model's own function
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
        if self.transpose(k, _UPRIGHT_TRANSPOSES) is not None:  # ``J^{\mathsf{T}}``: not J^T
            raise ClaimError("a transpose mark on a scalar; a power of T is written ^{T}",
                             self.origin(k))
        nxt = _skip_space(self.tokens, k)
        call = self.call_group(nxt)
        if isinstance(value, _Function):
            if call is None:
                applied = self.context.functions.get(value.name)
                if applied is None or isinstance(applied, sp.Lambda):
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
            first, last = _skip_space(self.tokens, k + 1), close - 1
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
        numerator = _skip_space(self.tokens, k + 1)
        if numerator not in self.pairs or self.tokens[numerator][0] != "{":
            return None
        top = self.span(numerator + 1, self.pairs[numerator])
        match = re.fullmatch(r"\s*(d|\\partial)\s*(?:\^\s*\{?\s*(\d+)\s*\}?)?\s*(.*?)\s*", top.text,
                             re.S)
        denominator = _skip_space(self.tokens, self.pairs[numerator] + 1)
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
            start = _skip_space(self.tokens, after)
            atom = self.atom(start) if start < len(self.tokens) else None
            bare = atom is not None and not isinstance(atom[0], _Function)  # a name alone
            if atom is not None:
                operand, after = atom
                if isinstance(operand, _Function):
                    call = self.call_group(_skip_space(self.tokens, after))
                    if call is None:
                        operand = self.context.functions.get(operand.name)
                    else:
                        operand, after = operand.apply(call[0], self.context), call[1]
            elif start in self.pairs:
                operand = _read_expression(self.span(start + 1, self.pairs[start]), self.context)
                after = self.pairs[start] + 1
            else:
                raise ClaimError("a derivative of what?", self.origin(start))
            power = _skip_space(self.tokens, after)  # ``\frac{d}{dx} x^2`` is the derivative of x^2
            if power < len(self.tokens) and self.tokens[power][0] == "^":
                exponent, after = self.argument(power + 1)
                operand = operand ** _read_expression(exponent, self.context)
            following = _skip_space(self.tokens, after)
            if bare and following < len(self.tokens) and _starts_operand(self.tokens[following][0]):
                raise ClaimError(r"\frac{d}{dx} a b: of a alone or of a b? write "
                                 r"\frac{d}{dx}(a b) or b \frac{d}{dx} a", self.origin(following))
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
        if self.name in ORDERS:
            return _order(inside, context)
        arguments = [_read_expression(p, context) for p in _split(inside, {","})[0]]
        base = self.name.rstrip("'")
        if base not in context.functions:
            return BUILTINS[self.name](*arguments)
        known = context.functions[base]
        function = known if isinstance(known, sp.Lambda) else known.func
        order = len(self.name) - len(base)
        if not order:
            return function(*arguments)
        if len(arguments) != 1:
            raise ClaimError(f"{self.name} has {len(arguments)} arguments; a prime marks the "
                             f"derivative of a function of one", 0)
        (argument,) = arguments
        if isinstance(argument, (sp.Symbol, sp.Indexed)):  # s'(z_k): d s(z_k) / d z_k
            return sp.Derivative(function(argument), (argument, order))
        point = sp.Dummy("u")
        return sp.Subs(sp.Derivative(function(point), (point, order)), point, argument)


def _order(inside, context):
    r"""``O(T)`` or SymPy's ``O\left(T; T\rightarrow \infty\right)``."""
    pieces, _ = _split(inside, {";"})
    expression = _read_expression(pieces[0], context)
    if len(pieces) == 1:
        order = sp.Order(expression, *_default_limit(context, expression))
    else:
        variable, _, point = pieces[1].text.partition(r"\to")
        order = sp.Order(expression, (_read_expression(pieces[1][:len(variable)], context),
                                      _read_expression(pieces[1][len(variable) + 3:], context)))
    context.orders[order] = expression  # SymPy's O(.) keeps only what bounds it
    return order


def _default_limit(context, expression):
    """Every model symbol of ``O(expression)`` growing: the comparison decides which one
    the result's order is in (a guess of one would drop the others as constants)."""
    return [(symbol, sp.oo) for symbol in context.symbols.values()
            if isinstance(symbol, sp.Symbol) and symbol in expression.free_symbols]


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
            shown = re.sub(r"_?\{?[a-z]*(?:%s)[a-z]*\}?" % "|".join(map(re.escape, self.placeholders)),
                           "", node.name) if self.placeholders else node.name
            raise ClaimError(f"{shown!r} is no name or operator the reader knows here (write "
                             r"\min(a, b), \max(a, b); no \cdots)", self.source.position(0))
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
            self.bound_power(base, exponent, node)
            return sp.Pow(base, exponent)
        arguments = [self.value(a) for a in node.args]
        if node.func in (sp.factorial, sp.factorial2, sp.gamma, sp.binomial, sp.subfactorial):
            if any(a.is_number and abs(a) > LIMITS["digits"] for a in arguments):
                raise ClaimError(f"a number beyond the limit of {LIMITS['digits']} digits",
                                 max(self.first(node), 0))
        return node.func(*arguments)

    def bound_power(self, base, exponent, node):
        """Refuse powers whose value would have more digits than the limit."""
        if not (isinstance(exponent, sp.Expr) and exponent.is_number and exponent.is_real):
            return
        size = abs(float(exponent)) if abs(exponent) < 10 ** 12 else math.inf
        if isinstance(base, sp.Expr) and base.is_number:
            magnitude = abs(complex(sp.N(base, 5))) if size > 1 else 0
            digits = size * abs(math.log10(magnitude)) if magnitude not in (0, 1) else 0
            if digits > LIMITS["digits"]:
                raise ClaimError(f"a number beyond the limit of {LIMITS['digits']} digits",
                                 max(self.first(node), 0))
        elif size > LIMITS["exponent"]:
            raise ClaimError(f"an exponent beyond the limit of {LIMITS['exponent']}",
                             max(self.first(node), 0))


