"""LaTeX of the answer keys: preamble and banner, questions, results, figures.

Prose written by the topics in plain text (``sigma_L``, ``||w||^2``, ``eta <= 1``) is
typeset here (:func:`prose`); formulas print in a natural sign order
(:class:`NaturalPrinter`) and long ones break across lines at their top-level signs
(:func:`broken`) instead of shrinking.  Only packages of texlive-latex-base and
texlive-latex-recommended are used.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from derivations import render
from derivations.graph import tikz

__all__ = ["preamble", "prose", "NaturalPrinter", "formula", "broken", "result_block",
           "question_block", "figure_block", "graph_block", "code", "QUICK_BANNER"]

QUICK_BANNER = (r"\textbf{Quick build (\texttt{--quick})}: figures from smoke runs, not "
                r"evidence for their findings")

_PACKAGES = r"""\usepackage{float}
\newif\ifhavetikz
\IfFileExists{tikz.sty}{\usepackage{tikz}\usetikzlibrary{arrows.meta}\havetikztrue}{}
\usepackage{array}
\usepackage{tabularx}
\usepackage{fancyhdr}
\setlength{\headheight}{14pt}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5ex}
"""


def preamble(quick: bool) -> str:
    """The shared preamble, tables that wrap, and a page style: with a banner on every page when ``quick``.

    Examples
    --------
    >>> "Quick build" in preamble(True), "Quick build" in preamble(False)
    (True, False)
    """
    header = QUICK_BANNER if quick else ""
    style = "\n".join([r"\fancypagestyle{plain}{\fancyhf{}\fancyhead[C]{" + header + "}"
                       r"\fancyfoot[C]{\thepage}\renewcommand{\headrulewidth}{0pt}}",
                       r"\pagestyle{plain}"])   # \maketitle's page is plain too
    return render.PREAMBLE + _PACKAGES + style + "\n"


_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
          "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi "
          "Omega").split()
_GREEK_WORD = rf"(?<![A-Za-z\\])(?:{'|'.join(_GREEK)})(?![A-Za-z])"
_SUB = r"_(?:\{[^{}$]*\}|[A-Za-z0-9]+)"
_EXP = r"\^(?:\d+|[A-Za-z*]|\([^()]*\)|\{[^{}]*\}|-\([^()]*\)|-\d+)"
_PROSE = re.compile(
    r"(?P<norm>\|\|[^|$]{1,40}\|\|(?:\^\d+)?)"
    rf"|(?P<symbol>{_GREEK_WORD}~?(?:{_SUB})?(?:{_EXP})?"
    rf"|(?<![A-Za-z\\])[A-Za-z](?:~(?:{_SUB})?(?:{_EXP})?|{_SUB}(?:{_EXP})?|{_EXP}|\*(?![*\w]))"
    rf"|(?<![A-Za-z\\])[A-Za-z]\w{{1,2}}{_SUB}(?:{_EXP})?)"
    rf"|(?P<power>(?<=[)\]|\d])(?:{_EXP}))"
    r"|(?P<relation><=|>=|!=|->)")
_RELATIONS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "->": r"\to"}


def _math_word(text: str) -> str:
    """A plain-text symbol such as ``sigma_max^2``, ``x~_i^T``, ``W^(i)`` or ``w*`` as LaTeX."""
    match = re.fullmatch(rf"([A-Za-z]\w*?)?(~)?({_SUB})?({_EXP}|\*)?", text)
    base, tilde, sub, power = match.groups()
    base = base or ""
    if base in _GREEK:
        base = "\\" + base
    if tilde:
        base = rf"\tilde{{{base}}}"
    if sub:
        inner = sub[1:].strip("{}")
        sub = rf"_{{\mathrm{{{inner}}}}}" if re.fullmatch(r"[A-Za-z]{2,}", inner) else f"_{{{inner}}}"
    if power == "*":
        power = "^*"
    elif power:
        inner = power[1:]
        inner = inner[1:-1] if inner.startswith("{") else inner
        inner = re.sub(_GREEK_WORD, lambda m: "\\" + m.group() + " ", inner)
        power = f"^{{{inner}}}"
    return f"{base}{sub or ''}{power or ''}"


def prose(text: str) -> str:
    """Plain text with its symbols typeset: Greek names, tildes, subscripts, powers, norms, relations.

    Everything else is escaped, so the result is safe LaTeX text.

    Examples
    --------
    >>> print(prose("GD with step 1/L: eta <= 2/sigma_L^2 and ||w||^2 & 50%"))
    GD with step 1/L: $\\eta$ $\\le$ 2/$\\sigma_{L}^{2}$ and $\\|w\\|^2$ \\& 50\\%
    >>> print(prose("sigma_max and w_0, w* and w^*; x~_i^T, W^(i), (X w - t)^2, lambda~ / eta"))
    $\\sigma_{\\mathrm{max}}$ and $w_{0}$, $w^*$ and $w^{*}$; $\\tilde{x}_{i}^{T}$, $W^{(i)}$, (X w - t)$^{2}$, $\\tilde{\\lambda}$ / $\\eta$
    """
    out, last = [], 0
    for match in _PROSE.finditer(text):
        out.append(render.escape_tex(text[last:match.start()]))
        kind, piece = match.lastgroup, match.group()
        if kind == "norm":
            inner, power = re.match(r"\|\|(.*)\|\|(.*)", piece).groups()
            words = re.sub(_GREEK_WORD, lambda m: "\\" + m.group() + " ", inner)
            math = r"\|" + words.strip() + r"\|" + power
        elif kind == "relation":
            math = _RELATIONS[piece]
        elif kind == "power":
            math = _math_word(piece)
        else:
            math = _math_word(piece)
        out.append(f"${math}$")
        last = match.end()
    out.append(render.escape_tex(text[last:]))
    return "".join(out)


class NaturalPrinter(LatexPrinter):
    """SymPy's LaTeX with a negated sum written the natural way round.

    Examples
    --------
    >>> beta, sigma = sp.symbols("beta sigma")
    >>> print(NaturalPrinter().doprint(-(beta - 2) / (beta * sigma**2)))
    \\frac{2 - \\beta}{\\beta \\sigma^{2}}
    >>> print(NaturalPrinter().doprint(sp.Function("f")(beta) - sp.Function("f")(sigma)))
    f{\\left(\\beta \\right)} - f{\\left(\\sigma \\right)}
    >>> print(NaturalPrinter().doprint(sp.Function("f")(sigma) - sp.Function("f")(beta)))
    f{\\left(\\sigma \\right)} - f{\\left(\\beta \\right)}
    """

    def _print_Mul(self, expr):
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient.is_negative:
            factors = sp.Mul.make_args(rest)
            for index, factor in enumerate(factors):
                if isinstance(factor, sp.Add) and _negatives(-factor) < _negatives(factor):
                    flipped = [*factors[:index], sp.UnevaluatedExpr(-factor), *factors[index + 1:]]
                    return super()._print_Mul(sp.Mul(-coefficient, *flipped, evaluate=False))
        return super()._print_Mul(expr)

    def _as_ordered_terms(self, expr, order=None):
        """Terms in SymPy's order, but a sum never opens with a minus when a plus term exists."""
        terms = list(super()._as_ordered_terms(expr, order=order))
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        if terms and terms[0].could_extract_minus_sign() and positive:
            terms.remove(positive[0])
            terms.insert(0, positive[0])
        return terms


