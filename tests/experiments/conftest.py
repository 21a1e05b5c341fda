"""Running an experiment the way a user does: its own process, ``--quick --quiet``."""
import json
import subprocess
import sys

import pytest


def run_experiment(name, out, files=(), *extra):
    """Run ``numerics.experiments.<name> --quick``; check ``files`` were written; return the metrics."""
    done = subprocess.run([sys.executable, "-m", f"numerics.experiments.{name}", "--quick",
                           "--quiet", "--out", str(out), *extra], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for file in files:
        assert (out / file).stat().st_size > 0, file
    return json.loads((out / "metrics.json").read_text())


@pytest.fixture(scope="session")
def run_quick():
    """:func:`run_experiment`, for the experiment tests' module fixtures."""
    return run_experiment


@pytest.fixture(scope="session")
def cifar_folder(tmp_path_factory):
    """A tiny CIFAR-10 in its binary format: 60 records per training batch, 60 test records."""
    import numpy as np
    folder = tmp_path_factory.mktemp("cifar10")
    rng = np.random.default_rng(0)
    for stem in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = np.arange(60, dtype=np.uint8) % 10
        pixels = rng.integers(0, 256, size=(60, 3072), dtype=np.uint8)
        (folder / f"{stem}.bin").write_bytes(np.column_stack([labels, pixels]).tobytes())
    return folder
