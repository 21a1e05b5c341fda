"""Optimizers in the optax shape: ``init(params) -> state``, ``update(grads, state, params)``.

A factory returns a :class:`GradientTransformation`. ``update`` returns the *updates*, the
quantities **added** to the parameters (SGD's update is ``-lr * g``), and a new state;
:func:`apply_updates` adds them. Nothing is modified in place. Parameters, gradients and
updates are one ndarray or a dict ``str -> ndarray``.

A learning rate is a float or a schedule ``count -> float`` evaluated at the state's count
*before* the update (0-based: the first update uses ``schedule(0)``), so a training loop can
change it before every update without resetting the state.

Every named convention is its own factory, and all the momentum conventions share one
recurrence, the *trace* of :func:`_momentum`,

    ``trace <- decay * trace + gain(count) * g``,   ``update = scale(count) * trace``

(or ``scale * (gain g + decay trace)`` for Nesterov), with

=====================  ==============  ============================  ============
convention             decay           gain                          scale
=====================  ==============  ============================  ============
PyTorch ``sgd``        ``momentum``    1 at step 0, then 1-dampening ``-lr``
``momentum_ema``       ``1 - beta``    ``beta``                      ``-eta``
``sgd_momentum_cs231n``  ``mu``          ``-lr``                       1
``heavy_ball``         ``m``           ``-alpha``                    1
``nesterov``           ``m``           ``-lr`` (Nesterov form)       1
=====================  ==============  ============================  ============

which is why, at a constant learning rate, ``momentum_ema(eta, beta)`` is
``sgd(eta * beta, momentum=1 - beta)`` (trace ``z = beta b``), ``sgd_momentum_cs231n(lr, mu)``
is ``sgd(lr, momentum=mu)`` (velocity ``v = -lr b``) and ``heavy_ball(eta * beta, 1 - beta)``
is ``momentum_ema(eta, beta)``.
"""
from __future__ import annotations

import math
import numbers
from typing import Callable, NamedTuple, Union

import numpy as np

__all__ = ["GradientTransformation", "MomentumState", "AdagradState", "RMSPropState",
           "AdamState", "tree_map", "apply_updates", "sgd", "momentum_ema", "heavy_ball",
           "sgd_momentum_cs231n", "nesterov", "nesterov_momentum", "nesterov_iterate",
           "adagrad", "rmsprop", "adam", "adamw", "decoupled_weight_decay"]

Tree = Union[np.ndarray, dict]
Schedule = Callable[[int], float]
EPS_PLACEMENTS = ("outside", "inside")


class GradientTransformation(NamedTuple):
    """An optimizer: ``init(params) -> state`` and ``update(grads, state, params) -> (updates, state)``."""

    init: Callable
    update: Callable


class MomentumState(NamedTuple):
    """Step count and the momentum trace (PyTorch's buffer, the EMA ``z`` or the velocity ``v``)."""

    count: int
    trace: Tree


class AdagradState(NamedTuple):
    """Step count and the running sum of squared gradients."""

    count: int
    sum_of_squares: Tree


class RMSPropState(NamedTuple):
    """Step count, averages of squared and plain gradients, and the momentum buffer."""

    count: int
    square_avg: Tree
    grad_avg: Tree
    momentum_buffer: Tree


class AdamState(NamedTuple):
    """Step count, first and second moment averages and the running maximum of the second."""

    count: int
    exp_avg: Tree
    exp_avg_sq: Tree
    max_exp_avg_sq: Tree


# ---------------------------------------------------------------- trees and validation

def tree_map(f, tree, *rest):
    """Apply ``f`` leaf-wise to an ndarray or to the values of dicts sharing ``tree``'s keys.

    Examples
    --------
    >>> tree_map(lambda a, b: a + b, {"w": np.ones(2)}, {"w": np.ones(2)})
    {'w': array([2., 2.])}
    >>> tree_map(np.negative, np.array([1.0]))
    array([-1.])
    """
    if isinstance(tree, dict):
        return dict(zip(tree, map(f, tree.values(), *([other[key] for key in tree]
                                                       for other in rest))))
    return f(tree, *rest)


def apply_updates(params, updates):
    """New parameters ``params + updates``, leaf-wise (fresh arrays, inputs untouched).

    Examples
    --------
    >>> apply_updates({"w": np.array([1.0])}, {"w": np.array([-0.5])})
    {'w': array([0.5])}
    """
    return tree_map(lambda p, u: np.add(p, u, dtype=np.result_type(p, u, 1.0)), params, updates)