def _negatives(total) -> int:
    return sum(term.could_extract_minus_sign() for term in sp.Add.make_args(total))


def formula(expr) -> str:
    """LaTeX of a SymPy object in natural sign order."""
    return NaturalPrinter().doprint(expr)


def _width(tex: str) -> int:
    """A rough printed width of a formula: commands count one, braces nothing."""
    return len(re.sub(r"[{}]", "", re.sub(r"\\(left|right)\b|\\[A-Za-z]+", "c", tex)))


def _breaks(tex: str, signs: str = "+-=<>", level: int = 0) -> list[int]:
    """Positions of ``signs`` at nesting ``level`` of braces and ``\\left...\\right``."""
    depth, positions, index = 0, [], 0
    while index < len(tex):
        if tex.startswith(r"\left", index):
            depth += 1
            index += 5
            continue
        if tex.startswith(r"\right", index):
            depth -= 1
            index += 6
            continue
        char = tex[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char in signs and depth == level and index > 0 and tex[index - 1] != "\\":
            positions.append(index)
        index += 1
    return positions


def _lines(tex: str, cuts: list[int], limit: int) -> list[str]:
    """``tex`` cut at some of ``cuts`` into pieces of about ``limit`` printed characters."""
    lines, start, fits = [], 0, 0
    for position in cuts + [len(tex)]:
        if _width(tex[start:position]) > limit and fits > start:
            lines.append(tex[start:fits].strip())
            start = fits
        fits = position
    lines.append(tex[start:].strip())
    return [line for line in lines if line]


_GROUP = re.compile(r"^(\\left(?:\(|\[|\\\{))(.*)(\\right(?:\)|\]|\\\}))$", re.S)


def broken(tex: str, limit: int = 80) -> str:
    """``tex`` in an ``aligned`` block broken into lines of about ``limit`` characters.

    It breaks at top-level signs, or, for one bracketed list, after its commas.  A formula
    that is short, or has nowhere to break, comes back unchanged.

    Examples
    --------
    >>> broken("a + b")
    'a + b'
    >>> print(broken(" + ".join(f"x_{{{i}}}" for i in range(8)), limit=20))
    \\begin{aligned}[t]&x_{0} + x_{1} + x_{2}\\\\ &+ x_{3} + x_{4} + x_{5}\\\\ &+ x_{6} + x_{7}\\end{aligned}
    >>> print(broken(r"\\left( a, b, c, d\\right)", limit=8))
    \\begin{aligned}[t]&\\left( a, b,\\right.\\\\ &\\left. c, d\\right)\\end{aligned}
    """
    if _width(tex) <= limit or r"\begin" in tex:
        return tex
    lines = _lines(tex, _breaks(tex), limit)
    group = _GROUP.match(tex)
    if len(lines) == 1 and group:
        opener, inner, closer = group.groups()
        commas = [c + 1 for c in _breaks(inner, ",")]
        pieces = _lines(inner, commas, limit)
        if len(pieces) > 1:
            lines = ([rf"{opener} {pieces[0]}\right."]
                     + [rf"\left. {p}\right." for p in pieces[1:-1]]
                     + [rf"\left. {pieces[-1]}{closer}"])
    if len(lines) == 1:
        return tex
    return r"\begin{aligned}[t]&" + r"\\ &".join(lines) + r"\end{aligned}"


def code(text: str) -> str:
    """``text`` in typewriter type, breakable after ``_``, ``/``, ``:``, ``.`` and ``-``.

    Examples
    --------
    >>> print(code("a_b/c"))
    \\texttt{a\\_\\allowbreak{}b/\\allowbreak{}c}
    """
    escaped = render.escape_tex(text)
    for mark in ("\\_", "/", ":", ".", "-"):
        escaped = escaped.replace(mark, mark + r"\allowbreak{}")
    return rf"\texttt{{{escaped}}}"


def _decimal(x) -> str | None:
    """Four significant digits of a real number without symbols; None for integers and the rest."""
    if not isinstance(x, sp.Expr) or not x.is_number or x.is_Integer:
        return None
    number = complex(sp.N(x))
    return f"{number.real:.4g}" if number.imag == 0 else None


def _approximate(value) -> str:
    """``\\approx`` and decimals beside an exact value without symbols (a number, tuple or matrix).

    Examples
    --------
    >>> _approximate(sp.Rational(99, 101)), _approximate(sp.Integer(3))
    (' \\\\approx 0.9802', '')
    >>> _approximate(sp.Tuple(sp.Rational(9, 11), sp.sqrt(2)))
    ' \\\\approx \\\\left(0.8182, 1.414\\\\right)'
    >>> _approximate(sp.Tuple(0, sp.E**2, 0))
    ' \\\\approx \\\\left(0, 7.389, 0\\\\right)'
    """
    if isinstance(value, sp.MatrixBase) and value.shape[1] <= 6:
        if value.free_symbols or all(entry.is_Integer for entry in value):
            return ""
        rows = [" & ".join(_decimal(x) or sp.latex(x) for x in value.row(i))
                for i in range(value.rows)]
        return r" \approx \begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    if isinstance(value, sp.Tuple) and any(_decimal(x) for x in value) and all(
            _decimal(x) or (isinstance(x, sp.Expr) and x.is_Integer) for x in value):
        return r" \approx \left(" + ", ".join(_decimal(x) or sp.latex(x) for x in value) + r"\right)"
    decimal = _decimal(value)
    return rf" \approx {decimal}" if decimal else ""


