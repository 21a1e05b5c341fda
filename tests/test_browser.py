"""The HTML pages in a real browser: headless Chromium typesets every formula with KaTeX.

A page fails when raw TeX (a backslash command such as ``\\frac`` or ``\\begin``) is
visible in the rendered text, when KaTeX marks a formula it could not read
(``katex-error``), or when a formula was left untypeset.  A screenshot of every
answer key is kept in ``out/screenshots/`` (CI artifacts).
"""
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derivations import render
from reports.problem_sets import PROBLEM_SETS, by_name

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium)")

# Left alone, these hold TeX by design: KaTeX's MathML copy of each formula keeps its source.
HIDDEN = {"script", "style", "title", "annotation"}


class RenderedPage(HTMLParser):
    """What a reader sees in a rendered DOM: its text, and counts of formulas by state."""

    def __init__(self):
        super().__init__()
        self.text, self.stack = [], []
        self.formulas = self.typeset = self.errors = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in HIDDEN or "katex-mathml" in classes
        if tag not in {"br", "img", "meta", "link", "input", "hr", "col"}:
            self.stack.append(hidden or bool(self.stack and self.stack[-1]))
        self.formulas += "math" in classes
        self.typeset += "katex" in classes
        self.errors += "katex-error" in classes

    def handle_endtag(self, tag):
        if tag not in {"br", "img", "meta", "link", "input", "hr", "col"} and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def open_in_chromium(page: Path, tmp_path: Path, screenshot: Path | None = None):
    """Load ``page`` in headless Chromium, run its scripts, return the rendered DOM read."""
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}",
             "--virtual-time-budget=20000"]
    done = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(flags + ["--window-size=1280,2400", f"--screenshot={screenshot}",
                                page.as_uri()], capture_output=True, timeout=180, check=True)
    reader = RenderedPage()
    reader.feed(done.stdout)
    return reader


def assert_typeset(reader: RenderedPage, formulas: int):
    """Every one of ``formulas`` formulas typeset, none failed, no TeX left in the text."""
    visible = "".join(reader.text)
    raw = re.findall(r"\\[a-zA-Z]+", visible)  # \frac, \begin, any command
    assert not raw, f"raw TeX visible: {raw[:5]}"
    assert reader.errors == 0, f"{reader.errors} formulas failed to render"
    assert reader.formulas == formulas and reader.typeset == formulas, \
        (reader.formulas, reader.typeset, formulas)


def topic_page(tmp_path, *topics):
    done = subprocess.run([sys.executable, "-m", "derivations", *topics, "--html",
                           "--standalone"], capture_output=True, text=True, check=True)
    page = tmp_path / "topics.html"
    page.write_text(done.stdout, encoding="utf-8")
    return page, done.stdout.count('<span class="math')


def test_every_topic_on_one_page_typesets_every_formula_offline(tmp_path):
    page, formulas = topic_page(tmp_path, "all")
    assert formulas > 500
    assert_typeset(open_in_chromium(page, tmp_path), formulas)


@pytest.fixture(scope="module")
def answer_keys(tmp_path_factory):
    """Every answer key, built once in --quick mode with its HTML page."""
    from reports.__main__ import main
    out = tmp_path_factory.mktemp("reports")
    assert main(["build", "all", "--quick", "--no-pdf", "--html", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", [p.name for p in PROBLEM_SETS])
def test_the_answer_key_typesets_every_formula_with_katex_beside_it(answer_keys, tmp_path, name):
    page = answer_keys / name / f"{name}.html"
    source = page.read_text()
    formulas = source.count('<span class="math')
    assert formulas > 30
    shot = PROJECT_ROOT / "out" / "screenshots" / f"{name}.png"
    reader = open_in_chromium(page, tmp_path, screenshot=shot)
    assert_typeset(reader, formulas)
    visible = "".join(reader.text)
    problem_set = by_name(name)
    for question in problem_set.questions:
        assert question.number in visible
    images = re.findall(r'<img src="([^"]+)"', source)
    assert len(images) == len(problem_set.figures)
    for image in images:  # beside the page, so the folder is viewed offline
        assert (page.parent / image).read_bytes().startswith(b"\x89PNG"), image
    assert (page.parent / "katex" / "katex.min.js").exists()


# The detector itself: pages that must fail it.

def test_a_page_without_katex_shows_raw_tex(tmp_path):
    page = tmp_path / "untypeset.html"
    page.write_text(render.html_document(
        '<span class="math display">\\frac{1}{2}</span>', "Untypeset", katex="missing"))
    reader = open_in_chromium(page, tmp_path)
    with pytest.raises(AssertionError, match=r"raw TeX visible: \['\\\\frac'\]"):
        assert_typeset(reader, 1)


def test_a_formula_katex_cannot_read_is_caught(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(render.html_document(
        '<span class="math display">\\frac{1}{2}</span>'
        '<span class="math display">x^{</span>', "Broken"))
    reader = open_in_chromium(page, tmp_path)
    assert reader.errors == 1
    with pytest.raises(AssertionError, match="1 formulas failed to render"):
        assert_typeset(reader, 2)
