"""Assemble the answer keys: experiments (in parallel), derivations, check tables, figures, PDF.

:func:`build_all` is what ``python -m reports build`` runs: it checks the output folder,
derives the sheets' topics (handing their results to the experiments), runs every
experiment the chosen problem sets need in lanes, one process per job that runs its
experiments' commands one after another (several lanes at once), simulates the check
tables meanwhile, writes each document when its figures are there and compiles it once
(twice only when pdflatex asks for it).  An interrupt stops the experiments and
compilations it started and removes their temporary files before
:class:`KeyboardInterrupt` goes on.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import typing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from numerics.experiments.theory import THEORY_FOLDER
from numerics.files import atomic_path
from numerics.terminal import INTERRUPTED

from .checks import CHECKS
from .latex import code, figure_block, graph_block, preamble, prose, question_block
from .problem_sets import ProblemSet

__all__ = ["BuildError", "Built", "build", "build_all", "answers", "document", "CheckRow", "check_rows",
           "check_table", "compile_pdf", "output_folder", "Processes"]


class BuildError(RuntimeError):
    """A derivation, experiment or compilation that failed, or an unusable output folder."""


@dataclass(frozen=True)
class Built:
    """What a build wrote, and the check rows it simulated (question number to rows)."""

    tex: Path
    pdf: Path | None
    figures: tuple[Path, ...]
    note: str = ""
    pages: int = 0
    checks: dict = field(default_factory=dict)


def _derivation(topic: str):
    try:
        return importlib.import_module(f"derivations.{topic}").derive()
    except Exception as error:  # any failure must name the derivation that failed
        raise BuildError(f"derivation {topic} failed: {error}") from error


def _number(x: float) -> str:
    return f"{x:.6g}"


@dataclass(frozen=True)
class CheckRow:
    """One row of a check table, as the PDF and the HTML page show it."""

    result: str
    parameters: str
    derived: str
    simulated: str
    difference: str
    what: str
    test: str


def check_rows(topic: str, results, derivation) -> list[CheckRow]:
    """The checks covering ``results``: derived, simulated, relative difference, test."""
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
        rows.append(CheckRow(check.result, parameters, _number(derived), _number(measured),
                             f"{difference:.1e}", check.what, check.test))
    return rows


def check_table(topic: str, results, derivation) -> str:
    """LaTeX table of the checks covering ``results``: derived, simulated, difference, test.

    The table has the text width: long parameter lists and descriptions wrap in their cells.
    """
    return latex_check_table(check_rows(topic, results, derivation))


def latex_check_table(checks: list[CheckRow]) -> str:
    """The LaTeX table of check rows already simulated (:func:`check_table`)."""
    rows = []
    for row in checks:
        rows.append(" & ".join([
            code(row.result), prose(row.parameters),
            row.derived, row.simulated, row.difference, prose(row.what)]) + r" \\")
        rows.append(rf"\multicolumn{{6}}{{@{{}}p{{\linewidth}}@{{}}}}{{\footnotesize covered by "
                    rf"{code(row.test)}}} \\")
    if not rows:
        return ""
    return "\n".join([
        r"{\footnotesize\noindent",
        r"\begin{tabularx}{\linewidth}{@{}>{\raggedright}p{0.2\linewidth}"
        r">{\raggedright}p{0.14\linewidth}lll>{\raggedright\arraybackslash}X@{}}",
        r"\hline",
        r"result & parameters & derived & simulated & rel.\ diff. & simulation \\", r"\hline",
        *rows, r"\hline", r"\end{tabularx}}"])


def data_used(folder: Path) -> str:
    """The data an experiment used, from the first ``data`` entry of its ``metrics.json``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "metrics.json").write_text('{"settings": {"data": "digits: 10 examples"}}')
    >>> data_used(folder)
    'digits: 10 examples'
    >>> data_used(Path(tempfile.mkdtemp()))
    ''
    """
    try:
        metrics = json.loads((folder / "metrics.json").read_text())
    except (OSError, ValueError):
        return ""
    pending = [metrics]
    while pending:
        item = pending.pop(0)
        if isinstance(item, dict):
            if isinstance(item.get("data"), str):
                return item["data"]
            pending += list(item.values())
    return ""


def answers(problem_set: ProblemSet) -> list[tuple]:
    """``(question, results, check rows)`` for every question: what needs no figure.

    The slow part of a document (derivations, the simulations of the check tables), which
    :func:`build_all` computes while the experiments run.
    """
    derivations, answered = {}, []
    for question in problem_set.questions:
        if question.topic and question.topic not in derivations:
            derivations[question.topic] = _derivation(question.topic)
        derivation = derivations.get(question.topic)
        results = []
        for name in question.results:
            if name not in derivation:
                raise BuildError(f"{problem_set.name} {question.number}: result "
                                 f"{question.topic}.{name} does not exist")
            results.append(derivation[name])
        rows = check_rows(question.topic, question.results, derivation) if results else []
        answered.append((question, results, rows))
    return answered


def document(problem_set: ProblemSet, figures: dict, folder: Path, quick: bool = False,
             answered: list | None = None) -> str:
    """The complete LaTeX answer key of a problem set.

    ``figures`` maps each figure stem to its PDF; a figure is drawn under the first
    question it answers, and named from the others.  ``answered`` is what
    :func:`answers` returned, when it was computed before.
    """
    placed, parts = {}, []
    for question, results, rows in answered or answers(problem_set):
        blocks = []
        for stem in question.figures:
            if stem in placed:
                blocks.append(rf"\noindent See the figure under {placed[stem]}.")
                continue
            figure = problem_set.figure(stem)
            data = data_used(figures[stem].parent)
            blocks.append(figure_block(figures[stem].relative_to(folder).as_posix(),
                                       figure.caption(quick), data))
            placed[stem] = question.number
        if question.drawing:
            module = importlib.import_module(f"derivations.{question.drawing}")
            blocks.insert(0, graph_block(module.computation_graph()))
        parts.append(question_block(question, results, latex_check_table(rows), blocks))
    return (preamble(quick) + "\\begin{document}\n"
            + rf"\title{{{problem_set.title}}}" + "\n\\date{}\n\\maketitle\n"
            + problem_set.summary
            + rf" Questions keep the sheet's numbering ({code(problem_set.sheet)})." + "\n\n"
            + "\n\n".join(parts) + "\n\\end{document}\n")


class Processes:
    """The child processes a build started; :meth:`stop` ends them all (and their children).

    Children run in their own session, so an interrupt reaches them only through
    :meth:`stop`, which sends SIGINT (an experiment then removes its temporary files),
    waits, and kills what is left.  Experiment commands may run ``warm``: in a lane
    (:mod:`numerics.experiments.lane`), a process that runs them one after another and
    imports NumPy, matplotlib and the data readers once; :meth:`close` ends the lanes.
    """

    def __init__(self, env: dict | None = None):
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._idle: queue.SimpleQueue[subprocess.Popen] = queue.SimpleQueue()
        self._lanes: dict[subprocess.Popen, typing.IO] = {}
        self._env = env
        self.stopping = False

    def _start(self, command, **options) -> subprocess.Popen:
        with self._lock:
            if self.stopping:
                raise KeyboardInterrupt
            process = subprocess.Popen(command, text=True, start_new_session=True,
                                       **{"env": self._env, **options})
            self._running.add(process)
        return process

    def run(self, command, warm: bool = False, **options) -> subprocess.CompletedProcess:
        """``subprocess.run(command, capture_output=True, text=True)``, stoppable.

        ``warm=True`` runs a ``python -m numerics.experiments.<name>`` command in a lane.
        """
        if warm:
            return self._run_in_lane(command)
        process = self._start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)
        try:
            out, err = process.communicate()
        finally:
            with self._lock:
                self._running.discard(process)
        if self.stopping:
            raise KeyboardInterrupt
        return subprocess.CompletedProcess(command, process.returncode, out, err)

    def start_lanes(self, count: int) -> None:
        """Start ``count`` lanes now: they import what experiments need while the build derives."""
        for _ in range(count):
            self._idle.put(self._new_lane())

    def _new_lane(self) -> subprocess.Popen:
        log = tempfile.TemporaryFile("w+")   # what the lane says outside its commands
        lane = self._start([sys.executable, "-m", "numerics.experiments.lane"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        self._lanes[lane] = log
        return lane

    def _lane(self) -> subprocess.Popen:
        """An idle lane, or a new one."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._new_lane()

    def _run_in_lane(self, command) -> subprocess.CompletedProcess:
        if command[:2] != [sys.executable, "-m"]:
            raise ValueError(f"command == {command!r}: a lane runs python -m commands only")
        lane = self._lane()
        try:
            lane.stdin.write(json.dumps({"command": command[2:]}) + "\n")
            lane.stdin.flush()
            answer = lane.stdout.readline()
        except OSError:
            answer = ""
        if self.stopping:
            raise KeyboardInterrupt
        if not answer:                          # the lane died: its status and last words
            status = lane.wait()
            self._lanes[lane].seek(0)
            return subprocess.CompletedProcess(command, status, "", self._lanes[lane].read())
        done = json.loads(answer)
        if done["status"] != INTERRUPTED:       # an interrupted lane has ended
            self._idle.put(lane)
        return subprocess.CompletedProcess(command, done["status"], done["stdout"],
                                           done["stderr"])

    def close(self) -> None:
        """End the lanes: their input closes, and each exits once its command is done."""
        for lane in self._lanes:
            with contextlib.suppress(OSError):
                lane.stdin.close()
        for lane, log in self._lanes.items():
            lane.wait()
            lane.stdout.close()
            log.close()
            with self._lock:
                self._running.discard(lane)

    def stop(self, grace: float = 5.0) -> None:
        with self._lock:
            self.stopping = True
            running = list(self._running)
        for process in running:
            _signal_group(process, signal.SIGINT)
        for process in running:
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _signal_group(process: subprocess.Popen, signal_number: int) -> None:
    try:
        os.killpg(process.pid, signal_number)
    except (ProcessLookupError, PermissionError):
        pass


