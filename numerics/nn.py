"""Layers, losses and models of the small NumPy training core.

A layer holds its parameters in ``params`` (a dict ``name -> ndarray``), computes
``forward(x, training)`` keeping what the backward pass needs, and ``backward(dy)``
stores the parameter gradients in ``grads`` (same keys) and returns the input gradient.
:class:`Sequential` chains layers and names their parameters ``"<index>.<name>"``
(``"0.weight"``, ``"0.bias"``, ...), a dict that :func:`numerics.optim.tree_map` and
:func:`numerics.optim.apply_updates` work on directly.

Shapes follow :mod:`numerics.init`: a dense weight is ``(n_in, n_out)`` (``y = x W + b``),
a convolution kernel ``(out_ch, in_ch, kh, kw)``, images ``(N, C, H, W)``. A model
computes in the dtype of its parameters (``dtype=np.float32`` for speed, ``float64`` for
gradient checks). A loss is a function ``loss(scores, targets) -> (value, dscores)``,
computed stably (log-sum-exp, softplus), never ``log(0)``.
"""
from __future__ import annotations

import functools
import math
from contextlib import nullcontext

import numpy as np
from numpy.lib.stride_tricks import as_strided
from scipy.special import expit

from . import init as initializers
from . import threads
from .finite_differences import gradient as numerical_gradient
from .logistic import _hessian_at_scores, augmented_gram, logistic_objective, softplus_and_sigmoid
from .optim import _choice, _integer, _real

__all__ = ["Layer", "Linear", "ReLU", "Sigmoid", "Tanh", "Dropout", "Flatten", "Conv2d",
           "MaxPool2d", "GlobalAvgPool", "Sequential", "MLP", "softmax_cross_entropy",
           "logistic_loss", "mean_squared_error", "accuracy",
           "check_gradients", "relative_error", "LogisticRegression"]

ACTIVATIONS = ("relu", "sigmoid", "tanh")


# ------------------------------------------------------------------ layers

class Layer:
    """A layer without parameters; subclasses override ``forward`` and ``backward``.

    ``forward(x, training=True) -> y`` keeps what the backward pass needs;
    ``backward(dy, input_grad=True) -> dx`` fills ``grads`` (one entry per ``params`` key)
    and returns ``dloss/dx``, or ``None`` when ``input_grad`` is false and the layer can
    skip that product.

    ``per_example`` is true for a layer whose output for an example depends on that
    example alone and whose parameter gradients are sums over the examples (no random
    draws, no statistics of the batch): :class:`Sequential` may then split a batch between
    threads (:mod:`numerics.threads`) and add up the parts' gradients. A subclass that is
    such a layer may set it; it is false by default. ``own_work`` is true for a layer that
    spends most of its time in NumPy work of its own (copies, pools) rather than in BLAS
    products, which the BLAS's threads share already: a batch is split only where one is.
    """

    per_example = False
    own_work = False

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def __repr__(self):
        return f"{type(self).__name__}()"


def _column_sums(matrix):
    """``matrix.sum(axis=0)`` as a product with ones: much faster for tall, narrow matrices."""
    return np.ones(len(matrix), dtype=matrix.dtype) @ matrix


def _initial(init, shape, rng, dtype):
    """A weight drawn by the initializer named ``init`` of :mod:`numerics.init`."""
    draw = getattr(initializers, _choice("init", init, tuple(initializers.STD_RULES)))
    return draw(shape, rng).astype(dtype)


class Linear(Layer):
    """Affine map ``y = x W + b`` with ``W`` of shape ``(n_in, n_out)``; ``b`` starts at 0.

    Examples
    --------
    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> y = layer.forward(np.ones((4, 3)))
    >>> dx = layer.backward(np.ones((4, 2)))
    >>> y.shape, dx.shape, layer.grads["weight"].shape, layer.grads["bias"]
    ((4, 2), (4, 3), (3, 2), array([4., 4.]))
    """

    per_example = True

    def __init__(self, n_in, n_out, init="pytorch_linear_default", rng=None, dtype=np.float64):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"weight": _initial(init, (n_in, n_out), rng, dtype),
                       "bias": np.zeros(n_out, dtype=dtype)}

    def forward(self, x, training=True):
        self._x = x
        out = x @ self.params["weight"]
        out += self.params["bias"]
        return out

    def backward(self, dy, input_grad=True):
        self.grads = {"weight": self._x.T @ dy, "bias": _column_sums(dy)}
        return dy @ self.params["weight"].T if input_grad else None

    def __repr__(self):
        return f"Linear({self.params['weight'].shape[0]}, {self.params['weight'].shape[1]})"


class ReLU(Layer):
    """``max(x, 0)``; its derivative at 0 is taken as 0.

    Examples
    --------
    >>> relu = ReLU()
    >>> relu.forward(np.array([-1.0, 2.0])), relu.backward(np.array([5.0, 5.0]))
    (array([0., 2.]), array([0., 5.]))
    """

    per_example = True

    def forward(self, x, training=True):
        self._y = np.maximum(x, 0)
        return self._y

    def backward(self, dy, input_grad=True):
        return dy * (self._y > 0)


class Sigmoid(Layer):
    """The logistic function ``1 / (1 + exp(-x))`` (``scipy.special.expit``, no overflow).

    Examples
    --------
    >>> Sigmoid().forward(np.array([0.0, -1000.0]))
    array([0.5, 0. ])
    """

    per_example = True

    def forward(self, x, training=True):
        self._y = expit(x)
        return self._y

    def backward(self, dy, input_grad=True):
        return dy * self._y * (1 - self._y)


