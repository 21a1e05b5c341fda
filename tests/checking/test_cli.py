"""The checker's command lines and its limits: hostile or huge input ends quickly with one
``error:`` line or a could-not-read verdict, exit 2, no traceback."""
import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derivations import momentum, topic_module
from derivations.__main__ import main as package_main
from derivations.checking import check, read_latex
from derivations.checking.reading import LIMITS, ClaimError

# A guard against hangs, not a timing: each command must end well inside it.
GUARD = 120

JSON_FIELDS = {"topic", "result", "claim", "verdict", "reading", "method", "slip", "score",
               "parts", "witness", "derived_latex", "problem", "position", "revealed"}


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          timeout=GUARD)


def one_error_line(done):
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_a_claim_beginning_with_minus_is_a_claim():
    done = run("derivations.weight_decay", "--check", "decay_update",
               r"-\frac{2\eta}{n} X^T (X w_0 - t) + (1-\lambda) w_0")
    assert done.returncode == 0 and "decay_update: correct" in done.stdout, done
    # the method command line too (red team 10: argparse took it for an option)
    done = run("derivations.method", "--check", "transient_growth", r"-\rho(\rho+2)")
    assert done.returncode == 0 and "transient_growth: correct" in done.stdout, done
    done = run("derivations.method", "--check", "transient_growth", r"\rho(\rho+2)",
               "--no-reveal")
    assert done.returncode == 1 and "derived: " not in done.stdout, done


def test_no_reveal_hides_the_derived_answer_and_keeps_the_slip():
    done = run("derivations.gd", "--check", "optimal_learning_rate",
               r"\frac{2}{\sigma_L^2 + \sigma_S^2}", "--no-reveal")
    assert done.returncode == 1
    assert "slip: off by a factor of 2" in done.stdout and "claimed " in done.stdout
    assert "derived: " not in done.stdout and "(hidden)" in done.stdout
    assert "sigma_L^{2} + \\sigma_S" not in done.stdout.split("read as:")[1].split("\n", 1)[1]
    done = run("derivations.gd", "--check", "optimal_learning_rate",
               r"\frac{2}{\sigma_L^2 + \sigma_S^2}", "--no-reveal", "--json")
    payload = json.loads(done.stdout)
    assert payload["derived_latex"] is None and payload["witness"]["derived"] == "(hidden)"
    assert payload["revealed"] is False and payload["slip"]["name"] == "factor 2"


@pytest.mark.parametrize("args, message", [
    (["--check", "optimal_learning_rate", "1", "--only", "optimal_rate"], "--only does not go"),
    (["--no-reveal"], "--no-reveal goes with --check"),
])
def test_options_that_would_be_ignored_are_errors(args, message):
    assert message in one_error_line(run("derivations.gd", *args))


