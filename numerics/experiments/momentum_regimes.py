"""Momentum regimes: spectral radius over (eta, beta) and (eta, sigma), with the theory drawn on.

The heat maps are the numeric spectral radius of the EMA momentum matrix; on them lie
the derived stability boundary ``eta = (2 - beta)/(beta sigma^2)`` and the two
repeated-eigenvalue curves that separate the real and complex regimes.  Sample
trajectories from each regime show the contraction the spectral radius predicts.
"""
from __future__ import annotations

import numpy as np

from ..optim import momentum_ema
from ..recurrences import contraction_rate, iterate, least_squares_gradient
from ..spectra import momentum_spectral_radius
from .common import main
from .theory import prediction, results


def regime_grid(side: int, sigma: float = 1.0, beta_fixed: float = 0.5):
    """The two grids: radius over (eta, beta) at ``sigma`` and over (eta, sigma) at ``beta_fixed``."""
    etas = np.linspace(0.01, 4.0, side)
    betas = np.linspace(0.02, 1.0, side)
    sigmas = np.linspace(0.2, 2.0, side)
    by_beta = momentum_spectral_radius(etas[None, :], betas[:, None], sigma)
    by_sigma = momentum_spectral_radius(etas[None, :], beta_fixed, sigmas[:, None])
    return etas, betas, sigmas, by_beta, by_sigma


def agreement(etas, betas, radius, boundary):
    """Share of grid points where ``radius < 1`` agrees with ``eta < boundary(beta)``.

    Points within one grid cell of the boundary are left out.
    """
    cell = etas[1] - etas[0]
    margin = np.abs(etas[None, :] - boundary[:, None]) > cell
    stable = radius < 1
    predicted = etas[None, :] < boundary[:, None]
    return float(np.mean((stable == predicted)[margin]))


def sample_trajectories(theory, beta: float, sigma: float, steps: int):
    """One trajectory per regime, with its measured and derived contraction."""
    low, high = sorted(theory["repeated"](beta=beta, sigma=sigma))
    edge = theory["stability"](beta=beta, sigma=sigma)[1]
    regimes = {"real, slow (eta < low repeated)": 0.5 * low,
               "complex (between repeated)": 0.5 * (low + high),
               "real, oscillating (above high repeated)": 0.5 * (high + edge),
               "unstable (above the boundary)": 1.05 * edge}
    gradient = least_squares_gradient([[sigma]], [1.0])
    samples = {}
    for label, eta in regimes.items():
        path = iterate(momentum_ema(float(eta), beta), gradient, [0.0], steps)
        error = np.abs(path[:, 0] - 1 / sigma)
        predicted = float(momentum_spectral_radius(eta, beta, sigma))
        samples[label] = {"eta": float(eta), "error": error, "predicted_radius": predicted,
                          "measured_rate": contraction_rate(error)}
    return samples


def run(args, outputs):
    import matplotlib.pyplot as plt

    side, steps, sigma, beta = (120, 200, 1.0, 0.5) if args.quick else (600, 400, 1.0, 0.5)
    derived = results("momentum")
    theory = {"stability": prediction(derived["stability_range"]),
              "repeated": prediction(derived["repeated_eigenvalue_learning_rates"]),
              "modulus": prediction(derived["complex_eigenvalue_modulus"])}
    etas, betas, sigmas, by_beta, by_sigma = regime_grid(side, sigma, beta)

    boundary_beta = theory["stability"](beta=betas, sigma=sigma)[1]
    boundary_sigma = theory["stability"](beta=beta, sigma=sigmas)[1]
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    for axis, grid, ys, label, boundary, repeated in (
            (axes[0], by_beta, betas, r"$\beta$", boundary_beta,
             theory["repeated"](beta=betas, sigma=sigma)),
            (axes[1], by_sigma, sigmas, r"$\sigma$", boundary_sigma,
             theory["repeated"](beta=beta, sigma=sigmas))):
        image = axis.pcolormesh(etas, ys, np.minimum(grid, 2.0), shading="auto", cmap="viridis")
        axis.plot(boundary, ys, "r-", lw=2, label="derived stability boundary")
        for curve, style in zip(repeated, ("w--", "w:")):
            axis.plot(curve, ys, style, lw=1.5, label="derived repeated eigenvalue")
        axis.set(xlim=(etas[0], etas[-1]), ylim=(ys[0], ys[-1]), xlabel=r"$\eta$", ylabel=label)
        figure.colorbar(image, ax=axis, label="spectral radius (numeric, capped at 2)")
    axes[0].set_title(rf"$\sigma = {sigma}$")
    axes[1].set_title(rf"$\beta = {beta}$")
    axes[0].legend(loc="upper right", fontsize=8)
    outputs.figure(figure, "spectral_radius")

    samples = sample_trajectories(theory, beta, sigma, steps)
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for label, sample in samples.items():
        axis.semilogy(sample["error"], label=f"{label}: measured {sample['measured_rate']:.3f}, "
                                             f"predicted {sample['predicted_radius']:.3f}")
    axis.set(xlabel="iteration t", ylabel=r"$|w_t - w^*|$",
             title=rf"EMA momentum, $\beta = {beta}$, $\sigma = {sigma}$")
    axis.legend(fontsize=7)
    outputs.figure(figure, "trajectories")
    outputs.history("grids", etas=etas, betas=betas, sigmas=sigmas, by_beta=by_beta,
                    by_sigma=by_sigma)

    complex_low, complex_high = np.sort(np.stack(theory["repeated"](beta=betas[:, None],
                                                                    sigma=sigma)), axis=0)
    inside = (etas[None, :] > complex_low + 1e-9) & (etas[None, :] < complex_high - 1e-9)
    modulus = np.broadcast_to(theory["modulus"](beta=betas)[:, None], by_beta.shape)
    return {
        "grid_side": side,
        "stability_agreement_eta_beta": agreement(etas, betas, by_beta, boundary_beta),
        "stability_agreement_eta_sigma": agreement(etas, sigmas, by_sigma, boundary_sigma),
        "complex_regime_max_modulus_error": float(np.abs(by_beta - modulus)[inside].max()),
        "trajectories": {label: {k: v for k, v in s.items() if k != "error"}
                         for label, s in samples.items()},
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