def _zeros_like(tree):
    return tree_map(lambda leaf: np.zeros(np.shape(leaf), dtype=np.result_type(leaf, 1.0)), tree)


def _full_like(tree, value):
    return tree_map(lambda leaf: np.full(np.shape(leaf), float(value),
                                         dtype=np.result_type(leaf, 1.0)), tree)


def _real(name, value, low=-math.inf, high=math.inf, low_open=False, high_open=False):
    """``value`` as a float, or an error naming ``name``, the value, the range and the fix."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} == {value!r} is a {type(value).__name__}, must be a real "
                        f"number; pass a float")
    shown, value = value if isinstance(value, (int, float)) else float(value), float(value)
    finite = math.isfinite(value)
    too_low = finite and (value <= low if low_open else value < low)
    too_high = finite and (value >= high if high_open else value > high)
    if not finite or too_low or too_high:
        if high == math.inf:
            constraint = f"{'>' if low_open else '>='} {low:g}"
        else:
            constraint = (f"in {'(' if low_open else '['}{low:g}, "
                          f"{high:g}{')' if high_open else ']'}")
        fix = (f"choose a smaller {name}" if too_high else f"choose a larger {name}"
               if too_low else f"pass a finite {name}")
        verb = ("be" if high == math.inf else "lie") if finite else "be finite and"
        raise ValueError(f"{name} == {shown!r}, must {verb} {constraint}; {fix}")
    return value


def _integer(name, value, low=1):
    """``value`` as an int (an int type, not a bool), ``>= low``, or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} == {value!r}, must be an integer >= {low}; pass e.g. "
                         f"{name}={max(low, 1)}")
    return int(value)


def _count(name, value, low=0, example=100):
    """``value`` as an int: a whole number (``3`` or ``3.0``, not a bool) ``>= low``."""
    if isinstance(value, bool) or int(value) != value or value < low:
        raise ValueError(f"{name} == {value!r}, must be a whole number >= {low}; pass e.g. "
                         f"{name}={example}")
    return int(value)


def _flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} == {value!r}, must be True or False")
    return bool(value)


def _choice(name, value, options):
    if value not in options:
        raise ValueError(f"{name} == {value!r}, must be one of {options}; pass e.g. "
                         f"{name}={options[0]!r}")
    return value


def _schedule(name, value) -> Schedule:
    """A schedule ``count -> float``: ``value`` itself if callable, else the constant ``value >= 0``."""
    if callable(value):
        return value
    value = _real(name, value, 0.0)
    return lambda count: value


def _decay_term(params, weight_decay):
    """``weight_decay * w``, the gradient of ``weight_decay/2 ||w||^2``."""
    if params is None:
        raise ValueError(f"params is None but weight_decay == {weight_decay!r} needs them; "
                         f"call update(grads, state, params)")
    return tree_map(lambda p: weight_decay * np.asarray(p, dtype=float), params)


def _with_l2(grads, params, weight_decay):
    """The gradient plus ``weight_decay * w`` (PyTorch's coupled weight decay)."""
    if weight_decay == 0:
        return grads
    return tree_map(np.add, grads, _decay_term(params, weight_decay))


def _root(r, eps, eps_placement):
    """The adaptive denominator: ``sqrt(r) + eps`` (outside) or ``sqrt(r + eps)`` (inside)."""
    return np.sqrt(r) + eps if eps_placement == "outside" else np.sqrt(r + eps)


# ---------------------------------------------------------------- the momentum family

def _combination(a, x, b, y):
    """``a * x + b * y`` with fewer temporaries, rounded exactly as NumPy rounds that expression.

    The sum is added into the new array ``a * x`` when it holds the sum's dtype (a safe
    cast) and shape, and ``b * y`` is not formed when it would be ``y``, dtype included
    (``b`` the Python int 1, or the float 1.0 with ``y`` of floating type).

    Examples
    --------
    >>> x, y = np.array([1.0, 2.0], dtype=np.float32), np.array([4.0, 8.0], dtype=np.float32)
    >>> _combination(0.5, x, 1.0, y)
    array([4.5, 9. ], dtype=float32)
    >>> _combination(0.5, x, np.float64(1.0), y).dtype    # a NumPy float64 widens, as in a*x + b*y
    dtype('float64')
    """
    ax = a * x
    keeps_dtype = type(b) is int or (type(b) is float and np.asarray(y).dtype.kind in "fc")
    by = y if keeps_dtype and b == 1 else b * y
    try:
        return np.add(ax, by, out=ax, casting="safe")
    except (TypeError, ValueError):      # a scalar, a wider sum, a larger broadcast shape
        return ax + by