def test_help_states_the_limits():
    done = run("derivations", "check", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert f"at most {LIMITS['length']} characters" in text and "s to be read" in text


def test_json_lists_every_field(tmp_path, capsys):
    answers = tmp_path / "answers.toml"
    answers.write_text("[gd]\noptimal_learning_rate = '\\frac{2}{\\sigma_L^2 + \\sigma_S^2}'\n"
                       "[momentum]\nheavy_ball_equivalence = '(\\alpha = \\eta, m = 1 - \\beta)'\n")
    assert package_main(["check", str(answers), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert all(set(v) == JSON_FIELDS for v in payload)
    assert payload[0]["slip"]["name"] == "factor 2" and payload[0]["reading"]
    assert payload[1]["score"] == "1/2" and payload[1]["parts"] == [False, True]


def test_reveal_false_in_the_answers_file_hides_the_answers(tmp_path, capsys):
    answers = tmp_path / "answers.toml"
    answers.write_text("reveal = false\n[gd]\noptimal_learning_rate = '\\frac{2}{\\sigma_L^2}'\n")
    assert package_main(["check", str(answers)]) == 1
    out = capsys.readouterr().out
    assert "derived: " not in out and "(hidden)" in out and "wrong" in out


@pytest.mark.parametrize("text, message", [
    ("", "holds no claims"),
    ("reveal = false\n", "holds no claims"),
    ("reveal = 'no'\n[gd]\nupdate_factor = '1'\n", "reveal == 'no', must be true or false"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_bad_answers_files(tmp_path, text, message):
    answers = tmp_path / "answers.toml"
    answers.write_text(text)
    assert message in one_error_line(run("derivations", "check", str(answers)))


def test_huge_files_and_devices_end_with_one_line(tmp_path):
    assert "larger than 1 MB" in one_error_line(run("derivations", "check", "/dev/zero"))
    answers = tmp_path / "answers.toml"
    answers.write_text("[gd]\nupdate_factor = '" + "1+" * (5 << 20) + "1'\n")
    assert "larger than 1 MB" in one_error_line(run("derivations", "check", str(answers)))


@pytest.mark.parametrize("claim, problem", [
    ("(" * 3000 + r"\eta" + ")" * 3000, "more than the limit"),
    (r"\frac{1}{" * 300 + r"\eta" + "}" * 300, "more than the limit"),
    (r"\frac{1}{" * 60 + r"\eta" + "}" * 60, f"nested more than {LIMITS['depth']} deep"),
    ("(" * 100 + r"\eta" + ")" * 100, "nested more than"),
    (r"10^{10^{10}}", "digits"),
    (r"\sigma^{10^{10^{10}}}", "digits"),
    (r"2^{2^{64}}", "digits"),
    (r"(10^{100})!", "digits"),
    (r"\eta^{100000}", "exponent"),
])
def test_hostile_claims_are_could_not_read(tmp_path, claim, problem):
    answers = tmp_path / "answers.toml"
    answers.write_text(f"[gd]\nupdate_factor = '{claim}'\n")
    done = run("derivations", "check", str(answers))
    assert problem in one_error_line(done)


def test_a_claim_that_runs_out_of_time_is_named(monkeypatch):
    monkeypatch.setitem(LIMITS, "seconds", 1e-6)
    verdict = check(topic_module("gd").derive(), "update_factor", r"1 - 2\eta\sigma^2")
    assert verdict.status == "could not read"
    assert "gd.update_factor ran out of time" in verdict.problem


@pytest.mark.parametrize("text, problem, position", [
    (r"\foo + 1", r"unknown command \foo", 0),
    (r"x \approx 1", r"unknown command \approx", 2),
    ("__import__('os').system('true')", "", None),
])
def test_read_latex_refuses_what_it_cannot_read(text, problem, position):
    with pytest.raises(ClaimError) as caught:
        read_latex(text)
    assert problem in caught.value.problem
    assert position is None or caught.value.position == position


def test_read_latex_reads_over_and_plus_minus_anywhere():
    import sympy as sp
    x = sp.Symbol("x")
    assert read_latex(r"{1 \over 2} x^2") == x**2 / 2
    assert read_latex(r"\frac{1 \pm x}{2}") == sp.FiniteSet((1 + x) / 2, (1 - x) / 2)


def test_verdicts_render_in_jupyter():
    verdict = check(topic_module("gd").derive(), "optimal_learning_rate",
                    r"\frac{2}{\sigma_L^2 + \sigma_S^2}")
    markdown = verdict._repr_markdown_()
    assert "**gd.optimal_learning_rate**: wrong" in markdown
    assert "read as: $\\frac{2}{" in markdown and "slip: off by a factor of 2" in markdown
    assert "derived: $\\eta^{*} = " in markdown
    latex = verdict._repr_latex_()
    assert latex.startswith("$\\begin{array}{l}") and latex.endswith("\\end{array}$")
    assert latex.count("$") == 2 and "\\frac{2}{" in latex


FRAGMENTS = [r"\eta", r"\sigma", "^", "_", "{", "}", "(", ")", "[", "]", r"\frac", r"\sqrt",
             r"\pm", r"\over", r"\foo", r"\left(", r"\right)", "=", "<", r"\leq", ",", "|",
             "0.5", "2", "10", "-", "+", r"\cdot", r"\in", r"\infty", r"\cup", "!", r"\{", r"\}",
             "&", r"\\", r"\begin{bmatrix}", r"\end{bmatrix}", r"\mathcal{O}", r"\Theta", " "]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_any_claim_gets_a_verdict_and_never_raises(fragments):
    claim = "".join(fragments)
    derivation = FUZZ_DERIVATION
    for name in ("update_factor", "stability_range"):
        verdict = check(derivation, name, claim)
        assert verdict.status in ("correct", "wrong", "could not read")
        if verdict.status == "could not read":
            assert verdict.problem and 0 <= verdict.position <= len(claim)


FUZZ_DERIVATION = topic_module("gd").derive()


def test_reading_a_claim_does_not_import_the_quantum_package():
    """parse_latex's bra-ket classes would bring sympy.physics.quantum and SciPy: a third of
    a --check call.  The reader takes the parser without them, and refuses bra-kets."""
    program = ("import sys; from derivations.parsing import latex_parser; "
               "parse = latex_parser(); print(parse(r'\\frac{1}{2} x')); "
               "print(any('quantum' in m or m.startswith('scipy') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["x/2", "False"], done.stderr
    import sympy.physics.quantum.state as real  # others still get the real module
    assert real.Bra.__module__ == "sympy.physics.quantum.state"


@pytest.mark.parametrize("claim", [r"\langle x |", r"| x \rangle"])
def test_bra_ket_notation_is_could_not_read(claim):
    verdict = check(momentum.derive(), "stability_range", claim)
    assert verdict.status == "could not read"
