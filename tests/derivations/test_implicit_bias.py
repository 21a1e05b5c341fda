"""The implicit_bias topic's results against textbook forms, and its command line."""
import pytest
import sympy as sp

from derivations import cli, implicit_bias as ib

DERIVED = ib.derive()


def explicit(expr, inputs, targets):
    rows, columns = inputs.shape
    sized = expr.subs({ib.n: rows, ib.d: columns})
    return sized.subs({ib.matrix_symbol("X", rows, columns): inputs,
                       ib.matrix_symbol("t", rows, 1): targets}).doit()


def test_minimum_norm_solution_is_the_pseudo_inverse_solution():
    inputs = sp.Matrix([[1, 2, 0, -1], [0, 1, 3, 1]])
    targets = sp.Matrix([1, -2])
    value = explicit(DERIVED["minimum_norm_solution"].value, inputs, targets)
    assert value == inputs.pinv() * targets
    assert inputs * value == targets


def test_minimum_norm_solution_has_the_least_norm_among_interpolants():
    inputs = sp.Matrix([[1, 2, 0], [0, 1, 3]])
    targets = sp.Matrix([1, 1])
    best = explicit(DERIVED["minimum_norm_solution"].value, inputs, targets)
    (null,) = inputs.nullspace()
    s = sp.Symbol("s", real=True)
    norm = sp.expand(((best + s * null).T * (best + s * null))[0])
    assert sp.solve(sp.diff(norm, s), s) == [0]


def test_kkt_check_vanishes_for_a_symbolic_x():
    assert DERIVED["minimum_norm_solution"].steps[-1].expr == sp.zeros(1, 3)


def test_sgd_row_span_increment_starts_with_x_transpose():
    increment, limit = DERIVED["sgd_row_span"].value
    assert increment.rhs == ib.X.T * ib.v_k
    assert limit.rhs == DERIVED["minimum_norm_solution"].value
    vector = next(s.expr.rhs for s in DERIVED["sgd_row_span"].steps if s.expr.lhs == ib.v_k)
    assert vector.shape == (ib.n, 1)


def test_rmsprop_counterexample_values():
    smallest, adaptive = DERIVED["rmsprop_counterexample"].value
    assert smallest == sp.ImmutableMatrix([sp.Rational(4, 5), sp.Rational(2, 5)])
    assert adaptive == sp.ImmutableMatrix([sp.Rational(2, 3), sp.Rational(2, 3)])


def test_adaptive_step_is_minus_eta_sign_over_root():
    step, first, _ = ib.adaptive_step_on_one_example()
    assert step == -ib.eta * ib.M / sp.sqrt(ib.Q)
    assert first == sp.Matrix([ib.eta / sp.sqrt(1 - ib.beta)] * 2)


@pytest.mark.parametrize("values, message", [
    ({"n": 3, "d": 2}, r"n == 3, d == 2 violate the model's constraint n < d"),
    ({"beta": 1}, r"beta == 1, must lie in \(0, 1\)"),
])
def test_values_outside_the_model_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        ib.derive(**values)


def test_cli_only_and_error(capsys):
    assert cli.main(ib.derive, ["--text", "--only", "rmsprop_counterexample"]) == 0
    assert "rmsprop_counterexample:" in capsys.readouterr().out
    assert cli.main(ib.derive, ["--only", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: result == 'nope' is not a result")


def test_every_result_has_steps():
    assert all(result.steps for result in DERIVED.results)


def test_sgd_increment_is_equation_2_with_the_sheets_loss():
    # (eta/b) sum_j grad (x_j^T w - t_j)^2 = (2 eta / b) X^T S_B^T (S_B X w - S_B t)
    vector = next(s.expr.rhs for s in DERIVED["sgd_row_span"].steps if s.expr.lhs == ib.v_k)
    n, d, b = 3, 4, 2
    X = sp.Matrix(n, d, lambda i, j: (i + 1) * (j - 1) + i * i)
    t = sp.Matrix([1, -1, 2])
    S = sp.Matrix([[1, 0, 0], [0, 0, 1]])
    w = sp.Matrix([1, 0, -1, 2])
    by_hand = -(ib.eta / b) * sum((2 * X[j, :].T * ((X[j, :] * w)[0] - t[j])
                                   for j in (0, 2)), sp.zeros(d, 1))
    concrete = vector.subs({ib.n: n, ib.d: d, ib.b: b}).subs({
        ib.matrix_symbol("X", n, d): X, ib.matrix_symbol("t", n, 1): t,
        ib.matrix_symbol("S_B", b, n): S, ib.matrix_symbol("w_k", d, 1): w}).doit()
    assert sp.expand(X.T * sp.Matrix(concrete) - by_hand) == sp.zeros(d, 1)
