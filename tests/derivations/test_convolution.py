"""The convolution topic's results against the textbook forms, and its command line."""
import json
import subprocess
import sys

import pytest
import sympy as sp

from derivations import convolution as cv

DERIVED = cv.derive()


SHEET_I = [[0, 0, 0, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]]
SHEET_J = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]  # the third row read as 1 1 1


def by_hand(image, kernel, flip):
    """Same-size zero-padded sum, written out with explicit loops (flip: convolution proper)."""
    rows, cols, half = len(image), len(image[0]), len(kernel) // 2
    at = lambda r, c: image[r][c] if 0 <= r < rows and 0 <= c < cols else 0
    out = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            for a in range(-half, half + 1):
                for b in range(-half, half + 1):
                    weight = kernel[half - a][half - b] if flip else kernel[half + a][half + b]
                    out[r][c] += at(r + a, c + b) * weight
    return sp.Matrix(out)


def test_the_sheets_input_and_filter():
    assert cv.INPUT == sp.Matrix(SHEET_I) and cv.KERNEL == sp.Matrix(SHEET_J)


def test_output_is_the_convolution_with_the_flipped_filter():
    assert DERIVED["output"].value == by_hand(SHEET_I, SHEET_J, flip=True)
    # row 2 (index 1) of I * J: above minus below, summed over three columns
    assert list(DERIVED["output"].value.row(1)) == [-2, -3, -3, -2, -1]


def test_the_other_reading_is_cross_correlation_the_negative():
    assert DERIVED["output_cross_correlation"].value == by_hand(SHEET_I, SHEET_J, flip=False)
    assert DERIVED["output_cross_correlation"].value == -DERIVED["output"].value


def test_the_filter_detects_horizontal_edges():
    assert "horizontal edges" in DERIVED["output"].statement
    assert "vertical edges" in cv.detected_feature(sp.Matrix(SHEET_J).T)[2]
    # a horizontal step edge gives a response on the rows next to it, a vertical one none inside
    horizontal = [[1] * 5] * 2 + [[0] * 5] * 3
    assert by_hand(horizontal, SHEET_J, flip=False)[2, 2] == -3
    vertical = [[1, 1, 0, 0, 0]] * 5
    assert by_hand(vertical, SHEET_J, flip=False)[2, 2] == 0


def test_convolution_is_correlation_with_the_flipped_kernel_on_an_asymmetric_kernel():
    image = sp.Matrix(4, 4, lambda i, j: 4 * i + j)
    kernel = sp.Matrix([[1, 2, 0], [0, 0, 0], [0, 0, 0]])
    corr, conv = cv.correlate_same(image, kernel), cv.convolve_same(image, kernel)
    assert corr[1, 1] == image[0, 0] + 2 * image[0, 1]
    assert conv[1, 1] == 2 * image[2, 1] + image[2, 2]


def test_output_size_textbook_form():
    size = DERIVED["output_size"].value
    assert size.subs({cv.n: 32, cv.k: 5, cv.p: 2, cv.s: 1}) == 32
    assert size.subs({cv.n: 7, cv.k: 3, cv.p: 0, cv.s: 2}) == (7 - 3) // 2 + 1
    assert size.subs({cv.n: 8, cv.k: 3, cv.p: 0, cv.s: 2}) == 3  # the floor matters
    assert cv.same_padding() == (cv.k - 1) / 2


def test_receptive_fields_8_and_14():
    assert DERIVED["receptive_field"].value == 3 * cv.k - 1
    assert cv.derive(k=3)["receptive_field"].value == 8
    assert cv.derive(k=5)["receptive_field"].value == 14
    assert DERIVED["receptive_field_5x5"].value == 14   # 3.3's question, without --subs


