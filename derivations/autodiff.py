"""Computation graphs and Jacobians: finite differences, forward mode and reverse mode.

Models: ``f(x, y) = (x + y)(y + 1)`` with ``a = x + y``, ``b = y + 1``; and
``f_1(w) = exp(exp(w_1) + exp(2 w_2)) + s(exp(w_1) + exp(2 w_2))``,
``f_2(w) = w_1 w_2 + max(w_1, w_2)`` at ``w = (1, -1)``, ``s`` the sigmoid.
Each function is cut into intermediate variables, one per operation; forward mode
pushes tangents through them in order, reverse mode pulls adjoints back.
``max`` is differentiated along its active branch: at ``w = (1, -1)``,
``max(w_1, w_2) = w_1``, so its partials are ``Heaviside(w_1 - w_2) = 1`` and ``0``.
"""
from __future__ import annotations

import itertools

import sympy as sp

from .cli import main
from .core import Derivation, Result, Step, derivation, equation
from .graph import ComputationGraph
from .logistic import sigmoid

x, y = sp.symbols("x y", real=True)
w_1, w_2 = sp.symbols("w_1 w_2", real=True)
u = sp.Symbol("u", real=True)
s = sp.Function("s")
SIGMOID = sp.Lambda(u, sigmoid(u))
POINT = {w_1: sp.Integer(1), w_2: sp.Integer(-1)}
FIRST_POINT = {x: sp.Integer(1), y: sp.Integer(-1)}
DELTA = sp.Rational(1, 100)

f = (x + y) * (y + 1)
F = {"f_1": sp.exp(sp.exp(w_1) + sp.exp(2 * w_2)) + s(sp.exp(w_1) + sp.exp(2 * w_2)),
     "f_2": w_1 * w_2 + sp.Max(w_1, w_2)}
INPUTS = (w_1, w_2)

NOTATION = {"x": "first input of f", "y": "second input of f", "w_1": "first input of f_1, f_2",
            "w_2": "second input of f_1, f_2", "s": "the sigmoid 1/(1 + exp(-u))",
            "a": "x + y", "b": "y + 1", "v_k": "the k-th intermediate variable",
            "vdot_k": "tangent of v_k (forward mode)", "vbar_k": "adjoint of v_k (reverse mode)"}


def intermediates(outputs, names, given=None):
    """Cut expressions into intermediate variables, one per operation.

    ``outputs`` maps output names to expressions; ``given`` maps subexpressions to their
    names and ``names`` yields names for the other intermediates.  Returns the definitions
    ``[(symbol, operation)]`` in evaluation order (an output is named by its key).

    Examples
    --------
    >>> intermediates({"f": f}, iter(()), {x + y: "a", y + 1: "b"})
    [(b, y + 1), (a, x + y), (f, a*b)]
    """
    seen, definitions = {}, []

    def visit(expr, name=None):
        if expr.is_Atom:
            return expr
        if expr in seen:
            return seen[expr]
        local = expr.func(*[visit(arg) for arg in expr.args])
        symbol = sp.Symbol(name or (given or {}).get(expr) or next(names), real=True)
        seen[expr] = symbol
        definitions.append((symbol, local))
        return symbol

    for name, expr in outputs.items():
        visit(expr, name)
    return definitions


def graph_of(definitions, inputs) -> ComputationGraph:
    """The computation graph of ``definitions``: a node per input and per intermediate
    (labelled ``v_k = operation`` in LaTeX), an edge from each variable an operation reads.

    Examples
    --------
    >>> graph_of(intermediates({"f": f}, iter(()), {x + y: "a", y + 1: "b"}), (x, y)).edges
    (('y', 'b'), ('x', 'a'), ('y', 'a'), ('b', 'f'), ('a', 'f'))
    """
    rank = {symbol: position for position, (symbol, _) in enumerate(definitions)}
    nodes = tuple((v.name, sp.latex(v)) for v in inputs) + tuple(
        (symbol.name, f"{sp.latex(symbol)} = {sp.latex(local)}") for symbol, local in definitions)
    edges = tuple((parent.name, symbol.name) for symbol, local in definitions
                  for parent in sorted(local.free_symbols,
                                       key=lambda p: (rank.get(p, -1), p.name)))
    return ComputationGraph(nodes, edges)


