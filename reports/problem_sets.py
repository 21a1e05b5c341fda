"""The five problem sets of ``../shared/problems/``: every sub-question, in the sheet's numbering.

Each :class:`ProblemSet` is one sheet.  Its :class:`Question` rows are the table the
answer key is built from: the sheet's own number (``1(a)``, ``2.3.2``, ``2(b)3``), a
one-line restatement in our words (LaTeX), and what answers it -- topic results, figures
of an experiment, a short paragraph -- or, where nothing does, ``not_answered`` saying why.
Restatements, paragraphs and captions are LaTeX; a :class:`Figure`'s caption is ``shows``
(what is drawn) followed, in a full build only, by ``finding`` (what the drawing shows).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Question", "Figure", "ProblemSet", "PROBLEM_SETS", "by_name"]


@dataclass(frozen=True)
class Question:
    """One sub-question of a sheet and what answers it.

    ``number`` is the sheet's own; ``text`` restates it in one line (LaTeX); ``results``
    name results of ``topic``; ``figures`` name figure stems of the problem set;
    ``answer`` is a paragraph (LaTeX); ``not_answered`` says why nothing answers it;
    ``drawing`` names a topic whose ``computation_graph()`` the answer draws.
    """

    number: str
    text: str
    topic: str = ""
    results: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    answer: str = ""
    not_answered: str = ""
    drawing: str = ""   # a topic whose computation_graph() is drawn here

    @property
    def answered(self) -> bool:
        return bool(self.results or self.figures or self.answer)

    def answered_by(self) -> str:
        """What answers the question, in one line.

        Examples
        --------
        >>> Question("1", "Why?", "gd", ("optimal_rate",), figures=("f",)).answered_by()
        'gd.optimal_rate; figure f'
        >>> Question("6", "Review.", not_answered="an opinion.").answered_by()
        'not answered: an opinion.'
        """
        if not self.answered:
            return f"not answered: {self.not_answered}"
        parts = [f"{self.topic}.{name}" for name in self.results]
        parts += [f"figure {stem}" for stem in self.figures]
        parts += ["drawn graph"] if self.drawing else []
        parts += ["paragraph"] if self.answer else []
        return "; ".join(parts)


@dataclass(frozen=True)
class Figure:
    """A figure an experiment writes (``stem``.pdf): what it shows, and what a full run finds in it."""

    experiment: str
    stem: str
    shows: str
    finding: str = ""

    def caption(self, quick: bool) -> str:
        """The caption: a quick build claims nothing a smoke run cannot show.

        Examples
        --------
        >>> f = Figure("e", "s", "Loss per step.", "It falls.")
        >>> f.caption(quick=False)
        'Loss per step. It falls.'
        >>> f.caption(quick=True).startswith("Loss per step. Quick build")
        True
        """
        if quick:
            return (f"{self.shows} Quick build: a smoke run with few steps and examples; "
                    "this figure only shows that the experiment runs, not its finding.")
        return f"{self.shows} {self.finding}".strip()


@dataclass(frozen=True)
class ProblemSet:
    """One sheet: its report name, the file in ``../shared/problems/``, its questions and figures."""

    name: str
    sheet: str
    title: str
    summary: str
    questions: tuple[Question, ...]
    figures: tuple[Figure, ...] = ()
    cifar_experiments: tuple[str, ...] = ()   # run on CIFAR-10 when the build is given --data

    @property
    def experiments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.experiment for f in self.figures))

    def figure(self, stem: str) -> Figure:
        """The figure called ``stem``; an unknown stem raises ``ValueError``."""
        for figure in self.figures:
            if figure.stem == stem:
                return figure
        raise ValueError(f"figure == {stem!r} is not one of {self.name}'s figures "
                         f"{[f.stem for f in self.figures]}")


DATA_NOTE = ("The sheet trains on {sheet_data}; this build's data is named in each figure's "
             "caption (the embedded scikit-learn digits, 8x8, unless the build was given "
             r"\texttt{{--data DIR}}).")

CS182 = ProblemSet(
    "learning-rates-and-momentum", "berkeley-cs182-hw2.md",
    "Berkeley CS182 Homework 2: learning rates, momentum, noise",
    "Stability and speed of gradient descent on $(y - \\sigma w)^2$; heavy-ball momentum in the "
    "EMA form $z_{t+1} = (1-\\beta) z_t + \\beta g_t$, $w_{t+1} = w_t - \\eta z_{t+1}$; input "
    "noise as ridge regularisation; the coding part's experiments. The sheet is a restatement "
    "(the original wording is not held).",
    (
        Question("1(a)", r"For which $\eta > 0$ is $w_{t+1} = (1 - 2\eta\sigma^2) w_t + 2\eta"
                 r"\sigma y$ stable?", "gd",
                 ("update_factor", "closed_form_iterate", "stability_range")),
        Question("1(b)", r"How many iterations give $|w_t - w^*| \le \epsilon |w^*|$?", "gd",
                 ("iterations_to_tolerance",)),
        Question("1(c)", r"For $\operatorname{diag}(\sigma_\ell, \sigma_s) w = y$ with one rate, "
                 r"which $\eta$ converge, and which $\sigma_i$ limits $\eta$?", "gd",
                 ("stability_range_2d", "largest_stable_learning_rate_2d")),
        Question("1(d)", r"Depending on $\eta, \sigma_\ell, \sigma_s$, which direction converges "
                 r"faster?", "gd", ("large_direction_faster_range",)),
        Question("1(e)", r"Which $\eta$ gives the fastest overall convergence?", "gd",
                 ("optimal_learning_rate", "optimal_rate")),
        Question("1(f)", r"Why do further $\sigma_i \in [\sigma_s, \sigma_\ell]$ not change "
                 r"these answers?", "gd", ("intermediate_directions", "condition_number_rate")),
        Question("1(g)", "(Wording not held.)",
                 not_answered="the restated sheet does not hold the wording of 1(g), so there "
                 "is no question to answer."),
        Question("2(a)", r"Show that momentum decouples in the coordinates "
                 r"$x_t = V^\top(w_t - w^*)$, $a_t = V^\top z_t$.", "momentum",
                 ("decoupled_recurrence",)),
        Question("2(b)", r"Write the $2\times 2$ matrix $R_i$ of the recurrence of "
                 r"$(a_t[i], x_t[i])$.", "momentum", ("recurrence_matrix",)),
        Question("2(c)", r"Find the eigenvalues of $R_i$.", "momentum",
                 ("characteristic_polynomial", "eigenvalues", "discriminant")),
        Question("2(d)", r"For which $\eta$ are the eigenvalues repeated?", "momentum",
                 ("repeated_eigenvalue_learning_rates",)),
        Question("2(e)", r"For which $\eta$ are they real?", "momentum",
                 ("real_eigenvalue_range",), figures=("spectral_radius",)),
        Question("2(f)", r"For which $\eta$ are they complex?", "momentum",
                 ("complex_eigenvalue_range", "complex_eigenvalue_modulus", "stability_range"),
                 figures=("trajectories",)),
        Question("2(g)", r"With $\sigma_{\max}^2 = 5$, $\sigma_{\min}^2 = 0.05$: plain GD at its "
                 r"best rate against momentum, in rate and iterations.", "momentum",
                 ("optimal_beta", "optimal_learning_rate", "optimal_rate", "rate_comparison_2g",
                  "iterations_2g", "iterations_from_rest_2g", "transient_growth",
                  "heavy_ball_equivalence", "nonquadratic_cycle")),
        Question("3(a)", r"Show that $\operatorname{argmin}_w E\|\tilde X w - y\|^2$ is ridge "
                 r"regression and give $\lambda$.", "noise",
                 ("expected_objective", "ridge_equivalent_lambda")),
        Question("3(b)", r"The recurrence of $E[w_t]$ for GD on "
                 r"$\frac12(\tilde x_t w - y)^2$ with fresh noise.", "noise",
                 ("expected_update",)),
        Question("3(c)", r"For which $\eta$ does $E[w_t]$ converge?", "noise",
                 ("stability_range",)),
        Question("3(d)", r"The limit of $E[w_t]$, against the noise-free $y/x$.", "noise",
                 ("limit", "shrinkage_factor")),
        Question("4, item 1", r"SGD with momentum, RMSProp and Adam as CS231n "
                 r"\texttt{update(w, dw, config)} rules.",
                 answer=r"Implemented in \texttt{numerics.config\_optim} (momentum $v = \mu v - "
                 r"\mathrm{lr}\, dw$, $w = w + v$ by default as the sheet writes it; "
                 r"\texttt{convention='pytorch'} stores "
                 r"$v = \mu v + dw$ instead; RMSProp decay 0.99, Adam with $t$ incremented before the "
                 r"bias correction) and tested against the optax-shaped optimizers in "
                 r"\texttt{tests/numerics/test\_config\_optim.py}; the curves of item 3 use "
                 r"the core optimizers these adapt (momentum in PyTorch's convention, the same "
                 r"iterates at a constant rate)."),
        Question("4, item 2", r"A five-layer net (hidden $4 \times 100$) overfits 50 training "
                 r"examples with SGD.", figures=("overfit_50",)),
        Question("4, item 3", r"Momentum as a larger effective batch: the batch plain SGD needs "
                 r"for its training accuracy (mean of three seeds) to differ from "
                 r"SGD+momentum's by less than 0.04.", "schedules",
                 ("effective_learning_rate",), figures=("optimizer_curves", "sgd_batch_size")),
        Question("4, item 4", r"A 10-layer net of width 50 initialised with zeros, small "
                 r"normal and He normal: per-layer gradient norms.", "initialization",
                 ("he_variance",), figures=("weight_std", "gradient_norms")),
        Question("4, item 5", r"The best fully connected net (width 200, 10 layers, He, Adam) "
                 r"to at least 45\% validation accuracy on CIFAR-10.", figures=("best_fc",)),
    ),
    (
        Figure("momentum_regimes", "spectral_radius",
               r"Numeric spectral radius of the momentum matrix over $(\eta, \beta)$ and "
               r"$(\eta, \sigma)$, with the derived stability boundary $\eta = (2 - \beta)/"
               r"(\beta\sigma^2)$ (red) and the derived repeated-eigenvalue curves (white).",
               r"The radius crosses 1 on the red line; between the white curves it is flat at "
               r"$\sqrt{1 - \beta}$, the complex regime."),
        Figure("momentum_regimes", "trajectories",
               "Distance to the minimiser in each regime; each legend entry gives the measured "
               "contraction beside the spectral radius the theory predicts.",
               "The measured contractions agree with the spectral radii."),
        Figure("optimizers_fc", "optimizer_curves",
               r"Five hidden ReLU layers of 100: loss per update and training accuracy per "
               r"epoch for SGD, SGD with momentum, RMSProp and Adam (bands: minimum to maximum "
               r"over seeds).",
               "Momentum and Adam pull ahead of plain SGD within the first epoch."),
        Figure("optimizers_fc", "sgd_batch_size",
               r"Plain SGD's final training accuracy against its batch size at an equal number "
               r"of updates, beside momentum's (shaded: accuracies less than 0.04 from it, the "
               r"sheet's criterion) and SGD at the effective "
               r"rate $\mathrm{lr}/(1 - \beta)$.",
               r"Only the tenfold rate catches up: read momentum's gain as a larger step "
               r"$\eta/(1 - \beta)$ rather than as a larger batch."),
        Figure("initialization", "weight_std",
               r"Measured weight standard deviation per layer against the derived He value "
               r"$\sqrt{2/n_{\mathrm{in}}}$ and the fixed $0.01$.",
               "He's deviation stays within one standard error of the sample."),
        Figure("initialization", "gradient_norms",
               "Gradient norm per layer and update for zero, small normal and He "
               "initialisation.",
               r"Zero initialisation gives exactly zero gradients in every hidden layer (all "
               r"units stay identical), $N(0, 0.01^2)$ makes them vanish towards the input, He "
               r"keeps them level, as the variance propagation predicts."),
        Figure("best_fc", "overfit_50",
               r"Training and validation accuracy per epoch of the five-layer net (hidden "
               r"$4\times 100$) trained by SGD on 50 examples.",
               "Training accuracy reaches 100\\% while validation accuracy stays far lower: "
               "the net overfits."),
        Figure("best_fc", "best_fc",
               r"Validation accuracy per epoch of the fully connected net of 10 layers of "
               r"width 200 (He initialisation, Adam), with the 45\% line of the sheet.",
               r"The final validation accuracy is printed in the legend; on the embedded digits "
               r"(10 easy classes) it passes 45\% by far, on CIFAR-10 it is the sheet's test."),
    ),
    cifar_experiments=("best_fc",),
)

BONN = ProblemSet(
    "adaptive-and-initialization", "bonn-ma-inf-2313-assignment4.md",
    "Bonn MA-INF 2313 Assignment 4: adaptive optimizers, unstable gradients, initialization",
    "AdaGrad, RMSProp and Adam by hand on one sigmoid neuron; gradients through sigmoid and "
    "ReLU chains; variance propagation and the initialization rules; the programming "
    "exercises as experiments. " + DATA_NOTE.format(sheet_data="FashionMNIST (2(a)) and "
                                                    "CIFAR-10 (2(b))"),
    (
        Question("1(a)1", r"Partial derivatives of $(\sigma(w_x x + w_y y) - t)^2$ in $w_x$ "
                 r"and $w_y$.", "adaptive", ("loss_gradient",)),
        Question("1(a)2", r"Three iterations of SGD, AdaGrad, RMSProp ($\rho = 0.9$) and Adam "
                 r"from $w = (-1, 1)$ with $\epsilon = 1$, $\delta = 10^{-8}$.", "adaptive",
                 ("sgd_iterates", "adagrad_iterates", "rmsprop_iterates", "adam_iterates",
                  "sign_step")),
        Question("1(b)1", r"$\partial h_n/\partial w_i$ for the chain "
                 r"$h_i = \sigma(w_i h_{i-1})$, $i = 1, \dots, n$.", "vanishing",
                 ("chain_derivative", "chain_derivative_first_weight",
                  "chain_derivative_first_weight_weighted")),
        Question("1(b)2", r"The largest gradient for the sigmoid with $|w_i| < 1$, and for "
                 r"ReLU.", "vanishing",
                 ("sigmoid_derivative_max", "sigmoid_gradient_bound", "relu_gradient_bound")),
        Question("1(b)3", r"Show $\operatorname{Var}(\hat X\hat Y) = \operatorname{Var}(\hat X)"
                 r"\operatorname{Var}(\hat Y)$ for independent zero-mean factors, and for $n$.",
                 "initialization", ("product_variance",)),
        Question("1(b)4", r"Show $\operatorname{Var}(h^{(i)}_j) = n_i \operatorname{Var}(W^{(i)})"
                 r"\operatorname{Var}(X)$.", "initialization", ("layer_variance",)),
        Question("1(b)5", r"The weight variance that keeps the forward variance constant.",
                 "initialization", ("forward_condition",)),
        Question("1(b)6", r"The weight variance that keeps the backward variance constant.",
                 "initialization", ("backward_condition", "xavier_variance")),
        Question("2(a)1", r"Sigmoid nets (50,), (50, 30), (50, 30, 30), (50, 30, 30, 30) by SGD "
                 r"at $\eta = 0.005$: per-layer gradient norms and test accuracy.",
                 figures=("test_accuracy", "gradient_norms"),
                 answer=r"The sheet lists (50, 30, 30) twice; the fourth net is read as "
                 r"(50, 30, 30, 30), one layer deeper, continuing the sequence. The norms of "
                 r"the last batch ``each iteration'' are recorded once per epoch."),
        Question("2(a)2", "Plot the test accuracy of the four configurations and the gradient "
                 "norms per layer over the epochs.", figures=("test_accuracy", "gradient_norms")),
        Question("2(a)3", "The same with ReLU: what do you observe?",
                 figures=("decay_against_bound",),
                 answer=r"The sigmoid nets' lower layers receive orders of magnitude less "
                 r"gradient, a further factor with each layer down (1(b)2's $1/4$ per layer "
                 r"bounds a scalar chain's factor from above; the measured factors in the "
                 r"figure are of that order, not equal to it); the ReLU nets' "
                 r"norms fall far less from layer to layer, as ReLU's derivative is 1 where it "
                 r"is active: only the weights shrink them."),
        Question("2(a)4", "Xavier-normal initialisation on the deepest sigmoid net.",
                 "initialization", ("xavier_variance",), figures=("test_accuracy",)),
        Question("2(a)5", r"PyTorch's default initialisation, and whether tuning its parameters "
                 r"helps.", "initialization", ("pytorch_linear_default", "uniform_bound"),
                 answer=r"\texttt{nn.Linear} draws $U(-b, b)$ with $b = 1/\sqrt{n_{\mathrm{in}}}$ "
                 r"(\texttt{kaiming\_uniform\_} with $a = \sqrt 5$), variance "
                 r"$1/(3 n_{\mathrm{in}})$: a third of the forward condition of 1(b)5. Setting "
                 r"$a = 1$ gives $b = \sqrt{3/n_{\mathrm{in}}}$, variance "
                 r"$1/n_{\mathrm{in}}$, the forward condition. Its biases are drawn from the "
                 r"same $U(-1/\sqrt{n_{\mathrm{in}}}, 1/\sqrt{n_{\mathrm{in}}})$. The hatched "
                 r"bars of the test accuracy figure run the deepest net with $a = 1$ (biases "
                 r"left at the default) beside the default and Xavier, which answers whether "
                 r"it helps.", figures=("test_accuracy", "gradient_norms")),
        Question("2(b)1", r"Adam (default settings) in place of SGD on the last sheet's network, "
                 r"50 epochs: test accuracy.", figures=("adam_against_sgd",)),
        Question("2(b)2", "How much did Adam improve on SGD?", figures=("adam_against_sgd",)),
        Question("2(b)3", r"Grid search of Adam's rate $10^{-k}$, $k = 1, \dots, 5$, by final "
                 r"training accuracy.", figures=("adam_rate_search",)),
        Question("2(b)4", r"Random search: five $k \sim U[1, 5]$, against the grid.",
                 figures=("adam_rate_search",)),
    ),
    (
        Figure("vanishing_gradients", "test_accuracy",
               r"Test accuracy of sigmoid and ReLU nets of depth 1 to 4 trained by SGD at "
               r"$0.005$ from PyTorch's default initialisation (weights and biases "
               r"$U(-1/\sqrt{n_{\mathrm{in}}}, 1/\sqrt{n_{\mathrm{in}}})$); hatched, beside "
               r"each deepest net: the same net with Xavier-normal weights and with the "
               r"default's $a = 1$ (weight variance $1/n_{\mathrm{in}}$), biases left at the "
               r"default.",
               r"On the deepest ReLU net $a = 1$, like Xavier, lifts the test accuracy far "
               r"above the default's; the deepest sigmoid net stays at chance after 20 epochs "
               r"at $0.005$ with every initialisation, although $a = 1$ and Xavier let more "
               r"gradient reach its first layers."),
        Figure("vanishing_gradients", "gradient_norms",
               "Per-layer gradient norms of the last batch per epoch, one panel per "
               "configuration (PyTorch's default weights and biases; the deepest net also "
               "with Xavier-normal and with $a = 1$).",
               "The sigmoid nets' first layers receive orders of magnitude less gradient."),
        Figure("vanishing_gradients", "decay_against_bound",
               r"Each layer's gradient norm over the output layer's, against the number of "
               r"layers below the output: sigmoid nets beside the derived factor $(1/4)^k$ "
               r"from $\max \sigma' = 1/4$, ReLU nets beside the flat line the ReLU bound "
               r"allows."),
        Figure("adam_search", "adam_against_sgd",
               r"The last sheet's network (assumed: the deepest sigmoid net of 2(a), the "
               r"last sheet is not held) trained by SGD at $0.005$ and by Adam with PyTorch's "
               r"defaults ($10^{-3}$, $\beta = (0.9, 0.999)$): test accuracy per epoch; the "
               r"legend gives the final accuracies.",
               "Adam's test accuracy rises much faster than SGD's and ends higher."),
        Figure("adam_search", "adam_rate_search",
               r"Adam's final training accuracy against its learning rate (log scale): the "
               r"grid $10^{-k}$, $k = 1, \dots, 5$, and five rates with $k$ uniform in "
               r"$[1, 5]$; beside it the training loss of every run.",
               "The random search can land between grid points."),
    ),
    cifar_experiments=("adam_search",),
)

GATECH = ProblemSet(
    "convexity-and-autodiff", "gatech-cs7643-ps1.md",
    "Georgia Tech CS7643 Problem Set 1: gradient descent, automatic differentiation",
    r"Gradient descent as a proximal step; the $O(1/\sqrt T)$ rate; single-sample SGD need "
    r"not descend; Jacobians by finite differences, forward and reverse mode.",
    (
        Question("1", r"Minimise the linearisation plus $\frac{\lambda}{2}\|w - w^{(t)}\|^2$; "
                 r"relate $\lambda$ to $\eta$.", "gd", ("proximal_step", "proximal_learning_rate")),
        Question("2", r"Show $\sum_t \langle w^{(t)} - w^*, v_t\rangle \le \|w^*\|^2/(2\eta) + "
                 r"\frac{\eta}{2}\sum_t \|v_t\|^2$ from $w^{(1)} = 0$.", "convex",
                 ("three_point_identity", "regret_bound")),
        Question("3", r"Bound $f(\bar w) - f(w^*)$ and show the $O(1/\sqrt T)$ rate for "
                 r"$\eta = \sqrt{B^2/(\rho^2 T)}$.", "convex",
                 ("average_iterate_bound", "optimal_fixed_learning_rate", "rate")),
        Question("4", r"Is SGD on $f_1 + f_2$ (the two logistic terms) guaranteed to decrease "
                 r"$f$ at every step?", "logistic", ("sgd_not_monotone",),
                 answer=r"No: from the minimiser of $f$, where the full gradient is 0, a "
                 r"step on one term moves along that term's nonzero gradient and raises $f$, "
                 r"as the counterexample computes."),
        Question("5(a)", r"Draw the computation graph of $(f_1, f_2)$; its value at $w = (1, -1)$.",
                 "autodiff", ("graph", "value"), drawing="autodiff"),
        Question("5(b)", r"The Jacobian at $w$ by finite differences with $\Delta w = 0.01$.",
                 "autodiff", ("jacobian", "jacobian_finite_difference",
                              "jacobian_finite_difference_error", "jacobian_central_difference"),
                 answer=r"The sheet says ``numerical differentiation'' without a scheme: "
                 r"forward differences are the reading used, central differences the other."),
        Question("5(c)", "The Jacobian by forward-mode automatic differentiation.", "autodiff",
                 ("jacobian_forward_mode",)),
        Question("5(d)", "The Jacobian by reverse-mode automatic differentiation.", "autodiff",
                 ("jacobian_reverse_mode",)),
        Question("5(e)", "Don't you love that software exists to do this for us?",
                 not_answered="a rhetorical question with no mathematical content."),
        Question("6", "Paper review (Weight Agnostic Neural Networks): main contribution, "
                 "strengths and weaknesses.",
                 not_answered="a paper review is the student's own reading and opinion; "
                 "there is nothing to derive or compute."),
        Question("7", "Paper review: your personal takeaway.",
                 not_answered="a personal takeaway is the student's own opinion."),
        Question("8", "Implement and train a softmax classifier, MLPs and ConvNets on CIFAR-10.",
                 not_answered="the assignment's instructions are behind a link that is not "
                 "part of the sheet; the training core (\\texttt{numerics.nn}, "
                 "\\texttt{numerics.train}) implements such layers but no graded task is known."),
    ),
)

TORONTO = ProblemSet(
    "implicit-bias-and-hypergradients", "toronto-csc413-hw2.md",
    "Toronto CSC413 Homework 2: implicit bias, hyper-gradients, weight decay, convolutions",
    r"Which solution SGD and adaptive methods find on $\frac1n\|X\hat w - t\|_2^2$; the "
    r"learning rate as a variable; L2 penalty against decoupled weight decay; convolution "
    r"sizes and receptive fields.",
    (
        Question("1.1.1", r"Show that mini-batch SGD from $w_0 = 0$ (with $d > n$) finds the "
                 r"minimum-norm solution.", "implicit_bias",
                 ("minimum_norm_solution", "sgd_row_span"), figures=("distance_to_minimum_norm",)),
        Question("1.2.1", r"Does RMSProp always find the minimum-norm solution? (Example "
                 r"$x_1 = [2, 1]$, $t = 2$.)", "implicit_bias", ("rmsprop_counterexample",)),
        Question("1.2.2", r"Does this hold for AdaGrad and Adam; why might per-dimension rates "
                 r"be desirable?",
                 answer=r"No: on the example of 1.2.1 the gradient is $c_t x_1$, the same "
                 r"multiple $c_t$ of both coordinates of $x_1 = [2, 1]$, and AdaGrad, Adam and "
                 r"RMSProp divide coordinate $i$ by the root of a weighted sum of the "
                 r"$c_s^2 x_{1,i}^2$, so every step moves both coordinates by the same amount "
                 r"(up to the small constant beside the root; the first step by $\eta$ for AdaGrad "
                 r"and bias-corrected Adam, by $\eta/\sqrt{1-\beta}$ for RMSProp as in 1.2.1). "
                 r"From 0 they stay on the diagonal, which leaves the row span of $X$, so none "
                 r"reaches the minimum-norm point $(4/5, 2/5)$; where they converge it is to "
                 r"$(2/3, 2/3)$, the diagonal's point among the solutions (the figure of 1.1.1 "
                 r"shows all three). Per-dimension rates equalise the progress of badly scaled "
                 r"coordinates, which helps on ill-conditioned problems."),
        Question("2.1.1", r"Draw the computation graph of two GD steps ending in "
                 r"$\tilde{\mathcal L}_2$.", "hypergradient", ("computation_graph",),
                 drawing="hypergradient"),
        Question("2.1.2", r"Memory of forward propagation and of back-propagation for "
                 r"$\nabla_\eta \tilde{\mathcal L}_t$ after $t$ steps.", "hypergradient",
                 ("memory_forward", "memory_backprop")),
        Question("2.1.3", "One problem of gradient-based hyper-parameter optimisation when "
                 "training takes many iterations.", "hypergradient", ("long_horizon_problem",)),
        Question("2.2.1", r"$w_1$ in terms of $w_0, \eta, t, X$, and $\mathcal L_1$ as a "
                 r"function of $\eta$.", "hypergradient", ("one_step_weights", "one_step_loss")),
        Question("2.2.2", r"Is $\mathcal L_1$ convex in $\eta$?", "hypergradient",
                 ("one_step_loss_convexity",)),
        Question("2.2.3", r"$d\mathcal L_1/d\eta$ and the optimal $\eta^*$.", "hypergradient",
                 ("optimal_learning_rate",)),
        Question("2.3.1", r"$w_1$ under the L2 penalty $\tilde\lambda\|w\|^2$ and under weight "
                 r"decay $\lambda$.", "weight_decay", ("l2_update", "decay_update")),
        Question("2.3.2", r"Which $\tilde\lambda$ makes the penalty equivalent to decay "
                 r"$\lambda$?", "weight_decay",
                 ("equivalent_penalty", "equivalent_penalty_half_convention")),
        Question("2.3.3", "How L2 regularisation differs from weight decay under adaptive "
                 "methods.", "weight_decay", ("adaptive_mismatch",)),
        Question("3.1", r"$I * J$ with zero padding (same size), and what the filter detects.",
                 "convolution", ("output", "output_cross_correlation")),
        Question("3.2", "Neurons and trainable parameters of the CNN and of its fully "
                 "connected twin; one disadvantage of more parameters.", "convolution",
                 ("neuron_count", "parameter_count")),
        Question("3.3", r"Receptive field after the second convolution with $5\times 5$ "
                 r"filters; two other things that change it.", "convolution",
                 ("receptive_field_5x5", "receptive_field", "output_size"),
                 answer=r"Besides the kernel size: the stride of convolutions and pooling, the "
                 r"pooling window, dilation, and the number of layers."),
    ),
    (
        Figure("implicit_bias", "distance_to_minimum_norm",
               r"Left: distance to the minimum-norm solution on random over-parameterised "
               r"problems from $w_0 = 0$. Right: the example $x_1 = [2, 1]$, $t = 2$ with the "
               r"derived minimum-norm point $(4/5, 2/5)$ (star) and the derived RMSProp limit "
               r"(cross).",
               r"Only SGD's distance goes to zero, as the row-span argument predicts, though "
               r"every method interpolates; SGD ends at the star, the adaptive methods at the "
               r"cross on the diagonal."),
    ),
)

PENN = ProblemSet(
    "logistic-regression-and-schedules", "penn-ese546-hw4.md",
    "Penn ESE546 Homework 4: logistic regression, Nesterov, learning-rate schedules",
    r"Regularised logistic regression on MNIST zeros and ones: Hessian, strong convexity, GD "
    r"against Nesterov and SGD; the loss at initialisation, the learning-rate finder and "
    r"warm-up with cosine annealing. " + DATA_NOTE.format(sheet_data="MNIST (1) and "
                                                          "CIFAR-10 with All-CNN (2)"),
    (
        Question("1(a)", "Prepare the data: classes zero and one of MNIST, images "
                 r"$14\times 14$.", figures=("semilog_slopes",),
                 answer=r"The experiment keeps the two classes ($y = 1$ for zero, $y = -1$ "
                 r"for one) and subsamples the images; its caption names the data used."),
        Question("1(b)", r"GD on (1): the semi-log training loss, its slope against "
                 r"$-\kappa^{-1}$.", "logistic",
                 ("gd_rate", "semilog_slopes", "quadratic_semilog_slopes"),
                 figures=("semilog_slopes",),
                 answer=r"The figure plots the gap $f - f^*$ where the sheet says the training "
                 r"loss: with $\lambda > 0$ the minimum $f^*$ is positive, so $\log f$ levels "
                 r"off at $\log f^*$ and only the gap falls on a line, the line the sheet "
                 r"describes."),
        Question("1(c)", "The Hessian of (1); is it strongly convex, with which best "
                 "constant?", "logistic",
                 ("gradient", "hessian", "strong_convexity", "smoothness_bound"),
                 answer=r"Yes, for every $\lambda > 0$ and every data set: the Hessian is at "
                 r"least $\lambda I$, and no larger constant holds for every data set."),
        Question("1(d)", r"Nesterov's acceleration: the momentum for $\kappa = L/m$, $L$ "
                 r"as a hyper-parameter, and the slope.", "logistic",
                 ("nesterov_momentum", "nesterov_rate"), figures=("nesterov_L_sweep",),
                 answer=r"The sheet sets $m$ to ``the solution of part (b)'': the best "
                 r"strong-convexity constant, found in part (c), is the $\lambda$ picked in "
                 r"part (b), so either reading gives $m = \lambda$."),
        Question("1(e)", r"SGD (batch 128) with and without Nesterov against GD with "
                 r"Nesterov.", figures=("three_curves",)),
        Question("2(a)", "Why the cross-entropy starts near 2.3 for 10 classes.", "logistic",
                 ("cross_entropy_at_init",)),
        Question("2(b)", r"The learning-rate finder from $10^{-5}$, $\times 1.1$ per batch: "
                 r"loss against rate, and $\eta^*$.", "schedules", ("lr_finder_steps",),
                 figures=("lr_finder",)),
        Question("2(c)", r"Warm-up with cosine annealing at $\eta_{\max} = \eta^*/10$: rate, "
                 r"losses and errors per update.", "schedules",
                 ("cosine_warmup", "warmup_boundary_jump"), figures=("schedule_training",),
                 answer=r"The sheet says to train ``for 100 epochs as we had calculated "
                 r"above'', but its calculation, $T = 50 \times 391 = 19{,}550$, is 50 epochs; "
                 r"the key follows the calculation ($T = 19{,}550$, $T_0 = 3{,}910$). Read as "
                 r"100 epochs: $T = 39{,}100$, $T_0 = 7{,}820$."),
        Question("2(d)", r"$(\eta_{\max}, 0.9)$, $(5\eta_{\max}, 0.5)$, $(\eta_{\max}, 0.5)$: "
                 r"is the validation error set by $\eta_{\max}/(1 - \rho)$?", "schedules",
                 ("effective_learning_rate", "interchangeable_pairs"),
                 figures=("effective_rate_table",)),
    ),
    (
        Figure("logistic_mnist", "semilog_slopes",
               r"$f - f^*$ on a log scale for GD and Nesterov with step $1/L$ from the same "
               r"random start ($U(-1/\sqrt d, 1/\sqrt d)$, \texttt{nn.Linear}'s default, "
               r"seeded), with fitted slopes beside the slopes the derived rates give: "
               r"$\log(1 - 1/\kappa)$, GD's per-step bound, and $\log(1 - 1/\sqrt\kappa)$, "
               r"Nesterov's asymptotic rate, $\kappa = L/\lambda$.",
               r"Each method falls at least as steeply as its rate's slope (the curvature at "
               r"the optimum exceeds $\lambda$); Nesterov is far steeper than GD."),
        Figure("logistic_mnist", "nesterov_L_sweep",
               r"Nesterov with $L$ a hyper-parameter (multiples of the smoothness bound), each "
               r"with the momentum $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ it implies and its "
               r"derived slope.", "Too small an $L$ oscillates."),
        Figure("logistic_mnist", "three_curves",
               "GD, Nesterov, and mini-batch SGD (batch 128) with and without Nesterov, all "
               "from the same random start, against "
               "updates and epochs.",
               "(iii) SGD with Nesterov falls faster than (ii) plain SGD at first, then both "
               "stall at the same noise floor of the mini-batch gradients, so (iii) is faster "
               "only early on; (i) GD with Nesterov keeps its linear rate far below that floor, "
               "where (ii) stalls."),
        Figure("lr_finder_cosine", "lr_finder",
               r"Learning-rate finder: loss against the rate, growing $\times 1.1$ per "
               r"mini-batch from $10^{-5}$, with $\eta^*$ and $\eta_{\max} = \eta^*/10$ marked."),
        Figure("lr_finder_cosine", "schedule_training",
               r"The rate used at every update on the derived warm-up and cosine curve "
               r"($T_0 = T/5$), with training and validation loss and error."),
        Figure("lr_finder_cosine", "effective_rate_table",
               r"Validation error for $(\eta_{\max}, 0.9)$, $(5\eta_{\max}, 0.5)$ and "
               r"$(\eta_{\max}, 0.5)$.",
               r"The first two share $\eta/(1 - \rho)$ and end alike; the third has a five "
               r"times smaller effective rate."),
    ),
)

PROBLEM_SETS = (CS182, BONN, GATECH, TORONTO, PENN)


def by_name(name: str) -> ProblemSet:
    """The problem set called ``name``; an unknown name raises ``ValueError`` listing them.

    Examples
    --------
    >>> by_name("learning-rates-and-momentum").sheet
    'berkeley-cs182-hw2.md'
    """
    for problem_set in PROBLEM_SETS:
        if problem_set.name == name:
            return problem_set
    raise ValueError(f"problem set == {name!r} does not exist; choose from "
                     f"{', '.join(p.name for p in PROBLEM_SETS)} or all")
