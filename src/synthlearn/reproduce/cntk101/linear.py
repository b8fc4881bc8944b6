"""Linear classifiers as (weights, bias), their decision boundary, and scikit-learn's logistic regression.

A linear classifier predicts ``argmax_k (W x + b)_k`` with ``W`` ``(K, F)`` and ``b`` ``(K,)``.
With two classes its boundary is the hyperplane ``w · x + c = 0``, ``w = W₁ − W₀``,
``c = b₁ − b₀``, described by its unit normal ``w / ‖w‖`` and its signed offset
``−c / ‖w‖`` from the origin along that normal.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def linear_classifier(weight: np.ndarray, bias: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``x`` ``(M, F)`` ↦ ``argmax(x Wᵀ + b)`` ``(M,)``."""
    weight, bias = np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)
    return lambda x: (np.asarray(x, dtype=np.float64) @ weight.T + bias).argmax(axis=1)


def boundary(weight: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit normal ``(F,)`` and offset of a two-class linear boundary (see the module docstring)."""
    weight, bias = np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)
    if weight.shape[0] != 2:
        raise ValueError(f"a decision boundary is defined here for two classes, got {weight.shape[0]}")
    w, c = weight[1] - weight[0], float(bias[1] - bias[0])
    norm = float(np.linalg.norm(w))
    return w / norm, -c / norm


def boundary_gap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
    """Angle between two boundaries' normals (degrees) and the difference of their offsets."""
    (normal_a, offset_a), (normal_b, offset_b) = boundary(*a), boundary(*b)
    cosine = float(np.clip(normal_a @ normal_b, -1.0, 1.0))
    return {"angle_degrees": float(np.degrees(np.arccos(cosine))), "offset": abs(offset_a - offset_b)}


def sklearn_logistic(features: np.ndarray, label: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``(K, F)`` and bias ``(K,)`` of scikit-learn's ``LogisticRegression`` (lbfgs, L2 strength 1 / ``c``).

    ``c=np.inf`` fits by maximum likelihood alone. Two classes come back in the softmax
    form (row 0 = 0, row 1 = scikit-learn's single row), so :func:`boundary` applies.
    """
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000, tol=1e-8).fit(features, label)
    weight, bias = model.coef_, model.intercept_
    if weight.shape[0] == 1:
        weight, bias = np.vstack([np.zeros_like(weight), weight]), np.concatenate([[0.0], bias])
    return weight, bias
