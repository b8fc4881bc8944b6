"""Refining synthetic images to look real: SimGAN trainer (simgan.py), history buffer (history.py),
run folders (run.py), applying a refiner to a dataset (apply.py) and evaluation (evaluate.py)."""
