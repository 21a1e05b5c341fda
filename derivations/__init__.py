"""Step-by-step SymPy derivations of deep-learning optimization results, one module a topic."""
import importlib
import pkgutil

# Modules and packages of derivations/ that are not topics.
INFRASTRUCTURE = {"core", "render", "cli", "checking", "plain_data", "parsing", "graph", "__main__"}


def topics() -> list[str]:
    """The topic modules of the package, in alphabetical order.

    Examples
    --------
    >>> "momentum" in topics() and "core" not in topics()
    True
    """
    return sorted(m.name for m in pkgutil.iter_modules(__path__)
                  if m.name not in INFRASTRUCTURE)


def topic_module(name: str):
    """Import a topic by name; an unknown name raises ``ValueError`` listing the topics."""
    if name not in topics():
        raise ValueError(f"topic == {name!r} is not a topic; choose from {', '.join(topics())}")
    return importlib.import_module(f"derivations.{name}")
