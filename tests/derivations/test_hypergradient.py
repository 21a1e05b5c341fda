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
    # the counts before the order: w_k and its tangent; w_0, ..., w_{T-1}
    assert DERIVED["memory_forward"].steps[-2].expr.rhs == 2 * hg.d
    assert DERIVED["memory_backprop"].steps[-2].expr.rhs == T * hg.d


def test_one_step_weights_entry_is_the_gd_step():
    """Entry j of w_0 - (2 eta / n) X^T (X w_0 - t) on a 2 x 2 example."""
    X = sp.Matrix([[1, 2], [3, 4]])
    t = sp.Matrix([1, -1])
    w0 = sp.Matrix([sp.Rational(1, 2), -1])
    expected = w0 - 2 * eta / 2 * X.T * (X * w0 - t)
    value = DERIVED["one_step_weights"].value.subs({hg.n: 2, hg.d: 2})
    for index in range(2):
        entry = value.subs(hg.j, index).doit()
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
