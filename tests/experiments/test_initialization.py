"""initialization in --quick mode: He's stds are sqrt(2/n_in); zero init has zero hidden gradients and chance accuracy."""

import numpy as np
import pytest

HE = "He (fan-in, normal)"


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("initialization", tmp_path_factory.mktemp("initialization"),
                     ("weight_std.png", "weight_std.pdf", "gradient_norms.png", "training.png",
                      "histories.npz"))


def test_he_stds_are_the_textbook_sqrt_2_over_fan_in(metrics):
    sizes = metrics["settings"]["sizes"]
    textbook = np.sqrt(2 / np.array(sizes[:-1]))
    np.testing.assert_allclose(metrics["derived_weight_std"][HE], textbook, rtol=1e-12)
    measured = np.array(metrics["initial_weight_std"][HE])
    weights = np.array(metrics["weights_per_layer"])
    # four standard errors of a sample std over N normal weights: 1/sqrt(2N) each
    assert np.all(np.abs(measured / textbook - 1) < 4 / np.sqrt(2 * weights))
    assert np.all(np.abs(measured / textbook - 1) < 0.15)


def test_small_normal_init_has_the_std_it_was_given(metrics):
    np.testing.assert_allclose(metrics["initial_weight_std"]["N(0, 0.01²)"], 0.01, rtol=0.15)


def test_zero_init_has_zero_hidden_gradients_identical_units_and_chance_accuracy(metrics):
    zero = metrics["zero_init"]
    assert zero["max_hidden_gradient_norm"] == 0.0
    assert zero["max_final_weight_std"] == 0.0
    assert metrics["mean_gradient_norm_per_layer"]["zero"][-1] > 0   # the output bias learns
    accuracy = metrics["final_train_accuracy"]["zero"]
    assert accuracy <= metrics["largest_class_frequency"] + 1e-12
    assert accuracy == pytest.approx(metrics["chance_accuracy"], abs=0.05)


def test_small_init_gradients_vanish_with_depth_and_he_keeps_them(metrics):
    norms = metrics["mean_gradient_norm_per_layer"]
    small, he = norms["N(0, 0.01²)"], norms[HE]
    assert small[0] < 1e-6 * small[-1]
    assert he[0] > 0.1 * he[-1]


def test_he_trains_beyond_the_zero_init(metrics):
    accuracy = metrics["final_train_accuracy"]
    assert accuracy[HE] > accuracy["zero"] + 0.05
