"""The five problem sets of PROBLEMS.md: their questions, the results that answer them, figures."""
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
            Question("With noisy inputs x + N, N ~ N(0, sigma^2 I), what problem does least "
                     "squares solve in expectation, and where does SGD with fresh noise go?",
                     "noise",
                     ("expected_objective", "ridge_equivalent_lambda", "expected_update",
                      "stability_range", "limit")),
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
            Figure("optimizers_fc", "optimizer_curves",
                   "Five hidden layers of 100: loss per update and training accuracy per epoch "
                   "for SGD, SGD with momentum, RMSProp and Adam (bands: min to max over "
                   "seeds). Momentum and Adam pull ahead of plain SGD within the first epoch."),
            Figure("optimizers_fc", "sgd_batch_size",
                   "Plain SGD's final training accuracy against batch size at an equal number "
                   "of updates, beside momentum's (with its 4% band) and SGD at the effective "
                   "rate lr/(1 - beta). Read momentum's gain as a larger effective step, "
                   "eta/(1 - beta), rather than as a larger batch: only the 10x rate catches up."),
            Figure("initialization", "weight_std",
                   "Measured weight standard deviation per layer against the derived He value "
                   "sqrt(2/n_in) and the fixed 0.01; He's deviation stays within one standard "
                   "error of the sample."),
            Figure("initialization", "gradient_norms",
                   "Gradient norm per layer and update. Zero initialisation gives exactly zero "
                   "gradients in every hidden layer (all units stay identical), N(0, 0.01^2) "
                   "makes them vanish towards the input, He keeps them level, as the variance "
                   "propagation predicts."),
        ),
    ),
    ProblemSet(
        "adaptive-and-initialization", "Adaptive optimizers, vanishing gradients, initialization",
        "AdaGrad, RMSProp and Adam by hand; gradients through sigmoid and ReLU chains; "
        "variance propagation and the initialization rules.",
        (
            Question("For one sigmoid neuron with squared loss, what are the partial "
                     "derivatives, and what do three iterations of SGD, AdaGrad, RMSProp and "
                     "Adam compute?", "adaptive",
                     ("loss_gradient", "sgd_iterates", "adagrad_iterates", "rmsprop_iterates",
                      "adam_iterates", "sign_step")),
            Question("Through a chain h_i = s(w_i h_{i-1}), what is d h_n / d w_i, and how large "
                     "can it be for the sigmoid and for ReLU?", "vanishing",
                     ("chain_derivative", "sigmoid_derivative_max", "sigmoid_gradient_bound",
                      "relu_gradient_bound")),
            Question("In a deep linear net with zero-mean weights and inputs, how does variance "
                     "propagate, and which weight variance keeps it constant forward and "
                     "backward?", "initialization",
                     ("product_variance", "layer_variance", "forward_condition",
                      "backward_condition", "xavier_variance", "he_variance",
                      "pytorch_linear_default", "uniform_bound")),
        ),
        (
            Figure("vanishing_gradients", "test_accuracy",
                   "Test accuracy of sigmoid and ReLU nets of depth 1 to 4 trained with SGD at "
                   "0.005; hatched: the deepest net with Xavier-normal and PyTorch's default "
                   "initialisation."),
            Figure("vanishing_gradients", "gradient_norms",
                   "Per-layer gradient norms per epoch, one panel per configuration: the "
                   "sigmoid nets' first layers receive orders of magnitude less gradient."),
            Figure("vanishing_gradients", "decay_against_bound",
                   "Each layer's gradient norm over the output layer's, against the number of "
                   "layers below the output: sigmoid nets beside the derived factor "
                   "(1/4)^k from max s' = 1/4, ReLU nets beside the flat line the ReLU bound "
                   "allows."),
            Figure("adam_search", "adam_rate_search",
                   "Adam's final training accuracy against its learning rate (log scale): "
                   "the grid 10^-k, k = 1..5, and five rates with k uniform in [1, 5]; the "
                   "random search can land between grid points."),
        ),
    ),
    ProblemSet(
        "convexity-and-autodiff", "Convexity and automatic differentiation",
        "GD as a proximal step; the O(1/sqrt(T)) rate; single-sample SGD need not descend; "
        "Jacobians by finite differences, forward and reverse mode.",
        (
            Question("Which point minimises the linearisation plus lambda/2 ||w - w_t||^2, and "
                     "how does lambda relate to eta?", "gd",
                     ("proximal_step", "proximal_learning_rate")),
            Question("For w_{t+1} = w_t - eta v_t from w_1 = 0, why is sum <w_t - w*, v_t> at "
                     "most ||w*||^2/(2 eta) + eta/2 sum ||v_t||^2?", "convex",
                     ("three_point_identity", "regret_bound")),
            Question("For convex f with ||w*|| <= B and ||grad f|| <= rho, how fast does the "
                     "average iterate converge, and with which fixed rate?", "convex",
                     ("average_iterate_bound", "optimal_fixed_learning_rate", "rate")),
            Question("Is single-sample SGD on f_1 + f_2 = -log(1 - s(w)) - log s(w) "
                     "guaranteed to decrease f at every step?", "logistic",
                     ("sgd_not_monotone",)),
            Question("What are the graphs, values and Jacobians of the two example functions, "
                     "by finite differences, forward mode and reverse mode?", "autodiff",
                     ("graph", "value", "jacobian", "jacobian_finite_difference",
                      "jacobian_forward_mode", "jacobian_reverse_mode")),
        ),
    ),
    ProblemSet(
        "implicit-bias-and-hypergradients", "Implicit bias, hyper-gradients, weight decay, "
        "convolutions",
        "Which solution SGD and adaptive methods find; the learning rate as a variable; L2 "
        "against decoupled decay; convolution sizes and receptive fields.",
        (
            Question("From w_0 = 0 on over-parameterised least squares, which solution does "
                     "SGD find, and does RMSProp find it on x_1 = [2, 1], t = 2?",
                     "implicit_bias",
                     ("minimum_norm_solution", "sgd_row_span", "rmsprop_counterexample")),
            Question("After one GD step, how does the loss depend on eta, is it convex in eta, "
                     "which eta is best, and what memory do the hyper-gradients need?",
                     "hypergradient",
                     ("one_step_weights", "one_step_loss", "one_step_loss_convexity",
                      "optimal_learning_rate", "memory_forward", "memory_backprop")),
            Question("What does one step do under an L2 penalty and under weight decay, when "
                     "are they the same, and why not for adaptive methods?", "weight_decay",
                     ("l2_update", "decay_update", "equivalent_penalty", "adaptive_mismatch")),
            Question("What does a zero-padded same-size convolution compute, how large are "
                     "outputs, receptive fields and parameter counts?", "convolution",
                     ("output", "output_size", "receptive_field", "parameter_count")),
        ),
        (
            Figure("implicit_bias", "distance_to_minimum_norm",
                   "Left: distance to the minimum-norm solution on random over-parameterised "
                   "problems from w_0 = 0; only SGD goes to zero, as the row-span argument "
                   "predicts, though every method interpolates. Right: the example x_1 = [2, 1], "
                   "t = 2; SGD ends at the derived minimum-norm point (4/5, 2/5) (star), the "
                   "adaptive methods on the diagonal at the derived RMSProp limit (cross)."),
        ),
    ),
    ProblemSet(
        "logistic-regression-and-schedules", "Logistic regression, Nesterov, learning-rate "
        "schedules",
        "The Hessian and condition of regularised logistic regression; GD against Nesterov; "
        "the loss at initialisation; the learning-rate finder and warm-up + cosine.",
        (
            Question("What are the gradient and Hessian of regularised logistic regression, "
                     "its best strong-convexity constant and its smoothness?", "logistic",
                     ("gradient", "hessian", "strong_convexity", "smoothness_bound")),
            Question("How fast do GD and Nesterov converge with step 1/L, with which momentum, "
                     "and which slopes does a semi-log plot show?", "logistic",
                     ("gd_rate", "nesterov_rate", "nesterov_momentum", "semilog_slopes")),
            Question("Why does a 10-class softmax's cross-entropy start near 2.3?", "logistic",
                     ("cross_entropy_at_init",)),
            Question("What is the warm-up + cosine schedule, how many finder steps reach a "
                     "rate, and which (eta, rho) pairs are interchangeable?", "schedules",
                     ("cosine_warmup", "warmup_boundary_jump", "lr_finder_steps",
                      "effective_learning_rate")),
        ),
        (
            Figure("logistic_mnist", "semilog_slopes",
                   "f - f* on a log scale for GD and Nesterov with step 1/L, with fitted slopes "
                   "beside the derived bounds log(1 - 1/kappa) and log(1 - 1/sqrt(kappa)), "
                   "kappa = L/lambda. Each method is at least as steep as its bound (the "
                   "curvature at the optimum exceeds lambda); Nesterov is far steeper than GD."),
            Figure("logistic_mnist", "nesterov_L_sweep",
                   "Nesterov with L a hyper-parameter (multiples of the smoothness bound), "
                   "each with the momentum (sqrt(kappa) - 1)/(sqrt(kappa) + 1) it implies and "
                   "its derived slope; too small an L oscillates."),
            Figure("logistic_mnist", "three_curves",
                   "GD, Nesterov, and mini-batch SGD (batch 128) with and without Nesterov, "
                   "against updates and epochs: the stochastic runs stall at a noise floor "
                   "while the full-batch methods keep a linear rate."),
            Figure("lr_finder_cosine", "lr_finder",
                   "Learning-rate finder: loss against the rate, growing x1.1 per mini-batch "
                   "from 1e-5, with eta* and eta_max = eta*/10 marked."),
            Figure("lr_finder_cosine", "schedule_training",
                   "The rate used at every update on the derived warm-up + cosine curve "
                   "(T_0 = T/5), with training and validation loss and error."),
            Figure("lr_finder_cosine", "effective_rate_table",
                   "Validation error for (eta_max, 0.9), (5 eta_max, 0.5) and (eta_max, 0.5): "
                   "the first two share eta/(1 - rho) and should end alike; the third has a "
                   "five times smaller effective rate."),
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