class Tanh(Layer):
    """``tanh(x)``, derivative ``1 - tanh(x)^2``.

    Examples
    --------
    >>> layer = Tanh()
    >>> _ = layer.forward(np.array([0.0]))
    >>> layer.backward(np.array([2.0]))
    array([2.])
    """

    per_example = True

    def forward(self, x, training=True):
        self._y = np.tanh(x)
        return self._y

    def backward(self, dy, input_grad=True):
        return dy * (1 - self._y * self._y)


class Dropout(Layer):
    """Inverted dropout: in training, zero each entry with probability ``p`` and scale by ``1/(1-p)``.

    The identity at evaluation (``training=False``). The mask is drawn from ``rng``.

    Examples
    --------
    >>> layer = Dropout(0.5, rng=np.random.default_rng(0))
    >>> y = layer.forward(np.ones(1000))
    >>> sorted(set(y.tolist())), layer.forward(np.ones(2), training=False)
    ([0.0, 2.0], array([1., 1.]))
    """

    def __init__(self, p, rng=None):
        super().__init__()
        self.p = _real("p", p, 0.0, 1.0, high_open=True)
        self.rng = np.random.default_rng() if rng is None else rng

    def forward(self, x, training=True):
        if not training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self._mask = keep.astype(x.dtype) / np.asarray(1 - self.p, dtype=x.dtype)
        return x * self._mask

    def backward(self, dy, input_grad=True):
        return dy if self._mask is None else dy * self._mask

    def __repr__(self):
        return f"Dropout({self.p})"


class Flatten(Layer):
    """``(N, ...) -> (N, prod(...))``.

    Examples
    --------
    >>> Flatten().forward(np.zeros((2, 3, 4))).shape
    (2, 12)
    """

    per_example = True

    def forward(self, x, training=True):
        self._x = x
        return x.reshape(x.shape[0], -1)

    def backward(self, dy, input_grad=True):
        dx = dy.reshape(self._x.shape)
        if self._x.flags.c_contiguous:
            return dx
        # laid out like the input (a convolution's is channels-major): the layers below
        # then combine arrays of one layout, several times faster than mixed ones
        out = np.empty_like(self._x, dtype=dy.dtype)
        out[...] = dx
        return out


