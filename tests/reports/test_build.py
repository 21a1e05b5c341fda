"""Reports: every sub-question of every sheet in its numbering, quick builds that say so, clean failures."""
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy as sp

from reports import build as builder
from reports.__main__ import main
from reports.latex import QUICK_BANNER
from reports.problem_sets import PROBLEM_SETS, by_name

PROBLEMS = Path(__file__).resolve().parents[3] / "shared" / "problems"
HAVE_PDFLATEX = shutil.which("pdflatex") is not None

# Every sub-question of every sheet, in the sheet's own numbering, read off the sheets by hand.
SHEETS = {
    "berkeley-cs182-hw2.md": [
        *[f"1({c})" for c in "abcdefg"], *[f"2({c})" for c in "abcdefg"],
        *[f"3({c})" for c in "abcd"], *[f"4, item {i}" for i in range(1, 6)]],
    "bonn-ma-inf-2313-assignment4.md": [
        "1(a)1", "1(a)2", *[f"1(b){i}" for i in range(1, 7)], *[f"2(a){i}" for i in range(1, 6)],
        *[f"2(b){i}" for i in range(1, 5)]],
    "gatech-cs7643-ps1.md": ["1", "2", "3", "4", *[f"5({c})" for c in "abcde"], "6", "7", "8"],
    "toronto-csc413-hw2.md": ["1.1.1", "1.2.1", "1.2.2", "2.1.1", "2.1.2", "2.1.3", "2.2.1",
                              "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3", "3.1", "3.2", "3.3"],
    "penn-ese546-hw4.md": [f"1({c})" for c in "abcde"] + [f"2({c})" for c in "abcd"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return out, {p.name: b for p, b in zip(PROBLEM_SETS, builder.build_all(
        PROBLEM_SETS, out, quick=True, pdf=HAVE_PDFLATEX))}


def test_every_sheet_has_a_report_with_its_sub_questions_in_order():
    assert sorted(p.sheet for p in PROBLEM_SETS) == sorted(SHEETS)
    for problem_set in PROBLEM_SETS:
        assert [q.number for q in problem_set.questions] == SHEETS[problem_set.sheet]


@pytest.mark.skipif(not PROBLEMS.is_dir(), reason=f"the sheets are not at {PROBLEMS}")
def test_toronto_leaf_headings_are_the_hand_written_list():
    """Numbered headings that no other heading extends are the sheet's sub-questions."""
    text = (PROBLEMS / "toronto-csc413-hw2.md").read_text()
    numbers = re.findall(r"^#+\s*\**\s*(\d\.\d(?:\.\d)?)\b", text, flags=re.M)
    leaves = [n for n in dict.fromkeys(numbers) if not any(m.startswith(n + ".") for m in numbers)]
    assert leaves == SHEETS["toronto-csc413-hw2.md"]


@pytest.mark.skipif(not PROBLEMS.is_dir(), reason=f"the sheets are not at {PROBLEMS}")
def test_cs182_lettered_parts_are_the_hand_written_list():
    parts, section = [], None
    for line in (PROBLEMS / "berkeley-cs182-hw2.md").read_text().splitlines():
        if match := re.match(r"^## (\d)\.", line):
            section = match[1]
        elif match := re.match(r"^\(([a-z])\)", line):
            parts.append(f"{section}({match[1]})")
    assert parts == [n for n in SHEETS["berkeley-cs182-hw2.md"] if not n.startswith("4")]


def test_every_question_is_answered_or_says_why_not():
    for problem_set in PROBLEM_SETS:
        for question in problem_set.questions:
            assert question.answered or len(question.not_answered) > 20, question.number
            assert not (question.answered and question.not_answered), question.number
            assert bool(question.topic) == bool(question.results), question.number
            for stem in question.figures:
                problem_set.figure(stem)


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_every_named_result_exists(name):
    for question in by_name(name).questions:
        if question.topic:
            derivation = importlib.import_module(f"derivations.{question.topic}").derive()
            missing = [r for r in question.results if r not in derivation]
            assert not missing, (question.number, question.topic, missing)


def _bare(expr) -> bool:
    """A truth value, or a tuple holding one: what a step must say in mathematics instead."""
    if isinstance(expr, (bool, sp.logic.boolalg.BooleanAtom)):
        return True
    if isinstance(expr, (tuple, list, sp.Tuple)):
        return any(_bare(item) for item in expr)
    return False


TOPICS = sorted({q.topic for p in PROBLEM_SETS for q in p.questions if q.topic})


@pytest.mark.parametrize("topic", TOPICS)
def test_no_step_shows_true_false_or_a_tuple_of_them(topic):
    derivation = importlib.import_module(f"derivations.{topic}").derive()
    bare = [(r.name, s.text) for r in derivation.results for s in r.steps if _bare(s.expr)]
    assert not bare, bare


def test_the_bare_test_catches_what_it_should():
    assert _bare(sp.true) and _bare((sp.true, sp.false)) and _bare(sp.Tuple(1, sp.false))
    assert not _bare(sp.Tuple(1, 2)) and not _bare(sp.Symbol("x") < 1)


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_document_carries_the_sheet_numbers_answers_and_reasons(built, name):
    _, results = built
    text = results[name].tex.read_text()
    problem_set = by_name(name)
    headings = re.findall(r"\\subsection\*\{([^}]*)\}", text)
    assert headings == [q.number for q in problem_set.questions]
    unanswered = [q for q in problem_set.questions if not q.answered]
    assert text.count(r"\paragraph{Not answered:}") == len(unanswered)
    assert text.count(r"\[ \answer{") == sum(len(q.results) for q in problem_set.questions)
    assert r"\end{document}" in text


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_quick_build_says_so_and_claims_no_findings(built, name):
    _, results = built
    text = results[name].tex.read_text()
    assert QUICK_BANNER in text and r"\pagestyle{plain}" in text
    assert r"\thispagestyle{empty}" not in text
    for figure in by_name(name).figures:
        if figure.finding:
            assert figure.finding not in text, figure.stem
    assert text.count(r"\begin{figure}") == len(by_name(name).figures)
    assert text.count("smoke run") >= len(by_name(name).figures)


def test_full_document_has_findings_and_no_banner(tmp_path):
    problem_set = by_name("implicit-bias-and-hypergradients")
    figures = {f.stem: tmp_path / "figures" / f.experiment / f"{f.stem}.pdf"
               for f in problem_set.figures}
    text = builder.document(problem_set, figures, tmp_path, quick=False)
    assert "Quick build" not in text
    for figure in problem_set.figures:
        assert figure.finding in text


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_every_figure_was_written_and_names_its_data(built, name):
    out, results = built
    text = results[name].tex.read_text()
    for reference in re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", text):
        assert (out / name / reference).stat().st_size > 0, reference
    captions = re.findall(r"\\caption\{(.*)\}", text)
    assert len(captions) == len(by_name(name).figures)
    assert all(" Data: " in c for c in captions)
    if name in ("learning-rates-and-momentum", "adaptive-and-initialization"):
        assert "Data: digits" in text   # the embedded default, said so


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_no_sympy_names_leak(built, name):
    _, results = built
    assert "sp." not in _outside_math_and_code(results[name].tex.read_text())


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_prose_has_no_ascii_leftovers(built, name):
    _, results = built
    text = results[name].tex.read_text()
    assert r"\textasciicircum" not in text and r"\textasciitilde" not in text
    for word in ("eta", "beta", "sigma", "lambda"):
        assert not re.search(rf"(?<![\\\w]){word}(?![\w])", _outside_math_and_code(text)), word


def _outside_math_and_code(text):
    text = re.sub(r"\$[^$]*\$|\\\[.*?\\\]|\\begin\{align\*\}.*?\\end\{align\*\}", "", text,
                  flags=re.S)
    return re.sub(r"\\texttt\{(?:[^{}]|\{\})*\}", "", text)


@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex is not on PATH (apt-get install "
                    "texlive-latex-base texlive-latex-recommended)")
@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_pdf_exists_and_has_pages(built, name):
    _, results = built
    one = results[name]
    assert one.pdf.read_bytes().startswith(b"%PDF")
    assert one.pages >= len(by_name(name).questions) // 4


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_check_tables_show_derived_beside_simulated(built, name):
    _, results = built
    text = results[name].tex.read_text()
    rows = re.findall(r"\\texttt\{((?:[\w\\]|\{\})+)\} & [^&]* & ([-\d.e+]+) & ([-\d.e+]+) & ([\d.e+-]+)", text)
    if not any(q.topic in {c.topic for c in builder.CHECKS} for q in by_name(name).questions):
        return
    assert rows, "no check rows"
    for result, derived, simulated, difference in rows:
        assert float(difference) < 1e-2, (result, derived, simulated)
        assert float(difference) == pytest.approx(
            abs(float(derived) - float(simulated)) / abs(float(derived)), rel=0.1, abs=1e-5)


def test_failing_experiment_names_itself(tmp_path, monkeypatch):
    def broken(self, command, **options):   # the experiment's process exits 2 after a traceback
        return subprocess.CompletedProcess(command, 2, "", "Traceback ...\nerror: boom\n")
    monkeypatch.setattr(builder.Processes, "run", broken)
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


def _one_line_error(done, *fragments):
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr


def _build(*arguments, **options):
    return subprocess.run([sys.executable, "-m", "reports", "build", *arguments],
                          capture_output=True, text=True, timeout=120, **options)


def test_out_that_is_a_file_or_unwritable_or_empty_is_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    _one_line_error(_build("convexity-and-autodiff", "--out", str(afile)), "is a file")
    _one_line_error(_build("convexity-and-autodiff", "--out", str(afile / "sub")),
                    "cannot be written")
    _one_line_error(_build("convexity-and-autodiff", "--out", ""), "--out == ''")
    assert afile.read_text() == "keep" and sorted(tmp_path.iterdir()) == [afile]


def _children(pid):
    """Child processes of ``pid``, whichever of its threads started them."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_interrupt_stops_experiments_and_removes_temporary_files(tmp_path):
    build = subprocess.Popen([sys.executable, "-m", "reports", "build",
                              "learning-rates-and-momentum", "--quick", "--no-pdf", "--out",
                              str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline, started = time.monotonic() + 60, []
    while time.monotonic() < deadline and not started:
        started = _children(build.pid)
        time.sleep(0.05)
    assert started, "no experiment started within 60 s"
    time.sleep(1.0)   # let the experiments get going
    grandchildren = [g for c in started for g in _children(c)]
    build.send_signal(signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 130, err
    assert err == "interrupted\n"
    assert not [p for p in started + grandchildren if _alive(p)]
    hidden = [p for p in tmp_path.rglob(".*") if p.is_file()]
    assert not hidden, hidden
    assert not list(tmp_path.rglob("*.tex"))


def test_command_line_without_pdflatex_still_writes_tex(tmp_path):
    done = subprocess.run([sys.executable, "-m", "reports", "build", "convexity-and-autodiff",
                           "--quick", "--out", str(tmp_path)], capture_output=True, text=True,
                          env={**os.environ, "PATH": "/nonexistent", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "no PDF made: pdflatex is not on PATH" in done.stdout
    assert (tmp_path / "convexity-and-autodiff" / "convexity-and-autodiff.tex").exists()


def test_questions_lists_every_sub_question_and_what_answers_it(capsys):
    assert main(["questions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"{sheet} {number}" for p in PROBLEM_SETS for sheet, numbers in [(p.sheet, SHEETS[p.sheet])]
        for number in numbers]
    assert sum("not answered: " in line for line in lines) == 5   # cs182 1(g), gatech 5(e)-8
    assert any(line.startswith("toronto-csc413-hw2.md 2.3.2: weight_decay.equivalent_penalty;")
               for line in lines)
    assert main(["questions", "nosuch"]) == 2


def test_data_goes_to_the_cifar_experiments_only(tmp_path, monkeypatch):
    commands = []

    def record(self, command, **options):
        commands.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")
    monkeypatch.setattr(builder.Processes, "run", record)
    for name in ("learning-rates-and-momentum", "adaptive-and-initialization"):
        with pytest.raises(builder.BuildError, match="did not write"):
            builder.build(by_name(name), tmp_path, quick=True, pdf=False, data=tmp_path / "cifar")
    given = {c[2].rsplit(".", 1)[1] for c in commands if "--data" in c}
    assert given == {"best_fc", "adam_search"}
    assert len(commands) == 6 and all(c[c.index("--data") + 1] == str(tmp_path / "cifar")
                                      for c in commands if "--data" in c)


def test_warm_experiments_share_a_lane_and_report_like_their_own_process(tmp_path):
    processes = builder.Processes()
    command = [sys.executable, "-m", "numerics.experiments.momentum_regimes", "--jobs", "0"]
    try:
        first, second = (processes.run(command, warm=True) for _ in range(2))
        lanes = [p for p in processes._running if p.args[2] == "numerics.experiments.lane"]
        assert len(lanes) == 1   # one process answered both
    finally:
        processes.close()
    alone = processes.run(command)
    assert (first.returncode, first.stderr) == (second.returncode, second.stderr) == (
        alone.returncode, alone.stderr) == (2, "error: --jobs == 0, must be at least 1\n")
    assert lanes[0].returncode == 0 and not processes._running


def test_a_build_that_fails_leaves_nothing_it_made(tmp_path):
    """Red team 9: with --data naming no CIFAR-10, the experiments that had finished left
    their figures and metrics in a folder whose key was never written."""
    (tmp_path / "kept.txt").write_text("the user's")
    done = subprocess.run([sys.executable, "-m", "reports", "build", "learning-rates-and-momentum",
                           "--quick", "--no-pdf", "--data", str(tmp_path / "nonexistent"),
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["kept.txt"]
