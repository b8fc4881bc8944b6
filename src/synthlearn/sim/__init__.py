"""Simulators: each declares a parameter space and its layers, and generates labelled samples."""

from synthlearn.sim.base import Layer, Simulator, available, get_simulator, import_ref, register
from synthlearn.sim.request import SimRequest

__all__ = ["Layer", "SimRequest", "Simulator", "available", "get_simulator", "import_ref", "register"]
