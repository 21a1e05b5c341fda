"""The method engine against the literature's closed forms (typed in here), and its command line."""
import json
from dataclasses import replace
import subprocess
import sys

import numpy as np
import pytest
import scipy.optimize
import sympy as sp

from derivations import method as M

h, mu, L = M.h, M.mu, M.L
alpha = sp.Symbol("alpha", positive=True)
eta = sp.Symbol("eta", positive=True)
beta_ema = sp.Symbol("beta", positive=True)          # the EMA's beta lies in (0, 1]
beta = sp.Symbol("beta", nonnegative=True)           # Nesterov's momentum lies in [0, 1)
m = sp.Symbol("m", nonnegative=True)
kappa = sp.Symbol("kappa", positive=True)


def derived(name, result):
    return M.derive_method(M.builtin(name))[result].value


def same(a, b):
    return sp.simplify(a - b) == 0


# Stability in the literature: heavy ball (Polyak 1964), Nesterov (e.g. Lessard, Recht and
# Packard 2016), the sheets' EMA form with h = 2 sigma^2.
@pytest.mark.parametrize("name, end", [
    ("gd", 2 / h),
    ("heavy_ball", 2 * (1 + m) / h),
    ("nesterov", 2 * (1 + beta) / ((1 + 2 * beta) * h)),
    ("heavy_ball_ema", (2 - beta_ema) / (beta_ema * h / 2)),
])
def test_stability_region_is_the_literatures(name, end):
    region = derived(name, "stability_region")
    assert isinstance(region, sp.Interval) and region.start == 0 and region.right_open
    assert same(region.end, end)


def test_ema_region_in_the_sheets_curvature_is_the_natural_form():
    sigma = sp.Symbol("sigma", positive=True)
    end = derived("heavy_ball_ema", "stability_region").end.subs(h, 2 * sigma**2)
    assert M.natural_form(end) == (2 - beta_ema) / (beta_ema * sigma**2)
    assert str(M.natural_form(end)) == "(2 - beta)/(beta*sigma**2)"


def test_heavy_ball_regimes_and_modulus():
    low, high = sorted(derived("heavy_ball", "repeated_eigenvalue_learning_rates").args,
                       key=lambda v: float(v.subs({m: sp.Rational(1, 4), h: 1})))
    assert same(low, (1 - sp.sqrt(m)) ** 2 / h) and same(high, (1 + sp.sqrt(m)) ** 2 / h)
    assert derived("heavy_ball", "complex_eigenvalue_modulus") == sp.sqrt(m)


def test_polyak_tuning_is_the_textbooks():
    tuned = {e.lhs: e.rhs for e in derived("heavy_ball", "optimal_parameters")}
    root = sp.sqrt(L) + sp.sqrt(mu)
    assert same(tuned[alpha], 4 / root**2)
    assert same(tuned[m], ((sp.sqrt(L) - sp.sqrt(mu)) / root) ** 2)
    rate = derived("heavy_ball", "optimal_rate").subs(L, kappa * mu)
    assert same(rate, (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1))


def test_transient_growth_at_polyaks_tuning_exceeds_one():
    # From rest, the mode h = L has a double root -rho: w_t = (1 + (1 + rho) t)(-rho)^t w_0,
    # so w_1 / w_0 = -rho (2 + rho), above 1 in size once rho > sqrt(2) - 1.
    rho = M.rho
    assert same(derived("heavy_ball", "transient_growth"), -rho * (2 + rho))


def test_nesterov_standard_tuning():
    tuned = {e.lhs.name: e.rhs for e in derived("nesterov", "optimal_parameters")}
    assert tuned["alpha"] == 1 / L
    assert same(tuned["beta"].subs(L, kappa * mu), (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1))
    assert same(derived("nesterov", "optimal_rate").subs(L, kappa * mu), 1 - 1 / sp.sqrt(kappa))
    assert "not optimised" in M.derive_method(M.builtin("nesterov"))["optimal_parameters"].statement


