"""Computation graphs: one structure that a derivation counts on and a report draws.

A :class:`ComputationGraph` holds named nodes with LaTeX labels and directed edges
``(src, dst)`` meaning "``dst`` is computed from ``src``".  The topics build their graphs
here and derive from the same object (memory counts, the order of evaluation), and
:func:`tikz` draws it, so a drawing cannot drift from the derivation.  SymPy-free.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ComputationGraph", "tikz"]


@dataclass(frozen=True)
class ComputationGraph:
    """Nodes ``(name, latex_label)`` and edges ``(src, dst)``, ``dst`` computed from ``src``.

    Examples
    --------
    >>> g = ComputationGraph((("x", "x"), ("y", "y"), ("f", "f")), (("x", "f"), ("y", "f")))
    >>> g.parents("f")
    ('x', 'y')
    >>> g.order()
    ('x', 'y', 'f')
    """

    nodes: tuple[tuple[str, str], ...]
    edges: tuple[tuple[str, str], ...]

    def __post_init__(self):
        object.__setattr__(self, "nodes", tuple(tuple(node) for node in self.nodes))
        object.__setattr__(self, "edges", tuple(tuple(edge) for edge in self.edges))
        names = self.names
        if len(set(names)) != len(names):
            raise ValueError(f"nodes == {names}, names must be unique; rename the repeated node")
        for src, dst in self.edges:
            if src not in names or dst not in names:
                raise ValueError(f"edge == ({src!r}, {dst!r}) names a node that is not in the "
                                 f"graph; add the node or fix the edge")
        self.order()  # raises on a cycle

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.nodes)

    def label(self, name: str) -> str:
        """The LaTeX label of node ``name``."""
        return dict(self.nodes)[name]

    def parents(self, name: str) -> tuple[str, ...]:
        """The nodes ``name`` is computed from, in edge order."""
        return tuple(src for src, dst in self.edges if dst == name)

    def children(self, name: str) -> tuple[str, ...]:
        """The nodes computed from ``name``, in edge order."""
        return tuple(dst for src, dst in self.edges if src == name)

    def order(self) -> tuple[str, ...]:
        """An order of evaluation: every node after its parents (ties in node order)."""
        done: list[str] = []
        while len(done) < len(self.nodes):
            ready = [name for name in self.names if name not in done
                     and all(parent in done for parent in self.parents(name))]
            if not ready:
                rest = [name for name in self.names if name not in done]
                raise ValueError(f"the edges among {rest} form a cycle; a computation graph "
                                 f"must be acyclic")
            done.append(ready[0])
        return tuple(done)

    def positions(self, spacing: float = 2.0, row_gap: float = 1.3) -> dict[str, tuple]:
        """Where a drawing puts each node: one column per depth, left to right, each column
        centred on y = 0 (y grows upwards), in node order within a column.

        Examples
        --------
        >>> g = ComputationGraph((("x", "x"), ("y", "y"), ("f", "f")), (("x", "f"), ("y", "f")))
        >>> g.positions()
        {'x': (0.0, 0.65), 'y': (0.0, -0.65), 'f': (2.0, 0.0)}
        """
        columns: dict[int, list[str]] = {}
        for name in self.names:
            columns.setdefault(self.depth(name), []).append(name)
        return {name: (spacing * column, 0.0 - row_gap * (row - (len(names) - 1) / 2))
                for column, names in sorted(columns.items()) for row, name in enumerate(names)}

    def depth(self, name: str) -> int:
        """The length of the longest path from an input to ``name`` (inputs have depth 0)."""
        parents = self.parents(name)
        return 1 + max(self.depth(parent) for parent in parents) if parents else 0

    def peak_live(self, keep=()) -> int:
        """Values held at once by a forward pass that frees each value after its last use.

        Evaluating in :meth:`order`, a value is live from when it is computed until its last
        child is; nodes in ``keep`` (the inputs one cannot recompute, the output) stay live.

        Examples
        --------
        >>> chain = ComputationGraph(tuple((v, v) for v in "abcd"),
        ...                          (("a", "b"), ("b", "c"), ("c", "d")))
        >>> chain.peak_live()
        2
        """
        order = self.order()
        position = {name: k for k, name in enumerate(order)}
        last_use = {name: max((position[c] for c in self.children(name)), default=position[name])
                    for name in order}
        peak = 0
        for k in range(len(order)):
            live = [name for name in order[:k + 1] if name in keep or last_use[name] >= k]
            peak = max(peak, len(live))
        return peak

    def stored_for_backward(self) -> int:
        """Values a backward pass reads: every node that some other node is computed from.

        The local derivative of an operation needs its inputs' values, and the backward pass
        runs after the forward pass, so all of them are kept.

        Examples
        --------
        >>> chain = ComputationGraph(tuple((v, v) for v in "abc"), (("a", "b"), ("b", "c")))
        >>> chain.stored_for_backward()
        2
        """
        return sum(1 for name in self.names if self.children(name))


def _tikz_name(k: int) -> str:
    return f"n{k}"


def tikz(graph: ComputationGraph, spacing: float = 2.0) -> str:
    """A ``tikzpicture`` drawing ``graph`` left to right, one column per depth.

    Needs only ``\\usepackage{tikz}`` and ``\\usetikzlibrary{arrows.meta}``.

    Examples
    --------
    >>> g = ComputationGraph((("x", "x"), ("f", r"f(x)")), (("x", "f"),))
    >>> print(tikz(g))  # doctest: +NORMALIZE_WHITESPACE
    \\begin{tikzpicture}[>={Latex}, every node/.style={draw, rounded corners, inner sep=3pt}]
      \\node (n0) at (0.0, 0.0) {$x$};
      \\node (n1) at (2.0, 0.0) {$f(x)$};
      \\draw[->] (n0) -- (n1);
    \\end{tikzpicture}
    """
    index = {name: k for k, name in enumerate(graph.names)}
    lines = [(r"\begin{tikzpicture}[>={Latex}, every node/.style={draw, rounded corners, "
              r"inner sep=3pt}]")]
    for name, (x, y) in graph.positions(spacing).items():
        label = re.sub(r"\s+", " ", graph.label(name)).strip()
        lines.append(f"  \\node ({_tikz_name(index[name])}) at "
                     f"({x:.1f}, {y:.1f}) {{${label}$}};")
    for src, dst in graph.edges:
        lines.append(f"  \\draw[->] ({_tikz_name(index[src])}) -- ({_tikz_name(index[dst])});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)
