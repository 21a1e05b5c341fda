"""logistic: the derived gradient, Hessian, constants and rates against direct computation."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, strategies as st
from scipy.optimize import minimize_scalar
from scipy.special import expit, logsumexp
from sklearn.linear_model import LogisticRegression

from derivations import logistic as lg
from numerics.logistic import (augment, descent_path, finite_difference_hessian,
                               logistic_gradient, logistic_hessian, logistic_loss,
                               logistic_minimiser)
from numerics.optim import nesterov, sgd
from numerics.recurrences import empirical_rate, iterate, least_squares_gradient

DERIVED = lg.derive()
seeds = st.integers(0, 2**32 - 1)
hessian_entry = sp.lambdify((lg.x, lg.s, lg.j, lg.k, lg.n, lg.lam), DERIVED["hessian"].value)
gradient_entry = sp.lambdify((lg.x, lg.y, lg.z, lg.w, lg.j, lg.n, lg.lam),
                             DERIVED["gradient"].value)
smoothness = sp.lambdify((lg.lam, lg.sigma_max, lg.n), DERIVED["smoothness_bound"].value)
rates = {name: sp.lambdify(lg.kappa, DERIVED[name].value)
         for name in ("gd_rate", "nesterov_rate", "nesterov_momentum")}
slopes = sp.lambdify(lg.kappa, DERIVED["semilog_slopes"].value)


def problem(seed, n, d, scale=1.0):
    rng = np.random.default_rng(seed)
    X = scale * rng.standard_normal((n, d))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    return rng, X, y


def padded(X):
    """x_ij of the derivation: rows i = 1..n (row 0 unused), column 0 the constant feature."""
    rows = np.full((X.shape[0] + 1, X.shape[1] + 1), np.nan)
    rows[1:, 0], rows[1:, 1:] = 1.0, X
    return rows


def derived_order(d):
    """Derivation index of each numeric coordinate: (w_1..w_d, b) are (1..d, 0)."""
    return [*range(1, d + 1), 0]


def smoothness_of(X, lam):
    return smoothness(lam, np.linalg.svd(augment(X), compute_uv=False)[0], X.shape[0])


EPS, FD_STEP = np.finfo(float).eps, 1e-4  # FD_STEP: finite_difference_hessian's default step


def fd_hessian_error_bound(w, b, X, lam, h=FD_STEP):
    """Entrywise bound on the error of ``finite_difference_hessian`` at ``theta = (w, b)``.

    Truncation: a central difference of central differences is the mean of the exact
    ``f_jk`` over the square ``theta + [-h, h]^2`` of the (j, k) plane, so by Taylor's
    theorem it is off by at most ``7/12 h^2 M``, ``M`` bounding the fourth derivatives;
    the softplus's fourth derivative is at most 1/8, so ``M <= mean_i max_j |x~_ij|^4 / 8``.
    Rounding, in the standard model (every operation off by a factor ``1 + e``,
    ``|e| <= eps``; Higham, Accuracy and Stability of Numerical Algorithms, ch. 3): with
    ``S_i = sum_j |x~_ij| (|theta_j| + 2h)``, a loss value is off by at most ``delta``, the
    sum of ``(d + 1) eps S_i`` (margins), ``3 eps (S_i + 1)`` (softplus) and
    ``n eps (S_i + 1)`` (the mean), averaged over ``i``, ``(d + 3) eps lam |theta|^2 / 2``
    (penalty) and ``eps f`` (the sum); four values over ``4 h^2`` give ``delta / h^2``.
    Rounding ``theta_j +- h`` moves a point by up to ``eps (|theta_j| + 2h)``, which moves
    a quotient by that times ``|f_j| <= mean_i |x~_ij| + lam |theta_j|`` over ``h^2``.
    """
    A = np.abs(augment(X))
    n, p = A.shape
    reach = np.abs(np.append(w, b)) + 2 * h             # |theta| anywhere on the stencil
    S = A @ reach
    penalty = lam / 2 * float(reach @ reach)
    f = np.mean(S) + np.log(2) + penalty                 # bounds the loss on the stencil
    delta = EPS * (np.mean((p + 3 + n) * S + 3 + n) + (p + 2) * penalty + f)
    moved = EPS * (A.mean(axis=0) + lam * reach) * reach / h ** 2
    M = np.mean(A.max(axis=1) ** 4) / 8
    return 7 / 12 * h ** 2 * M + delta / h ** 2 + np.add.outer(moved, moved)


@given(seed=seeds, n=st.integers(2, 10), d=st.integers(1, 3), lam=st.floats(0.01, 1.0))
def test_finite_difference_hessian_of_the_loss_is_the_derived_hessian(seed, n, d, lam):
    rng, X, y = problem(seed, n, d)
    w, b = rng.standard_normal(d), float(rng.standard_normal())
    s = np.concatenate([[np.nan], expit(X @ w + b)])
    order = derived_order(d)
    derived = np.array([[hessian_entry(padded(X), s, j, k, n, lam) for k in order]
                        for j in order])
    error = np.abs(finite_difference_hessian(w, b, X, y, lam) - derived)
    assert np.all(error <= fd_hessian_error_bound(w, b, X, lam) + 1e-12 * np.abs(derived))
    np.testing.assert_allclose(logistic_hessian(w, b, X, y, lam), derived, rtol=1e-12)


@given(seed=seeds, n=st.integers(2, 10), d=st.integers(1, 3), lam=st.floats(0.01, 1.0))
def test_derived_gradient_is_the_numeric_gradient(seed, n, d, lam):
    rng, X, y = problem(seed, n, d)
    w, b = rng.standard_normal(d), float(rng.standard_normal())
    margins = np.concatenate([[np.nan], X @ w + b])
    weights = np.concatenate([[b], w])
    derived = [gradient_entry(padded(X), np.concatenate([[np.nan], y]), margins, weights, j,
                              n, lam) for j in derived_order(d)]
    grad_w, grad_b = logistic_gradient(w, b, X, y, lam)
    np.testing.assert_allclose(np.append(grad_w, grad_b), derived, rtol=1e-12, atol=1e-15)


@given(seed=seeds, n=st.integers(2, 12), d=st.integers(1, 3), lam=st.floats(0.01, 1.0),
       spread=st.floats(0.1, 10.0))
@example(seed=5258620, n=3, d=3, lam=0.40625, spread=6.0)   # failed at a fixed 1e-6
@example(seed=362, n=12, d=3, lam=1.0, spread=5.50390625)   # failed under the thorough profile
def test_hessian_spectrum_lies_between_lambda_and_the_smoothness_bound(seed, n, d, lam, spread):
    rng, X, y = problem(seed, n, d)
    w, b = spread * rng.standard_normal(d), spread * float(rng.standard_normal())
    mu, L = float(DERIVED["strong_convexity"].value.subs(lg.lam, lam)), smoothness_of(X, lam)
    # eigvalsh is backward stable: a few eps |H| per eigenvalue (and L's SVD alike)
    slack = 8 * (d + 1) * EPS * L
    exact = np.linalg.eigvalsh(logistic_hessian(w, b, X, y, lam))
    assert exact.min() >= mu - slack and exact.max() <= L + slack
    # Weyl: an eigenvalue moves by at most the error's spectral norm, at most the norm of
    # its entrywise bound (a nonnegative matrix)
    tolerance = np.linalg.norm(fd_hessian_error_bound(w, b, X, lam), 2) + slack
    eigenvalues = np.linalg.eigvalsh(finite_difference_hessian(w, b, X, y, lam))
    assert eigenvalues.min() >= mu - tolerance
    assert eigenvalues.max() <= L + tolerance


@given(seed=seeds, n=st.integers(2, 12), d=st.integers(1, 3), lam=st.floats(0.01, 1.0))
def test_the_constants_are_the_best_possible_on_every_data_set(seed, n, d, lam):
    _, X, y = problem(seed, n, d)
    # far out along the bias every curvature s(1 - s) vanishes: lambda_min -> lambda
    flat = np.linalg.eigvalsh(logistic_hessian(np.zeros(d), 40.0, X, y, lam))
    mu = float(DERIVED["strong_convexity"].value.subs(lg.lam, lam))
    assert flat.min() == pytest.approx(mu, rel=1e-12)
    # at w = 0 every s(1 - s) = 1/4: the smoothness bound is attained
    peak = np.linalg.eigvalsh(logistic_hessian(np.zeros(d), 0.0, X, y, lam))
    assert peak.max() == pytest.approx(smoothness_of(X, lam), rel=1e-12)


@given(seed=seeds, n=st.integers(5, 30), lam=st.floats(0.005, 0.2))
def test_gd_with_step_one_over_L_contracts_the_gap_at_least_at_the_derived_rate(seed, n, lam):
    _, X, y = problem(seed, n, 2, scale=2.0)
    L = smoothness_of(X, lam)
    kappa = L / lam
    optimum = logistic_minimiser(X, y, lam)
    best = logistic_loss(optimum[:-1], optimum[-1], X, y, lam)
    path = descent_path(X, y, lam, 1 / L, 60)
    gaps = np.array([logistic_loss(p[:-1], p[-1], X, y, lam) for p in path]) - best
    kept = gaps[gaps > 1e-11]
    assert np.all(kept[1:] <= rates["gd_rate"](kappa) * kept[:-1] * (1 + 1e-9))
    slope, slope10 = (np.polyfit(np.arange(kept.size), np.log(kept) / base, 1)[0]
                      for base in (1.0, np.log(10)))
    gd_slope, _, gd_slope10, _ = slopes(kappa)
    assert slope <= gd_slope * (1 - 1e-9) + 1e-12 and slope10 <= gd_slope10 * (1 - 1e-9) + 1e-12


@given(seed=seeds, lam=st.floats(1e-3, 4e-3))
def test_nesterov_keeps_its_bound_and_beats_gd_on_an_ill_conditioned_problem(seed, lam):
    rng = np.random.default_rng(seed)
    n = 40
    hidden = rng.standard_normal(n)
    X = np.column_stack([3 * rng.standard_normal(n), 0.1 * hidden])   # one flat direction
    y = np.where(hidden + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)
    L = smoothness_of(X, lam)
    kappa = L / lam
    optimum = logistic_minimiser(X, y, lam)
    best = logistic_loss(optimum[:-1], optimum[-1], X, y, lam)
    steps = 300

    def gaps(path):
        return np.array([logistic_loss(p[:-1], p[-1], X, y, lam) for p in path]) - best

    fast = gaps(descent_path(X, y, lam, 1 / L, steps, rates["nesterov_momentum"](kappa)))
    slow = gaps(descent_path(X, y, lam, 1 / L, steps))
    # Nesterov's theorem with mu = lambda and L = the derived bound
    start = fast[0] + lam / 2 * float(optimum @ optimum)
    envelope = rates["nesterov_rate"](kappa) ** np.arange(steps + 1) * start
    assert np.all(fast <= envelope + 1e-12)
    assert slow[-1] > 1e-3 * slow[0]                 # GD has barely started on the flat direction
    assert fast[-1] < 1e-2 * slow[-1]


@given(kappa=st.floats(20.0, 2000.0))
def test_on_a_quadratic_the_slowest_mode_contracts_at_the_derived_rates(kappa):
    L, mu = 1.0, 1.0 / kappa
    gradient = least_squares_gradient(np.diag(np.sqrt([mu / 2, L / 2])), np.zeros(2))
    steps = int(40 * np.sqrt(kappa))
    fast = iterate(nesterov(1 / L, momentum=rates["nesterov_momentum"](kappa)), gradient,
                   np.ones(2), steps)
    # a double root: the error is (a + b t) rho^t, so divide out the factor growing like t
    envelope = np.abs(fast[:, 0]) / (1 + np.arange(steps + 1))
    rate = empirical_rate(envelope, burn_in=steps // 4, window=steps // 8)
    assert rate == pytest.approx(rates["nesterov_rate"](kappa), rel=2e-3)
    slow = iterate(sgd(1 / L), gradient, np.ones(2), 200)
    assert empirical_rate(np.abs(slow[:, 0])) == pytest.approx(rates["gd_rate"](kappa), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_optimum_matches_scikit_learn_with_the_bias_penalised(seed):
    rng = np.random.default_rng(seed)
    n, lam = 60, 0.05
    X = rng.standard_normal((n, 3)) + 1.0
    y = np.where(X @ [1.0, -1.0, 0.5] + rng.standard_normal(n) > 1.5, 1.0, -1.0)
    ours = logistic_minimiser(X, y, lam)
    theirs = LogisticRegression(C=1 / (n * lam), fit_intercept=False, tol=1e-12,
                                max_iter=10_000).fit(augment(X), y).coef_[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    unpenalised = LogisticRegression(C=1 / (n * lam), tol=1e-12, max_iter=10_000).fit(X, y)
    assert abs(unpenalised.intercept_[0] - ours[-1]) > 1e-2   # penalising w_0 matters here


@given(classes=st.integers(2, 1000), level=st.floats(-50, 50))
def test_softmax_cross_entropy_at_equal_logits_is_the_derived_value(classes, level):
    logits = np.full(classes, level)
    derived = float(DERIVED["cross_entropy_at_init"].value.subs(lg.C, classes))
    assert logsumexp(logits) - logits[0] == pytest.approx(derived, rel=1e-12)


@given(eta=st.floats(0.01, 8.0))
def test_one_sgd_step_from_the_minimiser_raises_the_loss_by_the_derived_amount(eta):
    def loss(w):
        return np.logaddexp(0, w) + np.logaddexp(0, -w)   # -log(1 - s(w)) - log s(w)

    start = minimize_scalar(loss, bracket=(-1, 1), tol=1e-12).x
    after = start - eta * expit(start)                  # the gradient of f_1 is s(w)
    at_minimum, _, increase = DERIVED["sgd_not_monotone"].value.subs(lg.eta, eta)
    assert loss(start) == pytest.approx(float(at_minimum), rel=1e-12)
    assert loss(after) - loss(start) == pytest.approx(float(increase), rel=1e-6, abs=1e-12)
    assert loss(after) > loss(start)


@given(kappa=st.floats(5.0, 200.0))
def test_gd_loss_on_a_quadratic_falls_at_the_derived_slope(kappa):
    L, mu = 1.0, 1.0 / kappa
    gradient = least_squares_gradient(np.diag(np.sqrt([mu / 2, L / 2])), np.zeros(2))
    path = iterate(sgd(1 / L), gradient, np.ones(2), 300)
    loss = (mu * path[:, 0] ** 2 + L * path[:, 1] ** 2) / 2
    slope = np.polyfit(np.arange(100, 301), np.log(loss[100:]), 1)[0]
    derived = float(sp.lambdify(lg.kappa, DERIVED["quadratic_semilog_slopes"].value[0])(kappa))
    # the L mode is gone after one step (factor 0), so the line is exact up to rounding
    assert slope == pytest.approx(derived, rel=1e-9)
