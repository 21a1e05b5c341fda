"""``python -m derivations check answers.toml``: the checker's command line."""
from __future__ import annotations

import tomllib

from numerics.terminal import ArgumentParser, command, fail

from .reading import LIMITS
from .verdicts import check_answers, report

__all__ = ["main", "read_answers"]

MEGABYTE = 1 << 20


def read_answers(path: str) -> dict:
    """An answers file parsed, within the limits: size, nesting and number of claims.

    Raises ``ValueError`` (or ``OSError``) with the reason and the fix.
    """
    with open(path, "rb") as handle:
        data = handle.read(LIMITS["file_megabytes"] * MEGABYTE + 1)
    if len(data) > LIMITS["file_megabytes"] * MEGABYTE:
        raise ValueError(f"the file is larger than {LIMITS['file_megabytes']} MB, the limit "
                         f"for an answers file; split it")
    try:
        answers = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except RecursionError:
        raise ValueError("nested too deeply to read; write [topic] then "
                         "result = 'claim' lines") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not TOML: {error}") from None
    count = sum(len(v) for v in answers.values() if isinstance(v, dict))
    if count > LIMITS["claims"]:
        raise ValueError(f"{count} claims, more than the limit of {LIMITS['claims']}; "
                         f"split the file")
    return answers


def _limits() -> str:
    return (f"Limits: a claim has at most {LIMITS['length']} characters, brackets nested "
            f"{LIMITS['depth']} deep, numbers of {LIMITS['digits']} digits, numeric exponents "
            f"of symbols up to {LIMITS['exponent']}, and {LIMITS['seconds']} s to be read and "
            f"compared; a file has at most {LIMITS['file_megabytes']} MB and "
            f"{LIMITS['claims']} claims, and {LIMITS['file_seconds']} s for all of them (a claim "
            f"past that is not checked and says so).")


@command
def main(argv=None) -> int:
    """``python -m derivations check answers.toml [--json] [--no-reveal]``.

    Exit 0 when every claim is correct, 1 when one is wrong, 2 when one could not be read
    or the file is bad (one ``error:`` line on stderr).
    """
    parser = ArgumentParser(prog="python -m derivations check",
                            description="Check the claims of an answers file.", epilog=_limits())
    parser.add_argument("answers", help="a TOML file: [topic] then result = 'LaTeX claim'; "
                                        "reveal = false at the top hides the derived answers")
    parser.add_argument("--json", action="store_true", help="verdicts as JSON, for graders")
    parser.add_argument("--no-reveal", action="store_true",
                        help="hide the derived answers and their values (the verdict, the slip "
                             "and where the claim differs stay)")
    args = parser.parse_args(argv)
    try:
        verdicts = check_answers(read_answers(args.answers), reveal=not args.no_reveal)
    except (OSError, ValueError) as error:
        return fail(f"{args.answers}: {error}")
    return report(verdicts, args.json)
