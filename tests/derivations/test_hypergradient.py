"""The hypergradient topic's results against closed forms."""
import pytest
import sympy as sp

from derivations import hypergradient as hg

n, eta, p, q, r = hg.n, hg.eta, hg.p, hg.q, hg.r
DERIVED = hg.derive()


def test_one_step_loss_closed_form():
    expected = (p - 4 * eta * q / n + 4 * eta**2 * r / n**2) / n
    assert sp.simplify(DERIVED["one_step_loss"].value - expected) == 0


def test_convexity_and_optimal_rate_closed_forms():
    assert sp.simplify(DERIVED["one_step_loss_convexity"].value - 8 * r / n**3) == 0
    assert DERIVED["one_step_loss_convexity"].value.is_nonnegative
    assert sp.simplify(DERIVED["optimal_learning_rate"].value - n * q / (2 * r)) == 0


def test_memory_orders():
    T = hg.T
    assert DERIVED["memory_forward"].value == sp.Order(1, (T, sp.oo))
    assert DERIVED["memory_backprop"].value == sp.Order(T, (T, sp.oo))


def test_memory_counts_are_counted_on_the_drawn_graph():
    # T steps keep w_0..w_T, g_0..g_{T-1}, eta and lambda~ for the backward pass: 2T + 3
    for steps in (1, 2, 6):
        assert hg.computation_graph(steps).stored_for_backward() == 2 * steps + 3
    assert DERIVED["memory_backprop"].steps[1].expr.rhs == 2 * hg.T + 3
    # forward: eta, lambda~, w_0 and the last loss kept, plus w_k, g_k, w_{k+1} in flight
    assert DERIVED["memory_forward"].steps[1].expr.rhs == 6


def test_graph_has_the_sheets_nodes_and_edges():
    graph = hg.computation_graph()
    assert set(graph.names) == {"eta", "lambdatilde", "w_0", "g_0", "Ltilde_0", "w_1", "g_1",
                                "Ltilde_1", "w_2", "Ltilde_2"}
    assert set(graph.parents("w_1")) == {"w_0", "g_0", "eta"}
    assert set(graph.parents("g_1")) == {"w_1", "lambdatilde"}
    assert set(graph.parents("Ltilde_2")) == {"w_2", "lambdatilde"}
    result = DERIVED["computation_graph"].value
    assert {(str(a), str(b)) for a, b in result} == set(graph.edges)


def test_step_jacobian_of_the_regularised_loss():
    jacobian = DERIVED["long_horizon_problem"].steps[1].expr.rhs
    X = sp.Matrix([[1, 2], [0, 1], [3, -1]])
    lt = sp.Symbol("lambdatilde", positive=True)
    sized = jacobian.subs({hg.n: 3, hg.d: 2})
    expected = sp.eye(2) - hg.eta * (sp.Rational(2, 3) * X.T * X + 2 * lt * sp.eye(2))
    concrete = sp.Matrix(sized.subs(hg.matrix_symbol("X", 3, 2), X).doit())
    assert sp.simplify(concrete - expected) == sp.zeros(2, 2)


def test_one_step_weights_is_the_gd_step():
    """w_0 - (2 eta / n) X^T (X w_0 - t) on a 2 x 2 example, as a matrix and entry by entry."""
    X = sp.Matrix([[1, 2], [3, 4]])
    t = sp.Matrix([1, -1])
    w0 = sp.Matrix([sp.Rational(1, 2), -1])
    expected = w0 - 2 * eta / 2 * X.T * (X * w0 - t)
    value = DERIVED["one_step_weights"].value.subs({hg.n: 2, hg.d: 2}).subs({
        hg.matrix_symbol("X", 2, 2): X, hg.matrix_symbol("t", 2, 1): t,
        hg.matrix_symbol("w_0", 2, 1): w0}).doit()
    assert sp.expand(sp.Matrix(value) - expected) == sp.zeros(2, 1)
    entry_j = DERIVED["one_step_weights"].steps[-1].expr.rhs.subs({hg.n: 2, hg.d: 2})
    for index in range(2):
        entry = entry_j.subs(hg.j, index).doit()
        entry = entry.subs({sp.IndexedBase("X")[a, b]: X[a, b] for a in range(2) for b in range(2)})
        entry = entry.subs({sp.IndexedBase("t")[a]: t[a] for a in range(2)})
        entry = entry.subs({sp.IndexedBase("w_0")[a]: w0[a] for a in range(2)})
        assert sp.expand(entry - expected[index]) == 0


def test_substitution_and_bad_input():
    assert hg.derive(n=4, q=1, r=2)["optimal_learning_rate"].value == 1
    with pytest.raises(ValueError, match=r"r == -1, must lie in \[0, oo\)"):
        hg.derive(r=-1)
    with pytest.raises(ValueError, match=r"eta == 0, must lie in \(0, oo\)"):
        hg.derive(eta=0)


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)
