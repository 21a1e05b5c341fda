"""``python -m derivations``: list the topics, or run one topic or all of them.

``python -m derivations`` lists the topics with one line each;
``python -m derivations all --json`` runs every topic;
``python -m derivations momentum --latex`` is ``python -m derivations.momentum --latex``;
``python -m derivations check answers.toml [--json]`` checks an answers file.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

from . import cli

INFRASTRUCTURE = {"core", "render", "cli", "check", "__main__"}


def topics() -> list[str]:
    """The topic modules of the package, in alphabetical order.

    Examples
    --------
    >>> "momentum" in topics() and "core" not in topics()
    True
    """
    import derivations
    return sorted(m.name for m in pkgutil.iter_modules(derivations.__path__)
                  if m.name not in INFRASTRUCTURE)


def topic_module(name: str):
    """Import a topic by name; an unknown name raises ``ValueError`` listing the topics."""
    if name not in topics():
        raise ValueError(f"topic == {name!r} is not a topic; choose from {', '.join(topics())}")
    return importlib.import_module(f"derivations.{name}")


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
        from . import check
        return check.main(argv[1:])
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
