"""Real 3-D data as point clouds: mesh and point-file readers, SweetHome3D's furniture, the split.

Every loader returns :class:`PointClouds` -- normalised, z-up clouds ``(N, P, 3)`` with
normals, integer labels and counts of what it skipped -- and :func:`split_clouds` is the
protocol every sim-to-real 3-D table uses.
"""

from synthlearn.data.real3d.folders import load_obj_folder, load_off_folder, load_point_folder, read_points
from synthlearn.data.real3d.mesh import Mesh, MeshError, parse_obj, parse_off, read_mesh
from synthlearn.data.real3d.sampling import PointClouds, mesh_cloud, normalise, orient, sample_surface
from synthlearn.data.real3d.split import CloudSplit, split_clouds
from synthlearn.data.real3d.sweethome3d import CLASSES, FURNITURE_ROOT, KEYWORDS, classify, load_sweethome3d, read_properties

__all__ = [
    "CLASSES", "FURNITURE_ROOT", "KEYWORDS", "CloudSplit", "Mesh", "MeshError", "PointClouds", "classify",
    "load_obj_folder", "load_off_folder", "load_point_folder", "load_sweethome3d", "mesh_cloud", "normalise",
    "orient", "parse_obj", "parse_off", "read_mesh", "read_points", "read_properties", "sample_surface", "split_clouds",
]
