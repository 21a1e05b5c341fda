"""adam_search in --quick mode: a five-rate grid and five seeded random rates, the best one reported."""
import subprocess
import sys

import numpy as np
import pytest

from numerics.experiments.adam_search import random_rates


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("adam_search", tmp_path_factory.mktemp("adam_search"),
                     ("adam_rate_search.png", "adam_rate_search.pdf", "adam_against_sgd.pdf",
                      "searches.npz"))


def test_grid_is_ten_to_the_minus_one_to_five(metrics):
    np.testing.assert_allclose(metrics["searches"]["grid"]["rates"], [1e-1, 1e-2, 1e-3, 1e-4, 1e-5])


def test_random_search_has_five_rates_in_range(metrics):
    random = metrics["searches"]["random"]
    rates = np.array(random["rates"])
    assert len(rates) == 5 and len(set(rates)) == 5
    assert np.all((1e-5 <= rates) & (rates <= 1e-1))
    np.testing.assert_allclose(10.0 ** -np.array(random["exponents"]), rates)


def test_best_rate_is_the_most_accurate_run(metrics):
    searches = metrics["searches"].values()
    accuracy = np.concatenate([s["train_accuracy"] for s in searches])
    rates = np.concatenate([s["rates"] for s in searches])
    assert metrics["best_train_accuracy"] == accuracy.max()
    assert metrics["best_rate"] in rates[accuracy == accuracy.max()]
    for search in searches:
        assert search["best_train_accuracy"] == max(search["train_accuracy"])


def test_random_search_is_seeded_by_seed(metrics):
    np.testing.assert_array_equal(metrics["searches"]["random"]["rates"],
                                  random_rates(metrics["settings"]["seed"]))
    assert not np.array_equal(random_rates(0), random_rates(1))


def test_unknown_data_set_gives_one_line():
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.adam_search", "--quick",
                           "--dataset", "nope"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error: name == 'nope'") and done.stderr.count("\n") == 1


def test_adam_and_sgd_are_compared_epoch_by_epoch(metrics):
    compared = metrics["adam_against_sgd"]
    assert {name: run["lr"] for name, run in compared.items()} == {"SGD": 5e-3, "Adam": 1e-3}
    epochs = metrics["settings"]["comparison_epochs"]
    for run in compared.values():
        assert len(run["test_accuracy_per_epoch"]) == epochs
        assert run["final_test_accuracy"] == run["test_accuracy_per_epoch"][-1]
    assert metrics["adam_improvement"] == pytest.approx(
        compared["Adam"]["final_test_accuracy"] - compared["SGD"]["final_test_accuracy"])


def test_data_folder_means_cifar10(tmp_path, run_quick, cifar_folder):
    metrics = run_quick("adam_search", tmp_path / "out", ("adam_against_sgd.pdf",),
                        "--data", str(cifar_folder))
    assert metrics["settings"]["data"].startswith("cifar10")
