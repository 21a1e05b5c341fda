"""Renderers of a :class:`~derivations.core.Derivation`: LaTeX, plain text, JSON, Markdown and HTML.

Markdown (with ``$...$`` mathematics) and LaTeX are what Jupyter shows; HTML pages are
typeset in the browser by KaTeX, whose files ship in ``static/katex`` beside this module.
"""
from __future__ import annotations

import base64
import html as _html
import math
import re
from pathlib import Path

import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.pretty_symbology import pretty_use_unicode
from sympy.printing.pretty.stringpict import prettyForm

from .core import Derivation, Result, Step

__all__ = ["latex", "latex_result", "standalone_document", "text", "pretty", "as_json", "numeric",
           "latex_value", "claim", "markdown", "markdown_result", "markdown_step",
           "notebook_latex", "html", "html_result", "html_document", "math_span", "KATEX"]

# KaTeX's minified script, style sheet and WOFF2 fonts (npm package ``katex``).
KATEX = Path(__file__).parent / "static" / "katex"

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage[T1]{fontenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}  % Latin Modern where TeX Live has it (package lmodern)
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\allowdisplaybreaks
% the boxed answer, shrunk to the line width when it is wider (large tables of iterates)
\newcommand{\answer}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%
  $\displaystyle\boxed{#1}$}}
% a step's formula, shrunk to the column beside its explanation when it is wider
\newcommand{\stepformula}[1]{\resizebox{\ifdim\width>0.58\linewidth 0.58\linewidth\else\width\fi}{!}{%
  $\displaystyle #1$}}
"""


def escape_tex(text: str) -> str:
    """Escape LaTeX's special characters in plain text.

    Examples
    --------
    >>> escape_tex("sigma_L & 50%")
    'sigma\\\\_L \\\\& 50\\\\%'
    """
    return "".join(_TEX_SPECIALS.get(c, c) for c in text)


def latex_value(result: Result) -> str:
    """The LaTeX of a result's value alone (what the JSON's ``latex`` holds)."""
    return sp.latex(result.value)


def claim(result: Result) -> sp.Basic:
    """The value as a statement: ``lhs = value``, or ``lhs \\in value`` for a set.

    Examples
    --------
    >>> import sympy as sp
    >>> eta = sp.Symbol("eta", positive=True)
    >>> claim(Result("r", "A range.", sp.Interval.open(0, 1), lhs=eta))
    Contains(eta, Interval.open(0, 1))
    """
    if result.lhs is None:
        return result.value
    if isinstance(result.value, sp.Set):
        return sp.Contains(result.lhs, result.value, evaluate=False)
    return sp.Eq(result.lhs, result.value, evaluate=False)


def latex_result(result: Result) -> str:
    """One result: its name, statement, an ``align*`` of its steps and the boxed answer."""
    lines = [
        rf"\subsection*{{\texttt{{{escape_tex(result.name)}}}}}",
        escape_tex(result.statement),
        r"\begin{align*}",
    ]
    lines.append(" \\\\\n".join(
        rf"  &\text{{\parbox[t]{{0.36\linewidth}}{{\raggedright {escape_tex(step.text)}}}}}"
        rf" && \stepformula{{{sp.latex(step.expr)}}}" for step in result.steps))
    lines += [r"\end{align*}", r"\noindent Answer:", rf"\[ \answer{{{sp.latex(claim(result))}}} \]"]
    return "\n".join(lines)


def latex(derivation: Derivation, standalone: bool = False) -> str:
    """LaTeX of every result: a fragment, or a complete document that pdflatex compiles.

    Examples
    --------
    >>> import sympy as sp
    >>> from derivations.core import Derivation, Result, Step
    >>> d = Derivation("demo", "Demo", (Result("one", "One.", sp.S.One,
    ...                                           (Step("count", sp.S.One),)),))
    >>> print(latex(d).splitlines()[0])
    \\section*{Demo}
    """
    body = "\n\n".join(
        [rf"\section*{{{escape_tex(derivation.title)}}}"]
        + [latex_result(r) for r in derivation.results]
    ) + "\n"
    return standalone_document(body) if standalone else body


def standalone_document(body: str) -> str:
    """Wrap LaTeX fragments in a complete article (amsmath, amssymb)."""
    return f"{PREAMBLE}\\begin{{document}}\n{body}\\end{{document}}\n"


class _TextPrinter(PrettyPrinter):
    """SymPy's pretty printer with a power of a fraction or of a negative number in
    parentheses: SymPy writes ``(-9/11)**t`` as ``-9/11`` with ``t`` above, which reads as
    ``-(9/11)^t`` or ``-9/11^t``."""

    def _print_Pow(self, power):
        base, exponent = power.as_base_exp()
        if base.is_Rational and (base.q != 1 or base < 0) and not (
                exponent.is_Rational and (exponent < 0 or exponent.q != 1)):
            return prettyForm(*self._print(base).parens()) ** self._print(exponent)
        return super()._print_Pow(power)


def pretty(expr) -> str:
    """``expr`` as SymPy's :func:`~sympy.printing.pretty.pretty` writes it, with a power of a
    fraction or of a negative number in parentheses.

    Examples
    --------
    >>> print(pretty(sp.Rational(-9, 11) ** sp.Symbol("t")))
           t
    (-9/11)
    """
    printer = _TextPrinter()
    previous = pretty_use_unicode(printer._settings["use_unicode"])
    try:
        return printer.doprint(expr)
    finally:
        pretty_use_unicode(previous)


def text(derivation: Derivation) -> str:
    """Plain-text rendering with SymPy's pretty printer.

    Examples
    --------
    >>> import sympy as sp
    >>> from derivations.core import Derivation, Result
    >>> d = Derivation("demo", "Demo", (Result("one", "One.", sp.S.One),))
    >>> print(text(d).splitlines()[0])
    Demo
    """
    out = [derivation.title, "=" * len(derivation.title), ""]
    for result in derivation.results:
        out += [f"{result.name}: {result.statement}"]
        for number, step in enumerate(result.steps, 1):
            out.append(f"  {number}. {step.text}")
            out += ["       " + line for line in pretty(step.expr).splitlines()]
        shown = pretty(claim(result))
        out.append("  result:")
        out += ["       " + line for line in shown.splitlines()]
        out.append("")
    out += [f"{name}: left out at the values given: {reason}"
            for name, reason in derivation.left_out.items()]
    return "\n".join(out)


def _number(value: sp.Basic):
    z = complex(sp.N(value, 17))
    parts = [_finite(z.real), _finite(z.imag)]
    return parts[0] if z.imag == 0 else {"re": parts[0], "im": parts[1]}


def _finite(x: float):
    return x if math.isfinite(x) else ("oo" if x > 0 else "-oo")


def numeric(value: sp.Basic):
    """A JSON-ready number for a value with no free symbols, else ``None``.

    Expressions give floats (``{"re", "im"}`` when complex, ``"oo"`` for infinity),
    matrices nested lists, tuples and finite sets lists, intervals
    ``{"start", "end", "left_open", "right_open"}``, unions lists of those.

    Examples
    --------
    >>> import sympy as sp
    >>> numeric(sp.Interval.Lopen(0, sp.S.Half))
    {'start': 0.0, 'end': 0.5, 'left_open': True, 'right_open': False}
    >>> numeric(sp.Symbol("x")) is None
    True
    """
    if getattr(value, "free_symbols", set()):
        return None
    if isinstance(value, (sp.logic.boolalg.BooleanTrue, sp.logic.boolalg.BooleanFalse)):
        return bool(value)
    if isinstance(value, sp.MatrixBase):
        return [[_number(e) for e in value.row(i)] for i in range(value.rows)]
    if isinstance(value, sp.Interval):
        return {"start": _number(value.start), "end": _number(value.end),
                "left_open": bool(value.left_open), "right_open": bool(value.right_open)}
    if isinstance(value, (sp.Union, sp.Tuple, sp.FiniteSet)):
        return [numeric(part) for part in value.args]
    if value is sp.S.EmptySet:
        return []
    if isinstance(value, sp.Expr) and not isinstance(value, sp.Order):  # O(1) is no number
        return _number(value)
    return None


def as_json(derivation: Derivation) -> dict:
    """The JSON contract: topic, title, symbols and, per result, its value in four forms;
    ``left_out`` names the results whose assumption the ``--subs`` values make false."""
    return {
        "topic": derivation.topic,
        "title": derivation.title,
        "symbols": dict(derivation.symbols),
        "results": [
            {
                "name": r.name,
                "statement": r.statement,
                "latex": latex_value(r),
                "value": str(r.value),
                # a MatAdd rebuilt from sorted srepr keeps that order, so print it unsorted
                "srepr": sp.srepr(r.value, order="none" if r.value.has(sp.MatAdd) else None),
                **({"numeric": n} if (n := numeric(r.value)) is not None else {}),
            }
            for r in derivation.results
        ],
        **({"left_out": dict(derivation.left_out)} if derivation.left_out else {}),
    }


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|$])")


def escape_markdown(text: str) -> str:
    """Escape the characters Markdown (or its ``$`` mathematics) would read as markup.

    Examples
    --------
    >>> print(escape_markdown("sigma_L * 2 costs $1"))
    sigma\\_L \\* 2 costs \\$1
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def boxed_answer(result: Result, formula=sp.latex) -> str:
    """The answer's LaTeX (written by ``formula``) in a box, as screens show it.

    Examples
    --------
    >>> import sympy as sp
    >>> print(boxed_answer(Result("half", "One half.", sp.S.Half)))
    \\boxed{\\frac{1}{2}}
    """
    return rf"\boxed{{{formula(claim(result))}}}"


def markdown_step(step: Step, number: int = 1) -> str:
    """One step as a numbered Markdown item: its sentence, then its formula.

    Examples
    --------
    >>> import sympy as sp
    >>> print(markdown_step(Step("square it", sp.Symbol("x") ** 2)))
    1. square it: $\\displaystyle x^{2}$
    """
    return f"{number}. {escape_markdown(step.text)}: $\\displaystyle {sp.latex(step.expr)}$"


def markdown_result(result: Result, level: int = 3) -> str:
    """One result in Markdown: name, statement, numbered steps and the boxed answer.

    Examples
    --------
    >>> import sympy as sp
    >>> print(markdown_result(Result("half", "One half.", sp.S.Half)))
    ### `half`
    <BLANKLINE>
    One half.
    <BLANKLINE>
    **Answer:** $$\\boxed{\\frac{1}{2}}$$
    """
    parts = [f"{'#' * level} `{result.name}`", escape_markdown(result.statement)]
    if result.steps:
        parts.append("\n".join(markdown_step(step, number)
                               for number, step in enumerate(result.steps, 1)))
    parts.append(f"**Answer:** $${boxed_answer(result)}$$")
    return "\n\n".join(parts)


def markdown(derivation: Derivation) -> str:
    """A derivation in Markdown with ``$...$`` mathematics (JupyterLab, Colab, GitHub).

    Examples
    --------
    >>> import sympy as sp
    >>> d = Derivation("demo", "Demo", (Result("one", "One.", sp.S.One),))
    >>> print(markdown(d).splitlines()[0])
    ## Demo
    """
    return "\n\n".join([f"## {escape_markdown(derivation.title)}"]
                        + [markdown_result(r) for r in derivation.results]) + "\n"


_MATH_TEXT_SPECIALS = {"_": r"\_", "$": r"\$", "%": r"\%", "&": r"\&", "#": r"\#",
                       "{": r"\{", "}": r"\}", "\\": r"\backslash ", "^": r"\hat{}",
                       "~": r"\sim "}


def math_text(text: str) -> str:
    """Plain text inside mathematics: ``\\text{...}`` pieces, special characters in math mode.

    MathJax's ``\\text`` does not read ``\\_``, so the specials stand outside it.

    Examples
    --------
    >>> print(math_text("sigma_L > 0"))
    \\text{sigma}\\_\\text{L > 0}
    """
    pieces = re.split(r"([_$%&#{}\\^~])", text)
    return "".join(_MATH_TEXT_SPECIALS[p] if p in _MATH_TEXT_SPECIALS else rf"\text{{{p}}}"
                   for p in pieces if p)


def _latex_rows(result: Result) -> list[str]:
    rows = [rf"&\textbf{{{math_text(result.name)}}} && {math_text(result.statement)}"]
    rows += [rf"&{number}.\ {math_text(step.text)} && {sp.latex(step.expr)}"
             for number, step in enumerate(result.steps, 1)]
    return rows + [rf"&\text{{Answer:}} && {boxed_answer(result)}"]


def notebook_latex(item: Derivation | Result | Step) -> str:
    """A derivation, result or step as one ``$$...$$`` block, for Jupyter's ``text/latex``.

    Examples
    --------
    >>> import sympy as sp
    >>> print(notebook_latex(Step("a half", sp.S.Half)))
    $$\\text{a half}\\qquad \\frac{1}{2}$$
    """
    if isinstance(item, Step):
        return rf"$${math_text(item.text)}\qquad {sp.latex(item.expr)}$$"
    results = item.results if isinstance(item, Derivation) else (item,)
    rows = [row for result in results for row in _latex_rows(result)]
    if isinstance(item, Derivation):
        rows.insert(0, rf"&\textbf{{{math_text(item.title)}}} &&")
    return "$$\\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$"


def math_span(tex: str, display: bool = True) -> str:
    """TeX in an HTML element that the page's script hands to KaTeX.

    Examples
    --------
    >>> print(math_span("a < b", display=False))
    <span class="math">a &lt; b</span>
    """
    kind = "math display" if display else "math"
    return f'<span class="{kind}">{_html.escape(tex)}</span>'


def html_result(result: Result, level: int = 3, anchor: str = "", formula=sp.latex,
                text=_html.escape, answer=None) -> str:
    """One result as HTML: name, statement, steps and the boxed answer, TeX left for KaTeX.

    Its ``id`` is ``anchor`` followed by the result's name.  ``formula`` writes a SymPy
    object's TeX, ``text`` turns a sentence into HTML and ``answer`` writes the boxed
    answer's TeX (the answer keys pass their own, so that the page reads like the PDF).

    Examples
    --------
    >>> import sympy as sp
    >>> print(html_result(Result("half", "One half.", sp.S.Half)).splitlines()[-2])
    <p class="answer">Answer: <span class="math display">\\boxed{\\frac{1}{2}}</span></p>
    """
    lines = [f'<section class="result" id="{anchor}{result.name}">',
             f"<h{level}><code>{result.name}</code></h{level}>",
             f"<p>{text(result.statement)}</p>"]
    if result.steps:
        lines.append('<ol class="steps">')
        lines += [f'<li><span class="step-text">{text(step.text)}</span>'
                  f"{math_span(formula(step.expr))}</li>" for step in result.steps]
        lines.append("</ol>")
    boxed = answer(result) if answer else boxed_answer(result, formula)
    lines += [f'<p class="answer">Answer: {math_span(boxed)}</p>', "</section>"]
    return "\n".join(lines)


def html(derivation: Derivation, standalone: bool = False) -> str:
    """A derivation as an HTML fragment, or a complete page with KaTeX inside it.

    The standalone page needs no other file and no network: KaTeX's script, style and
    fonts are written into it.

    Examples
    --------
    >>> import sympy as sp
    >>> d = Derivation("demo", "Demo", (Result("one", "One.", sp.S.One),))
    >>> print(html(d).splitlines()[1])
    <h2>Demo</h2>
    """
    body = "\n".join([f'<section class="derivation" id="{derivation.topic}">',
                      f"<h2>{_html.escape(derivation.title)}</h2>",
                      *[html_result(r, anchor=f"{derivation.topic}-") for r in derivation.results],
                      "</section>"]) + "\n"
    return html_document(body, derivation.title) if standalone else body


PAGE_STYLE = """body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }
.steps li { margin: 0.3rem 0; }
.step-text { display: block; color: #444; }
.katex-display { overflow-x: auto; overflow-y: hidden; margin: 0.4rem 0; }
.answer { background: #f4f7fb; padding: 0.2rem 0.8rem; border-left: 3px solid #36c; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 1rem 0; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ccc; text-align: left; }
figure { margin: 1.5rem 0; } figure img, figure svg { max-width: 100%; height: auto; }
svg .node { display: flex; align-items: center; justify-content: center; height: 100%;
            font-size: 0.85rem; }
figcaption { font-size: 0.9rem; color: #444; }
"""

# Typesets every .math element in place; a formula KaTeX cannot read shows as .katex-error.
RENDER_SCRIPT = """document.querySelectorAll(".math").forEach(function (element) {
  katex.render(element.textContent, element, {
    displayMode: element.classList.contains("display"), throwOnError: false });
});"""


def _inline_fonts(css: str) -> str:
    def woff2(match):
        data = base64.b64encode((KATEX / "fonts" / f"{match[1]}.woff2").read_bytes()).decode()
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'
    return re.sub(r'src:url\(fonts/([\w-]+)\.woff2\)[^;}]*', woff2, css)


def html_document(body: str, title: str, katex: str | None = None) -> str:
    """A complete HTML page around ``body`` whose ``.math`` elements KaTeX typesets.

    ``katex`` is the folder (relative to the page) holding KaTeX's files; ``None``
    writes them into the page itself, fonts included.

    Examples
    --------
    >>> page = html_document("<p>hi</p>", "Demo", katex="katex")
    >>> '<link rel="stylesheet" href="katex/katex.min.css">' in page
    True
    """
    if katex is None:
        style = _inline_fonts((KATEX / "katex.min.css").read_text())
        assets = [f"<style>{style}</style>",
                  f"<script>{(KATEX / 'katex.min.js').read_text()}</script>"]
    else:
        assets = [f'<link rel="stylesheet" href="{katex}/katex.min.css">',
                  f'<script src="{katex}/katex.min.js"></script>']
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_html.escape(title)}</title>", *assets, f"<style>{PAGE_STYLE}</style>",
        "</head>", "<body>", body, f"<script>{RENDER_SCRIPT}</script>", "</body>", "</html>",
        ""])
