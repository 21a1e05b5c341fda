"""Verdicts and their rendering: the third room of the checker.

:func:`check` runs the pipeline for one claim (read, compare, diagnose) and returns a
:class:`Verdict`: correct, wrong (with a witness and, when the catalogue explains it,
the slip) or could not read (with the position).  A verdict prints as text, as JSON
(:meth:`Verdict.as_dict`) and in Jupyter (Markdown and LaTeX).
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef, PoleError

from numerics.terminal import fail

from .. import topic_module
from ..core import Derivation
from ..render import claim as rendered_claim
from .comparing import (Space, _by_label, as_system, compare, defined, one_based,
                        takes_derivatives, unlabelled)
from .reading import LIMITS, ClaimError, _condition, _Labelled, read_claim_with_context
from .slips import diagnose

__all__ = ["Verdict", "check", "check_answers", "report", "CORRECT", "WRONG", "UNREADABLE"]

CORRECT, WRONG, UNREADABLE = "correct", "wrong", "could not read"
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class Verdict:
    """The answer for one claim: correct, wrong (with a witness) or could not read.

    ``reading`` is how the claim was read (LaTeX); ``slip`` the catalogue's name and
    sentence for a wrong claim it explains; ``parts`` one verdict per element of a tuple,
    set or matrix; ``reveal=False`` hides the derived answer and its values.
    """

    topic: str
    result: str
    claim: str
    status: str
    method: str | None = None
    witness: dict | None = None
    derived_latex: str = ""
    problem: str | None = None
    position: int | None = None
    reading: str | None = None
    slip: tuple[str, str] | None = None
    parts: tuple[bool, ...] | None = None
    reveal: bool = True

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, WRONG: 1, UNREADABLE: 2}[self.status]

    @property
    def score(self) -> str | None:
        """``"3/4"``: the parts correct, for tuples, sets and matrices."""
        return f"{sum(self.parts)}/{len(self.parts)}" if self.parts else None

    def _witness(self) -> dict | None:
        if self.witness is None or self.reveal:
            return self.witness
        return {**self.witness, "derived": HIDDEN}

    def as_dict(self) -> dict:
        """The JSON form; its fields are listed in the README ("Checking an answer")."""
        return {"topic": self.topic, "result": self.result, "claim": self.claim,
                "verdict": self.status, "reading": self.reading, "method": self.method,
                "slip": None if self.slip is None else {"name": self.slip[0],
                                                         "says": self.slip[1]},
                "score": self.score, "parts": None if self.parts is None else list(self.parts),
                "witness": self._witness(),
                "derived_latex": self.derived_latex if self.reveal else None,
                "problem": self.problem, "position": self.position, "revealed": self.reveal}

    def _lines(self, math):
        """The verdict's lines; ``math`` wraps LaTeX (as is for text, ``$..$`` for Markdown)."""
        lines = []
        if self.reading is not None:
            lines.append(f"read as: {math(self.reading)}")
        if self.status == CORRECT:
            return lines
        if self.slip is not None:
            lines.append(f"slip: {self.slip[1]}")
        if self.parts is not None:
            wrong = ", ".join(str(k + 1) for k, part in enumerate(self.parts) if not part)
            lines.append(f"parts: {self.score} correct (wrong: {wrong or 'none'})")
        witness = self._witness() or {}
        if witness.get("where"):
            lines.append(f"in {witness['where']}")
        values = ", ".join(f"{k} = {v}" for k, v in witness.get("values", {}).items())
        lines.append(f"at {values or 'every point'}: claimed {witness.get('claimed')}, "
                     f"derived {witness.get('derived')}")
        if witness.get("difference"):
            lines.append(f"they differ there by {witness['difference']}")
        if self.reveal:
            lines.append(f"derived: {math(self.derived_latex)}")
        return lines

    def __str__(self) -> str:
        head = f"{self.topic}.{self.result}: {self.status}"
        if self.status == UNREADABLE:
            return (f"{head}: {self.problem} at position {self.position}\n"
                    f"    {_printable(self.claim)}\n    {' ' * (self.position or 0)}^")
        if self.status == CORRECT:
            head = f"{head} ({self.method})"
        return "\n".join([head] + [f"  {line}" for line in self._lines(lambda s: s)])

    def _repr_markdown_(self) -> str:
        """Jupyter: the verdict with its mathematics in ``$...$``."""
        head = f"**{self.topic}.{self.result}**: {self.status}"
        if self.status == UNREADABLE:
            return f"{head}: {self.problem} at position {self.position}\n\n`{_printable(self.claim)}`"
        return "  \n".join([head] + self._lines(lambda s: f"${s}$"))

    def _repr_latex_(self) -> str:
        """Jupyter's LaTeX form: one array, text in ``\\text``."""
        def text(s):
            return r"\text{%s}" % s.replace("_", r"\_").replace("{", r"\{").replace("}", r"\}")
        rows = [text(f"{self.topic}.{self.result}: {self.status}")]
        if self.status == UNREADABLE:
            rows.append(text(f"{self.problem} at position {self.position}"))
        else:
            rows += [text(line) for line in self._lines(lambda s: "@@")]
            maths = [m for m in (self.reading, self.derived_latex if self.reveal and
                                 self.status != CORRECT else None) if m is not None]
            rows = [row.replace("@@", r"}%s\text{" % maths.pop(0)) if "@@" in row else row
                    for row in rows]
        return "$\\begin{array}{l}" + r" \\ ".join(rows) + "\\end{array}$"