def _entries(value, lhs):
    """``(label, entry)`` of a matrix or a tuple: labels from a matrix ``lhs``, else indices."""
    name = formula(lhs) if lhs is not None and not isinstance(lhs, sp.MatrixBase) else "A"
    if re.search(r"[_^\\ ]", name):
        name = rf"\left({name}\right)"
    if isinstance(value, sp.MatrixBase):
        if isinstance(lhs, sp.MatrixBase) and lhs.shape == value.shape:
            return [(formula(lhs[i, j]), value[i, j])
                    for i in range(value.rows) for j in range(value.cols)]
        return [(f"{name}_{{{i + 1},{j + 1}}}", value[i, j])
                for i in range(value.rows) for j in range(value.cols)]
    if isinstance(value, (sp.Tuple, tuple)):
        return [(f"{name}_{{{k + 1}}}", item) for k, item in enumerate(value)]
    return None


def _answer(result) -> str:
    """The boxed answer; a wide matrix or tuple of long entries is listed entry by entry."""
    claim = formula(render.claim(result))
    entries = _entries(result.value, result.lhs)
    long_entries = entries and max(_width(formula(e)) for _, e in entries) > 30
    if _width(claim) <= 140 or not long_entries:
        boxed = broken(claim, 70) + _approximate(result.value)
        return r"\noindent Answer:" + "\n" + rf"\[ \answer{{{boxed}}} \]"
    listed = " \\\\\n".join(rf"  {label} &= {broken(formula(entry), 60)}"
                            for label, entry in entries)
    approximate = _approximate(result.value)
    summary = (formula(result.lhs) + approximate if approximate and result.lhs is not None
               else r"\text{the entries above}" + approximate)
    return "\n".join([r"\noindent Answer, entry by entry:", r"\begin{align*}", listed,
                      r"\end{align*}", rf"\[ \answer{{{summary}}} \]"])


