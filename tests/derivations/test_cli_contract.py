"""The command line's contract on hostile and careless input.

Every run ends with status 0 and its output, or status 2 and exactly one ``error: ...``
line; never a traceback, never a hang.  Ctrl-C says ``interrupted`` (130), a closed pipe
ends quietly (141).
"""
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import cli, momentum
from derivations.__main__ import main as derivations_main

# A hang detector, not a timing: a healthy run of these takes well under a second.
HANG = 60


def run(main, argv):
    """Run a command line in process; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()

    def hang(*_):
        raise AssertionError(f"{argv!r} ran for more than {HANG} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as exit_:  # argparse's own exits
                status = exit_.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return status, out.getvalue(), err.getvalue()


def assert_contract(status, out, err):
    assert "Traceback" not in out + err
    if status == 0:
        assert err == ""
    else:
        assert status == 2, (status, err)
        assert out == ""  # nothing half-written
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err


def topic(argv):
    return cli.main(momentum.derive, argv)


NAMES = st.sampled_from(["beta", "eta", "sigma", "sigma_max", "sigma_min", "kappa", "x", "",
                         "beta ", "β", "--subs"])
VALUES = st.one_of(
    st.sampled_from(["1/2", "0.5", "sqrt(5)", "5^(1/2)", "1e-3", "1e-5000", "1e999999999",
                     "2^2^64", "10^10^10", "(10^100)!", "1/0", "0", "-1", "nan", "inf", "oo",
                     "__import__('os')", "sqrt(", "1" * 200, "((((1))))", "e^e^e^e", "log(0)",
                     "\\frac{1}{2}", "7", "x", ""]),
    st.text(max_size=30),
    st.integers(-10**30, 10**30).map(str),
    st.fractions(max_denominator=10**6).map(str),
)
OPTIONS = st.lists(st.one_of(
    st.sampled_from([["--latex"], ["--json"], ["--text"], ["--html"], ["--standalone"],
                     ["--only", "eigenvalues"], ["--only", "stability_range"],
                     ["--only", "nothing"], ["--subs"], ["--only"], ["--bogus"]]),
    st.tuples(NAMES, VALUES).map(lambda nv: ["--subs", f"{nv[0]}={nv[1]}"]),
    st.text(max_size=12).map(lambda t: [t]),
), max_size=5).map(lambda parts: [a for part in parts for a in part])


@settings(max_examples=60)
@given(OPTIONS)
def test_a_topic_command_line_keeps_its_contract_on_any_options(argv):
    assert_contract(*run(topic, argv))


@settings(max_examples=20)
@given(OPTIONS)
def test_the_all_topics_command_line_keeps_its_contract_on_any_options(argv):
    assert_contract(*run(derivations_main, ["all", *argv]))


@pytest.mark.parametrize("argv, message", [
    (["--subs", "beta=1e-5000"], "exponent beyond"),
    (["--subs", "sigma=1e999999999"], "exponent beyond"),
    (["--subs", "sigma=2^2^64"], "beyond 10"),
    (["--subs", "beta=1/2", "--subs", "beta=1/3"], "given twice"),
    (["--json", "--standalone"], "--standalone"),
    (["--subs", "beta=__import__('os')"], "not allowed"),
])
def test_bad_input_is_one_line_naming_the_problem(argv, message):
    status, out, err = run(topic, argv)
    assert_contract(status, out, err)
    assert status == 2 and message in err


def test_exact_expressions_are_accepted_by_subs():
    """cs182 2(g): sigma_max^2 = 5 and sigma_min^2 = 0.05, entered exactly."""
    status, out, err = run(topic, ["--json", "--only", "optimal_rate",
                                   "--subs", "sigma_max=sqrt(5)", "sigma_min=sqrt(1/20)"])
    assert (status, err) == (0, "")
    by_hand = (5**0.5 - 0.05**0.5) / (5**0.5 + 0.05**0.5)  # (sqrt(kappa) - 1)/(sqrt(kappa) + 1), kappa = 100
    assert json.loads(out)["results"][0]["numeric"] == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(9 / 11, rel=1e-12)


def test_only_repeated_thousands_of_times_keeps_one_copy():
    status, out, err = run(topic, ["--json", "--only", *["eigenvalues"] * 5000])
    assert (status, err) == (0, "")
    assert [r["name"] for r in json.loads(out)["results"]] == ["eigenvalues"]


def test_all_topics_take_a_parameter_where_it_exists_and_refuse_it_where_none_has_it():
    status, out, err = run(derivations_main, ["all", "--json", "--subs", "beta=1/2",
                                              "--only", "stability_range"])
    assert (status, err) == (0, "")
    ranges = {d["topic"]: d["results"][0] for d in json.loads(out)}
    assert "momentum" in ranges and "gd" in ranges
    # momentum's EMA stability edge 0 < eta < (2 - beta)/(beta sigma^2), at beta = 1/2: 3/sigma^2
    momentum_range = momentum.derive(beta="1/2")["stability_range"].value
    assert ranges["momentum"]["srepr"] == __import__("sympy").srepr(momentum_range)
    for argv, message in ((["all", "--subs", "beta=7"], ": beta == 7, must lie in (0, 1"),
                          (["all", "--subs", "nosuch=1"], "--subs nosuch names nothing"),
                          (["all", "--only", "nosuch"], "--only nosuch names nothing")):
        status, out, err = run(derivations_main, argv)
        assert_contract(status, out, err)
        assert status == 2 and message in err


def command_line(*argv, **environment):
    return subprocess.Popen([sys.executable, "-m", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **environment})


def test_a_closed_pipe_ends_quietly():
    """`python -m derivations.gd --latex | head -1`: the reader has gone before the output."""
    process = command_line("derivations.gd", "--latex")
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert err == ""


def test_ctrl_c_says_interrupted_and_exits_130(tmp_path):
    # One process caches each topic as it ends (two send theirs back to be cached at the
    # end, when a signal may come after the command is over): after the first entry the
    # other topics take seconds more.
    cache = tmp_path / "cache"
    process = command_line("derivations", "all", "--json", OPTVERIFY_CACHE=str(cache),
                           OPTVERIFY_WORKERS="1")
    deadline = time.monotonic() + 120
    while not (cache.exists() and any(cache.iterdir())):  # main is running once it caches
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err == "interrupted\n" and out == ""



def test_a_command_ends_the_process_without_a_last_collection():
    """After a command, Python's final garbage collection has nothing left to walk: the
    objects alive at exit are frozen first.  The probe is registered before the command,
    so it runs after the command's exit hook (exit hooks run last registered first)."""
    probe = ("import atexit, gc\n"
             "from numerics.terminal import command\n"
             "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
             "main = command(lambda: 0)\n"
             "main(); main()\n")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           timeout=HANG)
    assert shown.returncode == 0 and shown.stderr == ""
    assert shown.stdout == "frozen at exit: True\n"