@pytest.mark.parametrize("name", ["gd", "heavy_ball_ema", "nesterov"])
def test_a_renamed_curvature_tunes_as_h(name):
    # The tunings (balanced, Polyak's, critically damped) evaluate the curvature at mu and
    # L: with it named k they must give the textbook values found with h, in k-free form
    # (they substituted the module's h, so heavy_ball_ema and nesterov crashed).
    k = sp.Symbol("k", positive=True)
    renamed = M.derive_method(replace(M.builtin(name), curvature=k))
    for result in ("optimal_parameters", "optimal_rate"):
        value = renamed[result].value
        assert k not in value.free_symbols
        assert same(value, derived(name, result)) if not isinstance(value, sp.Tuple) else all(
            same(mine.rhs, theirs.rhs) for mine, theirs in zip(value, derived(name, result)))


def test_gd_balanced_step():
    (step,) = derived("gd", "optimal_parameters")
    assert step.rhs == 2 / (L + mu)
    assert same(derived("gd", "optimal_rate"), (L - mu) / (L + mu))


def test_rates_are_stated_as_spectral_radii():
    d = M.derive_method(M.builtin("heavy_ball"))
    assert "asymptotic" in d["rate"].statement and "not a bound on each step" in d["rate"].statement
    assert "need not shrink by it at every step" in d["optimal_rate"].statement
    # GD's factor |1 - alpha h| multiplies each direction's error at every step (audit 12):
    # |w_{t+1} - w*| <= max_h |1 - alpha h| |w_t - w*|, so its rates are per-step factors
    gd = M.derive_method(M.builtin("gd"))
    assert "at every step" in gd["rate"].statement and "not a bound" not in gd["rate"].statement
    assert "shrinks by at least it each step" in gd["optimal_rate"].statement
    assert "a bound on the asymptotic rate" in gd["worst_rate"].statement


@pytest.mark.parametrize("first, second, expected", [
    ("heavy_ball", "heavy_ball_ema", {"alpha": eta * beta_ema, "m": 1 - beta_ema}),
    ("heavy_ball", "heavy_ball_pytorch", {"alpha": alpha * (1 - sp.Symbol("tau", nonnegative=True)),
                                          "m": sp.Symbol("mu", nonnegative=True)}),
    ("nesterov", "nesterov_pytorch", {"alpha": alpha, "beta": sp.Symbol("mu", nonnegative=True)}),
    # the other way round a family: PyTorch's dampening tau stays free, by its own name
    ("heavy_ball_pytorch", "heavy_ball", {"alpha": alpha / (1 - sp.Symbol("tau", nonnegative=True)),
                                          "mu": sp.Symbol("m", nonnegative=True)}),
])
def test_equivalences(first, second, expected):
    mapping, _ = M.equivalence(M.builtin(first), M.builtin(second))
    assert {k.name: v for k, v in mapping.items()} == expected


def test_heavy_ball_is_not_nesterov():
    mapping, steps = M.equivalence(M.builtin("heavy_ball"), M.builtin("nesterov"))
    assert mapping is None and "not a reparametrisation" in steps[-1].text


def test_jury_conditions_of_a_cubic_match_the_roots():
    z = M.lam
    inside = sp.expand((z - sp.Rational(1, 2)) * (z + sp.Rational(1, 3)) * (z - sp.Rational(3, 4)))
    outside = sp.expand((z - sp.Rational(1, 2)) * (z + sp.Rational(5, 4)) * (z - sp.Rational(1, 4)))
    assert all(c > 0 for c in M.jury_conditions(inside, z))
    assert not all(c > 0 for c in M.jury_conditions(outside, z))


def test_qhm_region_needs_no_unproved_assumption():
    region = derived("qhm", "stability_region")
    beta_q, nu = sp.Symbol("beta", nonnegative=True), sp.Symbol("nu", nonnegative=True)
    # QHM is heavy ball with step alpha (1 - beta nu) ... its p(-1) > 0 is the edge:
    assert same(region.end, 2 * (1 + beta_q) / (h * (1 + beta_q - 2 * beta_q * nu)))


