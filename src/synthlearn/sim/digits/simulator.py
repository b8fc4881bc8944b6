"""The handwriting-like digit simulator: glyph -> nuisances -> binary scan -> acquisition.

One sample is made in four steps, all vectorised over the batch:

1. **glyph** -- a class (uniform over 0..9) and a source drawn from ``source_mix``: the
   stroke model (a handwriting allograph whose control points are jittered) or one of the
   font groups; the glyph is a weighted point cloud (:mod:`.glyphs`).
2. **geometry** -- a smooth elastic displacement, then aspect ratio, slant and rotation,
   each drawn per sample from the distribution the parameters describe (:mod:`.distort`).
3. **scan** -- the glyph is fitted into a 40x40 canvas, splatted and inked: strokes with a
   Gaussian pen of the sample's width, fonts as filled areas; then blur, ink noise and a
   binarisation threshold give a binary scan.
4. **acquisition** -- the scan goes through the target dataset's preprocessing
   (:mod:`.acquire`): ``optdigits8x8`` (scikit-learn's ``load_digits``), ``mnist28``, or
   ``nist32`` (optdigits' 32×32 binary bitmap before block counting).

Widths and displacements are in units of the digit's height. Defaults are generic
handwriting priors, not fitted to any real data set.

Example::

    >>> sim = DigitsSimulator()
    >>> out = sim.generate({"source_mix": {"strokes": 1.0}}, n=4, seed=0)
    >>> out["image"].shape, out["image"].dtype, out["label"].dtype
    ((4, 8, 8), dtype('uint8'), dtype('int64'))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlearn.params import Choice, ParamSpace, Simplex, Uniform
from synthlearn.sim.base import Layer, Simulator, register
from synthlearn.sim.digits import acquire, distort, glyphs

SOURCES: list[str] = ["strokes", *glyphs.FONT_GROUPS]
"""Glyph sources, in the order of the ``source`` layer's indices."""

CANVAS = 40
"""Side of the square scan canvas, pixels."""

CHUNK = 256
"""Samples rendered at a time (a constant: changing it changes which draws go where)."""

_FWHM = 2.0 * np.sqrt(2.0 * np.log(2.0))  # a Gaussian pen thresholded at half its peak is FWHM wide


def _space() -> ParamSpace:
    return ParamSpace([
        Simplex("source_mix", SOURCES, doc="share of samples drawn by the stroke model and by each font group"),
        Uniform("thickness_mean", 0.03, 0.3, default=0.1, log=True,
                doc="median pen width of stroke glyphs, as a fraction of digit height"),
        Uniform("thickness_spread", 0.0, 0.6, default=0.2,
                doc="per-sample log-normal spread (sigma of log) of the pen width"),
        Uniform("jitter", 0.0, 0.15, default=0.03,
                doc="std of the per-control-point jitter of stroke glyphs, fraction of height"),
        Uniform("continental", 0.0, 1.0, default=0.5,
                doc="share of stroke glyphs in continental style (1 with long up-stroke, 7 with bar) vs US style"),
        Uniform("slant_mean", -0.6, 0.6, default=0.0,
                doc="mean horizontal shear dx = -slant * y (positive leans the top right)"),
        Uniform("slant_spread", 0.0, 0.5, default=0.15, doc="per-sample std of the shear"),
        Uniform("rotation_spread", 0.0, 30.0, default=5.0, doc="per-sample std of the rotation, degrees"),
        Uniform("aspect_spread", 0.0, 0.5, default=0.15,
                doc="per-sample log-normal spread of the width/height ratio around the glyph's own"),
        Uniform("elastic_strength", 0.0, 0.15, default=0.03,
                doc="std of the smooth elastic displacement, fraction of height"),
        Uniform("elastic_smoothness", 0.1, 1.0, default=0.3, log=True,
                doc="length scale of the elastic displacement field, fraction of height"),
        Uniform("blur", 0.0, 0.08, default=0.02, doc="std of the Gaussian scan blur, fraction of height"),
        Uniform("noise", 0.0, 0.5, default=0.1, doc="std of the ink noise (rough edges, pitted strokes)"),
        Uniform("threshold", 0.2, 0.8, default=0.5, doc="binarisation threshold on ink (stroke centre = 1)"),
        Choice("pipeline", list(acquire.PIPELINES), default="optdigits8x8",
               doc="acquisition: optdigits8x8 (sklearn load_digits, 8x8 counts 0..16), mnist28, or nist32 (its 32x32 0/1 bitmap)"),
    ])


