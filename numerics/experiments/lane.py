"""A warm interpreter for experiment commands: ``python -m numerics.experiments.lane``.

A build runs many experiments, each a command ``python -m numerics.experiments.<name>
ARGS...``; a fresh process for each pays again for importing NumPy, SciPy, matplotlib and
the data readers (about 1.5 s of CPU each).  A lane runs such commands one after another
in one process, each exactly as ``python -m`` would (the module's code run as
``__main__`` with ``sys.argv`` set; its exit status from ``SystemExit``), with its standard
output and error captured.

The protocol is one JSON object per line.  Read on standard input:
``{"command": ["numerics.experiments.<name>", ARG, ...]}``; written on standard output,
once the command is done: ``{"status": N, "stdout": "...", "stderr": "..."}``.  Only
modules of this package run (anything else is status 2 with an ``error:`` line).  The
lane ends at the end of its input, or after a command that was interrupted (status 130):
an interrupt between commands ends it with status 130 too.
"""
from __future__ import annotations

import contextlib
import io
import json
import runpy
import sys
import traceback

from ..terminal import INTERRUPTED, command

__all__ = ["main", "run_command", "warm_up"]

PACKAGE = "numerics.experiments."


def run_command(argv: list[str]) -> dict:
    """Run ``python -m argv[0] argv[1:]`` in this process; its status, stdout and stderr.

    Examples
    --------
    >>> run_command(["numerics.experiments.momentum_regimes", "--jobs", "0"])
    {'status': 2, 'stdout': '', 'stderr': 'error: --jobs == 0, must be at least 1\\n'}
    >>> run_command(["os", "-c", "1"])["stderr"]
    "error: 'os' is not an experiment module; run numerics.experiments.<name>\\n"
    """
    module = argv[0] if argv else ""
    if not module.startswith(PACKAGE) or not module[len(PACKAGE):].isidentifier():
        return {"status": 2, "stdout": "",
                "stderr": f"error: {module!r} is not an experiment module; run "
                          f"{PACKAGE}<name>\n"}
    out, err = io.StringIO(), io.StringIO()
    saved_argv = sys.argv
    sys.argv = [module, *argv[1:]]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                # as python -m: the module's code runs fresh, not as the copy an earlier
                # command imported (runpy would warn that it found one)
                sys.modules.pop(module, None)
                runpy.run_module(module, run_name="__main__", alter_sys=True)
                status = 0
            except SystemExit as done:
                status = done.code if isinstance(done.code, int) else (done.code is not None)
                if isinstance(done.code, str):
                    print(done.code, file=sys.stderr)
            except Exception:                  # as python -m: the traceback, status 1
                traceback.print_exc()
                status = 1
    finally:
        sys.argv = saved_argv
    return {"status": int(status), "stdout": out.getvalue(), "stderr": err.getvalue()}


def warm_up() -> None:
    """Import what every experiment imports (NumPy, SciPy, matplotlib with Agg), before the
    first command comes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    from . import common, training_runs  # noqa: F401


@command
def main() -> int:
    """Answer every command read on standard input (see the module); the lane's exit status."""
    warm_up()
    answers = sys.stdout
    for line in sys.stdin:
        answer = run_command(json.loads(line)["command"])
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if answer["status"] == INTERRUPTED:
            return INTERRUPTED
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
