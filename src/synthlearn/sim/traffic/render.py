"""Scenes -> layers: a 2.5-D column ray caster, vectorised over a batch of scenes.

The camera has zero pitch and roll and every object is an upright box on flat ground, so
each image column sees the world through one vertical plane. Per column we

1. cast one horizontal 2-D ray and slab-test it against every box footprint, ``(B, W, N)``;
   because the ray direction has unit camera-z, the ray parameter *is* the z-depth;
2. sort each column's hits front to back (keeping all hits of the chunk as one flat list,
   so empty columns cost nothing) and split each into up to five planar pieces (body
   front face, body roof before the cabin, cabin front face, cabin roof, body roof behind the
   cabin), each a run of rows with depth ``c + A / s`` (``s`` = the row's slope below the
   horizon: ``A = 0`` for vertical faces, ``c = 0`` for roofs);
3. resolve occlusion exactly with a running minimum of the pieces' top rows: boxes have
   disjoint footprints and stand on the ground, so a piece is hidden exactly on the rows at
   or below the highest row already drawn (a "y-buffer"). Every visible piece is one run
   ``[start, end)`` of rows, painted in O(H) per column with a difference array and a
   cumulative sum (occlusion is exact: a brute-force per-pixel ray caster in the tests
   agrees on every pixel);
4. per pixel, read the piece's depth, object, face and part; classify the remaining ground
   pixels by back-projecting them onto the plane ``y = 0``; everything else is sky.

:func:`_render_chunk` runs these steps as stages over a chunk of ``B`` scenes: rays
(:func:`_column_rays`), sorted hits (:func:`_front_to_back_hits`), pieces
(:func:`_split_into_pieces`), occlusion (:func:`_visible_pieces`), per-pixel object surfaces
(:func:`_object_pixels`), labels with ground and sky (:func:`_label_pixels`, the road layout
from :mod:`~synthlearn.sim.traffic.scene`), windows, glass and tyres (:func:`_side_details`)
and colour (:func:`_colour`: shading, cast shadows, haze, sky, wet-road reflections, rain).

Weather, as a camera sees it (appearance only: no effect changes the segmentation, depth,
instance or counts layers, so a car hidden in fog is still labelled and counted):

* rain: haze ``depth / (depth + 35 m)`` (28 m in rain at sunset) towards the grey horizon, so
  contrast falls with depth; a darker wet road that mirrors, per column, what stands on it
  (more at grazing angles, :func:`_wet_reflections`); lit head- and tail lights;
* clear weather: cars cast shadows on the ground (:func:`_car_shadows`), short at noon and
  long at sunset's low sun (3-12 degrees), under a warm sunset light and an orange horizon;
* car lamps (:func:`_lamps`): headlights on the front end face, tail lights on the rear, lit
  (emitting, whatever the light) in rain and at sunset, unlit lenses at clear noon.

Only ``+ - * /``, ``sqrt``, ``floor``/``ceil`` and comparisons touch per-scene data here (no
transcendental functions, reductions or BLAS), so each scene's pixels are bit-for-bit
independent of which other scenes share its chunk.

Returned layers: ``rgb`` uint8 (n, H, W, 3), ``segmentation`` uint8 (n, H, W) (ids in
:data:`~synthlearn.sim.traffic.scene.SEGMENTATION_CLASSES`), ``depth`` float32 (n, H, W)
camera z-depth in metres (:data:`~synthlearn.sim.traffic.scene.SKY_DEPTH` for sky) and
``counts`` int64 (n, 5): per car type, the cars with at least ``min_visible_pixels`` pixels in
the rendered image; with ``return_instance=True`` also ``instance`` int16 (n, H, W), the car
slot index of each pixel or -1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synthlearn.sim.traffic.scene import (
    BUILDING,
    CAR_CLASS_OFFSET,
    CAR_TYPES,
    CENTRE_LINE_RESUME,
    CENTRE_LINE_STOP,
    CROSS_CENTRE_LINE_START,
    CROSS_ROAD_WIDTH,
    CROSSWALK_FAR,
    CROSSWALK_HALF_LENGTH,
    CROSSWALK_NEAR,
    CROSSWALK_STRIPE_PERIOD,
    HORIZONTAL_FOV_DEG,
    INTERSECTIONS,
    LANE_MARKING,
    MARKING_DASH_PERIOD,
    MARKING_DUTY,
    MARKING_HALF_WIDTH,
    ROAD,
    ROAD_HALF_WIDTH,
    SIDEWALK,
    SIDEWALK_WIDTH,
    SKY_DEPTH,
    TERRAIN,
    Scenes,
)

NEAR = 0.05  # metres; nothing is drawn nearer than this
_T_SCALE = 1024  # sort keys hold the entry distance in 1/1024 m ...
_T_MAX = (2**19 - 1) / _T_SCALE  # ... up to ~512 m ...
_IDX_BITS = 7  # ... and the object slot in the low 7 bits
_NO_KEY = np.iinfo(np.int32).max
_PIECES = 5
_CHUNK_PIXELS = 1 << 18  # scenes per chunk = this / (H * W), at least 1 (16 at 128 x 128)

# Faces: 0 up, 1 +x, 2 -x, 3 +z, 4 -z (outward normals).
_NORMALS = np.array([[0, 1, 0], [1, 0, 0], [-1, 0, 0], [0, 0, 1], [0, 0, -1]], np.float32)
_FACE_AMBIENT = np.array([1.0, 0.78, 0.78, 0.78, 0.78], np.float32)  # sides see less sky

# Per weather (clear_noon, clear_sunset, rain_noon, rain_sunset).
_AMBIENT = np.array([[0.40, 0.44, 0.52], [0.46, 0.36, 0.38], [0.52, 0.54, 0.57], [0.36, 0.31, 0.33]], np.float32)
_DIRECT = np.array([[0.80, 0.76, 0.68], [1.10, 0.58, 0.26], [0.10, 0.10, 0.11], [0.22, 0.12, 0.06]], np.float32)
_SKY_TOP = np.array([[0.20, 0.42, 0.85], [0.22, 0.20, 0.45], [0.42, 0.44, 0.48], [0.19, 0.18, 0.22]], np.float32)
_SKY_HORIZON = np.array([[0.70, 0.82, 0.96], [1.00, 0.56, 0.24], [0.62, 0.64, 0.66], [0.50, 0.36, 0.28]], np.float32)
_SUN_GLOW = np.array([[0.10, 0.08, 0.03], [0.55, 0.30, 0.05], [0.02, 0.02, 0.02], [0.12, 0.06, 0.02]], np.float32)
# Half-haze distance (metres): haze = depth / (depth + this). In rain it is heavy rain's
# visibility (about 150 m meteorological visibility: contrast halves every ~35 m, less at dusk).
_FOG_DISTANCE = np.array([700.0, 450.0, 35.0, 28.0], np.float32)
_WET = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.62, 0.75, 0.82], [0.62, 0.75, 0.82]], np.float32)
_RAINY = np.array([False, False, True, True])
# Wet road: share of the mirrored scene in a road pixel, rising towards grazing angles (Fresnel):
# _WET_REFLECT_NEAR at the camera, -> _WET_REFLECT_NEAR + _WET_REFLECT_GRAZING far away,
# half-way at _WET_REFLECT_DISTANCE metres.
_WET_REFLECT_NEAR, _WET_REFLECT_GRAZING, _WET_REFLECT_DISTANCE = 0.15, 0.4, 12.0
# Cars cast shadows on the ground under a clear sky (long ones at sunset's low sun); in rain
# the direct light is too weak to cast any.
_SHADOWS = np.array([True, True, False, False])
# Car lamps are lit in rain and at sunset (dusk), unlit at clear noon.
_LAMPS_LIT = np.array([False, True, True, True])
_HEADLIGHT_LIT = np.array([1.0, 0.97, 0.85], np.float32)  # emitted, independent of the light
_TAILLIGHT_LIT = np.array([1.0, 0.10, 0.06], np.float32)
_LAMP_LOW, _LAMP_HIGH = 0.05, 0.4  # lamp band, metres above the car's skirt (wheels)
_LAMP_EDGE_MIN, _LAMP_EDGE_MAX = 0.05, 0.6  # lamps lie this far in from an end face's side edges
_STREAK_COLOR = np.array([0.80, 0.82, 0.86], np.float32)
_STREAK_ALPHA = 0.4
_STREAK_MAX_LEN = 0.09  # fraction of the height, matches sample.py

# Extra materials after the objects' own colours.
_GLASS = np.array([0.13, 0.17, 0.22], np.float32)
_TYRE = np.array([0.05, 0.05, 0.05], np.float32)
_WINDOW = np.array([0.17, 0.21, 0.28], np.float32)
_HEADLIGHT = np.array([0.80, 0.80, 0.76], np.float32)  # unlit lens albedo
_TAILLIGHT = np.array([0.45, 0.04, 0.04], np.float32)
_M_ROAD, _M_WALK, _M_TERRAIN, _M_MARK, _M_GLASS, _M_TYRE, _M_WINDOW, _M_HEAD, _M_TAIL = range(9)
_N_EXTRA = 9
_FACES = 6  # light per face orientation: 0 up, 1 +x, 2 -x, 3 +z, 4 -z, 5 up in a cast shadow
_SHADOW_FACE = 5
_GROUND_CLASS = np.array([ROAD, SIDEWALK, TERRAIN, LANE_MARKING], np.uint8)  # by ground material

# Ground layout, from the road geometry in scene.py.
_X = INTERSECTIONS.index("X")
_PAVED_HALF_WIDTH = ROAD_HALF_WIDTH + SIDEWALK_WIDTH  # main road and its sidewalks
# the main road's cross-section is all there is up to this far before the cross road: there
# its centre line stops, the crosswalk starts or the cross road's sidewalk begins
_NEAR_LAYOUT_END = max(CENTRE_LINE_STOP, CROSSWALK_NEAR, SIDEWALK_WIDTH)

# Road/terrain grain: a constant table (not a random draw per scene), the same every run.
_GRAIN_SIZE = 64  # cells per side of the tile
_GRAIN_CELL = 0.25  # metres
_GRAIN = (0.95 + 0.10 * np.random.Generator(np.random.PCG64(20190612)).random(_GRAIN_SIZE**2)).astype(np.float32)
_GRAIN_MAX = 1.05
_SLAB_SIZE = 2.0  # metres, square sidewalk slabs ...
_SEAM_WIDTH = 0.08  # ... with dark seams between them
_SEAM_SHADE = 0.8


class _Camera:
    """Pinhole intrinsics for an ``H`` x ``W`` image with zero pitch."""

    def __init__(self, height: int, width: int) -> None:
        self.H, self.W = height, width
        self.f = np.float32((width / 2) / math.tan(math.radians(HORIZONTAL_FOV_DEG) / 2))
        self.cy = np.float32(height / 2)
        # column slope (x per unit z) and row slope (down per unit z) through pixel centres
        self.a = ((np.arange(width, dtype=np.float32) + 0.5 - np.float32(width / 2)) / self.f).astype(np.float32)
        self.s = ((np.arange(height, dtype=np.float32) + 0.5 - self.cy) / self.f).astype(np.float32)
        below = self.s > 0
        self.inv_s = np.where(below, 1 / np.where(below, self.s, 1), 0).astype(np.float32)
        self.vg = int(np.argmax(below)) if below.any() else height  # first ground row


def default_chunk(height: int, width: int) -> int:
    """Scenes rendered together: about a quarter million pixels per chunk (cache-friendly)."""
    return max(1, _CHUNK_PIXELS // (height * width))


def render(
    scenes: Scenes,
    *,
    min_visible_pixels: int = 1,
    chunk: int | None = None,
    return_instance: bool = False,
) -> dict[str, np.ndarray]:
    """Render ``scenes``; see the module docstring for the layers returned."""
    n, H, W = len(scenes), scenes.height, scenes.width
    if min_visible_pixels < 1:
        raise ValueError(f"min_visible_pixels must be >= 1, got {min_visible_pixels}")
    chunk = default_chunk(H, W) if chunk is None else int(chunk)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    out = {
        "rgb": np.empty((n, H, W, 3), np.uint8),
        "segmentation": np.empty((n, H, W), np.uint8),
        "depth": np.empty((n, H, W), np.float32),
        "counts": np.zeros((n, len(CAR_TYPES)), np.int64),
    }
    if return_instance:
        out["instance"] = np.empty((n, H, W), np.int16)
    cam = _Camera(H, W)
    for s0 in range(0, n, chunk):
        sl = slice(s0, min(n, s0 + chunk))
        part = scenes.select(sl)
        instance = _render_chunk(part, cam, out["rgb"][sl], out["segmentation"][sl], out["depth"][sl])
        out["counts"][sl] = visible_counts(instance, part.car_type, min_visible_pixels)
        if return_instance:
            out["instance"][sl] = instance
    return out


def visible_counts(instance: np.ndarray, car_type: np.ndarray, min_visible_pixels: int) -> np.ndarray:
    """Per scene and car type, the number of cars with ``>= min_visible_pixels`` pixels.

    ``instance`` is (B, H, W) car slot per pixel (-1: no car), ``car_type`` (B, C) the type of
    each slot (-1: empty). Returns int64 (B, len(CAR_TYPES)).
    """
    B, C = car_type.shape
    mask = instance >= 0
    flat = (np.arange(B, dtype=np.int64)[:, None, None] * C + instance)[mask]
    pixels = np.bincount(flat, minlength=B * C).reshape(B, C)
    visible = (pixels >= min_visible_pixels) & (car_type >= 0)
    slot = (np.arange(B)[:, None] * len(CAR_TYPES) + np.maximum(car_type, 0))[visible]
    return np.bincount(slot, minlength=B * len(CAR_TYPES)).reshape(B, len(CAR_TYPES)).astype(np.int64)


def _render_chunk(sc: Scenes, cam: _Camera, rgb_out: np.ndarray, seg_out: np.ndarray,
                  depth_out: np.ndarray) -> np.ndarray:
    """Render ``B`` scenes into ``rgb_out`` (B, H, W, 3) uint8, ``seg_out`` (B, H, W) uint8 and
    ``depth_out`` (B, H, W) float32; returns the car slot of each pixel, (B, H, W) int16, -1 for none."""
    rays = _column_rays(sc, cam)
    hits = _front_to_back_hits(sc, rays)
    pieces = _split_into_pieces(sc, cam, rays, hits)
    tables = _PieceTables(hits, pieces, _visible_pieces(cam, pieces, len(sc)))
    code, depth = _object_pixels(cam, pieces, tables)
    px = _label_pixels(sc, cam, rays, code, depth)
    _side_details(sc, cam, px, tables, pieces.along)
    _colour(sc, cam, rays, px, rgb_out)
    seg_out[...] = px.segmentation
    depth_out[...] = px.depth
    return px.instance


@dataclass
class _Rays:
    """One horizontal ray per image column of each of ``B`` scenes, parametrised by z-depth.

    Attributes:
        dx, dz: (B, W) float32 world x and z per unit depth (``|dx| >= 1e-7``, ``dz > 0``).
        inv_dx, inv_dz: (B, W, 1) float32 their reciprocals, shaped to broadcast over objects.
    """

    dx: np.ndarray
    dz: np.ndarray
    inv_dx: np.ndarray
    inv_dz: np.ndarray


def _column_rays(sc: Scenes, cam: _Camera) -> _Rays:
    """The ray through each column's pixel centres, turned by its scene's camera yaw."""
    f32 = np.float32
    sin_yaw, cos_yaw = sc.cam_dir[:, 0:1], sc.cam_dir[:, 1:2]
    dx = cam.a[None, :] * cos_yaw + sin_yaw
    dz = cos_yaw - cam.a[None, :] * sin_yaw
    dx = np.where(np.abs(dx) < f32(1e-7), f32(1e-7), dx)
    return _Rays(dx, dz, (1 / dx)[:, :, None], (1 / dz)[:, :, None])


def _slab(lo: np.ndarray, hi: np.ndarray, ox: np.ndarray, inv_dx: np.ndarray, inv_dz: np.ndarray):
    """Slab test of rays from ``(ox, 0)`` against upright boxes with footprints ``[lo, hi]``.

    ``lo``, ``hi`` are (..., 2) footprint corners (x, z); ``lo[..., 0]``, ``ox``, ``inv_dx`` and
    ``inv_dz`` broadcast to one shape. Returns, each of that shape, ``t_in`` and ``t_out``, the
    depths where the ray enters and leaves the footprint (a miss has ``t_in >= t_out``), and
    ``x_entry``, True if it enters through a face facing +-x rather than +-z.
    """
    tx0 = (lo[..., 0] - ox) * inv_dx
    tx1 = (hi[..., 0] - ox) * inv_dx
    x_near = np.minimum(tx0, tx1)
    z_near = lo[..., 1] * inv_dz
    t_in = np.maximum(x_near, z_near)
    t_out = np.minimum(np.maximum(tx0, tx1), hi[..., 1] * inv_dz)
    return t_in, t_out, x_near > z_near


@dataclass
class _Hits:
    """Every ray-box hit of a chunk as one flat list of ``M`` hits: columns in (scene, column)
    order, front to back within each column.

    Attributes:
        per_column: (B * W,) int64 number of hits in each column.
        column: (M,) int64 flat column index ``scene * W + column``.
        rank: (M,) int64 place within the column, 0 the nearest.
        obj: (M,) int32 object slot hit.
        t_in, t_out: (M,) float32 depth where the ray enters and leaves the box.
        x_entry: (M,) bool the ray enters through a face facing +-x (else one facing +-z).
    """

    per_column: np.ndarray
    column: np.ndarray
    rank: np.ndarray
    obj: np.ndarray
    t_in: np.ndarray
    t_out: np.ndarray
    x_entry: np.ndarray


def _front_to_back_hits(sc: Scenes, rays: _Rays) -> _Hits:
    """Slab-test every column's ray against every box footprint, (B, W, N), and sort each
    column's hits front to back into one flat list (so empty columns cost nothing later)."""
    f32 = np.float32
    N = max(1, int(sc.obj_valid.sum(axis=1).max()))  # valid slots come first
    tn, tf, x_entry = _slab(sc.obj_min[:, None, :N], sc.obj_max[:, None, :N], sc.cam_x[:, None, None],
                            rays.inv_dx, rays.inv_dz)
    hit = (tn < tf) & (tn > NEAR) & sc.obj_valid[:, None, :N]
    per_column = hit.sum(axis=2).ravel()
    K = max(1, int(per_column.max()))
    key = np.where(hit, (np.minimum(tn, f32(_T_MAX)) * f32(_T_SCALE)).astype(np.int32) << _IDX_BITS
                   | np.arange(N, dtype=np.int32), _NO_KEY)
    key.sort(axis=2)
    key = key[:, :, :K].ravel()
    sel = np.flatnonzero(key != _NO_KEY)  # hits come first in every column
    column = sel // K
    obj = key[sel] & ((1 << _IDX_BITS) - 1)
    g = column * N + obj
    return _Hits(per_column, column, sel - column * K, obj, tn.ravel()[g], tf.ravel()[g], x_entry.ravel()[g])


