"""From a triangle mesh to a PointNet-ready point cloud, and the record every 3-D loader returns.

:func:`mesh_cloud` turns a mesh into ``P`` points with normals: it orients the mesh
(:func:`orient`: an optional 3×3 model rotation, then ``up_axis="y"`` turns +y into +z),
samples the surface area-weighted (:func:`sample_surface`) and normalises the points
(:func:`normalise`: centroid at the origin, farthest point at distance 1).

Every cloud in synthlearn is z-up. Meshes authored y-up -- the OpenGL / Java3D convention,
which SweetHome3D's OBJ models follow -- are turned by +90° about x: ``(x, y, z) -> (x, -z, y)``.

:class:`PointClouds` is what every loader in :mod:`synthlearn.data.real3d` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np

from synthlearn.data.real3d.mesh import Mesh, triangle_areas
from synthlearn.errors import UserError

UpAxis = Literal["z", "y"]
Y_UP_TO_Z_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True)
class PointClouds:
    """``N`` labelled point clouds of ``P`` points each, and what the loader skipped.

    ``points`` and ``normals`` float32 ``(N, P, 3)`` (unit normals, or zero vectors where the
    source had none); ``labels`` int64 ``(N,)`` index ``classes``; ``names`` and ``sources``
    (where each cloud came from, e.g. ``Scopia.sh3f#12`` or a file path) have ``N`` entries;
    ``skipped`` counts the models left out, by reason.
    """

    points: np.ndarray
    normals: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    names: tuple[str, ...]
    sources: tuple[str, ...]
    skipped: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.labels)
        if self.points.shape != self.normals.shape or self.points.ndim != 3 or self.points.shape[2] != 3:
            raise UserError("point clouds need points and normals of one shape (N, P, 3), "
                            f"got {self.points.shape} and {self.normals.shape}")
        if not len(self.points) == len(self.names) == len(self.sources) == n:
            raise UserError(f"{len(self.points)} clouds but {n} labels, {len(self.names)} names and {len(self.sources)} sources")

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray, skipped: dict[str, int] | None = None) -> PointClouds:
        """The clouds at integer ``index`` ``(M,)``, with ``skipped`` (default: this record's)."""
        return PointClouds(self.points[index], self.normals[index], self.labels[index], self.classes,
                           tuple(self.names[i] for i in index), tuple(self.sources[i] for i in index),
                           dict(self.skipped if skipped is None else skipped))

    @classmethod
    def stack(cls, clouds: Sequence[tuple[np.ndarray, np.ndarray]], labels: Sequence[int], classes: Sequence[str],
              names: Sequence[str], sources: Sequence[str], skipped: dict[str, int]) -> PointClouds:
        """One record from at least one per-model ``(points (P, 3), normals (P, 3))`` pair and the labels."""
        return cls(np.stack([p for p, _ in clouds]).astype(np.float32), np.stack([n for _, n in clouds]).astype(np.float32),
                   np.asarray(labels, dtype=np.int64), tuple(classes), tuple(names), tuple(sources), dict(skipped))


def check_points(points: int) -> None:
    """Raise :class:`UserError` unless ``points`` (points per cloud) is a positive integer."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 1:
        raise UserError(f"points per cloud must be a positive integer, got {points!r}")


def sample_surface(vertices: np.ndarray, triangles: np.ndarray, count: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points ``(count, 3)`` uniform on the surface, and their unit normals ``(count, 3)``.

    A triangle is drawn with probability proportional to its area (zero-area triangles never),
    then a point uniform inside it; the normal is the triangle's, oriented by its winding
    (counter-clockwise seen from outside, as OBJ and OFF store faces, points outwards).
    """
    areas = triangle_areas(vertices, triangles)
    chosen = triangles[rng.choice(len(triangles), size=count, p=areas / areas.sum())]
    a, b, c = (vertices[chosen[:, k]] for k in range(3))
    u, v = rng.random((2, count, 1))
    flip = u + v > 1.0  # fold the far half of the parallelogram back into the triangle
    u, v = np.where(flip, 1.0 - u, u), np.where(flip, 1.0 - v, v)
    normals = np.cross(b - a, c - a)
    return a + u * (b - a) + v * (c - a), normals / np.linalg.norm(normals, axis=1, keepdims=True)


def normalise(points: np.ndarray) -> np.ndarray:
    """Clouds ``(..., P, 3)`` moved to their centroid and scaled so the farthest point is at 1."""
    centred = points - points.mean(axis=-2, keepdims=True)
    radius = np.linalg.norm(centred, axis=-1).max(axis=-1)[..., None, None]
    return centred / np.where(radius > 0.0, radius, 1.0)


def orient(vertices: np.ndarray, up_axis: UpAxis = "z", rotation: np.ndarray | None = None) -> np.ndarray:
    """``vertices`` ``(V, 3)`` turned by the model ``rotation`` ``(3, 3)`` (applied as ``R @ v``), then to z-up.

    ``up_axis`` is the axis that points up in the file: ``"z"`` leaves the result as it is,
    ``"y"`` applies :data:`Y_UP_TO_Z_UP`.
    """
    if up_axis not in ("z", "y"):
        raise UserError(f"up axis must be 'z' or 'y', got {up_axis!r}")
    matrix = (Y_UP_TO_Z_UP if up_axis == "y" else np.eye(3)) @ (np.eye(3) if rotation is None else rotation)
    return vertices @ matrix.T


def mesh_cloud(mesh: Mesh, points: int, rng: np.random.Generator, up_axis: UpAxis = "z",
               rotation: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A normalised z-up cloud ``(points, 3)`` sampled from ``mesh``, with unit normals ``(points, 3)``."""
    cloud, normals = sample_surface(orient(mesh.vertices, up_axis, rotation), mesh.triangles, points, rng)
    return normalise(cloud), normals
