"""Simulated scans: keep the points that a few virtual depth cameras see, with noise and holes.

A scanned object (a depth camera or LiDAR walked around it) shows only the surface that faces
a viewpoint and is not hidden behind other parts, with noisy depth and missing patches (dark
or shiny material, grazing angles). :func:`scan` imitates this on a dense surface sample of
objects already normalised into the unit sphere:

1. Each object gets ``V`` viewpoints (:func:`random_viewpoints`): azimuth uniform, elevation
   5-45 degrees above the horizon, distance 2.5-4 from the centre.
2. A point is seen from a viewpoint (:func:`visible_from`) when its surface faces the viewpoint
   and nothing nearer hides it: the view is a perspective camera whose image is a coarse
   ``grid x grid`` z-buffer holding, per cell, the nearest depth of any point; a point passes
   when its depth is within :data:`DEPTH_TOLERANCE_CELLS` cell widths (measured at the
   object's centre) of its cell's nearest depth.
3. Holes: each view's image is cut into :data:`HOLE_BLOCKS` x :data:`HOLE_BLOCKS` blocks, each
   missing with probability ``dropout``; a view sees nothing in its missing blocks.
4. A point is kept when any view sees it.
5. ``P`` points are drawn with replacement from the kept ones, so every cloud keeps its size,
   and each moves along the ray of the first view that sees it by Gaussian depth noise of
   std ``noise``.

An object left with no point (every visible block missing) keeps the points visible from any
view ignoring holes. One-sided surfaces (an open lamp shade) are seen from their outer side only.
"""

from __future__ import annotations

import numpy as np

SCAN_OVERSAMPLE = 4
"""A scan starts from this many times ``P`` surface points per object."""
HOLE_BLOCKS = 8
DEPTH_TOLERANCE_CELLS = 1.5
VIEW_ELEVATION_DEGREES = (5.0, 45.0)
VIEW_DISTANCE = (2.5, 4.0)
_UP = np.array([0.0, 0.0, 1.0], np.float32)


def grid_size(points_per_cloud: int) -> int:
    """Z-buffer cells per image side for a dense cloud of ``points_per_cloud`` points: about
    ``sqrt(points) / 2``, so a cell holds a few points (32 for 4 x 1024 points)."""
    return int(np.clip(round(np.sqrt(points_per_cloud) / 2), 8, 128))


def random_viewpoints(n: int, views: int, rng: np.random.Generator) -> np.ndarray:
    """Camera positions float32 ``(n, views, 3)`` around objects centred at the origin (see module docstring)."""
    azimuth = rng.uniform(0.0, 2 * np.pi, (n, views))
    elevation = np.radians(rng.uniform(*VIEW_ELEVATION_DEGREES, (n, views)))
    distance = rng.uniform(*VIEW_DISTANCE, (n, views))
    flat = np.cos(elevation) * distance
    return np.stack([flat * np.cos(azimuth), flat * np.sin(azimuth), np.sin(elevation) * distance], -1).astype(np.float32)