def run_experiment(name: str, out: Path, quick: bool, data: Path | None = None,
                   processes: Processes | None = None, formats=("png", "pdf")) -> None:
    """Run ``numerics.experiments.<name>``, in a lane of ``processes`` when given, else in
    its own process, writing its figures in ``formats``; failure raises ``BuildError``."""
    command = [sys.executable, "-m", f"numerics.experiments.{name}", "--out", str(out), "--quiet",
               "--formats", *formats]
    command += (["--quick"] if quick else []) + (["--data", str(data)] if data else [])
    done = processes.run(command, warm=True) if processes else Processes().run(command)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BuildError(f"experiment {name} failed (exit {done.returncode}): {last}")


def compile_pdf(tex: Path, processes: Processes | None = None) -> tuple[Path, int]:
    """Compile ``tex`` with pdflatex, a second pass only when the log asks; the PDF appears only on success.

    Returns the PDF and its number of pages, as pdflatex's log reports it.
    """
    processes = processes or Processes()
    with tempfile.TemporaryDirectory() as scratch:
        command = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                   f"-output-directory={scratch}", tex.name]
        log_path = Path(scratch) / f"{tex.stem}.log"
        for _ in range(2):
            done = processes.run(command, cwd=tex.parent)
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            if done.returncode != 0 or "Rerun to get" not in log:
                break
        produced = Path(scratch) / f"{tex.stem}.pdf"
        if done.returncode != 0 or not produced.exists():
            errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
            raise BuildError(f"pdflatex failed on {tex}: {errors[0] if errors else done.returncode}")
        unwrapped = log.replace("\n", "")  # TeX breaks log lines at 79 characters
        pages = re.findall(r"Output written on .*?\((\d+) pages?", unwrapped)
        pdf = tex.with_suffix(".pdf")
        with atomic_path(pdf) as temporary:
            shutil.copyfile(produced, temporary)
    return pdf, int(pages[-1]) if pages else 0