def example_graph():
    """The sheet's example ``f = (x + y)(y + 1)`` with ``a = x + y``, ``b = y + 1`` (Fig. 1)."""
    definitions = intermediates({"f": f}, iter(()), {x + y: "a", y + 1: "b"})
    return definitions, graph_of(definitions, (x, y))


def computation_graph_definitions():
    """The intermediates ``v_k`` of ``f_1`` and ``f_2`` together, in evaluation order."""
    return intermediates(F, (f"v_{k}" for k in itertools.count(1)))


def computation_graph() -> ComputationGraph:
    """gatech 5(a): the computation graph of ``(f_1, f_2)``, the one the Jacobians walk.

    Examples
    --------
    >>> computation_graph().parents("f_2")
    ('v_7', 'v_8')
    """
    return graph_of(computation_graph_definitions(), INPUTS)


def evaluate(expr, values=None):
    """``expr`` with the sigmoid written out and ``values`` substituted, evaluated exactly.

    Examples
    --------
    >>> evaluate(s(u), {u: 0})
    1/2
    """
    values = {key: sp.sympify(value) for key, value in (values or {}).items()}
    return expr.replace(s, SIGMOID).xreplace(values).doit()   # symbols by numbers: xreplace


def difference_jacobian(vector, ahead, behind):
    """The Jacobian of ``vector`` at the sheet's point by differences: column ``j`` is
    ``(F(w + ahead Delta e_j) - F(w + behind Delta e_j)) / ((ahead - behind) Delta)``,
    forward for ``(1, 0)``, central for ``(1, -1)``.

    Examples
    --------
    >>> difference_jacobian(sp.Matrix([INPUTS[0]**2]), 1, -1)
    Matrix([[2, 0]])
    """
    def at(direction, offset):
        return vector.xreplace({v: POINT[v] + (offset * DELTA if v == direction else 0)
                                for v in INPUTS})
    return sp.ImmutableMatrix(sp.Matrix.hstack(*(
        ((at(direction, ahead) - at(direction, behind)) / ((ahead - behind) * DELTA))
        .applyfunc(sp.powsimp) for direction in INPUTS)))


def local_partials(definitions, point):
    """Values of the intermediates at ``point`` and each operation's partial derivatives
    there: ``{child: {parent: value}}``."""
    values = dict(point)
    partials = {}
    for symbol, local in definitions:
        partials[symbol] = {parent: evaluate(sp.diff(local.replace(s, SIGMOID), parent), values)
                            for parent in local.free_symbols}
        values[symbol] = evaluate(local, values)
    return values, partials


def marked(symbol, mark):
    """``v_4 -> vdot_4`` (printed with a dot or bar accent)."""
    head, _, tail = symbol.name.partition("_")
    return sp.Symbol(f"{head}{mark}_{tail}" if tail else f"{head}{mark}")


def forward_mode(graph, operations, partials, seed):
    """Tangents of every node for the input tangents ``seed`` (a dict), visiting ``graph``
    in evaluation order and summing over each node's parents; with the steps."""
    tangents = dict(seed)
    steps = [Step("seed the input tangents",
                  sp.Tuple(*[equation(marked(v, "dot"), t) for v, t in seed.items()]))]
    for name in graph.order():
        symbol = sp.Symbol(name, real=True)
        if symbol in tangents:
            continue
        parents = [sp.Symbol(parent, real=True) for parent in graph.parents(name)]
        rule = sum(sp.diff(operations[symbol], p) * marked(p, "dot") for p in parents)
        tangents[symbol] = sum(partials[symbol][p] * tangents[p] for p in parents)
        steps.append(Step(f"{symbol}: the chain rule over the variables it reads",
                          sp.Tuple(equation(symbol, operations[symbol]),
                                   equation(marked(symbol, "dot"), rule),
                                   equation(marked(symbol, "dot"), tangents[symbol]))))
    return tangents, steps


