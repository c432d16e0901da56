"""Structural equation modelling (covariance-based SEM, ordinal estimation)."""
