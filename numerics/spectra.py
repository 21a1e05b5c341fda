"""Eigenvalues and spectral radii of iteration matrices, vectorised over parameter grids."""
from __future__ import annotations

import numpy as np

__all__ = ["momentum_matrix", "eigenvalues_2x2", "spectral_radius_2x2", "momentum_spectral_radius"]


def momentum_matrix(eta, beta, sigma):
    """The 2x2 matrix of EMA momentum on one singular direction, broadcast over inputs.

    Built from one step of the simulation itself: the images of the unit vectors
    ``(a, x) = (1, 0)`` and ``(0, 1)`` under ``a' = (1 - beta) a + beta 2 sigma^2 x``,
    ``x' = x - eta a'``.

    Returns
    -------
    ndarray of shape ``broadcast(eta, beta, sigma).shape + (2, 2)``.

    Examples
    --------
    >>> momentum_matrix(0.1, 0.5, 1.0)
    array([[ 0.5 ,  1.  ],
           [-0.05,  0.9 ]])
    """
    eta, beta, sigma = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (eta, beta, sigma)))

    def step(a, x):
        a_next = (1 - beta) * a + beta * 2 * sigma**2 * x
        return a_next, x - eta * a_next

    columns = [step(np.ones_like(eta), np.zeros_like(eta)), step(np.zeros_like(eta), np.ones_like(eta))]
    return np.stack([np.stack([columns[0][0], columns[1][0]], -1),
                     np.stack([columns[0][1], columns[1][1]], -1)], -2)


def eigenvalues_2x2(matrices):
    """Both eigenvalues of a stack of 2x2 matrices from trace and determinant.

    Examples
    --------
    >>> np.sort_complex(eigenvalues_2x2(np.array([[2.0, 0.0], [0.0, 3.0]])))
    array([2.+0.j, 3.+0.j])
    """
    matrices = np.asarray(matrices, dtype=float)
    half_trace = (matrices[..., 0, 0] + matrices[..., 1, 1]) / 2
    det = matrices[..., 0, 0] * matrices[..., 1, 1] - matrices[..., 0, 1] * matrices[..., 1, 0]
    root = np.sqrt((half_trace**2 - det).astype(complex))
    return np.stack([half_trace - root, half_trace + root], -1)


def spectral_radius_2x2(matrices):
    """Largest eigenvalue modulus of each 2x2 matrix in a stack.

    Examples
    --------
    >>> float(spectral_radius_2x2(np.array([[0.0, 1.0], [-0.25, 0.0]])))
    0.5
    """
    return np.abs(eigenvalues_2x2(matrices)).max(-1)


def momentum_spectral_radius(eta, beta, sigma):
    """Spectral radius of the momentum matrix over a grid (any broadcastable inputs).

    Examples
    --------
    >>> etas, betas = np.meshgrid(np.linspace(0.01, 2, 3), [0.5, 1.0])
    >>> momentum_spectral_radius(etas, betas, 1.0).shape
    (2, 3)
    """
    return spectral_radius_2x2(momentum_matrix(eta, beta, sigma))
