"""Vectorised per-sample nuisances: geometry on point clouds, photometry on images.

Geometry acts on glyph point clouds ``(n, M, 2)`` (``x`` right, ``y`` down, glyph units)
before rasterisation, which keeps it exact and cheap: an affine map (aspect ratio, slant,
rotation, scale, translation) and a smooth random elastic displacement field. Photometry
acts on rasterised ink images ``(n, H, W)`` float32: a per-sample Gaussian blur and ink
noise. Nothing here draws from a hidden generator: per-sample values are passed in, and
the helpers that do draw take an explicit ``numpy.random.Generator``.

Example::

    >>> A = affine_matrices(slant=np.array([0.2]), rotation=np.array([5.0]), aspect=np.array([0.9]))
    >>> apply_affine(np.zeros((1, 3, 2), np.float32), A).shape
    (1, 3, 2)
"""

from __future__ import annotations

import numpy as np


def affine_matrices(
    slant: np.ndarray, rotation: np.ndarray, aspect: np.ndarray, scale: np.ndarray | None = None
) -> np.ndarray:
    """Per-sample 2x2 maps ``R(rotation) @ Shear(slant) @ diag(aspect, 1) * scale``, shape (n, 2, 2).

    ``slant`` is the shear ``dx = -slant * y`` (y down, so a positive slant leans the top to the
    right, as in right-slanted handwriting); ``rotation`` is in degrees, counter-clockwise on
    screen; ``aspect`` multiplies widths; ``scale`` (default 1) multiplies both axes.
    """
    slant, rotation, aspect = (np.asarray(a, dtype=np.float64) for a in (slant, rotation, aspect))
    scale = np.ones_like(aspect) if scale is None else np.asarray(scale, dtype=np.float64)
    n = len(slant)
    theta = np.deg2rad(rotation)
    c, s = np.cos(theta), np.sin(theta)
    rot = np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], -2)  # y down: CCW on screen
    shear = np.zeros((n, 2, 2))
    shear[:, 0, 0] = aspect
    shear[:, 0, 1] = -slant
    shear[:, 1, 1] = 1.0
    return (rot @ shear * scale[:, None, None]).astype(np.float32)


def apply_affine(points: np.ndarray, matrices: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """``p' = A p + shift`` for points (n, M, 2), matrices (n, 2, 2), shift (n, 2) or None."""
    out = np.matmul(points, np.swapaxes(matrices, 1, 2))
    if shift is not None:
        out = out + shift[:, None, :].astype(out.dtype)
    return out


ELASTIC_FEATURES = 8
"""Random Fourier features per sample in :func:`random_elastic`."""


def random_elastic(
    rng: np.random.Generator, n: int, strength: float, smoothness: float, features: int = ELASTIC_FEATURES
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``n`` smooth random displacement fields (random Fourier features of a Gaussian process).

    The field ``d(p) = sum_k amp_k cos(freq_k . p + phase_k)`` approximates a Gaussian
    process with a squared-exponential kernel of length scale ``smoothness`` whose
    displacement has standard deviation ``strength`` per axis (both in glyph units).

    Returns ``freq`` (n, K, 2), ``phase`` (n, K), ``amp`` (n, K, 2), all float32.
    """
    if strength < 0 or smoothness <= 0:
        raise ValueError(f"need strength >= 0 and smoothness > 0, got {strength}, {smoothness}")
    freq = rng.standard_normal((n, features, 2)) / smoothness
    phase = rng.uniform(0.0, 2 * np.pi, (n, features))
    amp = rng.standard_normal((n, features, 2)) * strength * np.sqrt(2.0 / features)
    return freq.astype(np.float32), phase.astype(np.float32), amp.astype(np.float32)


def elastic_displace(points: np.ndarray, freq: np.ndarray, phase: np.ndarray, amp: np.ndarray) -> np.ndarray:
    """Move points (n, M, 2) by the fields from :func:`random_elastic`; returns (n, M, 2)."""
    waves = np.cos(np.matmul(points, np.swapaxes(freq, 1, 2)) + phase[:, None, :])  # (n, M, K)
    return points + np.matmul(waves, amp)


def gaussian_kernels(sigma: np.ndarray, size: int) -> np.ndarray:
    """Per-sample 1-D Gaussian blur as (n, size, size) Toeplitz matrices (columns sum to 1).

    ``sigma`` (n,) in pixels; ``sigma <= 0`` gives the identity. The kernel is sampled at
    integer offsets and normalised, so it stays exact for sub-pixel ``sigma``.
    """
    sigma = np.asarray(sigma, dtype=np.float64)
    d = np.arange(-(size - 1), size, dtype=np.float64)
    safe = np.maximum(sigma, 1e-6)[:, None]
    k = np.exp(-0.5 * (d[None, :] / safe) ** 2)
    k /= k.sum(axis=1, keepdims=True)
    idx = np.arange(size)[:, None] - np.arange(size)[None, :] + size - 1
    return k[:, idx].astype(np.float32)


def kernel_peak(sigma: np.ndarray) -> np.ndarray:
    """Centre value of the normalised discrete kernel of :func:`gaussian_kernels`, shape (n,).

    A straight line of unit mass per pixel blurred with ``sigma`` peaks at about this value,
    so dividing by it gives a stroke whose centre has ink 1.
    """
    sigma = np.maximum(np.asarray(sigma, dtype=np.float64), 1e-6)
    d = np.arange(-40, 41, dtype=np.float64)
    return (1.0 / np.exp(-0.5 * (d[None, :] / sigma[:, None]) ** 2).sum(axis=1)).astype(np.float32)


def gaussian_blur(images: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Blur square images (n, S, S) with a per-sample isotropic Gaussian of ``sigma`` (n,) pixels."""
    if images.shape[1] != images.shape[2]:
        raise ValueError(f"gaussian_blur expects square images (n, S, S), got {images.shape}")
    g = gaussian_kernels(sigma, images.shape[1])
    return np.matmul(np.matmul(g, images), np.swapaxes(g, 1, 2))


def ink_noise(images: np.ndarray, rng: np.random.Generator, std: float) -> np.ndarray:
    """Add Gaussian noise of ``std`` scaled by local ink (``min(1, 2 * ink)``) where ink > 0.001.

    The noise roughens stroke edges and pits strokes (paper texture, uneven pen pressure) but
    leaves blank paper blank, so it creates no specks that a bounding box would pick up.
    Returns a new array.
    """
    out = images.copy()
    if std <= 0:
        return out
    inked = images > np.float32(1e-3)
    ink = images[inked]
    noise = rng.standard_normal(ink.shape, dtype=np.float32)
    out[inked] = ink + np.float32(std) * noise * np.minimum(np.float32(1.0), np.float32(2.0) * ink)
    return out
