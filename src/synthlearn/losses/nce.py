"""NPID's noise-contrastive estimation: the N-way instance softmax approximated with m noise slots.

Non-parametric instance discrimination (Wu et al., CVPR 2018) replaces the full softmax over N
memory-bank slots (:func:`synthlearn.losses.instance_softmax.instance_softmax_loss`) by a binary
task: tell the sample's own slot ``v_i`` (data) from ``m`` slots drawn uniformly (noise,
``P_n = 1/N``). With ``out_j = exp(v_jᵀ f / τ)`` and ``P_j = out_j / Z``::

    h(P) = P / (P + m·P_n)
    loss = −mean_b [ log h(P_pos) + Σ_{m noise} log(1 − h(P_noise)) ]
         = −mean_b [ log(P_pos / (P_pos + m·P_n)) + Σ log(m·P_n / (P_noise + m·P_n)) ]

The normalising constant ``Z`` is not computed over all N slots; like the paper's code, it is
estimated **once**, from the first batch, as ``N · mean(out)`` over all ``B × (m + 1)`` entries
(positives included), and then held fixed: it is the buffer :attr:`NCECriterion.z` (NaN until
the first call, float64 so ``N · exp(1/τ)`` cannot overflow), so checkpoints carry it and a
resumed run keeps the same ``Z``.

Both log terms are evaluated as softplus of log-probabilities, which equals the formula but
stays accurate when ``P`` is far from ``m·P_n``::

    log(P / (P + m·P_n))       = −softplus(log(m·P_n) − log P)
    log(m·P_n / (P + m·P_n))   = −softplus(log P − log(m·P_n))

Noise is drawn with replacement and may include the sample's own slot, as in the paper's code.

The ``B × (1 + m)`` scores are read from the bank in one of two ways with the same value (up to
float rounding): gathering the ``B × (1 + m)`` slots (memory-bound, cheap for small m), or one
``B × N`` matrix product followed by a gather (compute-bound, cheaper once ``1 + m`` exceeds
``N / 32`` on a CPU; :data:`MATMUL_FRACTION`). A run always takes the same path.
``m = 0`` is not NCE: use the full softmax instead (the caller's choice).

Example::

    >>> criterion = NCECriterion(n_data=len(bank), noise=4096, temperature=0.07)
    >>> loss = criterion(features, indices, bank.vectors, generator)   # features (B, d), indices (B,)
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["NCECriterion", "nce_loss"]

MATMUL_FRACTION = 32
"""Score all N slots with one matrix product when ``1 + m > N / MATMUL_FRACTION`` (measured on a 2-core CPU)."""


def _nce_loss_from_log_out(log_positive: torch.Tensor, log_noise: torch.Tensor, log_z: float, n_data: int) -> torch.Tensor:
    """The NCE loss from ``log out``: ``log_positive`` ``(B,)``, ``log_noise`` ``(B, m)``."""
    log_m_pn = math.log(log_noise.shape[1]) - math.log(n_data)  # log(m · P_n)
    positive_term = F.softplus(log_m_pn - (log_positive - log_z))  # −log h(P_pos)
    noise_term = F.softplus((log_noise - log_z) - log_m_pn).sum(dim=1)  # −Σ log(1 − h(P_noise))
    return (positive_term + noise_term).mean()


def nce_loss(positive_out: torch.Tensor, noise_out: torch.Tensor, z: float, n_data: int) -> torch.Tensor:
    """NCE loss of unnormalised scores ``out = exp(vᵀf/τ)`` given the normalising constant ``z``.

    Args:
        positive_out: ``(B,)`` ``out`` of each sample's own slot (> 0).
        noise_out: ``(B, m)`` ``out`` of the ``m >= 1`` noise slots of each sample (> 0).
        z: normalising constant ``Z > 0`` (``P = out / Z``).
        n_data: number of memory-bank slots ``N`` (noise probability ``P_n = 1/N``).

    Returns:
        the scalar loss, ``−mean_b [log h(P_pos) + Σ log(1 − h(P_noise))]``.
    """
    if positive_out.ndim != 1 or noise_out.ndim != 2 or noise_out.shape[0] != positive_out.shape[0] or noise_out.shape[1] < 1:
        raise ValueError(f"expected positive_out (B,) and noise_out (B, m >= 1), got {tuple(positive_out.shape)} and {tuple(noise_out.shape)}")
    if not z > 0:
        raise ValueError(f"z must be > 0, got {z}")
    if n_data < 1:
        raise ValueError(f"n_data must be >= 1, got {n_data}")
    return _nce_loss_from_log_out(positive_out.log(), noise_out.log(), math.log(z), n_data)


class NCECriterion(nn.Module):
    """NCE over a memory bank: ``forward(features (B, d), indices (B,), bank_vectors (N, d), generator)``.

    Draws ``noise`` slots per sample with ``torch.randint(N, (B, m), generator=generator)`` on the
    bank's device, estimates ``z`` on the first call (see the module docstring) and returns
    :func:`nce_loss` of ``out = exp(bank[j] · f / τ)``, computed from the logits ``bank[j] · f / τ``
    directly (``log out``, without a round trip through ``exp``). The bank is read detached:
    gradients reach the features only. Computed in float32 with autocast off.
    """

    z: torch.Tensor

    def __init__(self, n_data: int, noise: int, temperature: float) -> None:
        super().__init__()
        if noise < 1:
            raise ValueError(f"noise must be >= 1 noise samples per sample, got {noise}; for the full softmax use instance_softmax_loss")
        if n_data < 1:
            raise ValueError(f"n_data must be >= 1, got {n_data}")
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.n_data = int(n_data)
        self.noise = int(noise)
        self.temperature = float(temperature)
        self.register_buffer("z", torch.tensor(float("nan"), dtype=torch.float64))

    def forward(self, features: torch.Tensor, indices: torch.Tensor, bank_vectors: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        if bank_vectors.shape[:1] != (self.n_data,) or bank_vectors.ndim != 2:
            raise ValueError(f"expected bank_vectors ({self.n_data}, d), got {tuple(bank_vectors.shape)}")
        if features.ndim != 2 or features.shape[0] < 1 or features.shape[1] != bank_vectors.shape[1]:
            raise ValueError(f"expected features (B >= 1, {bank_vectors.shape[1]}), got {tuple(features.shape)}")
        if indices.shape != features.shape[:1]:
            raise ValueError(f"expected indices ({features.shape[0]},), got {tuple(indices.shape)}")
        batch = features.shape[0]
        noise = torch.randint(self.n_data, (batch, self.noise), generator=generator, device=bank_vectors.device)
        slots = torch.cat([indices.long()[:, None], noise], dim=1)  # (B, 1 + m), positive first
        with torch.autocast(device_type=features.device.type, enabled=False):
            bank = bank_vectors.detach().float()
            if (1 + self.noise) * MATMUL_FRACTION > self.n_data:
                logits = (features.float() @ bank.T).gather(1, slots) / self.temperature  # log out (B, 1 + m)
            else:
                logits = torch.einsum("bkd,bd->bk", bank[slots], features.float()) / self.temperature
            if torch.isnan(self.z):
                with torch.no_grad():
                    log_mean = torch.logsumexp(logits.double().flatten(), dim=0) - math.log(logits.numel())
                    self.z.copy_(torch.exp(log_mean + math.log(self.n_data)))
            return _nce_loss_from_log_out(logits[:, 0], logits[:, 1:], math.log(float(self.z)), self.n_data)