@dataclass
class _Pieces:
    """The five planar pieces of each of ``M`` hits, ``P = 5 M`` pieces in hit order: body front
    face, body roof before the cabin, cabin front face, cabin roof, body roof behind the cabin
    (the last three empty unless the ray meets a cabin).

    Attributes:
        column: (P,) int64 flat column index of each piece.
        index: (P,) int64 1-based place of the piece within its column, front to back.
        top, bottom: (P,) int32 the rows ``[top, bottom)`` the piece covers before occlusion
            (``top == bottom == H``: empty).
        depth_const, depth_slope: (M, 5) float32 depth on a row of slope ``s`` below the horizon:
            ``depth_const + depth_slope / s`` (``depth_slope`` is 0 on faces, ``depth_const`` 0 on roofs).
        code: (M, 5) int16 ``(object slot + 1) << 4``, plus 8 on the cabin, plus the face on a
            side face (1 +x, 2 -x, 3 +z, 4 -z, as the outward normal; roofs 0).
        along: (M, 5) float32 position along a side face (z on faces facing +-x, else x); 0 on roofs.
    """

    column: np.ndarray
    index: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    depth_const: np.ndarray
    depth_slope: np.ndarray
    code: np.ndarray
    along: np.ndarray


def _rows(cam: _Camera, hc: np.ndarray, y: np.ndarray | float, t: np.ndarray) -> np.ndarray:
    """First pixel row whose centre lies at or below the image of height ``y`` at depth ``t``."""
    p = cam.cy + cam.f * (hc - y) / t
    return np.ceil(np.clip(p - np.float32(0.5), -1, cam.H + 1)).astype(np.int32)