@pytest.mark.parametrize("updates, message", [
    ([r"b_{t+1} = \mu b_t + g_t", r"w_{t+1} = w_t - \alpha b_{t+1} b_t"],
     r"at position \d+ is not linear in the states"),
    ([r"w_{t+1} = w_t - \alpha c_t"], r"names c_t, which is not a state"),
    ([r"w_{t+1} = w_t - \alpha \frac{g_t"], r"cannot read update .* at position 23"),
    ([r"w_{t+1} + 1"], r"at position 0 is not an equation"),
    ([], r"no update given"),
])
def test_bad_updates_are_refused_with_a_position(updates, message):
    with pytest.raises(M.MethodError, match=message):
        M.derive_method(M.method_from_latex(updates))


def run(*args):
    return subprocess.run([sys.executable, "-m", "derivations.method", *args], check=False,
                          capture_output=True, text=True, timeout=120)


def test_command_line_user_method_is_pytorch_heavy_ball():
    done = run("--update", r"b_{t+1} = \mu b_t + g_t", "--update", r"w_{t+1} = w_t - \alpha b_{t+1}",
               "--json", "--only", "stability_region")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    value = sp.sympify(result["srepr"])
    assert same(value.end, 2 * (1 + sp.Symbol("mu", nonnegative=True)) / h)


def test_command_line_name_and_check():
    done = run("--name", "nesterov", "--check", "stability_region",
               r"0 < \alpha < \frac{2(1+\beta)}{(1+2\beta) h}")
    assert done.returncode == 0 and "correct" in done.stdout
    wrong = run("--name", "nesterov", "--check", "stability_region", r"0 < \alpha < \frac{2}{h}")
    assert wrong.returncode == 1 and "wrong" in wrong.stdout


def test_command_line_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('updates = ["w_{t+1} = w_t - \\\\gamma g_t"]\nrange = ["m", "M"]\n'
                    '[domains]\ngamma = "(0, 1/2)"\n')
    done = run("--file", str(path), "--json", "--only", "optimal_parameters")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["value"] == "(Eq(gamma, 2/(M + m)),)"


@pytest.mark.parametrize("args, message", [
    (["--update", r"w_{t+1} = w_t w_t"], "error: update .* is not linear"),
    (["--name", "nope"], "error: name == 'nope' is not a built-in method"),
    (["--name", "gd", "--update", r"w_{t+1} = w_t"], "error: give one of"),
    (["--file", "/nonexistent.toml"], "error: --file /nonexistent.toml"),
    (["--name", "gd", "--range", "alpha", "L"], "error: --range names alpha"),
    (["--update", r"w_{t+1} = \sin(w_t) - \alpha g_t"], "error: the updates must be linear"),
    (["--update", r"w_{t+1} = w_t - \alpha g_t", "--update", r"w_{t+1} = w_t - \alpha g_t"],
     r"error: update .* is updated 2 times"),
    (["--update", r"w_{t+1} = w_{t-1000} - \alpha g_t"], r"error: update .* looks back more than 20"),
    (["--update", r"w_{t+1} = w_t - \alpha g_t", "--curvature", "alpha"],
     r"error: curvature == 'alpha' is a parameter of the updates"),
])
def test_command_line_errors_are_one_line(args, message):
    done = run(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert __import__("re").match(message, done.stderr)


@pytest.mark.parametrize("text, message", [       # red team 9: each was a traceback or ignored
    ('updates = [1, 2]', "updates == .* must be a list of strings"),
    ('updates = "w_{t+1} = w_t - \\\\alpha g_t"', "updates == .* must be a list of strings"),
    ('updates = ["w_{t+1} = w_t - \\\\alpha g_t"]\nrange = ["mu"]', "range == .* list of two"),
    ('updates = ["w_{t+1} = w_t - \\\\alpha g_t"]\nbogus = 1', "'bogus' is not a field"),
    ('updates = ["w_{t+1} = w_t - \\\\alpha g_t"]\ntitle = "\\u001b[2J"', "title == .* printable"),
    ('updates = ["w_{t+1} = w_t - \\\\alpha g_t"]\n[domains]\nalpha = "(1, 0)"', "holds no value"),
    ('updates = ["w_{t+1} = w_t - \\\\alpha g_t"]\n[domains]\nalpha = "[-oo, oo]"',
     "closed at an infinite end"),
])
def test_a_method_file_is_checked_field_by_field(tmp_path, text, message):
    path = tmp_path / "method.toml"
    path.write_text(text + "\n")
    done = run("--file", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert __import__("re").search(message, done.stderr), done.stderr


def test_a_step_free_of_sign_keeps_gd_stable_for_positive_steps_only():
    """Red team 9: with alpha in (-oo, oo) the region was (-oo, 2/h); 1 - alpha h > 1 for
    every alpha < 0, so only 0 < alpha < 2/h is stable; a domain (0, 5) keeps its cap."""
    gd = M.method_from_latex([r"w_{t+1} = w_t - \alpha g_t"], domains={"alpha": sp.Reals})
    assert M.derive_method(gd)["stability_region"].value == sp.Interval.open(0, 2 / M.h)
    capped = M.method_from_latex([r"w_{t+1} = w_t - \alpha g_t"], domains={"alpha": sp.Interval.open(0, 5)})
    assert M.derive_method(capped)["stability_region"].value == sp.Interval.open(0, sp.Min(5, 2 / M.h))


def test_help_explains_the_update_syntax():
    done = run("--help")
    assert done.returncode == 0
    assert r"b_{t+1} = \mu b_t + g_t" in done.stdout and "g(y_t)" in done.stdout


def test_every_builtin_has_a_stability_region_with_steps():
    for name in M.BUILTINS:
        d = M.derive_method(M.builtin(name))
        assert d["stability_region"].steps and isinstance(d["stability_region"].value, sp.Interval)


def plain(expr):
    return expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols})


