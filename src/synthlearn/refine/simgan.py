"""SimGAN training (Shrivastava et al., CVPR 2017), readable top to bottom.

Given synthetic images ``x`` and *unlabelled* real images ``y`` (both ``(N, C, H, W)`` float
tensors in ``[-1, 1]``), train a refiner R so that a local discriminator D cannot tell R(x)
from y, while ``λ ‖ψ(R(x)) − ψ(x)‖₁`` keeps each refined image close to its original (and so
keeps its label valid). Optionally (``semantic > 0``, not in the paper) a frozen classifier
trained on the synthetic labels must still read each refined image as its label.

Global steps ``0 … total_steps − 1`` run three phases:

1. ``pretrain_refiner_steps`` refiner updates on self-regularisation alone (R ≈ identity; plus
   the semantic term when ``semantic > 0``);
2. ``pretrain_discriminator_steps`` discriminator updates against the pretrained R;
3. ``steps`` adversarial steps, each ``k_g`` refiner updates (adversarial + λ·self-reg)
   followed by ``k_d`` discriminator updates. Every discriminator minibatch mixes current
   refined images with the history buffer (:mod:`synthlearn.refine.history`).

Every random draw of step ``t`` (minibatch indices, history slots) comes from a
``torch.Generator`` seeded with ``child_seed(seed, stream, t)``, and initial weights from
``child_seed(seed, init-stream)``: the run is a pure function of (data, settings, seed), and
resuming from :meth:`SimGANTrainer.state_dict` after step ``t`` reproduces the uninterrupted run
exactly (on the same number of torch threads).

Example::

    >>> trainer = SimGANTrainer(SimGANSettings(steps=100), synthetic, real, seed=0)
    >>> for t in range(trainer.total_steps):
    ...     record = trainer.step(t)
    >>> refined = trainer.refine(synthetic)           # (N, C, H, W) in [-1, 1]
"""

from __future__ import annotations

from typing import Any, Literal

import torch
from pydantic import Field
from torch import nn

from synthlearn import seeding
from synthlearn.config import Settings
from synthlearn.errors import UserError
from synthlearn.losses.simgan import (
    SemanticConsistencyLoss,
    SimGANRefinerLoss,
    discriminator_loss,
    make_psi,
    patch_accuracy,
)
from synthlearn.nn.discriminator import PatchDiscriminator
from synthlearn.nn.refiner import Refiner
from synthlearn.refine.history import ImageHistory
from synthlearn.refine.monitor import CollapseMonitor, TrainingDiverged, all_finite

# Stream ids under the run seed (never reuse one for another purpose).
_INIT_STREAM, _STEP_STREAM = 11, 12

Phase = Literal["pretrain_refiner", "pretrain_discriminator", "adversarial"]