def test_network_size_of_the_assumed_network():
    # conv-pool-conv-pool-fc10 on 32x32x1, 3x3 same convolutions with one channel
    neurons = 32 * 32 + 16 * 16 + 16 * 16 + 8 * 8 + 10
    cnn = (3 * 3 + 1) + (3 * 3 + 1) + (8 * 8 * 10 + 10)
    fcnn = (32 * 32 * 32 * 32 + 32 * 32) + (16 * 16 * 16 * 16 + 16 * 16) + (8 * 8 * 10 + 10)
    assert tuple(DERIVED["neuron_count"].value) == (neurons, neurons)
    assert tuple(DERIVED["parameter_count"].value) == (cnn, fcnn)
    assert "assumed" in DERIVED["parameter_count"].steps[0].text
    with pytest.raises(ValueError, match=r"layer == \('dense', 3\), its kind must be"):
        cv.parameter_count([("dense", 3)], (4, 4, 1))


def test_another_layer_list():
    layers = cv.parse_layers("conv 5x2, pool 4, fc 3")
    assert layers == (("conv", 5, 2, 1, 2), ("pool", 4, 4), ("fc", 3))
    built = cv.build(layers)
    cnn = (5 * 5 + 1) * 2 + (8 * 8 * 2 * 3 + 3)
    fcnn = (32 * 32 * 32 * 32 * 2 + 32 * 32 * 2) + (8 * 8 * 2 * 3 + 3)
    assert tuple(built["parameter_count"].value) == (cnn, fcnn)
    assert tuple(built["neuron_count"].value) == (32 * 32 * 2 + 8 * 8 * 2 + 3,) * 2
    assert "given" in built["neuron_count"].statement


@pytest.mark.parametrize("text, message", [
    ("conv 4", r"odd kernel size"),
    ("conv 3, dense 2", r"'dense 2' is not a layer"),
    ("pool 0", r"pool size must be positive"),
])
def test_bad_layer_lists(text, message):
    with pytest.raises(ValueError, match=message):
        cv.parse_layers(text)


def test_layers_on_the_command_line(capsys):
    assert cv.command_line(["--layers", "conv 3, pool 2, fc 10", "--json", "--only",
                            "parameter_count"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["numeric"] == [
        10.0 + 16 * 16 * 10 + 10, 32.0**4 + 32 * 32 + 16 * 16 * 10 + 10]
    assert cv.command_line(["--layers", "conv 2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --layers item 'conv 2'") and err.count("\n") == 1


@pytest.mark.parametrize("overrides, message", [
    ({"k": 0}, r"k == 0, must lie in Naturals"),
    ({"s": "1/2"}, r"s == 1/2, must lie in Naturals"),
])
def test_bad_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        cv.derive(**overrides)


def test_cli():
    done = subprocess.run([sys.executable, "-m", "derivations.convolution", "--json", "--subs",
                           "k=5", "--only", "receptive_field", "output"],
                          capture_output=True, text=True, check=True)
    field, output = json.loads(done.stdout)["results"]
    assert field["numeric"] == 14.0 and output["numeric"][1] == [-2.0, -3.0, -3.0, -2.0, -1.0]
    bad = subprocess.run([sys.executable, "-m", "derivations.convolution", "--subs", "p=-1"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: p == -1")


def test_input_shape_on_the_command_line(capsys):
    # the old 28x28 example: conv 3x3x8, pool, conv 3x3x16, pool, fc 10
    argv = ["--input", "28x28x1", "--layers", "conv 3x8, pool 2, conv 3x16, pool 2, fc 10",
            "--json", "--only", "parameter_count"]
    assert cv.command_line(argv) == 0
    cnn = (3 * 3 + 1) * 8 + (3 * 3 * 8 + 1) * 16 + (7 * 7 * 16 + 1) * 10
    assert json.loads(capsys.readouterr().out)["results"][0]["numeric"][0] == cnn
    assert cv.command_line(["--input", "0x3"]) == 2
    assert capsys.readouterr().err.startswith("error: --input == '0x3' is not a shape")
    assert cv.command_line(["--input", "2x2", "--layers", "pool 2, pool 2"]) == 2
    assert "layer 2, max-pool 2x2 (stride 2), does not fit its 1 x 1 input" in capsys.readouterr().err