@register
class DigitsSimulator(Simulator):
    """Handwriting-like digits (stroke skeletons and fonts) acquired like real digit data sets."""

    name = "digits"
    description = (
        "Handwritten-style digits from jittered stroke skeletons and TrueType fonts, distorted and "
        "acquired like scikit-learn's load_digits (NIST 8x8 block counts) or MNIST (28x28)."
    )
    layers = {
        "image": Layer("uint8", ("height", "width"),
                       "height x width set by pipeline: 8x8 values 0..16 for optdigits8x8, 28x28 values 0..255 "
                       "for mnist28, 32x32 values 0/1 for nist32"),
        "label": Layer("int64", (), "digit class 0..9"),
        "source": Layer("int64", (), "glyph source index into " + ", ".join(SOURCES)),
    }

    def param_space(self) -> ParamSpace:
        return _space()

    def dimensions(self, params: dict[str, Any]) -> dict[str, int]:
        """``height`` and ``width`` of ``image``: the pipeline's output size (8x8, 28x28 or 32x32)."""
        height, width = acquire.OUTPUT_SHAPES[params["pipeline"]]
        return {**super().dimensions(params), "height": height, "width": width}

    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        mix = self.param_space()["source_mix"].as_array(params["source_mix"])
        labels = rng.integers(0, 10, size=n).astype(np.int64)
        source = rng.choice(len(SOURCES), size=n, p=mix / mix.sum()).astype(np.int64)
        height, width = acquire.OUTPUT_SHAPES[params["pipeline"]]
        image = np.zeros((n, height, width), dtype=np.uint8)
        # Work in fixed-size chunks: the arrays stay in cache, which makes this several times
        # faster; the chunk size is a constant, so the draws stay a function of (params, n, seed).
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            binary = _scan(params, labels[lo:hi], source[lo:hi], rng)
            image[lo:hi] = acquire.PIPELINES[params["pipeline"]](binary)
        return {"image": image, "label": labels, "source": source}


def _scan(params: dict[str, Any], labels: np.ndarray, source: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Binary scans (m, CANVAS, CANVAS) of the given digits drawn by the given sources."""
    m = len(labels)
    pen = params["thickness_mean"] * np.exp(params["thickness_spread"] * rng.standard_normal(m))
    slant = params["slant_mean"] + params["slant_spread"] * rng.standard_normal(m)
    rotation = params["rotation_spread"] * rng.standard_normal(m)
    aspect = np.exp(params["aspect_spread"] * rng.standard_normal(m))
    matrices = distort.affine_matrices(slant, rotation, aspect)
    fields = None
    if params["elastic_strength"] > 0:
        fields = distort.random_elastic(rng, m, params["elastic_strength"], params["elastic_smoothness"])
    blur = params["blur"]

    canvas = np.zeros((m, CANVAS, CANVAS), dtype=np.float32)
    strokes = np.flatnonzero(source == 0)
    if len(strokes):
        pts, valid, link = glyphs.stroke_points(labels[strokes], rng, params["jitter"], params["continental"])
        px, k = _place(pts, strokes, matrices, fields, 0.5 * pen[strokes] + 2 * blur)
        ink = glyphs.splat(px, glyphs.arc_weights(px, link & valid), CANVAS)
        sigma_pen = np.maximum(pen[strokes] * k / _FWHM, 0.3)
        sigma = np.sqrt(sigma_pen**2 + (blur * k) ** 2)
        ink = distort.gaussian_blur(ink, sigma) / distort.kernel_peak(sigma_pen)[:, None, None]
        canvas[strokes] = ink
    fonts = np.flatnonzero(source > 0)
    if len(fonts):
        pts, cover = glyphs.font_points(labels[fonts], source[fonts] - 1, rng)
        px, k = _place(pts, fonts, matrices, fields, np.full(len(fonts), 2 * blur))
        area = (k / glyphs.FONT_RASTER) ** 2 * np.abs(np.linalg.det(matrices[fonts]))
        ink = glyphs.splat(px, cover * area[:, None].astype(np.float32), CANVAS)
        sigma = np.sqrt((0.5 * k / glyphs.FONT_RASTER) ** 2 + (blur * k) ** 2)
        canvas[fonts] = distort.gaussian_blur(ink, sigma)

    canvas = distort.ink_noise(canvas, rng, params["noise"])
    binary = canvas > np.float32(params["threshold"])
    empty = ~binary.any(axis=(1, 2))
    if empty.any():  # a stroke too faint for the threshold: binarise at half its own peak
        peak = canvas[empty].max(axis=(1, 2))
        binary[empty] = (canvas[empty] > 0.5 * peak[:, None, None]) & (peak[:, None, None] > 0)
    return binary


def _place(
    pts: np.ndarray,
    rows: np.ndarray,
    matrices: np.ndarray,
    fields: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    margin: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Distort glyph points of the samples ``rows`` and fit them into the canvas.

    Returns the points in canvas pixels (m, M, 2) and each sample's pixels per glyph unit (m,).
    ``margin`` (m,) is the ink's reach beyond the points (pen radius, blur), glyph units.
    """
    if fields is not None:
        pts = distort.elastic_displace(pts, *(f[rows] for f in fields))
    pts = distort.apply_affine(pts, matrices[rows])
    lo = pts.min(axis=1)  # padded points repeat a real one (see glyphs), so no masking needed
    hi = pts.max(axis=1)
    extent = (hi - lo).max(axis=1) + 2 * margin
    k = (CANVAS - 4) / np.maximum(extent, 1e-3)
    centre = 0.5 * (lo + hi)
    px = (pts - centre[:, None, :]) * k[:, None, None].astype(np.float32) + np.float32(CANVAS / 2)
    return px.astype(np.float32), k
