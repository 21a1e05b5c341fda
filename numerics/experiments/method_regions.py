"""Method regions: stability region and worst rate of a linear method over a parameter plane.

The heat maps are numeric spectral radii of the method's transition matrix
``A + h B C`` (:mod:`numerics.method`): on the left at one curvature ``h = 1``, on the
right the worst over curvatures in ``[mu, L] = [0.1, 1]``.  Drawn on them: the derived
stability boundary and repeated-eigenvalue curves and the derived optimal tuning, read
from ``python -m derivations.method --name NAME --json`` (no SymPy in this process).
``--method NAME`` picks a built-in with a step and a momentum (default ``heavy_ball``).
"""
from __future__ import annotations

import ast
import sys

import numpy as np

from ..method import radius_grid
from ..terminal import fail
from .common import main
from .theory import prediction, results

PLANES = {  # built-in -> (step, momentum, fixed others)
    "heavy_ball": ("alpha", "m", {}),
    "heavy_ball_ema": ("eta", "beta", {}),
    "heavy_ball_pytorch": ("alpha", "mu", {"tau": 0.0}),
    "nesterov": ("alpha", "beta", {}),
    "nesterov_pytorch": ("alpha", "mu", {}),
    "qhm": ("alpha", "beta", {"nu": 0.7}),
    "triple_momentum": ("alpha", "beta", {"gamma": 0.5}),
}
CURVATURE, SMALL, LARGE = 1.0, 0.1, 1.0
TEX = {"beta": r"$\beta$", "mu": r"$\mu$"}


def method_option(argv):
    """Split ``--method NAME`` off the command line; the rest goes to the shared parser."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--method" not in argv:
        return "heavy_ball", argv
    at = argv.index("--method")
    if at + 1 >= len(argv) or argv[at + 1] not in PLANES:
        raise ValueError(f"--method takes one of {', '.join(PLANES)}")
    return argv[at + 1], argv[:at] + argv[at + 2:]


def equations(text):
    """``{name: prediction}`` from a printed tuple of equations ``(Eq(a, ...), Eq(b, ...))``.

    Examples
    --------
    >>> float(equations("(Eq(m, 1/4), Eq(alpha, 2/L))")["alpha"](L=4.0))
    0.5
    """
    calls = [node for node in ast.walk(ast.parse(text, mode="eval"))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Eq"]
    return {call.args[0].id: prediction(ast.unparse(call.args[1])) for call in calls}


def agreement(steps, momenta, radius, boundary):
    """Share of grid points where ``radius < 1`` agrees with ``step < boundary(momentum)``,
    leaving out points within one grid cell of the boundary."""
    cell = steps[1] - steps[0]
    margin = np.abs(steps[None, :] - boundary[:, None]) > cell
    return float(np.mean(((radius < 1) == (steps[None, :] < boundary[:, None]))[margin]))


def experiment(name):
    """The run function for one built-in."""
    step, momentum, fixed = PLANES[name]

    def run(args, outputs):
        import matplotlib.pyplot as plt

        side = 60 if args.quick else 300
        derived = results("method", "--name", name, "--range", "h_lo", "h_hi")
        region = prediction(derived["stability_region"])
        momenta = np.linspace(0.0, 0.95, side)
        if name == "heavy_ball_ema":
            momenta = np.linspace(0.05, 1.0, side)
        values = {momentum: momenta, "h": CURVATURE, **fixed}
        boundary = np.broadcast_to(region(**values)[1], momenta.shape)
        steps = np.linspace(1e-3, 1.2 * np.nanmax(boundary[np.isfinite(boundary)]), side)
        at_one = radius_grid(name, step, steps, momentum, momenta, CURVATURE, **fixed)
        worst = radius_grid(name, step, steps, momentum, momenta,
                            np.linspace(SMALL, LARGE, 9), **fixed)
        figure, axes = plt.subplots(1, 2, figsize=(12, 4.8))
        for axis, grid, title in ((axes[0], at_one, f"one curvature h = {CURVATURE:g}"),
                                  (axes[1], worst, f"worst over h in [{SMALL:g}, {LARGE:g}]")):
            image = axis.pcolormesh(steps, momenta, np.minimum(grid, 2.0), shading="auto",
                                    cmap="viridis")
            figure.colorbar(image, ax=axis, label="spectral radius (numeric, capped at 2)")
            axis.set(xlim=(steps[0], steps[-1]), ylim=(momenta[0], momenta[-1]),
                     xlabel=rf"$\{step}$", ylabel=TEX.get(momentum, rf"${momentum}$"),
                     title=f"{name}: {title}")
        axes[0].plot(boundary, momenta, "r-", lw=2, label="derived stability boundary")
        if "repeated_eigenvalue_learning_rates" in derived:
            repeated = prediction(derived["repeated_eigenvalue_learning_rates"])(**values)
            for curve, style, which in zip(repeated, ("w--", "w:"), ("lower", "upper")):
                axes[0].plot(np.broadcast_to(curve, momenta.shape), momenta, style, lw=1.5,
                             label=f"derived repeated eigenvalue ({which} step)")
        best = None
        if "optimal_parameters" in derived:
            tuned = equations(derived["optimal_parameters"])
            best = [float(tuned[p](h_lo=SMALL, h_hi=LARGE)) for p in (step, momentum)]
            axes[1].plot(best[0], best[1], "r*", ms=14, label="derived optimal tuning")
            axes[1].legend(loc="upper right", fontsize=8)
        axes[0].legend(loc="upper right", fontsize=8)
        outputs.figure(figure, "regions")
        outputs.history("grids", steps=steps, momenta=momenta, at_one=at_one, worst=worst)
        metrics = {"method": name, "grid_side": side,
                   "stability_agreement": agreement(steps, momenta, at_one, boundary)}
        if best is not None:
            numeric_best = float(radius_grid(name, step, [best[0]], momentum, [best[1]],
                                             np.linspace(SMALL, LARGE, 201), **fixed)[0, 0])
            metrics.update({"optimal_tuning": best, "numeric_worst_rate_at_tuning": numeric_best,
                            "derived_optimal_rate": float(prediction(derived["optimal_rate"])(
                                h_lo=SMALL, h_hi=LARGE)),
                            "best_rate_on_grid": float(worst.min())})
        return metrics

    return run


def cli(argv=None) -> int:
    """``python -m numerics.experiments.method_regions [--method NAME] [shared options]``."""
    try:
        name, rest = method_option(argv)
    except ValueError as error:
        return fail(error)
    return main(experiment(name), __doc__, rest, name="method_regions")


if __name__ == "__main__":
    raise SystemExit(cli())
