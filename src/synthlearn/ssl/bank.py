"""NPID's memory bank: one feature vector per training image, refreshed by a running average.

Non-parametric instance discrimination (Wu et al., CVPR 2018) treats every training image as
its own class. The "weights" of that N-way classifier are not parameters but the images' own
features from earlier steps, kept here as ``vectors`` ``(N, d)`` float32. After each optimiser
step the training loop writes the batch's new features into their slots::

    v_i ← normalise(m · v_i + (1 − m) · f_i)

with momentum ``m`` (the paper's code uses 0.5). The bank is never part of the autograd graph:
:meth:`MemoryBank.update` works on detached features under ``torch.no_grad()`` and changes
``vectors`` in place, so call it after ``optimiser.step()``, not between a forward pass that
read the bank and its ``backward()`` (autograd would then refuse the backward of a matmul that
saved the bank, since its version changed).

Example::

    >>> bank = MemoryBank.initial(50_000, 128, torch.Generator().manual_seed(0))
    >>> bank.update(indices, features, momentum=0.5)      # indices (B,), features (B, 128)
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

__all__ = ["MemoryBank"]


class MemoryBank:
    """``vectors`` ``(N, d)`` float32, one slot per training sample, outside autograd."""

    def __init__(self, vectors: torch.Tensor) -> None:
        """Hold ``vectors`` ``(N, d)`` (detached and converted to float32; no copy if already so)."""
        if vectors.ndim != 2 or vectors.shape[0] < 1 or vectors.shape[1] < 1:
            raise ValueError(f"vectors must be (N, d) with N, d >= 1, got {tuple(vectors.shape)}")
        self.vectors = vectors.detach().to(torch.float32)

    @classmethod
    def initial(cls, size: int, dim: int, generator: torch.Generator) -> MemoryBank:
        """A bank of ``size`` slots of dimension ``dim``, each entry uniform in ``[−a, a)``, ``a = 1/√(d/3)``.

        As in the paper's code, the slots are **not** normalised: each entry has variance
        ``a²/3 = 1/d``, so a slot's expected squared norm is 1, but individual norms vary. A slot
        becomes a unit vector the first time :meth:`update` writes it. The bank lives on
        ``generator``'s device.
        """
        if size < 1 or dim < 1:
            raise ValueError(f"size and dim must be >= 1, got size={size}, dim={dim}")
        bound = 1.0 / math.sqrt(dim / 3.0)
        unit = torch.rand(size, dim, generator=generator, device=generator.device, dtype=torch.float32)
        return cls(unit * (2.0 * bound) - bound)

    def __len__(self) -> int:
        return self.vectors.shape[0]

    @property
    def dim(self) -> int:
        """Feature dimension ``d``."""
        return self.vectors.shape[1]

    def update(self, indices: torch.Tensor, features: torch.Tensor, momentum: float) -> None:
        """Set slot ``indices[b]`` to ``normalise(momentum · old + (1 − momentum) · features[b])``, in place.

        Args:
            indices: ``(B,)`` integer slot indices in ``[0, N)``.
            features: ``(B, d)`` new features; they are detached, so features that require
                grad are fine and no graph is built.
            momentum: weight ``m`` in ``[0, 1]`` of the old slot (0 overwrites with the
                normalised new feature, 1 only renormalises the old slot).

        An index that occurs more than once in a batch is written once, from its **last**
        occurrence (blended with the slot's value before this call), whatever the device.
        A blend of exactly zero stays zero (``F.normalize`` divides by ``max(‖x‖, 1e-12)``).
        """
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        if indices.ndim != 1 or features.shape != (indices.shape[0], self.dim):
            raise ValueError(f"expected indices (B,) and features (B, {self.dim}), got {tuple(indices.shape)} and {tuple(features.shape)}")
        if indices.numel() == 0:
            return
        indices = indices.to(device=self.vectors.device, dtype=torch.long)
        if int(indices.min()) < 0 or int(indices.max()) >= len(self):
            raise ValueError(f"indices must be in [0, {len(self)}), got min {int(indices.min())}, max {int(indices.max())}")
        with torch.no_grad():
            slots, inverse = torch.unique(indices, return_inverse=True)
            positions = torch.arange(indices.shape[0], device=indices.device)
            last = torch.full_like(slots, -1).scatter_reduce_(0, inverse, positions, reduce="amax")
            new = features.detach()[last].to(device=self.vectors.device, dtype=torch.float32)
            blended = momentum * self.vectors[slots] + (1.0 - momentum) * new
            self.vectors.index_copy_(0, slots, F.normalize(blended, dim=1))

    def state_dict(self) -> dict[str, torch.Tensor]:
        """``{"vectors": vectors}`` for a checkpoint (the tensor itself, as ``nn.Module.state_dict`` does)."""
        return {"vectors": self.vectors}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Copy ``state["vectors"]`` into this bank in place; its shape must be this bank's ``(N, d)``."""
        if set(state) != {"vectors"}:
            raise ValueError(f"a memory bank state has exactly the key 'vectors', got {sorted(state)}")
        vectors = state["vectors"]
        if vectors.shape != self.vectors.shape:
            raise ValueError(f"memory bank state has shape {tuple(vectors.shape)}, this bank is {tuple(self.vectors.shape)}")
        self.vectors.copy_(vectors.detach())