def _split_into_pieces(sc: Scenes, cam: _Camera, rays: _Rays, hits: _Hits) -> _Pieces:
    """Split each hit into its five planar pieces: where the ray meets the body and its cabin."""
    f32 = np.float32
    H = cam.H
    b = hits.column // cam.W
    ob = b * sc.obj_top.shape[1] + hits.obj
    dx, dz = rays.dx.ravel()[hits.column], rays.dz.ravel()[hits.column]
    ox, hc = sc.cam_x[b], sc.cam_height[b]
    top, ctop = sc.obj_top.ravel()[ob], sc.cab_top.ravel()[ob]
    t_in, t_out, x_entry = hits.t_in, hits.t_out, hits.x_entry
    c_in, c_out, cab_x_entry = _slab(sc.cab_min.reshape(-1, 2)[ob], sc.cab_max.reshape(-1, 2)[ob], ox,
                                     rays.inv_dx.ravel()[hits.column], rays.inv_dz.ravel()[hits.column])
    cab = sc.obj_has_cab.ravel()[ob] & (c_in < c_out)
    c_in, c_out = np.where(cab, c_in, f32(1)), np.where(cab, c_out, f32(2))
    face_x, face_z = np.where(dx > 0, 2, 1), np.where(dz > 0, 4, 3)
    face_body = np.where(x_entry, face_x, face_z)
    face_cab = np.where(cab_x_entry, face_x, face_z)

    r_body_bot = _rows(cam, hc, 0.0, t_in)
    r_body_front = _rows(cam, hc, top, t_in)
    r_cab_bot = _rows(cam, hc, top, np.where(cab, c_in, t_out))
    r_cab_front = _rows(cam, hc, ctop, c_in)
    r_cab_roof = _rows(cam, hc, ctop, c_out)
    r_roof_back = _rows(cam, hc, top, t_out)
    r_cab_back = _rows(cam, hc, top, c_out)
    empty = np.int32(H)
    tops = np.stack([r_body_front, r_cab_bot, np.where(cab, r_cab_front, empty),
                     np.where(cab, r_cab_roof, empty), np.where(cab, r_roof_back, empty)], axis=1).ravel()
    bottoms = np.stack([r_body_bot, r_body_front, np.where(cab, r_cab_bot, empty),
                        np.where(cab, r_cab_front, empty), np.where(cab, r_cab_back, empty)], axis=1).ravel()
    zero = np.zeros_like(t_in)
    tag = (hits.obj + 1) << 4
    along_body = np.where(x_entry, t_in * dz, ox + t_in * dx)
    along_cab = np.where(cab_x_entry, c_in * dz, ox + c_in * dx)
    return _Pieces(
        column=np.repeat(hits.column, _PIECES),
        index=((hits.rank * _PIECES)[:, None] + np.arange(1, _PIECES + 1)).ravel(),
        top=tops,
        bottom=bottoms,
        depth_const=np.stack([t_in, zero, c_in, zero, zero], axis=1),
        depth_slope=np.stack([zero, hc - top, zero, hc - ctop, hc - top], axis=1),
        code=np.stack([tag | face_body, tag, tag | 8 | face_cab, tag | 8, tag], axis=1).astype(np.int16),
        along=np.stack([along_body, zero, along_cab, zero, zero], axis=1),
    )


