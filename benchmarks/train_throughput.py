"""Training throughput of the NumPy core against PyTorch on the CPU, in the same process.

Compared: samples per second of a training step (forward, loss, backward, SGD update with
momentum 0.9, batch 128, float32) on MNIST images (the real test split when present,
random images otherwise), for an MLP 784-100-100-10 and a small conv net (conv 8 - ReLU -
pool - conv 16 - ReLU - pool - linear). NumPy runs :func:`numerics.train.fit` (which also
records the loss, the gradient norms and the accuracy of every step); PyTorch runs the
plain ``torch.optim.SGD`` loop on the same mini-batches.

Each measurement is a fixed number of mini-batches, about a quarter of a second of work
(250 for the MLP, 40 for the conv net: a measurement of a few milliseconds swings with
every interruption). The two libraries alternate round by round (which one goes first
alternates too), each measurement after a rest of ``SETTLE`` seconds in which the other
library's threads stop spinning, and each round gives one ratio (NumPy samples/s over
PyTorch's of the same round), so a load that comes and goes hits both; printed are the
median ratio and the spread (lowest, quartiles, highest) over the rounds, of wall time
and of CPU time (which leaves out waiting for a core held by another process). Measured
at one thread each (BLAS and PyTorch's intra-op threads: the headline figures) and at
two. Goals: MLP >= 1.5 and conv net >= 1.0 at one thread, conv net >= 0.8 at two. The
BLAS kernel that OpenBLAS runs is printed: where ``OPENBLAS_CORETYPE`` is set (see the
environment notes) it may not be the processor's best, so the one-thread figures are then
measured again in a child process with ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` unset
(``--no-own-kernel`` skips it). PyTorch is used for measuring only; it is not a
dependency.
"""
import argparse
import functools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from numerics import data, optim
from numerics.nn import MLP, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential
from numerics.train import fit

MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mnist"
BATCH, LR, MOMENTUM = 128, 0.05, 0.9
# Seconds of rest before each measurement, longer than OpenBLAS's threads spin after their
# last call (2^28 cycles, 0.1 s at 2.7 GHz) and PyTorch's OpenMP threads after theirs: a
# library measured right after the other otherwise shares a core with its spinning threads
# (measured: PyTorch's conv net at two threads 8.5 ms a step right after NumPy, 6.0 ms
# after itself).
SETTLE = 0.25


def images():
    """Standardised float32 images ``(n, 1, 28, 28)`` and labels, and where they came from."""
    try:
        x, y = data.load_mnist("test", MNIST)
        source = f"MNIST test split ({MNIST})"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 10000)
        source = "random images (MNIST not found)"
    flat, = data.standardize(x.reshape(len(x), -1).astype(np.float32))
    return flat.reshape(-1, 1, 28, 28), y.astype(np.int64), source


def conv_net(seed=0):
    """Conv(1->8, 3x3) ReLU MaxPool2 Conv(8->16, 3x3) ReLU MaxPool2 Linear(784->10), float32."""
    rng = np.random.default_rng(seed)
    return Sequential(Conv2d(1, 8, 3, padding=1, rng=rng, dtype=np.float32), ReLU(),
                      MaxPool2d(2),
                      Conv2d(8, 16, 3, padding=1, rng=rng, dtype=np.float32), ReLU(),
                      MaxPool2d(2), Flatten(), Linear(16 * 7 * 7, 10, rng=rng, dtype=np.float32))


def numpy_steps(model, x, y):
    """``run(steps)``: that many updates of :func:`fit`; returns the last mini-batch loss."""
    sgd = functools.partial(optim.sgd, momentum=MOMENTUM)
    return lambda steps: fit(model, sgd, (x, y), schedule=LR, steps=steps, batch_size=BATCH,
                             quiet=True).loss[-1]


def torch_steps(torch, net, x, y):
    """``run(steps)``: the plain PyTorch loop on the same mini-batches, recording the loss like :func:`fit`."""
    optimizer = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
    criterion = torch.nn.CrossEntropyLoss()

    def run(steps):
        losses = []
        batches = data.minibatches(x, y, BATCH, np.random.default_rng(0), epochs=None)
        for _, (xb, yb) in zip(range(steps), batches):
            optimizer.zero_grad()
            loss = criterion(net(torch.from_numpy(xb)), torch.from_numpy(yb))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses[-1]

    return run


def round_times(numpy_run, torch_run, steps, rounds):
    """Per round, NumPy's and PyTorch's wall and CPU seconds for ``steps`` updates, alternating.

    The library that goes first alternates too, so neither always follows the other's
    warm caches or spinning threads. Returns ``{"wall": (numpy, torch), "cpu": (numpy,
    torch)}``, each an array of ``rounds`` times. The CPU time (``time.process_time``, all
    threads of the process) leaves out the time spent waiting for a core that another
    process holds: at one thread it is the steadier measure on a shared machine.
    """
    numpy_run(steps), torch_run(steps)                             # warm-up
    wall, cpu = np.empty((rounds, 2)), np.empty((rounds, 2))
    for index in range(rounds):
        for which in ((0, 1) if index % 2 == 0 else (1, 0)):
            run = (numpy_run, torch_run)[which]
            time.sleep(SETTLE)
            start, start_cpu = time.perf_counter(), time.process_time()
            run(steps)
            wall[index, which] = time.perf_counter() - start
            cpu[index, which] = time.process_time() - start_cpu
    return {"wall": wall.T, "cpu": cpu.T}


