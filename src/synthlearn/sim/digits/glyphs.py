"""Glyph sources for the digits simulator: handwriting-like stroke skeletons and TrueType fonts.

Every glyph is a *weighted point cloud* in glyph units: the digit is about one unit tall,
centred near the origin, ``x`` to the right and ``y`` downwards. Point clouds, not images,
are what the geometric nuisances (:mod:`synthlearn.sim.digits.distort`) act on, so a
distorted glyph's bounding box is known exactly and it is rasterised once, by
:func:`splat`.

Two kinds of source exist:

* **strokes** -- each digit is drawn by one of several allographs (``1`` with or without a
  flag and a foot, open and closed ``4``, ``7`` with or without a bar, ...). An allograph
  is a few pen trajectories (polylines and Catmull-Rom curves through control points).
  The control points are jittered per sample and the trajectories are sampled densely;
  because a Catmull-Rom curve is linear in its control points, sampling is one batched
  matrix product with a basis precomputed per allograph. A point's weight is the arc
  length it stands for (see :func:`arc_weights`); a Gaussian pen turns the splatted
  centre line into a stroke.
* **fonts** -- digits of the TrueType fonts shipped with matplotlib (DejaVu, STIX,
  Computer Modern), rasterised once at :data:`FONT_RASTER` pixels per glyph unit with
  4x4 supersampling and cached in-process. The points are the inked pixel centres and the
  weight is the pixel's coverage; splatting them gives back the filled glyph.

Example::

    >>> rng = np.random.default_rng(0)
    >>> pts, valid, link = stroke_points(np.array([3, 7]), rng, jitter=0.03)
    >>> pts.shape == (2, stroke_table().points, 2)
    True
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

# ----------------------------------------------------------------------------------------
# Stroke allographs
# ----------------------------------------------------------------------------------------
#
# Coordinates are given in a unit box (x right, y down, both in [0, 1]); each allograph
# also has a nominal aspect ratio (width / height) by which x is scaled. A stroke is
# ("line", points) -- a polyline -- ("curve", points) -- an open Catmull-Rom curve through
# the points -- or ("loop", points) -- a closed Catmull-Rom curve. Each allograph carries a
# style: "any", or one of two writing conventions between which the simulator's
# ``continental`` parameter chooses: "us" (plain 1, 7 without a bar) and "continental"
# (1 with a long up-stroke, 7 with a crossbar).

_Stroke = tuple[str, list[tuple[float, float]]]
_Allograph = tuple[str, float, list[_Stroke]]

STYLES = ("any", "us", "continental")


def _ellipse(cx: float, cy: float, rx: float, ry: float, k: int = 8, start: float = -90.0) -> list[tuple[float, float]]:
    """``k`` points on an ellipse, counter-clockwise on screen (y down) from angle ``start``."""
    angles = np.deg2rad(start - 360.0 * np.arange(k) / k)
    return [(cx + rx * float(np.cos(a)), cy + ry * float(np.sin(a))) for a in angles]


_SEVEN_STEM = ("curve", [(1.0, 0.0), (0.72, 0.35), (0.52, 0.7), (0.45, 1.0)])
_SEVEN_BAR = ("line", [(0.25, 0.52), (0.95, 0.52)])

ALLOGRAPHS: dict[int, list[_Allograph]] = {
    0: [
        ("any", 0.70, [("loop", _ellipse(0.5, 0.5, 0.5, 0.5))]),
        ("any", 0.62, [("curve", [(0.62, 0.02), (0.25, 0.08), (0.02, 0.45), (0.15, 0.88), (0.5, 1.0),
                                  (0.88, 0.82), (0.98, 0.42), (0.8, 0.08), (0.48, 0.04)])]),
    ],
    1: [
        ("us", 0.10, [("line", [(0.5, 0.0), (0.5, 1.0)])]),
        ("us", 0.30, [("line", [(0.2, 0.18), (0.8, 0.0), (0.8, 1.0)])]),
        ("continental", 0.50, [("line", [(0.0, 0.42), (0.85, 0.0), (0.85, 1.0)])]),
        ("continental", 0.60, [("line", [(0.0, 0.4), (0.6, 0.0), (0.6, 1.0)]), ("line", [(0.2, 1.0), (1.0, 1.0)])]),
    ],
    2: [
        ("any", 0.70, [("curve", [(0.05, 0.25), (0.3, 0.02), (0.7, 0.02), (0.95, 0.25), (0.85, 0.5),
                                  (0.45, 0.78), (0.02, 1.0)]),
                       ("line", [(0.02, 1.0), (1.0, 0.98)])]),
        ("any", 0.70, [("curve", [(0.05, 0.22), (0.35, 0.0), (0.8, 0.05), (0.92, 0.3), (0.7, 0.58),
                                  (0.3, 0.85), (0.08, 0.97), (0.05, 0.85), (0.25, 0.82), (0.55, 0.95),
                                  (1.0, 1.0)])]),
    ],
    3: [
        ("any", 0.65, [("curve", [(0.05, 0.15), (0.4, 0.0), (0.85, 0.08), (0.9, 0.3), (0.35, 0.48)]),
                       ("curve", [(0.35, 0.48), (0.9, 0.6), (0.95, 0.85), (0.5, 1.0), (0.0, 0.88)])]),
        ("any", 0.65, [("line", [(0.05, 0.0), (0.92, 0.0), (0.4, 0.4)]),
                       ("curve", [(0.4, 0.4), (0.88, 0.55), (0.95, 0.82), (0.5, 1.0), (0.0, 0.88)])]),
    ],
    4: [
        ("any", 0.75, [("line", [(0.7, 0.0), (0.0, 0.68), (1.0, 0.68)]), ("line", [(0.7, 0.0), (0.7, 1.0)])]),
        ("any", 0.75, [("line", [(0.08, 0.0), (0.02, 0.6), (1.0, 0.6)]), ("line", [(0.72, 0.0), (0.72, 1.0)])]),
    ],
    5: [
        ("any", 0.70, [("line", [(0.95, 0.0), (0.15, 0.0)]), ("line", [(0.15, 0.0), (0.1, 0.45)]),
                       ("curve", [(0.1, 0.45), (0.5, 0.36), (0.9, 0.52), (0.92, 0.8), (0.55, 1.0), (0.05, 0.9)])]),
        ("any", 0.70, [("line", [(0.2, 0.02), (0.12, 0.42)]),
                       ("curve", [(0.12, 0.42), (0.55, 0.4), (0.95, 0.65), (0.75, 0.95), (0.3, 1.0), (0.0, 0.85)]),
                       ("line", [(0.2, 0.02), (1.0, 0.0)])]),
    ],
    6: [
        ("any", 0.70, [("curve", [(0.85, 0.02), (0.45, 0.1), (0.12, 0.45), (0.05, 0.75), (0.35, 1.0),
                                  (0.75, 0.95), (0.92, 0.72), (0.6, 0.5), (0.25, 0.55), (0.07, 0.72)])]),
        ("any", 0.62, [("curve", [(0.8, 0.0), (0.4, 0.25), (0.1, 0.6), (0.15, 0.92), (0.5, 1.0),
                                  (0.9, 0.85), (0.85, 0.6), (0.45, 0.52), (0.12, 0.68)])]),
    ],
    7: [
        ("us", 0.70, [("line", [(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)])]),
        ("us", 0.70, [("line", [(0.0, 0.05), (1.0, 0.0)]), _SEVEN_STEM]),
        ("continental", 0.70, [("line", [(0.0, 0.15), (0.02, 0.0), (1.0, 0.0), (0.35, 1.0)]), _SEVEN_BAR]),
        ("continental", 0.70, [("line", [(0.0, 0.05), (1.0, 0.0)]), _SEVEN_STEM, _SEVEN_BAR]),
    ],
    8: [
        ("any", 0.65, [("curve", [(0.88, 0.12), (0.5, 0.0), (0.12, 0.15), (0.2, 0.38), (0.5, 0.5), (0.85, 0.65),
                                  (0.9, 0.88), (0.5, 1.0), (0.1, 0.88), (0.15, 0.65), (0.5, 0.5), (0.8, 0.35),
                                  (0.88, 0.12)])]),
        ("any", 0.62, [("loop", _ellipse(0.5, 0.25, 0.36, 0.25)), ("loop", _ellipse(0.5, 0.73, 0.48, 0.27))]),
    ],
    9: [
        ("any", 0.65, [("curve", [(0.92, 0.22), (0.55, 0.0), (0.1, 0.1), (0.05, 0.35), (0.4, 0.52), (0.92, 0.3)]),
                       ("line", [(0.92, 0.08), (0.88, 1.0)])]),
        ("any", 0.65, [("loop", _ellipse(0.45, 0.28, 0.45, 0.28)),
                       ("curve", [(0.9, 0.2), (0.88, 0.6), (0.65, 0.92), (0.25, 1.0)])]),
        ("any", 0.65, [("loop", _ellipse(0.45, 0.27, 0.45, 0.27)),
                       ("curve", [(0.9, 0.2), (0.92, 0.55), (0.75, 0.88), (0.4, 1.0), (0.08, 0.9)])]),
    ],
}

STROKE_SPACING = 0.03
"""Nominal spacing, in glyph units, of the points sampled along a pen trajectory."""


def _catmull_rom_weights(k: int, closed: bool) -> list[np.ndarray]:
    """Per segment, the (4, k) matrix picking its four control points (phantom ends for open)."""
    eye = np.eye(k)
    if closed:
        ctrl = [eye[i % k] for i in range(-1, k + 2)]
    else:
        ctrl = [2 * eye[0] - eye[1], *eye, 2 * eye[-1] - eye[-2]]
    segments = k if closed else k - 1
    return [np.stack(ctrl[i:i + 4]) for i in range(segments)]


def _stroke_basis(kind: str, pts: np.ndarray) -> np.ndarray:
    """Rows mapping a stroke's control points (k, 2) to dense samples along it: (m, k)."""
    k = len(pts)
    rows: list[np.ndarray] = []
    if kind == "line":
        for i in range(k - 1):
            length = float(np.linalg.norm(pts[i + 1] - pts[i]))
            steps = max(2, int(np.ceil(length / STROKE_SPACING)))
            t = np.arange(steps)[:, None] / steps
            rows.append((1 - t) * np.eye(k)[i] + t * np.eye(k)[i + 1])
        rows.append(np.eye(k)[-1][None])
        return np.concatenate(rows)
    if kind not in ("curve", "loop"):
        raise ValueError(f"unknown stroke kind {kind!r}")
    closed = kind == "loop"
    for sel in _catmull_rom_weights(k, closed):
        p1, p2 = sel[1] @ pts, sel[2] @ pts
        steps = max(2, int(np.ceil(1.2 * np.linalg.norm(p2 - p1) / STROKE_SPACING)))
        t = np.arange(steps)[:, None] / steps
        # Catmull-Rom (uniform, tension 1/2) blending of P0..P3
        blend = 0.5 * np.concatenate(
            [-t**3 + 2 * t**2 - t, 3 * t**3 - 5 * t**2 + 2, -3 * t**3 + 4 * t**2 + t, t**3 - t**2], axis=1
        )
        rows.append(blend @ sel)
    rows.append((np.eye(k)[0] if closed else np.eye(k)[-1])[None])
    return np.concatenate(rows)


