"""One full-batch gradient step of regularised logistic regression on 12,665 x 196 data.

The data have the shape of MNIST's zeros and ones at 14x14 (12,665 training images): the
real test split's zeros and ones (2,115 images, average-pooled and standardised) drawn
with replacement up to that size when the split is present, Gaussian data otherwise.
A GD step needs two matrix-vector products, ``X w`` and ``X^T r``, each of which, on its
own, reads all of ``X``: their time is the reference. Printed: the time per step of
``LogisticRegression(solver="gd")`` (the fit loop, per iteration: a fit of ``STEPS``
steps less a fit of none) over the time of the two products, per round with the two
alternating, as the median and spread over the rounds (goal: at most 1.15), with one
BLAS thread (the headline: a loaded machine stalls multi-threaded products) and with
the default threads, and the peak memory of a fit, data included, against the data's
size (goal: under 3x).
"""
import time
import tracemalloc
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from numerics import data
from numerics.nn import LogisticRegression

MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mnist"
N, STEPS, LAM = 12_665, 200, 1e-2


def design_matrix(seed=0):
    """``(X, y, source)``: 12,665 x 196 float64 rows and labels in {-1, +1}."""
    rng = np.random.default_rng(seed)
    try:
        images, labels = data.load_mnist("test", MNIST)
    except FileNotFoundError:
        return rng.normal(size=(N, 196)), rng.choice([-1, 1], N), "Gaussian data (no MNIST)"
    x, y = data.select_pair(images, labels, (0, 1))
    flat, = data.standardize(data.average_pool(x).reshape(len(x), -1))
    rows = rng.integers(0, len(flat), N)
    return (np.ascontiguousarray(flat[rows]), y[rows],
            f"MNIST test-split zeros and ones resampled to {N} ({MNIST})")


def round_times(functions, rounds=9):
    """Per round, the wall time per call of each ``function(k)`` (``k = STEPS`` calls), in alternation.

    Alternating keeps a load that comes and goes from falling on one function only.
    """
    times = np.empty((rounds, len(functions)))
    for index in range(rounds):
        for which, function in enumerate(functions):
            start = time.perf_counter()
            function(STEPS)
            times[index, which] = (time.perf_counter() - start) / STEPS
    return times.T


def main():
    X, y, source = design_matrix()
    print(f"data: {source}; X {X.shape} float64, {X.nbytes / 2**20:.1f} MiB")
    w, r = np.zeros(X.shape[1]), np.full(X.shape[0], 1e-3)

    def floor(steps):
        for _ in range(steps):
            X @ w
            X.T @ r

    def fit(steps):
        return LogisticRegression(lam=LAM, solver="gd", max_iter=steps).fit(X, y)

    for threads in (1, None):
        with threadpool_limits(threads):
            floor(1), fit(1)                                 # warm-up
            floor_time, fit_time, setup_time = round_times(
                [floor, fit, lambda steps: fit(0)])          # setup: the L bound, the Hessian
        ratios = (fit_time - setup_time) / floor_time
        low, q1, median, q3, high = np.percentile(ratios, [0, 25, 50, 75, 100])
        print(f"BLAS threads {threads or 'default'}: two matrix-vector products "
              f"{np.median(floor_time) * 1e3:.3f} ms; one GD step "
              f"{np.median(fit_time - setup_time) * 1e3:.3f} ms; ratio {median:.2f} (spread "
              f"{low:.2f} / {q1:.2f} / {q3:.2f} / {high:.2f}; goal <= 1.15)")

    tracemalloc.start()
    fit(20)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of a fit: {peak / 2**20:.1f} MiB above the data; with the data "
          f"{(peak + X.nbytes) / X.nbytes:.2f}x the data's size (goal < 3x)")
    model = fit(2000)
    print(f"after 2000 steps: loss {model.loss_history_[-1]:.6f}, condition number "
          f"{model.condition_number_:.1f}, L {model.smoothness_:.3f}")


if __name__ == "__main__":
    main()
