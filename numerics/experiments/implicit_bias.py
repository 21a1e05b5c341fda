"""Implicit bias: which interpolating solution SGD, AdaGrad, RMSProp and Adam find from zero.

Over-parameterised least squares (more weights than examples) has a whole affine space
of minimisers.  Each optimizer runs from ``w_0 = 0`` on random problems (several seeds)
and on the two-weight example ``x_1 = [2, 1]``, ``t = 2``; the figures show the distance
to the minimum-norm solution against iterations, and where each lands on the example
beside the derived minimum-norm solution and RMSProp's derived limit.
"""
from __future__ import annotations

import numpy as np

from ..implicit_bias import least_squares_path, minimum_norm_solution
from ..optim import adagrad, adam, rmsprop, sgd
from ..schedules import exponential_range
from .common import main, sweep
from .theory import prediction, results

# Rates that interpolate within the budget (random rows have unit norm, the example's row
# squared norm 5).  RMSProp's normalised step does not shrink with the gradient, so its
# rate decays (x 0.997 per step) to let it settle.
OPTIMIZERS = {"SGD": lambda: sgd(0.2), "AdaGrad": lambda: adagrad(0.5),
              "RMSProp": lambda: rmsprop(exponential_range(1e-2, 0.997), eps=1e-10),
              "Adam": lambda: adam(1e-2, eps=1e-10)}


def random_problem(n: int, d: int, seed: int):
    """``n x d`` standard normal inputs with ``d > n`` and standard normal targets."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) / np.sqrt(d), rng.standard_normal(n)


def distances(name: str, n: int, d: int, seed: int, steps: int, batch_size: int):
    """Distance to the minimum-norm solution after every step, and the final residual."""
    X, t = random_problem(n, d, seed)
    path = least_squares_path(OPTIMIZERS[name](), X, t, steps, batch_size=batch_size,
                              rng=np.random.default_rng(seed + 1))
    gap = np.linalg.norm(path - minimum_norm_solution(X, t), axis=1)
    return gap, float(np.linalg.norm(X @ path[-1] - t) / np.linalg.norm(t))


def example_limits(steps: int):
    """Where each optimizer ends on ``x_1 = [2, 1]``, ``t = 2``, and its path."""
    X, t = np.array([[2.0, 1.0]]), np.array([2.0])
    return {name: least_squares_path(make(), X, t, steps) for name, make in OPTIMIZERS.items()}


def run(args, outputs):
    import matplotlib.pyplot as plt

    n, d, seeds, steps = (5, 20, 2, 1500) if args.quick else (20, 100, 5, 6000)
    batch_size = max(1, n // 5)
    runs = sweep(distances, [{"name": name, "n": n, "d": d, "seed": args.seed + s,
                              "steps": steps, "batch_size": batch_size}
                             for name in OPTIMIZERS for s in range(seeds)], jobs=args.jobs)
    by_name = {name: runs[i * seeds:(i + 1) * seeds] for i, name in enumerate(OPTIMIZERS)}

    derived = prediction(results("implicit_bias")["rmsprop_counterexample"])()
    minimum_norm, rmsprop_limit = (np.ravel(v) for v in derived)
    paths = example_limits(steps)

    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, curves in by_name.items():
        gaps = np.stack([gap for gap, _ in curves])
        median = np.median(gaps, axis=0)
        axes[0].semilogy(median, label=name)
        axes[0].fill_between(np.arange(len(median)), gaps.min(0), gaps.max(0), alpha=0.2)
    axes[0].set(xlabel="iteration", ylabel=r"$\|w_t - w_{\min\,\mathrm{norm}}\|$",
                title=f"random problems, n = {n}, d = {d}, {seeds} seeds (band: min to max)")
    axes[0].legend()
    line = np.linspace(-0.1, 1.1, 2)
    axes[1].plot(line, 2 - 2 * line, "k-", lw=0.8, label=r"interpolating: $2w_1 + w_2 = 2$")
    for name, path in paths.items():
        axes[1].plot(path[:, 0], path[:, 1], lw=1.2, label=f"{name} ends at "
                     f"({path[-1, 0]:.3f}, {path[-1, 1]:.3f})")
    axes[1].plot(*minimum_norm, "k*", ms=12, label="derived minimum-norm solution")
    axes[1].plot(*rmsprop_limit, "rx", ms=10, mew=2, label=r"derived RMSProp limit ($\epsilon \to 0$)")
    axes[1].set(xlabel="$w_1$", ylabel="$w_2$", title=r"$x_1 = [2, 1]$, $t = 2$, from $w_0 = 0$",
                aspect="equal")
    axes[1].legend(fontsize=7)
    outputs.figure(figure, "distance_to_minimum_norm")
    outputs.history("paths", **{f"example_{k}": v for k, v in paths.items()},
                    **{f"gap_{k}": np.stack([g for g, _ in v]) for k, v in by_name.items()})

    return {
        "problem": {"n": n, "d": d, "seeds": seeds, "steps": steps, "batch_size": batch_size},
        "final_distance_to_minimum_norm": {name: [float(g[-1]) for g, _ in v]
                                           for name, v in by_name.items()},
        "final_relative_residual": {name: [r for _, r in v] for name, v in by_name.items()},
        "example": {"derived_minimum_norm": minimum_norm, "derived_rmsprop_limit": rmsprop_limit,
                    "limits": {name: path[-1] for name, path in paths.items()}},
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
