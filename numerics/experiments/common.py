"""What every experiment shares: its command line, its outputs and its sweeps.

An experiment module defines ``run(args, outputs) -> dict`` (the metrics) and ends with
``if __name__ == "__main__": raise SystemExit(main(run, __doc__))``.  The command line is
``python -m numerics.experiments.<name> [--data DIR | --dataset NAME] [--out DIR]
[--seed N] [--quick] [--jobs N | --scheduler ADDRESS] [--quiet] [--formats png pdf]``.  Every file is written
to a temporary name and renamed, so a failed run never leaves a truncated figure or
metrics file.  With ``--scheduler`` the experiment's sweeps run on the workers of that
Dask cluster, unchanged; a sweep shows a progress bar on the terminal either way.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from tqdm import tqdm

from ..files import atomic_path
from ..terminal import ArgumentParser, command, fail, one_line

__all__ = ["Outputs", "parser", "main", "sweep", "dask_cluster", "FORMATS"]

FORMATS = ("png", "pdf")   # the figure files an experiment writes unless told otherwise

# Where the sweeps of the running experiment go (a joblib backend) and whether they show
# a progress bar (None: only on a terminal); :func:`main` sets them from the command line.
_BACKEND: ContextVar[str | None] = ContextVar("sweep backend", default=None)
_PROGRESS: ContextVar[bool | None] = ContextVar("sweep progress", default=None)


class Outputs:
    """The folder an experiment writes to: figures, ``metrics.json`` and histories.

    Examples
    --------
    >>> import tempfile
    >>> out = Outputs(tempfile.mkdtemp())
    >>> out.metrics({"slope": np.float64(-0.5)}).name
    'metrics.json'
    """

    def __init__(self, folder, formats: Sequence[str] = FORMATS):
        self.folder = Path(folder)
        self.formats = tuple(formats)
        self.written: list[Path] = []

    def _record(self, path: Path) -> Path:
        self.written.append(path)
        return path

    def figure(self, figure, name: str) -> list[Path]:
        """Save a matplotlib figure as ``name.png`` and ``name.pdf`` (the chosen formats), then close it."""
        import matplotlib.pyplot as plt
        paths = []
        for suffix in self.formats:
            path = self.folder / f"{name}.{suffix}"
            with atomic_path(path) as temporary:
                figure.savefig(temporary, format=suffix, dpi=120, bbox_inches="tight")
            paths.append(self._record(path))
        plt.close(figure)
        return paths

    def metrics(self, metrics: dict) -> Path:
        """Write ``metrics.json`` (NumPy numbers and arrays become plain JSON)."""
        path = self.folder / "metrics.json"
        with atomic_path(path) as temporary:
            temporary.write_text(json.dumps(metrics, indent=2, default=_plain, allow_nan=False)
                                 + "\n")
        return self._record(path)

    def history(self, name: str, **arrays) -> Path:
        """Write arrays to ``name.npz``."""
        path = self.folder / f"{name}.npz"
        with atomic_path(path) as temporary:
            with open(temporary, "wb") as handle:
                np.savez(handle, **arrays)
        return self._record(path)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def parser(description: str | None) -> argparse.ArgumentParser:
    """The shared command line of the experiments."""
    p = ArgumentParser(description=description.strip().splitlines()[0] if description else None)
    source = p.add_mutually_exclusive_group()
    source.add_argument("--data", "--data-dir", dest="data", type=Path, metavar="DIR",
                        help="folder with the data set's files (else OPTVERIFY_DATA or the cache)")
    source.add_argument("--dataset", default=None, metavar="NAME",
                        help="data set name (digits, the embedded default; mnist; fashion-mnist; "
                             "cifar10)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="output folder (default: out/<experiment>)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--quick", action="store_true", help="a tiny run, seconds long, for tests")
    workers = p.add_mutually_exclusive_group()
    workers.add_argument("--jobs", type=int, default=1, metavar="N",
                         help="local worker processes for sweeps (default 1)")
    workers.add_argument("--scheduler", metavar="ADDRESS",
                         help="run the sweeps on the Dask cluster whose scheduler is at ADDRESS "
                              "(tcp://host:8786; needs the cluster extra)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS),
                   metavar="FORMAT", help="figure files to write: png, pdf or both (default)")
    return p


@command
def main(run: Callable, description: str | None, argv: Sequence[str] | None = None,
         name: str | None = None) -> int:
    """Parse the command line, run the experiment, write its metrics; exit status.

    Errors (bad arguments, missing data, a run that goes non-finite) print one line
    ``error: ...`` and give status 2.
    """
    args = parser(description).parse_args(argv)
    name = name or Path(sys.modules[run.__module__].__file__).stem
    if args.jobs < 1:
        return fail(f"--jobs == {args.jobs}, must be at least 1")
    try:
        outputs = Outputs(_writable_folder(args.out or Path("out") / name), args.formats)
        import matplotlib
        matplotlib.use("Agg")
        progress = _PROGRESS.set(False if args.quiet else None)
        try:
            with dask_cluster(args.scheduler) if args.scheduler else nullcontext():
                metrics = run(args, outputs)
        finally:
            _PROGRESS.reset(progress)
        outputs.metrics(metrics)
    except (ValueError, OSError, FloatingPointError, RuntimeError) as error:
        return fail(error)
    if not args.quiet:
        print(f"{name}: wrote {', '.join(str(p) for p in outputs.written)}")
    return 0


def _writable_folder(folder: Path) -> Path:
    """``folder`` if it is, or can be created as, a folder the user can write into.

    Nothing is created here (a run that fails early leaves no empty folder behind); the
    nearest existing ancestor must be a writable folder, else a ``ValueError`` says which.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"--out {folder}: {existing} is a file, must be a folder; pass "
                         f"--out DIR naming a folder (it is created if missing)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--out {folder}: cannot write into {existing} (permission denied); "
                         f"pass --out DIR in a folder you can write to")
    return folder


