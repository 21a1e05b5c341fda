"""Learning-rate schedules and rules of thumb: warm-up + cosine, the LR finder, momentum.

Model: the schedule ``eta(t) = 1e-4 + (t/T_0) eta_max`` for ``t <= T_0`` and
``eta_max cos(pi/2 (t - T_0)/(T - T_0)) + 1e-6`` for ``T_0 <= t <= T``, with
``T_0 = T/5`` (the problem set's ``T = 50 * 391``: 50 epochs of 391 minibatches);
the learning-rate finder multiplying the rate by ``1.1`` per minibatch from ``1e-5``;
momentum ``b_k = rho b_{k-1} + g``, ``w_{k+1} = w_k - eta b_k``.
"""
from __future__ import annotations

import sympy as sp

from .cli import main
from .core import POSITIVE, Derivation, Parameter, Result, Step, derivation, equation, linear_root

t = sp.Symbol("t", nonnegative=True)
T = sp.Symbol("T", positive=True)
T_0 = sp.Symbol("T_0", positive=True)
WARMUP_END = {T_0: T / 5}  # the sheet's warm-up: the first 10 of 50 epochs
eta_max = sp.Symbol("eta_max", positive=True)
eta_target = sp.Symbol("eta_target", positive=True)
eta = sp.Symbol("eta", positive=True)
rho = sp.Symbol("rho", nonnegative=True)
eta_2, rho_2 = sp.Symbol("eta_2", positive=True), sp.Symbol("rho_2", nonnegative=True)
g = sp.Symbol("g", real=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
j = sp.Symbol("j", integer=True, nonnegative=True)

WARMUP_FLOOR = sp.Rational(1, 10**4)
COSINE_FLOOR = sp.Rational(1, 10**6)
FINDER_START = sp.Rational(1, 10**5)
FINDER_FACTOR = sp.Rational(11, 10)
EPOCHS, BATCHES = 50, 391
PARAMETERS = (
    Parameter(eta_max, "peak learning rate of the schedule", POSITIVE),
    Parameter(T, "total number of steps (50 * 391 in the problem set)", POSITIVE),
    Parameter(eta_target, "learning rate the finder must reach", POSITIVE),
    Parameter(eta, "learning rate with momentum", POSITIVE),
    Parameter(rho, "momentum coefficient", sp.Interval.Ropen(0, 1)),
)
NOTATION = {"t": "the step", "T_0": "end of the warm-up", "k": "number of finder steps",
            "g": "a constant gradient", "k_min": "the finder steps needed", "b_k": "momentum buffer after k steps",
            "eta_2": "learning rate of a second setting", "rho_2": "its momentum"}


def warmup_cosine():
    """The schedule as a Piecewise in ``t``, ``T_0 = T/5`` substituted; with its steps.

    Examples
    --------
    >>> warmup_cosine()[0].subs({t: 0})
    1/10000
    """
    warmup = WARMUP_FLOOR + t / T_0 * eta_max
    cosine = eta_max * sp.cos(sp.pi / 2 * (t - T_0) / (T - T_0)) + COSINE_FLOOR
    general = sp.Piecewise((warmup, t <= T_0), (cosine, t <= T))
    schedule = general.xreplace(WARMUP_END)     # symbols by values: xreplace
    at_problem = schedule.xreplace({T: sp.Integer(EPOCHS * BATCHES)})
    steps = (
        Step("the two pieces: linear warm-up, then a quarter cosine",
             equation(sp.Function("eta")(t), general)),
        Step("with T_0 = T/5", equation(sp.Function("eta")(t), schedule)),
        Step(f"the problem set's T = {EPOCHS} epochs x {BATCHES} minibatches",
             sp.Tuple(equation(T, EPOCHS * BATCHES), equation(T_0, sp.Integer(EPOCHS * BATCHES) / 5))),
        Step("so", equation(sp.Function("eta")(t), at_problem)),
        Step("the landmarks eta(0), eta(T_0), eta(T)",
             sp.Tuple(*(schedule.subs(t, v) for v in (0, WARMUP_END[T_0], T)))),
    )
    return schedule, steps


def boundary_jump(schedule):
    """Both branches claim ``t = T_0``; the warm-up value there minus the cosine's.

    Examples
    --------
    >>> boundary_jump(warmup_cosine()[0])[0]
    99/1000000
    """
    (warmup, warmup_holds), (cosine, cosine_holds) = schedule.args
    boundary = WARMUP_END[T_0]
    claims = sp.Tuple(warmup_holds.subs(t, boundary), cosine_holds.subs(t, boundary))
    if claims != sp.Tuple(sp.true, sp.true):
        raise ArithmeticError(f"the branches do not both hold at T_0: {claims}")
    left, right = warmup.subs(t, boundary), cosine.subs(t, boundary)
    jump = sp.simplify(left - right)
    steps = (
        Step("at t = T_0 = T/5 both of the sheet's conditions, t <= T_0 and T_0 <= t <= T, hold "
             "(the Piecewise takes the warm-up)",
             sp.Tuple(sp.Le(boundary, boundary, evaluate=False),
                      sp.And(sp.Le(boundary, boundary, evaluate=False),
                             sp.Le(boundary, T, evaluate=False), evaluate=False))),
        Step("the warm-up branch there", equation(sp.Function("eta_warmup")(sp.Symbol("T_0")), left)),
        Step("the cosine branch there", equation(sp.Function("eta_cosine")(sp.Symbol("T_0")), right)),
        Step("the difference, independent of eta_max and T: the 1e-4 and 1e-6 offsets",
             jump),
    )
    return jump, steps


def finder_steps():
    """Smallest ``k`` with ``1e-5 * 1.1^k >= eta_target``, by exact logarithms.

    SymPy decides the ceiling exactly, also where the target is a power reached exactly.

    Examples
    --------
    >>> count = finder_steps()[0]
    >>> count.subs(eta_target, sp.Rational(1, 10)), count.subs(eta_target, sp.Rational(1331, 10**8))
    (97, 3)
    """
    reached = FINDER_START * FINDER_FACTOR**k
    in_logs = sp.expand_log(sp.log(reached), force=True)
    slope, offset = sp.Poly(in_logs - sp.log(eta_target), k).all_coeffs()   # linear in k
    boundary = sp.together(-offset / slope)
    count = sp.ceiling(boundary)
    steps = (
        Step("after k steps the finder's rate is", equation(sp.Symbol("eta_k"), reached)),
        Step("it reaches the target when", sp.GreaterThan(reached, eta_target, evaluate=False)),
        Step("log is increasing: take logarithms", sp.GreaterThan(in_logs, sp.log(eta_target),
                                                                  evaluate=False)),
        Step("linear in k, increasing since log(11/10) > 0; equality at", equation(k, boundary)),
        Step("the first whole step at or past it", equation(sp.Symbol("k_min"), count)),
        Step("e.g. to 0.1 and to 1", sp.Tuple(*(count.subs(eta_target, v)
                                                 for v in (sp.Rational(1, 10), 1)))),
    )
    return count, steps


def momentum_sum():
    """The momentum buffer for a constant gradient: partial and infinite geometric sums.

    Examples
    --------
    >>> momentum_sum()[0]
    eta/(1 - rho)
    """
    buffer = sp.Sum(rho**j * g, (j, 0, k - 1))
    geometric = sp.summation(rho**j, (j, 0, k - 1)).args[1][0]     # the branch rho != 1
    partial = sp.factor(geometric) * g
    condition = sp.Lt(sp.Abs(rho), 1)     # where the geometric series converges: rho^k -> 0
    limit = geometric.subs(rho**k, 0)
    if limit.has(k):
        raise ArithmeticError(f"the partial sum {geometric} has no limit free of k")
    effective = eta * limit
    steps = (
        Step("unroll b_k = rho b_{k-1} + g from b_0 = 0 for a constant gradient",
             equation(sp.Symbol("b_k"), buffer)),
        Step("the geometric sum (rho != 1)", equation(sp.Symbol("b_k"), partial)),
        Step(f"as k -> oo, for {condition}", equation(sp.Limit(sp.Symbol("b_k"), k, sp.oo),
                                                  limit * g)),
        Step("so each step approaches eta b = eta g/(1 - rho): the effective learning rate",
             equation(sp.Symbol("eta_eff"), effective)),
    )
    return effective, steps


def interchangeable(effective):
    """The rate ``eta_2`` at momentum ``rho_2`` with the same effective rate; (0.9 vs 0.5).

    Examples
    --------
    >>> interchangeable(momentum_sum()[0])[0]
    ((eta, 9/10), (5*eta, 1/2))
    """
    same = equation(effective.subs({eta: eta_2, rho: rho_2}), effective)
    general = linear_root(same, eta_2)
    pair = {rho: sp.Rational(9, 10), rho_2: sp.S.Half}
    partner = sp.factor(general.subs(pair))
    pairs = sp.Tuple(sp.Tuple(eta, pair[rho]), sp.Tuple(partner, pair[rho_2]))
    steps = (
        Step("equal effective rates", same),
        Step("solve for eta_2", equation(eta_2, general)),
        Step("from rho = 0.9 to rho_2 = 0.5", equation(eta_2, partner)),
        Step("both have effective rate", effective.subs(rho, pair[rho])),
        Step("this matches only the steady step under a constant gradient; the transient "
             "(about 1/(1 - rho) steps) and the response to changing gradients differ, so "
             "validation error need not be equal", sp.Tuple(1 / (1 - pair[rho]),
                                                          1 / (1 - pair[rho_2]))),
    )
    return pairs, steps


@derivation
def derive() -> Derivation:
    """Learning-rate schedules: warm-up + cosine, its jump, the LR finder, effective rates.

    Examples
    --------
    >>> derive()["warmup_boundary_jump"].value
    99/1000000
    >>> derive(eta_target="0.1")["lr_finder_steps"].value
    97
    """
    schedule, schedule_steps = warmup_cosine()
    jump, jump_steps = boundary_jump(schedule)
    count, count_steps = finder_steps()
    effective, effective_steps = momentum_sum()
    pairs, pair_steps = interchangeable(effective)
    return Derivation(
        "schedules", "Learning-rate schedules and rules of thumb",
        (Result("cosine_warmup", "Linear warm-up to eta_max over T_0 = T/5 steps, then a "
                "quarter cosine down to 1e-6 at T.", schedule, schedule_steps,
                lhs=sp.Function("eta")(t), assumptions=(sp.LessThan(t, T),)),
         Result("warmup_boundary_jump", "Both pieces claim t = T_0 and disagree there by "
                "this much (the warm-up value minus the cosine's).", jump, jump_steps,
                lhs=sp.Function("eta_warmup")(sp.Symbol("T_0")) - sp.Function("eta_cosine")(sp.Symbol("T_0"))),
         Result("lr_finder_steps", "Multiplicative steps (x1.1 from 1e-5) until the rate "
                "reaches eta_target.", count, count_steps, lhs=sp.Symbol("k_min")),
         Result("effective_learning_rate", "With momentum rho a constant gradient's step "
                "tends to eta g/(1 - rho): the effective rate.", effective, effective_steps,
                lhs=sp.Symbol("eta_eff"), assumptions=(sp.StrictLessThan(rho, 1),)),
         Result("interchangeable_pairs", "(eta, rho) pairs with one effective rate: (eta, 0.9) "
                "and (5 eta, 0.5).", pairs, pair_steps, lhs=sp.Symbol("(eta, rho)"))),
        PARAMETERS, notation=NOTATION,
        aliases={name: WARMUP_END[T_0] for name in ("T_0", "T_{0}")})  # as the sheet names it


if __name__ == "__main__":
    raise SystemExit(main(derive))