@dataclass(frozen=True)
class StrokeTable:
    """All allographs, padded to common sizes so a batch is sampled with one gather.

    Attributes (``A`` allographs, ``K`` control points, ``M`` sampled points at most):
        digit: (A,) the digit each allograph draws.
        style: (A,) index into :data:`STYLES`.
        control: (A, K, 2) control points in glyph units (zero padding).
        basis: (A, M, K) sampled point = basis @ control; padding rows repeat the last point,
            so padded points never widen a bounding box.
        valid: (A, M) which sampled points exist.
        link: (A, M) whether point i and point i+1 lie on the same stroke.
    """

    digit: np.ndarray
    style: np.ndarray
    control: np.ndarray
    basis: np.ndarray
    valid: np.ndarray
    link: np.ndarray

    @property
    def points(self) -> int:
        return self.basis.shape[1]

    def candidates(self, digit: int, continental: bool) -> np.ndarray:
        """Allographs a writer of the given convention may use for ``digit``."""
        wanted = STYLES.index("continental" if continental else "us")
        return np.flatnonzero((self.digit == digit) & ((self.style == 0) | (self.style == wanted)))


def _build_stroke_table() -> StrokeTable:
    entries = []
    for d in range(10):
        for style, aspect, strokes in ALLOGRAPHS[d]:
            ctrl, blocks, links = [], [], []
            for kind, raw in strokes:
                pts = np.asarray(raw, dtype=np.float64)
                pts = np.stack([(pts[:, 0] - 0.5) * aspect, pts[:, 1] - 0.5], axis=1)
                basis = _stroke_basis(kind, pts)
                ctrl.append(pts)
                blocks.append(basis)
                link = np.ones(len(basis), dtype=bool)
                link[-1] = False
                links.append(link)
            k_total = sum(len(c) for c in ctrl)
            full = np.zeros((sum(len(b) for b in blocks), k_total))
            r = c = 0
            for block in blocks:
                full[r:r + block.shape[0], c:c + block.shape[1]] = block
                r += block.shape[0]
                c += block.shape[1]
            entries.append((d, np.concatenate(ctrl), full, np.concatenate(links), STYLES.index(style)))
    a = len(entries)
    k_max = max(e[1].shape[0] for e in entries)
    m_max = max(e[2].shape[0] for e in entries)
    digit = np.array([e[0] for e in entries], dtype=np.int64)
    control = np.zeros((a, k_max, 2), dtype=np.float32)
    basis = np.zeros((a, m_max, k_max), dtype=np.float32)
    valid = np.zeros((a, m_max), dtype=bool)
    link = np.zeros((a, m_max), dtype=bool)
    for i, (_, ctrl, full, lk, _) in enumerate(entries):
        control[i, : len(ctrl)] = ctrl
        basis[i, : full.shape[0], : full.shape[1]] = full
        basis[i, full.shape[0]:, : full.shape[1]] = full[-1]  # padding repeats the last point
        valid[i, : full.shape[0]] = True
        link[i, : len(lk)] = lk
    style = np.array([e[4] for e in entries], dtype=np.int64)
    return StrokeTable(digit, style, control, basis, valid, link)


