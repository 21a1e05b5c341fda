"""The five problem sets: their questions, the results that answer them, their figures."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Question", "Figure", "ProblemSet", "PROBLEM_SETS", "by_name"]


@dataclass(frozen=True)
class Question:
    """A question in one sentence and the topic results that answer it."""

    text: str
    topic: str
    results: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """A figure an experiment writes (``stem``.pdf), with what to look for in it."""

    experiment: str
    stem: str
    caption: str


@dataclass(frozen=True)
class ProblemSet:
    name: str
    title: str
    summary: str
    questions: tuple[Question, ...]
    figures: tuple[Figure, ...] = ()

    @property
    def experiments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.experiment for f in self.figures))


PROBLEM_SETS = (
    ProblemSet(
        "learning-rates-and-momentum", "Learning rates and momentum",
        "GD stability and optimal rates; momentum's eigenvalues, regimes and tuning.",
        (
            Question("For which learning rates is GD on (y - sigma w)^2 stable, and how fast "
                     "does it converge?", "gd",
                     ("update_factor", "closed_form_iterate", "stability_range",
                      "iterations_to_tolerance")),
            Question("With two directions sigma_L > sigma_S and one learning rate, which rates "
                     "are stable, which direction is faster, and which rate is best?", "gd",
                     ("largest_stable_learning_rate_2d", "large_direction_faster_range",
                      "optimal_learning_rate", "optimal_rate", "condition_number_rate")),
            Question("How does EMA momentum decouple in the SVD coordinates, and what are the "
                     "eigenvalues of its 2x2 matrix?", "momentum",
                     ("decoupled_recurrence", "recurrence_matrix", "characteristic_polynomial",
                      "eigenvalues", "discriminant")),
            Question("Where do the eigenvalues repeat, where are they real or complex, and "
                     "where is momentum stable?", "momentum",
                     ("repeated_eigenvalue_learning_rates", "real_eigenvalue_range",
                      "complex_eigenvalue_range", "complex_eigenvalue_modulus",
                      "stability_range")),
            Question("What are the best momentum and learning rate over [sigma_min, "
                     "sigma_max], and is this the classical heavy ball?", "momentum",
                     ("optimal_beta", "optimal_learning_rate", "optimal_rate",
                      "heavy_ball_equivalence", "nonquadratic_cycle")),
        ),
        (
            Figure("momentum_regimes", "spectral_radius",
                   "Numeric spectral radius of the momentum matrix. The red line is the derived "
                   "stability boundary eta = (2 - beta)/(beta sigma^2): the radius crosses 1 "
                   "exactly there. Between the white curves (derived repeated eigenvalues) the "
                   "radius is flat at sqrt(1 - beta), the complex regime."),
            Figure("momentum_regimes", "trajectories",
                   "Distance to the minimiser in each regime; each legend gives the measured "
                   "contraction beside the spectral radius the theory predicts."),
        ),
    ),
)


def by_name(name: str) -> ProblemSet:
    """The problem set called ``name``; an unknown name raises ``ValueError`` listing them.

    Examples
    --------
    >>> by_name("learning-rates-and-momentum").title
    'Learning rates and momentum'
    """
    for problem_set in PROBLEM_SETS:
        if problem_set.name == name:
            return problem_set
    raise ValueError(f"problem set == {name!r} does not exist; choose from "
                     f"{', '.join(p.name for p in PROBLEM_SETS)} or all")
