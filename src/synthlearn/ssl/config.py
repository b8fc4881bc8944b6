"""Settings of an NPID run (the YAML of ``synthlearn ssl npid``).

Example (every field is documented on its model; ``experiments/npid_fashion.yaml``)::

    name: npid-fashion
    seed: 0
    data: {source: "fashion-mnist:train"}
    encoder: {width: 32, depth: 4}
    objective: {kind: nce, noise: 4096, temperature: 0.07}
    epochs: 10

Load it with ``load_config(path, overrides, NPIDConfig)``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from synthlearn.config import Settings
from synthlearn.data.sources import SyntheticSpec
from synthlearn.ssl.augment import AugmentSettings


class NPIDData(Settings):
    """The unlabelled training images: a real source, optionally with synthetic images appended.

    Labels, where the source has them, are read only by the kNN monitor (``monitor``).
    """

    source: str | None = "fashion-mnist:train"
    """``fashion-mnist:train``, ``fashion-mnist:test``, ``sklearn:digits``, an ``.npz`` or an image folder; null for synthetic only."""
    split: Literal["all", "pool"] = "all"
    """``pool``: only the unlabelled pool of the real-data protocol (``synthlearn.data.real.split_real``)."""
    split_seed: int = Field(0, ge=0)
    """Seed of the protocol split (``split: pool``)."""
    subset: int | None = Field(None, ge=2)
    """Use this many images of the source (a seeded choice), or all."""
    synthetic: SyntheticSpec | None = None
    """Synthetic images appended to the real ones (a simulator at given parameters, or a dataset)."""
    input_scale: float | None = Field(None, gt=0)
    """Pixels are divided by this (default: 16 for ``sklearn:digits``, else 255)."""

    @model_validator(mode="after")
    def _some_images(self) -> NPIDData:
        if self.source is None and self.synthetic is None:
            raise ValueError("give a source, synthetic images, or both")
        return self


class EncoderSettings(Settings):
    """The backbone (``synthlearn.nn.backbones.SmallCNN``) and its L2-normalised embedding."""

    width: int = Field(32, ge=1)
    """Channels of the first conv block (doubling per block up to 8×)."""
    depth: int = Field(4, ge=1)
    """Conv blocks."""
    dim: int = Field(128, ge=2)
    """Embedding size d (the paper's 128)."""


class ObjectiveSettings(Settings):
    """What the encoder learns to do: tell every image apart from every other."""

    kind: Literal["nce", "softmax", "parametric"] = "nce"
    """``nce``: NCE against ``noise`` bank samples; ``softmax``: the full non-parametric softmax over the bank;
    ``parametric``: a linear classifier with one output per image (the paper's baseline, no bank)."""
    noise: int = Field(4096, ge=1)
    """NCE: noise samples m per image, drawn uniformly from the bank."""
    temperature: float = Field(0.07, gt=0)
    """τ of the non-parametric softmax and of NCE."""
    momentum: float = Field(0.5, ge=0, lt=1)
    """Bank update: slot ← normalise(momentum · slot + (1 − momentum) · feature)."""
    proximal: float = Field(0.0, ge=0)
    """λ of the proximal term λ‖v_i(t) − v_i(t−1)‖² (0: off)."""


class OptimiserSettings(Settings):
    """SGD with momentum and a cosine learning-rate schedule over the epochs."""

    lr: float = Field(0.03, gt=0)
    """Initial learning rate (the paper's 0.03)."""
    momentum: float = Field(0.9, ge=0, lt=1)
    weight_decay: float = Field(5e-4, ge=0)
    batch_size: int = Field(128, ge=2)
    """Images per step (the paper's 128)."""
    cosine: bool = True
    """Decay the learning rate to 0 along a half cosine over ``epochs`` (else constant)."""


class MonitorSettings(Settings):
    """kNN accuracy during training, on labelled images of the training source held out as queries."""

    every: int = Field(1, ge=0)
    """Evaluate every this many epochs and at the end (0: never)."""
    holdout: int = Field(5000, ge=1)
    """Last images of the labelled source (after ``subset``) used as kNN queries; the rest's bank slots are the memory."""
    k: int = Field(200, ge=1)
    """Neighbours of the weighted kNN."""


class NPIDConfig(Settings):
    """An NPID run: instance discrimination on unlabelled images."""

    name: str = "npid"
    """Name shown in progress and results."""
    seed: int = Field(0, ge=0)
    """Root seed of every stream of the run (initialisation, batch order, augmentation, noise)."""
    data: NPIDData = Field(default_factory=NPIDData)
    encoder: EncoderSettings = Field(default_factory=EncoderSettings)
    objective: ObjectiveSettings = Field(default_factory=ObjectiveSettings)
    optimiser: OptimiserSettings = Field(default_factory=OptimiserSettings)
    augment: AugmentSettings = Field(default_factory=AugmentSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    epochs: int = Field(10, ge=1)
    """Passes over the training images."""
    threads: int = Field(2, ge=1)
    """Torch threads (results are reproducible for a fixed count)."""
    device: str = "cpu"
    """Torch device (``cpu``, ``cuda``, ...)."""
    bf16: bool = False
    """Run the encoder under bfloat16 autocast (CPU or CUDA); the bank and losses stay float32."""
