"""PointNet (Qi et al., CVPR 2017) as a sim-to-real benchmark: trained on procedural ``shapes3d``
clouds only, tested on real SweetHome3D furniture models, with LTS choosing the simulator's
parameters. ``synthlearn reproduce pointnet [--quick] --out DIR``."""

from synthlearn.reproduce.pointnet.run import run_pointnet
from synthlearn.reproduce.pointnet.settings import PointNetBenchSettings

__all__ = ["PointNetBenchSettings", "run_pointnet"]
