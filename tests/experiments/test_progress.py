"""A sweep shows a progress bar (tqdm, on stderr) whether it runs here or on workers."""
import pytest

from numerics.experiments.common import main, sweep


def square(x):
    return x * x


@pytest.mark.parametrize("options", [{}, {"jobs": 2}, {"jobs": 2, "backend": "threading"}],
                         ids=["serial", "processes", "threads"])
def test_progress_bar_counts_every_run(capsys, options):
    assert sweep(square, [{"x": x} for x in range(7)], progress=True, **options) == \
        [x * x for x in range(7)]
    err = capsys.readouterr().err
    assert "square" in err and "7/7" in err and "run" in err


def test_no_bar_when_asked_for_none(capsys):
    sweep(square, [{"x": 1}, {"x": 2}], progress=False)
    assert capsys.readouterr().err == ""


def test_quiet_command_line_turns_the_bar_off(tmp_path, capsys):
    def run(args, outputs):
        return {"squares": sweep(square, [{"x": x} for x in range(3)], progress=None)}

    assert main(run, "A sweep.", ["--out", str(tmp_path), "--quiet"], name="squares") == 0
    assert capsys.readouterr().err == ""
    # progress=None outside --quiet means "on a terminal": pytest's capture is none
    assert main(run, "A sweep.", ["--out", str(tmp_path)], name="squares") == 0
    assert "3/3" not in capsys.readouterr().err
