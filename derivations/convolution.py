"""Convolution arithmetic: same-padded outputs, sizes, receptive fields, neurons and parameters.

The questions of toronto CSC413 HW2, 3.  Model: an ``n x n`` input, a ``k x k`` kernel,
zero padding ``p`` and stride ``s``.  Convolution proper
``Y[i, j] = sum_{a, b} X_pad[i - a, j - b] K[a, b]`` slides the kernel flipped by 180
degrees; cross-correlation (what deep-learning libraries call convolution) slides it as
written.  3.1's input ``I`` and filter ``J`` are the sheet's; the PDF lost
J's third row, read here as ``1 1 1`` (a horizontal-edge filter, see the README of the
problems).  "Convolution as defined in lecture 4" is read as convolution proper (the
lecture's flip-and-filter); the cross-correlation is given as the other reading.
A network is a list of layers: ``("conv", kernel, channels, stride, padding)``,
``("pool", size, stride)``, ``("fc", units)``.  3.2's figure is lost: the network assumed
is conv-pool-conv-pool (3.3 fixes that start: receptive fields 3, 4, 8) followed by one
fully connected output layer of 10 units, on a 32x32 grey-scale input, every convolution
3x3, one channel, same padding, every pool 2x2 with stride 2.  Another list is given with
:func:`build` from Python or ``--layers`` on the command line, e.g.
``python -m derivations.convolution --layers "conv 3, pool 2, conv 3, pool 2, fc 10"
--input 32x32x1`` (``conv K`` is a same-padded K x K one-channel convolution, ``conv KxC``
one with C channels, ``pool S`` an S x S pool with stride S, ``fc U`` a dense layer of U
units; ``--input HxWxC`` the input shape).
"""
from __future__ import annotations

import re
import sys

import sympy as sp

from numerics.terminal import fail

from .cli import main
from .core import Derivation, Parameter, Result, Step, derivation, linear_root

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
p = sp.Symbol("p", integer=True, nonnegative=True)
s = sp.Symbol("s", integer=True, positive=True)
i = sp.Symbol("i", integer=True, nonnegative=True)
a, b, j = sp.symbols("a b j", integer=True, nonnegative=True)
c_in, c_out, n_in, n_out = sp.symbols("c_in c_out n_in n_out", integer=True, positive=True)
r, jump = sp.IndexedBase("r"), sp.IndexedBase("j")

INPUT = sp.ImmutableMatrix([[0, 0, 0, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0],
                            [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]])
KERNEL = sp.ImmutableMatrix([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])  # third row read as 1 1 1
POOL = ("pool", 2, 2)
CONV = ("conv", 3, 1, 1, 1)
CNN = (CONV, POOL, CONV, POOL, ("fc", 10))
CNN_INPUT = (32, 32, 1)
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
            "I": "the input of 3.1", "J": "the filter of 3.1"}


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
    last = linear_root(sp.Eq(fits.lhs, fits.rhs), i)
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


def detected_feature(kernel):
    """What a separable edge kernel ``column * row`` detects, read off its factors.

    A constant factor averages along its axis; a factor summing to zero differentiates
    along the other.  Returns the factors and a sentence.

    Examples
    --------
    >>> detected_feature(KERNEL)[2].split(":")[0]
    'horizontal edges'
    """
    column, row = kernel[:, 0], kernel[0, :] / kernel[0, 0]
    if column * row != kernel:
        return column, row, "no single edge direction (the kernel is not separable)"
    if len(set(row)) == 1 and sum(column) == 0:
        return column, row, ("horizontal edges: it sums along each row and differences the "
                             "rows above and below, so it responds where intensity changes "
                             "from one row to the next")
    if len(set(column)) == 1 and sum(row) == 0:
        return column, row, ("vertical edges: it sums along each column and differences the "
                             "columns left and right, so it responds where intensity changes "
                             "from one column to the next")
    return column, row, "no single edge direction (neither factor is constant)"


