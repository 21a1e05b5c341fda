"""A batch shared between threads of numerics' own, with the BLAS held to one thread meanwhile.

OpenBLAS keeps its worker threads spinning for about a tenth of a second after every call
that used them (2^28 cycles, its default). A conv net alternates BLAS products with NumPy
work of its own (patch copies, pools, elementwise maps), which runs on one thread: with
two BLAS threads, the second core spends that work spinning. Measured on a 2-core
machine, a conv net's forward and backward on a batch of 128 took 8.8 ms with two BLAS
threads, 8.9 ms with one, and 6.8 ms as two halves run at once in two threads, each
calling the BLAS single-threaded. :class:`numerics.nn.Sequential` splits a batch that way
(:func:`numerics.nn._parts` says when); NumPy releases the GIL in its loops and products,
so the parts run at once.

The number of threads is the BLAS's limit as the user sets it (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``threadpoolctl.threadpool_limits``): at one thread nothing is
split. While parts run, the BLAS is limited to one thread for the whole process, through
threadpoolctl, which lets one thread at a time set OpenBLAS's limit: where another thread
holds it (a ``threadpool_limits`` block open in another thread), the parts run one after
the other in the calling thread, with the same numbers. The parts' gradients are added
up, so a split batch's sums are rounded in another order than a whole one's: float32
training at two threads differs from one thread's in the last bits.
"""
from __future__ import annotations

import contextvars
import functools
import os
from concurrent.futures import ThreadPoolExecutor, wait

from threadpoolctl import ThreadpoolController

__all__ = ["available", "single_threaded_blas", "run_parts"]


@functools.cache
def _blas():
    """threadpoolctl's handle on the BLAS libraries loaded when first asked (NumPy's among them)."""
    return ThreadpoolController().select(user_api="blas")


def available() -> int:
    """The threads a batch may be split between: the BLAS's current limit (1 while parts run).

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> with threadpool_limits(1, user_api="blas"):
    ...     available()
    1
    """
    return max((library.num_threads for library in _blas().lib_controllers), default=1)


def single_threaded_blas():
    """A context in which the BLAS runs on one thread; its limit comes back on leaving.

    Examples
    --------
    >>> with single_threaded_blas():
    ...     available()
    1
    """
    return _blas().limit(limits=1)


@functools.cache
def _pool(workers: int, process: int) -> ThreadPoolExecutor:
    """The worker threads of this ``process``: a forked child has none of its parent's
    threads, so it makes its own pool rather than wait on the copy of the parent's."""
    return ThreadPoolExecutor(workers, thread_name_prefix="numerics")


def run_parts(work, parts):
    """``[work(part) for part in parts]``, the parts at once: the first in this thread, the
    others in worker threads, the BLAS single-threaded meanwhile (one after the other here
    where this thread cannot limit the BLAS, see the module).

    Every part runs in a copy of this thread's context, so NumPy's error state
    (``np.errstate``) holds in it as here; :func:`available` is 1 meanwhile, so a part
    splits nothing further. Returns when every part has ended; an exception from a part
    is raised here.

    Examples
    --------
    >>> run_parts(lambda part: sum(part), [range(0, 5), range(5, 10)])
    [10, 35]
    """
    parts = list(parts)
    with single_threaded_blas():
        if len(parts) < 2 or available() > 1:
            return [work(part) for part in parts]
        pool = _pool(len(parts) - 1, os.getpid())
        futures = [pool.submit(contextvars.copy_context().run, work, part) for part in parts[1:]]
        try:
            first = [work(part) for part in parts[:1]]
        finally:
            wait(futures)
        return first + [future.result() for future in futures]