class SimGANSettings(Settings):
    """Model sizes, losses and the training schedule (paper values in brackets)."""

    refiner_width: int = Field(64, ge=1)
    """Feature maps of the refiner's convolutions [64]."""
    refiner_blocks: int = Field(4, ge=0)
    """ResNet blocks in the refiner [4]."""
    refiner_residual: bool = False
    """Refiner outputs x + correction, starting at the identity, instead of tanh [no: not in the paper]."""
    disc_widths: tuple[int, int, int, int] = (96, 64, 32, 32)
    """Maps of the discriminator's four hidden convolutions [96, 64, 32, 32]."""
    disc_strides: tuple[int, int] = (2, 2)
    """Strides of the discriminator's first two convolutions [2, 2]."""
    disc_padding: Literal[0, 1] = 0
    """Zero padding of the discriminator's 3×3 convolutions and pool (1 for tiny images) [0]."""
    disc_pool: bool = True
    """Keep the discriminator's 3×3 stride-1 max-pool [yes]."""
    lam: float = Field(0.5, ge=0)
    """λ, weight of the self-regularisation term [not given; public code 1e-4 … 1]."""
    semantic: float = Field(0.0, ge=0)
    """Weight of a semantic-consistency term: cross-entropy of a frozen classifier trained on the synthetic
    labels, applied to R(x), against x's label (labels come free with synthetic data) [0: off; not in the
    paper; like PixelDA's task loss and CyCADA's semantic loss]."""
    psi: Literal["identity", "channel_mean", "features"] = "identity"
    """ψ of the self-regularisation: identity, channel_mean or features [identity]."""
    reduction: Literal["mean", "sum"] = "mean"
    """Per-patch and per-pixel losses averaged (mean) or summed per image (sum, the paper's)."""
    batch_size: int = Field(512, ge=1)
    """Images per refiner and per discriminator minibatch [512]."""
    lr_refiner: float = Field(1e-3, gt=0)
    """Adam learning rate of the refiner [0.001]."""
    lr_discriminator: float = Field(1e-3, gt=0)
    """Adam learning rate of the discriminator [0.001]."""
    k_g: int = Field(2, ge=1)
    """Refiner updates per adversarial step [2 (or 50)]."""
    k_d: int = Field(1, ge=1)
    """Discriminator updates per adversarial step [1]."""
    pretrain_refiner_steps: int = Field(1000, ge=0)
    """Refiner updates on self-regularisation alone before adversarial training [1000]."""
    pretrain_discriminator_steps: int = Field(200, ge=0)
    """Discriminator updates against the pretrained refiner [200]."""
    steps: int = Field(1000, ge=0)
    """Adversarial steps (each k_g refiner + k_d discriminator updates)."""
    history_size: int = Field(12800, ge=1)
    """Capacity of the history buffer of refined images [not given; public code 12,800+]."""
    dequantize: float = Field(0.0, ge=0)
    """Width w of uniform noise U(−w/2, w/2) added to the real images D sees, in [-1, 1] units [0: not in
    the paper]. Real images stored as integers (optdigits: 0..16) are exactly quantised, refined ones are
    not; without noise D can tell them apart by that alone. One quantisation level is 2 / pixel_max."""
    quantize_levels: int = Field(0, ge=0)
    """If > 0, D sees refined images rounded to this many levels above zero (16 for optdigits 0..16), with a
    straight-through gradient, so it judges what the task model will be given and cannot tell refined
    from exactly quantised real images by their fractional values [0: off; not in the paper; on optdigits
    it made the refiner break labels, see synthlearn.refine.digits]."""

    @property
    def total_steps(self) -> int:
        return self.pretrain_refiner_steps + self.pretrain_discriminator_steps + self.steps

    def phase(self, step: int) -> Phase:
        """Which phase global step ``step`` belongs to."""
        if step < self.pretrain_refiner_steps:
            return "pretrain_refiner"
        if step < self.pretrain_refiner_steps + self.pretrain_discriminator_steps:
            return "pretrain_discriminator"
        return "adversarial"



def build_refiner(settings: SimGANSettings, in_channels: int) -> Refiner:
    return Refiner(in_channels, settings.refiner_width, settings.refiner_blocks, settings.refiner_residual)


def build_discriminator(settings: SimGANSettings, in_channels: int) -> PatchDiscriminator:
    return PatchDiscriminator(in_channels, settings.disc_widths, settings.disc_strides, settings.disc_padding, settings.disc_pool)


def check_discriminator_fits(settings: SimGANSettings, image_shape: tuple[int, int, int]) -> None:
    """Raise :class:`UserError` if images ``(C, H, W)`` are too small for the discriminator of ``settings``."""
    channels, height, width = image_shape
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        try:
            build_discriminator(settings, channels)(torch.zeros(1, channels, height, width))
        except RuntimeError:
            raise UserError(f"images of size {(height, width)} are too small for the discriminator (strides "
                            f"{tuple(settings.disc_strides)}, padding {settings.disc_padding}); use simgan.disc_strides "
                            "[1, 2] and simgan.disc_padding 1 for small images") from None


def _check_images(name: str, images: torch.Tensor) -> None:
    if images.ndim != 4 or not images.is_floating_point():
        raise ValueError(f"{name} images must be a float tensor (N, C, H, W), got {images.dtype} {tuple(images.shape)}")
    if len(images) < 1:
        raise ValueError(f"no {name} images")


