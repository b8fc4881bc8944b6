"""Acquisition pipelines: how a binary "scan" of a digit becomes a dataset image.

Every pipeline takes binary scans ``(n, H, W)`` bool (ink = True), one digit per image on
blank paper, and returns a dataset-ready uint8 array.

``optdigits8x8`` -- the preprocessing behind scikit-learn's ``load_digits`` (UCI optdigits),
which used NIST's public-domain form-reading software (NISTIR 5469, routine
``norm_2nd_gen`` followed by ``shear_mis``). Re-implemented here, vectorised:

1. crop the ink's bounding box and scale it, nearest neighbour and *without* keeping the
   aspect ratio, to 20 px wide by 32 px tall, centred in a 32x32 bitmap (columns 6..25);
2. normalise stroke width by pixel count: two 4-neighbour erosions above 560 inked
   pixels, one above 412, one 4-neighbour dilation below 256, two below 108;
3. remove slant: shear rows so that the leftmost ink pixels two rows inside the top and
   bottom of the character line up (rows shift by ``round((r - 16) * factor)``);
4. count the inked pixels in each 4x4 block: an 8x8 image of integers 0..16.

``nist32`` -- steps 1-3 only: the 32x32 binary bitmap before block counting (what UCI's
``optdigits-orig`` distributes), values 0/1; ``block_counts`` of it is ``optdigits8x8``.

``mnist28`` -- MNIST's recipe: fit the bounding box into 20x20 keeping the aspect ratio
(area resampling gives grey levels), then place it in 28x28 with its centre of mass at
the centre; values 0..255.

Example::

    >>> bitmap = np.zeros((1, 32, 32), bool); bitmap[0, :4, :4] = True
    >>> block_counts(bitmap)[0, 0, 0]
    16
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

NORM_SIZE = 32
NORM_WIDTH = 20  # NIST's RED_W: characters are scaled to 20 x 32 before centring in 32 x 32
BLOCK = 4


def _bbox(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per image: top, bottom, left, right (inclusive) of the ink and whether there is any."""
    rows = binary.any(axis=2)
    cols = binary.any(axis=1)
    has = rows.any(axis=1)
    h, w = binary.shape[1:]
    top = rows.argmax(axis=1)
    bottom = h - 1 - rows[:, ::-1].argmax(axis=1)
    left = cols.argmax(axis=1)
    right = w - 1 - cols[:, ::-1].argmax(axis=1)
    return top, bottom, left, right, has


def _check_binary(binary: np.ndarray) -> np.ndarray:
    binary = np.asarray(binary)
    if binary.ndim != 3:
        raise ValueError(f"expected binary scans of shape (n, H, W), got {binary.shape}")
    return binary.astype(bool, copy=False)


def erode4(bitmaps: np.ndarray) -> np.ndarray:
    """Keep an ink pixel only if its 4 neighbours are ink (outside the image counts as paper)."""
    p = np.pad(bitmaps, ((0, 0), (1, 1), (1, 1)))
    return bitmaps & p[:, :-2, 1:-1] & p[:, 2:, 1:-1] & p[:, 1:-1, :-2] & p[:, 1:-1, 2:]


def dilate4(bitmaps: np.ndarray) -> np.ndarray:
    """Ink a pixel if it or any of its 4 neighbours is ink."""
    p = np.pad(bitmaps, ((0, 0), (1, 1), (1, 1)))
    return bitmaps | p[:, :-2, 1:-1] | p[:, 2:, 1:-1] | p[:, 1:-1, :-2] | p[:, 1:-1, 2:]


def normalize_stroke_width(bitmaps: np.ndarray) -> np.ndarray:
    """NIST's pixel-count rule: erode twice (>560), once (>412), dilate once (<256), twice (<108)."""
    npix = bitmaps.sum(axis=(1, 2))
    out = bitmaps.copy()
    eroded = erode4(bitmaps)
    dilated = dilate4(bitmaps)
    sel = lambda m: m[:, None, None]  # noqa: E731
    out = np.where(sel(npix > 412), eroded, out)
    out = np.where(sel(npix > 560), erode4(eroded), out)
    out = np.where(sel(npix < 256), dilated, out)
    out = np.where(sel(npix < 108), dilate4(dilated), out)
    return out


def _round_half_away(x: np.ndarray) -> np.ndarray:
    return np.trunc(x + np.copysign(0.5, x)).astype(np.int64)


