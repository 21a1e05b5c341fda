"""weight_decay: the derived steps against GD, Adam and AdamW runs of numerics.optim on the
sheet's loss (1/n) ||X w - t||^2 (+ lambda~ ||w||^2).

GD on the regularised loss with the derived lambda~ and GD with weight decay trace the same
trajectory; Adam with that penalty does not, while AdamW is Adam with decoupled decay."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from derivations import weight_decay as theory
from numerics.optim import adam, adamw, decoupled_weight_decay, sgd
from numerics.recurrences import iterate, least_squares_gradient

DERIVED = theory.derive()
MATRICES = (theory.X, theory.t, theory.w_0, theory.eta, theory.lam, theory.lambda_tilde, theory.n)
l2_update = sp.lambdify(MATRICES, DERIVED["l2_update"].value)
decay_update = sp.lambdify(MATRICES, DERIVED["decay_update"].value)
penalty_for = sp.lambdify((theory.eta, theory.lam), DERIVED["equivalent_penalty"].value)
SCALARS = (theory.w_0i, theory.g_i, theory.eta, theory.lam, theory.lambda_tilde, theory.D)
adaptive_l2, adaptive_decay = (sp.lambdify(SCALARS, side.rhs)
                               for side in DERIVED["adaptive_mismatch"].value)
EPS = 1e-8


def sheet_problem(seed, d):
    """The sheet's loss (1/n) ||X w - t||^2: its gradient, the data and a start."""
    rng = np.random.default_rng(seed)
    n = d + 1
    X, t = rng.normal(size=(n, d)), rng.normal(size=n)
    data = least_squares_gradient(X, t)
    return (lambda w: data(w) / n), X, t, rng.normal(size=d)


problems = dict(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 5))


@given(**problems, rate=st.floats(1e-3, 0.02), decay=st.floats(1e-3, 0.3))
def test_gd_with_the_equivalent_penalty_is_weight_decay(seed, d, rate, decay):
    gradient, X, t, w0 = sheet_problem(seed, d)
    penalty = penalty_for(rate, decay)
    # torch's weight_decay adds wd * w to the gradient: the penalty lambda~ ||w||^2 is wd = 2 lambda~
    penalised = iterate(sgd(rate, weight_decay=2 * penalty), gradient, w0, 40)
    decayed = iterate(decoupled_weight_decay(sgd(rate), decay), gradient, w0, 40)
    assert penalised == pytest.approx(decayed, rel=1e-9, abs=1e-12)
    n = X.shape[0]
    assert penalised[1] == pytest.approx(
        np.ravel(l2_update(X, t[:, None], w0[:, None], rate, decay, penalty, n)), rel=1e-12)
    assert decayed[1] == pytest.approx(
        np.ravel(decay_update(X, t[:, None], w0[:, None], rate, decay, penalty, n)), rel=1e-12)


@given(**problems, rate=st.floats(1e-3, 0.02), decay=st.floats(1e-2, 0.3))
def test_the_half_convention_penalty_is_not_the_sheets(seed, d, rate, decay):
    gradient, _, _, w0 = sheet_problem(seed, d)
    half = float(DERIVED["equivalent_penalty_half_convention"].value.subs(
        {theory.eta: rate, theory.lam: decay}))
    penalised = iterate(sgd(rate, weight_decay=2 * half), gradient, w0, 1)
    decayed = iterate(decoupled_weight_decay(sgd(rate), decay), gradient, w0, 1)
    # the step differs by lambda w_0 exactly (twice the shrink): far above rounding
    assert penalised[1] - decayed[1] == pytest.approx(-decay * w0, rel=1e-9, abs=1e-12)


@given(**problems, rate=st.floats(1e-3, 0.05), decay=st.floats(1e-3, 0.1))
def test_adam_with_the_penalty_differs_and_adamw_is_decoupled_decay(seed, d, rate, decay):
    gradient, _, _, w0 = sheet_problem(seed, d)
    penalty = penalty_for(rate, decay)
    wd = 2 * penalty  # torch's weight_decay for the sheet's penalty; AdamW decays by lr * wd = decay
    coupled = iterate(adam(rate, weight_decay=wd, eps=EPS), gradient, w0, 30)
    decoupled = iterate(adamw(rate, weight_decay=wd, eps=EPS), gradient, w0, 30)
    assert decoupled == pytest.approx(iterate(decoupled_weight_decay(adam(rate, eps=EPS), decay),
                                              gradient, w0, 30), rel=1e-9, abs=1e-12)
    # First step: Adam's scale is D = |gradient seen| + eps (bias-corrected moments).
    g = gradient(w0)
    seen = g + wd * w0
    assert coupled[1] == pytest.approx(
        adaptive_l2(w0, g, rate, decay, penalty, np.abs(seen) + EPS), rel=1e-9, abs=1e-12)
    assert decoupled[1] == pytest.approx(
        adaptive_decay(w0, g, rate, decay, penalty, np.abs(g) + EPS), rel=1e-9, abs=1e-12)
    assert not np.allclose(coupled, decoupled, rtol=1e-6, atol=1e-9)
