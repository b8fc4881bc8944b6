"""SimGAN losses: the local adversarial loss and the self-regularisation term.

Convention: the discriminator outputs per-patch **logits that a patch is real**, ``(B, 1, h, w)``
(or ``(B, h, w)``). The paper's D(·) is the probability that an input is refined, so its
refiner loss ``−Σ log(1 − D(R(x)))`` is ``−Σ log σ(logit(R(x)))``, the binary cross-entropy of
the refined patches against the label "real"; its discriminator loss
``−Σ log D(R(x)) − Σ log(1 − D(y))`` is the cross-entropy of refined patches against "refined"
and of real patches against "real".

Reductions (``reduction=``): the paper *sums* the per-patch cross-entropies over the ``h × w``
map. ``"sum"`` does that and averages over the batch; ``"mean"`` (the default here) also
averages over patches, so the loss scale and a good learning rate do not depend on the image
size (``"sum"`` = ``"mean"`` × h·w). ``"none"`` returns per-patch losses ``(B, h, w)``.

Self-regularisation ``λ ‖ψ(R(x)) − ψ(x)‖₁`` with ψ one of:

* :class:`Identity` -- the pixels themselves (the paper's default);
* :class:`ChannelMean` -- the mean over colour channels ``(B, C, H, W) → (B, 1, H, W)``;
* :class:`FrozenFeatures` -- a fixed feature extractor (e.g. the first blocks of a classifier
  trained on synthetic data), in eval mode, with no gradient to its weights.

The L1 norm is likewise averaged (``"mean"``: over every element of ψ's output and the batch)
or summed per image and averaged over the batch (``"sum"``, the paper's form).

Beyond the paper, :class:`SemanticConsistencyLoss` scores refined images with a frozen
classifier trained on the synthetic labels (cross-entropy against those labels).

Example::

    >>> logits = torch.zeros(4, 1, 3, 3)                      # D undecided on every patch
    >>> local_adversarial_loss(logits, real=True)             # = log 2 per patch
    tensor(0.6931)
    >>> self_regularization_loss(torch.ones(2, 1, 8, 8), torch.zeros(2, 1, 8, 8), Identity())
    tensor(1.)
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

Reduction = Literal["mean", "sum", "none"]


def _patch_logits(logits: torch.Tensor) -> torch.Tensor:
    """``(B, 1, h, w)`` or ``(B, h, w)`` → ``(B, h, w)``."""
    if logits.ndim == 4 and logits.shape[1] == 1:
        return logits[:, 0]
    if logits.ndim == 3:
        return logits
    raise ValueError(f"expected patch logits (B, 1, h, w) or (B, h, w), got {tuple(logits.shape)}")


def _reduce(per_item: torch.Tensor, reduction: Reduction) -> torch.Tensor:
    """Reduce ``(B, ...)`` per-element losses: mean over all, sum per image then mean over B, or none."""
    if reduction == "mean":
        return per_item.mean()
    if reduction == "sum":
        return per_item.flatten(1).sum(dim=1).mean()
    if reduction == "none":
        return per_item
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def local_adversarial_loss(logits: torch.Tensor, real: bool, reduction: Reduction = "mean") -> torch.Tensor:
    """Binary cross-entropy of every patch against one target (real or refined).

    Args:
        logits: per-patch logits that the patch is real, ``(B, 1, h, w)`` or ``(B, h, w)``.
        real: the target of every patch: ``True`` (real) or ``False`` (refined).
        reduction: ``"mean"`` over batch and patches, ``"sum"`` over patches then mean over the
            batch (the paper's), or ``"none"`` for ``(B, h, w)``.

    Returns:
        a scalar, or ``(B, h, w)`` with ``reduction="none"``.
    """
    patches = _patch_logits(logits)
    target = torch.full_like(patches, 1.0 if real else 0.0)
    return _reduce(F.binary_cross_entropy_with_logits(patches, target, reduction="none"), reduction)


def refiner_adversarial_loss(refined_logits: torch.Tensor, reduction: Reduction = "mean") -> torch.Tensor:
    """The refiner's adversarial term ``−Σ log(1 − D(R(x)))``: refined patches against "real"."""
    return local_adversarial_loss(refined_logits, real=True, reduction=reduction)


def discriminator_loss(real_logits: torch.Tensor, refined_logits: torch.Tensor, reduction: Reduction = "mean") -> torch.Tensor:
    """The discriminator's loss: real patches against "real" plus refined patches against "refined".

    ``real_logits`` ``(B₁, 1, h, w)`` and ``refined_logits`` ``(B₂, 1, h, w)``; returns a scalar
    (the sum of the two reduced terms).
    """
    if reduction == "none":
        raise ValueError("discriminator_loss needs reduction 'mean' or 'sum'")
    return local_adversarial_loss(real_logits, True, reduction) + local_adversarial_loss(refined_logits, False, reduction)


def patch_accuracy(logits: torch.Tensor, real: bool) -> float:
    """Fraction of patches the discriminator classifies correctly (logit > 0 means real)."""
    patches = _patch_logits(logits)
    return float(((patches > 0) == real).float().mean())


class Identity(nn.Module):
    """ψ(x) = x; ``(B, C, H, W)`` → same."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class ChannelMean(nn.Module):
    """ψ(x) = mean over channels; ``(B, C, H, W)`` → ``(B, 1, H, W)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=1, keepdim=True)


