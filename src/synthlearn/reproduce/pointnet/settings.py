"""Budget and protocol of the PointNet sim-to-real benchmark. :meth:`full` and :meth:`quick` are the presets."""

from __future__ import annotations

from pydantic import Field

from synthlearn.config import Seeds, Settings

SEARCHERS: dict[str, str] = {"default": "fixed", "random-params": "random-params", "random-search": "random-search",
                             "reinforce": "reinforce"}
"""Synthetic rows and the LTS searcher behind each (``default``: the simulator's defaults, every time)."""


class PointNetBenchSettings(Settings):
    """How much the benchmark trains, and on what."""

    seeds: Seeds = (0, 1, 2)
    """Seeds of the repeated runs (rows report mean ± std over them); a seed also draws the real split."""
    points: int = Field(128, ge=16)
    """Points per cloud, synthetic and real."""
    width: int = Field(16, ge=2)
    """Width of PointNet's first shared layer (64 = the paper's full width)."""
    train_size: int = Field(600, ge=2)
    """Synthetic clouds generated per trained model."""
    epochs: int = Field(4, ge=1)
    """Training epochs per model."""
    batch_size: int = Field(32, ge=2)
    lr: float = Field(1e-3, gt=0)
    """Adam learning rate."""
    iterations: int = Field(8, ge=1)
    """LTS iterations per synthetic row."""
    candidates: int = Field(4, ge=1)
    """Parameter sets (trained models) per iteration."""
    policy_lr: float = Field(0.1, gt=0)
    """REINFORCE learning rate."""
    fresh_models: int = Field(2, ge=1)
    """New models trained at each run's learned parameters (scores the parameters, not one model)."""
    val_per_class: int = Field(3, ge=1)
    """Labelled real validation models per class: all that LTS rewards and model selection see."""
    folds: int = Field(5, ge=2)
    """Folds of the real-trained upper bound (k-fold over all real models)."""
    scan: tuple[bool, ...] = (False, True)
    """Synthetic rows without and with scan simulation (one virtual viewpoint)."""

    def with_changes(self, **changes: object) -> PointNetBenchSettings:
        """These settings with ``changes``, validated (a bad value is one :class:`UserError` line)."""
        from synthlearn.config import parse_config

        return parse_config({**self.model_dump(), **changes}, PointNetBenchSettings)

    @staticmethod
    def full() -> PointNetBenchSettings:
        return PointNetBenchSettings()

    @staticmethod
    def quick() -> PointNetBenchSettings:
        return PointNetBenchSettings(train_size=300, epochs=3, iterations=3, candidates=4, fresh_models=1, folds=3)
