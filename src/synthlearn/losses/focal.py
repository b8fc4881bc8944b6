"""Multi-class focal loss (Lin et al., ICCV 2017): cross-entropy that down-weights easy samples.

For a sample of true class ``t`` with softmax probability ``p_t``::

    FL = −α_t · (1 − p_t)^γ · log p_t

``γ = 0`` is cross-entropy (weighted by ``α`` when given); ``γ > 0`` shrinks the loss of samples
the model already gets right (``p_t`` near 1), so rare or hard samples weigh more. The PointNet
tutorial on a ShapeNet subset uses ``γ = 1``.

Reductions follow ``F.cross_entropy`` so that ``γ = 0`` is a drop-in replacement for it,
with or without class weights:

* ``"mean"`` -- ``Σᵢ FLᵢ / Σᵢ α_{tᵢ}`` (the weighted mean; the plain mean over samples when
  ``alpha`` is ``None``);
* ``"sum"`` -- ``Σᵢ FLᵢ``;
* ``"none"`` -- ``(N,)``.

``log p_t`` comes from ``log_softmax`` in float32 and ``1 − p_t`` from ``−expm1(log p_t)``
(accurate when ``p_t`` is near 1); where ``p_t`` rounds to exactly 1 the factor is clamped
above zero, so the gradient stays finite for ``0 < γ < 1`` too.

Example::

    >>> logits, y = torch.tensor([[2.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 0])
    >>> torch.allclose(focal_loss(logits, y, gamma=0.0), F.cross_entropy(logits, y))
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["FocalLoss", "focal_loss"]

Reduction = Literal["mean", "sum", "none"]


def _alpha_tensor(alpha: torch.Tensor | Sequence[float] | None, num_classes: int, like: torch.Tensor) -> torch.Tensor | None:
    if alpha is None:
        return None
    a = torch.as_tensor(alpha, dtype=torch.float32, device=like.device)
    if a.shape != (num_classes,):
        raise ValueError(f"alpha must have one weight per class ({num_classes},), got {tuple(a.shape)}")
    if (a < 0).any():
        raise ValueError(f"alpha must be >= 0, got {a.tolist()}")
    return a


def focal_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    gamma: float = 2.0,
    alpha: torch.Tensor | Sequence[float] | None = None,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    """Multi-class focal loss of ``logits`` ``(N, C)`` against class indices ``targets`` ``(N,)``.

    Args:
        logits: ``(N, C)`` unnormalised scores.
        targets: ``(N,)`` long class indices in ``[0, C)``.
        gamma: focusing parameter ``γ >= 0`` (0 = cross-entropy).
        alpha: optional per-class weights ``(C,)`` (``α_t`` in the formula).
        reduction: ``"mean"`` (weighted mean, as ``F.cross_entropy``), ``"sum"`` or ``"none"``.

    Returns:
        a float32 scalar, or ``(N,)`` with ``reduction="none"``.
    """
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    if logits.ndim != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(f"expected logits (N, C) and targets (N,), got {tuple(logits.shape)} and {tuple(targets.shape)}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    targets = targets.long()
    with torch.autocast(device_type=logits.device.type, enabled=False):
        log_p = F.log_softmax(logits.float(), dim=1)
        log_pt = log_p.gather(1, targets[:, None])[:, 0]  # (N,)
        loss = -log_pt
        if gamma > 0:
            one_minus_pt = (-torch.expm1(log_pt)).clamp_min(torch.finfo(log_pt.dtype).tiny)
            loss = one_minus_pt.pow(gamma) * loss
        weights = _alpha_tensor(alpha, logits.shape[1], logits)
        if weights is not None:
            w = weights[targets]
            loss = w * loss
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w.sum() if weights is not None else loss.mean()


class FocalLoss(nn.Module):
    """Module form of :func:`focal_loss`: ``forward(logits (N, C), targets (N,))``.

    ``alpha`` (if given) is kept as a buffer, so it moves with ``.to()`` and is saved in
    checkpoints.
    """

    alpha: torch.Tensor | None

    def __init__(self, gamma: float = 2.0, alpha: torch.Tensor | Sequence[float] | None = None, reduction: Reduction = "mean") -> None:
        super().__init__()
        if gamma < 0:
            raise ValueError(f"gamma must be >= 0, got {gamma}")
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.gamma = float(gamma)
        self.reduction: Reduction = reduction
        alpha_t = None if alpha is None else torch.as_tensor(alpha, dtype=torch.float32)
        if alpha_t is not None and (alpha_t.ndim != 1 or (alpha_t < 0).any()):
            raise ValueError(f"alpha must be a 1-D tensor of weights >= 0, got {alpha_t.tolist()}")
        self.register_buffer("alpha", alpha_t)

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return focal_loss(logits, targets, self.gamma, self.alpha, self.reduction)