def _printable(text: str) -> str:
    """``text`` with each control character (a NUL, an escape sequence's ESC) shown as U+FFFD,
    one character for one, so that the caret under it still points at the position.

    Examples
    --------
    >>> _printable("1 + \\x1b[2J")
    '1 + \ufffd[2J'
    """
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


class ClaimTimeout(Exception):
    """Raised by the alarm when one claim takes longer than the limit."""


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`ClaimTimeout` after ``seconds`` (SIGALRM; in the main thread only)."""
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def ring(signum, frame):
        raise ClaimTimeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _reading(claimed, one_sided=frozenset()) -> str:
    """The claim as read, in LaTeX; a one-sided range as its inequality (its open side is
    the domain's, not infinite)."""
    if isinstance(claimed, _Labelled):
        return f"{sp.latex(claimed.lhs)} = {_reading(claimed.value, one_sided)}"
    if one_sided and isinstance(claimed, sp.Basic):
        claimed = claimed.xreplace({part: _condition(*part.args, evaluate=False)
                                   for part in one_sided})
    return sp.latex(claimed)


def check(derivation: Derivation, name: str, text: str, reveal: bool = True,
          seconds: float | None = None) -> Verdict:
    r"""Check the claim ``text`` against the derivation's result ``name``.

    An unknown result name raises ``ValueError``; everything else is a verdict.  A claim
    that takes longer than ``seconds`` (``LIMITS["seconds"]``, less where an answers file's
    time is running out) is a could-not-read that says so.

    Examples
    --------
    >>> from derivations import gd
    >>> check(gd.derive(), "stability_range", r"0 < \eta < \frac{1}{\sigma^2}").status
    'correct'
    >>> v = check(gd.derive(), "optimal_learning_rate", r"\frac{2}{\sigma_L^2 + \sigma_S^2}")
    >>> v.status, sorted(v.witness["values"]), v.slip[0]
    ('wrong', ['sigma_L', 'sigma_S'], 'factor 2')
    >>> v = check(gd.derive(), "optimal_learning_rate", r"\frac{1}{\sigma_L^2 +")
    >>> v.status, v.problem, v.position
    ('could not read', "unclosed '{'", 8)
    """
    (result,) = derivation.only([name]).results
    derived_latex = sp.latex(rendered_claim(result))
    verdict = dict(topic=derivation.topic, result=name, claim=text, derived_latex=derived_latex,
                   reveal=reveal)
    reading, started = None, time.monotonic()
    seconds = LIMITS["seconds"] if seconds is None else seconds
    try:
        if seconds <= 0:
            raise ClaimTimeout
        with time_limit(seconds):
            claimed, context = read_claim_with_context(text, derivation, result)
            reading = _reading(claimed, context.one_sided)
            space = Space(derivation, result, context)
            claimed = unlabelled(claimed, space)
            relations = {s: v for s, v in space.definitions.items() if v.free_symbols}
            fixed = {s: v for s, v in space.definitions.items()  # the sheet's w_0 = 0: only for
                     if not v.free_symbols and s not in claimed.free_symbols}  # a claim without
            given = {**relations, **getattr(derivation, "values", {})}
            claimed = as_system(defined(claimed, {s: v for s, v in given.items()
                                                  if s != result.lhs}))  # not w_mn for w_mn
            derived = as_system(defined(result.value, {**relations, **fixed}))
            _no_stray_functions(claimed, derived, f"{derivation.topic}.{name}")
            shifted = one_based(claimed, derived)  # sums from 1 where the model's are from 0
            outcome = None if shifted is None else compare(shifted, derived, space)
            if outcome is not None and outcome.correct:
                claimed, outcome = shifted, replace(outcome, method=(
                    f"{outcome.method}; read with indices from 1, the model's from 0"))
            else:
                outcome = compare(claimed, derived, space)
    except ClaimTimeout:
        return Verdict(**verdict, status=UNREADABLE, position=0, reading=reading,
                       problem=f"{derivation.topic}.{name} ran out of time (the limit is "
                               f"{LIMITS['seconds']} s a claim and {LIMITS['file_seconds']} s "
                               f"an answers file); simplify the claim, or split the file")
    except ClaimError as error:
        return Verdict(**verdict, status=UNREADABLE, problem=error.problem, reading=reading,
                       position=min(error.position, len(text)))
    except RecursionError:
        return Verdict(**verdict, status=UNREADABLE, position=0, reading=reading,
                       problem="the claim is nested too deeply to compare")
    except (TypeError, ValueError, AttributeError, NotImplementedError, sp.PolynomialError,
            PoleError) as error:
        return Verdict(**verdict, status=UNREADABLE, position=0, reading=reading,
                       problem=f"could not compare the claim with the result ({error})")
    slip = None
    left = seconds - (time.monotonic() - started)  # one limit for reading and naming
    if not outcome.correct and left > 0:
        try:
            with time_limit(left):
                slip = diagnose(*_first_wrong(claimed, derived, outcome, space.lhs), space)
        except ClaimTimeout:  # a verdict without a named slip
            pass
    status = CORRECT if outcome.correct else WRONG
    method = outcome.method
    if outcome.correct and takes_derivatives(claimed):
        method = f"{method}; a derivative the claim leaves to take was taken here"
    return Verdict(**verdict, status=status, method=method, reading=reading,
                   witness=None if outcome.correct else outcome.witness, parts=outcome.parts,
                   slip=None if slip is None else (slip.name, slip.says))


def _no_stray_functions(claimed, derived, where):
    """Refuse a claim that applies one of the model's undefined functions (``s``, the
    vanishing chain's activation, also written ``\\sigma``) where the result involves none:
    ``\\sigma'(0)`` for the sigmoid's largest slope is the sigmoid's, which a generic ``s``
    is not."""
    def functions(value):
        return {f.func for f in value.atoms(AppliedUndef)} if isinstance(value, sp.Basic) else set()
    stray = functions(claimed)
    if stray and not functions(derived):
        name = sorted(f.__name__ for f in stray)[0]
        raise ClaimError(f"{name} is the model's generic function, which {where} does not "
                         f"involve; write the value it takes here", 0)


def _first_wrong(claimed, derived, outcome, names=None):
    """The claim and result to diagnose: the first wrong element of a tuple or matrix."""
    if outcome.parts and isinstance(derived, (sp.Tuple, sp.MatrixBase)) and \
            len(outcome.parts) == len(derived):
        index = outcome.parts.index(False)
        if isinstance(claimed, sp.Tuple):
            claimed = _by_label(claimed, derived, names)
        items = list(claimed) if isinstance(claimed, (sp.Tuple, sp.MatrixBase)) else None
        if items is not None and len(items) == len(derived):
            mine, theirs = items[index], list(derived)[index]
            if isinstance(mine, sp.Eq) and isinstance(theirs, sp.Eq) and mine.lhs == theirs.lhs:
                return mine.rhs, theirs.rhs  # ``alpha = 2 beta eta`` for ``alpha = beta eta``
            return mine, theirs
    return claimed, derived


def check_answers(answers: dict, reveal: bool = True) -> list[Verdict]:
    """Check a mapping ``{topic: {result: claim}}`` (a parsed answers.toml).

    A top-level ``reveal = false`` hides the derived answers.  Unknown topics or
    results, claims that are not strings, and a mapping with no claims raise
    ``ValueError``.

    Examples
    --------
    >>> [v.status for v in check_answers({"gd": {"optimal_learning_rate":
    ...     r"\\frac{1}{\\sigma_L^2 + \\sigma_S^2}"}})]
    ['correct']
    """
    answers = dict(answers)
    shown = answers.pop("reveal", True)
    if not isinstance(shown, bool):
        raise ValueError(f"reveal == {shown!r}, must be true or false; write reveal = false")
    reveal = reveal and shown
    verdicts, started = [], time.monotonic()
    for topic, claims in answers.items():
        if not isinstance(claims, dict):
            raise ValueError(f"[{topic}] must be a table of result = 'claim' lines; "
                             f"write it as [{topic}] followed by name = '...'")
        derivation = topic_module(topic).derive()
        for name, text in claims.items():
            if not isinstance(text, str):
                raise ValueError(f"{topic}.{name} == {str(text)[:40]!r}, must be a string; quote "
                                 f"the claim with single quotes")
            left = LIMITS["file_seconds"] - (time.monotonic() - started)
            verdicts.append(check(derivation, name, text, reveal,
                                  seconds=min(LIMITS["seconds"], left)))
    if not verdicts:
        raise ValueError("the answers file holds no claims; write [topic] followed by "
                         "result = 'LaTeX claim' lines")
    return verdicts


def report(verdicts, as_json=False, single=False) -> int:
    """Print verdicts (text, or JSON for graders) and return the exit status.

    The status is 2 if any claim could not be read (one ``error:`` line on stderr says
    which), else 1 if any is wrong, else 0.
    """
    import json
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
        fail(f"could not read {where}")
    return max((v.exit_status for v in verdicts), default=0)


