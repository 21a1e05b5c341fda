"""convolution: derived outputs, sizes, receptive fields and counts against measured arrays."""
import numpy as np
import sympy as sp
from hypothesis import given, strategies as st

from derivations import convolution as theory
from numerics import convolution as measured

DERIVED = theory.derive()
size = sp.lambdify((theory.n, theory.k, theory.p, theory.s), DERIVED["output_size"].value)


def test_problem_set_output_is_scipys():
    convolution, correlation = DERIVED["output"].value, DERIVED["output_cross_correlation"].value
    image, kernel = np.array(theory.INPUT, dtype=float), np.array(theory.KERNEL, dtype=float)
    np.testing.assert_array_equal(np.array(correlation, dtype=float),
                                  measured.correlate_same(image, kernel))
    np.testing.assert_array_equal(np.array(convolution, dtype=float),
                                  measured.convolve_same(image, kernel))


matrices = lambda rows, cols: st.lists(st.lists(st.integers(-5, 5), min_size=cols,
                                                max_size=cols), min_size=rows, max_size=rows)


@given(data=st.data(), rows=st.integers(1, 6), cols=st.integers(1, 6),
       half=st.integers(0, 2))
def test_exact_outputs_are_scipys(data, rows, cols, half):
    image = data.draw(matrices(rows, cols))
    kernel = data.draw(matrices(2 * half + 1, 2 * half + 1))
    exact = theory.correlate_same(sp.Matrix(image), sp.Matrix(kernel))
    flipped = theory.convolve_same(sp.Matrix(image), sp.Matrix(kernel))
    np.testing.assert_array_equal(np.array(exact, dtype=float),
                                  measured.correlate_same(image, kernel))
    np.testing.assert_array_equal(np.array(flipped, dtype=float),
                                  measured.convolve_same(image, kernel))


@given(n=st.integers(1, 40), k=st.integers(1, 7), p=st.integers(0, 3), s=st.integers(1, 4))
def test_output_size_is_the_counted_windows(n, k, p, s):
    if k <= n + 2 * p:
        assert size(n, k, p, s) == measured.output_size(n, k, p, s)


@given(k=st.integers(1, 7))
def test_receptive_field_is_the_back_propagated_extent(k):
    stack = [("conv", k, 2, 1, 0), theory.POOL, ("conv", k, 2, 1, 0)]
    assert measured.receptive_field(stack) == DERIVED["receptive_field"].value.subs(theory.k, k)


def test_receptive_field_5x5_is_the_back_propagated_extent():
    stack = [("conv", 5, 2, 1, 0), theory.POOL, ("conv", 5, 2, 1, 0)]
    assert measured.receptive_field(stack) == DERIVED["receptive_field_5x5"].value


layers = st.one_of(
    st.tuples(st.just("conv"), st.sampled_from([1, 3, 5]), st.integers(1, 3),
              st.integers(1, 2), st.integers(0, 2)),
    st.tuples(st.just("pool"), st.integers(2, 3), st.integers(1, 3)))


@given(stack=st.lists(layers, min_size=1, max_size=4))
def test_receptive_field_recursion_for_any_stack(stack):
    assert measured.receptive_field(stack) == theory.receptive_field(stack)[0]


@given(stack=st.lists(layers, min_size=0, max_size=3), units=st.integers(1, 5),
       side=st.integers(60, 70), channels=st.integers(1, 3))
def test_parameter_count_is_the_size_of_the_built_arrays(stack, units, side, channels):
    stack = stack + [("fc", units)]
    shape = (side, side, channels)
    total, counts = measured.parameter_count(stack, shape)
    derived_total, derived_counts, _ = theory.parameter_count(stack, shape)
    assert total == derived_total and counts == derived_counts


@given(stack=st.lists(layers, min_size=0, max_size=3), units=st.integers(1, 5),
       side=st.integers(60, 70), channels=st.integers(1, 3))
def test_network_size_is_the_size_of_the_built_arrays(stack, units, side, channels):
    stack = stack + [("fc", units)]
    shape = (side, side, channels)
    neurons, parameters, twin = measured.network_size(stack, shape)
    assert neurons == sum(theory.neurons(stack, shape))
    assert parameters == theory.parameter_count(stack, shape)[0]
    assert twin == sum(theory.fully_connected_twin(stack, shape))


def test_the_sheets_network_size_is_measured():
    neurons, parameters, twin = measured.network_size(theory.CNN, theory.CNN_INPUT)
    assert (neurons, neurons) == tuple(DERIVED["neuron_count"].value)
    assert (parameters, twin) == tuple(DERIVED["parameter_count"].value)
