"""Checking claimed answers against derivations: a package above the topics.

The rooms follow the pipeline: :mod:`.reading` (LaTeX into SymPy), :mod:`.comparing`
(by kind of value), :mod:`.slips` (the catalogue of common slips), :mod:`.verdicts`
(the verdict and its rendering) and :mod:`.cli` (``python -m derivations check``).
A topic never imports this package.
"""
from .reading import ClaimError, read_claim, read_latex
from .verdicts import Verdict, check, check_answers

__all__ = ["ClaimError", "read_latex", "read_claim", "Verdict", "check", "check_answers"]
