"""examples/quickstart.ipynb runs top to bottom in a Jupyter kernel and shows typeset results.

The notebook is executed with nbclient in an ipykernel that runs this interpreter; the
test reads what a reader would see: the Markdown with the boxed answers, the verdicts,
the figure and the agreement it prints.
"""
import json
import re
import sys
from pathlib import Path

import pytest
import sympy as sp

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (the test extra)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (the test extra)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (the test extra)")
parse_latex = pytest.importorskip("sympy.parsing.latex", reason="sympy's LaTeX parser").parse_latex

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "quickstart.ipynb"
beta, sigma = sp.symbols("beta sigma")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every code cell's outputs, in order, after running the notebook."""
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "optverify-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "optverify test", "language": "python"}))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(kernels.parent.parent))
        nbclient.NotebookClient(notebook, timeout=600, kernel_name="optverify-test",
                                resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]


def shown(cell_outputs, kind):
    return "".join(o.get("data", {}).get(kind, "") for o in cell_outputs)


def printed(cell_outputs):
    return "".join(o.text for o in cell_outputs if o.output_type == "stream" and
                   o.name == "stdout")


def test_derivation_lists_its_results(outputs):
    assert re.match(r"\(\d+,\s*\('decoupled_recurrence',", shown(outputs[0], "text/plain"))


def test_result_shows_its_steps_and_the_boxed_range(outputs):
    markdown = shown(outputs[1], "text/markdown")
    assert markdown.startswith("### `stability_range`")
    assert re.search(r"^1\. .*\$\\displaystyle .+\$$", markdown, flags=re.MULTILINE)
    edge = re.search(r"\$\$\\boxed\{\\eta \\in \\left\(0, (.+)\\right\)\}\$\$", markdown)
    assert edge, markdown[-300:]
    # the sheet's edge (2 - beta)/(beta sigma^2), read back from what the reader sees
    assert sp.simplify(parse_latex(edge[1]) - (2 - beta) / (beta * sigma**2)) == 0
    assert shown(outputs[1], "text/latex").startswith("$$\\begin{aligned}")


def test_substituted_range_is_boxed(outputs):
    assert r"$$\boxed{\eta \in \left(0, 3\right)}$$" in shown(outputs[2], "text/markdown")


def test_claims_get_their_verdicts(outputs):
    right, wrong = shown(outputs[3], "text/markdown"), shown(outputs[4], "text/markdown")
    assert "correct" in right and "wrong" not in right
    assert "wrong" in wrong and r"\frac{2 - \beta}{\beta \sigma^{2}}" in wrong


def test_twin_is_plotted_beside_the_theory_and_agrees(outputs):
    assert any("image/png" in o.get("data", {}) for o in outputs[5])
    text = printed(outputs[5])
    difference = float(re.search(r"derived against simulated: (\S+)", text)[1])
    assert difference < 1e-9  # closed-form roots against a 2x2 eigen-solve in float64
    crossing = float(re.search(r"first exceeds 1 at eta = (\S+);", text)[1])
    # the grid's step is 3.6/399 < 0.01: the first point past the edge eta = 3
    assert 3 < crossing < 3.01 and "derived edge 3" in text
