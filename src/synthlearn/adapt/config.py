"""Settings of a self-training run (the YAML of ``synthlearn adapt self-train``).

Example (every field is documented on its model; ``experiments/adapt_digits.yaml``)::

    name: adapt-digits
    seed: 0
    source: {simulator: digits, params: {pipeline: optdigits8x8}, n: 2000, seed: 0}
    real: {source: "sklearn:digits", split: pool}
    task: {name: classify, input_scale: 16, width: 16, depth: 3, epochs: 4, batch_size: 64}
    selection: {share: 0.8, threshold: null, balance: false}
    rounds: 3

Load it with ``load_config(path, overrides, AdaptConfig)``. The source and real sections are
:class:`~synthlearn.data.sources.SyntheticSpec` and :class:`~synthlearn.data.sources.RealSpec`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from synthlearn.config import Settings
from synthlearn.data.sources import RealSpec, SyntheticSpec
from synthlearn.train.config import TaskConfig


class SelectionSettings(Settings):
    """Which pseudo-labelled pool images a round keeps (:func:`synthlearn.adapt.self_training.select_confident`)."""

    share: float | tuple[float, ...] = 0.8
    """Fraction of the pool kept, in (0, 1]: one value for every round, or one per round (growing: [0.2, 0.4, 0.6])."""
    threshold: float | None = Field(None, ge=0, le=1)
    """Keep only images whose largest softmax probability is at least this (null: no minimum)."""
    balance: bool = False
    """Keep the share / C most confident images of each predicted class (C classes) instead of the share most confident overall."""

    @field_validator("share", mode="before")
    @classmethod
    def _shares_in_range(cls, share: Any) -> float | tuple[float, ...]:
        values = list(share) if isinstance(share, (list, tuple)) else [share]
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 < v <= 1.0]
        if not values or len(numbers) != len(values):
            raise ValueError(f"share must be a fraction in (0, 1] or a list of them, got {share!r}")
        return tuple(map(float, numbers)) if isinstance(share, (list, tuple)) else float(share)

    def shares(self, rounds: int) -> tuple[float, ...]:
        """The share of each self-training round 1..``rounds``; ``ValueError`` if a list has another length."""
        if not isinstance(self.share, tuple):
            return (self.share,) * rounds
        if len(self.share) != rounds:
            raise ValueError(f"selection.share lists {len(self.share)} shares but rounds is {rounds}; "
                             "give one share per round, or a single share for every round")
        return self.share


def _digits_task() -> TaskConfig:
    """The digits benchmark's task model (the demo's): a 3-block CNN on 8×8 images in 0..16."""
    return TaskConfig(name="classify", input_scale=16.0, width=16, depth=3, epochs=4, batch_size=64, lr=3e-3)


class AdaptConfig(Settings):
    """A self-training run: train on labelled source images, pseudo-label the real pool, keep the confident, retrain."""

    name: str = "self-training"
    """Name shown in progress and results."""
    seed: int = Field(0, ge=0)
    """Root seed of every round's model initialisation and batch order (the source images have their own ``source.seed``)."""
    source: SyntheticSpec = Field(default_factory=SyntheticSpec)
    """Labelled source images: a simulator at given parameters, or a dataset / ``.npz`` of layers (e.g. refined digits)."""
    real: RealSpec = Field(default_factory=RealSpec)
    """The unlabelled real pool; ``split: pool`` also gives the protocol's validation and test images."""
    validation: str | None = None
    """Labelled real images that choose the round (``real.split: all`` only): ``sklearn:digits``, an ``.npz`` or an image folder."""
    test: str | None = None
    """Labelled real images that are only reported (``real.split: all`` only)."""
    task: TaskConfig = Field(default_factory=_digits_task)
    """The task model every round trains from scratch (``name: classify``)."""
    selection: SelectionSettings = Field(default_factory=SelectionSettings)
    rounds: int = Field(3, ge=1)
    """Self-training rounds after round 0 (source only)."""
    device: str = "cpu"
    """Torch device (``cpu``, ``cuda``, ...)."""
    threads: int = Field(1, ge=1)
    """Torch threads (results are reproducible for a fixed count)."""

    @model_validator(mode="after")
    def _consistent(self) -> AdaptConfig:
        if self.task.name != "classify":
            raise ValueError(f"self-training pseudo-labels classes: task.name must be classify, got {self.task.name!r}")
        if self.real.split == "pool" and (self.validation is not None or self.test is not None):
            raise ValueError("with real.split: pool the validation and test images are the protocol's; "
                             "set real.split: all to name others")
        self.selection.shares(self.rounds)
        return self
