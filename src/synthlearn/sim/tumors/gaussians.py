"""The class-conditional Gaussians that the ``tumors`` parameters describe.

Class ``k`` has prior ``π_k`` and features ``x ~ N(μ_k, Σ_k)`` with
``Σ_k = diag(s_k) R diag(s_k)`` and ``R = (1 − ρ) I + ρ 11ᵀ`` (equicorrelation ρ). The
parameters say:

* ``prior`` -- ``[]`` (uniform) or ``classes`` probabilities summing to 1;
* ``means`` -- ``[]`` (the CNTK 101 rule ``μ_k = 3 (k + 1)`` on every feature), ``classes``
  numbers (one per class, on every feature), or ``classes × features`` numbers (row-major,
  class by class);
* ``scales`` -- ``[]`` (the CNTK 101 rule ``s_k = k + 1``), ``classes`` or
  ``classes × features`` positive numbers, as ``means``;
* ``separation`` -- means move from their prior-weighted average ``μ̄``:
  ``μ_k ← μ̄ + separation · (μ_k − μ̄)`` (1 keeps them);
* ``spread`` -- every scale is multiplied by it; ``correlation`` -- ρ.

At the defaults, class 0 is ``N(3, 1)`` and class 1 ``N(6, 2²)`` per feature: the tutorial's
``(N(0, I) + 3) · (label + 1)``.

Example::

    >>> g = class_gaussians({"classes": 2, "features": 2, "prior": [], "means": [], "scales": [],
    ...                      "correlation": 0.0, "separation": 1.0, "spread": 1.0})
    >>> g.means.tolist(), g.scales.tolist()
    ([[3.0, 3.0], [6.0, 6.0]], [[1.0, 1.0], [2.0, 2.0]])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthlearn.params import ParamError


@dataclass(frozen=True)
class ClassGaussians:
    """``K`` class-conditional Gaussians in ``F`` dimensions.

    Attributes:
        prior: class probabilities ``(K,)``.
        means: ``(K, F)``.
        scales: per-class, per-feature standard deviations ``(K, F)``.
        correlation: ρ, the correlation between any two features within a class.
    """

    prior: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    correlation: float

    @property
    def classes(self) -> int:
        return int(self.means.shape[0])

    @property
    def features(self) -> int:
        return int(self.means.shape[1])

    def correlation_factor(self) -> np.ndarray:
        """Lower Cholesky factor ``(F, F)`` of the correlation matrix ``R``."""
        f = self.features
        return np.linalg.cholesky((1 - self.correlation) * np.eye(f) + self.correlation * np.ones((f, f)))

    def covariances(self) -> np.ndarray:
        """``Σ_k`` for every class, ``(K, F, F)``."""
        factor = self.correlation_factor()
        r = factor @ factor.T
        return self.scales[:, :, None] * r[None] * self.scales[:, None, :]

    def log_joint(self, x: np.ndarray) -> np.ndarray:
        """``log π_k + log N(x; μ_k, Σ_k)`` for points ``x`` ``(M, F)``: ``(M, K)``."""
        x = np.asarray(x, dtype=np.float64)
        factor = self.correlation_factor()
        log_det_r = 2 * np.log(np.diag(factor)).sum()
        out = np.empty((len(x), self.classes))
        for k in range(self.classes):
            z = np.linalg.solve(factor, ((x - self.means[k]) / self.scales[k]).T)  # (F, M)
            log_det = log_det_r + 2 * np.log(self.scales[k]).sum()
            out[:, k] = math.log(self.prior[k]) - 0.5 * ((z * z).sum(axis=0) + log_det + self.features * math.log(2 * math.pi))
        return out


def _per_class(name: str, values: list[float], classes: int, features: int, rule: np.ndarray) -> np.ndarray:
    if not values:
        return np.repeat(rule[:, None], features, axis=1)
    if len(values) == classes:
        return np.repeat(np.asarray(values, dtype=np.float64)[:, None], features, axis=1)
    if len(values) == classes * features:
        return np.asarray(values, dtype=np.float64).reshape(classes, features)
    raise ParamError(f"parameter '{name}': {len(values)} numbers given; expected none (the default), one per class "
                     f"({classes}) or one per class and feature ({classes} × {features} = {classes * features})")


def class_gaussians(params: Mapping[str, Any]) -> ClassGaussians:
    """The Gaussians of complete, validated ``tumors`` parameters; :class:`ParamError` if lengths disagree."""
    classes, features = int(params["classes"]), int(params["features"])
    prior = params["prior"]
    if prior and len(prior) != classes:
        raise ParamError(f"parameter 'prior': {len(prior)} probabilities given for {classes} classes")
    prior_array = np.asarray(prior, dtype=np.float64) if prior else np.full(classes, 1.0 / classes)
    if np.any(prior_array <= 0):
        raise ParamError("parameter 'prior': every class needs a probability above 0")
    rule = np.arange(1, classes + 1, dtype=np.float64)
    means = _per_class("means", params["means"], classes, features, 3 * rule)
    scales = _per_class("scales", params["scales"], classes, features, rule)
    centre = prior_array @ means
    means = centre + float(params["separation"]) * (means - centre)
    return ClassGaussians(prior_array, means, scales * float(params["spread"]), float(params["correlation"]))