@contextmanager
def dask_cluster(address: str, timeout: float = 10.0):
    """Send the sweeps run inside this block to the Dask scheduler at ``address``.

    The scheduler's workers need this package installed; results come back as from a
    local sweep.  An address where no scheduler answers within ``timeout`` seconds, or a
    missing ``dask.distributed``, raises ``ValueError`` saying what to do.
    """
    try:
        from dask.distributed import Client
    except ImportError:
        raise ValueError("--scheduler needs dask.distributed, which is not installed; "
                         "pip install -e '.[cluster]'") from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise ValueError(f"--scheduler == {address!r}: no Dask scheduler answered within "
                         f"{timeout:g} s ({one_line(error)}); start one with `dask scheduler` "
                         f"or pass its address, such as tcp://host:8786") from None
    backend = _BACKEND.set("dask")
    try:
        with client:
            yield client
    finally:
        _BACKEND.reset(backend)


def sweep(function: Callable, configurations: Iterable[dict], jobs: int = 1,
          backend: str | None = None, progress: bool | None = None) -> list:
    """``[function(**c) for c in configurations]``, in parallel through joblib, with a progress bar.

    ``jobs`` local workers (processes by default); ``backend`` names any joblib backend
    (``"loky"``, ``"threading"``, ``"dask"``).  Inside :func:`dask_cluster` (the
    command line's ``--scheduler``) the sweep runs on that cluster's workers.  Results
    come back in order.  ``progress`` shows a tqdm bar (``None``: only on a terminal,
    unless the command line said ``--quiet``).

    Examples
    --------
    >>> sweep(pow, [{"base": 2, "exp": 3}, {"base": 3, "exp": 2}])
    [8, 9]
    """
    configurations = list(configurations)
    backend = backend or _BACKEND.get()
    progress = _PROGRESS.get() if progress is None else progress
    bar = dict(total=len(configurations), desc=getattr(function, "__name__", "sweep"),
               unit="run", disable=None if progress is None else not progress,
               file=sys.stderr)
    if jobs == 1 and backend is None:
        return list(tqdm((function(**c) for c in configurations), **bar))
    from joblib import Parallel, delayed, parallel_config
    # on a Dask cluster joblib ignores n_jobs: the cluster's threads decide
    with parallel_config(backend=backend or "loky", n_jobs=jobs):
        runs = Parallel(return_as="generator")(delayed(function)(**c) for c in configurations)
        return list(tqdm(runs, **bar))
