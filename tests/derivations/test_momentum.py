"""The momentum topic's results against textbook closed forms, compared symbolically."""
import pytest
import sympy as sp

from derivations import momentum as mo

eta, beta, sigma, lam = mo.eta, mo.beta, mo.sigma, mo.lam
kappa = sp.Symbol("kappa", positive=True)


def value(name):
    return mo.derive()[name].value


def test_recurrence_matrix():
    expected = sp.Matrix([[1 - beta, 2 * beta * sigma**2],
                          [-eta * (1 - beta), 1 - 2 * eta * beta * sigma**2]])
    assert sp.simplify(value("recurrence_matrix") - expected) == sp.zeros(2, 2)


def test_characteristic_polynomial():
    expected = lam**2 - (2 - beta - 2 * eta * beta * sigma**2) * lam + 1 - beta
    assert sp.expand(value("characteristic_polynomial") - expected) == 0


def test_eigenvalues_solve_the_polynomial_and_multiply_to_the_determinant():
    first, second = value("eigenvalues").args
    assert sp.expand(first * second - (1 - beta)) == 0
    assert sp.expand(first + second - (2 - beta - 2 * eta * beta * sigma**2)) == 0


def test_discriminant():
    expected = (2 - beta - 2 * eta * beta * sigma**2) ** 2 - 4 * (1 - beta)
    assert sp.expand(value("discriminant") - expected) == 0


def test_repeated_eigenvalue_rates_are_the_squares_of_one_plus_minus_sqrt():
    expected = {(1 - sp.sqrt(1 - beta)) ** 2 / (2 * beta * sigma**2),
                (1 + sp.sqrt(1 - beta)) ** 2 / (2 * beta * sigma**2)}
    derived = value("repeated_eigenvalue_learning_rates").args
    assert all(any(sp.simplify(d - e) == 0 for e in expected) for d in derived)


def test_regimes_partition_the_positive_rates():
    real, complex_ = value("real_eigenvalue_range"), value("complex_eigenvalue_range")
    half = {beta: sp.Rational(1, 2), sigma: 1}
    assert sp.Union(real.subs(half), complex_.subs(half)) == sp.Interval.open(0, sp.oo)
    assert sp.Intersection(real.subs(half), complex_.subs(half)) == sp.S.EmptySet


def test_complex_modulus_is_sqrt_of_momentum_not_twice_it():
    # Published as 2 sqrt(beta) in a well-known article; it is sqrt of the momentum 1 - beta.
    assert value("complex_eigenvalue_modulus") == sp.sqrt(1 - beta)


def test_stability_range():
    assert sp.simplify(value("stability_range").end - (2 - beta) / (beta * sigma**2)) == 0
    assert value("stability_range").start == 0


def test_optimal_tuning_is_the_textbook_heavy_ball():
    smax, smin = mo.sigma_max, mo.sigma_min
    derivation = mo.derive()
    L, mu = 2 * smax**2, 2 * smin**2  # Hessian eigenvalues of ||y - X w||^2
    alpha = derivation["optimal_learning_rate"].value * derivation["optimal_beta"].value
    momentum = 1 - derivation["optimal_beta"].value
    assert sp.simplify(alpha - 4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2) == 0
    assert sp.simplify(momentum - ((sp.sqrt(L) - sp.sqrt(mu)) / (sp.sqrt(L) + sp.sqrt(mu))) ** 2) == 0
    rate = derivation["optimal_rate"].value.subs(smax, sp.sqrt(kappa) * smin)
    assert sp.simplify(rate - (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)) == 0


def test_heavy_ball_map():
    alpha_eq, m_eq = value("heavy_ball_equivalence").args
    assert alpha_eq.rhs == beta * eta and m_eq.rhs == 1 - beta


def test_cycle_contains_the_published_counterexample():
    # Lessard, Recht and Packard (2016) report the cycle 0.6465, -1.8025, 2.1159.
    cycles = [tuple(float(v) for v in c) for c in value("nonquadratic_cycle").args]
    assert any(sorted(c) == pytest.approx(sorted((0.6465, -1.8025, 2.1159)), abs=1e-3)
               for c in cycles)


@pytest.mark.parametrize("overrides, message", [
    ({"beta": "1.5"}, r"beta == 1.5, must lie in \(0, 1\]"),
    ({"beta": 0}, r"beta == 0, must lie in \(0, 1\]"),
    ({"eta": "abc"}, r"eta == 'abc' is not a number"),
    ({"nosuch": 1}, r"'nosuch' is not a parameter of momentum; choose from .*beta"),
    ({"sigma_min": 3, "sigma_max": 1}, r"violate the model's constraint"),
])
def test_bad_parameters_name_the_constraint(overrides, message):
    with pytest.raises(ValueError, match=message):
        mo.derive(**overrides)


