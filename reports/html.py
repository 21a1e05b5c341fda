"""A problem set's answer key as a web page: the PDF's questions, steps, tables and figures.

The page is built from the same problem-set rows, derivations, check rows and figures
as the LaTeX document (:mod:`reports.build`, :mod:`reports.latex`).  Its mathematics
stays TeX that KaTeX typesets in the browser; KaTeX's files are copied into ``katex/``
beside the page and the figures are the experiments' PNGs, so the folder is viewed with
no network.
"""
from __future__ import annotations

import html as _html
import importlib
import re
import shutil
from pathlib import Path

from derivations import render
from numerics.files import atomic_path

from . import latex
from .build import Built, CheckRow, _derivation, check_rows, data_used
from .problem_sets import ProblemSet

__all__ = ["text", "page", "check_table", "graph_svg", "write"]

_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")
_TAGS = {"texttt": "code", "emph": "em", "textit": "em", "textbf": "strong"}
_SPECIALS = {r"\%": "%", r"\&": "&amp;", r"\_": "_", r"\#": "#", r"\$": "$", r"\{": "{",
             r"\}": "}", r"\textbackslash{}": "\\", r"\textasciitilde{}": "~",
             r"\textasciicircum{}": "^", r"\allowbreak{}": "", r"\ ": " "}
_TYPOGRAPHY = {"---": "&mdash;", "--": "&ndash;", "~": "&nbsp;", "``": "&ldquo;",
               "''": "&rdquo;"}
_TOKEN = re.compile("|".join([r"\\(?:" + "|".join(_TAGS) + r")\{", r"\{", r"\}",
                              *(re.escape(s) for s in sorted(_SPECIALS, key=len, reverse=True)),
                              *(re.escape(s) for s in _TYPOGRAPHY)]))


def _text_piece(piece: str) -> str:
    """Text outside mathematics: font commands to tags (``\\texttt`` verbatim), specials,
    and TeX's dashes and quotes outside code."""
    out, open_tags, last = [], [], 0
    for match in _TOKEN.finditer(piece):
        token = match.group()
        out.append(_html.escape(piece[last:match.start()], quote=False))
        last = match.end()
        if token.startswith("\\") and token.endswith("{") and token[1:-1] in _TAGS:
            open_tags.append(_TAGS[token[1:-1]])
            out.append(f"<{open_tags[-1]}>")
        elif token in ("{", "}"):
            tag = open_tags.pop() if token == "}" and open_tags else ""
            out.append(f"</{tag}>" if tag else "")
            if token == "{":
                open_tags.append("")
        elif token in _SPECIALS:
            out.append(_SPECIALS[token])
        else:
            out.append(token if "code" in open_tags else _TYPOGRAPHY[token])
    out.append(_html.escape(piece[last:], quote=False))
    return "".join(out)


def text(tex: str) -> str:
    """LaTeX text (the sheets' restatements, paragraphs, captions) as HTML.

    ``$...$`` becomes mathematics for KaTeX; ``\\texttt``, ``\\emph``, ``\\textbf``, the
    escaped specials and TeX's dashes and quotes become their HTML.  Any other command is
    left as it is, where the browser test sees it.

    Examples
    --------
    >>> print(text(r"Rates $\\eta < 1$ in \\texttt{gd\\_rate --quick}, 50\\% -- done."))
    Rates <span class="math">\\eta &lt; 1</span> in <code>gd_rate --quick</code>, 50% &ndash; done.
    """
    pieces = _INLINE_MATH.split(tex)
    return "".join(render.math_span(piece, display=False) if index % 2 else _text_piece(piece)
                   for index, piece in enumerate(pieces))


def _prose(sentence: str) -> str:
    """A topic's plain-text sentence with its symbols typeset, as in the PDF."""
    return text(latex.prose(sentence))


def _answer(result) -> str:
    """The boxed answer as in the PDF: broken at its signs, decimals beside exact numbers."""
    boxed = _formula(render.claim(result)) + latex._approximate(result.value)
    return rf"\boxed{{{boxed}}}"


