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

import numpy as np

from synthlearn.sim.traffic.scene import (
    CAR_TYPES,
    HORIZONTAL_FOV_DEG,
    LANE_MARKING,
    ROAD,
    SIDEWALK,
    SKY_DEPTH,
    TERRAIN,
    BUILDING,
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
_FOG_DISTANCE = np.array([700.0, 450.0, 90.0, 75.0], np.float32)  # half-haze distance
_WET = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.62, 0.75, 0.82], [0.62, 0.75, 0.82]], np.float32)
_RAINY = np.array([False, False, True, True])
_STREAK_COLOR = np.array([0.80, 0.82, 0.86], np.float32)
_STREAK_ALPHA = 0.4
_STREAK_MAX_LEN = 0.09  # fraction of the height, matches sample.py

# Extra materials after the objects' own colours.
_GLASS = np.array([0.13, 0.17, 0.22], np.float32)
_TYRE = np.array([0.05, 0.05, 0.05], np.float32)
_WINDOW = np.array([0.17, 0.21, 0.28], np.float32)
_M_ROAD, _M_WALK, _M_TERRAIN, _M_MARK, _M_GLASS, _M_TYRE, _M_WINDOW = range(7)
_N_EXTRA = 7
_GROUND_CLASS = np.array([ROAD, SIDEWALK, TERRAIN, LANE_MARKING], np.uint8)  # by ground material

# Road/terrain grain: a constant table (not a random draw per scene), the same every run.
_GRAIN_SIZE = 64
_GRAIN = (0.95 + 0.10 * np.random.Generator(np.random.PCG64(20190612)).random(_GRAIN_SIZE**2)).astype(np.float32)
_GRAIN_MAX = 1.05


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


def _rows(cam: _Camera, hc: np.ndarray, y: np.ndarray | float, t: np.ndarray) -> np.ndarray:
    """First pixel row whose centre lies at or below the image of height ``y`` at depth ``t``."""
    p = cam.cy + cam.f * (hc - y) / t
    return np.ceil(np.clip(p - np.float32(0.5), -1, cam.H + 1)).astype(np.int32)