@pytest.mark.parametrize("name", M.BUILTINS)
def test_builtins_printed_in_latex_read_back_as_the_same_method(name):
    method = M.builtin(name)
    read = M.method_from_latex(method.sources)
    assert [p.name for p in read.parameters] == [p.name for p in method.parameters]
    difference = plain(M.state_matrix(read)[0]) - plain(M.state_matrix(method)[0])
    assert sp.simplify(difference).is_zero_matrix


def test_a_method_with_an_eigenvalue_one_is_never_stable_and_ascent_is_refused_its_regimes():
    stuck = M.derive_method(M.method_from_latex(
        [r"w_{t+1} = w_t - \alpha g_t + \frac{1}{2} (w_t - w_{t-1})", r"v_{t+1} = v_t"]))
    assert stuck["stability_region"].value == sp.S.EmptySet   # v never moves: eigenvalue 1
    ascent = M.derive_method(M.method_from_latex(
        [r"u_{t+1} = \frac{1}{2} u_t + g_t", r"w_{t+1} = w_t + \alpha u_{t+1}"]))
    assert ascent["stability_region"].value == sp.S.EmptySet   # p(1) = -alpha h / 2 < 0
    assert "real_eigenvalue_range" not in ascent.names          # no two positive repeated steps


# worst_rate: the largest spectral radius over [mu, L] for fixed parameters.
def test_gd_worst_rate_is_the_larger_end():
    worst = derived("gd", "worst_rate")
    for a, low, high in [(sp.Rational(1, 3), 1, 4), (sp.Rational(1, 10), 2, 50), (1, 3, 7)]:
        expected = max(abs(1 - a * low), abs(1 - a * high))
        assert worst.subs({alpha: a, mu: low, L: high}) == expected


@pytest.mark.parametrize("low, high", [(1, 4), (1, 100), (sp.Rational(1, 20), 5), (2, 3)])
def test_heavy_ball_worst_rate_at_polyaks_tuning_is_polyaks_rate(low, high):
    root = sp.sqrt(high) + sp.sqrt(low)
    tuning = {alpha: 4 / root**2, m: ((sp.sqrt(high) - sp.sqrt(low)) / root) ** 2, mu: low, L: high}
    value = derived("heavy_ball", "worst_rate").subs(tuning).evalf(50)
    polyak = ((sp.sqrt(high) - sp.sqrt(low)) / root).evalf(50)
    # both ends are repeated roots: the discriminant vanishes exactly and its 50-digit
    # evaluation is ~1e-50, whose square root moves the radius by ~1e-25
    assert abs(value - polyak) < 1e-20


