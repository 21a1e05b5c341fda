"""Derivations in notebooks: a Derivation is a mapping of its results, and every piece
shows itself as typeset mathematics (Markdown with $...$, and LaTeX)."""
import re

import pytest
import sympy as sp

from derivations import gd, momentum, render
from derivations.core import Derivation, Result, Step

beta, sigma, eta = sp.symbols("beta sigma eta", positive=True)


@pytest.fixture(scope="module")
def derivation():
    return momentum.derive()


def test_derivation_is_a_mapping_of_its_results(derivation):
    names = [r.name for r in derivation.results]
    assert len(derivation) == len(names) > 10
    assert list(derivation) == names == list(derivation.names)
    assert [name for name in derivation] == names
    assert "optimal_rate" in derivation and "optimal_learning_rat" not in derivation
    assert dict(derivation.items())["stability_range"] is derivation["stability_range"]
    assert derivation.get("nope") is None


def test_unknown_name_is_a_key_error_listing_the_names(derivation):
    with pytest.raises(KeyError, match=r"result == 'optimal_rat' is not a result of momentum; "
                                       r"choose from decoupled_recurrence, .*, optimal_rate"):
        derivation["optimal_rat"]


def test_equal_derivations_compare_equal_by_their_fields():
    assert gd.derive() == gd.derive()
    assert gd.derive() != gd.derive(sigma=2)


def test_result_markdown_shows_steps_and_the_boxed_answer(derivation):
    result = derivation["stability_range"]
    shown = result._repr_markdown_()
    # the range is the sheet's (0, (2 - beta)/(beta sigma^2)); the box shows that value
    assert sp.simplify(result.value.end - (2 - beta) / (beta * sigma**2)) == 0
    expected = sp.latex(sp.Contains(eta, result.value, evaluate=False))
    assert expected.startswith(r"\eta \in \left(0, ")
    assert shown.startswith("### `stability_range`")
    assert f"$$\\boxed{{{expected}}}$$" in shown
    steps = re.findall(r"^(\d+)\. .*: \$\\displaystyle .+\$$", shown, flags=re.MULTILINE)
    assert steps == [str(n) for n in range(1, len(derivation["stability_range"].steps) + 1)]


def test_derivation_markdown_holds_every_result(derivation):
    shown = derivation._repr_markdown_()
    assert shown.startswith(f"## {derivation.title}")
    assert shown.count("**Answer:** $$\\boxed{") == len(derivation)


def test_text_that_markdown_would_read_as_markup_is_escaped():
    result = Result("odd", "sigma_L * 2 costs $1 <b>", sp.S.One, (Step("x_1 [a]", sp.S.One),))
    shown = result._repr_markdown_()
    assert r"sigma\_L \* 2 costs \$1 \<b\>" in shown and r"x\_1 \[a\]" in shown


def test_latex_repr_is_one_display_block_with_every_step(derivation):
    shown = derivation["eigenvalues"]._repr_latex_()
    assert shown.startswith("$$\\begin{aligned}") and shown.endswith("\\end{aligned}$$")
    assert shown.count("$$") == 2
    assert shown.count(r" \\ ") == len(derivation["eigenvalues"].steps) + 1
    whole = derivation._repr_latex_()
    assert whole.count(r"\text{Answer:}") == len(derivation)


def test_text_inside_latex_keeps_underscores_outside_text_mode():
    shown = Step("sigma_L and 50% & more", sp.S.Half)._repr_latex_()
    assert shown == r"$$\text{sigma}\_\text{L and 50}\%\text{ }\&\text{ more}\qquad \frac{1}{2}$$"


def test_step_markdown_is_its_sentence_and_formula():
    step = Step("square it", sp.Symbol("x") ** 2)
    assert step._repr_markdown_() == "1. square it: $\\displaystyle x^{2}$"


def test_html_fragment_ids_are_unique_per_topic(derivation):
    page = render.html(derivation)
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == len(derivation) + 1
    assert 'id="momentum-optimal_rate"' in page


def test_html_escapes_tex_and_text():
    d = Derivation("demo", "A < B", (Result("r", "a < b & c", sp.Symbol("x") < 1),))
    page = render.html(d)
    assert "<h2>A &lt; B</h2>" in page and "a &lt; b &amp; c" in page
    assert r"\boxed{x &lt; 1}" in page


def test_standalone_html_needs_no_other_file():
    page = render.html(Derivation("demo", "Demo", (Result("r", "R.", sp.S.One),)),
                       standalone=True)
    assert "katex.render(" in page and "<script src=" not in page and "<link" not in page
    assert page.count("url(data:font/woff2;base64,") == 20 and "url(fonts/" not in page