def _momentum(decay, gain: Schedule, scale: Schedule, nesterov=False, weight_decay=0.0):
    """The shared trace recurrence behind every momentum convention (module docstring)."""
    def init(params):
        return MomentumState(0, _zeros_like(params))

    def update(grads, state, params=None):
        g = _with_l2(grads, params, weight_decay)
        a, c = gain(state.count), scale(state.count)
        trace = tree_map(lambda b, gi: _combination(decay, b, a, gi), state.trace, g)
        if nesterov:
            return (tree_map(lambda gi, b: c * _combination(a, gi, decay, b), g, trace),
                    MomentumState(state.count + 1, trace))
        return tree_map(lambda b: c * b, trace), MomentumState(state.count + 1, trace)

    return GradientTransformation(init, update)


def sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """Stochastic gradient descent exactly as ``torch.optim.SGD``.

    ``g <- g + weight_decay w``; the buffer is ``b = g`` on the first step and
    ``b <- momentum b + (1 - dampening) g`` afterwards; the update is ``-lr b``, or
    ``-lr (g + momentum b)`` with ``nesterov=True``. With ``momentum == 0`` it is ``-lr g``.

    Parameters
    ----------
    lr : float or callable
        Learning rate ``>= 0`` or a schedule ``count -> float``.
    momentum : float
        In ``[0, 1)``.
    dampening : float
        In ``[0, 1]``; ignored on the first step, as in PyTorch.
    nesterov : bool
        Needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float
        Coupled L2 coefficient ``>= 0``; then ``update`` needs ``params``.

    Examples
    --------
    >>> opt = sgd(0.1, momentum=0.9)
    >>> state = opt.init(np.array([1.0]))
    >>> u, state = opt.update(np.array([1.0]), state)
    >>> u, state = opt.update(np.array([1.0]), state)
    >>> u, state.trace
    (array([-0.19]), array([1.9]))
    """
    lr = _schedule("lr", lr)
    momentum = _real("momentum", momentum, 0.0, 1.0, high_open=True)
    dampening = _real("dampening", dampening, 0.0, 1.0)
    weight_decay = _real("weight_decay", weight_decay, 0.0)
    if _flag("nesterov", nesterov) and (momentum == 0 or dampening != 0):
        raise ValueError(f"nesterov=True needs momentum > 0 and dampening == 0, got momentum "
                         f"== {momentum!r} and dampening == {dampening!r}; set momentum > 0 "
                         f"and dampening=0, or nesterov=False")

    def gain(count):
        return 1.0 if count == 0 or momentum == 0 else 1.0 - dampening

    return _momentum(momentum, gain, lambda count: -lr(count), nesterov, weight_decay)


def momentum_ema(eta, beta):
    """Momentum as an exponential moving average: ``z <- (1-beta) z + beta g``, ``w <- w - eta z``.

    ``z`` starts at 0. At a constant ``eta`` this is ``sgd(eta * beta, momentum=1 - beta)``
    with ``z = beta b``; ``beta = 1`` is plain gradient descent.

    Parameters
    ----------
    eta : float or callable
        Step size ``>= 0`` or a schedule.
    beta : float
        Weight of the new gradient, in ``(0, 1]``.

    Examples
    --------
    >>> opt = momentum_ema(0.5, 0.25)
    >>> u, state = opt.update(np.array([4.0]), opt.init(np.array([0.0])))
    >>> u, state.trace
    (array([-0.5]), array([1.]))
    """
    eta = _schedule("eta", eta)
    beta = _real("beta", beta, 0.0, 1.0, low_open=True)
    return _momentum(1.0 - beta, lambda count: beta, lambda count: -eta(count))


def sgd_momentum_cs231n(lr, mu):
    """Sutskever / CS231n momentum: ``v <- mu v - lr g``, ``w <- w + v``; ``v`` starts at 0.

    At a constant ``lr`` this is ``sgd(lr, momentum=mu)`` with ``v = -lr b``; with a schedule
    the learning rate of each step stays inside the velocity.

    Parameters
    ----------
    lr : float or callable
        Learning rate ``>= 0`` or a schedule.
    mu : float
        Momentum in ``[0, 1)``.

    Examples
    --------
    >>> opt = sgd_momentum_cs231n(0.1, 0.9)
    >>> state = opt.init(np.array([0.0]))
    >>> u, state = opt.update(np.array([1.0]), state)
    >>> u, state = opt.update(np.array([1.0]), state)
    >>> u
    array([-0.19])
    """
    lr = _schedule("lr", lr)
    mu = _real("mu", mu, 0.0, 1.0, high_open=True)
    return _momentum(mu, lambda count: -lr(count), lambda count: 1.0)