def test_nesterov_worst_rate_at_its_tuning_is_one_minus_root_inverse_kappa():
    tuning = {alpha: sp.Rational(1, 100), beta: sp.Rational(9, 11), mu: 1, L: 100}
    value = derived("nesterov", "worst_rate").subs(tuning).evalf(50)
    assert abs(value - sp.Rational(9, 10)) < 1e-20   # 1 - sqrt(1/100); repeated root at mu


def test_worst_rate_is_proved_only_up_to_degree_two():
    assert M.disk_conditions(1)[1] and M.disk_conditions(2)[1] and not M.disk_conditions(3)[1]
    three = M.derive_method(M.method_from_latex(
        [r"u_{t+1} = \frac{1}{2} u_t + g_t", r"v_{t+1} = \frac{1}{2} v_t + u_{t+1}",
         r"w_{t+1} = w_t - \alpha v_{t+1}"]))
    assert "worst_rate" not in three.names
    assert "degree at most 2" in derived_statement("heavy_ball", "worst_rate")


def derived_statement(name, result):
    return M.derive_method(M.builtin(name))[result].statement


# Numerical tuning: QHM and triple momentum contain heavy ball (nu = 1, gamma = 0), and no
# method with a degree-2 characteristic polynomial affine in h and p(1) = 0 at h = 0 beats
# Polyak: p(1) = (1 - l1)(1 - l2) = s h lies in [(1 - rho)^2, (1 + rho)^2] when both roots
# lie in the disk of radius rho, so kappa <= ((1 + rho)/(1 - rho))^2.
@pytest.mark.parametrize("name", ["qhm", "triple_momentum"])
@pytest.mark.parametrize("kappa_value", [100, 9])
def test_numeric_tuning_reaches_polyaks_rate(name, kappa_value):
    method = M.builtin(name)
    d = M.derive_method(method, M.curvature_range_for(method, ["1", str(kappa_value)]))
    polyak = (sp.sqrt(kappa_value) - 1) / (sp.sqrt(kappa_value) + 1)
    # the worst rate has a square-root cusp at the optimum (repeated roots at both ends):
    # parameters found to ~1e-13 leave the rate ~sqrt(1e-13) ~ 4e-7 above it
    assert float(d["optimal_rate"].value) == pytest.approx(float(polyak), abs=1e-6)
    assert float(d["optimal_rate"].value) >= float(polyak) - 1e-12   # never below the bound
    assert "computed numerically (not a closed form)" in d["optimal_parameters"].statement
    assert "computed numerically (not a closed form)" in d["optimal_rate"].statement
    assert all(isinstance(e.rhs, sp.Float) for e in d["optimal_parameters"].value)


def test_numeric_range_keeps_closed_forms_where_they_exist():
    method = M.builtin("heavy_ball")
    d = M.derive_method(method, M.curvature_range_for(method, ["1", "100"]))
    assert d["optimal_rate"].value == sp.Rational(9, 11)


def test_symbolic_range_gives_no_numeric_tuning():
    assert "optimal_parameters" not in M.derive_method(M.builtin("qhm")).names


def test_command_line_numeric_range():
    done = run("--name", "qhm", "--range", "1", "100", "--json", "--only", "optimal_rate")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["numeric"] == pytest.approx(9 / 11, abs=1e-6)   # Polyak's rate, kappa 100


