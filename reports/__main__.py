"""``python -m reports list`` and ``python -m reports build [NAME ...|all] [--out DIR] [--quick] [--no-pdf]``."""
from __future__ import annotations

import sys
from pathlib import Path

from derivations.cli import ArgumentParser

from .build import BuildError, build
from .problem_sets import PROBLEM_SETS, by_name


def main(argv=None) -> int:
    parser = ArgumentParser(prog="python -m reports",
                            description="Answer documents for the problem sets.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="name the problem sets, one line each")
    builder = commands.add_parser("build", help="write LaTeX (and PDF) answer documents")
    builder.add_argument("names", nargs="*", default=["all"], metavar="NAME",
                         help="problem sets to build (default: all)")
    builder.add_argument("--out", type=Path, default=Path("out/reports"), help="output folder")
    builder.add_argument("--quick", action="store_true", help="experiments in --quick mode")
    builder.add_argument("--no-pdf", action="store_true", help="write the .tex only")
    args = parser.parse_args(argv)
    if args.command == "list":
        width = max(len(p.name) for p in PROBLEM_SETS)
        print("\n".join(f"{p.name:<{width}}  {p.summary}" for p in PROBLEM_SETS))
        return 0
    try:
        chosen = PROBLEM_SETS if "all" in args.names else [by_name(n) for n in args.names]
        for problem_set in chosen:
            built = build(problem_set, args.out, quick=args.quick, pdf=not args.no_pdf)
            pages = f" ({built.pages} pages)" if built.pages else ""
            print(f"{problem_set.name}: {built.pdf or built.tex}{pages}")
            if built.note:
                print(f"{problem_set.name}: {built.note}")
    except (ValueError, BuildError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
