"""method: the derived matrices, regions and rates against the simulated methods."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from derivations import method as M
from numerics.method import (StateSpace, iterate_method, measured_rate, optimal_tuning,
                             random_state_space, stability_edge, state_space, transition_matrix,
                             worst_rate)
from numerics.optim import heavy_ball, momentum_ema, nesterov, nesterov_iterate, sgd
from numerics.recurrences import iterate
from numerics.spectra import spectral_radius

DERIVED = {name: M.derive_method(M.builtin(name)) for name in M.BUILTINS}
unit = st.floats(0.05, 0.9)
DRAWS = {  # a parameter draw per built-in: name -> strategy of its parameters
    "gd": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0)}),
    "heavy_ball": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0), "m": unit}),
    "heavy_ball_ema": st.fixed_dictionaries({"eta": st.floats(0.05, 3.0), "beta": st.floats(0.05, 1.0)}),
    "heavy_ball_pytorch": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0), "mu": unit,
                                                 "tau": st.floats(0.0, 0.9)}),
    "nesterov_pytorch": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0), "mu": unit}),
    "nesterov": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0), "beta": unit}),
    "qhm": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0), "beta": unit,
                                  "nu": st.floats(0.0, 1.0)}),
    "triple_momentum": st.fixed_dictionaries({"alpha": st.floats(0.05, 3.0), "beta": unit,
                                              "gamma": st.floats(0.0, 2.0)}),
}


def at(value, parameters, h=None):
    values = {sp.Symbol(k, **s.assumptions0): v for k, v in parameters.items()
              for s in value.free_symbols if s.name == k}
    if h is not None:
        values[M.h] = h
    return value.subs(values)


@pytest.mark.parametrize("name", M.BUILTINS)
@given(data=st.data(), h=st.floats(0.1, 5.0))
def test_derived_state_matrix_is_the_simulated_one(name, data, h):
    parameters = data.draw(DRAWS[name])
    derived = np.array(at(DERIVED[name]["state_matrix"].value, parameters, h), dtype=float)
    simulated = transition_matrix(state_space(name, **parameters), h)
    np.testing.assert_allclose(derived, simulated, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", M.BUILTINS)
@given(data=st.data(), h=st.floats(0.1, 5.0))
def test_derived_stability_edge_is_where_the_spectral_radius_reaches_one(name, data, h):
    parameters = data.draw(DRAWS[name])
    step = "eta" if name == "heavy_ball_ema" else "alpha"
    edge = float(at(DERIVED[name]["stability_region"].value.end, parameters, h))
    others = {k: v for k, v in parameters.items() if k != step}

    def matrix(value):
        return transition_matrix(state_space(name, **{step: value}, **others), h)

    # bisection to 1e-12 relative; the radius is continuous, so the edges agree to that
    assert stability_edge(matrix, 4 * edge) == pytest.approx(edge, rel=1e-9)


@pytest.mark.parametrize("name", [n for n in M.BUILTINS if "rate" in DERIVED[n].names])
@given(data=st.data(), h=st.floats(0.1, 5.0))
def test_derived_rate_is_the_numeric_spectral_radius(name, data, h):
    parameters = data.draw(DRAWS[name])
    rate = complex(at(DERIVED[name]["rate"].value, parameters, h).evalf())
    radius = spectral_radius(transition_matrix(state_space(name, **parameters), h))
    # At a repeated eigenvalue (a Jordan block) rounding of the entries (~1e-15 for entries
    # below 20) moves the eigenvalues by its square root, so the radius agrees to ~3e-8 there.
    assert rate.real == pytest.approx(float(radius), rel=1e-9, abs=1e-7)


@given(alpha=st.floats(0.05, 1.5), m=unit, h=st.floats(0.2, 2.0))
def test_measured_contraction_is_the_derived_rate(alpha, m, h):
    rate = float(at(DERIVED["heavy_ball"]["rate"].value, {"alpha": alpha, "m": m}, h))
    assume(0.3 < rate < 0.95)
    roots = np.linalg.eigvals(transition_matrix(state_space("heavy_ball", alpha=alpha, m=m), h))
    moduli = np.sort(np.abs(roots))
    # the slowest mode must dominate: equal moduli (a complex pair) or clearly separated ones
    assume(moduli[0] > rate * (1 - 1e-9) or moduli[0] < 0.9 * rate)
    # the envelope over windows of an eighth of a run of 2000 steps from 1e100: the rate is
    # read over > 1000 steps, so a transient factor polynomial in t changes it by < 1%.
    measured = measured_rate(state_space("heavy_ball", alpha=alpha, m=m), h)
    assert measured == pytest.approx(rate, rel=0.01)


# Built-ins against numerics.optim (torch.optim semantics) on a diagonal quadratic.
CURVATURES = np.array([0.3, 1.0, 2.5])


def gradient(w):
    return CURVATURES * w


@pytest.mark.parametrize("name, optimizer, parameters", [
    ("gd", lambda p: sgd(p["alpha"]), {"alpha": 0.3}),
    ("heavy_ball", lambda p: heavy_ball(p["alpha"], p["m"]), {"alpha": 0.3, "m": 0.6}),
    ("heavy_ball_ema", lambda p: momentum_ema(p["eta"], p["beta"]), {"eta": 0.9, "beta": 0.3}),
    ("heavy_ball_pytorch", lambda p: sgd(p["alpha"], momentum=p["mu"], dampening=p["tau"]),
     {"alpha": 0.3, "mu": 0.6, "tau": 0.25}),
    ("nesterov_pytorch", lambda p: sgd(p["alpha"], momentum=p["mu"], nesterov=True),
     {"alpha": 0.3, "mu": 0.6}),
])
def test_builtin_is_numerics_optim_on_a_quadratic(name, optimizer, parameters):
    steps, w0 = 30, np.array([1.0, -2.0, 0.5])
    reference = iterate(optimizer(parameters), gradient, w0, steps)
    space = state_space(name, **parameters)
    start = np.zeros((len(space.A), 3))
    start[space.iterate] = w0
    if name.endswith("pytorch"):
        # PyTorch's first step sets the buffer to g (undampened); from then on it is linear.
        start[0], start[1] = gradient(w0), reference[1]
        reference = reference[1:]
    if name == "heavy_ball":
        start[1] = w0              # w_{-1} = w_0
    simulated = iterate_method(space, CURVATURES, start, len(reference) - 1)
    np.testing.assert_allclose(simulated, reference, rtol=1e-10, atol=1e-12)


def test_nesterov_builtin_is_numerics_optim_nesterov():
    alpha, beta, steps = 0.3, 0.6, 30
    w0 = np.array([1.0, -2.0, 0.5])
    optimizer = nesterov(alpha, momentum=beta)
    y, state = w0.copy(), optimizer.init(w0)
    iterates = [w0]
    for _ in range(steps):
        updates, state = optimizer.update(gradient(y), state)
        y = y + updates
        iterates.append(nesterov_iterate(y, state, beta))
    space = state_space("nesterov", alpha=alpha, beta=beta)
    simulated = iterate_method(space, CURVATURES, np.stack([w0, w0]), steps)
    np.testing.assert_allclose(simulated, np.array(iterates), rtol=1e-10, atol=1e-12)


def test_qhm_and_triple_momentum_follow_their_published_updates():
    alpha, beta, nu, gamma = 0.3, 0.7, 0.6, 0.4
    w0 = np.array([1.0, -2.0, 0.5])
    b, w = np.zeros(3), w0.copy()
    qhm = [w0]
    for _ in range(20):   # Ma and Yarats (2019): g_buf <- beta g_buf + (1-beta) g
        g = gradient(w)
        b = beta * b + (1 - beta) * g
        w = w - alpha * ((1 - nu) * g + nu * b)
        qhm.append(w)
    np.testing.assert_allclose(iterate_method(state_space("qhm", alpha=alpha, beta=beta, nu=nu),
                                              CURVATURES, np.stack([np.zeros(3), w0]), 20),
                               np.array(qhm), rtol=1e-12, atol=1e-13)  # rounding of O(1) sums
    xi, previous = w0.copy(), w0.copy()
    triple = [w0]
    for _ in range(20):   # Van Scoy, Freeman and Lynch (2018)
        y = (1 + gamma) * xi - gamma * previous
        xi, previous = (1 + beta) * xi - beta * previous - alpha * gradient(y), xi
        triple.append(xi)
    space = state_space("triple_momentum", alpha=alpha, beta=beta, gamma=gamma)
    np.testing.assert_allclose(iterate_method(space, CURVATURES, np.stack([w0, w0]), 20),
                               np.array(triple), rtol=1e-12, atol=1e-13)


# Randomly generated linear methods: their LaTeX updates through the engine.
NAMES = ("w", "u", "v")


def updates_of(space):
    def term(coefficient, name):
        return rf"\left({sp.latex(sp.nsimplify(coefficient))}\right) {name}"
    look = " + ".join(term(c, f"{NAMES[j]}_t") for j, c in enumerate(space.C))
    rows = [f"y_t = {look}"]
    for i, row in enumerate(space.A):
        terms = " + ".join(term(a, f"{NAMES[j]}_t") for j, a in enumerate(row))
        rows.append(f"{NAMES[i]}_{{t+1}} = {terms} + {term(space.B[i], 'g(y_t)')}")
    return rows


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), states=st.sampled_from([2, 3]))
def test_random_linear_methods_agree_with_their_simulation(seed, states):
    space = random_state_space(np.random.default_rng(seed), states)
    derived = M.derive_method(M.method_from_latex(updates_of(space)))
    curvatures = np.linspace(0.05, 6.0, 40)
    matrix = sp.lambdify(M.h, derived["state_matrix"].value, "numpy")
    for h in curvatures[::8]:
        np.testing.assert_allclose(np.array(matrix(h), dtype=float), transition_matrix(space, h),
                                   atol=1e-12)
    region = derived["stability_region"].value
    radii = spectral_radius(transition_matrix(space, curvatures))
    clear = np.abs(radii - 1) > 1e-6          # away from the boundary, where rounding decides
    inside = np.array([bool(region.contains(sp.nsimplify(h))) for h in curvatures])
    assert np.array_equal(inside[clear], (radii < 1)[clear])


@pytest.mark.parametrize("name", [n for n in M.BUILTINS if "worst_rate" in DERIVED[n].names])
@given(data=st.data(), small=st.floats(0.05, 2.0), spread=st.floats(1.01, 50.0))
def test_derived_worst_rate_is_the_numeric_maximum_over_the_range(name, data, small, spread):
    parameters = data.draw(DRAWS[name])
    low, high = M.curvature_range_for(M.builtin(name))
    value = at(DERIVED[name]["worst_rate"].value, parameters).subs({low: small, high: small * spread})
    derived = complex(value.evalf()).real
    numeric = worst_rate(state_space(name, **parameters), small, small * spread)
    # the twin searches the whole range (grid and refinement) and finds the ends' value when
    # the maximum is there; at a repeated eigenvalue rounding moves the radius by ~3e-8
    assert derived == pytest.approx(numeric, rel=1e-9, abs=1e-7)


def test_every_two_state_builtin_has_a_worst_rate():
    assert all("worst_rate" in DERIVED[n].names for n in M.BUILTINS)


@pytest.mark.parametrize("name, bounds", [
    ("qhm", {"alpha": (1e-3, 2.0), "beta": (0.0, 0.999), "nu": (0.0, 1.0)}),
    ("triple_momentum", {"alpha": (1e-3, 2.0), "beta": (0.0, 0.999), "gamma": (0.0, 3.0)}),
])
def test_numeric_tuning_agrees_with_scipys(name, bounds):
    method = M.builtin(name)
    d = M.derive_method(method, M.curvature_range_for(method, ["1", "16"]))
    tuned = {e.lhs.name: float(e.rhs) for e in d["optimal_parameters"].value}
    rate = float(d["optimal_rate"].value)
    _, scipy_rate = optimal_tuning(name, 1.0, 16.0, bounds)
    # two optimisers of a worst case with a square-root cusp at the optimum: each is within
    # ~1e-6 of it (parameters to ~1e-12); Polyak's (sqrt(16) - 1)/(sqrt(16) + 1) = 3/5
    assert rate == pytest.approx(scipy_rate, abs=2e-6)
    assert rate == pytest.approx(3 / 5, abs=1e-6)
    # the derived rate is the simulated worst radius at the derived parameters
    assert worst_rate(state_space(name, **tuned), 1.0, 16.0) == pytest.approx(rate, abs=1e-7)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), h=st.floats(0.1, 5.0))
def test_three_state_eigenvalues_in_radicals_are_numpys(seed, h):
    space = random_state_space(np.random.default_rng(seed), 3)
    numeric = np.linalg.eigvals(transition_matrix(space, h))
    gaps = np.abs(numeric[:, None] - numeric[None, :])[~np.eye(3, dtype=bool)]
    # numpy's eigenvalues move by ~1e-15 / (gap between them); keep them clearly apart
    assume(gaps.min() > 1e-3)
    eigenvalues = M.derive_method(M.method_from_latex(updates_of(space)))["eigenvalues"].value
    assume(isinstance(eigenvalues, sp.FiniteSet))   # radicals not omitted (size limit)
    derived = [complex(r.subs(M.h, sp.Float(h, 30)).evalf(30)) for r in eigenvalues]
    assert len(derived) == 3
    for value in numeric:   # each numeric eigenvalue is one of the derived ones
        assert min(abs(value - d) for d in derived) < 1e-9


def filtered_gd(alpha):
    """u' = u/2 + g(w), v' = v/2 + u', w' = w - alpha v' (states u, v, w), written by hand."""
    return StateSpace(np.array([[0.5, 0, 0], [0.5, 0.5, 0], [-0.5 * alpha, -0.5 * alpha, 1]]),
                      np.array([1.0, 1.0, -alpha]), np.array([0.0, 0.0, 1.0]), 2)


def test_numeric_tuning_of_a_three_state_method_is_its_simulated_worst_rate():
    method = M.method_from_latex([r"u_{t+1} = \frac{1}{2} u_t + g_t",
                                  r"v_{t+1} = \frac{1}{2} v_t + u_{t+1}",
                                  r"w_{t+1} = w_t - \alpha v_{t+1}"])
    d = M.derive_method(method, M.curvature_range_for(method, ["1", "4"]))
    assert "grid of 201 curvatures" in d["optimal_parameters"].steps[0].text
    ((_, alpha),) = (e.args for e in d["optimal_parameters"].value)
    simulated = worst_rate(filtered_gd(float(alpha)), 1.0, 4.0)
    derived = float(d["optimal_rate"].value)
    # the derivation maximises over 201 curvatures, the twin over all of [1, 4]: the grid
    # can only miss a peak between its points, where the radius moves by < 1e-3
    assert derived <= simulated + 1e-12 and simulated - derived < 1e-3
    # and no alpha on a grid of 100 does better than the derived tuning by more than that
    best = min(worst_rate(filtered_gd(b), 1.0, 4.0, points=101) for b in np.linspace(0.01, 1, 100))
    assert simulated <= best + 1e-3