def heavy_ball(alpha, m):
    """Polyak's heavy ball ``w_{t+1} = w_t - alpha g_t + m (w_t - w_{t-1})``, ``w_{-1} = w_0``.

    The trace is the last step ``w_t - w_{t-1}``, so this is :func:`sgd_momentum_cs231n`
    under other names, and ``momentum_ema(eta, beta)`` when ``alpha = eta beta``,
    ``m = 1 - beta``.

    Parameters
    ----------
    alpha : float or callable
        Step size ``>= 0`` or a schedule.
    m : float
        Momentum in ``[0, 1)``.

    Examples
    --------
    >>> opt = heavy_ball(0.5, 0.5)
    >>> state = opt.init(np.array([1.0]))
    >>> u, state = opt.update(np.array([1.0]), state)
    >>> u, state = opt.update(np.array([1.0]), state)
    >>> u
    array([-0.75])
    """
    alpha = _schedule("alpha", alpha)
    m = _real("m", m, 0.0, 1.0, high_open=True)
    return _momentum(m, lambda count: -alpha(count), lambda count: 1.0)


def nesterov_momentum(kappa):
    """Nesterov's momentum for condition number ``kappa``: ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``.

    Examples
    --------
    >>> nesterov_momentum(9.0)
    0.5
    """
    root = math.sqrt(_real("kappa", kappa, 1.0))
    return (root - 1.0) / (root + 1.0)


def nesterov(lr, momentum=None, kappa=None):
    """Nesterov's accelerated gradient for strongly convex problems, in look-ahead form.

    The method is ``y_t = w_t + m (w_t - w_{t-1})``, ``w_{t+1} = y_t - lr grad(y_t)`` with
    ``w_{-1} = w_0``. Because the gradient is taken at the look-ahead point, **the
    parameters this optimizer holds are the look-ahead points** ``y_t``: pass
    ``grads = grad(y_t)`` at the current parameters, as for any other optimizer. The
    iterates ``w_t`` are recovered with :func:`nesterov_iterate` (``w_t = y_t - m v_t``;
    the state's trace is the velocity ``v_t = w_t - w_{t-1}``). The update on ``y`` is
    ``-lr g + m v_{t+1}`` with ``v_{t+1} = m v_t - lr g``: at a constant ``lr``,
    ``sgd(lr, momentum=m, nesterov=True)`` of PyTorch.

    Parameters
    ----------
    lr : float or callable
        Step size ``>= 0`` (``1/L`` for an ``L``-smooth loss) or a schedule.
    momentum : float, optional
        ``m`` in ``[0, 1)``. Give exactly one of ``momentum`` and ``kappa``.
    kappa : float, optional
        Condition number ``L/mu >= 1``; then ``m = (sqrt(kappa)-1)/(sqrt(kappa)+1)``.

    Examples
    --------
    >>> opt = nesterov(0.5, kappa=9.0)          # m = 0.5
    >>> y = np.array([1.0]); state = opt.init(y)
    >>> for _ in range(2):
    ...     u, state = opt.update(y, state)     # grad of y^2 / 2 at y
    ...     y = apply_updates(y, u)
    >>> y, nesterov_iterate(y, state, 0.5)
    (array([-0.0625]), array([0.125]))
    """
    if (momentum is None) == (kappa is None):
        raise ValueError(f"momentum == {momentum!r} and kappa == {kappa!r}: give exactly one; "
                         f"pass momentum=0.9 or kappa=100")
    m = (nesterov_momentum(kappa) if momentum is None
         else _real("momentum", momentum, 0.0, 1.0, high_open=True))
    lr = _schedule("lr", lr)
    return _momentum(m, lambda count: -lr(count), lambda count: 1.0, nesterov=True)


def nesterov_iterate(params, state, momentum):
    """The iterate ``w_t = y_t - m v_t`` behind the look-ahead parameters ``y_t`` of :func:`nesterov`.

    Examples
    --------
    >>> state = MomentumState(3, np.array([-0.2]))
    >>> nesterov_iterate(np.array([1.0]), state, 0.5)
    array([1.1])
    """
    return tree_map(lambda y, v: y - momentum * v, params, state.trace)


