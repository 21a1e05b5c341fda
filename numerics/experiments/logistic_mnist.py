"""Logistic regression on zeros and ones: GD against Nesterov against SGD, slopes against -1/kappa.

Regularised logistic regression (labels ``-1``/``+1``, the bias penalised like the
weights) on the zeros and ones of the data set: MNIST average-pooled to 14x14
(``--data DIR``), or the embedded 8x8 digits as they are; pixels scaled to ``[0, 1]``.
``lambda`` is picked on validation error from a small grid (ties go to the largest,
the best-conditioned).  As the sheet asks, the weights start at random, and at the same
draw for every method (:func:`random_start`, seeded by ``--seed``): full-batch GD with
step ``1/L`` (``L`` the smoothness bound), Nesterov's method with ``kappa = L/lambda``
for a few multiples of the bound as ``L``, and SGD (batch 128, step ``1/L``) with and
without Nesterov's momentum run; the figures show ``f(w_t) - f*`` on a log scale (``f*`` from
a long, accurate Nesterov run) with the fitted slopes beside the derived ones,
``log(1 - 1/kappa)`` and ``log(1 - 1/sqrt(kappa))``.
"""
from __future__ import annotations

import numpy as np

from ..data import average_pool, minibatches, select_pair, train_val_split
from ..init import pytorch_linear_bias, pytorch_linear_default
from ..logistic import logistic_loss, stacked_gradient
from ..nn import LogisticRegression
from ..optim import apply_updates, nesterov, nesterov_iterate
from .common import main, sweep
from .theory import prediction, results
from .training_runs import splits

LAMBDAS = (1e-4, 1e-3, 1e-2, 1e-1)
GAP_FLOOR = 1e-12  # below this f - f* is rounding error of f* itself


def _shown(gaps):
    """Gaps for a log axis: the ones at the rounding floor left out (NaN)."""
    gaps = np.asarray(gaps, dtype=float)
    return np.where(gaps > GAP_FLOOR / 10, gaps, np.nan)


def zeros_and_ones(args):
    """``(train, validation, test, note)``: flat ``[0, 1]`` pixel rows and ``-1``/``+1`` labels.

    Images wider than 8 pixels are average-pooled 2x2 (MNIST's 28x28 become 14x14); the
    embedded digits stay 8x8.  Without a train split in the folder, its test split is
    divided 80/20 into train and validation and ``test`` is ``None``.

    Examples
    --------
    >>> import argparse
    >>> train, validation, test, note = zeros_and_ones(
    ...     argparse.Namespace(dataset=None, data=None, seed=0))
    >>> train[0].shape, sorted(set(train[1].tolist())), float(train[0].max()), note
    ((231, 64), [-1, 1], 1.0, 'digits: 231 train, 58 validation, 71 test (classes 0, 1; 8x8)')
    """
    name, pool, test = splits(args)
    scale = float(np.max(pool[0]))

    def prepared(images, labels):
        x, y = select_pair(images, labels, (0, 1))
        x = np.asarray(x, dtype=float) / scale
        if x.shape[-1] > 8:
            x = average_pool(x, 2)
        return x.reshape(len(x), -1), y, x.shape[1:]

    x, y, shape = prepared(*pool)
    train, validation = train_val_split(x, y, 0.2, seed=args.seed)
    side = "x".join(str(s) for s in shape[-2:])
    if test is None:
        note = (f"{name}: no train split found, its test split divided 80/20: "
                f"{len(train[0])} train, {len(validation[0])} validation, no test")
    else:
        test = prepared(*test)[:2]
        note = (f"{name}: {len(train[0])} train, {len(validation[0])} validation, "
                f"{len(test[0])} test")
    return train, validation, test, f"{note} (classes 0, 1; {side})"


def random_start(d: int, seed: int) -> np.ndarray:
    """A random start ``(w, w0)``, ``w0`` last: ``nn.Linear(d, 1)``'s ``U(-1/sqrt(d), 1/sqrt(d))``.

    The scale is PyTorch's own for this one-output linear layer, the start a student of
    the sheet gets; with pixels in ``[0, 1]`` the initial margins ``w . x + w0`` have a
    standard deviation of at most ``sqrt((d + 1) / (3 d))``, about 0.58: the start is
    random but not saturated, so ``f(w_0) - f*`` is of order one and the linear rate shows
    over many decades.

    Examples
    --------
    >>> theta = random_start(196, seed=0)
    >>> theta.shape, bool(np.all(np.abs(theta) <= 1 / 14)), bool(np.all(theta != 0))
    ((197,), True, True)
    """
    rng = np.random.default_rng(seed)
    weights = pytorch_linear_default((d, 1), rng)
    return np.append(weights[:, 0], pytorch_linear_bias(weights.shape, rng))


