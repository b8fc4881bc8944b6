"""NPID's non-parametric softmax: classify each sample as itself among all N memory-bank slots.

Non-parametric instance discrimination (Wu et al., CVPR 2018) gives every training sample ``i``
its own class, with the memory-bank vector ``v_i`` in place of a learned weight::

    P(i | f) = exp(v_iᵀ f / τ) / Σ_j exp(v_jᵀ f / τ)          loss = −mean_b log P(i_b | f_b)

i.e. the cross-entropy of logits ``f Vᵀ / τ`` ``(B, N)`` against the samples' own indices. The
bank is read detached: gradients reach the features only (the bank is refreshed by
:meth:`synthlearn.ssl.bank.MemoryBank.update`, outside autograd). The full ``(B, N)`` logits are
built at once, which suits banks up to a few hundred thousand slots; beyond that use
:class:`synthlearn.losses.nce.NCECriterion`. Computed in float32 with autocast off, as
``1/τ`` (τ = 0.07) amplifies rounding of a bfloat16 matmul.

Example::

    >>> bank = torch.eye(3)
    >>> instance_softmax_loss(bank, torch.arange(3), bank, temperature=1.0)  # = F.cross_entropy(eye, arange)
    tensor(0.5514)
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

__all__ = ["instance_softmax_loss"]


def instance_softmax_loss(features: torch.Tensor, indices: torch.Tensor, bank_vectors: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-entropy of ``features @ bank_vectorsᵀ / τ`` against ``indices``, averaged over the batch.

    Args:
        features: ``(B, d)`` features of the batch (L2-normalised in NPID).
        indices: ``(B,)`` each sample's own slot in ``[0, N)``.
        bank_vectors: ``(N, d)`` memory bank (read detached).
        temperature: ``τ > 0``.

    Returns:
        a float32 scalar.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if features.ndim != 2 or bank_vectors.ndim != 2 or features.shape[1] != bank_vectors.shape[1]:
        raise ValueError(f"expected features (B, d) and bank_vectors (N, d), got {tuple(features.shape)} and {tuple(bank_vectors.shape)}")
    if indices.shape != features.shape[:1]:
        raise ValueError(f"expected indices ({features.shape[0]},), got {tuple(indices.shape)}")
    with torch.autocast(device_type=features.device.type, enabled=False):
        logits = features.float() @ bank_vectors.detach().float().T / temperature  # (B, N)
        return F.cross_entropy(logits, indices.long())
