"""NPID's proximal regulariser: keep a sample's feature close to its previous memory-bank value.

Each instance is one class seen once per epoch, so its feature can jump between visits and
training oscillates. Wu et al. (CVPR 2018) add ``λ‖v_i^(t) − v_i^(t−1)‖²``, where
``v_i^(t)`` is the feature computed now and ``v_i^(t−1)`` the one stored in the memory bank::

    loss = nce_or_softmax_loss + proximal_penalty(features, bank.vectors[indices], weight=λ)

The previous values are detached, so only the current features are pulled. The squared
distance is averaged over the batch, so ``weight`` does not depend on the batch size.

Example::

    >>> proximal_penalty(torch.tensor([[1.0, 2.0]]), torch.zeros(1, 2), weight=0.5)   # 0.5 · 5
    tensor(2.5000)
"""

from __future__ import annotations

import torch

__all__ = ["proximal_penalty"]


def proximal_penalty(features: torch.Tensor, previous: torch.Tensor, weight: float) -> torch.Tensor:
    """``weight · mean_b ‖features_b − previous_b‖²``.

    Args:
        features: ``(B, d)`` current features ``v_i^(t)``.
        previous: ``(B, d)`` the same samples' previous features ``v_i^(t−1)`` (detached).
        weight: ``λ >= 0``.

    Returns:
        a scalar.
    """
    if weight < 0:
        raise ValueError(f"weight must be >= 0, got {weight}")
    if features.ndim != 2 or previous.shape != features.shape:
        raise ValueError(f"expected features and previous of the same shape (B, d), got {tuple(features.shape)} and {tuple(previous.shape)}")
    return weight * (features - previous.detach()).pow(2).sum(dim=1).mean()
