"""The fast skeleton reader gives exactly what SymPy's ANTLR parse_latex gives, or nothing.

The reference is ``parse_latex(text, strict=True)`` itself (SymPy's grammar, not this
project's code): wherever :func:`read_plain` returns a value, its ``srepr`` must equal the
parser's; where the parser refuses a text, the fast reader must refuse it too.
"""
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy.parsing.latex.errors import LaTeXParsingError

from derivations.checking.skeleton import read_plain
from derivations.parsing import latex_parser

NAMES = [r"\mathit{zqa}", r"\mathit{zqb}", r"{\mathit{zqc}}", r"\mathit{zqxy}"]


def plain(depth=3):
    """Texts of the subset, with random spacing."""
    leaf = st.sampled_from(NAMES)
    if depth == 0:
        return leaf
    inner = plain(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda a, op, b: f"{a}{op}{b}", inner,
                  st.sampled_from(["+", "-", " - ", r"\cdot ", r" \times ", "/", "", " "]), inner),
        st.builds(lambda sign, a: f"{sign}{a}", st.sampled_from(["-", "+", "- -"]), inner),
        st.builds(lambda a, b: f"{{{a}}}^{{{b}}}", inner, inner),
        st.builds(lambda a: f"({a})", inner),
        st.builds(lambda a: f"{{{a}}}", inner),
        st.builds(lambda a, b: rf"\frac{{{a}}}{{{b}}}", inner, inner),
        st.builds(lambda a: rf"\sqrt {{{a}}}", inner),
    )


# Pieces that joined at random make texts in, near and outside the subset.
PIECES = NAMES + ["+", "-", r"\cdot", r"\times", "{", "}", "(", ")", "^", r"\frac", " ",
                  "2", "_", "!", r"\mathit{d}", r"\mathit{zqdx}", "|", r"\sqrt", "x", r"\,", "/", "[", "]",
                  "^{2}", "\f"]


def parsed(text):
    try:
        return latex_parser()(text, strict=True)
    except LaTeXParsingError:
        return None


@given(plain())
def test_plain_texts_read_as_parse_latex_reads_them(text):
    value = read_plain(text)
    assert value is not None, text
    assert sp.srepr(value) == sp.srepr(latex_parser()(text, strict=True)), text


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_other_texts_read_the_same_or_left_to_parse_latex(text):
    value = read_plain(text)
    if value is not None:
        reference = parsed(text)
        assert reference is not None, f"the fast reader took a text parse_latex refuses: {text!r}"
        assert sp.srepr(value) == sp.srepr(reference), text


@pytest.mark.parametrize("text", [r"\mathit{zqa}^{\mathit{zqb}}^{\mathit{zqc}}",   # chained powers
                                  r"\mathit{zqa}^2", r"2\mathit{zqa}", r"\mathit{dx}",
                                  r"\mathit{zqa}!", r"\sqrt[3]{\mathit{zqa}}", r"{}", r"(\mathit{zqa}",
                                  r"\mathit{zqa} +", "\\mathit{zqa}\f"])
def test_texts_outside_the_subset_are_left_to_parse_latex(text):
    assert read_plain(text) is None
