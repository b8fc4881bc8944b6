"""Class-balanced cross-entropy: class weights computed from the class counts of the training set.

Two weightings of class ``c`` with ``n_c`` training samples:

* inverse frequency (``beta=None``): ``w_c ∝ 1 / n_c``;
* effective number (Cui et al., CVPR 2019, ``0 <= beta < 1``): ``w_c ∝ (1 − β) / (1 − β^{n_c})``,
  the inverse of the "effective number of samples" ``(1 − β^{n_c}) / (1 − β)``. ``β = 0``
  gives equal weights; ``β → 1`` tends to inverse frequency; typical values are 0.9–0.9999.

Weights are normalised so they sum to the number of classes present (as Cui et al. do), so a
balanced set gets weight 1 everywhere. A class with no training sample gets weight 0 (it
never appears as a target of that set, and an infinite weight would poison the
normalisation); negative counts are an error.

The loss is ``F.cross_entropy(logits, targets, weight=w)``; its ``"mean"`` reduction is the
weighted mean ``Σᵢ w_{tᵢ} ℓᵢ / Σᵢ w_{tᵢ}`` (PyTorch's convention), ``"sum"`` is ``Σᵢ w_{tᵢ} ℓᵢ``.

Example::

    >>> class_balanced_weights([10, 30])                      # inverse frequency, sum = 2
    tensor([1.5000, 0.5000])
    >>> loss = ClassBalancedCrossEntropy([10, 30], beta=0.99)
    >>> loss(torch.zeros(4, 2), torch.tensor([0, 1, 1, 1]))    # log 2 whatever the weights
    tensor(0.6931)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["ClassBalancedCrossEntropy", "class_balanced_cross_entropy", "class_balanced_weights", "class_counts"]

Reduction = Literal["mean", "sum", "none"]


def class_counts(targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """How many times each class occurs in ``targets`` ``(N,)``: ``(num_classes,)`` long."""
    return torch.bincount(targets.long().flatten(), minlength=num_classes)


def class_balanced_weights(counts: torch.Tensor | Sequence[int], beta: float | None = None) -> torch.Tensor:
    """Per-class weights ``(C,)`` float32 from class counts ``(C,)``.

    Args:
        counts: training samples per class (zeros allowed: those classes get weight 0).
        beta: ``None`` for inverse frequency, or ``0 <= beta < 1`` for the effective number.

    Returns:
        weights summing to the number of classes with a non-zero count.
    """
    n = torch.as_tensor(counts, dtype=torch.float64).flatten()
    if n.numel() == 0:
        raise ValueError("counts is empty: need one count per class")
    if (n < 0).any():
        raise ValueError(f"class counts must be >= 0, got {n.tolist()}")
    present = n > 0
    if not present.any():
        raise ValueError("every class count is 0: cannot weight classes without samples")
    if beta is None:
        raw = 1.0 / n[present]
    else:
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"beta must be in [0, 1), got {beta}")
        raw = (1.0 - beta) / (1.0 - torch.pow(torch.tensor(beta, dtype=torch.float64), n[present]))
    weights = torch.zeros_like(n)
    weights[present] = raw / raw.sum() * present.sum()
    return weights.float()


def class_balanced_cross_entropy(
    logits: torch.Tensor,
    targets: torch.Tensor,
    counts: torch.Tensor | Sequence[int],
    beta: float | None = None,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    """Cross-entropy of ``logits`` ``(N, C)`` and ``targets`` ``(N,)`` weighted by :func:`class_balanced_weights` of ``counts`` ``(C,)``."""
    weights = class_balanced_weights(counts, beta).to(logits.device)
    if logits.ndim != 2 or logits.shape[1] != weights.shape[0]:
        raise ValueError(f"counts name {weights.shape[0]} classes but logits are {tuple(logits.shape)} (expected (N, C))")
    return F.cross_entropy(logits.float(), targets, weight=weights, reduction=reduction)


class ClassBalancedCrossEntropy(nn.Module):
    """Cross-entropy with class-balanced weights, computed once from ``counts`` ``(C,)``.

    The weights are a buffer (``self.weight``, ``(C,)``): they move with ``.to()`` and are
    saved in checkpoints, so a resumed run weights classes as before.
    ``forward(logits (N, C), targets (N,))`` → scalar (or ``(N,)`` with ``reduction="none"``).
    """

    weight: torch.Tensor

    def __init__(self, counts: torch.Tensor | Sequence[int], beta: float | None = None, reduction: Reduction = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction: Reduction = reduction
        self.register_buffer("weight", class_balanced_weights(counts, beta))

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if logits.ndim != 2 or logits.shape[1] != self.weight.shape[0]:
            raise ValueError(f"expected logits (N, {self.weight.shape[0]}), got {tuple(logits.shape)}")
        return F.cross_entropy(logits.float(), targets, weight=self.weight, reduction=self.reduction)