def result_block(result) -> str:
    """One result: name, statement, its steps beside their formulas, and the boxed answer."""
    lines = [rf"\paragraph{{{code(result.name)}}} {prose(result.statement)}"]
    if result.steps:
        lines.append(r"\begin{align*}")
        lines.append(" \\\\\n".join(
            rf"  &\text{{\parbox[t]{{0.36\linewidth}}{{\raggedright {prose(step.text)}}}}}"
            rf" && \stepformula{{{broken(formula(step.expr), 45)}}}" for step in result.steps))
        lines.append(r"\end{align*}")
    lines.append(_answer(result))
    return "\n".join(lines)


def question_block(question, results, table: str, figures) -> str:
    """A sub-question: its number and restatement, then results, checks, paragraph, figures."""
    parts = [rf"\subsection*{{{question.number}}}", rf"\emph{{{question.text}}}"]
    parts += [result_block(result) for result in results]
    if table:
        parts += [r"\noindent\textbf{Check: derived against simulated.}\par", table]
    if question.answer:
        parts.append(rf"\paragraph{{Answer.}} {question.answer}")
    parts += list(figures)
    if not question.answered:
        parts.append(rf"\paragraph{{Not answered:}} {question.not_answered}")
    return "\n\n".join(parts)


def graph_block(graph) -> str:
    r"""A computation graph drawn by TikZ; where TikZ is missing, a table of each node's inputs.

    Both come from the same :class:`derivations.graph.ComputationGraph`.

    Examples
    --------
    >>> from derivations.graph import ComputationGraph
    >>> block = graph_block(ComputationGraph((("x", "x"), ("f", "f")), (("x", "f"),)))
    >>> r"\ifhavetikz" in block, "$f$ & $x$" in block
    (True, True)
    """
    rows = [f"${graph.label(name)}$ & " + (", ".join(f"${graph.label(p)}$"
                                                     for p in graph.parents(name)) or "input")
            + r" \\" for name in graph.order()]
    return "\n".join([
        r"\begin{center}", r"\ifhavetikz",
        r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
        tikz(graph) + "}", r"\else", r"\begin{tabular}{ll}", r"\hline",
        r"node & computed from \\", r"\hline", *rows, r"\hline", r"\end{tabular}", r"\fi",
        r"\end{center}"])


def figure_block(path: str, caption: str, data: str) -> str:
    """A figure with its caption and the data it used.

    Examples
    --------
    >>> "Data: digits" in figure_block("f.pdf", "A plot.", "digits")
    True
    """
    used = (rf" Data: {render.escape_tex(data)}." if data
            else " Data: none (a simulation of the model).")
    return "\n".join([r"\begin{figure}[H]", r"\centering",
                      rf"\includegraphics[width=0.95\linewidth]{{{path}}}",
                      rf"\caption{{{caption}{used}}}", r"\end{figure}"])