class SimGANTrainer:
    """Refiner, discriminator, their Adam optimisers, the history buffer and the collapse monitor.

    Args:
        settings: see :class:`SimGANSettings`.
        synthetic: ``(N, C, H, W)`` synthetic images in ``[-1, 1]``.
        real: ``(M, C, H, W)`` unlabelled real images in ``[-1, 1]`` (same C, H, W).
        seed: root seed of initial weights and of every step's random draws.
        psi_extractor: the frozen feature extractor when ``settings.psi == "features"``
            (it receives images in ``[-1, 1]``).
        labels: ``(N,)`` int64 labels of ``synthetic``, needed when ``settings.semantic > 0``.
        label_classifier: the frozen classifier of the semantic term, images in ``[-1, 1]`` →
            ``(B, classes)`` logits; needed when ``settings.semantic > 0``.
        collapse: identity-collapse monitor (default: window 100, accuracy 0.95, delta 0.01).
        max_loss: a loss above this also counts as divergence (besides NaN and ±inf), so an
            explosion is caught before it overflows.
    """

    def __init__(
        self,
        settings: SimGANSettings,
        synthetic: torch.Tensor,
        real: torch.Tensor,
        seed: int,
        psi_extractor: nn.Module | None = None,
        labels: torch.Tensor | None = None,
        label_classifier: nn.Module | None = None,
        collapse: CollapseMonitor | None = None,
        max_loss: float = float("inf"),
    ) -> None:
        _check_images("synthetic", synthetic)
        _check_images("real", real)
        if synthetic.shape[1:] != real.shape[1:]:
            raise ValueError(f"synthetic images {tuple(synthetic.shape[1:])} and real images {tuple(real.shape[1:])} differ in shape")
        self.settings, self.seed, self.max_loss = settings, seed, max_loss
        self.synthetic, self.real = synthetic, real
        channels = synthetic.shape[1]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seeding.child_seed(seed, _INIT_STREAM))
            self.refiner = build_refiner(settings, channels)
            self.discriminator = build_discriminator(settings, channels)
        check_discriminator_fits(settings, tuple(synthetic.shape[1:]))
        self.loss = SimGANRefinerLoss(settings.lam, make_psi(settings.psi, psi_extractor), settings.reduction)
        self.labels, self.semantic_loss = labels, None
        if settings.semantic > 0:
            if labels is None or label_classifier is None or labels.shape != (len(synthetic),):
                raise ValueError("the semantic term needs labels (N,) of the synthetic images and a label classifier")
            self.semantic_loss = SemanticConsistencyLoss(label_classifier)
        self.opt_r = torch.optim.Adam(self.refiner.parameters(), lr=settings.lr_refiner)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=settings.lr_discriminator)
        self.lr_scale = 1.0
        self.history = ImageHistory(settings.history_size)
        self.collapse = collapse or CollapseMonitor(window=100, accuracy=0.95, delta=0.01)

    @property
    def total_steps(self) -> int:
        return self.settings.total_steps

    # -- one global step ------------------------------------------------------------------------

    def step(self, t: int) -> dict[str, Any]:
        """Run global step ``t`` and return its metrics (floats) plus ``"phase"``.

        Adds ``"event"`` (an identity-collapse record) when the monitor fires. Raises
        :class:`TrainingDiverged` when a loss or weight becomes NaN or infinite.
        """
        g = torch.Generator().manual_seed(seeding.child_seed(self.seed, _STEP_STREAM, t))
        phase = self.settings.phase(t)
        self.refiner.train()
        self.discriminator.train()
        if phase == "pretrain_refiner":
            record = self._refiner_update(g, adversarial=False)
        elif phase == "pretrain_discriminator":
            record = self._discriminator_update(g)
        else:
            parts = [self._refiner_update(g, adversarial=True) for _ in range(self.settings.k_g)]
            parts += [self._discriminator_update(g) for _ in range(self.settings.k_d)]
            record = _mean_records(parts)
        self._check_finite(t, record)
        record = {"step": t, "phase": phase, **record}
        if phase == "adversarial":
            event = self.collapse.update(t, record["d_acc_refined"], record["refine_delta"])
            if event is not None:
                record["event"] = event
        return record

    def _indices(self, n: int, g: torch.Generator) -> torch.Tensor:
        """``batch_size`` indices into ``n`` items, drawn with replacement, ``(b,)``."""
        return torch.randint(n, (self.settings.batch_size,), generator=g)

    def _batch(self, images: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """``batch_size`` images drawn with replacement, ``(b, C, H, W)``."""
        return images[self._indices(len(images), g)]

    def _quantize(self, images: torch.Tensor) -> torch.Tensor:
        """Round ``[-1, 1]`` images to ``quantize_levels`` steps, straight-through (identity gradient)."""
        levels = self.settings.quantize_levels
        if levels == 0:
            return images
        step = 2.0 / levels
        rounded = torch.round((images.clamp(-1.0, 1.0) + 1.0) / step) * step - 1.0
        return images + (rounded - images).detach()

    def _refiner_update(self, g: torch.Generator, adversarial: bool) -> dict[str, float]:
        index = self._indices(len(self.synthetic), g)
        x = self.synthetic[index]
        refined = self.refiner(x)
        logits = None
        if adversarial:
            for p in self.discriminator.parameters():
                p.requires_grad_(False)
            logits = self.discriminator(self._quantize(refined))
            for p in self.discriminator.parameters():
                p.requires_grad_(True)
        total, adv, reg = self.loss(refined, x, logits)
        semantic = None
        if self.semantic_loss is not None:
            semantic = self.semantic_loss(refined, self.labels[index])
            total = total + self.settings.semantic * semantic
        self.opt_r.zero_grad(set_to_none=True)
        total.backward()
        self.opt_r.step()
        record = {"loss_refiner": float(total.detach()), "loss_reg": float(reg.detach()),
                  "refine_delta": float((refined.detach() - x).abs().mean()) / 2.0}  # fraction of the pixel range
        if adversarial:
            record["loss_adv"] = float(adv.detach())
        if semantic is not None:
            record["loss_semantic"] = float(semantic.detach())
        return record

    def _discriminator_update(self, g: torch.Generator) -> dict[str, float]:
        with torch.no_grad():
            refined = self._quantize(self.refiner(self._batch(self.synthetic, g)))
        refined = self.history.mix(refined, g)
        real = self._batch(self.real, g)
        if self.settings.dequantize > 0:
            real = real + (torch.rand(real.shape, generator=g) - 0.5) * self.settings.dequantize
        real_logits, refined_logits = self.discriminator(real), self.discriminator(refined)
        loss = discriminator_loss(real_logits, refined_logits, self.settings.reduction)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return {"loss_d": float(loss.detach()), "d_acc_real": patch_accuracy(real_logits.detach(), True),
                "d_acc_refined": patch_accuracy(refined_logits.detach(), False)}

    def _check_finite(self, t: int, record: dict[str, float]) -> None:
        bad = [name for name, value in record.items() if not all_finite([value])]
        if bad:
            raise TrainingDiverged(t, bad[0])
        exploded = [name for name, value in record.items() if name.startswith("loss") and abs(value) > self.max_loss]
        if exploded:
            raise TrainingDiverged(t, exploded[0], f"above {self.max_loss:g}")
        for name, module in (("refiner weights", self.refiner), ("discriminator weights", self.discriminator)):
            if not all_finite(p.detach() for p in module.parameters()):
                raise TrainingDiverged(t, name)

    # -- learning rate, inference, state --------------------------------------------------------

    def set_lr_scale(self, scale: float) -> None:
        """Multiply both base learning rates by ``scale`` (used after a divergence rollback)."""
        self.lr_scale = float(scale)
        for group in self.opt_r.param_groups:
            group["lr"] = self.settings.lr_refiner * self.lr_scale
        for group in self.opt_d.param_groups:
            group["lr"] = self.settings.lr_discriminator * self.lr_scale

    @torch.no_grad()
    def refine(self, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
        """R(x) for ``images`` ``(N, C, H, W)`` in ``[-1, 1]``, in eval mode, batched."""
        return refine_tensor(self.refiner, images, batch_size)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue: weights, optimisers, history, LR scale, monitor window."""
        return {
            "refiner": self.refiner.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "opt_r": self.opt_r.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "history": self.history.state_dict(),
            "lr_scale": self.lr_scale,
            "collapse": self.collapse.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.refiner.load_state_dict(state["refiner"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.opt_r.load_state_dict(state["opt_r"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.history.load_state_dict(state["history"])
        self.set_lr_scale(state["lr_scale"])
        self.collapse.load_state_dict(state["collapse"])


@torch.no_grad()
def refine_tensor(refiner: nn.Module, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """``refiner`` applied to ``images`` ``(N, C, H, W)`` in eval mode, in batches; same shape."""
    was_training = refiner.training
    refiner.eval()
    try:
        if len(images) == 0:
            return images.clone()
        return torch.cat([refiner(images[i : i + batch_size]) for i in range(0, len(images), batch_size)])
    finally:
        refiner.train(was_training)


def _mean_records(records: list[dict[str, float]]) -> dict[str, float]:
    """Average each metric over the records that have it."""
    keys = dict.fromkeys(k for r in records for k in r)
    return {k: sum(r[k] for r in records if k in r) / sum(1 for r in records if k in r) for k in keys}
