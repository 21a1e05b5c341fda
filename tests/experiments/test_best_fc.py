"""best_fc in --quick mode: cs182's 10 x 200 He/Adam net beside the 45% line, and a five-layer net fitting 50 examples."""
import pytest

from numerics.experiments.best_fc import hidden_sizes


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("best_fc", tmp_path_factory.mktemp("best_fc"),
                     ("best_fc.pdf", "best_fc.png", "overfit_50.pdf", "overfit_50.png"))


def test_the_net_has_ten_linear_layers_of_width_200(metrics):
    assert metrics["settings"]["hidden"] == [200] * 9
    assert hidden_sizes(50, 3) == (50, 50)


def test_target_verdict_follows_the_validation_accuracy(metrics):
    assert metrics["reaches_target"] == (metrics["validation_accuracy"] >= 0.45)
    assert metrics["validation_accuracy_per_epoch"][-1] == metrics["validation_accuracy"]


def test_fifty_examples_are_fitted(metrics):
    overfit = metrics["overfit"]
    assert overfit["examples"] == 50
    # 50 examples and 4 x 100 hidden units: SGD fits every training example (the sheet's point)
    assert overfit["train_accuracy"] == 1.0
    assert overfit["validation_accuracy"] < 0.9


def test_embedded_digits_without_data(metrics):
    assert metrics["settings"]["data"].startswith("digits")


def test_data_folder_means_cifar10(tmp_path, run_quick, cifar_folder):
    metrics = run_quick("best_fc", tmp_path / "out", ("best_fc.pdf",), "--data", str(cifar_folder))
    assert metrics["settings"]["data"].startswith("cifar10")
    assert metrics["overfit"]["data"].startswith("cifar10")
