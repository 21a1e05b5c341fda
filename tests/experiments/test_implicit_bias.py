"""implicit_bias in --quick mode: SGD lands on the minimum-norm solution, adaptive methods do not."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("implicit_bias", tmp_path_factory.mktemp("implicit_bias"),
                     ("distance_to_minimum_norm.png", "distance_to_minimum_norm.pdf", "paths.npz"))


def test_every_optimizer_interpolates(metrics):
    for name, residuals in metrics["final_relative_residual"].items():
        assert max(residuals) < 1e-4, name


def test_sgd_finds_the_minimum_norm_solution_and_adaptive_methods_do_not(metrics):
    distance = metrics["final_distance_to_minimum_norm"]
    assert max(distance["SGD"]) < 1e-4
    for name in ("AdaGrad", "RMSProp", "Adam"):
        assert min(distance[name]) > 0.1, name


def test_example_limits_are_the_derived_ones(metrics):
    example = metrics["example"]
    np.testing.assert_allclose(example["limits"]["SGD"], example["derived_minimum_norm"],
                               atol=1e-8)
    np.testing.assert_allclose(example["limits"]["RMSProp"], example["derived_rmsprop_limit"],
                               atol=1e-6)
    assert not np.allclose(example["derived_rmsprop_limit"], example["derived_minimum_norm"])
