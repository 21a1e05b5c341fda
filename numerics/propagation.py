"""Monte Carlo signal propagation through random deep linear and ReLU nets.

Random inputs go forward and random output gradients go backward through nets whose
weights an initializer draws; the per-layer second moments of the pre-activations and
of the back-propagated gradients are what the variance-propagation rules predict
(the means are zero, so these second moments are the variances).

Layer ``i`` computes ``z^(i) = a^(i-1) W^(i)`` with ``W^(i)`` of shape
``(fan_in, fan_out)``, ``a^(0) = x`` and ``a^(i) = act(z^(i))`` for the hidden layers.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from .optim import _count

__all__ = ["Propagation", "propagate"]

_ACTIVATIONS = {
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
}


class Propagation(NamedTuple):
    """Per-layer second moments, index ``0`` the input and ``L`` the output.

    ``forward[i]`` is ``E[z^(i)^2]`` (``z^(0) = x``); ``backward[i]`` is
    ``E[(dL/da^(i))^2]``, the gradient at layer ``i``'s output (``backward[L]`` is the
    seeded output gradient, ``backward[0]`` the gradient at the input).
    """

    forward: np.ndarray
    backward: np.ndarray


def _initializers(init, depth: int) -> list[Callable]:
    if callable(init):
        return [init] * depth
    inits = list(init)
    if len(inits) != depth or not all(callable(f) for f in inits):
        raise ValueError(f"init has {len(inits)} entries for {depth} layers; pass one callable "
                         f"init(shape, rng) or one per layer")
    return inits


def propagate(init, widths: Sequence[int], rng: np.random.Generator, *, samples: int = 256,
              nets: int = 8, activation: str = "linear", input_std: float = 1.0,
              gradient_std: float = 1.0) -> Propagation:
    """Measure forward and backward second moments through ``nets`` random nets.

    Parameters
    ----------
    init : callable or sequence of callables
        ``init(shape, rng) -> ndarray`` drawing a ``(fan_in, fan_out)`` weight matrix;
        one for every layer or a list with one per layer.
    widths : sequence of int
        ``(n_0, n_1, ..., n_L)``: the input width, then each layer's output width.
    rng : numpy.random.Generator
        The only source of randomness.
    samples : int
        Inputs per net, drawn ``N(0, input_std^2)``.
    nets : int
        Independent nets; the moments average over nets, samples and units.
    activation : {"linear", "relu"}
        Applied after every layer but the last.
    input_std, gradient_std : float
        Standard deviations of the inputs and of the output gradient ``dL/dz^(L)``.

    Returns
    -------
    Propagation
        ``forward`` and ``backward``, each of length ``L + 1``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> unit = lambda shape, rng: rng.normal(0.0, 1.0 / np.sqrt(shape[0]), shape)
    >>> out = propagate(unit, [200, 200, 200], rng, samples=200, nets=4)
    >>> np.round(out.forward, 1), np.round(out.backward, 1)
    (array([1., 1., 1.]), array([1., 1., 1.]))
    """
    widths = [int(w) for w in widths]
    if len(widths) < 2 or min(widths) < 1:
        raise ValueError(f"widths == {widths}, must hold at least two positive widths "
                         f"(input, then each layer's output)")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation == {activation!r}, must be one of {sorted(_ACTIVATIONS)}")
    samples, nets = _count("samples", samples, 1, 256), _count("nets", nets, 1, 8)
    act, slope = _ACTIVATIONS[activation]
    depth = len(widths) - 1
    weights = []
    for layer, draw in enumerate(_initializers(init, depth)):
        shape = (widths[layer], widths[layer + 1])
        stack = np.stack([np.asarray(draw(shape, rng), dtype=float) for _ in range(nets)])
        if stack.shape[1:] != shape:
            raise ValueError(f"init returned shape {stack.shape[1:]} for layer {layer + 1}, "
                             f"expected {shape}")
        weights.append(stack)

    z = [input_std * rng.standard_normal((nets, samples, widths[0]))]
    a = z[0]
    for layer, W in enumerate(weights):
        z.append(a @ W)
        a = act(z[-1]) if layer < depth - 1 else z[-1]

    grad = gradient_std * rng.standard_normal(z[-1].shape)
    backward = [np.mean(grad**2)]
    for layer in range(depth, 0, -1):
        grad_a = grad @ np.swapaxes(weights[layer - 1], 1, 2)
        backward.append(np.mean(grad_a**2))
        grad = grad_a * slope(z[layer - 1]) if layer > 1 else grad_a
    return Propagation(np.array([np.mean(v**2) for v in z]), np.array(backward[::-1]))
