"""``python -m derivations``: list the topics, or run one topic or all of them.

``python -m derivations`` lists the topics with one line each;
``python -m derivations all --json`` runs every topic;
``python -m derivations momentum --latex`` is ``python -m derivations.momentum --latex``;
``python -m derivations check answers.toml [--json]`` checks an answers file.
"""
from __future__ import annotations

import sys

from . import INFRASTRUCTURE, cli, topic_module, topics  # noqa: F401

# The topic registry lives in the package's __init__ (checking uses it too).


def summary(name: str) -> str:
    """The first line of a topic's docstring."""
    return (topic_module(name).__doc__ or "").strip().splitlines()[0]


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
        names = topics() if args.topic == "all" else [args.topic]
        derivations = [cli.select(topic_module(n).derive, args.subs if args.topic != "all" else [],
                                  args.only) for n in names]
        output = cli.render_as(derivations, args.form, args.standalone)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
