"""The shared command line: output forms, --subs, --only, one-line errors."""
import json
import subprocess
import sys

import pytest

from derivations import cli, gd, momentum
from derivations.__main__ import main as package_main, topics


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True)


def test_momentum_latex_prints_align_blocks():
    done = run("derivations.momentum", "--latex")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(r"\begin{align*}") == len(momentum.derive().results)
    assert r"\documentclass" not in done.stdout


def test_json_contract(capsys):
    assert cli.main(momentum.derive, ["--json", "--subs", "beta=1/2", "sigma=1", "eta=1/10"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"topic", "title", "symbols", "results"}
    assert payload["symbols"]["beta"]
    for result in payload["results"]:
        assert {"name", "statement", "latex", "value", "srepr"} <= set(result)
    by_name = {r["name"]: r for r in payload["results"]}
    assert by_name["complex_eigenvalue_modulus"]["numeric"] == pytest.approx(0.5 ** 0.5)
    assert by_name["stability_range"]["numeric"]["end"] == pytest.approx(3.0)
    assert "numeric" not in by_name["optimal_beta"]  # sigma_min, sigma_max still free


def test_only_keeps_order(capsys):
    cli.main(gd.derive, ["--json", "--only", "optimal_rate", "update_factor"])
    names = [r["name"] for r in json.loads(capsys.readouterr().out)["results"]]
    assert names == ["optimal_rate", "update_factor"]


def test_text_is_the_default(capsys):
    cli.main(gd.derive, ["--only", "stability_range"])
    out = capsys.readouterr().out
    assert out.startswith("Gradient descent") and "stability_range:" in out


@pytest.mark.parametrize("args, message", [
    (["--subs", "beta=1.5"], "beta == 1.5, must lie in (0, 1]"),
    (["--subs", "eta=abc"], "eta == 'abc' is not a number"),
    (["--subs", "nosuch=1"], "'nosuch' is not a parameter of momentum; choose from"),
    (["--subs", "beta"], "--subs takes NAME=VALUE"),
    (["--only", "nope"], "'nope' is not a result of momentum"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    done = run("derivations.momentum", "--latex", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_package_lists_topics_and_refuses_unknown_ones(capsys):
    assert package_main([]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listing] == topics()
    assert package_main(["nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: topic == 'nosuch' is not a topic; choose from")


def test_all_topics_as_json(capsys):
    assert package_main(["all", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    payload = payload if isinstance(payload, list) else [payload]
    assert [p["topic"] for p in payload] == topics()
