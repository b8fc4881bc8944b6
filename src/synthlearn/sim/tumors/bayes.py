"""Error rates of classifiers on the ``tumors`` Gaussians, by numerical integration.

The error of a classifier ``c`` is ``Σ_k π_k P(c(x) ≠ k | class k) = ∫ Σ_{k ≠ c(x)} π_k p_k(x) dx``.
For one or two features it is integrated by the midpoint rule on a regular grid covering
every class mean ± 9 of its largest standard deviations (the mass outside is below 1e-18).
The Bayes classifier is ``argmax_k π_k p_k(x)``; its error is the smallest any classifier
can reach. With more features, :func:`bayes_error` falls back on a Monte-Carlo average of
``1 − max_k P(k | x)`` (stated in the returned method).

Example (the CNTK 101 generator; the tutorial quotes ~0.063)::

    >>> g = class_gaussians(tumors_space().validate({}))
    >>> round(bayes_error(g)[0], 4)
    0.0629
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from synthlearn.sim.tumors.gaussians import ClassGaussians

Classifier = Callable[[np.ndarray], np.ndarray]
"""Points ``(M, F)`` → predicted classes ``(M,)``."""

_HALF_WIDTH = 9.0  # grid half-width in standard deviations
_POINTS = {1: 200_001, 2: 1_201}  # grid points per axis
_MONTE_CARLO = 1_000_000


def grid(g: ClassGaussians) -> tuple[np.ndarray, float]:
    """Cell centres ``(M, F)`` of the integration grid and the volume of one cell (``F`` ≤ 2)."""
    if g.features > 2:
        raise ValueError(f"grid integration needs 1 or 2 features, got {g.features}")
    reach = _HALF_WIDTH * g.scales.max(axis=0)
    low, high = (g.means - reach).min(axis=0), (g.means + reach).max(axis=0)
    points = _POINTS[g.features]
    step = (high - low) / points
    axes = [low[d] + step[d] * (np.arange(points) + 0.5) for d in range(g.features)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1), float(np.prod(step))


def bayes_classifier(g: ClassGaussians) -> Classifier:
    """``x ↦ argmax_k π_k p_k(x)``."""
    return lambda x: g.log_joint(x).argmax(axis=1)


def classifier_error(g: ClassGaussians, classify: Classifier) -> float:
    """Error of ``classify`` on the Gaussians by grid integration (1 or 2 features)."""
    points, volume = grid(g)
    total = 0.0
    for start in range(0, len(points), 250_000):
        chunk = points[start : start + 250_000]
        joint = np.exp(g.log_joint(chunk))  # (M, K)
        right = joint[np.arange(len(chunk)), classify(chunk)]
        total += float((joint.sum(axis=1) - right).sum())
    return total * volume


def bayes_error(g: ClassGaussians, rng: np.random.Generator | None = None) -> tuple[float, str]:
    """The Bayes error and how it was computed.

    1–2 features: grid integration (``rng`` unused). More: Monte Carlo of ``1 − max_k P(k | x)``
    over 10⁶ draws from the mixture, which needs ``rng``.
    """
    if g.features <= 2:
        return classifier_error(g, bayes_classifier(g)), f"grid integration ({_POINTS[g.features]} points per axis, ±{_HALF_WIDTH:g} sd)"
    if rng is None:
        raise ValueError("the Monte-Carlo Bayes error (more than 2 features) needs a Generator")
    label = rng.choice(g.classes, size=_MONTE_CARLO, p=g.prior)
    z = rng.standard_normal((_MONTE_CARLO, g.features)) @ g.correlation_factor().T
    log_joint = g.log_joint(g.means[label] + g.scales[label] * z)
    posterior_max = np.exp(log_joint.max(axis=1) - np.logaddexp.reduce(log_joint, axis=1))
    return float(1 - posterior_max.mean()), f"Monte Carlo of 1 - max posterior ({_MONTE_CARLO:,} draws)"
