"""Weight initializers and the standard deviations they are built to have.

Shapes: a dense weight matrix is ``(fan_in, fan_out)`` (inputs along the rows, as in
``x @ W``; PyTorch's ``nn.Linear`` stores the transpose), a convolution kernel is
``(out_ch, in_ch, kh, kw)`` with ``fan_in = in_ch kh kw`` and ``fan_out = out_ch kh kw``.

Every initializer is a zero-mean normal or uniform draw with a standard deviation given by
a rule of ``(fan_in, fan_out)``; the rules are public (:func:`std_of` and the ``*_std``
functions) so experiments can put the derived value beside the measured one. A uniform
draw of standard deviation ``s`` has bound ``sqrt(3) s``. PyTorch's default bias,
:func:`pytorch_linear_bias`, is drawn for the shape of its layer's weight. Randomness
only through the ``rng`` argument, a ``numpy.random.Generator``.
"""
from __future__ import annotations

import math

import numpy as np

from .optim import _choice, _real

__all__ = ["fans", "lecun_std", "xavier_std", "he_std", "pytorch_linear_std", "std_of",
           "zeros", "normal", "lecun_normal", "lecun_uniform", "xavier_normal", "xavier_uniform",
           "he_normal", "he_uniform", "pytorch_linear_default", "pytorch_linear_bias"]

MODES = ("fan_in", "fan_out", "fan_avg")


def fans(shape):
    """``(fan_in, fan_out)`` of a ``(fan_in, fan_out)`` matrix or an ``(out, in, kh, kw)`` kernel.

    Examples
    --------
    >>> fans((3072, 100))
    (3072, 100)
    >>> fans((16, 3, 5, 5))
    (75, 400)
    """
    shape = tuple(int(n) for n in shape)
    if any(n <= 0 for n in shape):
        raise ValueError(f"shape == {shape!r}, every size must be >= 1; pass a shape such as "
                         f"(fan_in, fan_out)")
    if len(shape) == 2:
        return shape
    if len(shape) == 4:
        out_ch, in_ch, kh, kw = shape
        return in_ch * kh * kw, out_ch * kh * kw
    raise ValueError(f"shape == {shape!r}, must be (fan_in, fan_out) or (out_ch, in_ch, kh, kw); "
                     f"pass a 2-D or 4-D shape")


def lecun_std(fan_in, fan_out=None):
    """LeCun's ``1 / sqrt(fan_in)``.

    Examples
    --------
    >>> lecun_std(100)
    0.1
    """
    return 1.0 / math.sqrt(fan_in)


def xavier_std(fan_in, fan_out, gain=1.0):
    """Glorot and Bengio's ``gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> round(xavier_std(50, 50), 6)
    0.141421
    """
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in, fan_out=None, gain=math.sqrt(2.0), mode="fan_in"):
    """He et al.'s ``gain / sqrt(fan)``, ``fan`` chosen by ``mode``; ``gain = sqrt(2)`` for ReLU.

    ``mode`` is ``"fan_in"`` (forward variance), ``"fan_out"`` (backward) or ``"fan_avg"``
    (their mean).

    Examples
    --------
    >>> round(he_std(3072), 4), he_std(50)
    (0.0255, 0.2)
    """
    if _choice("mode", mode, MODES) != "fan_in" and fan_out is None:
        raise ValueError(f"mode == {mode!r} needs fan_out, got fan_out == None; pass fan_out")
    fan = (fan_in if mode == "fan_in" else fan_out if mode == "fan_out"
           else (fan_in + fan_out) / 2)
    return gain / math.sqrt(fan)


def pytorch_linear_std(fan_in, fan_out=None):
    """PyTorch's default ``nn.Linear`` weight, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: ``1/sqrt(3 fan_in)``.

    It is ``kaiming_uniform_`` with ``a = sqrt(5)``, gain ``sqrt(2 / (1 + 5)) = sqrt(1/3)``.

    Examples
    --------
    >>> round(pytorch_linear_std(3), 12)
    0.333333333333
    """
    return 1.0 / math.sqrt(3.0 * fan_in)


STD_RULES = {
    "zeros": lambda fan_in, fan_out: 0.0,
    "normal": lambda fan_in, fan_out, std=1e-2: std,
    "lecun_normal": lecun_std,
    "lecun_uniform": lecun_std,
    "xavier_normal": xavier_std,
    "xavier_uniform": xavier_std,
    "he_normal": he_std,
    "he_uniform": he_std,
    "pytorch_linear_default": pytorch_linear_std,
}


def std_of(name, fan_in, fan_out, **params):
    """The theoretical weight standard deviation of initializer ``name``.

    ``params`` are the initializer's own settings (``std``, ``gain``, ``mode``).

    Examples
    --------
    >>> std_of("he_normal", 50, 10)
    0.2
    >>> round(std_of("xavier_uniform", 50, 50, gain=2.0), 6)
    0.282843
    """
    rule = STD_RULES.get(name)
    if rule is None:
        raise ValueError(f"name == {name!r}, must be one of {sorted(STD_RULES)}; pass e.g. "
                         f"name='he_normal'")
    fan_in = _real("fan_in", fan_in, 0.0, low_open=True)
    fan_out = _real("fan_out", fan_out, 0.0, low_open=True)
    return rule(fan_in, fan_out, **params)


