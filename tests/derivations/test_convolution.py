"""The convolution topic's results against the textbook forms, and its command line."""
import json
import subprocess
import sys

import pytest
import sympy as sp

from derivations import convolution as cv

DERIVED = cv.derive()


def test_output_both_conventions_on_the_edge_image():
    correlation, convolution = DERIVED["output"].value
    assert correlation == sp.ImmutableMatrix([[-2, 2, 2, 0, 0]] + [[-3, 3, 3, 0, 0]] * 3
                                             + [[-2, 2, 2, 0, 0]])
    assert convolution == -correlation  # this kernel flips into its negative
    assert all(v.is_Integer for v in correlation)


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


def test_parameter_counts_textbook_form():
    cnn = (3 * 3 * 1 + 1) * 8 + (3 * 3 * 8 + 1) * 16 + (7 * 7 * 16 + 1) * 10
    twin = (28 * 28 + 1) * 28 * 28 * 8 + (14 * 14 * 8 + 1) * 14 * 14 * 16 + (7 * 7 * 16 + 1) * 10
    assert tuple(DERIVED["parameter_count"].value) == (cnn, twin)
    with pytest.raises(ValueError, match=r"layer == \('dense', 3\), its kind must be"):
        cv.parameter_count([("dense", 3)], (4, 4, 1))


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
    assert field["numeric"] == 14.0 and output["numeric"][0][0] == [-2.0, 2.0, 2.0, 0.0, 0.0]
    bad = subprocess.run([sys.executable, "-m", "derivations.convolution", "--subs", "p=-1"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: p == -1")