class FrozenFeatures(nn.Module):
    """ψ(x) = ``extractor(x)`` with the extractor frozen (eval mode, ``requires_grad=False``).

    Gradients still flow through the extractor to its *input* (the refined image), but never
    change its weights, and its BatchNorm statistics stay fixed even while the trainer is in
    train mode. ``(B, C, H, W)`` → whatever the extractor returns, e.g. ``(B, F, h, w)``.
    """

    def __init__(self, extractor: nn.Module) -> None:
        super().__init__()
        self.extractor = extractor
        for p in self.extractor.parameters():
            p.requires_grad_(False)
        self.extractor.eval()

    def train(self, mode: bool = True) -> FrozenFeatures:
        super().train(mode)
        self.extractor.eval()  # always: frozen means frozen BatchNorm statistics too
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.extractor(x)


PSI_NAMES = ("identity", "channel_mean", "features")


def make_psi(name: str, extractor: nn.Module | None = None) -> nn.Module:
    """ψ by name: ``identity``, ``channel_mean`` or ``features`` (needs ``extractor``)."""
    if name == "identity":
        return Identity()
    if name == "channel_mean":
        return ChannelMean()
    if name == "features":
        if extractor is None:
            raise ValueError("psi 'features' needs a feature extractor module")
        return FrozenFeatures(extractor)
    raise ValueError(f"psi must be one of {', '.join(PSI_NAMES)}, got {name!r}")


def self_regularization_loss(refined: torch.Tensor, synthetic: torch.Tensor, psi: nn.Module, reduction: Reduction = "mean") -> torch.Tensor:
    """``‖ψ(R(x)) − ψ(x)‖₁`` (without λ).

    Args:
        refined: R(x), ``(B, C, H, W)``.
        synthetic: x, ``(B, C, H, W)`` (no gradient is taken through it).
        psi: the feature map ψ.
        reduction: ``"mean"`` over every element of ψ's output, ``"sum"`` per image then mean
            over the batch (the paper's L1 norm), or ``"none"`` for the element-wise ``(B, ...)``.
    """
    if refined.shape != synthetic.shape:
        raise ValueError(f"refined {tuple(refined.shape)} and synthetic {tuple(synthetic.shape)} images differ in shape")
    return _reduce((psi(refined) - psi(synthetic.detach())).abs(), reduction)


class SimGANRefinerLoss(nn.Module):
    """The refiner's full loss ``ℓ_adv(D(R(x))) + λ ‖ψ(R(x)) − ψ(x)‖₁``.

    ``forward(refined (B, C, H, W), synthetic (B, C, H, W), refined_logits (B, 1, h, w))``
    returns ``(total, adversarial, regularisation)``, three scalars (the last one without λ).
    Pass ``refined_logits=None`` for the pretraining phase (self-regularisation alone).
    """

    def __init__(self, lam: float, psi: nn.Module | None = None, reduction: Reduction = "mean") -> None:
        super().__init__()
        if lam < 0:
            raise ValueError(f"lambda must be >= 0, got {lam}")
        if reduction == "none":
            raise ValueError("SimGANRefinerLoss needs reduction 'mean' or 'sum'")
        self.lam = float(lam)
        self.psi = psi if psi is not None else Identity()
        self.reduction: Reduction = reduction

    def forward(
        self, refined: torch.Tensor, synthetic: torch.Tensor, refined_logits: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        reg = self_regularization_loss(refined, synthetic, self.psi, self.reduction)
        if refined_logits is None:
            adv = torch.zeros((), dtype=reg.dtype)
        else:
            adv = refiner_adversarial_loss(refined_logits, self.reduction)
        return adv + self.lam * reg, adv, reg


class SemanticConsistencyLoss(nn.Module):
    """Cross-entropy of a frozen classifier on refined images against the synthetic labels.

    Synthetic images come with labels; a classifier trained on them (frozen here, like ψ's
    extractor) should still recognise each refined image as its label. This lets the refiner
    move pixels further than a pixel-level ψ would allow, as long as the class stays readable
    (the task loss of PixelDA, the semantic loss of CyCADA; not part of SimGAN itself).

    ``forward(refined (B, C, H, W), labels (B,) int64)`` → a scalar (mean over the batch).
    """

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = FrozenFeatures(classifier)

    def forward(self, refined: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(self.classifier(refined), labels)
