"""implicit_bias: the derived minimum-norm solution, row span and counterexample against
runs of SGD, AdaGrad, RMSProp and Adam from numerics.optim."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, strategies as st

from derivations import implicit_bias as theory
from numerics.implicit_bias import least_squares_path, minimum_norm_solution, null_space_component
from numerics.optim import adagrad, adam, rmsprop, sgd

DERIVED = theory.derive()
formula = sp.lambdify((theory.X, theory.t), DERIVED["minimum_norm_solution"].value)
EXAMPLE_SMALLEST, EXAMPLE_ADAPTIVE = (np.array(m, dtype=float).ravel()
                                      for m in DERIVED["rmsprop_counterexample"].value)
X1, T1 = np.array([[2.0, 1.0]]), np.array([2.0])
ADAPTIVE = {
    "AdaGrad": lambda: adagrad(0.2, eps=1e-12),
    "RMSProp": lambda: rmsprop(lambda k: 0.02 * 0.997**k, alpha=0.9, eps=1e-12),
    "Adam": lambda: adam(lambda k: 0.05 / (1 + k / 100), eps=1e-12),
}


def random_problem(seed, n, d):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=n), rng


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), extra=st.integers(2, 5),
       batch=st.integers(0, 4))
def test_sgd_from_zero_stays_in_the_row_span_and_lands_on_the_derived_solution(seed, n, extra,
                                                                                batch):
    X, t, rng = random_problem(seed, n, n + extra)
    assume(np.linalg.cond(X) < 5)
    batch_size = None if batch == 0 else min(batch, n)
    # 1/L: a batch's curvature is at most its largest squared row norm; the full batch's is
    # the largest eigenvalue of X^T X / n.
    rate = (n / np.linalg.eigvalsh(X @ X.T).max() if batch_size is None
            else 1 / np.max(np.sum(X**2, axis=1)))
    path = least_squares_path(sgd(rate), X, t, 3000, batch_size=batch_size, rng=rng)
    scale = 1 + np.linalg.norm(path, axis=1).max()
    assert np.abs(null_space_component(X, path)).max() <= 1e-12 * scale  # sgd_row_span
    derived = np.ravel(formula(X, t.reshape(-1, 1)))
    assert derived == pytest.approx(minimum_norm_solution(X, t), rel=1e-9, abs=1e-12)
    assert path[-1] == pytest.approx(derived, rel=1e-6, abs=1e-8)


def test_sgd_on_the_counterexample_reaches_the_derived_minimum_norm_solution():
    path = least_squares_path(sgd(0.1), X1, T1, 500)
    assert path[-1] == pytest.approx(EXAMPLE_SMALLEST, abs=1e-12)
    assert EXAMPLE_SMALLEST == pytest.approx(minimum_norm_solution(X1, T1), abs=1e-15)


@pytest.mark.parametrize("name, optimizer", [
    ("RMSProp", rmsprop(0.01, alpha=0.99, eps=1e-12)),
    ("AdaGrad", adagrad(0.2, eps=1e-12)),
    ("Adam", adam(0.01, eps=1e-12)),
])
def test_adaptive_methods_reach_the_derived_limit_on_the_counterexample(name, optimizer):
    path = least_squares_path(optimizer, X1, T1, 4000)
    assert path[-1] == pytest.approx(EXAMPLE_ADAPTIVE, abs=1e-8), name
    assert np.linalg.norm(path[-1] - EXAMPLE_SMALLEST) > 0.2


@given(rate=st.floats(1e-3, 0.1), decay=st.floats(0.5, 0.999),
       method=st.sampled_from(["rmsprop", "adagrad", "adam"]))
def test_adaptive_steps_are_equal_in_both_coordinates(rate, decay, method):
    optimizer = {"rmsprop": lambda: rmsprop(rate, alpha=decay, eps=1e-12),
                 "adagrad": lambda: adagrad(rate, eps=1e-12),
                 "adam": lambda: adam(rate, betas=(0.9, decay), eps=1e-12)}[method]()
    path = least_squares_path(optimizer, X1, T1, 300)
    assert np.abs(path[:, 0] - path[:, 1]).max() <= 1e-9  # on the line w_1 = w_2
    # the derived first step, eta / sqrt(1 - beta) in both coordinates, for RMSProp
    if method == "rmsprop":
        assert path[1] == pytest.approx(rate / np.sqrt(1 - decay) * np.ones(2), rel=1e-9)


def test_adaptive_methods_miss_the_minimum_norm_solution_on_random_problems():
    misses = {name: [] for name in ADAPTIVE}
    for seed in range(8):
        X, t, _ = random_problem(seed, 1 + seed % 3, 6)
        smallest = minimum_norm_solution(X, t)
        for name, make in ADAPTIVE.items():
            final = least_squares_path(make(), X, t, 2000)[-1]
            assert np.linalg.norm(X @ final - t) <= 1e-3 * (1 + np.linalg.norm(t)), name
            # the interpolant nearest the run differs from w_mn by its null-space part
            misses[name].append(np.linalg.norm(null_space_component(X, final))
                                / np.linalg.norm(smallest))
    for name, relative in misses.items():
        assert min(relative) > 0.02 and np.median(relative) > 0.1, (name, relative)
