"""derivations.graph: the structure, its counts and its TikZ drawing (compiled where pdflatex
and TikZ exist)."""
import re
import shutil
import subprocess

import pytest

from derivations.graph import ComputationGraph, tikz
from derivations import autodiff, hypergradient

CHAIN = ComputationGraph(tuple((v, v) for v in "abcd"), (("a", "b"), ("b", "c"), ("c", "d")))
DIAMOND = ComputationGraph(tuple((v, v.upper()) for v in "abcd"),
                           (("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")))


def test_order_parents_children_depth():
    assert DIAMOND.order() == ("a", "b", "c", "d")
    assert DIAMOND.parents("d") == ("b", "c") and DIAMOND.children("a") == ("b", "c")
    assert [DIAMOND.depth(v) for v in "abcd"] == [0, 1, 1, 2]


def test_memory_counts_by_hand():
    # chain a -> b -> c -> d: computing c needs b only, so at most two values live
    assert CHAIN.peak_live() == 2
    assert CHAIN.peak_live(keep=("a",)) == 3
    # diamond: a, b, c live when d is computed
    assert DIAMOND.peak_live() == 3
    assert CHAIN.stored_for_backward() == 3 and DIAMOND.stored_for_backward() == 3


@pytest.mark.parametrize("nodes, edges, message", [
    ((("a", "a"), ("a", "b")), (), r"names must be unique"),
    ((("a", "a"),), (("a", "z"),), r"edge == \('a', 'z'\) names a node that is not in the graph"),
    ((("a", "a"), ("b", "b")), (("a", "b"), ("b", "a")), r"form a cycle"),
])
def test_bad_graphs_are_refused(nodes, edges, message):
    with pytest.raises(ValueError, match=message):
        ComputationGraph(nodes, edges)


def test_tikz_has_one_node_per_node_and_one_arrow_per_edge():
    picture = tikz(DIAMOND)
    assert picture.count(r"\node") == 4 and picture.count(r"\draw[->]") == 4
    # columns by depth: b and c share a column, d is one further
    xs = {label: float(x) for x, label in re.findall(r"at \(([-\d.]+), [-\d.]+\) \{\$(\w)\$\}",
                                                      picture)}
    assert xs["B"] == xs["C"] == 2.0 and xs["D"] == 4.0 and xs["A"] == 0.0


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not on PATH")
@pytest.mark.parametrize("graph", [hypergradient.computation_graph(), autodiff.computation_graph()],
                         ids=["hypergradient", "autodiff"])
def test_the_drawings_compile(graph, tmp_path):
    probe = subprocess.run(["kpsewhich", "tikz.sty"], capture_output=True, text=True)
    if not probe.stdout.strip():
        pytest.skip("TikZ (texlive-pictures) is not installed")
    document = (r"\documentclass{article}\usepackage{amsmath}\usepackage{tikz}"
                r"\usetikzlibrary{arrows.meta,positioning}\begin{document}" "\n"
                + tikz(graph) + "\n" r"\end{document}")
    (tmp_path / "g.tex").write_text(document)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "g.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Overfull" not in (tmp_path / "g.log").read_text()