def visible_from(points: np.ndarray, normals: np.ndarray, eye: np.ndarray,
                 grid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which points one camera per object sees, and where they fall in its image.

    Args:
        points: float32 ``(n, M, 3)``, each cloud inside the unit sphere.
        normals: float32 ``(n, M, 3)`` outward unit normals.
        eye: float32 ``(n, 3)`` camera positions, each farther than 1 from the origin; the
            camera looks at the origin with +z up in its image (not straight down).
        grid: z-buffer cells per image side.

    Returns:
        ``(visible, column, row)``: bool ``(n, M)``, and the image cell of every point, int64
        ``(n, M)`` each in ``[0, grid)``.
    """
    n, m, _ = points.shape
    distance = np.linalg.norm(eye, axis=1)
    forward = -eye / distance[:, None]
    right = np.cross(forward, _UP)
    right /= np.linalg.norm(right, axis=1, keepdims=True)
    up = np.cross(right, forward)
    to_camera = np.stack([forward, right, up], axis=1).astype(np.float32)  # (n, 3, 3): rows are the camera axes
    # Rows of `camera`: depth along the view, then x and y across it, relative to the eye.
    camera = np.matmul(to_camera, points.transpose(0, 2, 1)) - np.matmul(to_camera, eye[:, :, None])
    depth = camera[:, 0]
    tan_half = 1.0 / np.sqrt(distance**2 - 1.0)  # the unit sphere just fills the image
    scale = (grid / 2 / tan_half).astype(np.float32)[:, None] / depth
    column = np.clip((camera[:, 1] * scale + grid / 2).astype(np.int64), 0, grid - 1)
    row = np.clip((camera[:, 2] * scale + grid / 2).astype(np.int64), 0, grid - 1)
    cell = (np.arange(n)[:, None] * grid + row) * grid + column
    nearest = np.full(n * grid * grid, np.inf, np.float32)
    np.minimum.at(nearest, cell.ravel(), depth.ravel())
    tolerance = (DEPTH_TOLERANCE_CELLS * 2 * tan_half * distance / grid).astype(np.float32)
    facing = np.einsum("nmk,nmk->nm", normals, points) < np.matmul(normals, eye[:, :, None])[..., 0]
    visible = facing & (depth <= np.take(nearest, cell) + tolerance[:, None])
    return visible, column, row


def scan(points: np.ndarray, normals: np.ndarray, eyes: np.ndarray, noise: float, dropout: float, keep: int,
         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Simulated scans of dense clouds (see the module docstring).

    Args:
        points: float32 ``(n, M, 3)`` surface points, each cloud inside the unit sphere.
        normals: float32 ``(n, M, 3)`` their outward unit normals.
        eyes: float32 ``(n, V, 3)`` viewpoints (:func:`random_viewpoints`), ``V >= 1``.
        noise: std of the depth noise along the viewing ray, unit-sphere units; each output
            point gets its own draw, also when a seen point is drawn twice.
        dropout: probability that an image block of a view is missing.
        keep: ``P``, points per scanned cloud.
        rng: the only source of randomness.

    Returns:
        ``(points, normals)``, float32 ``(n, P, 3)`` each: seen points and their true normals.
    """
    n, m, _ = points.shape
    grid = grid_size(m)
    objects = np.arange(n)[:, None]
    kept = np.zeros((n, m), bool)
    seen_ignoring_holes = np.zeros((n, m), bool)
    first_view = np.zeros((n, m), np.int64)  # the view whose ray carries a point's depth noise
    for view in range(eyes.shape[1]):
        visible, column, row = visible_from(points, normals, eyes[:, view], grid)
        holes = (rng.random((n, HOLE_BLOCKS * HOLE_BLOCKS)) < dropout).ravel()
        block = (objects * HOLE_BLOCKS + row * HOLE_BLOCKS // grid) * HOLE_BLOCKS + column * HOLE_BLOCKS // grid
        first_view[visible & ~seen_ignoring_holes] = view
        kept |= visible & ~np.take(holes, block)
        seen_ignoring_holes |= visible
    empty = ~kept.any(axis=1)
    kept[empty] = seen_ignoring_holes[empty]
    kept[~kept.any(axis=1)] = True

    counts = kept.sum(axis=1)
    starts = np.cumsum(counts) - counts
    draw = np.minimum((rng.random((n, keep)) * counts[:, None]).astype(np.int64), counts[:, None] - 1)
    chosen = np.flatnonzero(kept.ravel())[starts[:, None] + draw]  # (n, keep) indices into the flat cloud
    seen = points.reshape(-1, 3)[chosen]
    ray = seen - eyes[objects, first_view.ravel()[chosen]]
    ray /= np.linalg.norm(ray, axis=2, keepdims=True)
    seen += (noise * rng.standard_normal((n, keep), dtype=np.float32))[..., None] * ray
    return seen, normals.reshape(-1, 3)[chosen]
