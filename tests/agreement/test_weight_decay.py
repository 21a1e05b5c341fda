"""weight_decay: derived one-step updates against GD, Adam and AdamW runs of numerics.optim.

GD with the derived equivalent penalty and GD with decay trace the same trajectory; Adam
with that penalty does not, while AdamW is Adam with the decay of ``decay_update``."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from derivations import weight_decay as theory
from numerics.optim import adam, adamw, decoupled_weight_decay, sgd
from numerics.recurrences import iterate, least_squares_gradient

DERIVED = theory.derive()
SYMBOLS = (theory.w_0, theory.g, theory.eta, theory.lam, theory.lambda_L2, theory.D)
l2_update = sp.lambdify(SYMBOLS, DERIVED["l2_update"].value)
decay_update = sp.lambdify(SYMBOLS, DERIVED["decay_update"].value)
penalty_for = sp.lambdify((theory.eta, theory.lam), DERIVED["equivalent_penalty"].value)
adaptive_l2, adaptive_decay = (sp.lambdify(SYMBOLS, side.rhs)
                               for side in DERIVED["adaptive_mismatch"].value)
EPS = 1e-8


def quadratic(seed, d):
    rng = np.random.default_rng(seed)
    A, b = rng.normal(size=(d + 1, d)), rng.normal(size=d + 1)
    return least_squares_gradient(A, b), rng.normal(size=d)


problems = dict(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 5))


@given(**problems, rate=st.floats(1e-3, 0.02), decay=st.floats(1e-3, 0.3))
def test_gd_with_the_equivalent_penalty_is_gd_decoupled_weight_decay(seed, d, rate, decay):
    gradient, w0 = quadratic(seed, d)
    penalty = penalty_for(rate, decay)
    penalised = iterate(sgd(rate, weight_decay=penalty), gradient, w0, 40)
    decayed = iterate(decoupled_weight_decay(sgd(rate), decay), gradient, w0, 40)
    assert penalised == pytest.approx(decayed, rel=1e-9, abs=1e-12)
    g = gradient(w0)
    assert penalised[1] == pytest.approx(l2_update(w0, g, rate, decay, penalty, 1), rel=1e-12)
    assert decayed[1] == pytest.approx(decay_update(w0, g, rate, decay, penalty, 1), rel=1e-12)


@given(**problems, rate=st.floats(1e-3, 0.05), decay=st.floats(1e-3, 0.1))
def test_adam_with_the_penalty_differs_and_adamw_is_decoupled_decay(seed, d, rate, decay):
    gradient, w0 = quadratic(seed, d)
    penalty = penalty_for(rate, decay)  # torch's weight_decay: AdamW decays by lr * wd = decay
    coupled = iterate(adam(rate, weight_decay=penalty, eps=EPS), gradient, w0, 30)
    decoupled = iterate(adamw(rate, weight_decay=penalty, eps=EPS), gradient, w0, 30)
    assert decoupled == pytest.approx(iterate(decoupled_weight_decay(adam(rate, eps=EPS), decay), gradient,
                                              w0, 30), rel=1e-9, abs=1e-12)
    # First step: Adam's scale is D = |gradient seen| + eps (bias-corrected moments).
    g = gradient(w0)
    seen = g + penalty * w0
    assert coupled[1] == pytest.approx(
        adaptive_l2(w0, g, rate, decay, penalty, np.abs(seen) + EPS), rel=1e-9, abs=1e-12)
    assert decoupled[1] == pytest.approx(
        adaptive_decay(w0, g, rate, decay, penalty, np.abs(g) + EPS), rel=1e-9, abs=1e-12)
    assert not np.allclose(coupled, decoupled, rtol=1e-6, atol=1e-9)
