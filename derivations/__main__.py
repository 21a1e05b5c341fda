"""``python -m derivations``: list the topics, or run one topic or all of them.

``python -m derivations`` lists the topics with one line each;
``python -m derivations all --json`` runs every topic (the topics not cached are shared
between two processes where a processor is free; ``OPTVERIFY_WORKERS=1`` runs them one at
a time, with the same output);
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
# ``OPTVERIFY_WORKERS`` (1 derives them one at a time), else see :func:`workers`.
WORKERS = "OPTVERIFY_WORKERS"


def summary(name: str) -> str:
    """The first line of a topic's docstring."""
    return (topic_module(name).__doc__ or "").strip().splitlines()[0]


def render_all(subs, only, form: str, standalone: bool = False) -> str:
    """Every topic in one output, with each ``--subs`` value fixed in the topics that have
    that parameter and only the ``--only`` results in the topics that have them.

    A parameter or result that no topic has is an error, and so is a value outside the
    model of a topic that has the parameter.
    """
    values = cli.parse_assignments(subs)
    outcomes = topic_outcomes(topics(), values, only, form)
    for option, asked, key in (("--subs", values, "parameters"), ("--only", only, "names")):
        known = {name for outcome in outcomes for name in outcome[key]}
        unknown = [name for name in asked if name not in known]
        if unknown:
            raise ValueError(f"{option} {unknown[0]} names nothing in any topic; "
                             f"choose from {', '.join(sorted(known))}")
    for outcome in outcomes:
        if "error" in outcome:
            raise ValueError(f"{outcome['topic']}: {outcome['error']}")
    kept = [outcome for outcome in outcomes if outcome["piece"] is not None]
    return cli.joined([o["piece"] for o in kept], [o["title"] for o in kept], form, standalone)


def outcome(module, values: dict, only, form: str) -> dict:
    """One topic's share of ``all``, as plain data: its parameters and result names (the
    options are checked against every topic's), its title and its part of the output
    (``None`` when ``--only`` keeps none of its results), or the error its ``--subs``
    values raise.

    Examples
    --------
    >>> from derivations import gd
    >>> shown = outcome(gd, {"sigma": "2"}, ["sigma"], "text")
    >>> shown["topic"], shown["piece"]
    ('gd', None)
    >>> outcome(gd, {"sigma": "-1"}, [], "text")["error"]  # doctest: +ELLIPSIS
    'sigma == -1, must lie in (0, oo) ...; choose a value in that range'
    """
    derivation = module.derive()
    shown = {"topic": derivation.topic, "title": derivation.title, "names": list(derivation.names),
             "parameters": [p.name for p in derivation.parameters]}
    mine = {p.name: values[p.name] for p in derivation.parameters if p.name in values}
    try:  # the method topic derives its tuning again for a value that fixes a tuned parameter
        derivation = getattr(module, "at_values", core.Derivation.with_values)(derivation, mine)
    except ValueError as error:
        return {**shown, "error": str(error)}
    kept = [name for name in only if name in derivation.names]
    if only and not kept:
        return {**shown, "piece": None}
    return {**shown, "piece": cli.piece(derivation.only(kept) if only else derivation, form)}


def workers() -> int:
    """How many processes derive the uncached topics of ``all``: ``OPTVERIFY_WORKERS``, else
    2 where this process may use two processors and the load average is below their number
    (a second process pays only on a processor that is free: on a busy machine it adds the
    work both processes repeat, about a tenth, and gains nothing), else 1.

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
    processors = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1)
    return 2 if processors >= 2 and os.getloadavg()[0] < processors else 1


def topic_outcomes(names, values: dict, only, form: str) -> list[dict]:
    """The :func:`outcome` of each named topic, in order.

    The topics whose derivation is not cached are derived and rendered by this process
    and, with two workers, by one forked after the imports: each takes the next topic not
    yet taken until none is left, and the forked one sends its outcomes back as JSON (plain
    data, never a pickle).  A topic the worker did not send back is done here, so an
    error is raised here as it would be one topic at a time.
    """
    modules = [topic_module(name) for name in names]
    pending = [index for index, module in enumerate(modules) if not core.is_cached(module.derive)]
    done = {}
    if len(pending) > 1 and workers() > 1:
        done = _beside_a_worker(lambda index: outcome(modules[index], values, only, form), pending)
    return [done[index] if index in done else outcome(module, values, only, form)
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


def _beside_a_worker(task, pending) -> dict:
    """``task(index)`` (plain data) for the indices in ``pending``, shared with one forked
    worker; an index the worker took but could not do is left out."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(task, pending, counter, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        mine = {index: task(index) for index in _claimed(counter, pending)}
        return {**_received(receiver), **mine}
    except BaseException:
        worker.terminate()  # Ctrl-C or an error here: the worker's outcomes are not needed
        raise
    finally:
        worker.join()
        receiver.close()


def _worker(task, pending, counter, sender) -> None:
    """The forked worker: do the tasks it takes, then send their results as JSON."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and the parent ends it quietly
    done = [[index, result] for index in _claimed(counter, pending)
            if (result := _or_none(task, index)) is not None]
    sender.send_bytes(json.dumps(done).encode())
    sender.close()


def _or_none(task, index):
    """``task(index)``, or ``None`` where it fails: the parent then does the task itself
    and reports the error as it would alone."""
    try:
        return task(index)
    except Exception:  # noqa: BLE001
        return None


def _received(receiver) -> dict:
    """The worker's results by index; what did not arrive whole is left out."""
    try:
        return {index: result for index, result in json.loads(receiver.recv_bytes())}
    except (EOFError, OSError, ValueError, TypeError):
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
        output = (render_all(args.subs, args.only, args.form, args.standalone)
                  if args.topic == "all" else
                  cli.render_as([cli.select(topic_module(args.topic).derive, args.subs, args.only)],
                                args.form, args.standalone))
    except ValueError as error:
        return fail(error)
    sys.stdout.write(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
