"""Verdicts and their rendering: the third room of the checker.

:func:`check` runs the pipeline for one claim (read, compare, diagnose) and returns a
:class:`Verdict`: correct, wrong (with a witness and, when the catalogue explains it,
the slip) or could not read (with the position).  A verdict prints as text, as JSON
(:meth:`Verdict.as_dict`) and in Jupyter (Markdown and LaTeX).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import topic_module
from ..core import Derivation
from ..render import claim as rendered_claim
from .comparing import Space, compare
from .reading import ClaimError, read_claim_with_context

__all__ = ["Verdict", "check", "check_answers", "report", "CORRECT", "WRONG", "UNREADABLE"]

CORRECT, WRONG, UNREADABLE = "correct", "wrong", "could not read"


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
        claimed, context = read_claim_with_context(text, derivation, result)
        outcome = compare(claimed, result.value, Space(derivation, result, context))
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


