"""The lane: experiment commands run one after another in one process, as ``python -m`` runs them."""
import json
import signal
import subprocess
import sys
import time

import pytest


def lane():
    return subprocess.Popen([sys.executable, "-m", "numerics.experiments.lane"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def ask(process, *command):
    process.stdin.write(json.dumps({"command": list(command)}) + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def test_commands_give_what_their_own_processes_give(tmp_path):
    commands = [
        ["numerics.experiments.momentum_regimes", "--quick", "--quiet", "--out",
         str(tmp_path / "lane")],
        ["numerics.experiments.momentum_regimes", "--jobs", "0"],
        ["numerics.experiments.optimizers_fc", "--quick", "--out", str(tmp_path / "loud")],
    ]
    process = lane()
    answers = [ask(process, *command) for command in commands]
    process.stdin.close()
    assert process.wait(30) == 0
    for command, answer in zip(commands, answers):
        alone = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True)
        assert answer["status"] == alone.returncode
        if alone.returncode:
            assert answer["stderr"] == alone.stderr
    assert answers[1]["stderr"] == "error: --jobs == 0, must be at least 1\n"
    assert answers[2]["stdout"].startswith("optimizers_fc: wrote ")   # the command's own output


def test_only_experiment_modules_run():
    process = lane()
    answer = ask(process, "os", "-c", "1")
    process.stdin.close()
    assert process.wait(30) == 0
    assert answer == {"status": 2, "stdout": "", "stderr": "error: 'os' is not an experiment "
                      "module; run numerics.experiments.<name>\n"}


def test_an_interrupt_between_commands_ends_the_lane():
    process = lane()
    ask(process, "numerics.experiments.momentum_regimes", "--jobs", "0")   # imports done
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 130
    assert process.stderr.read() == "interrupted\n"


@pytest.mark.parametrize("seed", [0, 3])
def test_the_same_metrics_in_a_lane_as_alone(tmp_path, seed):
    """Two runs of one experiment in one lane write the metrics a fresh process writes."""
    process = lane()
    command = ["numerics.experiments.momentum_regimes", "--quick", "--quiet", "--seed",
               str(seed), "--out"]
    first, second = (ask(process, *command, str(tmp_path / name)) for name in ("a", "b"))
    process.stdin.close()
    assert process.wait(30) == 0 and first["status"] == second["status"] == 0
    alone = subprocess.run([sys.executable, "-m", *command, str(tmp_path / "alone")],
                           capture_output=True, text=True)
    assert alone.returncode == 0, alone.stderr
    expected = (tmp_path / "alone" / "metrics.json").read_text()
    assert (tmp_path / "a" / "metrics.json").read_text() == expected
    assert (tmp_path / "b" / "metrics.json").read_text() == expected
