"""What every command line of the project does at its edges: errors, Ctrl-C, a closed pipe.

Every command (``python -m derivations...``, ``python -m reports``, the experiments,
``python -m numerics.data``) parses its options with :class:`ArgumentParser`, prints the
mistakes it knows with :func:`fail`, and has its ``main`` wrapped in :func:`command`,
which turns the ways a run can end that are nobody's mistake in the command into the
contract:

- an error is one line ``error: ...`` on stderr, exit status 2;
- Ctrl-C (or SIGTERM) prints ``interrupted`` and exits 130 (128 + SIGINT), with no
  traceback; code that started work to undo (temporary files, child processes) undoes
  it as the ``KeyboardInterrupt`` passes;
- output piped into a reader that stops early (``| head -1``) ends quietly with status
  141 (128 + SIGPIPE), as ``cat`` or ``grep`` would;
- an input nested beyond Python's recursion limit is one ``error:`` line, exit 2.

Once a command has run, the process ends without a last pass of the garbage collector
over everything still alive: :func:`gc.freeze` runs at exit, before Python's own final
collection, which then has nothing to walk.  Walking the objects that importing SymPy
makes costs about 0.06 s, a sixth of a bare ``import sympy``, and frees nothing the
operating system would not take back anyway (Python does not promise to finalize what
is alive at exit).
"""
from __future__ import annotations

import argparse
import atexit
import functools
import gc
import os
import signal
import sys
import threading

__all__ = ["ArgumentParser", "command", "fail", "one_line", "INTERRUPTED", "BROKEN_PIPE"]

INTERRUPTED = 130
BROKEN_PIPE = 141


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error: ...`` on stderr and exit status 2."""

    def error(self, message):
        self.exit(fail(message))


def one_line(error) -> str:
    """An error message on one line: white space runs become one space, other control
    characters are written as escapes, and an ``OSError`` reads ``file: reason``.

    Examples
    --------
    >>> one_line("two\\nlines")
    'two lines'
    >>> one_line(FileNotFoundError(2, "No such file or directory", "a.toml"))
    'a.toml: No such file or directory'
    """
    if isinstance(error, OSError) and error.strerror:
        message = f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    else:
        message = str(error) or type(error).__name__
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in " ".join(message.split()))


def fail(error, status: int = 2) -> int:
    """Print ``error: <error>`` as one line on stderr; return the exit status (2)."""
    print(f"error: {one_line(error)}", file=sys.stderr)
    return status


def _interrupt(signal_number, frame):
    raise KeyboardInterrupt


def command(main):
    """Wrap a command line's ``main(...) -> int`` in the contract above.

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
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _interrupt) if in_main_thread else None
        atexit.unregister(gc.freeze)     # registered once, however many commands run
        atexit.register(gc.freeze)
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
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)

    return guarded
