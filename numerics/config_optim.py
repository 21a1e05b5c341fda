"""The CS231n / CS182 update rules ``update(w, dw, config=None) -> (next_w, config)``.

Thin adapters over :mod:`numerics.optim`: each builds the core optimizer from ``config``,
turns the state stored in ``config`` (``velocity``, ``cache``, ``m``, ``v``, ``t``) into the
core state, takes one step and writes the new state back. Missing keys get the
assignments' defaults; a state given in ``config`` is used as is. Unlike the assignments,
neither ``w`` nor ``config`` is modified: a new array and a new dict are returned.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np

from . import optim
from .optim import _choice

__all__ = ["DEFAULTS", "sgd", "sgd_momentum", "rmsprop", "adam"]

DEFAULTS = {"learning_rate": 1e-2, "momentum": 0.9, "decay_rate": 0.99, "epsilon": 1e-8,
            "beta1": 0.9, "beta2": 0.999, "t": 0}
MOMENTUM_CONVENTIONS = ("pytorch", "cs231n")


def _settings(config, *keys):
    """``config`` (a dict or None) with the defaults of ``keys`` filled in, as a new dict."""
    if config is not None and not isinstance(config, dict):
        raise TypeError(f"config == {config!r}, must be a dict or None; pass config={{}}")
    return {**{key: DEFAULTS[key] for key in keys}, **(config or {})}


# the core's name of each setting the assignments name otherwise
CORE_NAMES = {"learning_rate": "lr", "decay_rate": "alpha", "epsilon": "eps",
              "beta1": "betas[0]", "beta2": "betas[1]", "momentum": "mu"}


@contextmanager
def _config_names():
    """Errors of the core optimizers, told in the names of ``config``'s keys.

    The core validates every setting (the one place its constraints are written); its
    message names its own parameter (``eps == -1, must be > 0``), which the user of an
    adapter never wrote: the key (``epsilon``) takes its place.

    Examples
    --------
    >>> with _config_names():
    ...     optim.rmsprop(0.1, eps=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: epsilon == -1.0, must be > 0; choose a larger epsilon
    """
    try:
        yield
    except (ValueError, TypeError) as error:
        message = str(error)
        for key, core in CORE_NAMES.items():
            message = re.sub(rf"(?<![\w\[]){re.escape(core)}(?![\w\[])", key, message)
        raise type(error)(message) from None


def _step_count(config):
    """``config["t"]``, the steps Adam has taken: a whole number ``>= 0``."""
    return optim._count("t", config["t"], 0, example=0)


def _restore(state, config, fields):
    """``state`` with the fields stored in ``config``; ``fields`` maps state field to config key."""
    return state._replace(**{field: config[key] for field, key in fields.items() if key in config})


def _step(optimizer, state, w, dw):
    """One step of ``optimizer`` from ``state``: the new parameters and the new state."""
    updates, state = optimizer.update(np.asarray(dw, dtype=float), state, w)
    return optim.apply_updates(w, updates), state


def sgd(w, dw, config=None):
    """Vanilla SGD ``w - learning_rate dw``.

    Examples
    --------
    >>> sgd(np.array([1.0]), np.array([2.0]), {"learning_rate": 0.25})
    (array([0.5]), {'learning_rate': 0.25})
    """
    config = _settings(config, "learning_rate")
    with _config_names():
        opt = optim.sgd(config["learning_rate"])
    next_w, _ = _step(opt, opt.init(w), w, dw)
    return next_w, config


def sgd_momentum(w, dw, config=None, convention="cs231n"):
    """SGD with momentum; ``velocity`` starts at zeros.

    ``convention="cs231n"`` (the assignment's): ``v <- momentum v - learning_rate dw``,
    ``w <- w + v`` (:func:`numerics.optim.sgd_momentum_cs231n`); ``"pytorch"``:
    ``v <- momentum v + dw``, ``w <- w - learning_rate v`` (:func:`numerics.optim.sgd`).
    The iterates agree at a constant rate; the stored velocities differ by the factor
    ``-learning_rate``.

    Examples
    --------
    >>> w, config = sgd_momentum(np.array([1.0]), np.array([1.0]), {"learning_rate": 0.1})
    >>> w, config["velocity"]
    (array([0.9]), array([-0.1]))
    >>> w, config = sgd_momentum(np.array([1.0]), np.array([1.0]), {"learning_rate": 0.1},
    ...                          convention="pytorch")
    >>> w, config["velocity"]
    (array([0.9]), array([1.]))
    """
    config = _settings(config, "learning_rate", "momentum")
    factory = {"pytorch": optim.sgd, "cs231n": optim.sgd_momentum_cs231n}[
        _choice("convention", convention, MOMENTUM_CONVENTIONS)]
    with _config_names():
        opt = factory(config["learning_rate"], config["momentum"])
    next_w, state = _step(opt, _restore(opt.init(w), config, {"trace": "velocity"}), w, dw)
    return next_w, {**config, "velocity": state.trace}


def rmsprop(w, dw, config=None):
    """RMSProp: ``cache <- decay_rate cache + (1 - decay_rate) dw^2``, ``w - lr dw / (sqrt(cache) + epsilon)``.

    Examples
    --------
    >>> w, config = rmsprop(np.array([0.0]), np.array([2.0]),
    ...                     {"learning_rate": 0.1, "decay_rate": 0.75, "epsilon": 1e-12})
    >>> w, config["cache"]
    (array([-0.2]), array([1.]))
    """
    config = _settings(config, "learning_rate", "decay_rate", "epsilon")
    with _config_names():
        opt = optim.rmsprop(config["learning_rate"], alpha=config["decay_rate"],
                            eps=config["epsilon"])
    next_w, state = _step(opt, _restore(opt.init(w), config, {"square_avg": "cache"}), w, dw)
    return next_w, {**config, "cache": state.square_avg}


def adam(w, dw, config=None):
    """Adam with bias correction; ``t`` is incremented before it is used.

    ``t <- t + 1``, ``m <- beta1 m + (1-beta1) dw``, ``v <- beta2 v + (1-beta2) dw^2``,
    ``w - learning_rate (m / (1-beta1^t)) / (sqrt(v / (1-beta2^t)) + epsilon)``.

    Examples
    --------
    >>> w, config = adam(np.array([0.0]), np.array([3.0]), {"learning_rate": 0.1})
    >>> np.round(w, 6), config["t"]
    (array([-0.1]), 1)
    """
    config = _settings(config, "learning_rate", "beta1", "beta2", "epsilon", "t")
    with _config_names():
        opt = optim.adam(config["learning_rate"], betas=(config["beta1"], config["beta2"]),
                         eps=config["epsilon"])
    state = _restore(opt.init(w), config, {"exp_avg": "m", "exp_avg_sq": "v"})
    next_w, state = _step(opt, state._replace(count=_step_count(config)), w, dw)
    return next_w, {**config, "m": state.exp_avg, "v": state.exp_avg_sq, "t": state.count}
