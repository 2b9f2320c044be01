"""Bayesian networks on the 8 Asia variables, scored exactly by BIC (the oracle)."""
