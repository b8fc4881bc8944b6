"""PointNet's orthogonality regulariser ``‖I − A Aᵀ‖²_F`` on a predicted transform ``A``.

PointNet (Qi et al., CVPR 2017) adds ``0.001 · ‖I − A Aᵀ‖²_F`` on the 64×64 feature transform
so it stays close to an orthogonal map (which loses no information). This module computes the
squared Frobenius norm only; **the weight 0.001 is the caller's**::

    loss = F.cross_entropy(out.logits, y) + 0.001 * orthogonality_loss(out.feature_transform)

Batch reduction: ``"mean"`` (default) averages the per-matrix norms over the batch, so the
weight does not depend on the batch size; ``"sum"`` adds them; ``"none"`` returns ``(B,)``.
The authors' TensorFlow code uses ``tf.nn.l2_loss``, i.e. *half the sum* over the batch, so its
0.001 equals ``0.0005 · B`` times this function's ``"mean"`` (0.016 at B = 32).

``‖I − A Aᵀ‖²_F = ‖I − Aᵀ A‖²_F`` (equal traces), so the order of the product does not matter.
The norm is computed with autocast off, in float32 (float64 stays float64): ``A Aᵀ − I`` is a small difference of
numbers near 1, which bfloat16 (8 bits of mantissa) would round to noise.

Example::

    >>> orthogonality_loss(torch.eye(3).expand(4, 3, 3))        # orthogonal: zero
    tensor(0.)
    >>> orthogonality_loss(2 * torch.eye(3)[None])              # ‖I − 4I‖² = 9 · 3
    tensor(27.)
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

__all__ = ["OrthogonalityLoss", "orthogonality_loss"]

Reduction = Literal["mean", "sum", "none"]


def orthogonality_loss(transform: torch.Tensor, reduction: Reduction = "mean") -> torch.Tensor:
    """``‖I − A Aᵀ‖²_F`` of each matrix, reduced over the batch.

    Args:
        transform: ``A``, ``(B, k, k)`` (or one ``(k, k)`` matrix, a batch of one).
        reduction: ``"mean"`` over the batch (default), ``"sum"``, or ``"none"`` for ``(B,)``.

    Returns:
        a scalar (float32, or float64 for float64 input), or ``(B,)`` with ``reduction="none"``.
    """
    if transform.ndim == 2:
        transform = transform[None]
    if transform.ndim != 3 or transform.shape[1] != transform.shape[2]:
        raise ValueError(f"expected square matrices (B, k, k) or (k, k), got {tuple(transform.shape)}")
    with torch.autocast(device_type=transform.device.type, enabled=False):
        a = transform if transform.dtype == torch.float64 else transform.float()
        gram = torch.bmm(a, a.transpose(1, 2))
        eye = torch.eye(a.shape[1], dtype=a.dtype, device=a.device)
        per_matrix = (gram - eye).pow(2).sum(dim=(1, 2))  # (B,)
    if reduction == "mean":
        return per_matrix.mean()
    if reduction == "sum":
        return per_matrix.sum()
    if reduction == "none":
        return per_matrix
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


class OrthogonalityLoss(nn.Module):
    """Module form of :func:`orthogonality_loss`: ``(B, k, k)`` → scalar (or ``(B,)``), without the weight."""

    def __init__(self, reduction: Reduction = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction: Reduction = reduction

    def forward(self, transform: torch.Tensor) -> torch.Tensor:
        return orthogonality_loss(transform, self.reduction)
