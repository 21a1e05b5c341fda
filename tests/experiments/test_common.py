"""The experiments' shared runner: parallel sweeps equal serial ones; writes are atomic."""
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from numerics.experiments.common import Outputs, main, sweep
from numerics.files import atomic_path
from numerics.optim import momentum_ema
from numerics.recurrences import contraction_rate, iterate, least_squares_gradient


def momentum_run(eta, beta, seed):
    """A small seeded simulation: the contraction of momentum on a random least squares."""
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal(8)
    path = iterate(momentum_ema(eta, beta), least_squares_gradient(X, y), np.zeros(3), 60)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    return contraction_rate(np.linalg.norm(path - w_star, axis=1))


CONFIGURATIONS = [{"eta": eta, "beta": beta, "seed": seed}
                  for eta in (0.01, 0.02) for beta in (0.3, 0.9) for seed in (0, 1)]


def test_sweep_with_two_workers_equals_the_serial_run():
    serial = sweep(momentum_run, CONFIGURATIONS)
    parallel = sweep(momentum_run, CONFIGURATIONS, jobs=2)
    assert parallel == serial  # same numbers, same order
    assert len(set(serial)) > 1  # the configurations really differ


def test_sweep_backend_is_selectable():
    assert sweep(momentum_run, CONFIGURATIONS[:3], jobs=2, backend="threading") == \
        sweep(momentum_run, CONFIGURATIONS[:3])


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "metrics.json"
    target.write_text("good")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("stopped mid-write")
    assert target.read_text() == "good"
    assert list(tmp_path.iterdir()) == [target]


def test_non_finite_run_is_one_error_line_and_no_metrics(tmp_path, capsys):
    def diverging(args, outputs):
        iterate(momentum_ema(100.0, 0.5), least_squares_gradient([[1.0]], [1.0]), [0.0], 10_000)
        return {}

    assert main(diverging, "A diverging run.", ["--out", str(tmp_path)], name="diverging") == 2
    error = capsys.readouterr().err
    assert error.startswith("error: the iterate became non-finite at step ")
    assert error.count("\n") == 1
    assert not (tmp_path / "metrics.json").exists()


def test_metrics_are_plain_json(tmp_path):
    path = Outputs(tmp_path).metrics({"rate": np.float32(0.5), "curve": np.arange(3)})
    assert json.loads(path.read_text()) == {"rate": 0.5, "curve": [0, 1, 2]}


def test_out_naming_a_file_is_one_error_line(tmp_path, capsys):
    file = tmp_path / "results.txt"
    file.write_text("keep")
    for out in (file, file / "sub"):
        assert main(lambda args, outputs: {}, "Any.", ["--out", str(out)], name="any") == 2
        error = capsys.readouterr().err
        assert error == (f"error: --out {out}: {file} is a file, must be a folder; pass --out "
                         f"DIR naming a folder (it is created if missing)\n")
    assert file.read_text() == "keep" and list(tmp_path.iterdir()) == [file]


def test_unwritable_out_is_one_error_line(tmp_path, capsys, monkeypatch):
    # as root every folder is writable, so the permission check is made to say no
    monkeypatch.setattr("os.access", lambda path, mode: False)
    assert main(lambda args, outputs: {}, "Any.", ["--out", str(tmp_path / "x")], name="x") == 2
    assert capsys.readouterr().err == (f"error: --out {tmp_path / 'x'}: cannot write into "
                                       f"{tmp_path} (permission denied); pass --out DIR in a "
                                       f"folder you can write to\n")


def test_os_errors_during_a_run_are_one_line(tmp_path, capsys):
    def failing(args, outputs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "f.png"))

    assert main(failing, "Any.", ["--out", str(tmp_path)], name="f") == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'f.png'}: Permission denied\n"


def test_interrupt_mid_write_says_interrupted_and_leaves_no_temporary(tmp_path, capsys):
    def interrupted(args, outputs):
        with atomic_path(outputs.folder / "figure.png") as temporary:
            temporary.write_bytes(b"half a figure")
            raise KeyboardInterrupt

    assert main(interrupted, "Any.", ["--out", str(tmp_path)], name="i") == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_a_running_experiment_process(tmp_path):
    script = ("import time\n"
              "from numerics.experiments.common import main\n"
              "from numerics.files import atomic_path\n"
              "def run(args, outputs):\n"
              "    with atomic_path(outputs.folder / 'metrics.npz') as temporary:\n"
              "        temporary.write_bytes(b'half')\n"
              "        (outputs.folder.parent / 'started').touch()\n"
              "        time.sleep(60)\n"
              f"raise SystemExit(main(run, 'Slow.', ['--out', {str(tmp_path / 'out')!r}], 's'))\n")
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (tmp_path / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert (process.returncode, stderr) == (130, "interrupted\n")
    assert list((tmp_path / "out").iterdir()) == []


def test_formats_choose_the_figure_files(tmp_path):
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.momentum_regimes",
                           "--quick", "--quiet", "--formats", "pdf", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.suffix in (".png", ".pdf")) == [
        ".pdf", ".pdf"]
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.momentum_regimes",
                           "--formats", "svg"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: argument --formats: invalid "
                                                           "choice: 'svg'")
