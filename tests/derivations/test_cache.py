"""The derivation cache holds data only: a planted, foreign or damaged entry never runs or counts."""
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from derivations import core, plain_data
from derivations.__main__ import topic_module, topics
from derivations.core import POSITIVE, Derivation, Parameter, Result, Step

x = sp.Symbol("x", positive=True)


def build():
    """A one-result derivation whose cache entry the tests tamper with."""
    return Derivation("demo", "Demo", (Result("square", "x squared.", x**2,
                                              steps=(Step("square x", x**2),)),),
                      (Parameter(x, "a number", POSITIVE),))


class Planted:
    """A pickle that creates ``marker`` when it is unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("OPTVERIFY_CACHE", str(folder))
    monkeypatch.delenv("OPTVERIFY_NO_CACHE", raising=False)
    return folder


def entry(cache) -> Path:
    path = core.cache_path(build)
    assert path.parent == cache
    return path


def altered_entry(path):
    """A well-formed entry that says x**3 where the derivation says x**2."""
    data = {"key": core._cache_key(build), "derivation": plain_data.to_data(
        Derivation("demo", "Demo", (Result("square", "x squared.", x**3),)))}
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def test_the_cache_folder_is_created_private_and_the_entry_is_read_back(cache):
    assert core._load_or_build(build)["square"].value == x**2
    assert cache.stat().st_mode & 0o777 == 0o700
    path = entry(cache)
    assert json.loads(path.read_text())["key"] == core._cache_key(build)
    altered_entry(path)  # a private entry of the user's own is trusted: it is read
    assert core._load_or_build(build)["square"].value == x**3


def test_a_planted_pickle_never_runs_and_is_rebuilt(cache, tmp_path):
    marker = tmp_path / "ran"
    path = entry(cache)
    cache.mkdir(mode=0o700)
    path.write_bytes(pickle.dumps(Planted(marker)))
    path.chmod(0o600)
    assert core._load_or_build(build)["square"].value == x**2
    assert not marker.exists()
    assert json.loads(path.read_text())["key"] == core._cache_key(build)  # rebuilt


@pytest.mark.parametrize("payload", [
    {"key": "k", "derivation": {"basic": "os.system", "args": [{"str": "true"}]}},
    {"derivation": {"dataclass": "Planted", "fields": {}}},
    ["not", "a", "derivation"],
    {"key": None},
])
def test_a_foreign_or_wrongly_typed_entry_is_rebuilt_not_an_error(cache, payload):
    path = entry(cache)
    cache.mkdir(mode=0o700)
    if isinstance(payload, dict) and "derivation" in payload:
        payload["key"] = core._cache_key(build)
    path.write_text(json.dumps(payload))
    path.chmod(0o600)
    assert core._load_or_build(build)["square"].value == x**2


def test_an_entry_of_the_wrong_shape_is_rebuilt(cache):
    path = entry(cache)
    cache.mkdir(mode=0o700)
    wrong = Derivation("demo", "Demo", ("not a result",))
    path.write_text(json.dumps({"key": core._cache_key(build),
                                "derivation": plain_data.to_data(wrong)}))
    path.chmod(0o600)
    assert core._load_or_build(build)["square"].value == x**2


def test_a_damaged_entry_is_rebuilt(cache):
    path = entry(cache)
    cache.mkdir(mode=0o700)
    path.write_bytes(b"{\"key\": " + b"[" * 100_000)
    path.chmod(0o600)
    assert core._load_or_build(build)["square"].value == x**2
    assert json.loads(path.read_text())["key"] == core._cache_key(build)


def test_an_entry_others_may_write_is_ignored(cache):
    altered_entry(entry(cache))
    entry(cache).chmod(0o666)
    assert core._load_or_build(build)["square"].value == x**2


def test_a_folder_others_may_write_is_not_used(cache):
    altered_entry(entry(cache))
    planted = entry(cache).read_text()
    cache.chmod(0o777)
    assert core._load_or_build(build)["square"].value == x**2
    assert entry(cache).read_text() == planted  # nothing is written into such a folder either


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_entry_owned_by_another_user_is_ignored(cache):
    altered_entry(entry(cache))
    os.chown(entry(cache), 65534, 65534)
    assert core._load_or_build(build)["square"].value == x**2


def test_a_planted_entry_does_not_run_from_the_command_line(tmp_path):
    """The attack of the issue: a file planted in a shared cache folder, then `python -m derivations.gd`."""
    folder, marker = tmp_path / "shared", tmp_path / "ran"
    folder.mkdir()
    environment = {**os.environ, "OPTVERIFY_CACHE": str(folder)}
    path = subprocess.run(
        [sys.executable, "-c", "from derivations import core, gd; "
         "print(core.cache_path(gd.derive.__wrapped__))"],
        capture_output=True, text=True, env=environment, check=True).stdout.strip()
    Path(path).write_bytes(pickle.dumps(Planted(marker)))
    done = subprocess.run([sys.executable, "-m", "derivations.gd", "--json"],
                          capture_output=True, text=True, env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert json.loads(done.stdout)["topic"] == "gd"


@pytest.mark.parametrize("name", topics())
def test_every_topic_round_trips_through_plain_data(name):
    derived = topic_module(name).derive()
    read = plain_data.from_data(json.loads(json.dumps(plain_data.to_data(derived))),
                                (Step, Result, Parameter, Derivation))
    assert read == derived
    for mine, theirs in zip(derived.results, read.results):
        assert sp.srepr(mine.value) == sp.srepr(theirs.value)
        assert [sp.srepr(s.expr) for s in mine.steps] == [sp.srepr(s.expr) for s in theirs.steps]
