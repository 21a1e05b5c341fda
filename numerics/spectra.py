"""Eigenvalues and spectral radii of iteration matrices, vectorised over parameter grids."""
from __future__ import annotations

import numpy as np

__all__ = ["momentum_matrix", "eigenvalues_2x2", "spectral_radius_2x2", "spectral_radius",
           "momentum_spectral_radius"]


def momentum_matrix(eta, beta, sigma):
    """The 2x2 matrix of EMA momentum on one singular direction, broadcast over inputs.

    Its columns are the images of the unit vectors ``(a, x) = (1, 0)`` and ``(0, 1)``
    under one step of the simulated recurrence ``a' = (1 - beta) a + beta 2 sigma^2 x``,
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
    entries = _momentum_entries(eta, beta, sigma)
    return np.stack(entries, -1).reshape(entries[0].shape + (2, 2))


def _momentum_entries(eta, beta, sigma):
    """Entries ``(r00, r01, r10, r11)`` of the momentum matrix, each broadcast over the inputs."""
    eta, beta, sigma = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (eta, beta, sigma)))
    columns = []
    for a, x in ((1.0, 0.0), (0.0, 1.0)):
        a_next = (1 - beta) * a + beta * 2 * sigma**2 * x
        columns.append((a_next, x - eta * a_next))
    (r00, r10), (r01, r11) = columns
    return r00, r01, r10, r11


def eigenvalues_2x2(matrices):
    """Both eigenvalues of a stack of 2x2 matrices from trace and determinant.

    Examples
    --------
    >>> np.sort_complex(eigenvalues_2x2(np.array([[2.0, 0.0], [0.0, 3.0]])))
    array([2.+0.j, 3.+0.j])
    """
    half_trace, det = _half_trace_and_det(*_entries(matrices))
    root = np.sqrt((half_trace**2 - det).astype(complex))
    return np.stack([half_trace - root, half_trace + root], -1)


def _entries(matrices):
    """``(r00, r01, r10, r11)`` of a stack of 2x2 matrices."""
    matrices = np.asarray(matrices, dtype=float)
    return matrices[..., 0, 0], matrices[..., 0, 1], matrices[..., 1, 0], matrices[..., 1, 1]


def _half_trace_and_det(r00, r01, r10, r11):
    return (r00 + r11) / 2, r00 * r11 - r01 * r10


def spectral_radius_2x2(matrices):
    """Largest eigenvalue modulus of each real 2x2 matrix in a stack.

    Real eigenvalues ``h +- sqrt(h^2 - det)`` give ``|h| + sqrt(h^2 - det)``; a complex
    pair is conjugate, so its modulus is ``sqrt(det)``.  Real arithmetic only.

    Examples
    --------
    >>> float(spectral_radius_2x2(np.array([[0.0, 1.0], [-0.25, 0.0]])))
    0.5
    """
    return _radius_from_entries(*_entries(matrices))


def spectral_radius(matrices):
    """Largest eigenvalue modulus of each square matrix in a stack, any size.

    2x2 stacks take the real-arithmetic closed form of :func:`spectral_radius_2x2`;
    larger ones ``numpy.linalg.eigvals``.

    Examples
    --------
    >>> float(spectral_radius(np.diag([0.5, -2.0, 1.0])))
    2.0
    >>> float(spectral_radius(np.array([[0.0, 1.0], [-0.25, 0.0]])))
    0.5
    """
    matrices = np.asarray(matrices, dtype=float)
    if matrices.shape[-2:] == (2, 2):
        return spectral_radius_2x2(matrices)
    return np.abs(np.linalg.eigvals(matrices)).max(axis=-1)


def _radius_from_entries(r00, r01, r10, r11):
    half_trace, det = _half_trace_and_det(r00, r01, r10, r11)
    gap = half_trace * half_trace - det
    radius = np.sqrt(np.abs(gap))
    radius += np.abs(half_trace)
    return np.where(gap >= 0, radius, np.sqrt(np.abs(det)))


def momentum_spectral_radius(eta, beta, sigma):
    """Spectral radius of the momentum matrix over a grid (any broadcastable inputs).

    Examples
    --------
    >>> etas, betas = np.meshgrid(np.linspace(0.01, 2, 3), [0.5, 1.0])
    >>> momentum_spectral_radius(etas, betas, 1.0).shape
    (2, 3)
    """
    return _radius_from_entries(*_momentum_entries(eta, beta, sigma))
