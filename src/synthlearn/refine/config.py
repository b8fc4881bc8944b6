"""The ``synthlearn refine run`` experiment config (pydantic, loaded with :func:`synthlearn.config.load_config`).

Example (``experiments/simgan_digits.yaml``)::

    name: simgan-digits
    seed: 0
    synthetic: {simulator: digits, params: {pipeline: optdigits8x8}, n: 2000, seed: 0}
    real: {source: "sklearn:digits", split: pool}
    pixel_max: 16
    simgan: {refiner_width: 32, refiner_blocks: 3, disc_strides: [1, 2], disc_padding: 1, batch_size: 128, ...}
    checkpoint_every: 100
    sample_every: 100

Load it with ``load_config(path, overrides, RefineConfig)``. The synthetic and real data sections
are :class:`~synthlearn.data.sources.SyntheticSpec` and :class:`~synthlearn.data.sources.RealSpec`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from synthlearn.config import Settings
from synthlearn.data.sources import RealSpec, SyntheticSpec
from synthlearn.refine.simgan import SimGANSettings


class MonitorConfig(Settings):
    """Failure detectors: identity collapse (event + warning) and divergence (rollback)."""

    collapse_window: int = Field(100, ge=1, description="adversarial steps averaged by the identity-collapse detector")
    collapse_accuracy: float = Field(0.95, ge=0, le=1, description="D accuracy on refined patches above which D 'wins'")
    collapse_delta: float = Field(0.01, ge=0, description="mean |R(x) - x| (fraction of pixel range) below which R is the identity")
    divergence_loss: float = Field(1e6, gt=0, description="a loss above this counts as divergence, like NaN/inf")
    divergence_lr_factor: float = Field(0.5, gt=0, lt=1, description="learning rates are multiplied by this after a rollback")
    max_rollbacks: int = Field(3, ge=0, description="rollbacks allowed before the run stops with an error")


class LabelClassifier(Settings):
    """A small classifier trained on the synthetic labels, then frozen: its first ``blocks`` conv
    blocks are ψ for ``simgan.psi: features``; the whole of it scores ``simgan.semantic``."""

    blocks: int = Field(1, ge=1, description="conv blocks of the classifier used as ψ")
    epochs: int = Field(2, ge=1, description="training epochs of the classifier")
    width: int = Field(16, ge=1)
    depth: int = Field(3, ge=1)


class RefineConfig(Settings):
    """A SimGAN refiner run."""

    name: str = "simgan"
    seed: int = Field(0, ge=0)
    synthetic: SyntheticSpec = Field(default_factory=SyntheticSpec)
    real: RealSpec = Field(default_factory=RealSpec)
    pixel_max: float | None = Field(None, gt=0, description="largest pixel value (16 for optdigits, 255 for 8-bit); default: the data's max")
    simgan: SimGANSettings = Field(default_factory=SimGANSettings)
    label_classifier: LabelClassifier = Field(default_factory=LabelClassifier)
    monitor: MonitorConfig = Field(default_factory=MonitorConfig)
    checkpoint_every: int = Field(200, ge=1, description="steps between atomic checkpoints (one is always written at the end)")
    sample_every: int = Field(200, ge=1, description="steps between sample grids (synthetic | refined | real)")
    log_every: int = Field(10, ge=1, description="steps averaged into one history.jsonl record")
    threads: int = Field(1, ge=1, description="torch threads (results are reproducible for a fixed number)")

    @model_validator(mode="after")
    def _classifier_blocks(self) -> RefineConfig:
        if self.label_classifier.blocks > self.label_classifier.depth:
            raise ValueError(f"label_classifier.blocks ({self.label_classifier.blocks}) exceeds its depth ({self.label_classifier.depth})")
        return self