def test_unknown_result_is_refused():
    with pytest.raises(ValueError, match=r"'nope' is not a result of momentum; choose from"):
        mo.derive().only(["nope"])


def test_sheet_2g_rates_and_iterations_both_readings():
    # kappa = 5 / 0.05 = 100: GD (kappa-1)/(kappa+1), tuned momentum (sqrt(kappa)-1)/(sqrt(kappa)+1),
    # beta = 1/10: sqrt(1 - beta); iterations: the least t with rate^t <= 1/200
    rates = mo.derive(sigma_max=sp.sqrt(5), sigma_min=sp.sqrt(sp.Rational(1, 20)))[
        "rate_comparison_2g"].value
    assert tuple(rates) == (sp.Rational(99, 101), sp.Rational(9, 11), sp.sqrt(sp.Rational(9, 10)))
    import math
    expected = tuple(math.ceil(math.log(1 / 200) / math.log(float(r))) for r in rates)
    assert expected == (265, 27, 101)
    counts = mo.derive(epsilon=sp.Rational(1, 200))["iterations_2g"].value
    assert tuple(int(c) for c in counts) == expected


def test_sheet_2g_iterations_from_rest_count_the_transient():
    # By hand, at the optimal tuning beta = 40/121, eta = 1 the sheet's two directions
    # have a double root -+9/11 and, from rest (z_0 = 0, x_0 = 1, x_1 = 1 - 2 eta beta
    # sigma^2): x_t = (-9/11)^t (1 + 20 t / 11) at sigma^2 = 5, (9/11)^t (1 + 2 t / 11) at
    # 1/20, both falling from their peaks; GD's factors are -+99/101.
    from fractions import Fraction as F

    def settles(x):  # the first t of the falling tail within 1/200
        return next(t for t in range(10, 1000) if abs(x(t)) <= F(1, 200))
    optimal = max(settles(lambda t: F(-9, 11)**t * (1 + F(20, 11) * t)),
                  settles(lambda t: F(9, 11)**t * (1 + F(2, 11) * t)))
    gd = settles(lambda t: F(99, 101)**t)

    def by_recurrence(beta, eta, sigma2):  # the sheet's 2(a), iterated exactly
        a, x, last = F(0), F(1), 0
        for t in range(1, 1000):  # 0.95^1000 * 100: long past the transient
            a = (1 - beta) * a + 2 * beta * sigma2 * x
            x = x - eta * a
            last = t if abs(x) > F(1, 200) else last
        return last + 1
    sheet = max(by_recurrence(F(1, 10), 1, F(5)), by_recurrence(F(1, 10), 1, F(1, 20)))
    assert optimal == max(by_recurrence(F(40, 121), 1, F(5)), by_recurrence(F(40, 121), 1, F(1, 20)))
    value = mo.derive()["iterations_from_rest_2g"].value
    assert tuple(value) == (gd, optimal, sheet) == (265, 49, 100)
    assert "known solution's count" in mo.derive()["iterations_2g"].statement


def test_settling_time_refuses_a_divergent_or_irrational_system():
    from derivations.method import settling_time
    with pytest.raises(ValueError, match="do not converge"):
        settling_time(sp.Matrix([[2]]), sp.Matrix([1]), 0, sp.Rational(1, 2))
    with pytest.raises(ValueError, match="rational"):
        settling_time(sp.Matrix([[1 / sp.sqrt(2)]]), sp.Matrix([1]), 0, sp.Rational(1, 2))


def test_transient_growth_and_rates_are_not_called_per_step_factors():
    d = mo.derive()
    rho_ = sp.Symbol("rho", positive=True)
    assert sp.simplify(d["transient_growth"].value + rho_ * (2 + rho_)) == 0
    assert "not a per-step factor" in d["optimal_rate"].statement


def test_decoupling_is_derived_from_the_svd():
    steps = mo.derive()["decoupled_recurrence"].steps
    assert any("normal equations" in s.text for s in steps)
    value = mo.derive()["decoupled_recurrence"].value
    assert sp.expand(value[0].rhs - ((1 - beta) * mo.a_t + 2 * beta * sigma**2 * mo.x_t)) == 0
