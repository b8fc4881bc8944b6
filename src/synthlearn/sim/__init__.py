"""Simulators: each declares a parameter space and generates labelled layers."""

from synthlearn.sim.base import Simulator, available, get_simulator, import_ref, register
from synthlearn.sim.request import SimRequest

__all__ = ["SimRequest", "Simulator", "available", "get_simulator", "import_ref", "register"]