@functools.lru_cache(maxsize=1)
def stroke_table() -> StrokeTable:
    """The allograph table (built once per process)."""
    return _build_stroke_table()


@functools.lru_cache(maxsize=1)
def _candidate_table() -> tuple[np.ndarray, np.ndarray]:
    """(10, 2, C) padded candidate allograph ids per digit and convention, and their counts (10, 2)."""
    table = stroke_table()
    lists = [[table.candidates(d, cont) for cont in (False, True)] for d in range(10)]
    width = max(len(c) for row in lists for c in row)
    ids = np.zeros((10, 2, width), dtype=np.int64)
    counts = np.zeros((10, 2), dtype=np.int64)
    for d, row in enumerate(lists):
        for s, cand in enumerate(row):
            ids[d, s, : len(cand)] = cand
            counts[d, s] = len(cand)
    return ids, counts


def stroke_points(
    digits: np.ndarray, rng: np.random.Generator, jitter: float, continental: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample one allograph per digit, jitter its control points and sample its strokes.

    Args:
        digits: (n,) int labels 0..9.
        rng: the only source of randomness.
        jitter: standard deviation of the per-control-point Gaussian jitter, glyph units.
        continental: probability that a sample follows the continental convention (1 with a
            long up-stroke, 7 with a crossbar) rather than the US one; allographs of style
            "any" are open to both. Within the allowed ones the choice is uniform.

    Returns:
        points (n, M, 2) float32 in glyph units, valid (n, M) bool, link (n, M) bool
        (point i and i+1 on the same stroke).
    """
    digits = np.asarray(digits, dtype=np.int64)
    n = len(digits)
    table = stroke_table()
    ids, counts = _candidate_table()
    convention = (rng.random(n) < continental).astype(np.int64)
    count = counts[digits, convention]
    pick = np.minimum((rng.random(n) * count).astype(np.int64), count - 1)
    allo = ids[digits, convention, pick]
    control = table.control[allo]
    if jitter > 0:
        control = control + (jitter * rng.standard_normal(control.shape)).astype(np.float32)
    points = np.matmul(table.basis[allo], control)
    return points.astype(np.float32), table.valid[allo], table.link[allo]


def arc_weights(points: np.ndarray, link: np.ndarray) -> np.ndarray:
    """Arc length each sampled point stands for: half of each adjoining segment on its stroke.

    ``points`` (n, M, 2) and ``link`` (n, M) as from :func:`stroke_points` (after any
    geometric transform, in whatever unit the lengths should be in). Returns (n, M).
    """
    seg = np.linalg.norm(np.diff(points, axis=1), axis=2) * link[:, :-1]
    w = np.zeros(points.shape[:2], dtype=np.float32)
    w[:, :-1] += 0.5 * seg
    w[:, 1:] += 0.5 * seg
    return w


# ----------------------------------------------------------------------------------------
# Fonts
# ----------------------------------------------------------------------------------------

FONT_GROUPS: dict[str, list[str]] = {
    "sans": ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"],
    "serif": ["DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"],
    "stix": ["STIXGeneral.ttf", "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf"],
    "cm": ["cmr10.ttf", "cmb10.ttf", "cmss10.ttf", "cmtt10.ttf"],
}
"""Font files (under matplotlib's ``fonts/ttf``) of each font source group."""

FONT_RASTER = 24
"""Pixels per glyph unit (the digit's height) of the cached font rasters."""


@dataclass(frozen=True)
class FontTable:
    """Rasterised digits of every font as padded point clouds.

    Attributes (``G = len(fonts) * 10`` glyphs, glyph ``f * 10 + d`` is digit ``d`` of
    font ``f``; ``P`` points at most):
        fonts: font file names, in :data:`FONT_GROUPS` order.
        group: (F,) index of each font's group in ``list(FONT_GROUPS)``.
        points: (G, P, 2) float32 inked pixel centres in glyph units, centred on the ink box;
            padding repeats the first point, so it never widens a bounding box.
        weight: (G, P) float32 coverage in [0, 1] (0 for padding).
    """

    fonts: list[str]
    group: np.ndarray
    points: np.ndarray
    weight: np.ndarray

    def fonts_of_group(self, g: int) -> np.ndarray:
        return np.flatnonzero(self.group == g)


def _raster_glyph(path_obj, res: int, supersample: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Points and coverage of one glyph outline (matplotlib Path), scaled to height 1.

    Each closed contour is tested separately and the results are combined with the even-odd
    rule, so counters (the holes of 0, 6, 8, 9) stay open.
    """
    from matplotlib.path import Path

    ext = path_obj.get_extents()
    height = ext.y1 - ext.y0
    width = (ext.x1 - ext.x0) / height
    nx, ny = int(np.ceil(width * res)) + 1, res + 1
    s = supersample
    xs = (np.arange(nx * s) + 0.5) / (s * res)
    ys = (np.arange(ny * s) + 0.5) / (s * res)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    inside = np.zeros(len(grid), dtype=bool)
    for poly in path_obj.to_polygons(closed_only=True):
        verts = (poly - [ext.x0, ext.y1]) / height * [1.0, -1.0]  # y down, top at 0
        inside ^= Path(verts).contains_points(grid)
    cover = inside.reshape(ny, s, nx, s).mean(axis=(1, 3))
    rows, cols = np.nonzero(cover > 0)
    pts = np.stack([(cols + 0.5) / res - width / 2, (rows + 0.5) / res - 0.5], axis=1)
    return pts.astype(np.float32), cover[rows, cols].astype(np.float32)


@functools.lru_cache(maxsize=1)
def font_table() -> FontTable:
    """Rasterise the digits of every font in :data:`FONT_GROUPS` (once per process)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    root = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    fonts, groups, clouds = [], [], []
    for g, names in enumerate(FONT_GROUPS.values()):
        for name in names:
            prop = FontProperties(fname=os.path.join(root, name))
            for d in range(10):
                clouds.append(_raster_glyph(TextPath((0, 0), str(d), size=1, prop=prop), FONT_RASTER))
            fonts.append(name)
            groups.append(g)
    p_max = max(len(c[0]) for c in clouds)
    points = np.zeros((len(clouds), p_max, 2), dtype=np.float32)
    weight = np.zeros((len(clouds), p_max), dtype=np.float32)
    for i, (pts, w) in enumerate(clouds):
        points[i] = pts[0]  # padding repeats the first point (with weight 0)
        points[i, : len(pts)] = pts
        weight[i, : len(w)] = w
    return FontTable(fonts, np.array(groups, dtype=np.int64), points, weight)


def font_points(
    digits: np.ndarray, groups: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pick a font uniformly within each sample's group and return its glyph's point cloud.

    Args:
        digits: (n,) labels; groups: (n,) index into ``list(FONT_GROUPS)``.

    Returns:
        points (n, P, 2) float32 glyph units and coverage weights (n, P) float32.
    """
    table = font_table()
    digits = np.asarray(digits, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    n_groups = len(FONT_GROUPS)
    sizes = np.array([len(table.fonts_of_group(g)) for g in range(n_groups)])
    offsets = np.array([table.fonts_of_group(g)[0] for g in range(n_groups)])
    pick = np.minimum((rng.random(len(digits)) * sizes[groups]).astype(np.int64), sizes[groups] - 1)
    glyph = (offsets[groups] + pick) * 10 + digits
    return table.points[glyph], table.weight[glyph]


# ----------------------------------------------------------------------------------------
# Rasterisation
# ----------------------------------------------------------------------------------------


def splat(points: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Bilinearly splat weighted points (pixel units) into ``(n, size, size)`` float32 images.

    Pixel ``(r, c)`` has its centre at ``x = c + 0.5, y = r + 0.5``. Points (n, M, 2) hold
    ``(x, y)``; weights (n, M), where 0 marks padding. Points are expected inside the image;
    any outside are clamped onto its border rather than dropped, so no ink is lost.
    """
    n, m = weights.shape
    keep = weights > 0
    sample = np.broadcast_to(np.arange(n, dtype=np.int64)[:, None], (n, m))[keep]
    w = weights[keep].astype(np.float32)
    pos = np.clip(points[keep].astype(np.float32) - np.float32(0.5), 0.0, np.float32(size - 1.001))
    base = pos.astype(np.int64)  # floor, as pos >= 0
    frac = pos - base
    fx, fy = frac[:, 0], frac[:, 1]
    i00 = sample * (size * size) + base[:, 1] * size + base[:, 0]
    wy0, wy1 = w * (1 - fy), w * fy
    idx = np.concatenate([i00, i00 + 1, i00 + size, i00 + size + 1])
    wts = np.concatenate([wy0 * (1 - fx), wy0 * fx, wy1 * (1 - fx), wy1 * fx])
    flat = np.bincount(idx, wts, minlength=n * size * size)
    return flat.reshape(n, size, size).astype(np.float32)
