"""Answer documents in LaTeX and PDF, assembled from derivations, simulations and experiments."""
