"""Spectral radius of the momentum matrix on a 1000 x 1000 (eta, beta) grid.

Prints the vectorised time for the whole grid (best of five runs) (goal: under 1 s) and, per point, its
ratio against ``numpy.linalg.eigvals`` called point by point on a sample (goal: at
least 100x faster).
"""
import time

import numpy as np

from numerics.spectra import momentum_matrix, momentum_spectral_radius

SIDE, SAMPLE, REPEATS = 1000, 2000, 5


def main():
    etas, betas = np.meshgrid(np.linspace(1e-3, 2.0, SIDE), np.linspace(1e-3, 1.0, SIDE))
    grid_time = float("inf")
    for _ in range(REPEATS):  # best of several: the first call also pays for fresh memory pages
        start = time.perf_counter()
        radius = momentum_spectral_radius(etas, betas, 1.0)
        grid_time = min(grid_time, time.perf_counter() - start)

    rng = np.random.default_rng(0)
    picks = rng.integers(0, SIDE, size=(SAMPLE, 2))
    matrices = momentum_matrix(etas[picks[:, 0], picks[:, 1]], betas[picks[:, 0], picks[:, 1]], 1.0)
    loop_time = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        reference = np.array([np.abs(np.linalg.eigvals(m)).max() for m in matrices])
        loop_time = min(loop_time, time.perf_counter() - start)
    assert np.allclose(reference, radius[picks[:, 0], picks[:, 1]], rtol=1e-6, atol=1e-9)

    per_point_vectorised = grid_time / radius.size
    per_point_loop = loop_time / SAMPLE
    print(f"grid {SIDE} x {SIDE}: {grid_time:.3f} s  (goal < 1 s)")
    print(f"eigvals per point: {per_point_loop * 1e6:.2f} us; vectorised: "
          f"{per_point_vectorised * 1e6:.4f} us")
    print(f"speed-up per point: {per_point_loop / per_point_vectorised:.0f}x  (goal >= 100x)")


if __name__ == "__main__":
    main()