def accurate_fit(X, y, lam, tol=1e-10, max_iter=100_000):
    """The long, accurate run: Nesterov's method until the gradient norm is ``<= tol``."""
    return LogisticRegression(lam, solver="nesterov", tol=tol, max_iter=max_iter).fit(X, y)


def validation_error(lam, train, validation):
    """The validation error of the (accurately) fitted model at ``lam``."""
    return 1.0 - accurate_fit(*train, lam, tol=1e-6).score(*validation)


def full_batch_losses(X, y, lam, solver, L, momentum, steps, start):
    """``f`` at ``steps`` iterates of ``LogisticRegression`` from ``start`` (Nesterov's: look-ahead points)."""
    model = LogisticRegression(lam, solver=solver, L=L, momentum=momentum, max_iter=steps)
    return model.fit(X, y, coef_init=start[:-1], intercept_init=start[-1]).loss_history_


def stochastic_losses(X, y, lam, lr, momentum, steps, batch_size, every, seed, start):
    """The training objective every ``every`` updates of mini-batch SGD (Nesterov's if ``momentum > 0``).

    The gradient of each mini-batch is :func:`numerics.logistic.stacked_gradient`; the
    batches are :func:`numerics.data.minibatches` with ``seed``, as in
    ``LogisticRegression(solver="sgd")``; the run starts at ``start`` (``(w, w0)``, ``w0``
    last).  Returns the full objective at updates ``0, every, 2 every, ...`` (at the
    iterates ``w_t``) and the final parameters.
    """
    optimizer = nesterov(lr, momentum=momentum)
    theta = np.array(start, dtype=float)
    state = optimizer.init(theta)
    batches = minibatches(X, y, batch_size, seed=seed, epochs=None)
    losses = [logistic_loss(theta[:-1], theta[-1], X, y, lam)]
    for step in range(1, steps + 1):
        xb, yb = next(batches)
        updates, state = optimizer.update(stacked_gradient(xb, yb, lam)(theta), state)
        theta = apply_updates(theta, updates)
        if step % every == 0:
            w = nesterov_iterate(theta, state, momentum)
            losses.append(logistic_loss(w[:-1], w[-1], X, y, lam))
    return np.array(losses), nesterov_iterate(theta, state, momentum)


def semilog_slope(gaps, high=1e-1, low=1e-10):
    """Least-squares slope of ``ln(gap)`` per update, over the updates where ``gap`` lies in ``(low, high) * gap_0``.

    Examples
    --------
    >>> round(semilog_slope(0.9 ** np.arange(400.0)), 6), round(float(np.log(0.9)), 6)
    (-0.105361, -0.105361)
    """
    gaps = np.asarray(gaps, dtype=float)
    floor = max(low * gaps[0], GAP_FLOOR)
    window = np.flatnonzero((gaps < high * gaps[0]) & (gaps > floor))
    if window.size < 5:
        raise ValueError(f"only {window.size} updates have f - f* within ({floor:.1e}, "
                         f"{high * gaps[0]:.1e}); run more updates")
    window = np.arange(window[0], window[-1] + 1)
    window = window[gaps[window] > 0]
    return float(np.polyfit(window, np.log(gaps[window]), 1)[0])


