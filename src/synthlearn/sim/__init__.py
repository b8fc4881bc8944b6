"""Simulators: each declares a parameter space and generates labelled layers."""

from synthlearn.sim.base import Simulator, available, get_simulator, import_ref, register

__all__ = ["Simulator", "available", "get_simulator", "import_ref", "register"]
