"""What every command line of the project does at its edges: Ctrl-C, a closed pipe, a too-deep input.

A command's ``main`` is wrapped in :func:`command`; inside it, the command prints its
own ``error: ...`` lines for the mistakes it knows.  The wrapper turns the three ways a
run can end that are nobody's mistake in the command into the contract:

- Ctrl-C prints ``interrupted`` and exits 130 (128 + SIGINT), with no traceback;
- output piped into a reader that stops early (``| head -1``) ends quietly with status
  141 (128 + SIGPIPE), as ``cat`` or ``grep`` would;
- an input nested beyond Python's recursion limit is one ``error:`` line, exit 2.
"""
from __future__ import annotations

import functools
import os
import sys

__all__ = ["command", "fail", "one_line", "INTERRUPTED", "BROKEN_PIPE"]

INTERRUPTED = 130
BROKEN_PIPE = 141


def one_line(message: str) -> str:
    """``message`` on one line: line breaks and other control characters written as escapes.

    Examples
    --------
    >>> one_line("beta == '0\\r0' is not a number")
    "beta == '0\\\\r0' is not a number"
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(message))


def fail(message, status: int = 2) -> int:
    """Print ``error: message`` as one line on stderr; return the exit status (2)."""
    print(f"error: {one_line(message)}", file=sys.stderr)
    return status


def command(main):
    """Wrap a command line's ``main(argv) -> int`` in the contract above.

    Examples
    --------
    >>> @command
    ... def main(argv=None):
    ...     raise KeyboardInterrupt
    >>> main()  # and prints "interrupted" on stderr
    130
    """
    @functools.wraps(main)
    def guarded(*args, **kwargs) -> int:
        try:
            status = main(*args, **kwargs)
            sys.stdout.flush()
            return status
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return INTERRUPTED
        except BrokenPipeError:
            # Python would report the closed pipe again when it flushes at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return BROKEN_PIPE
        except RecursionError:
            return fail("the input is nested too deeply to read; write it with fewer levels")

    return guarded