def run(args, outputs):
    import matplotlib.pyplot as plt

    quick = args.quick
    multiples = (0.5, 1.0, 2.0) if quick else (0.25, 0.5, 1.0, 2.0, 4.0)
    cap, checkpoints, batch_size = (3000, 15, 128) if quick else (40_000, 60, 128)
    theory_text = results("logistic")
    theory = {name: prediction(theory_text[name])
              for name in ("gd_rate", "nesterov_rate", "nesterov_momentum", "semilog_slopes")}

    train, validation, test, note = zeros_and_ones(args)
    errors = sweep(validation_error, [{"lam": lam, "train": train, "validation": validation}
                                      for lam in LAMBDAS], jobs=args.jobs)
    lam = max(lam for lam, e in zip(LAMBDAS, errors) if e == min(errors))
    X, y = train

    best = accurate_fit(X, y, lam)
    f_star, hessian = best.objective(X, y), best.hessian_
    eigenvalues = np.linalg.eigvalsh(hessian)
    theta_0 = random_start(X.shape[1], args.seed)
    L = LogisticRegression.smoothness_bound(X, lam)
    kappa_bound, kappa_hessian = L / lam, float(best.condition_number_)
    slope_bound = theory["semilog_slopes"](kappa=kappa_bound)
    slope_hessian = theory["semilog_slopes"](kappa=kappa_hessian)
    steps = int(min(cap, np.ceil(np.log(1e11) * kappa_bound)))

    sweep_L = [m * L for m in multiples]
    momenta = [float(theory["nesterov_momentum"](kappa=L_ / lam)) for L_ in sweep_L]
    full = sweep(full_batch_losses,
                 [{"X": X, "y": y, "lam": lam, "solver": "gd", "L": L, "momentum": None,
                   "steps": steps, "start": theta_0}]
                 + [{"X": X, "y": y, "lam": lam, "solver": "nesterov", "L": L_, "momentum": m,
                     "steps": steps, "start": theta_0} for L_, m in zip(sweep_L, momenta)],
                 jobs=args.jobs)
    gaps = {"GD": np.maximum(full[0] - f_star, 0.0)}
    for multiple, losses in zip(multiples, full[1:]):
        gaps[f"Nesterov L={multiple:g} L_bound"] = np.maximum(losses - f_star, 0.0)
    nesterov_name = "Nesterov L=1 L_bound"
    momentum = momenta[multiples.index(1.0)]

    every = max(1, steps // checkpoints)
    stochastic = sweep(stochastic_losses,
                       [{"X": X, "y": y, "lam": lam, "lr": 1 / L, "momentum": m,
                         "steps": steps, "batch_size": batch_size, "every": every,
                         "seed": args.seed, "start": theta_0} for m in (0.0, momentum)],
                       jobs=args.jobs)
    reference = LogisticRegression(lam, solver="sgd", max_iter=steps, batch_size=batch_size,
                                   seed=args.seed).fit(X, y, theta_0[:-1], theta_0[-1])
    sgd_gaps = {"SGD": stochastic[0][0] - f_star, "SGD + Nesterov": stochastic[1][0] - f_star}
    sgd_updates = np.arange(len(sgd_gaps["SGD"])) * every

    # A run whose f - f* does not fall a millionfold (L below the curvature: it oscillates)
    # has no slope to fit.
    slopes = {name: semilog_slope(gap) if gap[-1] <= 1e-6 * gap[0] else None
              for name, gap in gaps.items()}
    # Near w*, GD at step 1/L shrinks the slowest mode by 1 - lambda_min(H*)/L per update and
    # f - f* is quadratic in the error: the derived slope at kappa = L/lambda_min(H*), doubled.
    gd_local = 2 * float(theory["semilog_slopes"](kappa=L / eigenvalues[0])[0])

    # ------------------------------------------------------------------ figures
    updates = np.arange(steps)
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    for name, colour in (("GD", "C0"), (nesterov_name, "C1")):
        gap = gaps[name]
        axis.semilogy(updates, _shown(gap), colour,
                      label=f"{name}: fitted slope {slopes[name]:.4f}")
    start = gaps["GD"][0]
    for slope, style, label in ((slope_bound[0], "C0--", "log(1 - 1/kappa)"),
                                (slope_bound[1], "C1--", "log(1 - 1/sqrt(kappa))")):
        axis.semilogy(updates, start * np.exp(slope * updates), style,
                      label=f"derived bound {label} = {slope:.4f}, kappa = L/lambda")
    axis.semilogy(updates, start * np.exp(gd_local * updates), "C0:",
                  label=f"GD's slowest mode, 2 log(1 - lambda_min(H*)/L) = {gd_local:.4f}")
    axis.set(xlabel="update t", ylabel=r"$f(w_t) - f^*$", ylim=(GAP_FLOOR / 10, 2 * start),
             title=rf"$\lambda$ = {lam:g}, $\kappa = L/\lambda$ = {kappa_bound:.1f}, "
                   rf"Hessian at $w^*$: $\kappa_H$ = {kappa_hessian:.1f}, momentum {momentum:.3f}")
    axis.legend(fontsize=7)
    outputs.figure(figure, "semilog_slopes")

    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    for multiple, (name, gap), m in zip(multiples, list(gaps.items())[1:], momenta):
        predicted = theory["semilog_slopes"](kappa=multiple * kappa_bound)[1]
        fitted = "does not converge" if slopes[name] is None else f"fitted {slopes[name]:.4f}"
        axis.semilogy(updates, _shown(gap), label=f"L = {multiple:g} L_bound (momentum {m:.3f}): "
                                                  f"{fitted}, derived {predicted:.4f}")
    axis.semilogy(updates, _shown(gaps["GD"]), "k", lw=1, label=f"GD: fitted {slopes['GD']:.4f}")
    axis.set(xlabel="update t", ylabel=r"$f(y_t) - f^*$", ylim=(GAP_FLOOR / 10, 2 * start),
             title="Nesterov's method, L swept: step 1/L, kappa = L/lambda")
    axis.legend(fontsize=7)
    outputs.figure(figure, "nesterov_L_sweep")

    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    n = len(y)
    for axis, scale, label in ((axes[0], 1, "update t"),
                               (axes[1], None, "examples seen / n (epochs)")):
        for name, x_values, gap, per in (("GD", updates, gaps["GD"], n),
                                         ("Nesterov", updates, gaps[nesterov_name], n),
                                         ("SGD", sgd_updates, sgd_gaps["SGD"], batch_size),
                                         ("SGD + Nesterov", sgd_updates,
                                          sgd_gaps["SGD + Nesterov"], batch_size)):
            x = x_values if scale else x_values * per / n
            axis.semilogy(x, _shown(gap), "o-" if "SGD" in name else "-",
                          ms=3, label=name)
        axis.set(xlabel=label, ylabel=r"$f(w_t) - f^*$ (full training objective)")
        axis.legend(fontsize=8)
    axes[1].set_xlim(0, sgd_updates[-1] * batch_size / n)
    figure.suptitle(f"GD, Nesterov, SGD (batch {batch_size}), SGD + Nesterov; step 1/L")
    outputs.figure(figure, "three_curves")

    figure, axis = plt.subplots(figsize=(5.5, 3.8))
    axis.semilogx(LAMBDAS, errors, "o-")
    axis.axvline(lam, color="r", ls="--", label=rf"chosen $\lambda$ = {lam:g}")
    axis.set(xlabel=r"$\lambda$", ylabel="validation error", title=note)
    axis.title.set_fontsize(7)
    axis.legend()
    outputs.figure(figure, "lambda_selection")

    outputs.history("losses", updates=updates, sgd_updates=sgd_updates, f_star=f_star,
                    initial_theta=theta_0,
                    **{name: gap for name, gap in {**gaps, **sgd_gaps}.items()})
    return {
        "data": note, "lambda_grid": LAMBDAS, "validation_errors": errors, "lambda": lam,
        "test_error": None if test is None else 1 - best.score(*test),
        "initial_weights": {
            "draw": f"U(-1/sqrt(d), 1/sqrt(d)) for each of w and w0, d = {X.shape[1]}: "
                    f"nn.Linear(d, 1)'s default",
            "seed": args.seed, "shared_by": "every run: GD, Nesterov at every L, SGD, "
                                            "SGD + Nesterov",
            "why_this_scale": f"PyTorch's default for this layer; with pixels in [0, 1] the "
                              f"initial margins' std is at most sqrt((d + 1) / (3 d)) = "
                              f"{np.sqrt((X.shape[1] + 1) / (3 * X.shape[1])):.2f}: random, "
                              f"not saturated",
            "norm": float(np.linalg.norm(theta_0)),
            "objective": {**{name: losses[0] for name, losses in zip(gaps, full)},
                          "SGD": stochastic[0][0][0], "SGD + Nesterov": stochastic[1][0][0]}},
        "updates": steps, "batch_size": batch_size,
        "f_star": f_star, "accurate_run_iterations": best.n_iter_,
        "smoothness_bound_L": L, "strong_convexity_m": lam,
        "hessian_eigenvalues_min_max": [eigenvalues[0], eigenvalues[-1]],
        "kappa_bound": kappa_bound, "kappa_hessian": kappa_hessian,
        "derived": {"gd_rate": float(theory["gd_rate"](kappa=kappa_bound)),
                    "nesterov_rate": float(theory["nesterov_rate"](kappa=kappa_bound)),
                    "slope_gd_bound": slope_bound[0], "slope_nesterov_bound": slope_bound[1],
                    "slope_gd_hessian": slope_hessian[0],
                    "slope_nesterov_hessian": slope_hessian[1],
                    "slope_gd_local_slowest_mode": gd_local},
        "momentum": momentum, "nesterov_L_multiples": multiples, "nesterov_momenta": momenta,
        "fitted_slopes": slopes,
        "final_gap": {name: float(gap[-1]) for name, gap in {**gaps, **sgd_gaps}.items()},
        "sgd_loop_matches_LogisticRegression": float(np.max(np.abs(
            stochastic[0][1] - np.append(reference.coef_, reference.intercept_)))),
    }


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__))
