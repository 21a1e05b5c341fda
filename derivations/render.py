"""Renderers of a :class:`~derivations.core.Derivation`: LaTeX, plain text and JSON."""
from __future__ import annotations

import math

import sympy as sp

from .core import Derivation, Result

__all__ = ["latex", "latex_result", "standalone_document", "text", "as_json", "numeric", "latex_value", "claim"]

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
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
            out += ["       " + line for line in sp.pretty(step.expr).splitlines()]
        shown = sp.pretty(claim(result))
        out.append("  result:")
        out += ["       " + line for line in shown.splitlines()]
        out.append("")
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
    if isinstance(value, sp.Expr):
        return _number(value)
    return None


def as_json(derivation: Derivation) -> dict:
    """The JSON contract: topic, title, symbols and, per result, its value in four forms."""
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
                "srepr": sp.srepr(r.value),
                **({"numeric": n} if (n := numeric(r.value)) is not None else {}),
            }
            for r in derivation.results
        ],
    }

