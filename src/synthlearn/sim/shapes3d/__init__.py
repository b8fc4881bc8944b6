"""Procedural 3-D furniture as labelled point clouds: the synthetic side of a sim-to-real
PointNet benchmark whose real test set is hand-made furniture meshes (Sweet Home 3D).

``parts`` holds the primitive parts (boxes and frustums as analytic surfaces, batched over
objects), ``objects`` one builder per class, ``sampling`` area-weighted surface sampling and
the per-cloud transforms, ``scan`` the optional scan simulation, and ``simulator`` ties them
together as the registered simulator ``"shapes3d"``.
"""

from synthlearn.sim.shapes3d.objects import CLASSES
from synthlearn.sim.shapes3d.simulator import PARAM_SPACE, Shapes3DSimulator

__all__ = ["CLASSES", "PARAM_SPACE", "Shapes3DSimulator"]