def _formula(expr) -> str:
    """A formula as in the PDF, broken at its signs (KaTeX's ``aligned`` takes no ``[t]``)."""
    return latex.broken(latex.formula(expr), 70).replace(r"\begin{aligned}[t]", r"\begin{aligned}")


def check_table(rows: list[CheckRow]) -> str:
    """The check rows as an HTML table: derived, simulated, difference, simulation, test.

    Examples
    --------
    >>> row = CheckRow("r", "b = 1", "0.5", "0.51", "2e-02", "-", "t.py")
    >>> print(check_table([row]).splitlines()[3])
    <tr><td><code>r</code></td><td>b = 1</td><td>0.5</td><td>0.51</td><td>2e-02</td><td>-</td></tr>
    """
    if not rows:
        return ""
    lines = ['<table class="checks">', "<caption>Check: derived against simulated.</caption>",
             "<tr><th>result</th><th>parameters</th><th>derived</th><th>simulated</th>"
             "<th>rel. diff.</th><th>simulation</th></tr>"]
    for row in rows:
        lines += [f"<tr><td><code>{_html.escape(row.result)}</code></td>"
                  f"<td>{_html.escape(row.parameters)}</td><td>{row.derived}</td>"
                  f"<td>{row.simulated}</td><td>{row.difference}</td>"
                  f"<td>{_html.escape(row.what)}</td></tr>",
                  f'<tr class="test"><td colspan="6">covered by '
                  f"<code>{_html.escape(row.test)}</code></td></tr>"]
    return "\n".join(lines + ["</table>"])


# A drawing unit (TikZ's centimetre in the PDF) in pixels, and a node's box.
_UNIT, _WIDTH, _HEIGHT, _MARGIN = 100, 136, 40, 12


