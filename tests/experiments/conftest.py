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
