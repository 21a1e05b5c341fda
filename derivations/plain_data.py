"""SymPy objects and frozen dataclasses to and from plain JSON data, never by running code.

The derivation cache stores its entries in this form.  Reading an entry only builds
SymPy classes (subclasses of ``Basic`` already imported from ``sympy``) from arguments
that were themselves read the same way, and the dataclasses the caller allows; no text
is parsed as an expression (``sympify`` would evaluate it) and no pickle is loaded.

Each value becomes a JSON primitive (``str``, ``bool``, ``None``, ``int``), a list, or a
one-tag object: ``{"tuple": [...]}``, ``{"dict": [[key, value], ...]}``,
``{"dataclass": name, "fields": {...}}``, ``{"symbol": name, "assumptions": {...}}``,
``{"dummy": name, "index": i, "assumptions": {...}}``, ``{"integer": "12"}``,
``{"rational": ["1", "2"]}``, ``{"float": [sign, mantissa, exponent, bits, precision]}``,
``{"singleton": name}``, ``{"str": text}``, ``{"matrix": class, "shape": [r, c],
"entries": [...]}``, ``{"function": name, "args": [...]}`` (an undefined function
applied), ``{"undefined": name}`` (one not applied: an alias of a model's function) and ``{"basic": "module.Class", "args": [...]}`` for every other SymPy class.
"""
from __future__ import annotations

import dataclasses

import sympy as sp
from sympy.core.assumptions import _assume_defined
from sympy.core.function import AppliedUndef
from sympy.core.symbol import Str

__all__ = ["to_data", "from_data", "PlainDataError"]

_MATRICES = {cls.__name__: cls for cls in (sp.ImmutableDenseMatrix, sp.MutableDenseMatrix)}


class PlainDataError(ValueError):
    """Raised when data does not describe a value this module writes."""


