"""Step-by-step SymPy derivations of deep-learning optimization results, one module a topic."""