def output_folder(out) -> Path:
    """``out`` as a folder the build can write to (created); else ``BuildError`` saying why.

    Examples
    --------
    >>> output_folder("")
    Traceback (most recent call last):
    ...
    reports.build.BuildError: --out == '': an empty path names no folder; pass a folder such as out/reports
    """
    if str(out) == "":
        raise BuildError("--out == '': an empty path names no folder; pass a folder such as "
                         "out/reports")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out == '{out}' is a file, not a folder; pass a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe, name = tempfile.mkstemp(dir=out, prefix=".write-test-")
        os.close(probe)
        os.unlink(name)
    except OSError as error:
        raise BuildError(f"--out == '{out}' cannot be written ({error.strerror or error}); "
                         f"pass a folder you can write to") from error
    return out


def _contents(folder: Path) -> set | None:
    """Every path under ``folder``; None where it does not exist."""
    return set(folder.rglob("*")) if folder.is_dir() else None


def _undo(folder: Path, before: set) -> None:
    """After a build that failed: remove what it made under ``folder`` (the paths not in
    ``before``, the experiments' figures and metrics of a key never written; the folder too
    where ``before`` is None) and the hidden temporary files (``atomic_path``'s
    ``.name-XXXX.suffix``); what was there stays.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); (folder / "old.txt").write_text("kept")
    4
    >>> before = _contents(folder)
    >>> (folder / "figures").mkdir(); (folder / "figures" / "new.png").write_text("made")
    4
    >>> _undo(folder, before); sorted(p.name for p in folder.rglob("*"))
    ['old.txt']
    """
    now = _contents(folder) or set()
    made = sorted(now - (before or set()), key=lambda path: len(path.parts), reverse=True)
    for path in made + [p for p in now if p.name.startswith(".") and "-" in p.name] + (
            [folder] if before is None and folder.is_dir() else []):
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _pdf_note() -> str:
    return ("no PDF made: pdflatex is not on PATH (apt-get install texlive-latex-base "
            "texlive-latex-recommended)")