@pytest.mark.parametrize("args, message", [
    (["--name", "qhm", "--range", "100", "1"], r"error: --range 100 1: the curvatures must"),
    (["--name", "qhm", "--range", "1", "L"], r"error: --range 1 L mixes a number and a name"),
    (["--name", "qhm", "--range", "1", "1e400"], r"error: --range == '1e400' has an exponent"),
    # at kappa 10^5 the search ends 40% of the gap 1 - rho short of Polyak's rate
    (["--name", "qhm", "--range", "1", "100000"],
     r"error: --range 1 100000: the numerical tuning is trusted for a condition number "
     r"largest/smallest up to 10000"),
])
def test_command_line_bad_numeric_ranges(args, message):
    done = run(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert __import__("re").match(message, done.stderr)


FOUR_STATES = [r"u_{t+1} = \frac{1}{2} u_t + g_t", r"v_{t+1} = \frac{1}{3} v_t + u_{t+1}",
               r"z_{t+1} = \frac{1}{4} z_t + v_{t+1}", r"w_{t+1} = w_t - \alpha z_{t+1}"]


def test_large_radicals_are_omitted_and_said_so():
    d = M.derive_method(M.method_from_latex(FOUR_STATES))
    eigenvalues = d["eigenvalues"]
    assert isinstance(eigenvalues.value, sp.ConditionSet) and "rate" not in d.names
    assert "so they are omitted" in eigenvalues.statement


def test_command_line_adds_the_numeric_rate_when_every_value_is_fixed():
    args = [a for u in FOUR_STATES for a in ("--update", u)]
    done = run(*args, "--json", "--subs", "alpha=1/10", "h=1", "--only", "eigenvalues", "rate")
    assert done.returncode == 0, done.stderr
    rate = json.loads(done.stdout)["results"][1]
    # the largest root of lambda^4 - (25/12 - h alpha) lambda^3 + ... at alpha = 1/10, h = 1,
    # from its companion matrix (numpy, typed-in coefficients of det(lambda I - T))
    import numpy as np
    a = sp.Rational(1, 10)
    p = sp.Poly(sp.expand((M.lam - 1) * (M.lam - sp.S(1) / 2) * (M.lam - sp.S(1) / 3)
                          * (M.lam - sp.S(1) / 4) + a * M.lam**3), M.lam)
    expected = max(abs(np.roots([float(c) for c in p.all_coeffs()])))
    assert rate["name"] == "rate" and rate["numeric"] == pytest.approx(expected, rel=1e-12)


# Audit 12: a value given for a parameter the tuning chooses.  The tuning is then over the
# others; before, the value went into the optimum's equations (``Eq(1/2, ...)``, False)
# beside the unconstrained optimum.
def test_heavy_ball_with_no_momentum_tunes_as_gradient_descent():
    method = M.builtin("heavy_ball")
    at = M.at_values(M.derive_method(method), {"m": "0"}, method)
    (step,) = at["optimal_parameters"].value
    assert step.lhs == alpha and same(step.rhs, 2 / (L + mu))
    assert same(at["optimal_rate"].value, (L - mu) / (L + mu))


def worst_radius(momentum, step, curvatures):
    """The largest modulus of the roots of l^2 - (1 + m - a h) l + m over the curvatures."""
    return max(max(abs(np.roots([1, -(1 + momentum - step * c), momentum])))
               for c in curvatures)


def test_heavy_ball_with_a_fixed_momentum_tunes_the_step_numerically():
    method = M.builtin("heavy_ball")
    at = M.at_values(M.derive_method(method), {"m": "1/2", "mu": "1", "L": "100"}, method)
    (step,) = at["optimal_parameters"].value
    rate = float(at["optimal_rate"].value)
    # the reported rate is the worst radius at the reported step (at the range's ends, where
    # the worst radius of a degree-2 polynomial affine in h lies), to the search's 1e-9
    assert rate == pytest.approx(worst_radius(0.5, float(step.rhs), (1, 100)), abs=1e-9)
    # and no step does better: a bounded scalar search over the stable steps (0, 3/100)
    best = scipy.optimize.minimize_scalar(lambda a: worst_radius(0.5, a, (1, 100)),
                                          bounds=(1e-6, 0.03 - 1e-9), method="bounded",
                                          options={"xatol": 1e-12})
    assert rate == pytest.approx(best.fun, abs=1e-6) and rate > 0.93   # Polyak's is 9/11
    assert "transient_growth" not in at.names      # defined at Polyak's tuning only


def test_gd_with_its_step_fixed_has_no_tuning_and_its_worst_rate():
    method = M.builtin("gd")
    at = M.at_values(M.derive_method(method), {"alpha": "1/10", "mu": "1", "L": "100"}, method)
    assert not {"optimal_parameters", "optimal_rate"} & set(at.names)
    assert at["worst_rate"].value == 9            # max(|1 - 1/10|, |1 - 100/10|)


# Audit 12: what the domains do not decide is assumed, said, and checked at the values.
HEAVY_BALL = [r"w_{t+1} = w_t - \alpha g_t + m (w_t - w_{t-1})"]


def test_a_momentum_domain_past_one_makes_the_region_assume_m_below_one():
    # the product of the eigenvalues is m, so m >= 1 leaves no stable step
    method = M.method_from_latex(HEAVY_BALL, domains={"m": sp.Interval.Ropen(0, 2)})
    d = M.derive_method(method)
    m_wide = method.parameters[1].symbol
    assert d["stability_region"].assumptions == (sp.StrictGreaterThan(1 - m_wide, 0),)
    assert "assumes 1 - m > 0" in d["stability_region"].statement
    at = d.with_values({"m": "3/2"})
    assert "stability_region" not in at.names and "assumes 1 - m > 0" in at.left_out["stability_region"]
    with pytest.raises(KeyError, match="left out at the values given: it assumes 1 - m > 0"):
        at["stability_region"]


def test_negative_momentum_has_no_complex_regime_to_assume_away():
    # for m < 0 the discriminant (1 + m - alpha h)^2 - 4m is positive: no complex eigenvalues
    method = M.method_from_latex(HEAVY_BALL, domains={"m": sp.Interval.open(-1, 1)})
    d = M.derive_method(method)
    m_real = method.parameters[1].symbol
    for name in ("repeated_eigenvalue_learning_rates", "complex_eigenvalue_range",
                 "complex_eigenvalue_modulus"):                # sqrt(m): no modulus for m < 0
        assert d[name].assumptions == (sp.GreaterThan(m_real, 0),)
        assert name in d.with_values({"m": "-1/2"}).left_out


def test_triple_momentum_regimes_assume_real_repeated_steps_and_the_rest_holds_without():
    d = M.derive_method(M.builtin("triple_momentum"))
    b, g = (p.symbol for p in M.builtin("triple_momentum").parameters if p.name != "alpha")
    # the discriminant in x = alpha h is (1+g)^2 x^2 - 2(1+s) x + (1-b)^2, s = b g + b - g:
    # its roots are real exactly when s >= 0
    (assumed,) = d["complex_eigenvalue_range"].assumptions
    assert isinstance(assumed, sp.GreaterThan) and same(assumed.lhs, b * g + b - g)
    at = d.with_values({"beta": "0", "gamma": "1", "alpha": "1/10", "h": "1"})
    assert {"repeated_eigenvalue_learning_rates", "real_eigenvalue_range",
            "complex_eigenvalue_range"} <= set(at.left_out)
    # its rate there: the roots of l^2 - (1 + b - a h (1 + g)) l + (b - a g h)
    expected = max(abs(np.roots([1, -(1 + 0 - 0.1 * 2), 0 - 0.1])))
    assert float(at["rate"].value) == pytest.approx(expected, abs=1e-12)


def test_an_assumption_false_at_the_values_leaves_the_result_out():
    from derivations import gd
    at = gd.derive(eta="10", sigma="1")   # |1 - 2 eta sigma^2| = 19: no number of steps
    assert "iterations_to_tolerance" not in at.names
    assert "assumes Abs(2*eta*sigma**2 - 1) < 1" in at.left_out["iterations_to_tolerance"]


def test_a_sign_left_undecided_at_an_end_decides_nothing():
    # 1 - alpha h (1 - nu) with nu in [0, 1]: positive at alpha = 0, negative for large
    # alpha h when nu < 1; the slope h (nu - 1) has no sign on [0, 1], so no sign is known
    qhm = M.builtin("qhm")
    a, _, nu = (p.symbol for p in qhm.parameters)
    assert M._sign(1 - a * h * (1 - nu), M._domains(qhm)) == 0
    assert M._sign(1 + a * h * nu, M._domains(qhm)) == 1


def test_a_fixed_momentum_over_a_symbolic_range_leaves_the_tuning_out_and_says_why():
    method = M.builtin("heavy_ball")
    at = M.at_values(M.derive_method(method), {"m": "1/2"}, method)
    assert not set(M.TUNED) & set(at.names)
    assert set(M.TUNED) <= set(at.left_out)
    assert "give the range as two numbers" in at.left_out["optimal_rate"]
    assert "worst_rate" in at.names           # a function of the step at m = 1/2


@pytest.mark.parametrize("name", ["heavy_ball", "heavy_ball_ema", "heavy_ball_pytorch"])
def test_polyaks_tuning_is_shown_optimal_in_every_regime(name):
    # with both roots in the disk of radius rho, p(1) = (1 - l1)(1 - l2) lies in
    # [(1 - rho)^2, (1 + rho)^2]; p(1) = c h then gives rho >= (sqrt L - sqrt mu)/(sqrt L + sqrt mu)
    small, large = M.curvature_range_for(M.builtin(name))   # h_min, h_max where mu is momentum
    steps = M.derive_method(M.builtin(name))["optimal_parameters"].steps
    (bound,) = [s.expr for s in steps if s.text.endswith("that is")]
    assert isinstance(bound, sp.GreaterThan) and bound.lhs == M.rho
    assert same(bound.rhs, (sp.sqrt(large) - sp.sqrt(small)) / (sp.sqrt(large) + sp.sqrt(small)))


# Red team 12.
def test_polyaks_closed_form_needs_every_optimal_momentum_in_the_domain():
    # with m in [0, 1/2] Polyak's m* = (9/11)^2 at kappa = 100 is out of reach: the numeric
    # tuning finds the best at m = 1/2, the same as a fixed m = 1/2 (rate above 0.93)
    method = M.method_from_latex(HEAVY_BALL, domains={"m": sp.Interval(0, sp.S.Half)})
    d = M.derive_method(method, M.curvature_range_for(method, ["1", "100"]))
    rate = float(d["optimal_rate"].value)
    step, momentum = (e.rhs for e in d["optimal_parameters"].value)
    assert float(momentum) == pytest.approx(0.5, abs=1e-9)
    assert rate == pytest.approx(worst_radius(0.5, float(step), (1, 100)), abs=1e-9)
    assert rate > 0.93


def test_a_regime_assumption_the_domain_makes_false_leaves_no_regimes():
    method = M.method_from_latex(HEAVY_BALL, domains={"m": sp.Interval.open(-1, 0)})
    names = M.derive_method(method).names       # m < 0: the discriminant is positive
    assert "complex_eigenvalue_range" not in names and "repeated_eigenvalue_learning_rates" not in names


def test_a_value_turned_complex_under_an_undecided_assumption_is_left_out():
    # beta = 0 leaves -gamma >= 0, true only at gamma = 0; the ends would be complex
    at = M.derive_method(M.builtin("triple_momentum")).with_values({"beta": "0"})
    assert "complex_eigenvalue_range" in at.left_out and "rate" in at.names
    nesterov = M.derive_method(M.builtin("nesterov")).with_values({"alpha": "2", "h": "1"})
    assert "complex_eigenvalue_modulus" in nesterov.left_out     # it would be I*sqrt(beta)


def test_a_fixed_beta_leaves_the_momentum_topics_tuning_out():
    from derivations import gd, momentum
    at = momentum.derive(beta="1/2")
    assert {"optimal_beta", "optimal_learning_rate", "optimal_rate"} <= set(at.left_out)
    assert "stability_range" in at.names
    assert "optimal_rate" in gd.derive(eta="1/10").left_out
    # gd at eta = 1/(2 sigma^2): the factor 0 lands on w* in one step, not zero
    assert "iterations_to_tolerance" in gd.derive(eta="1/2", sigma="1").left_out


def test_a_condition_decided_once_a_parameter_is_fixed_is_filed_so():
    method = M.builtin("triple_momentum")
    beta = method.parameters[1].symbol
    d = M.derive_method(M.with_fixed(method, {beta: sp.Rational(1, 2)}),
                        M.curvature_range_for(method, ["1", "100"]))
    assert "stability_region" in d.names          # it raised AttributeError on True.lhs
