"""The HTML answer key holds what the PDF holds: questions, answers, checks, figures, drawings."""
import re

import pytest

from reports.__main__ import main
from reports.html import text

# one set without experiments and with drawings, one with an experiment's figure
NAMES = ("convexity-and-autodiff", "implicit-bias-and-hypergradients")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    assert main(["build", *NAMES, "--quick", "--no-pdf", "--html", "--out", str(out)]) == 0
    return {name: ((out / name / f"{name}.tex").read_text(),
                   (out / name / f"{name}.html").read_text()) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_page_has_the_documents_questions_in_order(built, name):
    tex, page = built[name]
    assert re.findall(r"\\subsection\*\{([^}]*)\}", tex) == re.findall(r"<h2>([^<]*)</h2>", page)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("in_tex, in_page", [
    (r"\answer{", '<p class="answer">'),            # every boxed answer
    (r"\approx", r"\approx"),                        # decimals beside exact values
    ("covered by", "covered by"),                    # every check row
    (r"\includegraphics", "<img "),                  # every figure
    (r"\begin{tikzpicture}", '<svg class="graph"'),  # every computation graph
    (r"\paragraph{Answer.}", "<strong>Answer.</strong>"),
    (r"\paragraph{Not answered:}", "<strong>Not answered:</strong>"),
    ("See the figure under", "See the figure under"),
])
def test_page_has_as_many_of_each_part_as_the_document(built, name, in_tex, in_page):
    tex, page = built[name]
    assert page.count(in_page) == tex.count(in_tex)


def test_figures_are_the_documents_as_png(built):
    tex, page = built["implicit-bias-and-hypergradients"]
    pdfs = re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\.pdf\}", tex)
    pngs = re.findall(r'<img src="([^"]*)\.png"', page)
    assert pngs == pdfs and pngs


def test_check_rows_show_the_same_numbers(built):
    tex, page = built["convexity-and-autodiff"]
    numbers = r"([-\d.e+]+)"
    in_tex = re.findall(rf"& {numbers} & {numbers} & ([\d.e+-]+) &", tex)
    in_page = re.findall(rf"<td>{numbers}</td><td>{numbers}</td><td>([\d.e+-]+)</td>", page)
    assert in_page == in_tex and in_tex


@pytest.mark.parametrize("tex, html", [
    (r"$\eta < 1$ and $x$",
     '<span class="math">\\eta &lt; 1</span> and <span class="math">x</span>'),
    (r"\textbf{Quick (\texttt{--quick})}: a -- b",
     "<strong>Quick (<code>--quick</code>)</strong>: a &ndash; b"),
    (r"\emph{one {two} three}", "<em>one two three</em>"),
    (r"50\% \& \$5 \_ \{\} a~b", "50% &amp; $5 _ {} a&nbsp;b"),
    (r"\texttt{a\_\allowbreak{}b/\allowbreak{}c}", "<code>a_b/c</code>"),
    ("x < y & z", "x &lt; y &amp; z"),
    (r"costs \$5 and \$6", "costs $5 and $6"),
])
def test_latex_text_becomes_html(tex, html):
    assert text(tex) == html


def test_unknown_commands_stay_visible_for_the_browser_test_to_see():
    assert text(r"a \unknown{b}") == r"a \unknownb"


def test_page_reuses_the_check_rows_the_build_simulated(tmp_path, monkeypatch):
    """An --html build runs each check's simulation as often as a build without pages."""
    from reports.checks import Check
    calls = []
    original = Check.measured

    def counted(self):
        calls.append((self.topic, self.result))
        return original(self)
    monkeypatch.setattr(Check, "measured", counted)
    options = ["--quick", "--no-pdf", "--out"]
    assert main(["build", "convexity-and-autodiff", *options, str(tmp_path / "tex")]) == 0
    without_pages = list(calls)
    calls.clear()
    assert main(["build", "convexity-and-autodiff", "--html", *options,
                 str(tmp_path / "html")]) == 0
    assert without_pages and calls == without_pages
