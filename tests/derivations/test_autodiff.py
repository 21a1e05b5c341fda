"""The autodiff topic's results against hand-written closed forms."""
import pytest
import sympy as sp

from derivations import autodiff as ad

E, w_1, w_2 = sp.E, ad.w_1, ad.w_2
U = E + sp.exp(-2)  # exp(w_1) + exp(2 w_2) at (1, -1)
SIG = 1 / (1 + sp.exp(-U))
SLOPE = sp.exp(U) + SIG * (1 - SIG)
JACOBIAN = sp.Matrix([[E * SLOPE, 2 * sp.exp(-2) * SLOPE], [0, 1]])
DERIVED = ad.derive()


def zero(expr):
    return sp.simplify(expr) == 0


def test_value():
    f, f_1, f_2 = DERIVED["value"].value
    assert f == 0 and f_2 == 0
    assert zero(f_1 - (sp.exp(U) + SIG))


def test_jacobian_closed_form():
    assert all(zero(e) for e in DERIVED["jacobian"].value - JACOBIAN)


def test_finite_difference_closed_form_and_error():
    finite = DERIVED["jacobian_finite_difference"].value
    error = DERIVED["jacobian_finite_difference_error"].value
    f_1 = lambda a, b: sp.exp(sp.exp(a) + sp.exp(2 * b)) + 1 / (1 + sp.exp(-sp.exp(a) - sp.exp(2 * b)))
    h = sp.Rational(1, 100)
    expected = sp.Matrix([[(f_1(1 + h, -1) - f_1(1, -1)) / h, (f_1(1, -1 + h) - f_1(1, -1)) / h],
                          [0, 1]])
    assert all(zero(e) for e in finite - expected)
    assert all(zero(e) for e in error - (expected - JACOBIAN))
    # first order in the step: the error is about h/2 times the second derivative
    second = sp.diff(f_1(w_1, w_2), w_1, 2).subs({w_1: 1, w_2: -1})
    assert float(error[0, 0]) == pytest.approx(float(h / 2 * second), rel=0.05)


def test_the_sheets_numbers():
    # gatech 5(b) to the digits a student writes: 48.19, 4.76; the exact Jacobian 47.30, 4.710
    finite = DERIVED["jacobian_finite_difference"].value
    assert [round(float(v), 2) for v in finite] == [48.19, 4.76, 0.0, 1.0]
    assert [round(float(v), 3) for v in DERIVED["jacobian"].value] == [47.303, 4.710, 0.0, 1.0]


def test_check_judges_the_finite_difference_matrix(capsys):
    from derivations import cli
    claim = r"\begin{bmatrix}48.19 & 4.76\\0 & 1\end{bmatrix}"
    assert cli.main(ad.derive, ["--check", "jacobian_finite_difference", claim]) == 0
    exact = r"\begin{bmatrix}47.30 & 4.710\\0 & 1\end{bmatrix}"
    assert cli.main(ad.derive, ["--check", "jacobian_finite_difference", exact]) == 1
    capsys.readouterr()


def test_graph_drawn_is_the_graph_walked():
    from derivations.graph import tikz
    graph = ad.computation_graph()
    _, _, defs, edges = DERIVED["graph"].value
    assert {(str(a), str(b)) for a, b in edges} == set(graph.edges)
    picture = tikz(graph)
    assert picture.count(r"\draw[->]") == len(graph.edges) == 15
    assert picture.count(r"\node") == len(graph.nodes) == 12


def test_forward_mode_outputs_and_reverse_mode_inputs_are_the_jacobian():
    exact = DERIVED["jacobian"].value
    forward, reverse = DERIVED["jacobian_forward_mode"].value, DERIVED["jacobian_reverse_mode"].value
    assert all(zero(e) for e in sp.Matrix([forward.row(-4), forward.row(-1)]) - exact)
    assert all(zero(e) for e in sp.Matrix.hstack(reverse.row(0).T, reverse.row(1).T) - exact)
    assert forward.shape == reverse.shape == (12, 2)


def test_graph_of_f_has_the_stated_intermediates():
    f_defs, f_edges, defs, edges = DERIVED["graph"].value
    a, b, f, x, y = sp.symbols("a b f x y", real=True)
    assert set(f_defs) == {sp.Eq(a, x + y), sp.Eq(b, y + 1), sp.Eq(f, a * b)}
    assert set(f_edges) == {sp.Tuple(x, a), sp.Tuple(y, a), sp.Tuple(y, b), sp.Tuple(a, f),
                            sp.Tuple(b, f)}
    assert len(defs) == 10  # 3 exps, 2w_2, +, sigmoid, + for f_1; product, max, + for f_2
    assert len(edges) == 15


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)


def test_no_parameters_to_override():
    with pytest.raises(ValueError, match="'eta' is not a parameter of autodiff"):
        ad.derive(eta=1)