def graph_svg(graph) -> str:
    """A computation graph as inline SVG, laid out as the PDF's TikZ drawing.

    Nodes are boxes holding their LaTeX labels (typeset by KaTeX), columns by depth;
    an arrow runs from each input to the node computed from it.

    Examples
    --------
    >>> from derivations.graph import ComputationGraph
    >>> svg = graph_svg(ComputationGraph((("x", "x"), ("f", "f(x)")), (("x", "f"),)))
    >>> svg.count("<rect"), svg.count("<line"), '<span class="math">f(x)</span>' in svg
    (2, 1, True)
    """
    positions = graph.positions()
    left = min(x for x, _ in positions.values())
    top = max(y for _, y in positions.values())
    corner = {name: (_MARGIN + (x - left) * _UNIT, _MARGIN + (top - y) * _UNIT)
              for name, (x, y) in positions.items()}
    width = max(x for x, _ in corner.values()) + _WIDTH + _MARGIN
    height = max(y for _, y in corner.values()) + _HEIGHT + _MARGIN
    parts = [f'<svg class="graph" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
             f'height="{height:.0f}" xmlns="http://www.w3.org/2000/svg">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
             'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for src, dst in graph.edges:
        (x1, y1), (x2, y2) = corner[src], corner[dst]
        parts.append(f'<line x1="{x1 + _WIDTH:.0f}" y1="{y1 + _HEIGHT / 2:.0f}" '
                     f'x2="{x2:.0f}" y2="{y2 + _HEIGHT / 2:.0f}" stroke="#333" '
                     f'marker-end="url(#arrow)"/>')
    for name, (x, y) in corner.items():
        parts += [f'<rect x="{x:.0f}" y="{y:.0f}" width="{_WIDTH}" height="{_HEIGHT}" rx="6" '
                  f'fill="#fff" stroke="#333"/>',
                  f'<foreignObject x="{x:.0f}" y="{y:.0f}" width="{_WIDTH}" height="{_HEIGHT}">'
                  f'<div xmlns="http://www.w3.org/1999/xhtml" class="node">'
                  f"{render.math_span(graph.label(name), display=False)}</div></foreignObject>"]
    return "\n".join(parts + ["</svg>"])


def _figure(path: Path, caption: str, data: str, folder: Path) -> str:
    used = f" Data: {_html.escape(data)}." if data else " Data: none (a simulation of the model)."
    source = _html.escape(path.relative_to(folder).as_posix())
    return (f'<figure><img src="{source}" alt="{_html.escape(path.stem)}">'
            f"<figcaption>{text(caption)}{used}</figcaption></figure>")


def _question(problem_set: ProblemSet, question, figures: dict, folder: Path, quick: bool,
              placed: dict, checks: dict) -> list[str]:
    """One sub-question: restatement, results, checks, paragraph, drawing, figures.

    A figure is drawn under the first question it answers (``placed`` remembers where)
    and named from the others, as in the PDF.  The check rows are ``checks[number]``
    when the build simulated them already.
    """
    anchor = re.sub(r"\W+", "-", question.number).strip("-")
    parts = [f'<section class="question" id="q{anchor}">',
             f"<h2>{_html.escape(question.number)}</h2>", f"<p><em>{text(question.text)}</em></p>"]
    if question.results:
        derivation = _derivation(question.topic)
        parts += [render.html_result(derivation[name], anchor=f"q{anchor}-", formula=_formula,
                                     text=_prose, answer=_answer) for name in question.results]
        rows = checks.get(question.number)
        parts.append(check_table(rows if rows is not None else
                                 check_rows(question.topic, question.results, derivation)))
    if question.answer:
        parts.append(f"<p><strong>Answer.</strong> {text(question.answer)}</p>")
    if question.drawing:
        drawn = importlib.import_module(f"derivations.{question.drawing}")
        parts.append(f"<figure>{graph_svg(drawn.computation_graph())}</figure>")
    for stem in question.figures:
        if stem in placed:
            parts.append(f"<p>See the figure under {_html.escape(placed[stem])}.</p>")
            continue
        parts.append(_figure(figures[stem], problem_set.figure(stem).caption(quick),
                             data_used(figures[stem].parent), folder))
        placed[stem] = question.number
    if not question.answered:
        parts.append(f"<p><strong>Not answered:</strong> {text(question.not_answered)}</p>")
    return parts + ["</section>"]


def page(problem_set: ProblemSet, figures: dict, folder: Path, quick: bool = False,
         checks: dict | None = None) -> str:
    """The complete HTML answer key; ``figures`` maps each figure stem to its PNG.

    ``checks`` maps question numbers to the check rows a build already simulated (the
    others are simulated here)."""
    parts = [f"<h1>{_html.escape(problem_set.title)}</h1>"]
    if quick:
        parts.append(f'<p class="banner">{text(latex.QUICK_BANNER)}</p>')
    parts.append(f"<p>{text(problem_set.summary)} Questions keep the sheet's numbering "
                 f"(<code>{_html.escape(problem_set.sheet)}</code>).</p>")
    placed = {}
    for question in problem_set.questions:
        parts += _question(problem_set, question, figures, folder, quick, placed, checks or {})
    return render.html_document("\n".join(p for p in parts if p), problem_set.title,
                                katex="katex")


def write(problem_set: ProblemSet, out: Path, built: Built, quick: bool = False) -> Path:
    """Write ``out/<name>/<name>.html`` beside the built document, with ``katex/``.

    ``built`` is what :mod:`reports.build` returned for the same ``out``: its figures are
    the experiments' PDFs, whose PNG twins the page shows.
    """
    folder = Path(out) / problem_set.name
    figures = {figure.stem: path.with_suffix(".png")
               for figure, path in zip(problem_set.figures, built.figures)}
    body = page(problem_set, figures, folder, quick, built.checks)
    shutil.copytree(render.KATEX, folder / "katex", dirs_exist_ok=True)
    target = folder / f"{problem_set.name}.html"
    with atomic_path(target) as temporary:
        temporary.write_text(body, encoding="utf-8")
    return target
