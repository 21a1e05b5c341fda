"""Renderers: srepr round-trips, numeric values, LaTeX documents that compile."""
import shutil
import subprocess
import sys

import pytest
import sympy as sp

from derivations import render
from derivations.__main__ import topic_module, topics


@pytest.mark.parametrize("topic", topics())
def test_srepr_round_trips_for_every_result(topic):
    for entry in render.as_json(topic_module(topic).derive())["results"]:
        value = topic_module(topic).derive()[entry["name"]].value
        assert sp.sympify(entry["srepr"]) == value, entry["name"]


@pytest.mark.parametrize("value, expected", [
    (sp.sqrt(2), 2 ** 0.5),
    (sp.I, {"re": 0.0, "im": 1.0}),
    (sp.Interval(1, sp.oo), {"start": 1.0, "end": "oo", "left_open": False, "right_open": True}),
    (sp.FiniteSet(1, 2), [1.0, 2.0]),
    (sp.ImmutableMatrix([[1, 2]]), [[1.0, 2.0]]),
    (sp.Symbol("x") + 1, None),
])
def test_numeric(value, expected):
    assert render.numeric(value) == expected


def test_latex_escapes_text():
    assert render.escape_tex("a_b & 5%") == r"a\_b \& 5\%"


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not on PATH (apt-get install texlive-latex-base "
                           "texlive-latex-recommended)")
@pytest.mark.parametrize("topic", topics())
def test_standalone_latex_compiles(topic, tmp_path):
    document = subprocess.run([sys.executable, "-m", f"derivations.{topic}", "--latex",
                               "--standalone"], capture_output=True, text=True, check=True).stdout
    (tmp_path / "doc.tex").write_text(document)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_an_order_has_no_number_in_json():
    """Red team 9: hypergradient --json --subs T=5 made O(T) an O(1) and crashed its number."""
    from derivations import hypergradient
    data = render.as_json(hypergradient.derive().with_values({"T": 5}))
    memory = {r["name"]: r for r in data["results"]}["memory_backprop"]
    assert "numeric" not in memory and render.numeric(sp.Order(1)) is None
