"""vanishing_gradients in --quick mode: sigmoid gradients shrink towards the input, ReLU's much less.

Also: the recorded norms are the last mini-batch's of each epoch (against a training loop
written out here), and the runs start at PyTorch's default weights and biases.
"""
import ast
import math

import numpy as np
import pytest

from numerics.data import minibatches
from numerics.experiments.training_runs import Data, build_mlp, per_epoch, train_mlp
from numerics.experiments.vanishing_gradients import (BIASES, INITIALIZATIONS, configurations,
                                                      last_batch_norms)

DEPTHS = ("(50,)", "(50, 30)", "(50, 30, 30)", "(50, 30, 30, 30)")
DEEPEST = "(50, 30, 30, 30)"


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("vanishing_gradients", tmp_path_factory.mktemp("vanishing_gradients"),
                     ("test_accuracy.png", "gradient_norms.png", "gradient_norms.pdf",
                      "decay_against_bound.png", "gradient_norms.npz"))


def test_every_configuration_ran(metrics):
    labels = set(metrics["test_accuracy"])
    assert {f"{a} {d}" for a in ("sigmoid", "relu") for d in DEPTHS} < labels
    assert {f"{a} {DEEPEST} {name}" for a in ("sigmoid", "relu") for name in ("Xavier", "a=1")
            } < labels
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


def test_the_deepest_net_compares_the_default_with_xavier_and_a_equal_1(metrics):
    for activation in ("sigmoid", "relu"):
        compared = metrics["deepest_net"][activation]
        assert set(compared) == {"default", "Xavier", "a=1"}
        assert compared["default"]["test_accuracy"] == metrics["test_accuracy"][
            f"{activation} {DEEPEST}"]
        assert compared["a=1"]["test_accuracy"] == metrics["test_accuracy"][
            f"{activation} {DEEPEST} a=1"]


def test_initial_weight_stds_are_the_derived_ones(metrics):
    # the default's 1/sqrt(3 n_in), a = 1's 1/sqrt(n_in), Xavier's sqrt(2/(n_in + n_out));
    # the input layer (64 x 50 weights) to six standard errors of a sample std
    derived, measured = metrics["derived_weight_std"], metrics["initial_weight_std"]
    n_in = 64
    expected = {"": 1 / math.sqrt(3 * n_in), " a=1": 1 / math.sqrt(n_in),
                " Xavier": math.sqrt(2 / (n_in + 50))}
    for suffix, std in expected.items():
        label = f"sigmoid {DEEPEST}{suffix}"
        assert derived[label][0] == pytest.approx(std, rel=1e-12), label
        assert measured[label][0] == pytest.approx(std, rel=6 * math.sqrt(1 / (2 * 64 * 50)))


def test_every_run_starts_at_pytorchs_default_biases():
    assert BIASES == "pytorch_linear_default"
    assert {INITIALIZATIONS[name].weights for *_, name in configurations()
            if name == "default"} == {"pytorch_linear_default"}
    model = build_mlp((64, 50, 30, 10), "sigmoid", "pytorch_linear_default", seed=0,
                      bias_init=BIASES)
    parameters = model.parameters()
    for index, n_in in ((0, 64), (2, 50), (4, 30)):
        bound = 1 / math.sqrt(n_in)
        for kind in ("weight", "bias"):
            values = parameters[f"{index}.{kind}"]
            assert np.abs(values).max() <= bound, (index, kind)
            assert np.abs(values).max() > 0.8 * bound, (index, kind)   # not zero, not shrunk


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def norms_by_hand(parameters, x, y, lr, batch_size, epochs, seed):
    """SGD on a one-hidden-layer sigmoid net, written out: each epoch's last batch's gradient norms."""
    w0, b0, w1, b1 = (parameters[k].copy() for k in ("0.weight", "0.bias", "2.weight", "2.bias"))
    order = np.random.default_rng(seed)          # fit's: one generator, reshuffled every epoch
    last = []
    for _ in range(epochs):
        for xb, yb in minibatches(x, y, batch_size, order):
            hidden = sigmoid(xb @ w0 + b0)
            scores = hidden @ w1 + b1
            p = np.exp(scores - scores.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            dscores = (p - np.eye(scores.shape[1])[yb]) / len(xb)
            dz = dscores @ w1.T * hidden * (1 - hidden)
            grads = [(xb.T @ dz, dz.sum(axis=0)), (hidden.T @ dscores, dscores.sum(axis=0))]
            norms = [math.sqrt(np.sum(gw**2) + np.sum(gb**2)) for gw, gb in grads]
            (gw0, gb0), (gw1, gb1) = grads
            w0, b0, w1, b1 = w0 - lr * gw0, b0 - lr * gb0, w1 - lr * gw1, b1 - lr * gb1
        last.append(norms)
    return np.array(last).T


def test_recorded_norms_are_the_last_batchs_of_each_epoch():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(23, 5)), rng.integers(0, 3, size=23)   # batches 5, 5, 5, 5, 3
    settings = {"sizes": (5, 4, 3), "activation": "sigmoid",
                "init_name": "pytorch_linear_default", "seed": 7}
    run = train_mlp(Data((x, y), (x, y), "tiny", "tiny"), optimizer="sgd", lr=0.5,
                    batch_size=5, epochs=3, bias_init=BIASES, **settings)
    expected = norms_by_hand(build_mlp(**settings, bias_init=BIASES).parameters(), x, y,
                             lr=0.5, batch_size=5, epochs=3, seed=7)
    recorded = last_batch_norms(run.history)
    np.testing.assert_allclose(recorded, expected, rtol=1e-10)
    means = [per_epoch(run.history.grad_norms[k], run.history.epoch_step)
             for k in ("0.Linear", "2.Linear")]
    assert not np.allclose(recorded, means, rtol=1e-3)     # the epoch's mean is another thing


def test_the_recorded_norms_have_one_column_per_epoch(metrics):
    epochs = metrics["settings"]["epochs"]
    for label, norms in metrics["last_batch_gradient_norm_per_epoch"].items():
        assert np.shape(norms) == (len(metrics["mean_gradient_norm_per_layer"][label]), epochs)
