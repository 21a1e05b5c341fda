"""Reports: every problem set builds in --quick mode, its PDF compiles, its figures exist."""
import re
import shutil
import subprocess
import sys

import pytest

from reports import build as builder
from reports.__main__ import main
from reports.problem_sets import PROBLEM_SETS, by_name


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return out, {p.name: builder.build(p, out, quick=True, pdf=shutil.which("pdflatex") is not None)
                 for p in PROBLEM_SETS}


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_document_answers_every_question_with_steps_and_boxes(built, name):
    _, results = built
    text = results[name].tex.read_text()
    problem_set = by_name(name)
    assert text.count(r"\section*{Question") == len(problem_set.questions)
    answered = sum(len(q.results) for q in problem_set.questions)
    assert text.count(r"\[ \answer{") == answered
    assert r"\end{document}" in text


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_every_referenced_figure_was_written(built, name):
    out, results = built
    text = results[name].tex.read_text()
    for reference in re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", text):
        assert (out / name / reference).stat().st_size > 0, reference


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not on PATH (apt-get install texlive-latex-base "
                           "texlive-latex-recommended)")
@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_pdf_exists_and_has_pages(built, name):
    _, results = built
    built = results[name]
    assert built.pdf.read_bytes().startswith(b"%PDF")
    assert built.pages >= len(by_name(name).questions) // 2


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_check_tables_show_derived_beside_simulated(built, name):
    _, results = built
    text = results[name].tex.read_text()
    rows = re.findall(r"\\texttt\{([\w\\]+)\} & [^&]* & ([-\d.e+]+) & ([-\d.e+]+) & ([\d.e+-]+)", text)
    assert rows, "no check rows"
    for result, derived, simulated, difference in rows:
        assert float(difference) < 1e-2, (result, derived, simulated)
        assert float(difference) == pytest.approx(
            abs(float(derived) - float(simulated)) / abs(float(derived)), rel=0.1, abs=1e-5)


def test_failing_experiment_names_itself(tmp_path, monkeypatch):
    def broken(command, **options):   # the experiment's process exits 2 after a traceback
        return subprocess.CompletedProcess(command, 2, "", "Traceback ...\nerror: boom\n")
    monkeypatch.setattr(builder.subprocess, "run", broken)
    with pytest.raises(builder.BuildError,
                       match=r"^experiment momentum_regimes failed \(exit 2\): error: boom$"):
        builder.build(by_name("learning-rates-and-momentum"), tmp_path, quick=True, pdf=False)
    assert not list(tmp_path.rglob("*.tex"))


def test_list_and_bad_names(capsys):
    assert main(["list"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [
        p.name for p in PROBLEM_SETS]
    assert main(["build", "nosuch", "--no-pdf"]) == 2
    assert capsys.readouterr().err.startswith("error: problem set == 'nosuch' does not exist")


def test_command_line_without_pdflatex_still_writes_tex(tmp_path):
    done = subprocess.run([sys.executable, "-m", "reports", "build", "learning-rates-and-momentum",
                           "--quick", "--out", str(tmp_path)], capture_output=True, text=True,
                          env={"PATH": "/nonexistent", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "no PDF made: pdflatex is not on PATH" in done.stdout
    assert (tmp_path / "learning-rates-and-momentum" / "learning-rates-and-momentum.tex").exists()
