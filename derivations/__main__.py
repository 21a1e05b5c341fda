"""``python -m derivations``: list the topics, or run one topic or all of them.

``python -m derivations`` lists the topics with one line each;
``python -m derivations all --json`` runs every topic;
``python -m derivations momentum --latex`` is ``python -m derivations.momentum --latex``;
``python -m derivations check answers.toml [--json]`` checks an answers file.
"""
from __future__ import annotations

import json
import os
import signal
import sys

from numerics.terminal import command, fail

from . import INFRASTRUCTURE, cli, core, topic_module, topics  # noqa: F401

# The topic registry lives in the package's __init__ (checking uses it too).

# Processes that derive the topics of ``all`` whose derivation is not cached:
# ``OPTVERIFY_WORKERS`` (1 derives them one at a time), else 2 where this process may
# run on two processors or more.
WORKERS = "OPTVERIFY_WORKERS"


def summary(name: str) -> str:
    """The first line of a topic's docstring."""
    return (topic_module(name).__doc__ or "").strip().splitlines()[0]


def select_all(subs, only):
    """Every topic, with each ``--subs`` value fixed in the topics that have that parameter
    and only the ``--only`` results in the topics that have them.

    A parameter or result that no topic has is an error, and so is a value outside the
    model of a topic that has the parameter.
    """
    derived = derive_topics(topics())
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


def workers() -> int:
    """How many processes derive the uncached topics of ``all``: ``OPTVERIFY_WORKERS``, else
    2 where this process may use two processors (more do not pay: topics are few).

    Examples
    --------
    >>> os.environ[WORKERS] = "1"
    >>> workers()
    1
    >>> del os.environ[WORKERS]
    """
    asked = os.environ.get(WORKERS, "").strip()
    if asked:
        if not asked.isdigit() or int(asked) < 1:
            raise ValueError(f"{WORKERS} == {asked!r}, must be a whole number >= 1; "
                             f"set it to 1 or 2, or unset it")
        return int(asked)
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def derive_topics(names) -> list:
    """The derivations of the named topics, in order.

    The topics whose derivation is not cached are derived by this process and, with two
    workers, by one forked after the imports: each takes the next topic not yet taken
    until none is left, and the forked one sends its derivations back as plain JSON data
    (:func:`core.as_plain`, never pickled).  A topic the worker did not send back is
    derived here, so an error is raised here as it would be one topic at a time.
    """
    modules = [topic_module(name) for name in names]
    pending = [index for index, module in enumerate(modules) if not core.is_cached(module.derive)]
    derived = {}
    if len(pending) > 1 and workers() > 1:
        derived = _derive_beside_a_worker(modules, pending)
    return [derived[index] if index in derived else module.derive()
            for index, module in enumerate(modules)]


def _claimed(counter, pending):
    """The indices in ``pending`` this process takes, one at a time, from the shared counter."""
    while True:
        with counter.get_lock():
            taken = counter.value
            counter.value += 1
        if taken >= len(pending):
            return
        yield pending[taken]


def _derive_beside_a_worker(modules, pending) -> dict:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(modules, pending, counter, sender),
                             daemon=True)
    worker.start()
    sender.close()
    try:
        derived = {index: modules[index].derive() for index in _claimed(counter, pending)}
        return {**_received(receiver), **derived}
    except BaseException:
        worker.terminate()  # Ctrl-C or an error here: the worker's derivations are not needed
        raise
    finally:
        worker.join()
        receiver.close()


def _worker(modules, pending, counter, sender) -> None:
    """The forked worker: derive the topics it takes, then send them as plain JSON data."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and the parent ends it quietly
    derived = [[index, plain] for index in _claimed(counter, pending)
               if (plain := _plain_or_none(modules[index])) is not None]
    sender.send_bytes(json.dumps(derived).encode())
    sender.close()


def _plain_or_none(module):
    """A topic's derivation as plain data, or ``None`` where deriving or storing it fails:
    the parent then derives the topic itself and reports the error as it would alone."""
    try:
        return core.as_plain(module.derive())
    except Exception:  # noqa: BLE001
        return None


def _received(receiver) -> dict:
    """The worker's derivations by topic index; what did not arrive whole is left out."""
    try:
        entries = json.loads(receiver.recv_bytes())
        return {index: core.from_plain(data) for index, data in entries}
    except (EOFError, OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


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