def _visible_pieces(cam: _Camera, pieces: _Pieces, n_scenes: int) -> np.ndarray:
    """Per pixel, the place within its column (``_Pieces.index``) of the piece seen there, 0 for
    none: (B, H, W) int16.

    A piece is hidden exactly at and below the highest row drawn by the pieces in front of it
    (a y-buffer), so each visible piece is one run of rows ``[start, end)``, painted with a
    difference array and a cumulative sum.
    """
    H, W = cam.H, cam.W
    # running minimum of the tops within each column: offset columns so that earlier columns
    # can never win, then one global running minimum
    spread = np.int64(H + 8)
    offset = pieces.column * spread
    highest = np.minimum.accumulate(pieces.top - offset)
    above = np.concatenate([[np.int64(H)], highest[:-1]]) + offset  # > H at a column's start
    start = np.clip(pieces.top, 0, H)
    end = np.clip(np.minimum(pieces.bottom, above), 0, H)
    vis = start < end
    pc = pieces.column[vis]
    col = (pc // W) * ((H + 1) * W) + pc % W
    ids = pieces.index[vis].astype(np.int16)
    diff = np.zeros((n_scenes, H + 1, W), np.int16)
    d = diff.reshape(-1)
    d[col + start[vis] * W] = ids  # runs in a column never share a start ...
    d[col + end[vis] * W] -= ids  # ... nor an end
    return np.cumsum(diff[:, :H], axis=1, dtype=np.int16)


class _PieceTables:
    """Reads per-piece values per pixel through one flat table per value: each column owns a
    block of it, a "no piece" slot (value 0) followed by its pieces front to back."""

    def __init__(self, hits: _Hits, pieces: _Pieces, visible: np.ndarray) -> None:
        """``visible`` is the (B, H, W) output of :func:`_visible_pieces`."""
        B, _, W = visible.shape
        block = (np.cumsum(hits.per_column) - hits.per_column) * _PIECES + np.arange(B * W)
        self._slot = block[pieces.column] + pieces.index
        self._size = int(hits.column.size) * _PIECES + B * W
        self._pixel_slot = block.reshape(B, 1, W) + visible  # (B, H, W)

    def _table(self, values: np.ndarray) -> np.ndarray:
        table = np.zeros(self._size, values.dtype)
        table[self._slot] = values.ravel()
        return table

    def per_pixel(self, values: np.ndarray) -> np.ndarray:
        """(M, 5) values per piece -> (B, H, W) the value of the piece seen at each pixel."""
        return self._table(values).take(self._pixel_slot)

    def at(self, values: np.ndarray, pixels: np.ndarray) -> np.ndarray:
        """(M, 5) values per piece -> (k,) the value at the flat (B * H * W) pixel indices ``pixels``."""
        return self._table(values).take(self._pixel_slot.reshape(-1)[pixels])


def _object_pixels(cam: _Camera, pieces: _Pieces, tables: _PieceTables) -> tuple[np.ndarray, np.ndarray]:
    """Piece code (see :class:`_Pieces`) and depth of the object seen at each pixel, both
    (B, H, W): int16 and float32, 0 and 0 where no object is seen."""
    code = tables.per_pixel(pieces.code)
    depth = tables.per_pixel(pieces.depth_const) + tables.per_pixel(pieces.depth_slope) * cam.inv_s[None, :, None]
    return code, depth


@dataclass
class _Pixels:
    """What each pixel of a chunk shows, ``B`` scenes of ``H`` x ``W`` pixels whose first ``vg``
    rows lie above the horizon and last ``Hg = H - vg`` below it.

    Attributes:
        code: (B, H, W) int16 piece code of an object pixel (see :class:`_Pieces`), 0 elsewhere.
        depth: (B, H, W) float32 camera z-depth, :data:`SKY_DEPTH` for sky.
        segmentation: (B, H, W) uint8 class id.
        instance: (B, H, W) int16 car slot, -1 for none.
        material: (B, H, W) int16 palette entry: object slot + 1, or ``NO + 1`` + an extra
            material (``_M_*``) for ground, glass, tyres and windows.
        texture: (B, Hg, W) float32 brightness factor of ground pixels.
        ground: (B, Hg, W) bool pixels of the ground rows that show the ground.
        sky: (B, vg, W) bool pixels of the sky rows that show the sky.
    """

    code: np.ndarray
    depth: np.ndarray
    segmentation: np.ndarray
    instance: np.ndarray
    material: np.ndarray
    texture: np.ndarray
    ground: np.ndarray
    sky: np.ndarray


def _label_pixels(sc: Scenes, cam: _Camera, rays: _Rays, code: np.ndarray, depth: np.ndarray) -> _Pixels:
    """Label the object pixels (``code``, ``depth`` from :func:`_object_pixels`, edited in place)
    and fill the others with the ground, back-projected onto ``y = 0``, or the sky."""
    B, NO = sc.obj_top.shape
    vg = cam.vg
    obj_px = code >> 4  # object slot + 1, 0: ground or sky
    is_obj = obj_px > 0
    ground, sky = ~is_obj[:, vg:], ~is_obj[:, :vg]
    ground_depth = sc.cam_height[:, None, None] * cam.inv_s[None, vg:, None]  # (B, Hg, 1)
    ground_material, ground_class, texture = _ground(sc, cam, rays, ground_depth)

    ob_px = (np.arange(B) * (NO + 1))[:, None, None] + obj_px
    cls_table = np.concatenate([np.zeros((B, 1), np.uint8), sc.obj_class], axis=1).reshape(-1)
    segmentation = cls_table.take(ob_px)
    np.copyto(segmentation[:, vg:], ground_class, where=ground)
    inst_table = np.concatenate([np.full((B, 1), -1, np.int16), sc.obj_car.astype(np.int16)], axis=1).reshape(-1)
    instance = inst_table.take(ob_px)

    np.copyto(depth[:, vg:], np.broadcast_to(ground_depth, ground.shape), where=ground)
    np.copyto(depth[:, :vg], np.float32(SKY_DEPTH), where=sky)

    material = obj_px.astype(np.int16)
    ground_material += np.int16(NO + 1)
    np.copyto(material[:, vg:], ground_material, where=ground)
    return _Pixels(code, depth, segmentation, instance, material, texture, ground, sky)


def _ground(sc: Scenes, cam: _Camera, rays: _Rays, ground_depth: np.ndarray):
    """Material index, class and brightness texture of the ground rows, each (B, Hg, W), for the
    ground depth ``ground_depth`` (B, Hg, 1) of each row.

    Rows whose every point lies before the first change of the main road's cross-section in
    every scene of the chunk (most rows) only need that cross-section; the few rows near the
    horizon get the full layout.
    """
    B, Hg, W = ground_depth.shape[0], cam.H - cam.vg, cam.W
    # depth up to which no ray reaches past the near layout
    reach = (sc.road_length.min() - _NEAR_LAYOUT_END) / max(float(rays.dz.max()), 1e-6)
    split = int(np.searchsorted(-(ground_depth.max(axis=0)[:, 0]), -reach, side="left"))
    material = np.empty((B, Hg, W), np.int16)
    texture = np.empty((B, Hg, W), np.float32)
    x0 = sc.cam_x[:, None, None]
    for rows, full in ((slice(0, split), True), (slice(split, Hg), False)):
        if rows.start >= rows.stop:
            continue
        t = ground_depth[:, rows]
        X = x0 + t * rays.dx[:, None, :]
        Z = t * rays.dz[:, None, :]
        material[:, rows], texture[:, rows] = (_ground_full if full else _ground_near)(sc, X, Z)
    return material, _GROUND_CLASS.take(material), texture


def _ground_near(sc: Scenes, X: np.ndarray, Z: np.ndarray):
    """Material and texture of ground points ``(X, Z)`` (each (B, h, W)) nearer than
    ``_NEAR_LAYOUT_END`` before the cross road: main road, its centre line, sidewalks, terrain."""
    ax = np.abs(X)
    road, paved = ax <= ROAD_HALF_WIDTH, ax <= _PAVED_HALF_WIDTH
    material = np.int16(_M_TERRAIN) - paved  # terrain 2, sidewalk 1, road 0
    material -= road
    material[(ax < MARKING_HALF_WIDTH) & _dashes(Z, MARKING_DASH_PERIOD)] = _M_MARK
    return material, _texture(X, Z, paved & ~road)


def _ground_full(sc: Scenes, X: np.ndarray, Z: np.ndarray):
    """Material and texture of ground points ``(X, Z)`` (each (B, h, W)) anywhere: both roads,
    markings, crosswalk, sidewalks and terrain."""
    f32 = np.float32
    D = sc.road_length[:, None, None]
    inter = sc.intersection[:, None, None]
    turn = sc.turn[:, None, None]
    inf = f32(np.inf)
    cross_far = D + CROSS_ROAD_WIDTH
    main_end = np.where(inter == _X, inf, cross_far)
    x_lo = np.where(turn == 1, f32(-ROAD_HALF_WIDTH), -inf)  # L to the right: cross road from the main road's left edge
    x_hi = np.where(turn == -1, f32(ROAD_HALF_WIDTH), inf)
    ax = np.abs(X)
    on_cross = (Z >= D) & (Z <= cross_far)
    road = ((ax <= ROAD_HALF_WIDTH) & (Z <= main_end)) | (on_cross & (X >= x_lo) & (X <= x_hi))
    paved = (((ax <= _PAVED_HALF_WIDTH) & (Z <= main_end + SIDEWALK_WIDTH))
             | ((Z >= D - SIDEWALK_WIDTH) & (Z <= D + (CROSS_ROAD_WIDTH + SIDEWALK_WIDTH))
                & (X >= x_lo - SIDEWALK_WIDTH) & (X <= x_hi + SIDEWALK_WIDTH)))
    centre = ((ax < MARKING_HALF_WIDTH) & _dashes(Z, MARKING_DASH_PERIOD)
              & ((Z < D - CENTRE_LINE_STOP) | (Z > D + (CROSS_ROAD_WIDTH + CENTRE_LINE_RESUME))))
    cross_centre = ((np.abs(Z - (D + CROSS_ROAD_WIDTH / 2)) < MARKING_HALF_WIDTH)
                    & _dashes(X, MARKING_DASH_PERIOD) & (ax > CROSS_CENTRE_LINE_START))
    zebra = ((Z > D - CROSSWALK_NEAR) & (Z < D - CROSSWALK_FAR) & (ax < CROSSWALK_HALF_LENGTH)
             & _dashes(X, CROSSWALK_STRIPE_PERIOD))
    mark = road & (centre | cross_centre | zebra)
    material = np.where(road, np.where(mark, _M_MARK, _M_ROAD), np.where(paved, _M_WALK, _M_TERRAIN)).astype(np.int16)
    return material, _texture(X, Z, paved & ~road)


def _dashes(coord: np.ndarray, period: float) -> np.ndarray:
    """True where ``coord`` (metres, any shape) lies on the painted part of a dash pattern of
    ``period`` metres starting at 0, painted over the first ``MARKING_DUTY`` of each period."""
    phase = coord * np.float32(1 / period)
    phase -= np.floor(phase)
    return phase < MARKING_DUTY


def _texture(X: np.ndarray, Z: np.ndarray, sidewalk: np.ndarray) -> np.ndarray:
    """Brightness factor of ground points ``(X, Z)`` (each (B, h, W)): a fixed random grain per
    ``_GRAIN_CELL`` cell (+-5 %, tiled every ``_GRAIN_SIZE`` cells) and dark seams between the
    sidewalk slabs (``sidewalk`` marks the sidewalk points)."""
    ix = np.floor(X * (1 / _GRAIN_CELL)).astype(np.int32) & (_GRAIN_SIZE - 1)
    iz = np.floor(Z * (1 / _GRAIN_CELL)).astype(np.int32) & (_GRAIN_SIZE - 1)
    texture = _GRAIN.take(iz * _GRAIN_SIZE + ix)
    seam = (((X - np.floor(X * (1 / _SLAB_SIZE)) * _SLAB_SIZE) < _SEAM_WIDTH)
            | ((Z - np.floor(Z * (1 / _SLAB_SIZE)) * _SLAB_SIZE) < _SEAM_WIDTH))
    texture[sidewalk & seam] = _SEAM_SHADE
    return texture


def _side_details(sc: Scenes, cam: _Camera, px: _Pixels, tables: _PieceTables, piece_along: np.ndarray) -> None:
    """Windows on building facades, glass and tyres on the sides of cars: edits ``px.material``
    (B, H, W); ``piece_along`` is :attr:`_Pieces.along` (M, 5)."""
    B, H, W = px.material.shape
    NO = sc.obj_top.shape[1]
    f32 = np.float32
    # per (scene, object slot + 1, part): glass band low/high, skirt, top of the windows
    bands = np.zeros((B, NO + 1, 2, 4), f32)
    bands[..., 2] = -1  # no skirt
    bands[..., 3] = -1  # no facade windows
    bands[:, 1:, 0, 0:2] = sc.obj_glass
    bands[:, 1:, 0, 2] = np.where(sc.obj_car >= 0, sc.obj_skirt, f32(-1))
    bands[:, 1:, 1, 0] = sc.obj_top
    bands[:, 1:, 1, 1] = sc.cab_top - f32(0.07)
    bands[:, 1:, 0, 3] = np.where(sc.obj_class == BUILDING, sc.obj_top - f32(0.8), f32(-1))
    bands = bands.reshape(-1, 4)

    idx = np.flatnonzero(((px.code & 7) > 0) & (px.code >= 16))  # side faces of objects
    if idx.size == 0:
        return
    b = idx // (H * W)
    v = (idx // W) % H
    row = bands.take(b * ((NO + 1) * 2) + (px.code.reshape(-1)[idx] >> 3), axis=0)  # (n, 4)
    h = sc.cam_height[b] - px.depth.reshape(-1)[idx] * cam.s[v]  # height of the hit point
    along = tables.at(piece_along, idx)
    fl = h * f32(1 / 3.3)
    fl -= np.floor(fl)
    fa = along * f32(1 / 3.1)
    fa -= np.floor(fa)
    fs = along * f32(1 / 5.3)
    fs -= np.floor(fs)
    upper = (h > 3.0) & (h < row[:, 3]) & (fl > 0.3) & (fl < 0.78) & (fa > 0.22) & (fa < 0.72)
    shop = (h > 0.5) & (h < 2.5) & (fs > 0.1) & (fs < 0.55) & (row[:, 3] > 0)
    glass = (h > row[:, 0]) & (h < row[:, 1])
    tyre = h < row[:, 2]
    m = px.material.reshape(-1)
    new = m[idx]
    new[upper | shop] = NO + 1 + _M_WINDOW
    new[glass] = NO + 1 + _M_GLASS
    new[tyre] = NO + 1 + _M_TYRE
    low = np.flatnonzero((h < row[:, 2] + f32(_LAMP_HIGH)) & (h > row[:, 2] + f32(_LAMP_LOW)))  # cars' lamp band
    head, tail = _lamps(sc, px.code.reshape(-1)[idx[low]], b[low], along[low])
    new[low[head]] = NO + 1 + _M_HEAD
    new[low[tail]] = NO + 1 + _M_TAIL
    m[idx] = new


def _lamps(sc: Scenes, code: np.ndarray, b: np.ndarray, along: np.ndarray):
    """Head- and tail-light pixels among ``k`` side-face pixels of cars at the height of the lamp
    band above their skirt: their piece ``code``, scene ``b`` and position ``along`` the face,
    each (k,). Returns two (k,) bool masks.

    Lamps sit on a car body's two end faces (a truck: headlights on its cab, tail lights on its
    cargo box), in a band just above the wheels, near both side edges. The front is where the
    car drives: cars on the main road drive on the right (+z right of the centre line), cars on
    the cross road towards +x in its near lane.
    """
    NO = sc.obj_top.shape[1]
    ob = b * NO + (code >> 4) - 1
    face = code & 7
    mn, mx = sc.obj_min.reshape(-1, 2)[ob], sc.obj_max.reshape(-1, 2)[ob]
    cx, cz = (mn[:, 0] + mx[:, 0]) * np.float32(0.5), (mn[:, 1] + mx[:, 1]) * np.float32(0.5)
    D = sc.road_length[b]
    cross = (cz > D) & (cz < D + CROSS_ROAD_WIDTH)  # drives along x
    forward = np.where(cross, cz < D + CROSS_ROAD_WIDTH / 2, cx > 0)  # towards +x / +z
    end = np.where(cross, face <= 2, face >= 3)
    front = face == np.where(cross, np.where(forward, 1, 2), np.where(forward, 3, 4))
    lo, hi = np.where(cross, mn[:, 1], mn[:, 0]), np.where(cross, mx[:, 1], mx[:, 0])
    edge = np.minimum(along - lo, hi - along)
    lamp = (((code & 8) == 0) & end & (edge > np.float32(_LAMP_EDGE_MIN)) & (edge < np.float32(_LAMP_EDGE_MAX)))
    glass = sc.obj_glass.reshape(-1, 2)[ob]
    truck = sc.obj_class.reshape(-1)[ob] == CAR_CLASS_OFFSET + CAR_TYPES.index("truck")
    cab = glass[:, 1] > glass[:, 0]  # of a truck: its cab has windows, its cargo box none
    return lamp & front & ~(truck & ~cab), lamp & ~front & ~(truck & cab)


def _colour(sc: Scenes, cam: _Camera, rays: _Rays, px: _Pixels, rgb_out: np.ndarray) -> None:
    """Shade, cast shadows, haze, sky, wet-road reflections and rain: writes ``rgb_out`` (B, H, W, 3) uint8."""
    f32 = np.float32
    B, NO = sc.obj_top.shape
    H, W, vg = cam.H, cam.W, cam.vg
    weather = sc.weather
    shaded = _shaded_colours(sc)
    index = ((np.arange(B) * (NO + 1 + _N_EXTRA))[:, None, None] + px.material) * _FACES + (px.code & 7)  # (B, H, W)
    shadow = _car_shadows(sc, cam, rays, px)
    if shadow is not None:
        index[:, vg:] += np.int64(_SHADOW_FACE) * shadow
    reflection = _wet_reflections(sc, cam, px)

    haze = px.depth / (px.depth + _FOG_DISTANCE[weather][:, None, None])
    gain = 1 - haze
    np.multiply(gain[:, vg:], px.texture, out=gain[:, vg:], where=px.ground)
    fog = np.minimum(_SKY_HORIZON[weather] * (sc.exposure * f32(255))[:, None], f32(255))  # (B, 3)
    sky = _sky(sc, cam, rays)  # 3 x (B, vg, W), 0..255
    streaks = _rain_pixels(sc, cam)
    plane = np.empty((B, H, W), f32)
    extra = np.empty((B, H, W), f32)
    for c in range(3):
        shaded[c].take(index, out=plane)
        plane *= gain
        np.multiply(haze, fog[:, c, None, None], out=extra)
        extra += f32(0.5)  # the uint8 cast below truncates: +0.5 rounds
        plane += extra
        np.copyto(plane[:, :vg], sky[c], where=px.sky)
        if reflection is not None:
            dst, src, share = reflection
            flat = plane.reshape(-1)
            flat[dst] = flat[dst] * (1 - share) + flat[src] * share
        if streaks is not None:
            flat = plane.reshape(-1)
            flat[streaks] = flat[streaks] * f32(1 - _STREAK_ALPHA) + f32(255 * _STREAK_ALPHA) * _STREAK_COLOR[c]
        np.copyto(rgb_out[..., c], plane, casting="unsafe")  # all values in [0, 256)


def _shaded_colours(sc: Scenes) -> np.ndarray:
    """Albedo x light of every (scene, palette entry, face) per channel, in 0..255: (3, B * M * _FACES)
    float32 for ``M = NO + 1 + _N_EXTRA`` palette entries (see :func:`_palette`), capped so that
    x texture (<= ``_GRAIN_MAX``) + haze + 0.5 stays below 256: no clipping pass. Lit lamps emit
    their colour whatever the light."""
    f32 = np.float32
    B, NO = sc.obj_top.shape
    shaded = _palette(sc)[:, :, None, :] * _face_light(sc)[:, None, :, :] * f32(255)
    lit = np.flatnonzero(_LAMPS_LIT[sc.weather])
    shaded[lit, NO + 1 + _M_HEAD] = _HEADLIGHT_LIT * f32(255)
    shaded[lit, NO + 1 + _M_TAIL] = _TAILLIGHT_LIT * f32(255)
    np.minimum(shaded, f32(255 / _GRAIN_MAX), out=shaded)
    return shaded.reshape(-1, 3).T.copy()


def _face_light(sc: Scenes) -> np.ndarray:
    """Light falling on each face orientation (0 up, 1 +x, 2 -x, 3 +z, 4 -z, 5 up in a cast
    shadow): (B, _FACES, 3) float32, ambient plus Lambertian sun (none in a shadow), times exposure."""
    weather, sun = sc.weather, sc.sun
    lambert = np.maximum(sun[:, None, 0] * _NORMALS[None, :, 0] + sun[:, None, 1] * _NORMALS[None, :, 1]
                         + sun[:, None, 2] * _NORMALS[None, :, 2], 0)  # (B, 5), no BLAS
    light = np.empty((len(sc), _FACES, 3), np.float32)
    light[:, :5] = (_AMBIENT[weather][:, None, :] * _FACE_AMBIENT[None, :, None]
                    + _DIRECT[weather][:, None, :] * lambert[:, :, None])
    light[:, _SHADOW_FACE] = _AMBIENT[weather] * _FACE_AMBIENT[0]
    return light * sc.exposure[:, None, None]


def _car_shadows(sc: Scenes, cam: _Camera, rays: _Rays, px: _Pixels) -> np.ndarray | None:
    """Ground pixels in the shadow of a car, (B, Hg, W) bool, or None if no scene casts shadows.

    In the weathers of :data:`_SHADOWS`, a ground point is in shadow when its ray towards the
    sun passes through a car's footprint below the car's highest point (its cabin's top if it
    has one); the shadow of a car at elevation ``e`` is ``height / tan(e)`` long, so at sunset's
    3-12 degrees a 1.4 m sedan casts 7-27 m. Cars shade the ground only (not each other), and
    buildings cast none. Each car's test runs only on the band of ground rows its shadow can
    reach in the chunk.
    """
    f32 = np.float32
    ib = np.flatnonzero(_SHADOWS[sc.weather])
    car_slots = sc.obj_valid[ib] & (sc.obj_car[ib] >= 0)
    if ib.size == 0 or not car_slots.any():
        return None
    vg = cam.vg
    n_slots = int(np.flatnonzero(car_slots.any(axis=0)).max()) + 1  # valid cars come first
    depth = sc.cam_height[ib, None, None] * cam.inv_s[None, vg:, None]  # (b, Hg, 1)
    X = sc.cam_x[ib, None, None] + depth * rays.dx[ib, None, :]
    Z = depth * rays.dz[ib, None, :]
    sun = sc.sun[ib]
    sx = np.where(np.abs(sun[:, 0]) < f32(1e-6), f32(1e-6), sun[:, 0])
    sz = np.where(np.abs(sun[:, 2]) < f32(1e-6), f32(1e-6), sun[:, 2])
    inv_sx, inv_sz = (1 / sx)[:, None, None], (1 / sz)[:, None, None]
    top = np.maximum(sc.obj_top[ib, :n_slots], np.where(sc.obj_has_cab[ib, :n_slots], sc.cab_top[ib, :n_slots], 0))
    reach = top / sun[:, 1:2]  # (b, n_slots) metres along the sun ray until it clears the car
    # z-range of each shadow: the footprint swept back along the sun's horizontal direction
    z_lo = sc.obj_min[ib, :n_slots, 1] - reach * np.maximum(sun[:, 2:3], 0)
    z_hi = sc.obj_max[ib, :n_slots, 1] - reach * np.minimum(sun[:, 2:3], 0)
    row_near = depth.max(axis=0)[:, 0]  # (Hg,) deepest and shallowest ground depth per row
    row_far = depth.min(axis=0)[:, 0]
    dz_lo, dz_hi = float(rays.dz[ib].min()), float(rays.dz[ib].max())
    shadow = np.zeros((len(ib), cam.H - vg, cam.W), bool)
    for j in range(n_slots):
        on = car_slots[:, j]
        if not on.any():
            continue
        t_lo = float(z_lo[on, j].min()) / dz_hi - 1.0  # a margin of 1 m against rounding
        t_hi = float(z_hi[on, j].max()) / dz_lo + 1.0
        rows = np.flatnonzero((row_near >= t_lo) & (row_far <= t_hi))
        if t_hi <= 0 or rows.size == 0:
            continue
        r = slice(int(rows[0]), int(rows[-1]) + 1)
        x, z = X[:, r], Z[:, r]
        tx0 = (sc.obj_min[ib, j, 0][:, None, None] - x) * inv_sx
        tx1 = (sc.obj_max[ib, j, 0][:, None, None] - x) * inv_sx
        tz0 = (sc.obj_min[ib, j, 1][:, None, None] - z) * inv_sz
        tz1 = (sc.obj_max[ib, j, 1][:, None, None] - z) * inv_sz
        t_in = np.maximum(np.minimum(tx0, tx1), np.minimum(tz0, tz1))
        t_out = np.minimum(np.maximum(tx0, tx1), np.maximum(tz0, tz1))
        hit = (t_in < t_out) & (t_out > 0) & (t_in < reach[:, j, None, None]) & on[:, None, None]
        shadow[:, r] |= hit
    out = np.zeros((len(sc), cam.H - vg, cam.W), bool)
    out[ib] = shadow & px.ground[ib]
    return out


def _wet_reflections(sc: Scenes, cam: _Camera, px: _Pixels):
    """Wet road in rain: each road or lane-marking pixel mirrors the image above it.

    The road is a mirror at ``y = 0``: the reflection of an object standing on the ground
    appears mirrored about the object's base. Per column, a ground pixel at row ``v`` whose run
    of ground pixels starts at row ``b`` (the base of the nearest thing standing behind it, or
    the horizon) shows the pixel at row ``2 b - 1 - v`` (clipped to the image). Its share rises
    with depth (grazing angles reflect more). Returns flat (B * H * W) indices ``dst`` and
    ``src`` and the share ``(k,)`` float32 to blend, or None without rain.
    """
    rainy = _RAINY[sc.weather]
    if not rainy.any():
        return None
    B, H, W = px.segmentation.shape
    vg = cam.vg
    ib = np.flatnonzero(rainy)
    ground = px.ground[ib]
    rows = np.arange(vg, H, dtype=np.int32)[None, :, None]
    start = np.maximum.accumulate(np.where(ground, np.int32(0), rows + 1), axis=1)  # last non-ground row + 1
    start = np.maximum(start, np.int32(vg))
    seg = px.segmentation[ib, vg:]
    wet = ground & ((seg == ROAD) | (seg == LANE_MARKING))
    b, v, u = np.nonzero(wet)
    mirror = np.maximum(2 * start[b, v, u] - 1 - (v + vg), 0)
    depth = px.depth[ib, vg:][b, v, u]
    share = np.float32(_WET_REFLECT_NEAR) + np.float32(_WET_REFLECT_GRAZING) * depth / (depth + np.float32(_WET_REFLECT_DISTANCE))
    scene = ib[b].astype(np.int64)
    return (scene * H + v + vg) * W + u, (scene * H + mirror) * W + u, share.astype(np.float32)


def _palette(sc: Scenes) -> np.ndarray:
    """Albedo of every material: (B, NO + 1 + _N_EXTRA, 3) float32; entry 0 unused, then the
    object slots, then the ground materials (darkened when wet), glass, tyres, windows and lamps."""
    B, NO = sc.obj_top.shape
    palette = np.empty((B, NO + 1 + _N_EXTRA, 3), np.float32)
    palette[:, 0] = 0
    palette[:, 1:NO + 1] = sc.obj_color
    palette[:, NO + 1:NO + 5] = sc.ground_color * _WET[sc.weather][:, None, :]
    palette[:, NO + 1 + _M_GLASS] = _GLASS
    palette[:, NO + 1 + _M_TYRE] = _TYRE
    palette[:, NO + 1 + _M_WINDOW] = _WINDOW
    palette[:, NO + 1 + _M_HEAD] = _HEADLIGHT
    palette[:, NO + 1 + _M_TAIL] = _TAILLIGHT
    return palette


def _sky(sc: Scenes, cam: _Camera, rays: _Rays) -> list[np.ndarray]:
    """Sky colour, 3 x (B, vg, W) in 0..255 (+0.5): a vertical gradient plus a glow around
    the sun's azimuth."""
    dx, dz, weather = rays.dx, rays.dz, sc.weather
    vg = cam.vg
    up = np.clip((cam.cy - (np.arange(vg, dtype=np.float32) + 0.5)) / cam.cy, 0, 1)
    up = np.sqrt(up)[None, :, None]  # (1, vg, 1)
    # glow: cosine between each column's direction and the sun's azimuth, sharpened
    sun_h = sc.sun[:, [0, 2]]
    norm = np.sqrt(dx * dx + dz * dz) * np.sqrt(sun_h[:, 0:1] ** 2 + sun_h[:, 1:2] ** 2) + np.float32(1e-6)
    c = np.maximum((dx * sun_h[:, 0:1] + dz * sun_h[:, 1:2]) / norm, 0)
    c = c * c
    c = c * c
    glow = c[:, None, :] * ((1 - up) * (1 - up))  # (B, vg, W)
    scale = (sc.exposure * np.float32(255))[:, None, None]
    out = []
    for ch in range(3):
        top = _SKY_TOP[weather, ch][:, None, None]
        horizon = _SKY_HORIZON[weather, ch][:, None, None]
        base = (horizon + (top - horizon) * up) * scale + np.float32(0.5)  # (B, vg, 1)
        sky = glow * (_SUN_GLOW[weather, ch][:, None, None] * scale) + base
        out.append(np.minimum(sky, np.float32(255.5), out=sky))
    return out


def _rain_pixels(sc: Scenes, cam: _Camera) -> np.ndarray | None:
    """Flat (B * H * W) indices of the pixels under rain streaks, or None without rain."""
    rainy = _RAINY[sc.weather]
    if not rainy.any():
        return None
    H, W = cam.H, cam.W
    ib = np.flatnonzero(rainy)
    L = max(2, int(math.ceil(_STREAK_MAX_LEN * H)))
    j = np.arange(L, dtype=np.float32)
    pos = sc.streak_pos[ib]
    v0 = np.floor(pos[..., 1] * H)[..., None]
    u0 = (pos[..., 0] * W)[..., None]
    v = (v0 + j).astype(np.int64)
    u = np.floor(u0 + sc.streak_wind[ib][:, None, None] * j).astype(np.int64)
    ok = (j < (sc.streak_len[ib] * H)[..., None]) & (v < H) & (u >= 0) & (u < W)
    # duplicates are harmless: every write at a pixel computes the same value
    return (((ib[:, None, None] * H) + v) * W + u)[ok]
