"""lr_finder_cosine in --quick mode: the finder's curve, the derived schedule, the eta/(1 - rho) table."""
import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp


@pytest.fixture(scope="module")
def out(tmp_path_factory, run_quick):
    out = tmp_path_factory.mktemp("lr_finder_cosine")
    run_quick("lr_finder_cosine", out, ("lr_finder.png", "lr_finder.pdf", "schedule_training.png",
                                        "effective_rate_table.png", "finder.npz", "training.npz"))
    return out


@pytest.fixture(scope="module")
def metrics(out):
    return json.loads((out / "metrics.json").read_text())


def test_finder_curve_is_recorded_and_its_suggestion_lies_in_the_swept_range(out, metrics):
    with np.load(out / "finder.npz") as finder:
        rates, losses = finder["rates"], finder["losses"]
    assert len(rates) == len(losses) == metrics["finder"]["steps_run"] >= 50
    np.testing.assert_allclose(rates, 1e-5 * 1.1 ** np.arange(len(rates)), rtol=1e-12)
    eta_star = metrics["finder"]["eta_star"]
    assert rates[0] <= eta_star <= rates[-1] and eta_star == rates[np.argmin(losses)]
    assert metrics["eta_max"] == pytest.approx(eta_star / 10)
    # About 100 mini-batches: the derived count to reach the finder's target rate of 1.
    assert metrics["finder"]["derived_steps"] == int(np.ceil(np.log(1e5) / np.log(1.1)))


def test_rate_at_every_update_is_the_derived_warmup_cosine(out, metrics):
    done = subprocess.run([sys.executable, "-m", "derivations.schedules", "--json",
                           "--only", "cosine_warmup"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    derived = sp.sympify(json.loads(done.stdout)["results"][0]["srepr"])
    symbols = {s.name: s for s in derived.free_symbols}
    T = metrics["updates_T"]
    formula = sp.lambdify(symbols["t"], derived.subs({symbols["eta_max"]: metrics["eta_max"],
                                                     symbols["T"]: T}), "numpy")
    with np.load(out / "training.npz") as training:
        used = training["lr"]
    assert len(used) == T
    np.testing.assert_allclose(used, [float(formula(t)) for t in range(T)], rtol=1e-9)
    assert used.argmax() == T // 5 and used[0] == pytest.approx(1e-4)


def test_first_two_settings_share_the_effective_rate_and_the_third_does_not(metrics):
    table, eta_max = metrics["table"], metrics["eta_max"]
    assert [row["keeps_effective_rate"] for row in table.values()] == [True, True, False]
    assert table["5 eta_max, 0.5"]["effective_rate"] == pytest.approx(10 * eta_max)
    assert table["eta_max, 0.5"]["effective_rate"] == pytest.approx(2 * eta_max)
    for row in table.values():
        assert 0 <= row["validation_error_mean"] <= 1


def test_training_loss_decreases(metrics):
    first, last = metrics["training_loss_first_last_epoch"]
    assert last < first
