"""logistic_mnist in --quick mode: GD beats its worst-case slope log(1 - 1/kappa), Nesterov beats GD."""

import numpy as np
import pytest

# GD's fitted slope must be at least as steep as the derived bound log(1 - 1/kappa) (the
# curvature at w* exceeds lambda and f - f* is quadratic in the error, so it is steeper),
# but within this factor of it: a slope 20 times the bound would mean kappa is wrong.
FACTOR = 20
TOLERANCE = 0.05


FILES = ("semilog_slopes.png", "semilog_slopes.pdf", "nesterov_L_sweep.png", "three_curves.png",
         "lambda_selection.png", "losses.npz")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("logistic_mnist")


@pytest.fixture(scope="module")
def metrics(folder, run_quick):
    return run_quick("logistic_mnist", folder, FILES)


def check_theory(metrics):
    derived, slopes = metrics["derived"], metrics["fitted_slopes"]
    kappa = metrics["kappa_bound"]
    assert derived["slope_gd_bound"] == pytest.approx(np.log(1 - 1 / kappa), rel=1e-12)
    assert derived["slope_nesterov_bound"] == pytest.approx(np.log(1 - 1 / np.sqrt(kappa)),
                                                            rel=1e-12)
    assert metrics["momentum"] == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    gd = slopes["GD"]
    assert gd <= derived["slope_gd_bound"] * (1 + TOLERANCE)
    assert gd >= FACTOR * derived["slope_gd_bound"]
    nesterov = slopes["Nesterov L=1 L_bound"]
    assert nesterov < gd
    assert nesterov <= derived["slope_nesterov_bound"] * (1 + TOLERANCE)
    # The Hessian at the solution: strongly convex with constant lambda, below the bound.
    low, high = metrics["hessian_eigenvalues_min_max"]
    assert metrics["lambda"] * (1 - 1e-9) <= low <= high <= metrics["smoothness_bound_L"]
    assert metrics["kappa_hessian"] <= metrics["kappa_bound"]


def test_gd_and_nesterov_slopes_agree_with_the_derived_rates(metrics):
    check_theory(metrics)


def test_lambda_is_the_best_on_validation(metrics):
    errors = dict(zip(metrics["lambda_grid"], metrics["validation_errors"]))
    assert errors[metrics["lambda"]] == min(errors.values())


def test_sgd_stalls_above_the_full_batch_methods(metrics):
    final = metrics["final_gap"]
    assert final["SGD"] > 1e3 * max(final["GD"], 1e-12)
    assert final["SGD + Nesterov"] > 1e3 * max(final["Nesterov L=1 L_bound"], 1e-12)
    assert metrics["sgd_loop_matches_LogisticRegression"] < 1e-12


def test_every_run_starts_at_the_same_random_weights(metrics):
    start = metrics["initial_weights"]
    objective = start["objective"]
    assert set(objective) == set(metrics["final_gap"])               # every run is there
    values = np.array(list(objective.values()))
    assert np.all(values == values[0]), objective                   # one shared start
    assert abs(values[0] - np.log(2)) > 1e-3      # f(0) = log 2: the start is not zero
    assert start["norm"] > 0 and start["seed"] == 0


def test_the_random_start_is_pytorchs_nn_linear_default(metrics, folder):
    with np.load(folder / "losses.npz") as stored:
        theta = stored["initial_theta"]
    d = len(theta) - 1
    assert d == 64                                                 # the embedded 8x8 digits
    assert np.all(theta != 0) and np.all(np.abs(theta) <= 1 / np.sqrt(d))
    assert metrics["initial_weights"]["norm"] == pytest.approx(np.linalg.norm(theta))


def test_real_mnist_test_split(mnist_dir, tmp_path, run_quick):
    metrics = run_quick("logistic_mnist", tmp_path, FILES, "--data", str(mnist_dir))
    assert "14x14" in metrics["data"] and metrics["data"].startswith("mnist")
    check_theory(metrics)
