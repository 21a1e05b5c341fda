"""adaptive: the derived tables of iterations against numerics.optim's textbook optimizers."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from derivations import adaptive as theory
from numerics.autodiff import reverse_jacobian, sigmoid
from numerics.optim import adagrad, adam, apply_updates, rmsprop, sgd


def loss_gradient(w, x, y, t):
    """The neuron's gradient by reverse mode: independent of the SymPy derivation."""
    def loss(wx, wy):
        residual = sigmoid(wx * x + wy * y) - t
        return residual * residual
    return reverse_jacobian(loss, list(w))[0]


ACCUMULATORS = {  # the table's rows between the gradient and the step, from the state
    "SGD": lambda state, k, s: [],
    "AdaGrad": lambda state, k, s: [state.sum_of_squares],
    "RMSProp": lambda state, k, s: [state.square_avg],
    "Adam": lambda state, k, s: [state.exp_avg, state.exp_avg_sq,
                                 state.exp_avg / (1 - s["rho_1"] ** k),
                                 state.exp_avg_sq / (1 - s["rho_2"] ** k)],
}


def simulated_table(name, s):
    """The rows of the derived table, from the optimizer's updates and state."""
    eps, delta = s["epsilon"], s["delta"]
    optimizer = {"SGD": sgd(eps),
                 "AdaGrad": adagrad(eps, eps=delta, eps_placement="outside"),
                 "RMSProp": rmsprop(eps, alpha=s["rho"], eps=delta, eps_placement="inside"),
                 "Adam": adam(eps, betas=(s["rho_1"], s["rho_2"]), eps=delta)}[name]
    w = np.array([s["w_x0"], s["w_y0"]])
    state = optimizer.init(w)
    columns = []
    for k in range(1, theory.ITERATIONS + 1):
        g = loss_gradient(w, s["x"], s["y"], s["t"])
        updates, state = optimizer.update(g, state, w)
        w = apply_updates(w, updates)
        accumulators = ACCUMULATORS[name](state, k, s)
        columns.append(np.concatenate([g, *accumulators, updates, w]))
    return np.array(columns).T


fractions = lambda low, high: st.fractions(low, high, max_denominator=20)
settings_strategy = st.fixed_dictionaries({
    "x": fractions(-2, 2), "y": fractions(-2, 2), "t": fractions(0, 1),
    "w_x0": fractions(-2, 2), "w_y0": fractions(-2, 2), "epsilon": fractions(Fraction(1, 20), 2),
    "delta": st.sampled_from([Fraction(1, 10**8), Fraction(1, 10**4), Fraction(1, 10)]),
    "rho": fractions(0, Fraction(19, 20)), "rho_1": fractions(0, Fraction(19, 20)),
    "rho_2": st.sampled_from([Fraction(999, 1000), Fraction(9, 10), Fraction(1, 2)])})


def check(derived, s):
    for name in theory.RULES:
        table = np.array(derived[f"{name.lower()}_iterates"].value.evalf(), dtype=float)
        simulated = simulated_table(name, {key: float(v) for key, v in s.items()})
        np.testing.assert_allclose(table, simulated, rtol=1e-12, atol=1e-12, err_msg=name)


def test_problem_set_tables_agree_with_the_optimizers():
    check(theory.derive(), {p.name: theory.DEFAULTS[p.symbol] for p in theory.PARAMETERS})


@given(s=settings_strategy)
def test_tables_agree_for_any_settings(s):
    check(theory.derive(**{key: f"{v.numerator}/{v.denominator}" for key, v in s.items()}), s)


SIGN_STEP = theory.derive()["sign_step"].value


@given(g=st.floats(1e-3, 10.0) | st.floats(-10.0, -1e-3),
       delta=st.sampled_from([1e-8, 1e-6, 1e-3]), eps=st.floats(0.1, 2.0))
def test_first_adagrad_and_adam_steps_are_sign_steps(g, delta, eps):
    first = {opt: opt_factory.update(np.array([g]), opt_factory.init(np.zeros(1)))[0][0]
             for opt, opt_factory in {"adagrad": adagrad(eps, eps=delta),
                                      "adam": adam(eps, eps=delta)}.items()}
    limit = float(SIGN_STEP.subs({theory.epsilon: eps, theory.g: g}))
    for step in first.values():
        assert abs(step - limit) == pytest.approx(eps * delta / (abs(g) + delta), rel=1e-5)
        assert np.sign(step) == -np.sign(g)