# ---------------------------------------------------------------- adaptive methods

def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
            eps_placement="outside"):
    """AdaGrad exactly as ``torch.optim.Adagrad`` (and the textbook ``delta + sqrt(r)`` form).

    ``g <- g + weight_decay w``, ``r <- r + g^2`` (``r_0 = initial_accumulator_value``),
    update ``-clr g / (sqrt(r) + eps)`` with ``clr = lr / (1 + (step - 1) lr_decay)`` and
    ``step = count + 1``. ``eps_placement="inside"`` uses ``sqrt(r + eps)``.

    Examples
    --------
    >>> opt = adagrad(1.0, eps=1e-12)
    >>> state = opt.init(np.array([0.0]))
    >>> u, state = opt.update(np.array([3.0]), state)
    >>> u, _ = opt.update(np.array([4.0]), state)
    >>> u
    array([-0.8])
    """
    lr = _schedule("lr", lr)
    lr_decay = _real("lr_decay", lr_decay, 0.0)
    weight_decay = _real("weight_decay", weight_decay, 0.0)
    initial = _real("initial_accumulator_value", initial_accumulator_value, 0.0)
    eps = _real("eps", eps, 0.0, low_open=True)
    eps_placement = _choice("eps_placement", eps_placement, EPS_PLACEMENTS)

    def init(params):
        return AdagradState(0, _full_like(params, initial))

    def update(grads, state, params=None):
        g = _with_l2(grads, params, weight_decay)
        clr = lr(state.count) / (1.0 + state.count * lr_decay)
        total = tree_map(lambda r, gi: r + gi * gi, state.sum_of_squares, g)
        # the ratio first: clr * g may overflow where g / sqrt(r) (at most 1 in size) cannot
        updates = tree_map(lambda gi, r: -clr * (gi / _root(r, eps, eps_placement)), g, total)
        return updates, AdagradState(state.count + 1, total)

    return GradientTransformation(init, update)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
            eps_placement="outside"):
    """RMSProp exactly as ``torch.optim.RMSprop``, or the textbook form with eps inside the root.

    ``g <- g + weight_decay w``, ``r <- alpha r + (1-alpha) g^2``; centered:
    ``a <- alpha a + (1-alpha) g`` and ``r - a^2`` in place of ``r``;
    ``d = sqrt(r) + eps`` (``eps_placement="outside"``, PyTorch) or ``sqrt(r + eps)``
    (``"inside"``, Goodfellow et al. Alg. 8.5 with ``rho = alpha``, ``delta = eps``);
    ``b <- momentum b + g / d``, update ``-lr b`` (``-lr g / d`` when ``momentum == 0``).

    Examples
    --------
    >>> opt = rmsprop(0.1, alpha=0.9, eps=1e-12)
    >>> u, _ = opt.update(np.array([2.0]), opt.init(np.array([0.0])))
    >>> np.round(u, 6)
    array([-0.316228])
    """
    lr = _schedule("lr", lr)
    alpha = _real("alpha", alpha, 0.0, 1.0, high_open=True)
    eps = _real("eps", eps, 0.0, low_open=True)
    weight_decay = _real("weight_decay", weight_decay, 0.0)
    momentum = _real("momentum", momentum, 0.0, 1.0, high_open=True)
    centered = _flag("centered", centered)
    eps_placement = _choice("eps_placement", eps_placement, EPS_PLACEMENTS)

    def init(params):
        return RMSPropState(0, _zeros_like(params), _zeros_like(params), _zeros_like(params))

    def update(grads, state, params=None):
        g = _with_l2(grads, params, weight_decay)
        square_avg = tree_map(lambda r, gi: alpha * r + (1 - alpha) * gi * gi,
                              state.square_avg, g)
        grad_avg = (tree_map(lambda a, gi: alpha * a + (1 - alpha) * gi, state.grad_avg, g)
                    if centered else state.grad_avg)
        variance = tree_map(lambda r, a: r - a * a, square_avg, grad_avg)
        buffer = tree_map(lambda b, gi, v: momentum * b + gi / _root(v, eps, eps_placement),
                          state.momentum_buffer, g, variance)
        rate = lr(state.count)
        return (tree_map(lambda b: -rate * b, buffer),
                RMSPropState(state.count + 1, square_avg, grad_avg, buffer))

    return GradientTransformation(init, update)


