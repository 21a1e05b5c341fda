"""Every entry of the slip catalogue, each named for a claim it explains (and only then)."""
import pytest

from derivations import topic_module
from derivations.checking import check
from derivations.checking.slips import CATALOGUE

# (topic, result, claim, slip): each claim is the derived value with that one slip.
SLIPS = [
    ("gd", "optimal_rate", r"\frac{\sigma_S^2-\sigma_L^2}{\sigma_L^2+\sigma_S^2}", "sign"),
    ("gd", "optimal_learning_rate", r"\frac{2}{\sigma_L^2 + \sigma_S^2}", "factor 2"),
    ("gd", "optimal_learning_rate", r"\frac{1}{2(\sigma_L^2 + \sigma_S^2)}", "factor 1/2"),
    ("weight_decay", "equivalent_penalty", r"\frac{2\lambda}{\eta}", "factor 4"),
    ("gd", "optimal_learning_rate", r"\sigma_L^2 + \sigma_S^2", "reciprocal"),
    ("momentum", "complex_eigenvalue_modulus", r"1-\beta", "missing square root"),
    ("initialization", "xavier_variance", r"\sqrt{\frac{2}{n_{in}+n_{out}}}", "missing square"),
    ("momentum", "optimal_beta", r"\frac{4\sigma_{max}\sigma_{min}}{\sigma_{max}+\sigma_{min}}",
     "exponent + 1"),
    ("momentum", "optimal_beta",
     r"\frac{4\sigma_{max}\sigma_{min}}{(\sigma_{max}+\sigma_{min})^3}", "exponent - 1"),
    ("gd", "intermediate_directions", r"\min(|1-2\eta\sigma_L^2|, |1-2\eta\sigma_S^2|)",
     "min/max swapped"),
    ("momentum", "optimal_rate", r"\frac{\sigma_{min} - \sigma_{max}}{\sigma_{max}+\sigma_{min}}",
     "sign"),
    ("gd", "stability_range", r"\eta > \frac{1}{\sigma^2}", "reversed"),
    ("gd", "stability_range", r"0 < \eta \le \frac{1}{\sigma^2}", "open/closed end"),
    ("gd", "stability_range", r"0 < \eta < \frac{2}{\sigma^2}", "not tight (contains)"),
    ("gd", "stability_range", r"0 < \eta < \frac{1}{2\sigma^2}", "not tight (inside)"),
]


def test_every_catalogue_entry_is_tested():
    assert {name for *_, name in SLIPS} == {slip.name for slip in CATALOGUE}


@pytest.mark.parametrize("topic, result, claim, slip", SLIPS)
def test_the_slip_is_named(topic, result, claim, slip):
    verdict = check(topic_module(topic).derive(), result, claim)
    assert verdict.status == "wrong" and verdict.slip is not None, str(verdict)
    assert verdict.slip[0] == slip
    assert verdict.slip[1] in str(verdict) and verdict.as_dict()["slip"]["name"] == slip


@pytest.mark.parametrize("topic, result, claim", [
    ("gd", "optimal_learning_rate", r"\frac{3}{\sigma_L^2 + \sigma_S^2}"),  # factor 3: none
    ("momentum", "optimal_rate", r"\frac{\sigma_{max}^2-\sigma_{min}^2}{\sigma_{max}^2+\sigma_{min}^2}"),
    ("gd", "stability_range", r"\frac{1}{\sigma^2} < \eta < \frac{3}{\sigma^2}"),
])
def test_no_slip_is_named_where_none_explains_the_claim(topic, result, claim):
    verdict = check(topic_module(topic).derive(), result, claim)
    assert verdict.status == "wrong" and verdict.slip is None, str(verdict)


def test_a_slip_in_one_element_of_a_tuple_is_named_with_the_score():
    verdict = check(topic_module("momentum").derive(), "heavy_ball_equivalence",
                    r"(\alpha = 2\beta\eta, m = 1 - \beta)")
    assert verdict.status == "wrong" and verdict.slip[0] == "factor 2"
    assert verdict.score == "1/2" and verdict.parts == (False, True)