def build_all(problem_sets, out, quick: bool = False, pdf: bool = True, data: Path | None = None,
              jobs: int | None = None, report=None, png: bool = True) -> list[Built]:
    """Build several answer keys: every experiment first, ``jobs`` at a time, then each document.

    ``data`` is passed to the experiments that run on CIFAR-10 when given a folder.
    The documents show the figures' PDFs; ``png=False`` spares the experiments drawing
    each figure a second time as PNG (the HTML pages show those).
    ``report(problem_set, built)`` is called as each one is done.  An interrupt stops the
    processes started, removes their temporary files and raises ``KeyboardInterrupt``.
    """
    out = output_folder(out)
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    theory = tempfile.TemporaryDirectory(prefix="optverify-theory-")
    processes = Processes(env={**os.environ, THEORY_FOLDER: theory.name})
    folders = [out / p.name for p in problem_sets]
    before = {folder: _contents(folder) for folder in folders}
    built = []
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            try:
                experiments = sum(len(p.experiments) for p in problem_sets)
                processes.start_lanes(min(jobs, experiments))
                if experiments:
                    hand_over(problem_sets, Path(theory.name))
                formats = ("png", "pdf") if png else ("pdf",)
                pending = {p.name: [pool.submit(run_experiment, e, out / p.name / "figures" / e,
                                                quick, data if e in p.cifar_experiments else None,
                                                processes, formats)
                                    for e in p.experiments] for p in problem_sets}
                prepared = {p.name: answers(p) for p in problem_sets}   # while experiments run
                for problem_set, folder in zip(problem_sets, folders):
                    for future in pending[problem_set.name]:
                        future.result()
                    one = _write(problem_set, folder, quick, pdf, processes,
                                 prepared[problem_set.name])
                    built.append(one)
                    if report:
                        report(problem_set, one)
            except BaseException:
                processes.stop()
                for futures in pending.values() if "pending" in locals() else ():
                    for future in futures:
                        future.cancel()
                for folder in folders:
                    _undo(folder, before[folder])
                raise
    finally:
        processes.close()
        theory.cleanup()
    return built


def hand_over(problem_sets, folder: Path) -> None:
    """Derive every topic of ``problem_sets`` and write ``<topic>.json`` into ``folder``.

    Each file holds the name and value of every result, as ``python -m
    derivations.<topic> --json`` prints them: the experiments read them there
    (:func:`numerics.experiments.theory.results`) instead of deriving again.
    """
    topics = dict.fromkeys(q.topic for p in problem_sets for q in p.questions if q.topic)
    for topic in topics:
        derivation = _derivation(topic)
        results = [{"name": r.name, "value": str(r.value)} for r in derivation.results]
        with atomic_path(folder / f"{topic}.json") as temporary:
            temporary.write_text(json.dumps({"topic": topic, "results": results}))


def _write(problem_set: ProblemSet, folder: Path, quick: bool, pdf: bool,
           processes: Processes, answered: list | None = None) -> Built:
    figures = {}
    for figure in problem_set.figures:
        path = folder / "figures" / figure.experiment / f"{figure.stem}.pdf"
        if not path.exists():
            raise BuildError(f"experiment {figure.experiment} did not write {path.name}")
        figures[figure.stem] = path
    tex = folder / f"{problem_set.name}.tex"
    answered = answered or answers(problem_set)
    text = document(problem_set, figures, folder, quick, answered)
    with atomic_path(tex) as temporary:
        temporary.write_text(text)
    written = tuple(figures.values())
    checks = {question.number: rows for question, _, rows in answered}
    if not pdf:
        return Built(tex, None, written, checks=checks)
    if shutil.which("pdflatex") is None:
        return Built(tex, None, written, note=_pdf_note(), checks=checks)
    made, pages = compile_pdf(tex, processes)
    return Built(tex, made, written, pages=pages, checks=checks)


def build(problem_set: ProblemSet, out: Path, quick: bool = False, pdf: bool = True,
          data: Path | None = None) -> Built:
    """Write ``out/<name>/<name>.tex`` (and its PDF): experiments first, then the document."""
    return build_all([problem_set], out, quick=quick, pdf=pdf, data=data)[0]
