"""Convolution arithmetic measured on arrays: outputs, sizes, receptive fields, parameters.

Same-padded 2-D cross-correlation and convolution come from :mod:`scipy.signal`.  A stack
is a list of tuples ``("conv", kernel, channels, stride, padding)``, ``("pool", size,
stride)`` and ``("fc", units)`` (the convention of :mod:`derivations.convolution`), run
on arrays of shape ``(channels, height, width)``; input shapes are given as
``(height, width, channels)``.  Receptive fields are measured by back-propagating a
one-hot gradient from one output unit to the input and reading off the extent of the
non-zero gradient.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import convolve2d, correlate2d

__all__ = ["correlate_same", "convolve_same", "output_size", "conv2d", "conv2d_backward",
           "receptive_field", "parameter_count", "network_size"]


def _odd_kernel(kernel):
    kernel = np.asarray(kernel)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"kernel has shape {kernel.shape}, must be square with an odd side "
                         f"for 'same' padding; pass e.g. a 3x3 kernel")
    return kernel


def correlate_same(image, kernel):
    """Zero-padded 'same' cross-correlation ``sum_{a,b} X_pad[i+a, j+b] K[a, b]``.

    Examples
    --------
    >>> correlate_same(np.eye(2), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    array([[0., 0.],
           [0., 1.]])
    """
    return correlate2d(np.asarray(image, dtype=float), _odd_kernel(kernel), mode="same")


def convolve_same(image, kernel):
    """Zero-padded 'same' convolution: the kernel flipped before it slides.

    Examples
    --------
    >>> convolve_same(np.eye(2), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    array([[1., 0.],
           [0., 0.]])
    """
    return convolve2d(np.asarray(image, dtype=float), _odd_kernel(kernel), mode="same")


def _windows(x, size, stride, padding):
    """Every ``size x size`` window of the padded ``(channels, h, w)`` array, strided."""
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    if min(padded.shape[1:]) < size:
        raise ValueError(f"a {size}x{size} window does not fit the padded input of shape "
                         f"{padded.shape[1:]}; use a larger input or a smaller kernel")
    return sliding_window_view(padded, (size, size), axis=(1, 2))[:, ::stride, ::stride]


def output_size(n, k, p=0, s=1):
    """Output width counted by sliding a ``k``-wide window over an ``n``-wide padded input.

    Examples
    --------
    >>> output_size(5, 3, 1, 2)
    3
    """
    return _windows(np.zeros((1, n, n)), k, s, p).shape[1]


def conv2d(x, weights, stride=1, padding=0):
    """Cross-correlation of ``x (c, h, w)`` with ``weights (o, c, k, k)``: ``(o, h', w')``.

    Examples
    --------
    >>> conv2d(np.ones((1, 3, 3)), np.ones((2, 1, 2, 2))).shape
    (2, 2, 2)
    """
    size = weights.shape[-1]
    return np.einsum("chwab,ocab->ohw", _windows(x, size, stride, padding), weights)


def conv2d_backward(grad, weights, input_shape, stride=1, padding=0):
    """The gradient with respect to the input of :func:`conv2d`, given the output's ``grad``.

    Each output ``(i, j)`` read the window starting at ``(i s, j s)`` of the padded input,
    so its gradient flows back to that window through the weights.

    Examples
    --------
    >>> conv2d_backward(np.ones((1, 1, 1)), np.ones((1, 1, 2, 2)), (1, 2, 2))
    array([[[1., 1.],
            [1., 1.]]])
    """
    channels, height, width = input_shape
    size = weights.shape[-1]
    rows, cols = grad.shape[1:]
    padded = np.zeros((channels, height + 2 * padding, width + 2 * padding))
    for a in range(size):
        for b in range(size):
            padded[:, a:a + stride * rows:stride, b:b + stride * cols:stride] += np.einsum(
                "ohw,oc->chw", grad, weights[:, :, a, b])
    return padded[:, padding:padding + height, padding:padding + width]


def _layer_weights(layer, channels, rng):
    """The weights of a spatial layer: positive random for conv, averaging for a pool."""
    if layer[0] == "conv":
        size, out, stride, padding = layer[1:]
        return rng.uniform(0.5, 1.5, size=(out, channels, size, size)), stride, padding
    if layer[0] == "pool":
        size, stride = layer[1:]
        average = np.eye(channels)[:, :, None, None] * np.full((size, size), 1.0 / size**2)
        return average, stride, 0
    raise ValueError(f"layer == {layer!r} has no receptive field; the stack for it may hold "
                     f"only ('conv', ...) and ('pool', ...) layers")


def receptive_field(stack, size=None, seed=0):
    """Input pixels along one axis that reach one output unit, measured by back-propagation.

    The stack runs on a ``size x size`` single-channel input with positive random conv
    weights; pools average (a max pool routes the gradient to one pixel per window, but
    every pixel of the window can win, so the pixels that *can* reach the unit are the
    average pool's).  A one-hot gradient at the central output unit is sent back layer by
    layer; the receptive field is the extent of the non-zero input gradient.

    Examples
    --------
    >>> receptive_field([("conv", 3, 1, 1, 0), ("pool", 2, 2), ("conv", 3, 1, 1, 0)])
    8
    """
    rng = np.random.default_rng(seed)
    if size is None:
        strides = [layer[3] if layer[0] == "conv" else layer[-1] for layer in stack]
        size = 4 * sum(layer[1] for layer in stack) * int(np.prod(strides)) + 1
    x = np.zeros((1, size, size))
    tape = []
    for layer in stack:
        weights, stride, padding = _layer_weights(layer, x.shape[0], rng)
        tape.append((weights, stride, padding, x.shape))
        x = conv2d(x, weights, stride, padding)
    grad = np.zeros(x.shape)
    grad[0, x.shape[1] // 2, x.shape[2] // 2] = 1.0
    for weights, stride, padding, shape in reversed(tape):
        grad = conv2d_backward(grad, weights, shape, stride, padding)
    rows = np.flatnonzero(np.abs(grad).sum(axis=(0, 2)) > 0)
    cols = np.flatnonzero(np.abs(grad).sum(axis=(0, 1)) > 0)
    if rows[0] == 0 or cols[0] == 0 or rows[-1] == size - 1 or cols[-1] == size - 1:
        raise ValueError(f"size == {size} is too small: the receptive field reaches the "
                         f"border; pass a larger size")
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    if height != width:
        raise ArithmeticError(f"receptive field {height} x {width} is not square")
    return int(height)


def parameter_count(stack, shape):
    """Parameters of ``stack`` on inputs of ``shape = (h, w, c)``, counted on built arrays.

    Every layer's weight and bias arrays are allocated and the stack is run forward on a
    zero input to find each layer's input shape.  Returns the total and the per-layer
    counts.

    Examples
    --------
    >>> parameter_count([("conv", 3, 8, 1, 1), ("pool", 2, 2), ("fc", 10)], (4, 4, 1))
    (410, [80, 0, 330])
    """
    height, width, channels = shape
    x = np.zeros((channels, height, width))
    counts = []
    for layer in stack:
        if layer[0] == "fc":
            weights, bias = np.zeros((layer[1], x.size)), np.zeros(layer[1])
            x = weights @ x.ravel() + bias
            x = x.reshape(-1, 1, 1)
            counts.append(weights.size + bias.size)
            continue
        weights, stride, padding = _layer_weights(layer, x.shape[0], np.random.default_rng(0))
        x = conv2d(x, weights, stride, padding)
        counts.append(weights.size + weights.shape[0] if layer[0] == "conv" else 0)
    return sum(counts), counts


def network_size(stack, shape):
    """Neurons, parameters, and the parameters of the fully connected twin, on built arrays.

    The stack runs forward on a zero input of ``shape = (h, w, c)``; every layer's output
    array is counted as neurons.  The twin replaces each convolution by a dense weight
    matrix from the flattened input array to the flattened output array (counted from the
    two arrays' sizes, not allocated), plus a bias per output.

    Examples
    --------
    >>> network_size([("conv", 3, 1, 1, 1), ("pool", 2, 2), ("fc", 10)], (4, 4, 1))
    (30, 60, 322)
    """
    height, width, channels = shape
    x = np.zeros((channels, height, width))
    neurons = parameters = twin = 0
    for layer in stack:
        before = x
        if layer[0] == "fc":
            weights, bias = np.zeros((layer[1], x.size)), np.zeros(layer[1])
            x = (weights @ x.ravel() + bias).reshape(-1, 1, 1)
            parameters += weights.size + bias.size
            twin += weights.size + bias.size
        else:
            weights, stride, padding = _layer_weights(layer, x.shape[0], np.random.default_rng(0))
            x = conv2d(x, weights, stride, padding)
            if layer[0] == "conv":
                parameters += weights.size + weights.shape[0]
                twin += x.size * before.size + x.size  # a dense (out x in) matrix and biases
        neurons += x.size
    return neurons, parameters, twin
