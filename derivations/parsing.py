"""SymPy's LaTeX parser, taken once for the whole package: the checker reads claims with it
and the method engine reads update rules with it.

Nothing here evaluates text: ``parse_latex`` builds SymPy objects from ANTLR's parse tree.
"""
from __future__ import annotations

import functools
import sys
import types

__all__ = ["latex_parser"]

_QUANTUM = ("sympy.physics.quantum", "sympy.physics.quantum.state")


@functools.cache
def latex_parser():
    """SymPy's ``parse_latex``, imported without ``sympy.physics.quantum``.

    ``parse_latex`` imports ``Bra`` and ``Ket`` for bra-ket notation, and with them the
    whole of ``sympy.physics.quantum`` and SciPy: a third of a ``--check`` call's time.
    No claim is written in bra-ket notation, so while the parser is imported a stand-in
    module gives it a ``Bra`` and ``Ket`` that refuse to be built (a could-not-read); the
    stand-in leaves ``sys.modules`` at once, so other code imports the real module.

    Examples
    --------
    >>> latex_parser()(r"\\frac{1}{2} x", strict=True)
    x/2
    """
    if any(name in sys.modules for name in (*_QUANTUM, "sympy.parsing.latex._parse_latex_antlr")):
        from sympy.parsing.latex import parse_latex
        return parse_latex
    stand_in = types.ModuleType(_QUANTUM[1])
    stand_in.Bra = stand_in.Ket = _no_bra_ket
    sys.modules.update(dict.fromkeys(_QUANTUM, stand_in))
    try:
        from sympy.parsing.latex import _parse_latex_antlr  # noqa: F401 (parse_latex's own)
        from sympy.parsing.latex import parse_latex
    finally:
        for name in _QUANTUM:
            del sys.modules[name]
    return parse_latex


def _no_bra_ket(*_):
    from sympy.parsing.latex.errors import LaTeXParsingError
    raise LaTeXParsingError("bra-ket notation is not read")