def _render_chunk(sc: Scenes, cam: _Camera, rgb_out, seg_out, depth_out) -> np.ndarray:
    B, H, W = len(sc), cam.H, cam.W
    NO = sc.obj_top.shape[1]  # object slots per scene
    N = max(1, int(sc.obj_valid.sum(axis=1).max()))  # valid slots come first
    f32 = np.float32
    b_ix = np.arange(B)

    # ---- 1. one horizontal ray per column; slab test against every footprint -------------
    sin_yaw, cos_yaw = sc.cam_dir[:, 0:1], sc.cam_dir[:, 1:2]
    dx = cam.a[None, :] * cos_yaw + sin_yaw  # (B, W) world x per unit depth
    dz = cos_yaw - cam.a[None, :] * sin_yaw  # (B, W) world z per unit depth (> 0)
    dx = np.where(np.abs(dx) < f32(1e-7), f32(1e-7), dx)
    inv_dx, inv_dz = (1 / dx)[:, :, None], (1 / dz)[:, :, None]
    ox = sc.cam_x[:, None, None]
    hc = sc.cam_height[:, None, None]

    omin, omax = sc.obj_min[:, None, :N], sc.obj_max[:, None, :N]
    tx0 = (omin[..., 0] - ox) * inv_dx
    tx1 = (omax[..., 0] - ox) * inv_dx
    txn, txf = np.minimum(tx0, tx1), np.maximum(tx0, tx1)
    tzn, tzf = omin[..., 1] * inv_dz, omax[..., 1] * inv_dz
    tn, tf = np.maximum(txn, tzn), np.minimum(txf, tzf)
    hit = (tn < tf) & (tn > NEAR) & sc.obj_valid[:, None, :N]

    # ---- 2. all hits as one flat list, front to back within each column ------------------
    n_hits = hit.sum(axis=2).ravel()  # (B * W,) in (scene, column) order
    K = max(1, int(n_hits.max()))
    key = np.where(hit, (np.minimum(tn, f32(_T_MAX)) * f32(_T_SCALE)).astype(np.int32) << _IDX_BITS
                   | np.arange(N, dtype=np.int32), _NO_KEY)
    key.sort(axis=2)
    key = key[:, :, :K].ravel()
    sel = np.flatnonzero(key != _NO_KEY)  # hits come first in every column
    column = sel // K  # scene * W + column
    rank = sel - column * K  # 0 = nearest
    obj = key[sel] & ((1 << _IDX_BITS) - 1)
    b_h = column // W
    g = column * N + obj
    t_in, t_out = tn.ravel()[g], tf.ravel()[g]
    x_entry = txn.ravel()[g] > tzn.ravel()[g]
    dxh, dzh = dx.ravel()[column], dz.ravel()[column]
    inv_dxh, inv_dzh = inv_dx.ravel()[column], inv_dz.ravel()[column]
    oxh, hch = sc.cam_x[b_h], sc.cam_height[b_h]
    ob = b_h * NO + obj
    top = sc.obj_top.ravel()[ob]
    cmin, cmax = sc.cab_min.reshape(-1, 2)[ob], sc.cab_max.reshape(-1, 2)[ob]
    ctop = sc.cab_top.ravel()[ob]
    cx0 = (cmin[:, 0] - oxh) * inv_dxh
    cx1 = (cmax[:, 0] - oxh) * inv_dxh
    cxn = np.minimum(cx0, cx1)
    czn = cmin[:, 1] * inv_dzh
    c_in = np.maximum(cxn, czn)
    c_out = np.minimum(np.maximum(cx0, cx1), cmax[:, 1] * inv_dzh)
    cab = sc.obj_has_cab.ravel()[ob] & (c_in < c_out)
    c_in, c_out = np.where(cab, c_in, f32(1)), np.where(cab, c_out, f32(2))
    face_x, face_z = np.where(dxh > 0, 2, 1), np.where(dzh > 0, 4, 3)
    face_body = np.where(x_entry, face_x, face_z)
    face_cab = np.where(cxn > czn, face_x, face_z)

    # pieces: body front, roof before cabin, cabin front, cabin roof, roof behind cabin
    r_body_bot = _rows(cam, hch, 0.0, t_in)
    r_body_front = _rows(cam, hch, top, t_in)
    r_cab_bot = _rows(cam, hch, top, np.where(cab, c_in, t_out))
    r_cab_front = _rows(cam, hch, ctop, c_in)
    r_cab_roof = _rows(cam, hch, ctop, c_out)
    r_roof_back = _rows(cam, hch, top, t_out)
    r_cab_back = _rows(cam, hch, top, c_out)
    empty = np.int32(H)
    tops = np.stack([r_body_front, r_cab_bot, np.where(cab, r_cab_front, empty),
                     np.where(cab, r_cab_roof, empty), np.where(cab, r_roof_back, empty)], axis=1).ravel()
    bots = np.stack([r_body_bot, r_body_front, np.where(cab, r_cab_bot, empty),
                     np.where(cab, r_cab_front, empty), np.where(cab, r_cab_back, empty)], axis=1).ravel()
    zero = np.zeros_like(t_in)
    const = np.stack([t_in, zero, c_in, zero, zero], axis=1)
    slope = np.stack([zero, hch - top, zero, hch - ctop, hch - top], axis=1)
    tag = (obj + 1) << 4
    code = np.stack([tag | face_body, tag, tag | 8 | face_cab, tag | 8, tag], axis=1).astype(np.int16)
    # coordinate along the face of a side hit (z on faces facing +-x, else x): windows
    along_body = np.where(x_entry, t_in * dzh, oxh + t_in * dxh)
    along_cab = np.where(cxn > czn, c_in * dzh, oxh + c_in * dxh)
    along = np.stack([along_body, zero, along_cab, zero, zero], axis=1)
    piece_column = np.repeat(column, _PIECES)

    # ---- 3. occlusion: a piece is hidden at and below the highest row drawn before it ----
    # running minimum of the tops within each column: offset columns so that earlier columns
    # can never win, then one global running minimum
    spread = np.int64(H + 8)
    offset = piece_column * spread
    highest = np.minimum.accumulate(tops - offset)
    above = np.concatenate([[np.int64(H)], highest[:-1]]) + offset  # > H at a column's start
    start = np.clip(tops, 0, H)
    end = np.clip(np.minimum(bots, above), 0, H)
    vis = start < end
    local = ((rank * _PIECES)[:, None] + np.arange(1, _PIECES + 1)).ravel()  # 1.. within column
    pc = piece_column[vis]
    col = (pc // W) * ((H + 1) * W) + pc % W
    ids = local[vis].astype(np.int16)
    diff = np.zeros((B, H + 1, W), np.int16)
    d = diff.reshape(-1)
    d[col + start[vis] * W] = ids  # runs in a column never share a start ...
    d[col + end[vis] * W] -= ids  # ... nor an end
    layer = np.cumsum(diff[:, :H], axis=1, dtype=np.int16)  # (B, H, W) piece rank + 1, 0: none

    # per-piece tables: each column owns a block [empty slot, its pieces...]
    base = (np.cumsum(n_hits) - n_hits) * _PIECES + np.arange(B * W)
    slot = base[piece_column] + local
    size = int(sel.size) * _PIECES + B * W

    def table(x: np.ndarray) -> np.ndarray:
        t = np.zeros(size, x.dtype)
        t[slot] = x.ravel()
        return t

    pix = base.reshape(B, 1, W) + layer
    code_px = table(code).take(pix)
    depth = table(const).take(pix) + table(slope).take(pix) * cam.inv_s[None, :, None]
    obj_px = code_px >> 4  # object slot + 1, 0: ground or sky
    face = code_px & 7
    is_obj = obj_px > 0

    # ---- 4. ground and sky -----------------------------------------------------------------
    vg = cam.vg
    ground_depth = hc * cam.inv_s[None, vg:, None]  # (B, Hg, 1)
    material, ground_class, texture = _ground(sc, cam, ground_depth, dx, dz)

    ground = ~is_obj[:, vg:]
    sky_px = ~is_obj[:, :vg]
    ob_px = (b_ix * (NO + 1))[:, None, None] + obj_px
    cls_table = np.concatenate([np.zeros((B, 1), np.uint8), sc.obj_class], axis=1).reshape(-1)
    seg = cls_table.take(ob_px)
    np.copyto(seg[:, vg:], ground_class, where=ground)
    inst_table = np.concatenate([np.full((B, 1), -1, np.int16), sc.obj_car.astype(np.int16)], axis=1).reshape(-1)
    instance = inst_table.take(ob_px)

    np.copyto(depth[:, vg:], np.broadcast_to(ground_depth, ground.shape), where=ground)
    np.copyto(depth[:, :vg], f32(SKY_DEPTH), where=sky_px)

    mat = obj_px.astype(np.int16)
    material += np.int16(NO + 1)
    np.copyto(mat[:, vg:], material, where=ground)
    _side_details(sc, cam, mat, code_px, depth, table(along), pix, NO)

    # ---- 5. colour ---------------------------------------------------------------------------
    weather = sc.weather
    sun = sc.sun
    lambert = np.maximum(sun[:, None, 0] * _NORMALS[None, :, 0] + sun[:, None, 1] * _NORMALS[None, :, 1]
                         + sun[:, None, 2] * _NORMALS[None, :, 2], 0)  # (B, 5), no BLAS
    light = (_AMBIENT[weather][:, None, :] * _FACE_AMBIENT[None, :, None]
             + _DIRECT[weather][:, None, :] * lambert[:, :, None]) * sc.exposure[:, None, None]
    palette = np.empty((B, NO + 1 + _N_EXTRA, 3), f32)
    palette[:, 0] = 0
    palette[:, 1:NO + 1] = sc.obj_color
    palette[:, NO + 1:NO + 5] = sc.ground_color * _WET[weather][:, None, :]
    palette[:, NO + 1 + _M_GLASS] = _GLASS
    palette[:, NO + 1 + _M_TYRE] = _TYRE
    palette[:, NO + 1 + _M_WINDOW] = _WINDOW
    M = NO + 1 + _N_EXTRA
    # (3, B * M * 5): per channel, albedo x light for every (scene, material, face), in 0..255
    # capped so that x texture (<= _GRAIN_MAX) + haze + 0.5 stays below 256: no clipping pass
    shaded = np.minimum(palette[:, :, None, :] * light[:, None, :, :] * f32(255), f32(255 / _GRAIN_MAX))
    shaded = shaded.reshape(-1, 3).T.copy()
    index = ((b_ix * M)[:, None, None] + mat) * 5 + face  # (B, H, W)

    haze = depth / (depth + _FOG_DISTANCE[weather][:, None, None])
    gain = 1 - haze
    np.multiply(gain[:, vg:], texture, out=gain[:, vg:], where=ground)
    fog = np.minimum(_SKY_HORIZON[weather] * (sc.exposure * f32(255))[:, None], f32(255))  # (B, 3)
    sky = _sky(sc, cam, dx, dz, weather)  # 3 x (B, vg, W), 0..255
    streaks = _rain_pixels(sc, cam)
    plane = np.empty((B, H, W), f32)
    extra = np.empty((B, H, W), f32)
    for c in range(3):
        shaded[c].take(index, out=plane)
        plane *= gain
        np.multiply(haze, fog[:, c, None, None], out=extra)
        extra += f32(0.5)  # the uint8 cast below truncates: +0.5 rounds
        plane += extra
        np.copyto(plane[:, :vg], sky[c], where=sky_px)
        if streaks is not None:
            flat = plane.reshape(-1)
            flat[streaks] = flat[streaks] * f32(1 - _STREAK_ALPHA) + f32(255 * _STREAK_ALPHA) * _STREAK_COLOR[c]
        np.copyto(rgb_out[..., c], plane, casting="unsafe")  # all values in [0, 256)
    seg_out[...] = seg
    depth_out[...] = depth
    return instance


def _ground(sc: Scenes, cam: _Camera, ground_depth: np.ndarray, dx: np.ndarray, dz: np.ndarray):
    """Material index, class and brightness texture of the ground rows, each (B, Hg, W).

    Rows whose every point lies before the crosswalk of every scene in the chunk (most
    rows) only need the main road's cross-section; the few rows near the horizon get the
    full layout.
    """
    B, Hg, W = ground_depth.shape[0], cam.H - cam.vg, cam.W
    reach = (sc.road_length.min() - 5) / max(float(dz.max()), 1e-6)  # depth before the crosswalk
    split = int(np.searchsorted(-(ground_depth.max(axis=0)[:, 0]), -reach, side="left"))
    material = np.empty((B, Hg, W), np.int16)
    texture = np.empty((B, Hg, W), np.float32)
    x0 = sc.cam_x[:, None, None]
    for rows, full in ((slice(0, split), True), (slice(split, Hg), False)):
        if rows.start >= rows.stop:
            continue
        t = ground_depth[:, rows]
        X = x0 + t * dx[:, None, :]
        Z = t * dz[:, None, :]
        material[:, rows], texture[:, rows] = (_ground_full if full else _ground_near)(sc, X, Z)
    return material, _GROUND_CLASS.take(material), texture


def _ground_near(sc: Scenes, X: np.ndarray, Z: np.ndarray):
    """Ground before the crosswalk: main road, its centre line, sidewalks and terrain."""
    ax = np.abs(X)
    road, paved = ax <= 4, ax <= 6
    fz = Z * np.float32(1 / 6)
    fz -= np.floor(fz)
    material = np.int16(_M_TERRAIN) - paved  # terrain 2, sidewalk 1, road 0
    material -= road
    material[(ax < 0.1) & (fz < 0.5)] = _M_MARK
    return material, _texture(X, Z, paved & ~road)


def _ground_full(sc: Scenes, X: np.ndarray, Z: np.ndarray):
    """Ground anywhere: both roads, markings, crosswalk, sidewalks and terrain."""
    D = sc.road_length[:, None, None]
    inter = sc.intersection[:, None, None]
    turn = sc.turn[:, None, None]
    inf = np.float32(np.inf)
    main_end = np.where(inter == 0, inf, D + 8)
    x_lo = np.where(turn == 1, np.float32(-4), -inf)  # L to the right: cross road only at x >= -4
    x_hi = np.where(turn == -1, np.float32(4), inf)
    ax = np.abs(X)
    road = ((ax <= 4) & (Z <= main_end)) | ((Z >= D) & (Z <= D + 8) & (X >= x_lo) & (X <= x_hi))
    paved = ((ax <= 6) & (Z <= main_end + 2)) | ((Z >= D - 2) & (Z <= D + 10) & (X >= x_lo - 2) & (X <= x_hi + 2))
    fz = Z * np.float32(1 / 6)
    fx = X * np.float32(1 / 6)
    centre = (ax < 0.1) & ((fz - np.floor(fz)) < 0.5) & ((Z < D - 5) | (Z > D + 12))
    cross_centre = (np.abs(Z - (D + 4)) < 0.1) & ((fx - np.floor(fx)) < 0.5) & (ax > 7)
    zebra = (Z > D - 4.5) & (Z < D - 1.5) & (ax < 3.7) & ((X - np.floor(X)) < 0.5)
    mark = road & (centre | cross_centre | zebra)
    material = np.where(road, np.where(mark, _M_MARK, _M_ROAD), np.where(paved, _M_WALK, _M_TERRAIN)).astype(np.int16)
    return material, _texture(X, Z, paved & ~road)


def _texture(X: np.ndarray, Z: np.ndarray, sidewalk: np.ndarray) -> np.ndarray:
    """Brightness factor: a fixed random grain per 25 cm cell (+-5 %, tiled every 16 m) and
    dark seams between the 2 m sidewalk slabs."""
    ix = np.floor(X * 4).astype(np.int32) & (_GRAIN_SIZE - 1)
    iz = np.floor(Z * 4).astype(np.int32) & (_GRAIN_SIZE - 1)
    texture = _GRAIN.take(iz * _GRAIN_SIZE + ix)
    seam = ((X - np.floor(X * 0.5) * 2) < 0.08) | ((Z - np.floor(Z * 0.5) * 2) < 0.08)
    texture[sidewalk & seam] = 0.8
    return texture


def _side_details(sc, cam, mat, code_px, depth, along_table, pix, NO) -> None:
    """Windows on building facades, glass and tyres on the sides of cars (edits ``mat``)."""
    B, H, W = mat.shape
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

    idx = np.flatnonzero(((code_px & 7) > 0) & (code_px >= 16))  # side faces of objects
    if idx.size == 0:
        return
    b = idx // (H * W)
    v = (idx // W) % H
    row = bands.take(b * ((NO + 1) * 2) + (code_px.reshape(-1)[idx] >> 3), axis=0)  # (n, 4)
    h = sc.cam_height[b] - depth.reshape(-1)[idx] * cam.s[v]  # height of the hit point
    along = along_table.take(pix.reshape(-1)[idx])
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
    m = mat.reshape(-1)
    new = m[idx]
    new[upper | shop] = NO + 1 + _M_WINDOW
    new[glass] = NO + 1 + _M_GLASS
    new[tyre] = NO + 1 + _M_TYRE
    m[idx] = new


def _sky(sc: Scenes, cam: _Camera, dx, dz, weather) -> list[np.ndarray]:
    """Sky colour, 3 x (B, vg, W) in 0..255 (+0.5): a vertical gradient plus a glow around
    the sun's azimuth."""
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
