"""Points on the surface of parts, and the per-cloud transforms of a PointNet data set.

:func:`sample_surface` draws ``P`` points per object, area-weighted over every surface of its
:class:`~synthlearn.sim.shapes3d.parts.Parts`, with the outward unit normal of the surface at
each point. It samples systematically: point ``j`` of an object takes the quantile
``(j + U) / P`` of the object's cumulative surface area (one uniform ``U`` per object), so
every surface gets its share of the points up to one point; within a surface the position is
uniform (the parametrisations of box faces, frustum sides and discs below preserve area). The
points are then shuffled, so their order says nothing about the part they lie on.

:func:`normalise_to_unit_sphere`, :func:`rotate_about_up` and :func:`add_jitter` are the
transforms PointNet applies to ModelNet: centre on the centroid and scale so the farthest
point is at distance 1, turn about the up (z) axis, add clipped Gaussian noise.
"""

from __future__ import annotations

import numpy as np

from synthlearn.sim.shapes3d.parts import FRUSTUM, SURFACES_PER_PART, Parts, rotation_z

# Box face s (0..5: +x, -x, +y, -y, +z, -z): the axis it faces along, its sign, and its two in-face axes.
_FACE_AXIS = np.array([0, 0, 1, 1, 2, 2])
_FACE_SIGN = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
_FACE_U = (_FACE_AXIS + 1) % 3
_FACE_V = (_FACE_AXIS + 2) % 3