def _generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng == {rng!r}, must be a numpy.random.Generator; pass "
                        f"rng=np.random.default_rng(seed)")
    return rng


def _gaussian(shape, rng, std):
    return _generator(rng).normal(0.0, std, size=tuple(shape))


def _uniform(shape, rng, std):
    bound = math.sqrt(3.0) * std
    return _generator(rng).uniform(-bound, bound, size=tuple(shape))


def zeros(shape, rng=None):
    """All zeros (``rng`` accepted for a uniform signature, unused).

    Examples
    --------
    >>> zeros((2, 1))
    array([[0.],
           [0.]])
    """
    return np.zeros(tuple(shape))


def normal(shape, rng, std=1e-2):
    """``N(0, std^2)`` entries, the fixed-scale initialization (CS231n's ``weight_scale``).

    Examples
    --------
    >>> normal((3,), np.random.default_rng(0), std=0.0)
    array([0., 0., 0.])
    """
    return _gaussian(shape, rng, _real("std", std, 0.0))


def lecun_normal(shape, rng):
    """``N(0, 1/fan_in)`` entries.

    Examples
    --------
    >>> round(float(lecun_normal((400, 100), np.random.default_rng(0)).std()), 2)
    0.05
    """
    return _gaussian(shape, rng, lecun_std(*fans(shape)))


def lecun_uniform(shape, rng):
    """``U(-b, b)`` with ``b = sqrt(3/fan_in)``, variance ``1/fan_in``.

    It is ``kaiming_uniform_`` with ``a = 1`` (gain ``sqrt(2 / (1 + 1)) = 1``): PyTorch's
    default :func:`pytorch_linear_default` with its ``a = sqrt(5)`` changed to 1, which
    makes the variance three times the default's.

    Examples
    --------
    >>> w = lecun_uniform((300, 400), np.random.default_rng(0))
    >>> round(float(w.var() * 300), 2), float(np.abs(w).max()) <= 0.1
    (1.0, True)
    """
    return _uniform(shape, rng, lecun_std(*fans(shape)))


def xavier_normal(shape, rng, gain=1.0):
    """``N(0, gain^2 2/(fan_in + fan_out))`` entries.

    Examples
    --------
    >>> round(float(xavier_normal((100, 100), np.random.default_rng(0)).std()), 2)
    0.1
    """
    return _gaussian(shape, rng, xavier_std(*fans(shape), gain=_real("gain", gain, 0.0)))


def xavier_uniform(shape, rng, gain=1.0):
    """``U(-b, b)`` with ``b = gain sqrt(6/(fan_in + fan_out))``.

    Examples
    --------
    >>> float(np.abs(xavier_uniform((3, 3), np.random.default_rng(0))).max()) <= 1.0
    True
    """
    return _uniform(shape, rng, xavier_std(*fans(shape), gain=_real("gain", gain, 0.0)))


def he_normal(shape, rng, gain=math.sqrt(2.0), mode="fan_in"):
    """``N(0, gain^2 / fan)`` entries (``kaiming_normal_``); ``gain = sqrt(2)`` for ReLU.

    Examples
    --------
    >>> round(float(he_normal((50, 2000), np.random.default_rng(0)).std()), 2)
    0.2
    """
    return _gaussian(shape, rng, he_std(*fans(shape), gain=_real("gain", gain, 0.0), mode=mode))


def he_uniform(shape, rng, gain=math.sqrt(2.0), mode="fan_in"):
    """``U(-b, b)`` with ``b = gain sqrt(3 / fan)`` (``kaiming_uniform_``).

    Examples
    --------
    >>> float(np.abs(he_uniform((6, 4), np.random.default_rng(0))).max()) <= 1.0
    True
    """
    return _uniform(shape, rng, he_std(*fans(shape), gain=_real("gain", gain, 0.0), mode=mode))


def pytorch_linear_default(shape, rng):
    """``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, PyTorch's default ``nn.Linear`` / ``Conv2d`` weight.

    Examples
    --------
    >>> float(np.abs(pytorch_linear_default((4, 3), np.random.default_rng(0))).max()) <= 0.5
    True
    """
    return _uniform(shape, rng, pytorch_linear_std(*fans(shape)))


def pytorch_linear_bias(shape, rng):
    """PyTorch's default bias for a weight of ``shape``: ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``.

    One entry per output unit (``fan_out`` of a ``(fan_in, fan_out)`` matrix, ``out_ch``
    of a kernel), with the same bound as :func:`pytorch_linear_default`'s weights:
    ``nn.Linear.reset_parameters`` draws it from ``1/sqrt(fan_in)``.

    Examples
    --------
    >>> b = pytorch_linear_bias((4, 3), np.random.default_rng(0))
    >>> b.shape, float(np.abs(b).max()) <= 0.5
    ((3,), True)
    >>> pytorch_linear_bias((16, 3, 5, 5), np.random.default_rng(0)).shape
    (16,)
    """
    fan_in, _ = fans(shape)
    outputs = shape[1] if len(shape) == 2 else shape[0]
    return _uniform((outputs,), rng, pytorch_linear_std(fan_in))
