"""Derived predictions for the experiments' figures, without importing SymPy here.

The derivations run in their own process (``python -m derivations.<topic> --json``), or
a reports build that derived them already hands their results over (:func:`handed_over`);
the ``value`` text of each result is read by a small arithmetic reader (Python's
``ast``: numbers, names, ``+ - * / **``, and a fixed table of functions) into a NumPy
function of the parameters.  Nothing is ``eval``-ed.
"""
from __future__ import annotations

import ast
import functools
import json
import math
import operator
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

__all__ = ["THEORY_FOLDER", "handed_over", "prediction", "results"]

THEORY_FOLDER = "OPTVERIFY_THEORY"

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_CONSTANTS = {"pi": math.pi, "E": math.e, "oo": math.inf, "zoo": math.nan, "nan": math.nan}


def _interval(start, end, left_open=False, right_open=False):
    return (start, end)


_FUNCTIONS = {
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "Abs": np.abs, "cos": np.cos, "sin": np.sin,
    "Max": np.maximum, "Min": np.minimum, "ceiling": np.ceil, "floor": np.floor,
    "Rational": operator.truediv, "Integer": float, "Float": float,
    "Interval": _interval, "Interval.open": _interval, "Interval.Lopen": _interval,
    "Interval.Ropen": _interval, "FiniteSet": lambda *a: a, "Tuple": lambda *a: a,
    "Matrix": lambda rows: np.array(rows, dtype=float),
}


def _call_name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    raise ValueError(f"cannot read the call {ast.dump(node)}")


def _evaluate(node, values):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, values)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in values:
            return values[node.id]
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise ValueError(f"the prediction needs a value for {node.id!r}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, values))
    if isinstance(node, ast.Call) and _call_name(node.func) in _FUNCTIONS and not node.keywords:
        return _FUNCTIONS[_call_name(node.func)](*(_evaluate(a, values) for a in node.args))
    if isinstance(node, (ast.Tuple, ast.Set, ast.List)):
        return tuple(_evaluate(e, values) for e in node.elts)
    raise ValueError(f"cannot read {ast.unparse(node)!r} as arithmetic")


def prediction(text: str):
    """A NumPy function of named parameters from a SymPy value printed as text.

    Examples
    --------
    >>> f = prediction("Interval.open(0, -(beta - 2)/(beta*sigma**2))")
    >>> f(beta=np.array([0.5, 1.0]), sigma=1.0)[1]
    array([3., 1.])
    >>> prediction("(Matrix([[4/5], [2/5]]), 1)")()[0].ravel()
    array([0.8, 0.4])
    >>> prediction("__import__('os')")(x=1)
    Traceback (most recent call last):
    ...
    ValueError: cannot read "__import__('os')" as arithmetic
    """
    tree = ast.parse(text, mode="eval")

    def evaluate(**values):
        with np.errstate(divide="ignore", invalid="ignore"):
            return _evaluate(tree, {k: np.asarray(v, dtype=float) for k, v in values.items()})

    return evaluate


def handed_over(topic: str) -> Path | None:
    """``<folder>/<topic>.json`` in the folder named by ``OPTVERIFY_THEORY``, when it is there.

    A reports build derives every topic of its sheets anyway; it writes each one's
    results there (as ``--json`` prints them, name and value) for the experiments it
    runs, which then need no derivation process of their own.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _ = (Path(folder) / "gd.json").write_text('{"results": []}')
    >>> os.environ[THEORY_FOLDER] = folder
    >>> handed_over("gd").name, handed_over("momentum"), handed_over("../gd")
    ('gd.json', None, None)
    >>> del os.environ[THEORY_FOLDER]
    """
    folder = os.environ.get(THEORY_FOLDER)
    if not folder or not topic.isidentifier():
        return None
    path = Path(folder) / f"{topic}.json"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=None)
def results(topic: str, *options: str) -> dict[str, str]:
    """Each result's ``value`` text from ``python -m derivations.<topic> --json [options]``.

    Without ``options``, the results a build handed over (:func:`handed_over`) are read
    instead: plain JSON, the same values.
    """
    given = None if options else handed_over(topic)
    if given is not None:
        text = given.read_text()
    else:
        done = subprocess.run([sys.executable, "-m", f"derivations.{topic}", "--json",
                               *options], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"derivations.{topic} failed: {done.stderr.strip()}")
        text = done.stdout
    return {r["name"]: r["value"] for r in json.loads(text)["results"]}