def _strided(offset, stride, count):
    """The slice ``offset, offset + stride, ...`` of ``count`` indices."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def _swap_batch_and_channels(x):
    """``(N, C, H, W) <-> (C, N, H, W)``, a view; the swap is its own inverse.

    Convolutions store their outputs channel by channel, ``(C, N, H, W)`` in memory, and
    hand them on as ``(N, C, H, W)`` views: every kernel offset then copies whole image
    rows, and each matrix product has one row per channel.
    """
    return x.swapaxes(0, 1)


def _windows(buffer, shape, origin, stride, kernel, rows, width):
    """The ``(C, k, k, N, rows, width)`` view of the flat ``buffer`` of images ``shape = (C, N,
    H, R)`` whose first read is at index ``origin``: entry ``(c, i, j, n, p, q)`` is
    ``buffer[origin + ((c N + n) H + i + stride p) R + j + stride q]``, the input that kernel
    offset ``(i, j)`` meets at output ``(p, q)`` of image ``n``; a ``q`` past the end of a
    row reads on into the next row.
    """
    channels, n, height, row = shape
    item = buffer.itemsize
    return as_strided(buffer[origin:], (channels, kernel, kernel, n, rows, width),
                      (n * height * row * item, row * item, item, height * row * item,
                       stride * row * item, stride * item))


# Columns of a convolution's patch matrix that its products take at a time: the forward
# product piece by piece, each piece's bias added while it is in cache, and the weight
# gradient's sums (:func:`_wide_product`).  Measured with OpenBLAS on 100,352 columns, the
# first layer's products (8 x 9 and 9 x 8 results) take a third to two thirds of the time
# of whole ones; larger ones take the same.
PIECE = 8192


def _wide_product(left, right):
    """``left @ right.T`` for wide matrices ``left (m, K)`` and ``right (n, K)``: the
    products of pieces of :data:`PIECE` columns, summed.

    A convolution's weight gradient is such a product, with ``K`` the batch's output
    pixels.  Measured with OpenBLAS: with ``left`` as the left operand the long sums run
    a fifth faster at one thread than ``right @ left.T`` (half at two).

    Examples
    --------
    >>> a, b = np.ones((2, 20000)), np.ones((3, 20000))
    >>> _wide_product(a, b)
    array([[20000., 20000., 20000.],
           [20000., 20000., 20000.]])
    """
    total = left[:, :PIECE] @ right[:, :PIECE].T
    for start in range(PIECE, left.shape[1], PIECE):
        total += left[:, start:start + PIECE] @ right[:, start:start + PIECE].T
    return total


class Conv2d(Layer):
    """2-D cross-correlation (PyTorch's ``Conv2d``) by im2col: one matrix product per batch.

    Input ``(N, C_in, H, W)``, kernel ``(C_out, C_in, k, k)``, zero ``padding`` on each
    side, ``stride``; output ``(N, C_out, (H + 2 padding - k) // stride + 1, ...)``. The
    padded images are stored channel by channel, ``(C_in, N, H', R)``; one strided view of
    them holds every kernel offset's inputs (:func:`_windows`) and is copied into the patch
    matrix ``(C_in k k, N out_h width)``, and the kernel, read as a ``(C_out, C_in k k)``
    matrix, multiplies it in a product whose rows are output channels: the output is an
    ``(N, C_out, out_h, out_w)`` view of it.  Patches and product go a piece of whole
    images (about :data:`PIECE` columns) at a time, so the product reads the patches from
    the cache.

    At stride 1 the product runs over whole rows (``width = R = max(out_w, W)``: with the
    usual ``padding = (k - 1) / 2``, exactly the output), so each patch row is one run of
    ``out_h R`` numbers per image. The left and right padding are then not stored: the
    entries that would read them read the neighbouring rows instead and are set to 0
    (:meth:`_unwrap`), in the patches and in their gradient alike.

    Examples
    --------
    >>> conv = Conv2d(1, 1, 3, padding=1, rng=np.random.default_rng(0))
    >>> conv.params["weight"][:] = 0; conv.params["weight"][0, 0, 1, 1] = 2.0
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> np.array_equal(conv.forward(x), 2 * x)
    True
    """

    per_example = True
    own_work = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 init="pytorch_linear_default", rng=None, dtype=np.float64):
        super().__init__()
        self.kernel_size = _integer("kernel_size", kernel_size)
        self.stride = _integer("stride", stride)
        self.padding = _integer("padding", padding, 0)
        rng = np.random.default_rng() if rng is None else rng
        shape = (_integer("out_channels", out_channels), _integer("in_channels", in_channels),
                 self.kernel_size, self.kernel_size)
        self.params = {"weight": _initial(init, shape, rng, dtype),
                       "bias": np.zeros(out_channels, dtype=dtype)}

    def _matrix(self):
        """The kernel as ``(C_out, C_in k k)``, ordered like the rows of the patch matrix."""
        weight = self.params["weight"]
        return weight.reshape(weight.shape[0], -1)

    def _layout(self, h, w):
        """``(out_h, out_w, R, left, width)``: rows of ``R`` stored numbers with the image
        from column ``left``, and ``width`` product columns per output row."""
        k, s, p = self.kernel_size, self.stride, self.padding
        out_h, out_w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        if s == 1:
            row = max(out_w, w)
            return out_h, out_w, row, 0, row
        return out_h, out_w, w + 2 * p, p, out_w

    def _images(self, c, n, h, w, dtype):
        """Zero ``(C, N, H + 2 padding, R)`` images in a flat buffer with ``padding`` spare
        entries before them and ``k - 1`` after (read by the first and last offsets' runs),
        and the view of that buffer that the kernel's offsets read (:func:`_windows`,
        ``(C, k, k, N, out_h, width)``)."""
        k, s, p = self.kernel_size, self.stride, self.padding
        out_h, _, row, left, width = self._layout(h, w)
        shape = (c, n, h + 2 * p, row)
        buffer = np.zeros(p + math.prod(shape) + k - 1, dtype=dtype)
        images = buffer[p:p + math.prod(shape)].reshape(shape)
        return images, _windows(buffer, shape, left, s, k, out_h, width)

    def _unwrap(self, patches, row):
        """Zero the entries of ``patches`` ``(C, k, k, N, out_h, width)`` whose offset-``j``
        input is left or right padding read from a neighbouring row (stride 1 only): they
        stand for 0, in the patches and in their gradient alike."""
        if self.stride > 1:
            return
        p = self.padding
        for j in range(self.kernel_size):
            for columns in (slice(0, max(p - j, 0)), slice(row + p - j, row)):
                patches[:, :, j, ..., columns] = 0

    def forward(self, x, training=True):
        n, c, h, w = x.shape
        k, p = self.kernel_size, self.padding
        if c != self.params["weight"].shape[1] or h + 2 * p < k or w + 2 * p < k:
            raise ValueError(f"input shape {x.shape} does not fit {self!r}; pass (N, "
                             f"{self.params['weight'].shape[1]}, H, W) with H, W >= "
                             f"{k - 2 * p}")
        out_h, out_w, row, left, width = self._layout(h, w)
        images, windows = self._images(c, n, h, w, x.dtype)
        images[:, :, p:p + h, left:left + w] = _swap_batch_and_channels(x)
        self._cols = np.empty((c * k * k, n * out_h * width), dtype=x.dtype)
        self._input_shape = x.shape
        patches = self._cols.reshape(windows.shape)
        weight, bias = self._matrix(), self.params["bias"][:, None]
        product = np.empty((len(weight), self._cols.shape[1]), dtype=np.result_type(weight, x))
        taken = max(1, PIECE // (out_h * width))     # whole images, about PIECE columns
        for first in range(0, n, taken):
            # their patches, then their product and bias while the patches are in cache
            images_taken = slice(first, first + taken)
            patches[:, :, :, images_taken] = windows[:, :, :, images_taken]
            self._unwrap(patches[:, :, :, images_taken], row)
            piece = slice(first * out_h * width, min(n, first + taken) * out_h * width)
            np.matmul(weight, self._cols[:, piece], out=product[:, piece])
            product[:, piece] += bias
        return _swap_batch_and_channels(product.reshape(-1, n, out_h, width)[..., :out_w])

    def backward(self, dy, input_grad=True):
        n, out_ch = dy.shape[:2]
        _, c, h, w = self._input_shape
        out_h, out_w, row, left, width = self._layout(h, w)
        if width == out_w:
            dmat = _swap_batch_and_channels(dy).reshape(out_ch, -1)
        else:                                           # 0 in the columns past the output
            dmat = np.zeros((out_ch, n, out_h, width), dtype=dy.dtype)
            dmat[..., :out_w] = _swap_batch_and_channels(dy)
            dmat = dmat.reshape(out_ch, -1)
        weight = self.params["weight"]
        self.grads = {"weight": _wide_product(self._cols, dmat).T.reshape(weight.shape),
                      "bias": dmat.sum(axis=1)}
        if not input_grad:
            return None
        k, p = self.kernel_size, self.padding
        dcols = (self._matrix().T @ dmat).reshape(c, k, k, n, out_h, width)
        images, windows = self._images(c, n, h, w, dmat.dtype)
        self._unwrap(dcols, row)
        for i in range(k):
            for j in range(k):
                target = windows[:, i, j]
                target += dcols[:, i, j]
        return _swap_batch_and_channels(images[:, :, p:p + h, left:left + w])

    def __repr__(self):
        out_ch, in_ch, k, _ = self.params["weight"].shape
        return f"Conv2d({in_ch}, {out_ch}, {k}, stride={self.stride}, padding={self.padding})"


def _along(axis, offset, stride, count):
    """The index selecting ``offset, offset + stride, ...`` (``count`` of them) along ``axis`` of a 4-D array."""
    index = [slice(None)] * 4
    index[axis] = _strided(offset, stride, count)
    return tuple(index)


def _running_max(x, axis, size, stride, count):
    """Max over ``size`` strided offsets along ``axis``, and the first offset that attains it."""
    out = x[_along(axis, 0, stride, count)]
    first = np.zeros(out.shape, dtype=np.uint8)
    for offset in range(1, size):
        window = x[_along(axis, offset, stride, count)]
        # strictly greater: a tie keeps the earlier offset, a raise moves to this later one
        raised = (window > out).view(np.uint8)
        first = raised if offset == 1 else np.maximum(first, raised * np.uint8(offset))
        out = np.maximum(out, window)
    return out, first


def _spread(d, first, axis, size, stride, like):
    """Adjoint of :func:`_running_max`: ``d`` sent back to the offsets in ``first``, laid out like ``like``."""
    count = d.shape[axis]
    tiled = stride == size and size * count == like.shape[axis]   # every entry is written once
    out = (np.empty_like if tiled else np.zeros_like)(like, dtype=d.dtype)
    for offset in range(size):
        target = out[_along(axis, offset, stride, count)]
        if stride < size:                                      # windows overlap
            target += d * (first == offset)
        else:
            np.multiply(d, first == offset, out=target)
    return out


class MaxPool2d(Layer):
    """Max over ``size x size`` windows (``stride`` defaults to ``size``); the gradient goes to the first maximum.

    "First" in row-major order within the window, as in PyTorch. The max is taken along
    the width, then along the height (separable, so each pass runs over long rows), and
    each stage remembers which offset won. Works in the memory layout it is given.

    Examples
    --------
    >>> pool = MaxPool2d(2)
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> pool.forward(x)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0, :2]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    """

    per_example = True
    own_work = True

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = _integer("size", size)
        self.stride = self.size if stride is None else _integer("stride", stride)

    def forward(self, x, training=True):
        n, c, h, w = x.shape
        if h < self.size or w < self.size:
            raise ValueError(f"input shape {x.shape} is smaller than the {self.size}x{self.size} "
                             f"window; pass larger images or a smaller size")
        out_h, out_w = (h - self.size) // self.stride + 1, (w - self.size) // self.stride + 1
        self._input = x
        self._rows, self._column = _running_max(x, 3, self.size, self.stride, out_w)
        out, self._row = _running_max(self._rows, 2, self.size, self.stride, out_h)
        return out

    def backward(self, dy, input_grad=True):
        drows = _spread(dy, self._row, 2, self.size, self.stride, self._rows)
        return _spread(drows, self._column, 3, self.size, self.stride, self._input)

    def __repr__(self):
        return f"MaxPool2d({self.size}, stride={self.stride})"


class GlobalAvgPool(Layer):
    """Mean over the spatial axes: ``(N, C, H, W) -> (N, C)``.

    Examples
    --------
    >>> GlobalAvgPool().forward(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    """

    per_example = True

    def forward(self, x, training=True):
        self._shape = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, dy, input_grad=True):
        area = self._shape[2] * self._shape[3]
        return np.broadcast_to((dy / area)[:, :, None, None], self._shape)


# ------------------------------------------------------------------ models

def _running_order(layers):
    """The layers in the order they run: a :class:`ReLU` directly before a :class:`MaxPool2d` moves after it.

    The two commute: ``max(relu(x)) = relu(max(x))`` over every window, and so do their
    gradients: when a window's maximum is positive, the first maximum of ``relu(x)`` is the
    first maximum of ``x`` and the ReLU passes its gradient; otherwise both orders send 0.
    Pooling first runs the ReLU forward and backward on ``1 / size^2`` of the entries.

    Examples
    --------
    >>> _running_order([Conv2d(1, 2, 3), ReLU(), MaxPool2d(2), Flatten()])
    [Conv2d(1, 2, 3, stride=1, padding=0), MaxPool2d(2, stride=2), ReLU(), Flatten()]
    """
    order = list(layers)
    for index in range(len(order) - 1):
        if type(order[index]) is ReLU and type(order[index + 1]) is MaxPool2d:
            order[index], order[index + 1] = order[index + 1], order[index]
    return order


def _forward(layers, x, training):
    """``x`` through ``layers`` in order."""
    for layer in layers:
        x = layer.forward(x, training)
    return x


def _backward(layers, dy, input_grad):
    """``dy`` back through ``layers``; the first takes ``input_grad``."""
    for layer in layers[:0:-1]:
        dy = layer.backward(dy)
    return layers[0].backward(dy, input_grad=input_grad) if layers else dy


# The fewest examples a thread's part of a batch holds: below that, handing work to a
# thread costs more than it saves.
MIN_PART = 32


def _parts(x, layers):
    """Consecutive slices of the batch ``x``, one a thread (:func:`numerics.threads.available`),
    each of at least :data:`MIN_PART` examples; ``None`` to run it whole: one thread, too
    few examples, a layer that is not ``per_example``, or none with ``own_work`` (a dense
    network's time is its products, which the BLAS's threads share with less overhead:
    measured, an MLP 784-100-100-10's forward and backward on 128 examples took 0.37 ms
    with two BLAS threads and 0.81 ms split in two).

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> images = np.zeros((100, 1, 4, 4))
    >>> dense = [Flatten(), Linear(16, 2)]
    >>> with threadpool_limits(2, user_api="blas"):
    ...     _parts(images, [Conv2d(1, 2, 3), Flatten()]), _parts(images, dense)
    ([slice(0, 50, None), slice(50, 100, None)], None)
    """
    if (not np.ndim(x) or not all(layer.per_example for layer in layers)
            or not any(layer.own_work for layer in layers)):
        return None
    count = min(threads.available(), len(x) // MIN_PART)
    if count < 2:
        return None
    bounds = [len(x) * part // count for part in range(count + 1)]
    return [slice(start, stop) for start, stop in zip(bounds, bounds[1:])]


def _copy(layer):
    """A copy of ``layer`` for a part of a batch: the same parameters (the very arrays),
    its own state and gradients."""
    twin = object.__new__(type(layer))
    twin.__dict__.update(layer.__dict__)
    twin.grads = {}
    return twin


class Sequential:
    """Layers applied in order, with named parameters ``"<index>.<name>"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = Sequential(Linear(2, 3, rng=rng), ReLU(), Linear(3, 1, rng=rng))
    >>> sorted(model.parameters())
    ['0.bias', '0.weight', '2.bias', '2.weight']
    >>> out = model.forward(np.ones((5, 2)))
    >>> _ = model.backward(np.ones_like(out))
    >>> sorted(model.gradient_norms())
    ['0.Linear', '2.Linear']
    """

    def __init__(self, *layers):
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{index}] == {layer!r} is a {type(layer).__name__}, "
                                f"must be a Layer; pass layers such as Linear(2, 3), ReLU()")
        self.layers = list(layers)

    @property
    def dtype(self):
        """The dtype of the first parameter (inputs are cast to it); float64 without parameters."""
        for layer in self.layers:
            for value in layer.params.values():
                return value.dtype
        return np.dtype(np.float64)

    def forward(self, x, training=True):
        """The output for inputs ``x`` (cast to :attr:`dtype`); ``training`` switches dropout.

        The layers run in :func:`_running_order`: a ReLU directly before a max-pool runs
        after it, on a quarter of the entries, with the same output and gradients. Where
        the BLAS may use several threads, a batch that :func:`_parts` splits runs in parts
        at once, in threads of their own (:mod:`numerics.threads`), each through copies of
        the layers that share their parameters; the outputs are joined in order.
        """
        x = np.asarray(x, dtype=self.dtype)
        self._order = _running_order(self.layers)
        self._parts = _parts(x, self._order)
        self._chains = None if self._parts is None else [
            [_copy(layer) for layer in self._order] for _ in self._parts]
        if self._chains is None:
            return _forward(self._order, x, training)
        return np.concatenate(threads.run_parts(
            lambda i: _forward(self._chains[i], x[self._parts[i]], training),
            range(len(self._parts))))

    def backward(self, dy, input_grad=True):
        """Back-propagate ``dy = dloss/doutput``; fills every layer's ``grads``; returns ``dloss/dx``.

        With ``input_grad=False`` the first layer skips the input gradient (a training
        step never needs it) and ``None`` is returned. Follows the last :meth:`forward`;
        after a split one, each part goes back through its own copies, in threads, and a
        layer's gradients are the sums of its copies'.
        """
        order, parts = getattr(self, "_order", self.layers), getattr(self, "_parts", None)
        if parts is None:
            return _backward(order, dy, input_grad)
        chains = self._chains
        gradients = threads.run_parts(lambda i: _backward(chains[i], dy[parts[i]], input_grad),
                                      range(len(parts)))
        for index, layer in enumerate(order):
            layer.grads = {name: functools.reduce(np.add, [chain[index].grads[name]
                                                           for chain in chains])
                           for name in layer.params}
        return np.concatenate(gradients) if input_grad else None

    def parameters(self):
        """``{"<index>.<name>": array}``, the arrays themselves (not copies)."""
        return {f"{index}.{name}": value for index, layer in enumerate(self.layers)
                for name, value in layer.params.items()}

    def gradients(self):
        """``{"<index>.<name>": gradient}`` from the last :meth:`backward`."""
        return {f"{index}.{name}": layer.grads[name] for index, layer in enumerate(self.layers)
                for name in layer.params}

    def set_parameters(self, params):
        """Replace the parameters by ``params`` (same keys and shapes), cast to each one's dtype."""
        current = self.parameters()
        if params.keys() != current.keys():
            raise ValueError(f"params has keys {sorted(params)}, must have {sorted(current)}; "
                             f"pass a dict from model.parameters()")
        for key, value in params.items():
            index, name = key.split(".", 1)
            old = current[key]
            value = np.asarray(value, dtype=old.dtype)
            if value.shape != old.shape:
                raise ValueError(f"params[{key!r}] has shape {value.shape}, must have "
                                 f"{old.shape}; pass arrays shaped like model.parameters()")
            self.layers[int(index)].params[name] = value

    def gradient_norms(self):
        """Euclidean norm of each parameterised layer's gradient, keyed ``"<index>.<Layer>"``.

        Where the last batch was split between threads, its dot products run on one thread
        here: a threaded one would leave the BLAS's threads spinning through the parts of
        the next batch (:mod:`numerics.threads`).
        """
        split = getattr(self, "_parts", None) is not None
        with threads.single_threaded_blas() if split else nullcontext():
            return {f"{index}.{type(layer).__name__}":
                    math.sqrt(sum(float(np.vdot(g, g)) for g in layer.grads.values()))
                    for index, layer in enumerate(self.layers) if layer.params}

    def __repr__(self):
        return "Sequential(" + ", ".join(repr(layer) for layer in self.layers) + ")"


class MLP(Sequential):
    """A multilayer perceptron: ``Linear`` layers of ``sizes`` with an activation between them.

    Parameters
    ----------
    sizes : sequence of int
        Widths from input to output, e.g. ``(784, 100, 100, 10)``.
    activation : {"relu", "sigmoid", "tanh"}
    init : str
        An initializer of :mod:`numerics.init` for the weights.
    dropout : float
        Dropout probability after each hidden activation (0: none).
    seed : int
        Seeds the initialization and the dropout masks.
    dtype : numpy dtype
        ``np.float32`` for speed, ``np.float64`` (default) for gradient checks.

    Examples
    --------
    >>> model = MLP((784, 100, 100, 10), dtype=np.float32)
    >>> model
    Sequential(Linear(784, 100), ReLU(), Linear(100, 100), ReLU(), Linear(100, 10))
    >>> model.forward(np.zeros((2, 784))).dtype
    dtype('float32')
    """

    def __init__(self, sizes, activation="relu", init="pytorch_linear_default", dropout=0.0,
                 seed=0, dtype=np.float64):
        sizes = [_integer("sizes[i]", n) for n in sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes == {sizes!r}, needs at least an input and an output width; "
                             f"pass e.g. (784, 100, 10)")
        nonlinearity = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}[
            _choice("activation", activation, ACTIVATIONS)]
        rng = np.random.default_rng(seed)
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [Linear(n_in, n_out, init, rng, dtype), nonlinearity()]
            if dropout:
                layers.append(Dropout(dropout, rng))
        super().__init__(*layers[:-2 if dropout else -1])


# ------------------------------------------------------------------ losses

def _labels(name, labels, n):
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"{name} has shape {labels.shape}, must be ({n},), one label per row "
                         f"of the scores; pass a 1-D array of labels")
    return labels


def _scores(name, scores, ndim=None, order="K"):
    """``scores`` as an array of at least float64 precision, and the dtype of its gradient.

    A loss is computed in float64 (or wider) even for float16/float32 scores, whose range
    cannot hold the shifted logits or the squares (float16 overflows past 65504); the
    gradient is returned in the scores' own floating dtype. ``order`` is the memory
    layout of the widened array (copied only where the dtype or the layout differ).
    """
    scores = np.asarray(scores)
    if scores.dtype.kind not in "biuf":
        raise ValueError(f"{name} has dtype {scores.dtype}, must be real numbers; pass a "
                         f"float array")
    if scores.size == 0 or (ndim is not None and scores.ndim != ndim):
        raise ValueError(f"{name} has shape {scores.shape}, must hold at least one example"
                         f"{f' as a {ndim}-D array' if ndim else ''}; an empty batch has no "
                         f"mean loss: pass a batch with at least one row")
    grad_dtype = scores.dtype if scores.dtype.kind == "f" else np.dtype(np.float64)
    return (scores.astype(np.result_type(scores.dtype, np.float64), order=order, copy=False),
            grad_dtype)


def _mean(values):
    """The mean as ``sum(v / n)``: finite whenever every term is (``sum(v) / n`` overflows at 1e308)."""
    return float((values / values.size).sum())


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of ``softmax(logits)`` against integer ``labels``, and its gradient.

    ``loss = mean(logsumexp(z) - z[y])`` computed in float64 with the maximum subtracted
    (no overflow, no ``log(0)``); ``dloss/dz = (softmax(z) - onehot(y)) / n`` in the
    logits' dtype. The loss is finite whenever its exact value is below float64's maximum.

    Examples
    --------
    >>> loss, grad = softmax_cross_entropy(np.zeros((2, 10)), np.array([3, 7]))
    >>> round(loss, 4), grad.shape     # log(10): the loss of a uniform 10-class guess
    (2.3026, (2, 10))
    >>> softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))[0]
    1000.0
    >>> softmax_cross_entropy(np.array([[6e4, -6e4]], dtype=np.float16), np.array([1]))[0]
    120000.0
    """
    # in columns: a row's maximum then runs down k columns at once
    z, grad_dtype = _scores("logits", logits, ndim=2, order="F")
    n, k = z.shape
    labels = _labels("labels", labels, n)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels have dtype {labels.dtype}, must be integer class indices; "
                         f"pass labels.astype(int)")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels range over [{labels.min()}, {labels.max()}], must lie in "
                         f"[0, {k - 1}] for {k} classes; pass class indices")
    rows = np.arange(n)
    shifted = z - z.max(axis=1, keepdims=True)
    grad = np.exp(shifted)
    total = grad @ np.ones(k, dtype=grad.dtype)
    loss = _mean(np.log(total) - shifted[rows, labels])
    total *= n
    grad /= total[:, None]                            # softmax / n
    grad[rows, labels] -= 1.0 / n
    return loss, grad.astype(grad_dtype, order="C", copy=False)


def logistic_loss(scores, labels):
    """Mean logistic loss ``log(1 + exp(-y s))`` for labels ``y`` in ``{-1, +1}``, and its gradient.

    Computed stably in float64 by :func:`softplus_and_sigmoid`; ``dloss/ds = -y expit(-y s) / n``.
    ``scores`` may be ``(n,)`` or ``(n, 1)``; the gradient has their shape and dtype.

    Examples
    --------
    >>> loss, grad = logistic_loss(np.array([0.0, 800.0]), np.array([1, -1]))
    >>> round(loss, 4), grad
    (400.3466, array([-0.25,  0.5 ]))
    >>> logistic_loss(np.array([1e308, 1e308]), np.array([-1, -1]))[0]
    1e+308
    """
    wide, grad_dtype = _scores("scores", scores)
    s = wide.reshape(-1)
    y = _labels("labels", labels, s.size)
    if not np.all(np.abs(y) == 1):
        raise ValueError("labels must be -1 or +1 for the logistic loss; map classes with "
                         "numerics.data.select_pair")
    softplus, sigmoid = softplus_and_sigmoid(y * s)
    grad = (-y * sigmoid / s.size).astype(grad_dtype, copy=False)
    return _mean(softplus), grad.reshape(np.shape(scores))


def mean_squared_error(predictions, targets):
    """``mean((p - t)^2)`` over all entries (PyTorch's ``MSELoss``) and its gradient ``2 (p - t) / size``.

    Computed in float64 (the squares of float16 predictions overflow past 256); the
    gradient has the predictions' dtype.

    Examples
    --------
    >>> mean_squared_error(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    (5.0, array([1., 3.]))
    """
    wide, grad_dtype = _scores("predictions", predictions)
    difference = wide - np.asarray(targets, dtype=wide.dtype).reshape(wide.shape)
    grad = (2 * difference / difference.size).astype(grad_dtype, copy=False)
    return _mean(difference * difference), grad


def accuracy(scores, labels):
    """Fraction classified right: argmax of ``(n, k)`` scores, or the sign of ``(n,)`` scores for ±1 labels.

    Examples
    --------
    >>> accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
    0.5
    >>> accuracy(np.array([2.0, -1.0]), np.array([1, -1]))
    1.0
    """
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] > 1:
        predicted = scores.argmax(axis=1)
    else:
        predicted = np.where(scores.reshape(-1) > 0, 1, -1)
    return int(np.count_nonzero(predicted == np.asarray(labels).reshape(-1))) / len(predicted)


# ------------------------------------------------------------------ gradient checking

def relative_error(a, b):
    """``||a - b|| / max(||a|| + ||b||, 1e-12)``.

    Examples
    --------
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def check_gradients(model, loss, x, targets, step=1e-6, training=False):
    """Relative errors between back-propagated and central-difference gradients.

    One entry per parameter (``model.parameters()`` keys) and ``"input"`` for ``dloss/dx``.
    The model must be float64. Central differences err by ``O(step^2)``: errors around
    ``1e-7`` or below mean the backward pass is right.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = MLP((3, 4, 2), activation="tanh", seed=0)
    >>> errors = check_gradients(model, softmax_cross_entropy, rng.normal(size=(5, 3)),
    ...                          np.array([0, 1, 1, 0, 1]))
    >>> max(errors.values()) < 1e-7
    True
    """
    if model.dtype != np.float64:
        raise ValueError(f"model.dtype == {model.dtype}, must be float64 for a gradient check; "
                         f"build the model with dtype=np.float64")
    x = np.asarray(x, dtype=np.float64)

    def objective(inputs):
        return loss(model.forward(inputs, training), targets)[0]

    _, dscores = loss(model.forward(x, training), targets)
    errors = {"input": relative_error(model.backward(dscores), numerical_gradient(
        objective, x, step))}
    analytic = {key: g.copy() for key, g in model.gradients().items()}
    params = {key: value.copy() for key, value in model.parameters().items()}
    for key, value in params.items():
        def at(p, key=key):
            model.set_parameters({**params, key: p})
            return objective(x)
        errors[key] = relative_error(analytic[key], numerical_gradient(at, value, step))
    model.set_parameters(params)
    return errors

# ------------------------------------------------------------------ logistic regression

SOLVERS = ("gd", "nesterov", "sgd")


class LogisticRegression:
    """L2-regularised logistic regression, labels ``y`` in ``{-1, +1}``, trained by GD, Nesterov or SGD.

    Minimises the objective of the ``logistic`` derivation,

        ``f(w, w0) = (1/n) sum_i log(1 + exp(-y_i (x_i . w + w0))) + lam/2 (||w||^2 + w0^2)``,

    which is ``lam``-strongly convex and ``L``-smooth with
    ``L <= lam + lambda_max([X, 1]^T [X, 1]) / (4 n)``. Its minimiser is scikit-learn's
    ``LogisticRegression(C=1/(n lam), fit_intercept=False)`` on ``[X, 1]`` (the intercept
    penalised like the weights).

    Parameters
    ----------
    lam : float
        Regularisation ``> 0``.
    solver : {"gd", "nesterov", "sgd"}
        Full-batch gradient descent (``optim.sgd``), Nesterov's method (``optim.nesterov``,
        momentum ``(sqrt(kappa)-1)/(sqrt(kappa)+1)`` with ``kappa = L / lam``) or mini-batch SGD.
    lr : float, optional
        Step size; default ``1 / L``.
    momentum : float, optional
        Nesterov's coefficient; default from ``kappa = L / lam``.
    L : float, optional
        The smoothness constant used for the defaults (a hyper-parameter); default the bound above.
    max_iter : int
        Number of updates.
    batch_size : int
        Mini-batch size for ``"sgd"``.
    tol : float
        Full-batch solvers stop once the gradient norm is ``<= tol``.
    seed : int
        Seeds the mini-batch order.

    Attributes
    ----------
    coef_, intercept_ : the fitted ``w`` and ``w0``.
    loss_history_ : objective at each iterate (at the look-ahead points for Nesterov; the
        mini-batch objective for SGD).
    smoothness_, lr_, momentum_ : ``L``, step size and momentum used.
    hessian_ : ``(d+1, d+1)`` Hessian at the solution (``w0`` last).
    condition_number_ : its largest over its smallest eigenvalue.

    Examples
    --------
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([-1, -1, 1, 1])
    >>> model = LogisticRegression(lam=0.1, solver="nesterov", max_iter=200).fit(X, y)
    >>> model.predict(X), model.score(X, y)
    (array([-1, -1,  1,  1]), 1.0)
    >>> bool(model.hessian_.shape == (2, 2) and model.condition_number_ >= 1)
    True
    """

    def __init__(self, lam=1e-2, solver="gd", lr=None, momentum=None, L=None, max_iter=1000,
                 batch_size=128, tol=0.0, seed=0):
        self.lam, self.solver, self.lr, self.momentum, self.L = lam, solver, lr, momentum, L
        self.max_iter, self.batch_size, self.tol, self.seed = max_iter, batch_size, tol, seed

    @staticmethod
    def smoothness_bound(X, lam):
        """``lam + lambda_max([X, 1]^T [X, 1]) / (4 n)``, an upper bound on the Hessian's eigenvalues."""
        X = np.asarray(X, dtype=float)
        gram = augmented_gram(X, np.ones(X.shape[0]))
        return lam + float(np.linalg.eigvalsh(gram)[-1]) / (4 * X.shape[0])

    def _validate(self, X, y):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"X has shape {X.shape}, must be (n_samples, n_features) with "
                             f"n_samples >= 1; reshape it to 2-D")
        y = _labels("y", y, X.shape[0]).astype(float)
        if not np.all(np.abs(y) == 1):
            raise ValueError("y must hold -1 or +1 labels; map classes with "
                             "numerics.data.select_pair")
        return X, y

    def fit(self, X, y, coef_init=None, intercept_init=0.0):
        """Train on ``X`` ``(n, d)`` and ``y`` in ``{-1, +1}``; returns ``self``.

        The iterates start at ``w = coef_init`` (``None``: zeros) and ``w0 = intercept_init``,
        as scikit-learn's ``SGDClassifier.fit`` takes them.

        Examples
        --------
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([-1, -1, 1, 1])
        >>> start = LogisticRegression(max_iter=0).fit(X, y, coef_init=[0.5], intercept_init=-1.0)
        >>> start.coef_, start.intercept_
        (array([0.5]), -1.0)
        """
        from .data import minibatches
        from .optim import apply_updates, nesterov, nesterov_iterate, nesterov_momentum, sgd
        X, y = self._validate(X, y)
        lam = _real("lam", self.lam, 0.0, low_open=True)
        solver = _choice("solver", self.solver, SOLVERS)
        max_iter = _integer("max_iter", self.max_iter, 0)
        L = (self.smoothness_bound(X, lam) if self.L is None
             else _real("L", self.L, lam))
        lr = 1.0 / L if self.lr is None else _real("lr", self.lr, 0.0, low_open=True)
        momentum = 0.0
        if solver == "nesterov":
            momentum = (nesterov_momentum(L / lam) if self.momentum is None
                        else _real("momentum", self.momentum, 0.0, 1.0, high_open=True))
            optimizer = nesterov(lr, momentum=momentum)
        else:
            optimizer = sgd(lr)
        theta = np.append(self._initial_coef(coef_init, X.shape[1]),
                          _real("intercept_init", intercept_init))
        state = optimizer.init(theta)
        losses = []
        batches = (minibatches(X, y, _integer("batch_size", self.batch_size), seed=self.seed,
                               epochs=None) if solver == "sgd" else None)
        for _ in range(max_iter):
            if batches is None:
                loss, grad = logistic_objective(theta, X, y, lam)
                if float(np.linalg.norm(grad)) <= self.tol:
                    losses.append(loss)
                    break
            else:
                loss, grad = logistic_objective(theta, *next(batches), lam)
            losses.append(loss)
            updates, state = optimizer.update(grad, state)
            theta = apply_updates(theta, updates)
        if solver == "nesterov":
            theta = nesterov_iterate(theta, state, momentum)
        self.coef_, self.intercept_ = theta[:-1], float(theta[-1])
        self.loss_history_ = np.array(losses)
        self.n_iter_ = len(losses)
        self.smoothness_, self.lr_, self.momentum_ = L, lr, momentum
        self.hessian_ = self.hessian(X)
        eigenvalues = np.linalg.eigvalsh(self.hessian_)
        self.condition_number_ = float(eigenvalues[-1] / eigenvalues[0])
        return self

    @staticmethod
    def _initial_coef(coef_init, d):
        if coef_init is None:
            return np.zeros(d)
        coef = np.asarray(coef_init, dtype=float)
        if coef.shape != (d,) or not np.all(np.isfinite(coef)):
            raise ValueError(f"coef_init has shape {coef.shape}, must be finite of shape ({d},), "
                             f"one weight per feature of X; pass coef_init=None for zeros")
        return coef

    def _theta(self):
        if not hasattr(self, "coef_"):
            raise ValueError("this LogisticRegression is not fitted yet; call fit(X, y) first")
        return np.append(self.coef_, self.intercept_)

    def objective(self, X, y):
        """The regularised objective ``f(w, w0)`` at the fitted parameters."""
        X, y = self._validate(X, y)
        return logistic_objective(self._theta(), X, y, self.lam)[0]

    def hessian(self, X):
        """``[X, 1]^T diag(s (1 - s)) [X, 1] / n + lam I`` at the fitted parameters, ``s = expit(margin)``."""
        X = np.asarray(X, dtype=float)
        return _hessian_at_scores(X, self.decision_function(X), self.lam)

    def decision_function(self, X):
        """Scores ``X w + w0``."""
        theta = self._theta()
        return np.asarray(X, dtype=float) @ theta[:-1] + theta[-1]

    def predict(self, X):
        """Labels ``sign(X w + w0)`` in ``{-1, +1}`` (``+1`` at 0)."""
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
