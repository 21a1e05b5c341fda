"""momentum_regimes in --quick mode: the numeric heat maps agree with the derived curves."""
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, run_quick):
    return run_quick("momentum_regimes", tmp_path_factory.mktemp("momentum_regimes"),
                     ("spectral_radius.png", "spectral_radius.pdf", "trajectories.png",
                      "grids.npz"))


def test_simulated_stability_matches_the_derived_boundary(metrics):
    assert metrics["stability_agreement_eta_beta"] > 0.999
    assert metrics["stability_agreement_eta_sigma"] > 0.999


def test_complex_regime_radius_is_the_derived_modulus(metrics):
    assert metrics["complex_regime_max_modulus_error"] < 1e-6


def test_trajectories_contract_at_the_spectral_radius(metrics):
    for label, sample in metrics["trajectories"].items():
        assert sample["measured_rate"] == pytest.approx(sample["predicted_radius"], rel=0.05), label
    unstable = metrics["trajectories"]["unstable (above the boundary)"]
    assert unstable["measured_rate"] > 1


def test_bad_arguments_give_one_line():
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.momentum_regimes",
                           "--jobs", "0"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: --jobs == 0")
