"""Shared test configuration: hypothesis profiles and the location of shared data."""
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, derandomize=True, database=None,
                          print_blob=True, max_examples=30,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=20)
settings.register_profile("thorough", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Tests derive afresh: a cache left by earlier runs must not stand in for the derivation.
os.environ["OPTVERIFY_CACHE"] = tempfile.mkdtemp(prefix="optverify-test-cache-")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MNIST_DIR = PROJECT_ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture
def mnist_dir():
    """The real MNIST test split beside the project, or a skip saying where it was looked for."""
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the real MNIST test split is not at {MNIST_DIR}")
    return MNIST_DIR
