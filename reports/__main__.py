"""``python -m reports list`` and ``python -m reports build [NAME ...|all] [--out DIR] [--quick] [--no-pdf] [--html] [--data DIR]``."""
from __future__ import annotations

from pathlib import Path

from numerics.terminal import ArgumentParser, command, fail

from . import html
from .build import BuildError, build_all
from .problem_sets import PROBLEM_SETS, by_name

@command
def main(argv=None) -> int:
    parser = ArgumentParser(prog="python -m reports",
                            description="Answer keys for the problem sets.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="name the problem sets, one line each")
    questions = commands.add_parser("questions", help="every sub-question of the sheets and "
                                    "what answers it, one line each")
    questions.add_argument("names", nargs="*", default=["all"], metavar="NAME")
    builder = commands.add_parser("build", help="write LaTeX (and PDF) answer keys")
    builder.add_argument("names", nargs="*", default=["all"], metavar="NAME",
                         help="problem sets to build (default: all)")
    builder.add_argument("--out", type=str, default="out/reports", help="output folder")
    builder.add_argument("--quick", action="store_true",
                         help="experiments in --quick mode (smoke runs; every page says so)")
    builder.add_argument("--no-pdf", action="store_true", help="write the .tex only")
    builder.add_argument("--html", action="store_true",
                         help="also write NAME.html, typeset by KaTeX (its files beside it)")
    builder.add_argument("--data", "--data-dir", dest="data", type=Path, default=None,
                         metavar="DIR", help="a folder with CIFAR-10: the CIFAR experiments "
                         "(cs182's best net, bonn's Adam runs) use it instead of the digits")
    builder.add_argument("--jobs", type=int, default=None, metavar="N",
                         help="experiments run at once (default: the cores, at most 4)")
    args = parser.parse_args(argv)
    if args.command == "list":
        width = max(len(p.name) for p in PROBLEM_SETS)
        print("\n".join(f"{p.name:<{width}}  {p.summary.split('.')[0]}" for p in PROBLEM_SETS))
        return 0
    if args.command == "questions":
        try:
            chosen = PROBLEM_SETS if "all" in args.names else [by_name(n) for n in args.names]
        except ValueError as error:
            return fail(error)
        for problem_set in chosen:
            for question in problem_set.questions:
                print(f"{problem_set.sheet} {question.number}: {question.answered_by()}")
        return 0
    if args.jobs is not None and args.jobs < 1:
        return fail(f"--jobs == {args.jobs}, must be at least 1")

    def report(problem_set, built):
        pages = f" ({built.pages} pages)" if built.pages else ""
        print(f"{problem_set.name}: {built.pdf or built.tex}{pages}", flush=True)
        if built.note:
            print(f"{problem_set.name}: {built.note}", flush=True)
        if args.html:
            page = html.write(problem_set, Path(args.out), built, args.quick)
            print(f"{problem_set.name}: {page}", flush=True)

    try:
        chosen = PROBLEM_SETS if "all" in args.names else [by_name(n) for n in args.names]
        build_all(chosen, args.out, quick=args.quick, pdf=not args.no_pdf, data=args.data,
                  jobs=args.jobs, report=report, png=args.html)
    except (ValueError, BuildError) as error:
        return fail(error)
    except OSError as error:
        return fail(f"{error.filename or args.out}: {error.strerror or error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
