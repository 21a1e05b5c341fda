"""The initialization topic's results against the textbook closed forms."""
import pytest
import sympy as sp

from derivations import initialization as init

n_in, n_out, sigma_W, sigma_h = init.n_in, init.n_out, init.sigma_W, init.sigma_h
CLOSED_FORMS = {
    "layer_variance": n_in * sigma_W**2 * sigma_h**2,
    "forward_condition": 1 / n_in,
    "backward_condition": 1 / n_out,
    "xavier_variance": 2 / (n_in + n_out),
    "he_variance": 2 / n_in,
    "pytorch_linear_default": 1 / (3 * n_in),
    "uniform_bound": sp.sqrt(3) * sigma_W,
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_matches_closed_form(name):
    assert sp.simplify(init.derive()[name].value - CLOSED_FORMS[name]) == 0


def test_product_variance_two_factors_and_n_factors():
    two, many = init.derive()["product_variance"].value
    assert sp.simplify(two - init.sigma_X**2 * init.sigma_Y**2) == 0
    s = init.sigma
    assert sp.expand(many.subs(init.n, 3).doit() - s[1]**2 * s[2]**2 * s[3]**2) == 0


def test_two_factor_rule_with_means_is_the_textbook_one():
    general, _ = init.product_variance(init.mu_X, init.sigma_X**2, init.mu_Y, init.sigma_Y**2)
    textbook = ((init.sigma_X**2 + init.mu_X**2) * (init.sigma_Y**2 + init.mu_Y**2)
                - init.mu_X**2 * init.mu_Y**2)
    assert sp.expand(general - textbook) == 0


def test_relu_halves_the_second_moment():
    assert init.relu_second_moment()[0] == sp.S.Half


def test_pytorch_default_is_a_sixth_of_he():
    derived = init.derive()
    ratio = derived["pytorch_linear_default"].value / derived["he_variance"].value
    assert sp.simplify(ratio - sp.Rational(1, 6)) == 0


def test_substitution_gives_numbers():
    derived = init.derive(n_in=100, n_out=300)
    assert derived["xavier_variance"].value == sp.Rational(1, 200)
    assert derived["pytorch_linear_default"].value == sp.Rational(1, 300)


def test_every_result_has_steps():
    assert all(result.steps for result in init.derive().results)


@pytest.mark.parametrize("name, value, message", [
    ("n_in", 0, r"n_in == 0, must lie in Naturals"),
    ("sigma_W", -1, r"sigma_W == -1, must lie in \(0, oo\)"),
    ("a", -1, r"a == -1, must lie in \[0, oo\)"),
])
def test_bad_parameters_are_refused(name, value, message):
    with pytest.raises(ValueError, match=message):
        init.derive(**{name: value})
