"""vanishing_gradients in --quick mode: sigmoid gradients shrink towards the input, ReLU's much less."""
import ast

import numpy as np
import pytest

DEPTHS = ("(50,)", "(50, 30)", "(50, 30, 30)", "(50, 30, 30, 30)")


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("vanishing_gradients", tmp_path_factory.mktemp("vanishing_gradients"),
                     ("test_accuracy.png", "gradient_norms.png", "gradient_norms.pdf",
                      "decay_against_bound.png", "gradient_norms.npz"))


def test_every_configuration_ran(metrics):
    labels = set(metrics["test_accuracy"])
    assert {f"{a} {d}" for a in ("sigmoid", "relu") for d in DEPTHS} < labels
    assert {"sigmoid (50, 30, 30, 30) Xavier", "relu (50, 30, 30, 30) Xavier"} < labels
    for label, norms in metrics["mean_gradient_norm_per_layer"].items():
        hidden = ast.literal_eval(label[label.index("("):label.index(")") + 1])
        assert len(norms) == len(hidden) + 1, label     # one norm per Linear layer


def test_sigmoid_first_layer_gradient_below_relu(metrics):
    first = metrics["first_layer_gradient_norm"]
    for depth in DEPTHS:
        assert first[f"sigmoid {depth}"] < first[f"relu {depth}"], depth


def test_sigmoid_ratios_fall_with_every_layer_and_faster_than_relu(metrics):
    assert metrics["derived_sigmoid_derivative_max"] == 0.25
    for depth in DEPTHS[1:]:
        ratios = np.array(metrics["ratio_to_output_layer"][f"sigmoid {depth}"])
        assert np.all(np.diff(ratios) < 0), depth
    factor = metrics["measured_per_layer_factor"]
    deepest = DEPTHS[-1]
    assert factor[f"sigmoid {deepest}"] < 0.5 < factor[f"relu {deepest}"]


def test_sigmoid_first_layer_gradient_shrinks_with_depth(metrics):
    first = [metrics["first_layer_gradient_norm"][f"sigmoid {d}"] for d in DEPTHS]
    assert np.all(np.diff(first) < 0)
    assert first[-1] < 0.05 * first[0]