def spread(values):
    """``"median (lowest / lower quartile / upper quartile / highest)"``."""
    low, q1, median, q3, high = np.percentile(values, [0, 25, 50, 75, 100])
    return f"{median:.2f} (spread {low:.2f} / {q1:.2f} / {q3:.2f} / {high:.2f})"


def blas_kernel():
    """The BLAS library's name, version and the kernel it runs, as threadpoolctl reports them."""
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"
            and Path(info["filepath"]).parent.name == "numpy.libs"]
    if not blas:
        return "a BLAS that threadpoolctl does not find"
    info = blas[0]
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return (f"{info['internal_api']} {info['version']}, kernel {info.get('architecture')} "
            f"(OPENBLAS_CORETYPE {'=' + coretype if coretype else 'unset'})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts to measure at (default: 1 2)")
    parser.add_argument("--rounds", type=int, default=21, help="alternating rounds (default 21)")
    parser.add_argument("--steps", type=int, default=None,
                        help="mini-batches per measurement (default 250 for the MLP, 40 for "
                             "the conv net)")
    parser.add_argument("--no-own-kernel", dest="own_kernel", action="store_false",
                        help="skip the one-thread figures with the processor's own OpenBLAS "
                             "kernel (measured where OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE "
                             "is set)")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("error: torch is not importable; install it for this benchmark (pip install "
              "torch==2.13.0), it is no dependency of the project", file=sys.stderr)
        raise SystemExit(2) from None
    x, y, source = images()
    print(f"data: {source}, {len(x)} images, batch {BATCH}, SGD lr {LR} momentum {MOMENTUM}, "
          f"float32")
    print(f"numpy {np.__version__} with {blas_kernel()}; torch {torch.__version__}")
    print(f"each ratio: NumPy samples/s over PyTorch's, median over {args.rounds} alternating "
          f"rounds")
    nn = torch.nn
    cases = [
        ("MLP 784-100-100-10", lambda: MLP((784, 100, 100, 10), dtype=np.float32),
         x.reshape(len(x), -1), {1: 1.5}, 250,
         lambda: nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                               nn.Linear(100, 10))),
        ("conv net 8-16", conv_net, x, {1: 1.0, 2: 0.8}, 40,
         lambda: nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Flatten(), nn.Linear(16 * 7 * 7, 10))),
    ]
    for threads in args.threads:
        torch.set_num_threads(threads)
        with threadpool_limits(threads):
            for name, build_numpy, inputs, goals, steps, build_torch in cases:
                steps = args.steps or steps
                torch.manual_seed(0)
                numpy_run = numpy_steps(build_numpy(), inputs, y)
                torch_run = torch_steps(torch, build_torch(), inputs, y)
                times = round_times(numpy_run, torch_run, steps, args.rounds)
                numpy_wall, torch_wall = times["wall"]
                samples = steps * BATCH
                goal = f" (goal >= {goals[threads]})" if threads in goals else ""
                print(f"{threads} thread{'s' * (threads > 1)}, {name} ({steps} steps a "
                      f"measurement): numpy "
                      f"{samples / np.median(numpy_wall):,.0f} samples/s, torch "
                      f"{samples / np.median(torch_wall):,.0f} samples/s; ratio "
                      f"{spread(torch_wall / numpy_wall)}{goal}; CPU-time ratio "
                      f"{spread(np.divide(*times['cpu'][::-1]))}; last loss numpy "
                      f"{numpy_run(1):.3f}, torch {torch_run(1):.3f}")
    if args.own_kernel and KERNEL_VARIABLES & set(os.environ):
        own_kernel(args.rounds, args.steps)


KERNEL_VARIABLES = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}


def own_kernel(rounds, steps):
    """The one-thread figures again with OpenBLAS's choice of kernel for this processor.

    A kernel is chosen when OpenBLAS loads, so this runs in a child process with both
    variables unset in it alone, as the environment notes ask for a benchmark against the
    current NumPy (they are set for older OpenBLAS builds; tests and CI keep them).
    """
    print("with the processor's own OpenBLAS kernel (a child process with "
          f"{' and '.join(sorted(KERNEL_VARIABLES))} unset):", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARIABLES}
    subprocess.run([sys.executable, __file__, "--threads", "1", "--rounds", str(rounds),
                    *(["--steps", str(steps)] if steps else []), "--no-own-kernel"],
                   env=env, check=True)


if __name__ == "__main__":
    main()
