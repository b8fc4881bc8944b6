"""Handwriting-like digit simulator (sim-to-real target: scikit-learn's ``load_digits``).

See :mod:`synthlearn.sim.digits.simulator` for the model, :mod:`.glyphs` for the stroke and
font glyph sources, :mod:`.distort` for the nuisances and :mod:`.acquire` for the
acquisition pipelines.
"""

from synthlearn.sim.digits.simulator import SOURCES, DigitsSimulator

__all__ = ["DigitsSimulator", "SOURCES"]