def reverse_mode(graph, partials, output):
    """Adjoints ``d output / d v`` of every node, visiting ``graph`` backwards and summing
    over each node's children; with the steps."""
    output = sp.Symbol(output, real=True)
    adjoints = {output: sp.Integer(1)}
    steps = [Step(f"seed the output adjoint of {output}", equation(marked(output, "bar"), 1))]
    for name in reversed(graph.order()):
        node = sp.Symbol(name, real=True)
        if node == output:
            continue
        users = [sp.Symbol(c, real=True) for c in graph.children(name)]
        users = [c for c in users if c in adjoints]
        rule = sum(sp.Derivative(c, node) * marked(c, "bar") for c in users)
        adjoints[node] = sum(partials[c][node] * adjoints[c] for c in users)
        steps.append(Step(f"{node}: sum over the variables that read it",
                          sp.Tuple(equation(marked(node, "bar"), rule),
                                   equation(marked(node, "bar"), adjoints[node]))))
    return adjoints, steps


@derivation
def derive() -> Derivation:
    """Computation graphs and Jacobians: finite differences, forward mode and reverse mode.

    Examples
    --------
    >>> derive()["jacobian"].value[1, :]
    Matrix([[0, 1]])
    """
    f_defs, f_graph = example_graph()
    defs = computation_graph_definitions()
    drawn = graph_of(defs, INPUTS)
    f_edges, edges = f_graph.edges, drawn.edges
    as_equations = lambda d: sp.Tuple(*[equation(symbol, local) for symbol, local in d])
    as_edges = lambda e: sp.Tuple(*[sp.Tuple(*(sp.Symbol(v, real=True) for v in edge))
                                    for edge in e])
    graph = Result(
        "graph", "5(a): the intermediate variables (one per operation) and the edges "
        "(parent, child) of f, and of f_1, f_2 together (they share no nodes but the inputs).",
        sp.Tuple(as_equations(f_defs), as_edges(f_edges), as_equations(defs), as_edges(edges)),
        (Step("walk f's expression tree, one variable per operation", as_equations(f_defs)),
         Step("an edge from each variable an operation reads", as_edges(f_edges)),
         Step("the same for f_1 and f_2: the shared exp(w_1) + exp(2 w_2) is computed once",
              as_equations(defs)),
         Step("their edges", as_edges(edges))))

    f_values, _ = local_partials(f_defs, FIRST_POINT)
    values, partials = local_partials(defs, POINT)
    outputs = [sp.Symbol(name, real=True) for name in F]
    value = Result(
        "value", "f(1, -1), f_1(1, -1) and f_2(1, -1), evaluated through the graphs.",
        sp.Tuple(f_values[sp.Symbol("f", real=True)], *[values[o] for o in outputs]),
        (Step("f's intermediates at (x, y) = (1, -1)",
              sp.Tuple(*[equation(v, f_values[v]) for v, _ in f_defs])),
         Step("f_1's and f_2's intermediates at w = (1, -1)",
              sp.Tuple(*[equation(v, values[v]) for v, _ in defs]))),
        lhs=sp.Tuple(sp.Function("f")(1, -1), sp.Function("f_1")(1, -1), sp.Function("f_2")(1, -1)))

    vector = sp.Matrix([evaluate(e) for e in F.values()])
    symbolic = vector.jacobian(INPUTS)
    exact = sp.ImmutableMatrix(symbolic.xreplace(POINT).doit())
    jacobian = Result(
        "jacobian", "The exact Jacobian of (f_1, f_2) at w = (1, -1) (max along its active "
        "branch w_1).",
        exact,
        (Step("differentiate (f_1, f_2) in (w_1, w_2)", sp.ImmutableMatrix(symbolic)),
         Step("at w = (1, -1), where w_1 > w_2: max(w_1, w_2) = w_1 near w, so its partials "
              "are 1 and 0", exact),
         Step("numerically", exact.evalf(4))),
        lhs=sp.Symbol("J"))

    finite = difference_jacobian(vector, 1, 0)
    central = difference_jacobian(vector, 1, -1)
    error = sp.ImmutableMatrix(finite - exact)
    finite_result = Result(
        "jacobian_finite_difference",
        "5(b): the Jacobian by forward differences with Delta w = 0.01 at w = (1, -1) (the "
        "sheet names no scheme; jacobian_central_difference is the other reading).",
        finite,
        (Step("column j: (F(w + Delta e_j) - F(w)) / Delta with Delta = 1/100", finite),
         Step("numerically", finite.evalf(4))),
        lhs=sp.Symbol("J_FD"))
    central_result = Result(
        "jacobian_central_difference",
        "5(b), the other reading of 'numerical differentiation': central differences with "
        "Delta w = 0.01 at w = (1, -1), whose error is second order in Delta (f_2 is linear "
        "along each coordinate near w, so its row is exact).",
        central,
        (Step("column j: (F(w + Delta e_j) - F(w - Delta e_j)) / (2 Delta) with Delta = 1/100",
              central),
         Step("numerically", central.evalf(4)),
         Step("its error against the exact Jacobian", sp.ImmutableMatrix(central - exact).evalf(4))),
        lhs=sp.Symbol("J_CD"))
    error_result = Result(
        "jacobian_finite_difference_error",
        "E_FD = J_FD - J, the forward differences' error against the exact Jacobian: first "
        "order in Delta "
        "(about Delta/2 times the second derivative); f_2 is linear along each coordinate "
        "near w, so its row is exact.",
        error,
        (Step("the forward differences minus the exact Jacobian", error),
         Step("numerically", error.evalf(4)),
         Step("Taylor: F(w + Delta e_j) - F(w) = Delta dF/dw_j + Delta^2/2 d^2F/dw_j^2 + ..., "
              "so the error of column j is about Delta/2 times the second derivative",
              (DELTA / 2 * sp.Matrix([[sp.diff(symbolic[0, j], v) for j, v in enumerate(INPUTS)]])
               .xreplace(POINT))
              .evalf(4))),
        lhs=sp.Symbol("E_FD"))

    rows = list(INPUTS) + [symbol for symbol, _ in defs]
    tangent_columns, forward_steps = [], []
    for direction in INPUTS:
        seed = {v: sp.Integer(int(v == direction)) for v in INPUTS}
        tangents, steps = forward_mode(drawn, dict(defs), partials, seed)
        tangent_columns.append([tangents[r] for r in rows])
        forward_steps += [Step(f"pass seeded with d/d{direction}: " + steps[0].text, steps[0].expr)]
        forward_steps += steps[1:]
    forward = sp.ImmutableMatrix(tangent_columns).T
    forward_jacobian = sp.ImmutableMatrix([forward.row(rows.index(o)) for o in outputs])
    forward_result = Result(
        "jacobian_forward_mode",
        "Forward mode: one pass per input; the tangents of every variable (rows w_1, w_2, "
        "v_1, ..., f_2; columns: seeds d/dw_1, d/dw_2). The output rows are the Jacobian's "
        "columns.",
        forward,
        tuple(forward_steps)
        + (Step("the output rows equal the exact Jacobian",
                sp.Eq(forward_jacobian, exact, evaluate=False)),),
        lhs=sp.Symbol("Vdot"))

    adjoint_columns, reverse_steps = [], []
    for output in outputs:
        adjoints, steps = reverse_mode(drawn, partials, output.name)
        adjoint_columns.append([adjoints.get(r, sp.Integer(0)) for r in rows])
        reverse_steps += steps
    reverse = sp.ImmutableMatrix(adjoint_columns).T
    reverse_jacobian = sp.ImmutableMatrix([reverse.row(rows.index(v)) for v in INPUTS]).T
    reverse_result = Result(
        "jacobian_reverse_mode",
        "Reverse mode: one backward pass per output; the adjoints d f_j / d v of every variable "
        "(rows w_1, w_2, v_1, ..., f_2; columns: f_1, f_2). The input rows are the Jacobian's "
        "rows.",
        reverse,
        tuple(reverse_steps)
        + (Step("the input rows equal the exact Jacobian",
                sp.Eq(reverse_jacobian, exact, evaluate=False)),),
        lhs=sp.Symbol("Vbar"))

    for mode, table in (("forward", forward_jacobian), ("reverse", reverse_jacobian)):
        if any(sp.expand(entry) != 0 and abs(entry.evalf(50)) > sp.Float("1e-40")
               for entry in table - exact):      # exactly zero once expanded, or numerically
            raise ArithmeticError(f"{mode} mode disagrees with the exact Jacobian")

    return Derivation(
        "autodiff", "Computation graphs and Jacobians by finite differences, forward and "
        "reverse mode",
        (graph, value, jacobian, finite_result, central_result, error_result, forward_result,
         reverse_result),
        notation=NOTATION, aliases={r"\sigma": SIGMOID})  # the sigmoid, as sheets write it


if __name__ == "__main__":
    raise SystemExit(main(derive))
