"""Experiments: one runnable module per empirical question of the problem sets."""
