"""Convolution arithmetic: same-padded outputs, output sizes, receptive fields, parameter counts.

Model: an ``n x n`` input, a ``k x k`` kernel, zero padding ``p`` and stride ``s``.
Cross-correlation ``Y[i, j] = sum_{a, b} X_pad[i + a, j + b] K[a, b]`` (what deep-learning
libraries call convolution) and convolution proper, the same sum with the kernel
flipped, ``K[k-1-a, k-1-b]``.  A stack of layers is a list of tuples:
``("conv", kernel, channels, stride, padding)``, ``("pool", size, stride)``,
``("fc", units)``.  The problem set's example is a 5x5 input with a vertical edge and a
3x3 vertical-edge kernel; its stacks are conv-pool-conv with ``k x k`` kernels and a
2x2 stride-2 pool, and a small CNN on 28x28 inputs against its fully connected twin.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import Derivation, Parameter, Result, Step, derivation

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
p = sp.Symbol("p", integer=True, nonnegative=True)
s = sp.Symbol("s", integer=True, positive=True)
i = sp.Symbol("i", integer=True, nonnegative=True)
a, b, j = sp.symbols("a b j", integer=True, nonnegative=True)
c_in, c_out, n_in, n_out = sp.symbols("c_in c_out n_in n_out", integer=True, positive=True)
r, jump = sp.IndexedBase("r"), sp.IndexedBase("j")
X_, K_ = sp.IndexedBase("X"), sp.IndexedBase("K")

INPUT = sp.ImmutableMatrix(5, 5, lambda row, col: 1 if col < 2 else 0)
KERNEL = sp.ImmutableMatrix([[1, 0, -1]] * 3)
POOL = ("pool", 2, 2)
CNN = (("conv", 3, 8, 1, 1), POOL, ("conv", 3, 16, 1, 1), POOL, ("fc", 10))
CNN_INPUT = (28, 28, 1)
PARAMETERS = (
    Parameter(n, "input height and width", sp.Naturals),
    Parameter(k, "kernel height and width", sp.Naturals),
    Parameter(p, "zero padding on each side", sp.Naturals0),
    Parameter(s, "stride", sp.Naturals),
)
NOTATION = {"i": "index of an output position", "a, b": "kernel offsets",
            "r": "r_l, receptive field after layer l", "j": "j_l, input pixels between "
            "neighbouring units of layer l", "c_in": "input channels", "c_out": "output "
            "channels", "n_in": "inputs of a dense layer", "n_out": "its outputs",
            "X": "the input", "K": "the kernel"}


def same_padding(size=k):
    """The padding that keeps a stride-1 output the size of the input.

    Examples
    --------
    >>> same_padding(3)
    1
    """
    (padding,) = sp.solve(sp.Eq(positions(n, size, p, 1), n), p, simplify=False)
    return padding


def positions(size, kernel, padding, stride):
    """Where the kernel fits, counted: ``floor((size + 2 padding - kernel)/stride) + 1``.

    Examples
    --------
    >>> positions(5, 3, 1, 2)
    3
    """
    return sp.floor((size + 2 * padding - kernel) / stride) + 1


def output_size():
    """The number of output positions along one axis, from where the kernel fits.

    Examples
    --------
    >>> output_size()[0]
    floor((-k + n + 2*p)/s) + 1
    """
    fits = sp.LessThan(i * s + k, n + 2 * p)
    last = sp.solve(sp.Eq(fits.lhs, fits.rhs), i, simplify=False)[0]
    count = sp.floor(sp.together(last)) + 1
    if count != positions(n, k, p, s):
        raise ArithmeticError(f"the counted positions {count} differ from positions()")
    steps = (
        Step("the padded input has n + 2p positions; output i starts at i s and must fit",
             fits),
        Step("the largest real i that fits", sp.Eq(i, last)),
        Step("i = 0, 1, ..., floor of it: the count", sp.Eq(sp.Symbol("n_out"), count)),
        Step("when s divides n + 2p - k the floor drops: the textbook (n + 2p - k)/s + 1",
             sp.Eq(sp.Symbol("n_out"), sp.expand(last + 1))),
        Step("'same' padding keeps n at stride 1 for odd k", sp.Eq(p, same_padding())),
    )
    return count, steps


def correlate_same(image, kernel):
    """Zero-padded 'same' cross-correlation ``sum_{a,b} X_pad[i+a, j+b] K[a, b]``, exactly.

    Examples
    --------
    >>> correlate_same(sp.eye(2), sp.ImmutableMatrix([[1, 0, 0], [0, 0, 0], [0, 0, 0]]))
    Matrix([
    [0, 0],
    [0, 1]])
    """
    size = kernel.rows
    pad = same_padding(size)
    padded = sp.zeros(image.rows + 2 * pad, image.cols + 2 * pad)
    padded[pad:pad + image.rows, pad:pad + image.cols] = image
    return sp.Matrix(image.rows, image.cols, lambda row, col: sum(
        padded[row + da, col + db] * kernel[da, db]
        for da in range(size) for db in range(size)))


def flipped(kernel):
    """The kernel turned by 180 degrees: ``K[k-1-a, k-1-b]``.

    Examples
    --------
    >>> flipped(sp.ImmutableMatrix([[1, 2], [3, 4]]))
    Matrix([
    [4, 3],
    [2, 1]])
    """
    return sp.Matrix(kernel.rows, kernel.cols,
                     lambda row, col: kernel[kernel.rows - 1 - row, kernel.cols - 1 - col])


def convolve_same(image, kernel):
    """Zero-padded 'same' convolution: cross-correlation with the flipped kernel.

    Examples
    --------
    >>> convolve_same(sp.eye(2), sp.ImmutableMatrix([[1, 0, 0], [0, 0, 0], [0, 0, 0]]))
    Matrix([
    [1, 0],
    [0, 0]])
    """
    return correlate_same(image, flipped(kernel))


def outputs(image=INPUT, kernel=KERNEL):
    """Both conventions' outputs for ``image`` and ``kernel``, with the steps.

    Examples
    --------
    >>> outputs()[0][0][0, :]
    Matrix([[-2, 2, 2, 0, 0]])
    """
    correlation = sp.ImmutableMatrix(correlate_same(image, kernel))
    convolution = sp.ImmutableMatrix(convolve_same(image, kernel))
    size = kernel.rows
    column, row = kernel[:, 0], kernel[0, :] / kernel[0, 0]
    separable = column * row == kernel
    entry = sp.Sum(X_[i + a - same_padding(size), j + b - same_padding(size)] * K_[a, b],
                   (a, 0, size - 1), (b, 0, size - 1))
    labels = (sp.Function("corr")(sp.Symbol("X"), sp.Symbol("K")),
              sp.Function("conv")(sp.Symbol("X"), sp.Symbol("K")))
    steps = (
        Step("the input and the kernel", sp.Tuple(image, kernel)),
        Step("'same' padding for this kernel", sp.Eq(p, same_padding(size))),
        Step("cross-correlation, entry (i, j) (X is 0 outside its rows and columns)",
             sp.Eq(sp.Function("corr")(i, j), entry)),
        Step("evaluated at every (i, j)", sp.Eq(labels[0], correlation, evaluate=False)),
        Step("convolution slides the flipped kernel", sp.Eq(sp.Symbol("K_flipped"),
                                                             flipped(kernel), evaluate=False)),
        Step("evaluated at every (i, j)", sp.Eq(labels[1], convolution, evaluate=False)),
    )
    if separable:
        steps += (Step("the kernel is a column of ones times a central difference: it averages "
                       "down and differentiates across, a vertical-edge (Prewitt) detector; "
                       "the correlation is positive where intensity falls from left to right",
                       sp.Eq(kernel, sp.MatMul(column, row, evaluate=False),
                             evaluate=False)),)
    return (correlation, convolution), labels, steps


def layer_geometry(stack):
    """Kernel size and stride of each layer that has a spatial extent.

    Examples
    --------
    >>> layer_geometry([("conv", 3, 8, 1, 1), ("pool", 2, 2), ("fc", 10)])
    [(3, 1), (2, 2)]
    """
    geometry = []
    for layer in stack:
        if layer[0] == "conv":
            geometry.append((layer[1], layer[3]))
        elif layer[0] == "pool":
            geometry.append((layer[1], layer[2]))
    return geometry


def receptive_field(stack):
    """The recursion ``r_l = r_{l-1} + (k_l - 1) j_{l-1}``, ``j_l = j_{l-1} s_l`` from 1, 1.

    Returns the final ``r`` and the ``(r_l, j_l)`` after every layer.

    Examples
    --------
    >>> receptive_field([("conv", 3, 1, 1, 0), ("pool", 2, 2), ("conv", 3, 1, 1, 0)])[0]
    8
    """
    field, spacing = sp.Integer(1), sp.Integer(1)
    history = []
    for size, stride in layer_geometry(stack):
        field, spacing = field + (size - 1) * spacing, spacing * stride
        history.append(sp.Tuple(field, spacing))
    return field, history


def receptive_field_result():
    """Conv-pool-conv with ``k x k`` kernels: the recursion, its value, 8 and 14."""
    stack = (("conv", k, 1, 1, 0), POOL, ("conv", k, 1, 1, 0))
    field, history = receptive_field(stack)
    field = sp.expand(field)
    steps = (
        Step("a unit of layer l sees k_l neighbouring units of layer l-1, which are j_{l-1} "
             "input pixels apart", sp.Tuple(
                 sp.Eq(r[sp.Symbol("l")], r[sp.Symbol("l") - 1]
                       + (sp.Symbol("k_l") - 1) * jump[sp.Symbol("l") - 1]),
                 sp.Eq(jump[sp.Symbol("l")], jump[sp.Symbol("l") - 1] * sp.Symbol("s_l")))),
        Step("from r_0 = j_0 = 1 through conv k (stride 1), pool 2 (stride 2), conv k: "
             "(r_l, j_l) after each layer", sp.Tuple(*history)),
        Step("3x3 kernels and 5x5 kernels", sp.Tuple(field.subs(k, 3), field.subs(k, 5))),
    )
    return field, steps


def layer_parameters(layer, shape):
    """Weights and biases of one layer on an input of ``shape = (height, width, channels)``.

    Counted as the number of distinct indices of the weight tensor, plus one bias per
    output channel or unit.  Returns the count and the output shape.

    Examples
    --------
    >>> layer_parameters(("conv", 3, 8, 1, 1), (28, 28, 1))
    (80, (28, 28, 8))
    >>> layer_parameters(("fc", 10), (7, 7, 16))
    (7850, (1, 1, 10))
    """
    height, width, channels = shape
    kind = layer[0]
    if kind == "conv":
        size, out, stride, padding = layer[1:]
        weights = sp.summation(1, (a, 1, size), (b, 1, size), (i, 1, channels), (j, 1, out))
        return weights + out, (positions(height, size, padding, stride),
                               positions(width, size, padding, stride), out)
    if kind == "pool":
        size, stride = layer[1:]
        return sp.Integer(0), (positions(height, size, 0, stride),
                               positions(width, size, 0, stride), channels)
    if kind == "fc":
        (units,) = layer[1:]
        weights = sp.summation(1, (i, 1, height * width * channels), (j, 1, units))
        return weights + units, (1, 1, units)
    raise ValueError(f"layer == {layer!r}, its kind must be 'conv', 'pool' or 'fc'; "
                     f"write e.g. ('conv', 3, 8, 1, 1), ('pool', 2, 2) or ('fc', 10)")


def parameter_count(stack, shape):
    """Total parameters of ``stack`` on inputs of ``shape``; with per-layer counts and shapes.

    Examples
    --------
    >>> parameter_count(CNN, CNN_INPUT)[0]
    9098
    """
    counts, shapes = [], [tuple(shape)]
    for layer in stack:
        count, out = layer_parameters(layer, shapes[-1])
        counts.append(count)
        shapes.append(out)
    return sum(counts), counts, shapes


def fully_connected_twin(stack, shape):
    """Parameters per layer of the twin with the same neurons, every layer dense.

    Each convolution becomes a dense layer from all of the previous layer's neurons to
    all of its own; pools stay as they are.

    Examples
    --------
    >>> fully_connected_twin([("conv", 3, 2, 1, 1)], (4, 4, 1))
    [544]
    """
    _, _, shapes = parameter_count(stack, shape)
    return [sp.Integer(0) if layer[0] == "pool"
            else layer_parameters(("fc", sp.Mul(*after)), (sp.Mul(*before), 1, 1))[0]
            for layer, before, after in zip(stack, shapes, shapes[1:])]


def parameter_count_result():
    """The small CNN and its fully connected twin: neurons and parameters, with the steps."""
    conv_general = layer_parameters(("conv", k, c_out, 1, 0), (n, n, c_in))[0]
    dense_general = layer_parameters(("fc", n_out), (n_in, 1, 1))[0]
    total, counts, shapes = parameter_count(CNN, CNN_INPUT)
    twin_counts = fully_connected_twin(CNN, CNN_INPUT)
    twin_total = sum(twin_counts)
    neurons = sp.Tuple(*(sp.Mul(*out) for out in shapes[1:]))
    steps = (
        Step("a k x k convolution from c_in to c_out channels: one weight per (a, b, c_in, "
             "c_out) and one bias per output channel", sp.Eq(sp.Symbol("P_conv"),
                                                            conv_general)),
        Step("a dense layer: one weight per (input, output) pair and one bias per output",
             sp.Eq(sp.Symbol("P_fc"), dense_general)),
        Step("the CNN " + ", ".join(map(str, CNN)) + f" on {CNN_INPUT}: output shapes",
             sp.Tuple(*(sp.Tuple(*out) for out in shapes[1:]))),
        Step("neurons per layer", neurons),
        Step("its parameters per layer", sp.Tuple(*counts)),
        Step("the fully connected twin: each convolution replaced by a dense layer with the "
             "same neurons; parameters per layer", sp.Tuple(*twin_counts)),
        Step("the twin has this many times the parameters", sp.Tuple(
            sp.Rational(twin_total, total), sp.N(sp.Rational(twin_total, total), 6))),
    )
    return sp.Tuple(total, twin_total), steps


@derivation
def derive() -> Derivation:
    """Convolution arithmetic: same-padded outputs, sizes, receptive fields, parameters.

    Examples
    --------
    >>> derive(k=3)["receptive_field"].value
    8
    >>> derive(n=28, k=5, p=0, s=1)["output_size"].value
    24
    """
    (correlation, convolution), labels, output_steps = outputs()
    size, size_steps = output_size()
    field, field_steps = receptive_field_result()
    counts, count_steps = parameter_count_result()
    return Derivation(
        "convolution", "Convolution arithmetic: sizes and receptive fields",
        (Result("output", "The zero-padded 'same' cross-correlation (what libraries call "
                "convolution) and convolution proper (flipped kernel) of the 5x5 input with "
                "the 3x3 kernel.", sp.Tuple(correlation, convolution), output_steps,
                lhs=sp.Tuple(*labels)),
         Result("output_size", "Output positions along one axis of an n-wide input, k-wide "
                "kernel, padding p, stride s.", size, size_steps, lhs=sp.Symbol("n_out")),
         Result("receptive_field", "Input pixels seen along one axis by a unit after "
                "conv(k) - pool(2, stride 2) - conv(k): 8 for 3x3 and 14 for 5x5 kernels.",
                field, field_steps, lhs=r[3]),
         Result("parameter_count", "Parameters of the small CNN (conv 3x3x8, pool, conv "
                "3x3x16, pool, fc 10 on 28x28x1) and of its fully connected twin.", counts,
                count_steps, lhs=sp.Tuple(sp.Symbol("P_CNN"), sp.Symbol("P_twin")))),
        PARAMETERS, notation=NOTATION)


if __name__ == "__main__":
    raise SystemExit(main(derive))
