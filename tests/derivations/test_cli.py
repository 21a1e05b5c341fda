"""The shared command line: output forms, --subs, --only, one-line errors."""
import json
import os
import subprocess
import sys
import time

import pytest

from derivations import __main__ as package
from derivations import cli, gd, momentum
from derivations.__main__ import main as package_main
from derivations.__main__ import topics


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
    # the tuning chooses beta and eta, which the values fix: left out, and said so
    assert set(payload) == {"topic", "title", "symbols", "results", "left_out"}
    assert "chooses beta, eta" in payload["left_out"]["optimal_beta"]
    assert payload["symbols"]["beta"]
    for result in payload["results"]:
        assert {"name", "statement", "latex", "value", "srepr"} <= set(result)
    by_name = {r["name"]: r for r in payload["results"]}
    assert by_name["complex_eigenvalue_modulus"]["numeric"] == pytest.approx(0.5 ** 0.5)
    assert by_name["stability_range"]["numeric"]["end"] == pytest.approx(3.0)
    assert "optimal_beta" not in by_name
    assert "numeric" not in by_name["decoupled_recurrence"]  # a_t, x_t still free


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


# ``all`` shares the uncached topics between this process and a forked worker.

def told_apart(parent, marker):
    """A task that says which process did it, as plain data.

    Each process marks that it has taken a task and then waits (at most a minute) until
    the other has taken one too, so that both take part whatever the machine's load: a
    worker that started first cannot take every task while the parent is still starting.
    """
    def task(index):
        mine, theirs = (marker.with_suffix(".parent"), marker) if os.getpid() == parent \
            else (marker, marker.with_suffix(".parent"))
        mine.touch()
        deadline = time.monotonic() + 60
        while not theirs.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return {"index": index, "pid": os.getpid(), "value": [0.1, None, "x**2"]}

    return task


def test_the_worker_sends_its_results_back_as_data_and_the_parent_does_the_rest(tmp_path):
    parent = os.getpid()
    done = package._beside_a_worker(told_apart(parent, tmp_path / "worker-started"), range(6))
    assert sorted(done) == list(range(6))
    assert all(done[i]["index"] == i and done[i]["value"] == [0.1, None, "x**2"] for i in range(6))
    assert {done[i]["pid"] for i in range(6)} - {parent}  # the worker did some
    assert parent in {done[i]["pid"] for i in range(6)}  # and so did the parent


def test_a_task_the_worker_cannot_do_is_left_to_the_parent(tmp_path):
    parent = os.getpid()
    (tmp_path / "started").touch()  # the parent need not wait
    in_parent = told_apart(parent, tmp_path / "started")

    def task(index):
        if os.getpid() != parent:
            raise ArithmeticError("only the worker fails")
        return in_parent(index)

    done = package._beside_a_worker(task, range(4))
    assert all(result["pid"] == parent for result in done.values())  # none from the worker


def test_all_keeps_the_order_of_the_topics_and_reports_a_bad_value_of_the_first_topic_with_it(
        monkeypatch, capsys):
    monkeypatch.setenv("OPTVERIFY_WORKERS", "2")
    assert package_main(["all", "--text", "--subs", "sigma=-1"]) == 2
    assert capsys.readouterr().err.startswith("error: gd: sigma == -1, must lie in (0, oo)")


def test_a_worker_that_dies_leaves_its_tasks_to_the_parent(tmp_path):
    parent = os.getpid()
    in_parent = told_apart(parent, tmp_path / "started")

    def task(index):
        if os.getpid() != parent:
            (tmp_path / "started").touch()
            os._exit(1)  # as if killed: nothing is sent back
        return in_parent(index)

    done = package._beside_a_worker(task, range(4))
    assert all(result["pid"] == parent for result in done.values())
    outcomes = [done[i] if i in done else task(i) for i in range(4)]
    assert [o["index"] for o in outcomes] == [0, 1, 2, 3]


def test_workers_is_read_from_the_environment_else_two_where_a_processor_is_free(monkeypatch):
    monkeypatch.delenv("OPTVERIFY_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.9, 1.0, 1.0))
    assert package.workers() == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (2.0, 1.0, 1.0))  # both processors busy
    assert package.workers() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert package.workers() == 1
    monkeypatch.setenv("OPTVERIFY_WORKERS", "1")
    assert package.workers() == 1
    monkeypatch.setenv("OPTVERIFY_WORKERS", "2")
    assert package.workers() == 2
    monkeypatch.setenv("OPTVERIFY_WORKERS", "two")
    with pytest.raises(ValueError, match="OPTVERIFY_WORKERS == 'two', must be a whole number"):
        package.workers()


def test_all_is_the_same_shared_between_two_processes_and_one_at_a_time():
    outputs = [subprocess.run([sys.executable, "-m", "derivations", "all", "--json"],
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "OPTVERIFY_NO_CACHE": "1",
                                   "OPTVERIFY_WORKERS": workers})
               for workers in ("2", "1")]
    assert [o.returncode for o in outputs] == [0, 0] and [o.stderr for o in outputs] == ["", ""]
    assert outputs[0].stdout == outputs[1].stdout


def test_a_bad_workers_setting_is_one_line_exit_2():
    done = subprocess.run([sys.executable, "-m", "derivations", "all", "--json"],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "OPTVERIFY_NO_CACHE": "1", "OPTVERIFY_WORKERS": "0"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("error: OPTVERIFY_WORKERS == '0', must be a whole number >= 1; "
                           "set it to 1 or 2, or unset it\n")


def test_values_that_take_too_long_are_one_line(capsys, monkeypatch):
    """Red team 9: t = 10^100 in GD's closed form computed (-7)^(10^100) for ever; the values
    now have the checker's time limit (1 s here, 10 s on the command line)."""
    from derivations.checking import reading
    monkeypatch.setitem(reading.LIMITS, "seconds", 1)
    assert cli.main(gd.derive, ["--json", "--subs", "eta=2", "sigma=2", "t=10^100"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: --subs eta=2 sigma=2 t=10^100")
    assert len(captured.err.strip().splitlines()) == 1


def test_a_result_too_long_to_print_is_one_line(capsys):
    """Red team 9: (1 - 2 eta sigma^2)^t at eta = 1/3, sigma = 2, t = 10^4 is (-5/3)^10000,
    whose numerator has 6990 digits; Python's cap on printed integers spoke of
    sys.set_int_max_str_digits."""
    assert cli.main(gd.derive, ["--json", "--subs", "eta=1/3", "sigma=2", "t=10^4"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --subs eta=1/3 sigma=2 t=10^4: a result is a number of more than")
    assert "sys." not in err and len(err.strip().splitlines()) == 1
