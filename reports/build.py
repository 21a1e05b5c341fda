"""Assemble a problem set's answer document: derivations, check tables, figures, PDF."""
from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from derivations import render
from numerics.files import atomic_path

from .checks import CHECKS
from .problem_sets import ProblemSet

__all__ = ["BuildError", "Built", "build", "document", "check_table", "compile_pdf"]

EXTRA_PACKAGES = "\\usepackage{float}\n"


class BuildError(RuntimeError):
    """A derivation, experiment or compilation that failed; the message names it."""


@dataclass(frozen=True)
class Built:
    tex: Path
    pdf: Path | None
    figures: tuple[Path, ...]
    note: str = ""
    pages: int = 0


def _derivation(topic: str):
    try:
        return importlib.import_module(f"derivations.{topic}").derive()
    except Exception as error:  # any failure must name the derivation that failed
        raise BuildError(f"derivation {topic} failed: {error}") from error


def _number(x: float) -> str:
    return f"{x:.6g}"


def check_table(topic: str, results, derivation) -> str:
    """LaTeX table of the checks covering ``results``: derived, simulated, difference, test."""
    rows = []
    for check in CHECKS:
        if check.topic != topic or check.result not in results:
            continue
        try:
            derived = check.derived(derivation.with_values(check.parameters))
            measured = check.measured()
        except Exception as error:
            raise BuildError(f"check {topic}.{check.result} failed: {error}") from error
        difference = abs(derived - measured) / max(abs(derived), 1e-300)
        parameters = ", ".join(f"{k} = {_number(float(v))}" for k, v in check.parameters.items())
        rows.append(" & ".join([
            rf"\texttt{{{render.escape_tex(check.result)}}}", render.escape_tex(parameters),
            _number(derived), _number(measured), f"{difference:.1e}",
            render.escape_tex(check.what)]) + r" \\")
        rows.append(rf"\multicolumn{{6}}{{l}}{{\footnotesize covered by "
                    rf"\texttt{{{render.escape_tex(check.test)}}}}} \\")
    if not rows:
        return ""
    return "\n".join([
        r"\begin{center}\footnotesize", r"\begin{tabular}{llllll}", r"\hline",
        r"result & parameters & derived & simulated & rel. diff. & simulation \\", r"\hline",
        *rows, r"\hline", r"\end{tabular}", r"\end{center}"])


def _figure(path: Path, caption: str, folder: Path) -> str:
    relative = path.relative_to(folder).as_posix()
    return "\n".join([
        r"\begin{figure}[H]", r"\centering",
        rf"\includegraphics[width=0.95\linewidth]{{{relative}}}",
        rf"\caption{{{render.escape_tex(caption)}}}", r"\end{figure}"])


def document(problem_set: ProblemSet, figures: dict, folder: Path) -> str:
    """The complete LaTeX answer document of a problem set."""
    parts = [rf"\title{{{render.escape_tex(problem_set.title)}}}",
             r"\date{}", r"\maketitle", render.escape_tex(problem_set.summary)]
    derivations = {}
    for number, question in enumerate(problem_set.questions, 1):
        if question.topic not in derivations:
            derivations[question.topic] = _derivation(question.topic)
        derivation = derivations[question.topic]
        parts.append(rf"\section*{{Question {number}}}")
        parts.append(rf"\emph{{{render.escape_tex(question.text)}}}")
        parts += [render.latex_result(derivation[name]) for name in question.results]
        table = check_table(question.topic, question.results, derivation)
        if table:
            parts += [r"\paragraph{Check: derived against simulated.}", table]
    if problem_set.figures:
        parts.append(r"\section*{Experiments}")
        parts += [_figure(figures[f], f.caption, folder) for f in problem_set.figures]
    body = "\n\n".join(parts) + "\n"
    preamble = render.PREAMBLE + EXTRA_PACKAGES
    return f"{preamble}\\begin{{document}}\n{body}\\end{{document}}\n"


def run_experiment(name: str, out: Path, quick: bool) -> None:
    """Run ``numerics.experiments.<name>`` in its own process; failure raises ``BuildError``."""
    command = [sys.executable, "-m", f"numerics.experiments.{name}", "--out", str(out), "--quiet"]
    done = subprocess.run(command + (["--quick"] if quick else []), capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BuildError(f"experiment {name} failed (exit {done.returncode}): {last}")


def compile_pdf(tex: Path) -> tuple[Path, int]:
    """Compile ``tex`` with latexmk or pdflatex; the PDF appears only when it succeeded.

    Returns the PDF and its number of pages, as pdflatex's log reports it.
    """
    with tempfile.TemporaryDirectory() as scratch:
        if shutil.which("latexmk"):
            command = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                       f"-outdir={scratch}", tex.name]
        else:
            command = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                       f"-output-directory={scratch}", tex.name]
        done = subprocess.run(command, cwd=tex.parent, capture_output=True, text=True)
        produced = Path(scratch) / f"{tex.stem}.pdf"
        if done.returncode != 0 or not produced.exists():
            errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
            raise BuildError(f"pdflatex failed on {tex}: {errors[0] if errors else done.returncode}")
        log = (Path(scratch) / f"{tex.stem}.log").read_text(errors="replace")
        unwrapped = log.replace("\n", "")  # TeX breaks log lines at 79 characters
        pages = re.findall(r"Output written on .*?\((\d+) pages?", unwrapped)
        pdf = tex.with_suffix(".pdf")
        with atomic_path(pdf) as temporary:
            shutil.copyfile(produced, temporary)
    return pdf, int(pages[-1]) if pages else 0


def build(problem_set: ProblemSet, out: Path, quick: bool = False, pdf: bool = True) -> Built:
    """Write ``out/<name>/<name>.tex`` (and its PDF): experiments first, then the document."""
    folder = Path(out) / problem_set.name
    figures = {}
    for experiment in problem_set.experiments:
        run_experiment(experiment, folder / "figures" / experiment, quick)
    for figure in problem_set.figures:
        path = folder / "figures" / figure.experiment / f"{figure.stem}.pdf"
        if not path.exists():
            raise BuildError(f"experiment {figure.experiment} did not write {path.name}")
        figures[figure] = path
    tex = folder / f"{problem_set.name}.tex"
    text = document(problem_set, figures, folder)
    with atomic_path(tex) as temporary:
        temporary.write_text(text)
    if not pdf:
        return Built(tex, None, tuple(figures.values()))
    if shutil.which("pdflatex") is None:
        return Built(tex, None, tuple(figures.values()),
                     note="no PDF made: pdflatex is not on PATH (apt-get install "
                          "texlive-latex-base texlive-latex-recommended)")
    pdf, pages = compile_pdf(tex)
    return Built(tex, pdf, tuple(figures.values()), pages=pages)

