"""Losses, one per file: simgan.py (local adversarial loss, self-regularisation)."""
