"""autodiff: derived Jacobians, tangents and adjoints against numerics.autodiff and finite
differences."""
import numpy as np
from hypothesis import given, strategies as st

from derivations import autodiff as theory
from numerics.autodiff import Dual, Var, exp, forward_jacobian, maximum, reverse_jacobian, sigmoid
from numerics.finite_differences import jacobian as fd_jacobian

DERIVED = theory.derive()
POINT = [1.0, -1.0]


def as_float(matrix):
    return np.array(matrix.evalf(30).tolist(), dtype=float)


def graph(w_1, w_2):
    """f_1 and f_2 in the derived graph's order, returning every variable by name."""
    v = {"w_1": w_1, "w_2": w_2}
    v["v_1"] = exp(w_1)
    v["v_2"] = 2.0 * w_2
    v["v_3"] = exp(v["v_2"])
    v["v_4"] = v["v_1"] + v["v_3"]
    v["v_5"] = exp(v["v_4"])
    v["v_6"] = sigmoid(v["v_4"])
    v["f_1"] = v["v_5"] + v["v_6"]
    v["v_7"] = w_1 * w_2
    v["v_8"] = maximum(w_1, w_2)
    v["f_2"] = v["v_7"] + v["v_8"]
    return v


def functions(w_1, w_2):
    v = graph(w_1, w_2)
    return [v["f_1"], v["f_2"]]


ROWS = ["w_1", "w_2", "v_1", "v_2", "v_3", "v_4", "v_5", "v_6", "f_1", "v_7", "v_8", "f_2"]


def test_graph_rows_are_the_derived_graph_order():
    defs = DERIVED["graph"].value[2]
    assert [eq.lhs.name for eq in defs] == ROWS[2:]
    assert list(theory.computation_graph().order()) == ROWS


def test_value_and_jacobian():
    exact = as_float(DERIVED["jacobian"].value)
    values = [float(v) for v in DERIVED["value"].value[1:]]
    np.testing.assert_allclose([f.value for f in functions(*map(Var, POINT))], values, rtol=1e-14)
    np.testing.assert_allclose(forward_jacobian(functions, POINT), exact, rtol=1e-13)
    np.testing.assert_allclose(reverse_jacobian(functions, POINT), exact, rtol=1e-13)


def test_forward_mode_tangents_step_by_step():
    table = as_float(DERIVED["jacobian_forward_mode"].value)
    for column, seed in enumerate([(1.0, 0.0), (0.0, 1.0)]):
        v = graph(*(Dual(p, s) for p, s in zip(POINT, seed)))
        np.testing.assert_allclose([v[name].tangent for name in ROWS], table[:, column],
                                   rtol=1e-13, atol=1e-15)


def test_reverse_mode_adjoints_step_by_step():
    table = as_float(DERIVED["jacobian_reverse_mode"].value)
    for column, output in enumerate(["f_1", "f_2"]):
        v = graph(*map(Var, POINT))
        v[output].backward()
        np.testing.assert_allclose([v[name].grad for name in ROWS], table[:, column],
                                   rtol=1e-13, atol=1e-15)


def test_finite_difference_jacobian_and_error():
    finite = as_float(DERIVED["jacobian_finite_difference"].value)
    error = as_float(DERIVED["jacobian_finite_difference_error"].value)
    numeric = fd_jacobian(lambda w: np.array([f.value if hasattr(f, "value") else f
                                              for f in functions(*map(Var, w))]),
                          np.array(POINT), step=1e-2, scheme="forward")
    np.testing.assert_allclose(numeric, finite, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(numeric - reverse_jacobian(functions, POINT), error, rtol=1e-6,
                               atol=1e-12)


def test_central_difference_jacobian_is_numpys_and_second_order():
    # NumPy's central differences at the same step; their error against the exact Jacobian
    # is second order: at a tenth of the step it falls a hundredfold (to 2% for the
    # Delta^4 term's share and the exact f_2 row left out).
    value = lambda w: np.array([f.value for f in functions(*map(Var, w))])
    central = as_float(DERIVED["jacobian_central_difference"].value)
    exact = as_float(DERIVED["jacobian"].value)
    np.testing.assert_allclose(fd_jacobian(value, np.array(POINT), step=1e-2, scheme="central"),
                               central, rtol=1e-9, atol=1e-12)
    smaller = fd_jacobian(value, np.array(POINT), step=1e-3, scheme="central") - exact
    np.testing.assert_allclose(smaller[0], (central - exact)[0] / 100, rtol=0.02)


@given(scale=st.floats(0.2, 1.0))
def test_finite_difference_error_is_first_order(scale):
    """Halving-type check: the forward-difference error shrinks in proportion to the step."""
    value = lambda w: np.array([f.value for f in functions(*map(Var, w))])
    exact = as_float(DERIVED["jacobian"].value)
    error = as_float(DERIVED["jacobian_finite_difference_error"].value)
    smaller = fd_jacobian(value, np.array(POINT), step=1e-2 * scale, scheme="forward") - exact
    np.testing.assert_allclose(smaller[0], error[0] * scale, rtol=0.05)