def deslant(bitmaps: np.ndarray) -> np.ndarray:
    """Shear each bitmap (n, H, W) so the leftmost ink two rows inside its top and bottom align."""
    n, h, w = bitmaps.shape
    top, bottom, _, _, has = _bbox(bitmaps)
    r_top = np.minimum(top + 2, h - 1)
    r_bot = np.maximum(bottom - 2, 0)
    idx = np.arange(n)
    row_top, row_bot = bitmaps[idx, r_top], bitmaps[idx, r_bot]
    top_left = np.where(row_top.any(axis=1), row_top.argmax(axis=1), -1)
    bot_left = np.where(row_bot.any(axis=1), row_bot.argmax(axis=1), -1)
    ok = has & (bottom - top + 1 > 5) & (top_left >= 0) & (bot_left >= 0) & (top_left != bot_left)
    ok &= r_bot != r_top
    factor = np.where(ok, (top_left - bot_left) / np.where(r_bot != r_top, r_bot - r_top, 1), 0.0)
    factor = factor.astype(np.float32)
    shift = _round_half_away((np.arange(h, dtype=np.float32)[None, :] - (h >> 1)) * factor[:, None])  # (n, h)
    src = np.arange(w)[None, None, :] - shift[:, :, None]  # out[r, c] = in[r, c - shift]
    valid = (src >= 0) & (src < w)
    gathered = bitmaps[idx[:, None, None], np.arange(h)[None, :, None], np.clip(src, 0, w - 1)]
    return gathered & valid


def nist_normalize(binary: np.ndarray) -> np.ndarray:
    """Binary scans (n, H, W) -> NIST-normalised 32x32 bitmaps (n, 32, 32) bool (see module doc)."""
    binary = _check_binary(binary)
    n = len(binary)
    top, bottom, left, right, has = _bbox(binary)
    obj_h = bottom - top + 1
    obj_w = right - left + 1
    i = np.arange(NORM_SIZE)
    j = np.arange(NORM_WIDTH)
    rows = top[:, None] + ((i[None, :] + 0.5) * obj_h[:, None] / NORM_SIZE).astype(np.int64)
    cols = left[:, None] + ((j[None, :] + 0.5) * obj_w[:, None] / NORM_WIDTH).astype(np.int64)
    zoomed = binary[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]] & has[:, None, None]
    out = np.zeros((n, NORM_SIZE, NORM_SIZE), dtype=bool)
    x0 = (NORM_SIZE - NORM_WIDTH) >> 1
    out[:, :, x0:x0 + NORM_WIDTH] = zoomed
    return deslant(normalize_stroke_width(out))


def block_counts(bitmaps: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """Count inked pixels in non-overlapping ``block`` x ``block`` cells: (n, H, W) -> uint8 (n, H/b, W/b)."""
    bitmaps = _check_binary(bitmaps)
    n, h, w = bitmaps.shape
    if h % block or w % block:
        raise ValueError(f"bitmap size {h}x{w} is not a multiple of the block size {block}")
    counts = bitmaps.reshape(n, h // block, block, w // block, block).sum(axis=(2, 4))
    return counts.astype(np.uint8)


def nist32(binary: np.ndarray) -> np.ndarray:
    """Binary scans (n, H, W) -> NIST-normalised bitmaps: uint8 (n, 32, 32), values 0/1."""
    return nist_normalize(binary).astype(np.uint8)


def optdigits8x8(binary: np.ndarray) -> np.ndarray:
    """Binary scans (n, H, W) -> optdigits images: uint8 (n, 8, 8), values 0..16."""
    return block_counts(nist_normalize(binary))


def _area_resample_matrix(start: np.ndarray, step: np.ndarray, out_size: int, in_size: int) -> np.ndarray:
    """(n, out, in) weights averaging input pixels over output pixel j = [start + j*step, start + (j+1)*step)."""
    a = start[:, None, None] + np.arange(out_size)[None, :, None] * step[:, None, None]
    b = a + step[:, None, None]
    k = np.arange(in_size)[None, None, :]
    overlap = np.clip(np.minimum(b, k + 1) - np.maximum(a, k), 0.0, None)
    return (overlap / step[:, None, None]).astype(np.float32)


def mnist28(binary: np.ndarray) -> np.ndarray:
    """Binary scans (n, H, W) -> MNIST-style images: uint8 (n, 28, 28), values 0..255."""
    binary = _check_binary(binary)
    n, h, w = binary.shape
    top, bottom, left, right, has = _bbox(binary)
    extent = np.maximum(bottom - top + 1, right - left + 1).astype(np.float64)
    scale = 20.0 / np.where(has, extent, 1.0)  # output pixels per scan pixel
    ink = binary.astype(np.float32)
    mass = np.maximum(ink.sum(axis=(1, 2)), 1.0)
    cy = (ink.sum(axis=2) @ (np.arange(h) + 0.5)) / mass
    cx = (ink.sum(axis=1) @ (np.arange(w) + 0.5)) / mass
    step = 1.0 / scale  # scan pixels per output pixel
    ry = _area_resample_matrix(cy - 14.0 * step, step, 28, h)
    rx = _area_resample_matrix(cx - 14.0 * step, step, 28, w)
    grey = np.matmul(np.matmul(ry, ink), np.swapaxes(rx, 1, 2))
    return np.clip(np.rint(grey * 255.0), 0, 255).astype(np.uint8)


PIPELINES: dict[str, Callable[[np.ndarray], np.ndarray]] = {"optdigits8x8": optdigits8x8, "mnist28": mnist28, "nist32": nist32}
"""Acquisition pipelines by name."""

OUTPUT_SHAPES: dict[str, tuple[int, int]] = {"optdigits8x8": (8, 8), "mnist28": (28, 28), "nist32": (NORM_SIZE, NORM_SIZE)}