def _adam(lr, betas, eps, weight_decay, decoupled, amsgrad, eps_placement):
    """Adam with coupled (L2 in the gradient) or decoupled (AdamW) weight decay."""
    lr = _schedule("lr", lr)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas == {betas!r}, must be a pair (beta1, beta2); pass e.g. "
                        f"betas=(0.9, 0.999)")
    beta1 = _real("betas[0]", betas[0], 0.0, 1.0, high_open=True)
    beta2 = _real("betas[1]", betas[1], 0.0, 1.0, high_open=True)
    eps = _real("eps", eps, 0.0, low_open=True)
    weight_decay = _real("weight_decay", weight_decay, 0.0)
    amsgrad = _flag("amsgrad", amsgrad)
    eps_placement = _choice("eps_placement", eps_placement, EPS_PLACEMENTS)

    def init(params):
        return AdamState(0, _zeros_like(params), _zeros_like(params), _zeros_like(params))

    def update(grads, state, params=None):
        g = grads if decoupled else _with_l2(grads, params, weight_decay)
        step, rate = state.count + 1, lr(state.count)
        correction1, correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        s = tree_map(lambda m, gi: beta1 * m + (1 - beta1) * gi, state.exp_avg, g)
        r = tree_map(lambda v, gi: beta2 * v + (1 - beta2) * gi * gi, state.exp_avg_sq, g)
        r_max = tree_map(np.maximum, state.max_exp_avg_sq, r)
        second = r_max if amsgrad else r
        updates = tree_map(lambda si, ri: -rate * ((si / correction1)
                                                   / _root(ri / correction2, eps, eps_placement)),
                           s, second)
        if decoupled and weight_decay != 0:
            updates = tree_map(lambda u, d: u - rate * d, updates,
                               _decay_term(params, weight_decay))
        return updates, AdamState(step, s, r, r_max)

    return GradientTransformation(init, update)


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         eps_placement="outside"):
    """Adam exactly as ``torch.optim.Adam`` (the textbook ``s_hat / (sqrt(r_hat) + delta)``).

    ``g <- g + weight_decay w``; ``s <- beta1 s + (1-beta1) g``,
    ``r <- beta2 r + (1-beta2) g^2``; with ``step = count + 1``,
    ``s_hat = s / (1 - beta1^step)``, ``r_hat = r / (1 - beta2^step)`` (``r`` replaced by its
    running maximum with ``amsgrad``); update ``-lr s_hat / (sqrt(r_hat) + eps)``, or
    ``sqrt(r_hat + eps)`` with ``eps_placement="inside"``.

    Examples
    --------
    >>> opt = adam(0.1)
    >>> u, state = opt.update(np.array([-3.0]), opt.init(np.array([0.0])))
    >>> np.round(u, 6), state.count
    (array([0.1]), 1)
    """
    return _adam(lr, betas, eps, weight_decay, False, amsgrad, eps_placement)


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
          eps_placement="outside"):
    """AdamW exactly as ``torch.optim.AdamW``: ``w <- w (1 - lr weight_decay)``, then Adam's step.

    The decay is decoupled from the gradient, so the moments see the raw gradient;
    ``update`` needs ``params`` when ``weight_decay != 0``.

    Examples
    --------
    >>> opt = adamw(0.1, weight_decay=0.5)
    >>> w = np.array([2.0])
    >>> u, _ = opt.update(np.array([1.0]), opt.init(w), w)
    >>> np.round(apply_updates(w, u), 6)
    array([1.8])
    """
    return _adam(lr, betas, eps, weight_decay, True, amsgrad, eps_placement)


def decoupled_weight_decay(optimizer, decay):
    """``optimizer`` with decoupled decay: ``w <- (1 - decay) w + update`` (SGDW, or AdamW at a fixed rate).

    The decay does not pass through the optimizer's statistics, unlike an L2 penalty
    added to the gradient; ``adamw(lr, weight_decay=wd)`` is this with ``decay = lr wd``.

    Examples
    --------
    >>> opt = decoupled_weight_decay(sgd(0.1), 0.5)
    >>> w = np.array([2.0])
    >>> u, _ = opt.update(np.array([1.0]), opt.init(w), w)
    >>> apply_updates(w, u)
    array([0.9])
    """
    decay = _real("decay", decay, 0.0, 1.0)

    def update(grads, state, params):
        updates, state = optimizer.update(grads, state, params)
        return tree_map(lambda u, w: u - decay * w, updates, params), state

    return GradientTransformation(optimizer.init, update)