def _surface_indices(area: np.ndarray, points: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic draw of surfaces: int64 ``(n, points)`` indices into ``area``'s last axis.

    ``area`` is float64 ``(n, M)``, every row with a positive sum. Point ``j`` of a row takes
    the quantile ``(j + U) / points`` of the row's cumulative area, ``U`` uniform per row: so
    surface ``m`` receives ``area[m] / sum * points`` points, rounded up or down at random
    with the right odds. The indices of a row come out sorted.
    """
    n, m = area.shape
    cdf = np.cumsum(area, axis=1)
    cdf /= cdf[:, -1:]  # the last entry is exactly 1
    below = np.ceil(cdf * points - rng.random((n, 1))).astype(np.int64)  # quantiles below each surface's end
    counts = np.diff(below, axis=1, prepend=0)
    return np.repeat(np.tile(np.arange(m), n), counts.ravel()).reshape(n, points)


def _box_faces(parts: Parts) -> np.ndarray:
    """Every part's six box faces as float32 columns ``(12, n * K * 6)``: centre, half-extent
    vectors along the face's two in-face axes, outward normal (3 rows each, object coordinates)."""
    n, k = parts.kind.shape
    axes = np.swapaxes(parts.rotation, -1, -2).astype(np.float32)  # (n, K, 3, 3): row a is the part's axis a
    half_axes = axes * parts.size.astype(np.float32)[..., None]
    sign = _FACE_SIGN.astype(np.float32)[:, None]
    faces = np.empty((n, k, SURFACES_PER_PART, 12), np.float32)
    faces[..., 0:3] = parts.origin.astype(np.float32)[:, :, None, :] + sign * half_axes[:, :, _FACE_AXIS]
    faces[..., 3:6] = half_axes[:, :, _FACE_U]
    faces[..., 6:9] = half_axes[:, :, _FACE_V]
    faces[..., 9:12] = sign * axes[:, :, _FACE_AXIS]
    return np.ascontiguousarray(faces.reshape(-1, 12).T)


def _frustum_frames(parts: Parts) -> np.ndarray:
    """Every part as a frustum, float32 columns ``(15, n * K)``: base centre, local x, y, z axes,
    ``(r_bottom, r_top, height)``."""
    n, k = parts.kind.shape
    frames = np.concatenate([parts.origin, np.swapaxes(parts.rotation, -1, -2).reshape(n, k, 9), parts.size], -1)
    return np.ascontiguousarray(frames.reshape(-1, 15).T, dtype=np.float32)


def _frustum_surface(frame: np.ndarray, surface: np.ndarray, u: np.ndarray, v: np.ndarray):
    """Positions and outward normals of points on frustums, float32 ``(3, m)`` each.

    ``frame`` ``(15, m)`` holds each point's frustum (see :func:`_frustum_frames`); ``surface``
    ``(m,)`` is 0 (side), 1 (bottom disc) or 2 (top disc), and ``u, v`` ``(m,)`` are uniform on
    ``[0, 1)``. A disc is a frustum of height 0 from radius 0 to the rim (bottom) or from the
    rim to 0 (top), so one formula covers all three: angle ``2 pi u``, and a radius whose square
    is linear in ``v``, which makes the density uniform in area.
    """
    r0, r1, h = frame[12], frame[13], frame[14]
    side, bottom = surface == 0, surface == 1
    zero = np.zeros_like(r0)
    r_start = np.where(side, r0, np.where(bottom, zero, r1))
    r_end = np.where(side, r1, np.where(bottom, r0, zero))
    span = np.where(side, h, zero)
    z = np.where(surface == 2, h, zero)
    radius = np.sqrt(r_start**2 + v * (r_end**2 - r_start**2))
    z += v * (r_start + r_end) / np.maximum(radius + r_start, np.float32(1e-12)) * span
    angle = np.float32(2 * np.pi) * u
    cos, sin = np.cos(angle), np.sin(angle)
    slope = r_start - r_end
    length = np.maximum(np.hypot(span, slope), np.float32(1e-12))
    x_axis, y_axis, z_axis = frame[3:6], frame[6:9], frame[9:12]
    positions = frame[0:3] + x_axis * (radius * cos) + y_axis * (radius * sin) + z_axis * z
    normals = x_axis * (span * cos / length) + y_axis * (span * sin / length) + z_axis * (slope / length)
    return positions, normals


def sample_surface(parts: Parts, points: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``points`` area-weighted surface points per object and their outward unit normals.

    Args:
        parts: ``n`` objects of ``K`` part slots; every object needs a positive total area.
        points: ``P``, points per object.
        rng: the only source of randomness.

    Returns:
        ``(positions, normals)``, both float32 ``(n, P, 3)`` in object coordinates, each
        object's points in random order.
    """
    n, k = parts.kind.shape
    surface_index = rng.permuted(_surface_indices(parts.surface_area.reshape(n, -1), points, rng), axis=1)
    flat_surface = (surface_index + np.arange(n)[:, None] * (k * SURFACES_PER_PART)).ravel()
    u, v = rng.random((2, flat_surface.size), dtype=np.float32)

    # Every point as if on a box face (coordinates as rows, for speed); then the points on frustums are redone.
    face = np.take(_box_faces(parts), flat_surface, axis=1)
    positions = face[0:3] + face[3:6] * (2 * u - 1) + face[6:9] * (2 * v - 1)
    normals = face[9:12]
    flat_part = flat_surface // SURFACES_PER_PART
    on_frustum = np.flatnonzero(np.take(parts.kind.ravel(), flat_part) == FRUSTUM)
    if on_frustum.size:
        frame = np.take(_frustum_frames(parts), flat_part[on_frustum], axis=1)
        positions[:, on_frustum], normals[:, on_frustum] = _frustum_surface(
            frame, flat_surface[on_frustum] % SURFACES_PER_PART, u[on_frustum], v[on_frustum]
        )
    return positions.T.reshape(n, points, 3).copy(), normals.T.reshape(n, points, 3).copy()


def normalise_to_unit_sphere(points: np.ndarray) -> np.ndarray:
    """Each cloud of ``points`` (float32 ``(n, P, 3)``) centred on its centroid and scaled so its
    farthest point lies at distance 1 (float32 ``(n, P, 3)``)."""
    size = points.shape[1]
    centroid = np.matmul(np.full((1, size), 1.0 / size, np.float32), points)  # (n, 1, 3)
    centred = points - centroid
    radius = np.sqrt(np.einsum("npk,npk->np", centred, centred).max(axis=1))
    centred /= np.maximum(radius, np.float32(1e-12))[:, None, None]
    return centred


def rotate_about_up(points: np.ndarray, normals: np.ndarray, angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn each cloud and its normals (float32 ``(n, P, 3)``) about +z by ``angles`` ``(n,)`` radians."""
    turn_transposed = np.swapaxes(rotation_z(angles), 1, 2).astype(np.float32)  # row vectors times R^T
    return np.matmul(points, turn_transposed), np.matmul(normals, turn_transposed)


def add_jitter(points: np.ndarray, std: float, rng: np.random.Generator, clip: float = 0.05) -> np.ndarray:
    """``points`` (float32 ``(n, P, 3)``) plus Gaussian noise of ``std`` per coordinate, clipped
    to ``[-clip, clip]`` as in PointNet's ``jitter_point_cloud``."""
    noise = rng.standard_normal(points.shape, dtype=np.float32)
    noise *= np.float32(std)
    return points + np.clip(noise, -clip, clip, out=noise)
