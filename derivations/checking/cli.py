"""``python -m derivations check answers.toml``: the checker's command line."""
from __future__ import annotations

import sys
import tomllib

from ..cli import ArgumentParser
from .verdicts import check_answers, report

__all__ = ["main"]


def main(argv=None) -> int:
    """``python -m derivations check answers.toml [--json]``: exit 0, 1 or 2 as :func:`report`."""
    parser = ArgumentParser(prog="python -m derivations check",
                            description="Check the claims of an answers file.")
    parser.add_argument("answers", help="a TOML file: [topic] then result = 'LaTeX claim'")
    parser.add_argument("--json", action="store_true", help="verdicts as JSON, for graders")
    args = parser.parse_args(argv)
    try:
        with open(args.answers, "rb") as handle:
            answers = tomllib.load(handle)
        verdicts = check_answers(answers)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as error:
        print(f"error: {args.answers}: {error}".replace("\n", " "), file=sys.stderr)
        return 2
    return report(verdicts, args.json)

