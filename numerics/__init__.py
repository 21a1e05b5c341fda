"""Simulations that check the derivations: NumPy and SciPy only, never SymPy."""
