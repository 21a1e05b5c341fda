"""method_regions: the derived boundary and tuning drawn over the numeric spectral radius."""
import subprocess
import sys

import pytest

from numerics.experiments.method_regions import method_option


@pytest.fixture(scope="module")
def heavy_ball(run_quick, tmp_path_factory):
    return run_quick("method_regions", tmp_path_factory.mktemp("hb"), ("regions.pdf", "regions.png"))


def test_derived_boundary_separates_the_numeric_radius(heavy_ball):
    # away from one grid cell around the boundary, radius < 1 exactly on the derived side
    assert heavy_ball["stability_agreement"] == 1.0


def test_derived_tuning_is_the_numeric_worst_rate_and_beats_the_grid(heavy_ball):
    # the worst radius over 201 curvatures at the derived tuning is the derived rate; the
    # grid's best (a coarse grid of 60 x 60 over 9 curvatures) cannot be much better
    assert heavy_ball["numeric_worst_rate_at_tuning"] == pytest.approx(
        heavy_ball["derived_optimal_rate"], rel=1e-6)
    assert heavy_ball["best_rate_on_grid"] >= heavy_ball["derived_optimal_rate"] * (1 - 1e-9)


def test_nesterov_standard_tuning_is_not_claimed_optimal(run_quick, tmp_path):
    metrics = run_quick("method_regions", tmp_path, ("regions.pdf",), "--method", "nesterov")
    assert metrics["stability_agreement"] == 1.0
    assert metrics["numeric_worst_rate_at_tuning"] == pytest.approx(metrics["derived_optimal_rate"],
                                                                    rel=1e-6)


def test_unknown_method_is_one_error_line():
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.method_regions", "--method",
                           "nope"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: --method takes one of")
    assert method_option(["--quick"]) == ("heavy_ball", ["--quick"])