def to_data(value):
    """Turn ``value`` into JSON-ready data that :func:`from_data` reads back.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", positive=True)
    >>> data = to_data(sp.Rational(1, 2) * x)
    >>> from_data(data) == x / 2
    True
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return [to_data(item) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [to_data(item) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[to_data(k), to_data(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": type(value).__name__,
                "fields": {f.name: to_data(getattr(value, f.name))
                           for f in dataclasses.fields(value)}}
    if isinstance(value, sp.MatrixBase):
        return {"matrix": type(value).__name__, "shape": list(value.shape),
                "entries": [to_data(entry) for entry in value]}
    if isinstance(value, sp.Basic):
        return _basic_to_data(value)
    if isinstance(value, sp.core.function.UndefinedFunction):
        return {"undefined": value.__name__}
    raise PlainDataError(f"value of type {type(value).__name__} cannot be stored as data")


def _basic_to_data(value: sp.Basic):
    if isinstance(value, sp.Dummy):
        return {"dummy": value.name, "index": value.dummy_index,
                "assumptions": dict(value._assumptions_orig)}
    if isinstance(value, sp.Symbol) and type(value) is sp.Symbol:
        return {"symbol": value.name, "assumptions": dict(value._assumptions_orig)}
    if type(value) is sp.Integer:
        return {"integer": str(value.p)}
    if type(value) is sp.Rational:
        return {"rational": [str(value.p), str(value.q)]}
    if isinstance(value, sp.Float):
        sign, mantissa, exponent, bits = value._mpf_
        return {"float": [sign, str(mantissa), exponent, bits, value._prec]}
    if isinstance(value, Str):
        return {"str": value.name}
    if isinstance(value, AppliedUndef):
        return {"function": value.func.__name__, "args": [to_data(a) for a in value.args]}
    if _singleton(type(value).__name__) is value:
        return {"singleton": type(value).__name__}
    cls = type(value)
    return {"basic": f"{cls.__module__}.{cls.__qualname__}",
            "args": [to_data(arg) for arg in value.args]}


def _singleton(name: str):
    try:
        return getattr(sp.S, name)
    except AttributeError:
        return None


def _basic_classes() -> dict[str, type]:
    """Every imported SymPy subclass of ``Basic``, by ``module.qualname``."""
    found, seen, pending = {}, set(), [sp.Basic]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            pending.append(sub)
            if str(sub.__module__).startswith("sympy."):
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return found


def from_data(data, dataclass_types=()):
    """Build the value that :func:`to_data` wrote, admitting only the given dataclasses.

    Raises :class:`PlainDataError` for anything else: an unknown tag or class, a
    dataclass not allowed, or arguments of the wrong kind.

    Examples
    --------
    >>> import sympy as sp
    >>> from_data(to_data(sp.Interval.open(0, sp.oo))) == sp.Interval.open(0, sp.oo)
    True
    >>> from_data({"basic": "os.system", "args": ["true"]})
    Traceback (most recent call last):
    ...
    derivations.plain_data.PlainDataError: 'os.system' is not a SymPy class
    """
    return _Reader({cls.__name__: cls for cls in dataclass_types}).read(data)


class _Reader:
    def __init__(self, dataclass_types):
        self.dataclass_types = dataclass_types
        self.classes = None

    def read(self, data):
        if data is None or isinstance(data, (bool, str, int)):
            return data
        if isinstance(data, list):
            return [self.read(item) for item in data]
        if not isinstance(data, dict) or len(data) not in (1, 2, 3):
            raise PlainDataError(f"unexpected data {str(data)[:60]!r}")
        tag = next(iter(data))
        method = getattr(self, f"_read_{tag}", None)
        if method is None:
            raise PlainDataError(f"unknown tag {tag!r}")
        return method(data)

    def _read_tuple(self, data):
        return tuple(self.read(item) for item in _list(data["tuple"]))

    def _read_dict(self, data):
        return {self.read(k): self.read(v) for k, v in _list(data["dict"])}

    def _read_dataclass(self, data):
        cls = self.dataclass_types.get(data["dataclass"])
        if cls is None:
            raise PlainDataError(f"dataclass {data['dataclass']!r} is not allowed here")
        fields = data["fields"]
        if not isinstance(fields, dict) or set(fields) != {f.name for f in dataclasses.fields(cls)}:
            raise PlainDataError(f"fields of {cls.__name__} do not match")
        return cls(**{name: self.read(value) for name, value in fields.items()})

    def _read_symbol(self, data):
        return sp.Symbol(_text(data["symbol"]), **_assumptions(data["assumptions"]))

    def _read_dummy(self, data):
        return sp.Dummy(_text(data["dummy"]), dummy_index=_whole(data["index"]),
                        **_assumptions(data["assumptions"]))

    def _read_integer(self, data):
        return sp.Integer(int(_text(data["integer"])))

    def _read_rational(self, data):
        p, q = (int(_text(part)) for part in _list(data["rational"], 2))
        return sp.Rational(p, q)

    def _read_float(self, data):
        sign, mantissa, exponent, bits, precision = _list(data["float"], 5)
        mpf = (_whole(sign), int(_text(mantissa)), _whole(exponent), _whole(bits))
        return sp.Float._new(mpf, _whole(precision))

    def _read_str(self, data):
        return Str(_text(data["str"]))

    def _read_singleton(self, data):
        value = _singleton(_text(data["singleton"]))
        if not isinstance(value, sp.Basic):
            raise PlainDataError(f"{data['singleton']!r} is not a SymPy singleton")
        return value

    def _read_function(self, data):
        return sp.Function(_text(data["function"]))(*self._basics(data["args"]))

    def _read_undefined(self, data):
        return sp.Function(_text(data["undefined"]))

    def _read_matrix(self, data):
        cls = _MATRICES.get(data["matrix"])
        rows, columns = (_whole(n) for n in _list(data["shape"], 2))
        entries = self._basics(data["entries"])
        if cls is None or len(entries) != rows * columns:
            raise PlainDataError(f"matrix {data['matrix']!r} of shape {rows}x{columns} is damaged")
        return cls(rows, columns, entries)

    def _read_basic(self, data):
        if self.classes is None:
            self.classes = _basic_classes()
        cls = self.classes.get(data["basic"])
        if cls is None:
            raise PlainDataError(f"{data['basic']!r} is not a SymPy class")
        return _assemble(cls, self._basics(data["args"]))

    def _basics(self, items):
        values = [self.read(item) for item in _list(items)]
        if not all(isinstance(v, (sp.Basic, sp.MatrixBase)) for v in values):
            raise PlainDataError("a SymPy argument is not a SymPy object")
        return values


def _assemble(cls, args):
    """An object of ``cls`` holding ``args``, left unevaluated where the class allows it.

    What was stored was already in the form SymPy built; evaluating it again could change
    an unevaluated form or cost time.
    """
    try:
        return cls(*args, evaluate=False)
    except TypeError:  # the class takes no evaluate flag
        return cls(*args)


def _list(value, length=None):
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise PlainDataError(f"expected a list{'' if length is None else f' of {length}'}")
    return value


def _text(value):
    if not isinstance(value, str):
        raise PlainDataError(f"expected text, got {type(value).__name__}")
    return value


def _whole(value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise PlainDataError(f"expected an integer, got {type(value).__name__}")
    return value


def _assumptions(value):
    if not isinstance(value, dict) or not all(
            key in _assume_defined and isinstance(v, bool) for key, v in value.items()):
        raise PlainDataError("symbol assumptions are damaged")
    return value