def outputs(image=INPUT, kernel=KERNEL):
    """Convolution proper (the reading used) and cross-correlation, with the steps.

    Examples
    --------
    >>> outputs()[0][0][1, :]
    Matrix([[-2, -3, -3, -2, -1]])
    """
    convolution = sp.ImmutableMatrix(convolve_same(image, kernel))
    correlation = sp.ImmutableMatrix(correlate_same(image, kernel))
    size = kernel.rows
    column, row, feature = detected_feature(kernel)
    half = same_padding(size)
    I_, J_ = sp.IndexedBase("I"), sp.IndexedBase("J")
    flipped_entry = sp.Sum(I_[i - a + half, j - b + half] * J_[a, b], (a, 0, size - 1),
                           (b, 0, size - 1))
    entry = sp.Sum(I_[i + a - half, j + b - half] * J_[a, b], (a, 0, size - 1), (b, 0, size - 1))
    labels = (sp.Function("conv")(sp.Symbol("I"), sp.Symbol("J")),
              sp.Function("corr")(sp.Symbol("I"), sp.Symbol("J")))
    steps = (
        Step("the sheet's input I and filter J (the third row of J, lost in the conversion, "
             "read as 1 1 1)", sp.Tuple(image, kernel)),
        Step("same size output: zero padding on each side", sp.Eq(p, half)),
        Step("convolution, entry (i, j), indices from 0 (the input is 0 outside its rows and "
             "columns): the kernel enters flipped",
             sp.Eq(sp.Function("conv")(i, j), flipped_entry)),
        Step("equivalently, slide the filter turned by 180 degrees",
             sp.Eq(sp.Symbol("J_flipped"), flipped(kernel), evaluate=False)),
        Step("evaluated at every (i, j)", sp.Eq(labels[0], convolution, evaluate=False)),
        Step("the other reading, cross-correlation (the filter as written, what libraries call "
             "convolution), entry (i, j)", sp.Eq(sp.Function("corr")(i, j), entry)),
        Step("evaluated at every (i, j): the negative of the convolution, since turning J by "
             "180 degrees negates it", sp.Eq(labels[1], correlation, evaluate=False)),
        Step("J is a column times a row of ones, so it detects " + feature,
             sp.Eq(kernel, sp.MatMul(column, row.T.T, evaluate=False), evaluate=False)),
    )
    return (convolution, correlation), labels, feature, steps


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
    670
    """
    counts, shapes = [], [tuple(shape)]
    for number, layer in enumerate(stack, start=1):
        count, out = layer_parameters(layer, shapes[-1])
        if any(size < 1 for size in out[:2]):
            raise ValueError(f"layer {number}, {describe_layer(layer)}, does not fit its "
                             f"{shapes[-1][0]} x {shapes[-1][1]} input; use a larger input or "
                             f"fewer or smaller layers")
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


def neurons(stack, shape):
    """Units per layer (the input not counted): the product of each output shape.

    Examples
    --------
    >>> neurons(CNN, CNN_INPUT)
    [1024, 256, 256, 64, 10]
    """
    _, _, shapes = parameter_count(stack, shape)
    return [sp.Mul(*out) for out in shapes[1:]]


def network_size(stack=CNN, shape=CNN_INPUT):
    """3.2: neurons and trainable parameters of ``stack`` and of its fully connected twin.

    Returns ``(neurons, parameters)``, each a ``Tuple(CNN, FCNN)``, and the steps.

    Examples
    --------
    >>> network_size()[:2]
    ((1610, 1610), (670, 1116042))
    """
    conv_general = layer_parameters(("conv", k, c_out, 1, 0), (n, n, c_in))[0]
    dense_general = layer_parameters(("fc", n_out), (n_in, 1, 1))[0]
    total, counts, shapes = parameter_count(stack, shape)
    twin_counts = fully_connected_twin(stack, shape)
    twin_total = sum(twin_counts)
    units = neurons(stack, shape)
    described = ", ".join(describe_layer(layer) for layer in stack)
    steps = (
        Step(f"the network ({'assumed: the figure is lost' if tuple(stack) == CNN else 'given'}): "
             f"{described}, on a "
             f"{shape[0]} x {shape[1]} x {shape[2]} input; output shapes (height, width, "
             "channels)", sp.Tuple(*(sp.Tuple(*out) for out in shapes[1:]))),
        Step("neurons per layer (the input pixels are not counted); both networks have the "
             "same", sp.Tuple(*units)),
        Step("a k x k convolution from c_in to c_out channels: one weight per (a, b, c_in, "
             "c_out) and one bias per output channel", sp.Eq(sp.Symbol("P_conv"), conv_general)),
        Step("a dense layer: one weight per (input, output) pair and one bias per output",
             sp.Eq(sp.Symbol("P_fc"), dense_general)),
        Step("the CNN's parameters per layer (pools have none)", sp.Tuple(*counts)),
        Step("the fully connected twin: each convolution replaced by a dense layer onto the "
             "same neurons; parameters per layer", sp.Tuple(*twin_counts)),
        Step("the twin has this many times the parameters", sp.Tuple(
            sp.Rational(twin_total, total), sp.N(sp.Rational(twin_total, total), 6))),
    )
    return (sp.Tuple(sum(units), sum(units)), sp.Tuple(total, twin_total), steps)


def describe_layer(layer):
    """A layer in words.

    Examples
    --------
    >>> describe_layer(CONV), describe_layer(POOL), describe_layer(("fc", 10))
    ('conv 3x3 (1 channel, stride 1, padding 1)', 'max-pool 2x2 (stride 2)', 'fc 10')
    """
    if layer[0] == "conv":
        size, out, stride, padding = layer[1:]
        return (f"conv {size}x{size} ({out} channel{'s' if out != 1 else ''}, stride {stride}, "
                f"padding {padding})")
    if layer[0] == "pool":
        return f"max-pool {layer[1]}x{layer[1]} (stride {layer[2]})"
    return f"fc {layer[1]}"


_LAYER = re.compile(r"(conv)\s*(\d+)(?:\s*x\s*(\d+))?|(pool)\s*(\d+)|(fc)\s*(\d+)")


def parse_layers(text: str):
    """Read a layer list such as ``"conv 3, pool 2, conv 3, pool 2, fc 10"``.

    ``conv K`` is a same-padded K x K convolution with one output channel (``conv KxC``:
    C channels), ``pool S`` an S x S max-pool with stride S, ``fc U`` a dense layer.

    Examples
    --------
    >>> parse_layers("conv 3, pool 2, conv 5x4, fc 10")
    (('conv', 3, 1, 1, 1), ('pool', 2, 2), ('conv', 5, 4, 1, 2), ('fc', 10))
    """
    layers = []
    for item in text.split(","):
        found = _LAYER.fullmatch(item.strip().lower())
        if not found:
            raise ValueError(f"--layers item {item.strip()!r} is not a layer; write 'conv K', "
                             f"'conv KxC', 'pool S' or 'fc U' separated by commas")
        if found.group(1):
            size, channels = int(found.group(2)), int(found.group(3) or 1)
            if size % 2 == 0 or size == 0 or channels == 0:
                raise ValueError(f"--layers item {item.strip()!r}: a same-padded convolution "
                                 f"needs an odd kernel size and at least one channel; use e.g. "
                                 f"'conv 3'")
            layers.append(("conv", size, channels, 1, (size - 1) // 2))
        elif found.group(4):
            if int(found.group(5)) == 0:
                raise ValueError(f"--layers item {item.strip()!r}: the pool size must be positive")
            layers.append(("pool", int(found.group(5)), int(found.group(5))))
        else:
            if int(found.group(7)) == 0:
                raise ValueError(f"--layers item {item.strip()!r}: a dense layer needs units")
            layers.append(("fc", int(found.group(7))))
    return tuple(layers)


def build(layers=CNN, shape=CNN_INPUT) -> Derivation:
    """The topic's derivation with 3.2 computed for the network ``layers`` on ``shape``.

    Examples
    --------
    >>> build(parse_layers("conv 3, pool 2, fc 10"))["parameter_count"].value
    (2580, 1052170)
    """
    (convolution, correlation), labels, feature, output_steps = outputs()
    size, size_steps = output_size()
    field, field_steps = receptive_field_result()
    units, counts, count_steps = network_size(tuple(layers), tuple(shape))
    described = ", ".join(describe_layer(layer) for layer in layers)
    network = f"{described} on a {shape[0]} x {shape[1]} x {shape[2]} input"
    origin = ("the figure is lost, this layer list is assumed" if tuple(layers) == CNN
              else "the layer list given")
    if tuple(shape) != CNN_INPUT:
        origin += "; the input shape given"
    results = (
        Result("output", "3.1: I * J, the zero-padded same-size convolution of the sheet's I "
               "and J (J's third row read as 1 1 1), convolution read as in lecture 4 with the "
               "kernel flipped; the filter detects " + feature + ".", convolution,
               output_steps, lhs=labels[0]),
        Result("output_cross_correlation", "3.1, the other reading: the cross-correlation "
               "(the filter not flipped, as deep-learning libraries compute it), the negative "
               "of I * J for this J.", correlation, output_steps[:2] + output_steps[-3:],
               lhs=labels[1]),
        Result("neuron_count", f"3.2: the neurons of the CNN ({network}; {origin}) and of its "
               "fully connected twin: the same units.",
               units, count_steps[:2], lhs=sp.Tuple(sp.Symbol("N_CNN"), sp.Symbol("N_FCNN"))),
        Result("parameter_count", f"3.2: the trainable parameters (weights and biases) of the "
               f"CNN ({network}) and of its fully connected twin. One disadvantage of more "
               "parameters: more data is needed to fit them without overfitting (and more "
               "memory and computation).", counts, count_steps,
               lhs=sp.Tuple(sp.Symbol("P_CNN"), sp.Symbol("P_FCNN"))),
        Result("receptive_field", "3.3: input pixels seen along one axis by a unit after "
               "conv(k) - pool(2, stride 2) - conv(k): 8 for 3x3 and 14 for 5x5 kernels. "
               "Besides the kernel size, the strides, the pooling windows, dilation and the "
               "number of layers change it.", field, field_steps, lhs=r[3]),
        Result("receptive_field_5x5", "3.3's question: the receptive field after the second "
               "convolution with 5x5 filters, pooling, strides and padding as before.",
               field.subs(k, 5), field_steps + (Step("with k = 5", sp.Eq(
                   r[3], field.subs(k, 5))),), lhs=r[3]),
        Result("output_size", "Output positions along one axis of an n-wide input, k-wide "
               "kernel, padding p, stride s (a kernel that fits the padded input).", size,
               size_steps, lhs=sp.Symbol("n_out"), assumptions=(sp.LessThan(k, n + 2 * p),)),
    )
    return Derivation("convolution", "Convolution arithmetic: outputs, sizes, receptive fields",
                      results, PARAMETERS, notation=NOTATION)


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
    return build()


def parse_shape(text: str):
    """Read an input shape ``HxWxC`` (or ``HxW`` for one channel).

    Examples
    --------
    >>> parse_shape("32x32x1"), parse_shape("28 x 28")
    ((32, 32, 1), (28, 28, 1))
    """
    found = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*(?:x\s*(\d+)\s*)?", text.lower())
    if not found or 0 in (int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)):
        raise ValueError(f"--input == {text!r} is not a shape; write HxWxC with positive "
                         f"sizes, e.g. 32x32x1")
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)


def take_option(argv, name):
    """Remove ``name VALUE`` or ``name=VALUE`` from ``argv``; return the value (or None) and
    the rest.

    Examples
    --------
    >>> take_option(["--json", "--input=8x8", "--only", "x"], "--input")
    ('8x8', ['--json', '--only', 'x'])
    """
    for at, item in enumerate(argv):
        if item == name:
            if at + 1 >= len(argv):
                raise ValueError(f"{name} needs a value; see python -m derivations.convolution's "
                                 f"docstring for the form")
            return argv[at + 1], argv[:at] + argv[at + 2:]
        if item.startswith(name + "="):
            return item[len(name) + 1:], argv[:at] + argv[at + 1:]
    return None, list(argv)


def command_line(argv=None) -> int:
    """The shared command line plus 3.2's network: ``--layers "conv 3, pool 2, ..."`` and
    ``--input HxWxC`` (the sheet's list and 32x32x1 when left out).

    Examples
    --------
    >>> command_line(["--layers", "conv 3, pool 2, fc 10", "--json", "--only",
    ...               "parameter_count"]) == 0  # doctest: +ELLIPSIS
    {...
    True
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        layers, argv = take_option(argv, "--layers")
        shape, argv = take_option(argv, "--input")
        if layers is None and shape is None:
            chosen = derive
        else:
            built = build(CNN if layers is None else parse_layers(layers),
                          CNN_INPUT if shape is None else parse_shape(shape))
            chosen = lambda **overrides: built.with_values(overrides)  # noqa: E731
            chosen.__doc__ = derive.__doc__
    except ValueError as error:
        return fail(error)
    return main(chosen, argv, prog="python -m derivations.convolution")


if __name__ == "__main__":
    raise SystemExit(command_line())
