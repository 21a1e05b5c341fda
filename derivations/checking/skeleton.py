r"""A reader of the checker's plainest skeletons that gives what ``parse_latex`` gives.

A claim's expression reaches the parser as a skeleton (:mod:`.reading`): every name and
number a placeholder ``\mathit{zq..}``, between them ``+ - \cdot \times /``, implicit
products, braces, parentheses, ``^{...}``, ``\frac{..}{..}`` and ``\sqrt{..}``.  Reading those with
SymPy's ANTLR grammar costs a fifth of a ``--check`` call, most of it the lexer's
start-up.  :func:`read_plain` reads exactly that subset by recursive descent, with
the grammar's precedences and associativity and the same SymPy calls as
``sympy.parsing.latex._parse_latex_antlr`` makes for each rule, so the result is the same
object (the tests compare ``srepr`` on generated skeletons).  Anything else -- another
command, a digit string, an unmatched bracket, an error -- gives ``None`` and is left to
``parse_latex``, which also words the errors.

The grammar read (``sympy/parsing/latex/LaTeX.g4``)::

    additive: additive (+|-) additive | mp          (left-associative)
    mp:       mp (\cdot|\times|/) mp | unary          (left-associative)
    unary:    (+|-) unary | postfix+
    postfix:  comp | comp ^ { additive }             (one power, braced)
    comp:     { additive } | ( additive ) | \mathit{letters} | \frac{additive}{additive}
              | \sqrt{additive}
"""
from __future__ import annotations

import re

import sympy as sp

__all__ = ["read_plain"]

# Placeholder letters leave out "d": ANTLR's lexer reads "d" and a letter as a differential.
_TOKEN = re.compile(r"[ \t\r\n]*(\\mathit\{[a-ce-z]+\}|\\cdot(?![a-zA-Z])|\\times(?![a-zA-Z])"
                    r"|\\frac(?![a-zA-Z])|\\sqrt(?![a-zA-Z])|[-+{}()^/])")
_SPACE = " \t\r\n"    # what the lexer skips


class _Unread(Exception):
    """The text is outside the subset: ``parse_latex`` reads it."""


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip(_SPACE):
                raise _Unread
            break
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Reader:
    def __init__(self, tokens):
        self.tokens, self.at = tokens, 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected=None):
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unread
        self.at += 1
        return token

    def additive(self):
        left = self.mp()
        while self.peek() in ("+", "-"):
            operator = self.take()
            right = self.mp()
            if operator == "+":
                left = sp.Add(left, right, evaluate=False)
            elif getattr(right, "is_Atom", False):
                left = sp.Add(left, -1 * right, evaluate=False)
            else:
                left = sp.Add(left, sp.Mul(-1, right, evaluate=False), evaluate=False)
        return left

    def mp(self):
        left = self.unary()
        while self.peek() in (r"\cdot", r"\times", "/"):
            operator = self.take()
            right = self.unary()
            left = sp.Mul(left, right if operator != "/" else sp.Pow(right, -1, evaluate=False),
                          evaluate=False)
        return left

    def unary(self):
        if self.peek() == "+":
            self.take()
            return self.unary()
        if self.peek() == "-":
            self.take()
            return -self.unary()
        factors = [self.postfix()]
        while self.peek() in ("{", "(", r"\frac", r"\sqrt") or (self.peek() or "").startswith(
                r"\mathit"):
            factors.append(self.postfix())
        product = factors[-1]
        for factor in reversed(factors[:-1]):   # a b c is a (b c), as convert_postfix_list
            product = sp.Mul(factor, product, evaluate=False)
        return product

    def postfix(self):
        base = self.comp()
        if self.peek() == "^":
            self.take()
            self.take("{")
            exponent = self.additive()
            self.take("}")
            if self.peek() in ("^", "_"):
                raise _Unread
            return sp.Pow(base, exponent, evaluate=False)
        return base

    def comp(self):
        token = self.take()
        if token in ("{", "("):
            inside = self.additive()
            self.take("}" if token == "{" else ")")
            return inside
        if token.startswith(r"\mathit"):
            return sp.Symbol(token[len(r"\mathit{"):-1])
        if token == r"\frac":
            self.take("{")
            top = self.additive()
            self.take("}")
            self.take("{")
            bottom = self.additive()
            self.take("}")
            inverse = sp.Pow(bottom, -1, evaluate=False)
            return inverse if top == 1 else sp.Mul(top, inverse, evaluate=False)
        if token == r"\sqrt":
            self.take("{")
            radicand = self.additive()
            self.take("}")
            return sp.sqrt(radicand, evaluate=False)
        raise _Unread


def read_plain(text: str):
    r"""``parse_latex(text, strict=True)`` for a skeleton in the plain subset, else ``None``.

    Examples
    --------
    >>> read_plain(r"\frac{\mathit{zqa}}{\mathit{zqb}^{\mathit{zqc}}} - \mathit{zqe}")
    zqa/(zqb**zqc) - zqe
    >>> read_plain(r"\sqrt[3]{\mathit{zqa}}") is None
    True
    """
    try:
        reader = _Reader(_tokens(text))
        value = reader.additive()
    except _Unread:
        return None
    return value if reader.peek() is None else None
