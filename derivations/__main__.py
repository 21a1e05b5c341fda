"""``python -m derivations``: list the topics, or run one topic or all of them.

``python -m derivations`` lists the topics with one line each;
``python -m derivations all --json`` runs every topic;
``python -m derivations momentum --latex`` is ``python -m derivations.momentum --latex``;
``python -m derivations check answers.toml [--json]`` checks an answers file.
"""
from __future__ import annotations

import sys

from numerics.terminal import command, fail

from . import INFRASTRUCTURE, cli, topic_module, topics  # noqa: F401

# The topic registry lives in the package's __init__ (checking uses it too).


def summary(name: str) -> str:
    """The first line of a topic's docstring."""
    return (topic_module(name).__doc__ or "").strip().splitlines()[0]


def select_all(subs, only):
    """Every topic, with each ``--subs`` value fixed in the topics that have that parameter
    and only the ``--only`` results in the topics that have them.

    A parameter or result that no topic has is an error, and so is a value outside the
    model of a topic that has the parameter.
    """
    derived = [topic_module(name).derive() for name in topics()]
    values = cli.parse_assignments(subs)
    for option, asked, known in (("--subs", values, {p.name for d in derived for p in d.parameters}),
                                 ("--only", only, {n for d in derived for n in d.names})):
        unknown = [name for name in asked if name not in known]
        if unknown:
            raise ValueError(f"{option} {unknown[0]} names nothing in any topic; "
                             f"choose from {', '.join(sorted(known))}")
    chosen = []
    for derivation in derived:
        mine = {p.name: values[p.name] for p in derivation.parameters if p.name in values}
        try:
            derivation = derivation.with_values(mine)
        except ValueError as error:
            raise ValueError(f"{derivation.topic}: {error}") from None
        kept = [name for name in only if name in derivation.names]
        if only and not kept:
            continue
        chosen.append(derivation.only(kept) if only else derivation)
    return chosen


@command
def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"list", "-l", "--list"}:
        width = max(map(len, topics()))
        print("\n".join(f"{name:<{width}}  {summary(name)}" for name in topics()))
        return 0
    if argv[0] == "check":
        from .checking import cli as checking_cli
        return checking_cli.main(argv[1:])
    parser = cli.ArgumentParser(prog="python -m derivations",
                                description="Run one topic, or all of them.")
    parser.add_argument("topic", help="a topic name, or 'all'")
    cli.add_output_options(parser)
    args = parser.parse_args(argv)
    try:
        cli.check_form(args)
        derivations = (select_all(args.subs, args.only) if args.topic == "all" else
                       [cli.select(topic_module(args.topic).derive, args.subs, args.only)])
        output = cli.render_as(derivations, args.form, args.standalone)
    except ValueError as error:
        return fail(error)
    sys.stdout.write(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
