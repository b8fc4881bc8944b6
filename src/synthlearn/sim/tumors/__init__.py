"""The ``tumors`` tabular simulator (CNTK 101's simulated patients), its Gaussians and their Bayes error."""

from synthlearn.sim.tumors.gaussians import ClassGaussians, class_gaussians
from synthlearn.sim.tumors.simulator import TumorsSimulator, tumors_space

__all__ = ["ClassGaussians", "TumorsSimulator", "class_gaussians", "tumors_space"]
