"""Distances between two sets of features: the label-free signal of how real synthetic images look.

:func:`mmd2` is the squared maximum mean discrepancy with a Gaussian kernel (Gretton et al.
2012), the biased (V-statistic) estimate, which is never negative::

    MMD² = mean k(x, x') + mean k(y, y') − 2 mean k(x, y),   k(a, b) = exp(−‖a − b‖² / (2σ²))

:func:`median_bandwidth` picks σ as the median pairwise distance of one set (the median heuristic).
"""

from __future__ import annotations

import torch


def _sq_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances ``(N, M)`` between rows of ``a`` ``(N, d)`` and ``b`` ``(M, d)`` (float64)."""
    a, b = a.double(), b.double()
    return ((a * a).sum(1, keepdim=True) + (b * b).sum(1) - 2.0 * a @ b.T).clamp_min(0.0)


def median_bandwidth(features: torch.Tensor) -> float:
    """σ = the median distance between distinct rows of ``features`` ``(N, d)``, N ≥ 2."""
    if len(features) < 2:
        raise ValueError("the median heuristic needs at least 2 feature vectors")
    distances = _sq_distances(features, features).sqrt()
    upper = torch.triu_indices(len(features), len(features), offset=1)
    return float(distances[upper[0], upper[1]].median())


def mmd2(x: torch.Tensor, y: torch.Tensor, bandwidth: float) -> float:
    """Biased squared MMD between samples ``x`` ``(N, d)`` and ``y`` ``(M, d)`` under a Gaussian kernel of width ``bandwidth``."""
    if bandwidth <= 0:
        raise ValueError(f"bandwidth must be > 0, got {bandwidth}")
    scale = -1.0 / (2.0 * bandwidth**2)
    kxx = torch.exp(_sq_distances(x, x) * scale).mean()
    kyy = torch.exp(_sq_distances(y, y) * scale).mean()
    kxy = torch.exp(_sq_distances(x, y) * scale).mean()
    return float((kxx + kyy - 2.0 * kxy).clamp_min(0.0))
