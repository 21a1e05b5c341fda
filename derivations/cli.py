"""The command line every topic shares.

``python -m derivations.<topic> [--latex | --text | --json | --html] [--standalone]
[--subs NAME=VALUE ...] [--only RESULT ...]``, and
``python -m derivations.<topic> --check RESULT 'LATEX' [--json] [--subs ...]``.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from numerics.terminal import ArgumentParser, command, fail

from . import render
from .core import Derivation

__all__ = ["main", "parse_assignment", "parse_assignments", "render_as", "piece", "joined", "select",
           "ArgumentParser"]


def parse_assignments(texts: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a mapping; a name given twice is an error.

    Examples
    --------
    >>> parse_assignments(["beta=1/2", "sigma=sqrt(5)"])
    {'beta': '1/2', 'sigma': 'sqrt(5)'}
    """
    values: dict[str, str] = {}
    for name, value in map(parse_assignment, texts):
        if name in values:
            raise ValueError(f"--subs {name} is given twice ({values[name]} and {value}); "
                             f"give each parameter once")
        values[name] = value
    return values


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``NAME=VALUE``.

    Examples
    --------
    >>> parse_assignment("beta=0.5")
    ('beta', '0.5')
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ValueError(f"--subs takes NAME=VALUE, got {text!r}; write it like beta=0.5")
    return name.strip(), value.strip()


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by a topic and by ``python -m derivations all``."""
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--latex", dest="form", action="store_const", const="latex",
                      help="LaTeX: align* steps per result")
    form.add_argument("--text", dest="form", action="store_const", const="text",
                      help="plain text with SymPy's pretty printer (the default)")
    form.add_argument("--json", dest="form", action="store_const", const="json",
                      help="the JSON contract: topic, title, symbols, results")
    form.add_argument("--html", dest="form", action="store_const", const="html",
                      help="HTML with TeX that KaTeX typesets in the browser")
    parser.add_argument("--standalone", action="store_true",
                        help="with --latex: a complete document that pdflatex compiles; with "
                             "--html: a complete page with KaTeX inside, viewable offline")
    parser.add_argument("--subs", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="fix parameters to exact values: decimals, fractions or expressions "
                             "with + - * / ^, parentheses, sqrt, exp, log, pi, e (0.1, 1/20, "
                             "sqrt(5), 5^(1/2), 1e-3); at most 100 characters, numbers within "
                             "10^-100..10^100")
    parser.add_argument("--only", nargs="+", action="extend", default=[], metavar="RESULT",
                        help="keep only these results, in this order")
    parser.set_defaults(form="text")


def render_as(derivations: Sequence[Derivation], form: str, standalone: bool = False) -> str:
    """Render one or more derivations in one form; several LaTeX or HTML ones share one document."""
    return joined([piece(d, form) for d in derivations], [d.title for d in derivations], form,
                  standalone)


def piece(derivation: Derivation, form: str):
    """One derivation's part of the output: the JSON contract's object (plain data) or text.

    Examples
    --------
    >>> from derivations import gd
    >>> piece(gd.derive().only(["optimal_learning_rate"]), "json")["topic"]
    'gd'
    """
    renderer = {"json": render.as_json, "latex": render.latex, "html": render.html}
    return renderer.get(form, render.text)(derivation)


def joined(pieces: Sequence, titles: Sequence[str], form: str, standalone: bool = False) -> str:
    """The output of the derivations whose :func:`piece` and title are given, in order;
    several LaTeX or HTML ones share one document."""
    if form == "json":
        return json.dumps(pieces[0] if len(pieces) == 1 else list(pieces), indent=2,
                          ensure_ascii=False) + "\n"
    body = "\n".join(pieces)
    if form == "latex" and standalone:
        return render.standalone_document(body)
    if form == "html" and standalone:
        return render.html_document(body, titles[0] if len(titles) == 1 else "Derivations")
    return body


def check_form(args) -> None:
    """Refuse options that the chosen output form would silently ignore."""
    if args.standalone and args.form not in ("latex", "html"):
        raise ValueError(f"--standalone makes a whole LaTeX or HTML document, not --{args.form} "
                         f"output; add --latex or --html, or drop --standalone")


def select(derive: Callable[..., Derivation], subs: Sequence[str], only: Sequence[str]):
    """Run ``derive`` with the ``--subs`` values and keep the ``--only`` results."""
    derivation = derive(**parse_assignments(subs))
    return derivation.only(only) if only else derivation


def parse_with_check(parser, argv: Sequence[str] | None):
    """``parser``'s arguments with ``--check RESULT CLAIM`` and ``--no-reveal`` added, the
    claim taken as written (:func:`take_check`)."""
    parser.add_argument("--check", nargs=2, metavar=("RESULT", "CLAIM"),
                        help="check a claimed answer in LaTeX (taken as written, even when it "
                             "begins with '-'): exit 0 correct, 1 wrong, 2 could not read; "
                             "limits on a claim as for 'python -m derivations check --help'")
    parser.add_argument("--no-reveal", action="store_true",
                        help="with --check: hide the derived answer and its values")
    argv, claim = take_check(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.check = claim or args.check
    return args


def take_check(argv: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """Take ``--check RESULT CLAIM`` out of ``argv`` before argparse sees it, so that a
    claim beginning with ``-`` is a claim and not an option.

    Examples
    --------
    >>> take_check(["--check", "decay_update", r"-\\eta g", "--json"])
    (['--json'], ['decay_update', '-\\\\eta g'])
    """
    argv = list(argv)
    if "--check" not in argv or len(argv) < argv.index("--check") + 3:
        return argv, None  # argparse reports what is missing
    at = argv.index("--check")
    return argv[:at] + argv[at + 3:], argv[at + 1:at + 3]


def _with_values(derive, subs, only, form=None, standalone=False):
    """The derivation at the ``--subs`` values (rendered in ``form`` when one is given),
    within the checker's time limit where values are given: ``t=10^100`` in a closed form
    would compute ``(-7)^(10^100)`` for ever."""
    def derived():
        derivation = select(derive, subs, only)
        return render_as([derivation], form, standalone) if form else derivation
    if not subs:
        return derived()
    from .checking.reading import LIMITS
    from .checking.verdicts import ClaimTimeout, time_limit
    try:
        with time_limit(LIMITS["seconds"]):
            return derived()
    except ClaimTimeout:
        raise ValueError(f"--subs {' '.join(subs)}: the results take more than "
                         f"{LIMITS['seconds']} s at these values (a huge power?); choose "
                         f"smaller ones") from None
    except ValueError as error:
        if "integer string conversion" not in str(error):  # Python's cap on printed digits
            raise
        raise ValueError(f"--subs {' '.join(subs)}: a result is a number of more than "
                         f"{sys.get_int_max_str_digits()} digits at these values; choose "
                         f"smaller ones") from None


@command
def main(derive: Callable[..., Derivation], argv: Sequence[str] | None = None,
         prog: str | None = None) -> int:
    """Run a topic's command line; return the exit status.

    Examples
    --------
    >>> from derivations import gd
    >>> main(gd.derive, ["--json", "--only", "optimal_learning_rate"]) == 0  # doctest: +ELLIPSIS
    {...
    True
    """
    parser = ArgumentParser(prog=prog, description=(derive.__doc__ or "").strip().splitlines()[0]
                            if derive.__doc__ else None)
    add_output_options(parser)
    args = parse_with_check(parser, argv)
    try:
        check_form(args)
        if args.check and args.only:
            raise ValueError("--only does not go with --check (the claim names its result); "
                             "leave --only out")
        if args.no_reveal and not args.check:
            raise ValueError("--no-reveal goes with --check; add --check RESULT CLAIM")
        if args.check:
            from .checking import verdicts
            verdict = verdicts.check(_with_values(derive, args.subs, []), *args.check,
                                     reveal=not args.no_reveal)
            return verdicts.report([verdict], args.form == "json", single=True)
        output = _with_values(derive, args.subs, args.only, args.form, args.standalone)
    except ValueError as error:
        return fail(error)
    sys.stdout.write(output)
    return 0
