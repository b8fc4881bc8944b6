"""The Learning-to-Simulate experiment config (the YAML files in ``experiments/``).

Example (every field is documented on its model)::

    name: car-counting
    seed: 0
    simulator: traffic
    fixed: {height: 64, width: 64}       # simulator parameters nobody searches
    learn: [weather, car_types]          # parameters the outer optimiser controls
    train_size: 256                      # M samples generated per candidate
    searcher: {name: reinforce, candidates: 4, iterations: 40}
    task: {name: count, epochs: 3}
    validation: {params: {weather: [0.5, 0.5, 0, 0]}, n: 256, seed: 1000}
    test: {n: 512, seed: 2000}

Load it with ``load_config(path, overrides, LTSConfig)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from synthlearn.config import Settings
from synthlearn.data.sources import RealSpec
from synthlearn.execute.config import ExecutorConfig
from synthlearn.train.config import TaskConfig

SearcherName = Literal["reinforce", "random-params", "random-search", "fixed", "optuna-tpe", "optuna-cmaes"]


class HalvingSettings(Settings):
    """Successive halving inside each iteration (:mod:`synthlearn.lts.halving`): cut the worse candidates early.

    Example: ``halving: {rungs: [1, 2], keep: 0.5}`` with ``task.epochs: 4`` and 8 candidates trains
    all 8 for 1 epoch, the best 4 by validation reward to 2 epochs, the best 2 of those to 4 epochs
    (8 + 4 + 4 = 16 epochs instead of 32). A cut candidate reports the reward of its last rung.
    """

    rungs: list[int] = Field(min_length=1)
    """Epochs after which the candidates still training are ranked by validation reward and cut; increasing, from 1,
    each below ``task.epochs``."""
    keep: float = Field(0.5, gt=0, le=1)
    """Share of a rung's candidates that continue (rounded up, at least one); 1 keeps all (rewards at every rung, no saving)."""

    @model_validator(mode="after")
    def _increasing(self) -> HalvingSettings:
        if any(b <= a for a, b in zip([0, *self.rungs], self.rungs)):
            raise ValueError(f"halving.rungs must increase from 1, got {self.rungs}")
        return self


class SearcherConfig(Settings):
    """The outer optimiser and its budget (``iterations × candidates`` trained models)."""

    name: SearcherName = "reinforce"
    """Searcher: reinforce, random-params, random-search, fixed, optuna-tpe or optuna-cmaes."""
    candidates: int = Field(4, ge=1)
    """K: parameter sets evaluated per iteration."""
    iterations: int = Field(20, ge=1)
    """Outer iterations."""
    lr: float = Field(0.1, gt=0)
    """reinforce: Adam learning rate of the policy."""
    init_std: float = Field(0.5, gt=0)
    """reinforce: initial Gaussian std in unbounded coordinates."""
    learn_std: bool = True
    """reinforce: learn the Gaussian std too."""
    min_std: float = Field(0.05, gt=0)
    """reinforce: lower bound on the std."""
    baseline_decay: float = Field(0.2, gt=0, le=1)
    """reinforce: weight of the newest mean reward in the moving-average baseline."""
    normalize_advantages: bool = True
    """reinforce: divide advantages by a running reward std."""
    step: float = Field(0.5, gt=0)
    """random-search: perturbation std in unbounded coordinates."""
    params: dict[str, Any] = Field(default_factory=dict)
    """fixed: the parameters to evaluate every time."""
    halving: HalvingSettings | None = None
    """Successive halving inside each iteration (off: every candidate trains ``task.epochs``)."""


class DataSpec(Settings):
    """Evaluation data: a dataset folder or ``.npz`` of layers, or the simulator at given parameters.

    Simulator parameters are the experiment's ``fixed`` ones updated with ``params``.
    """

    dataset: Path | None = None
    """Dataset folder (``synthlearn generate``), ``.npz`` of layers, or KITTI-style semantic folder (``image_2/`` +
    ``semantic/``, :mod:`synthlearn.data.kitti`); overrides the simulator."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Simulator parameters of the evaluation data (on top of ``fixed``)."""
    n: int = Field(256, ge=1)
    """Samples generated."""
    seed: int = Field(1000, ge=0)
    """Seed of the generated samples."""


class RewardSettings(Settings):
    """What the searcher maximises for a candidate.

    ``validation``: the task metric of the candidate's trained model on the validation data
    (labelled). ``feature-mmd``: a label-free reward, −MMD² between the candidate's synthetic
    images and unlabelled real images in the feature space of an NPID encoder
    (:mod:`synthlearn.lts.feature_reward`); the validation data is then not read.
    """

    kind: Literal["validation", "feature-mmd"] = "validation"
    """``validation`` (labelled) or ``feature-mmd`` (unlabelled real images only)."""
    encoder: Path | None = None
    """feature-mmd: an NPID run folder (``synthlearn ssl npid``) or its ``encoder.pt``."""
    real: RealSpec | None = None
    """feature-mmd: the unlabelled real images (e.g. the digits protocol's pool)."""
    bandwidth: float | None = Field(None, gt=0)
    """feature-mmd: σ of the Gaussian kernel (default: median distance between the real images' features)."""
    classes: int | None = Field(None, ge=1)
    """feature-mmd: outputs of the task model (no labelled data is read to learn it; default: from each candidate's labels,
    which breaks warm starts when a candidate lacks the top class)."""

    @model_validator(mode="after")
    def _feature_inputs(self) -> RewardSettings:
        if self.kind == "feature-mmd" and (self.encoder is None or self.real is None):
            raise ValueError("reward kind feature-mmd needs reward.encoder (an NPID run) and reward.real (unlabelled images)")
        return self


class LTSConfig(Settings):
    """A Learning-to-Simulate experiment."""

    name: str = "lts"
    """Name shown in progress and results."""
    seed: int = Field(0, ge=0)
    """Root seed of every stream of the run."""
    simulator: str
    """Simulator name (``synthlearn simulators``) or ``module:Class``."""
    fixed: dict[str, Any] = Field(default_factory=dict)
    """Simulator parameters nobody searches."""
    learn: list[str] | None = None
    """Searched parameters; default: all searchable ones (not lists of numbers) not in ``fixed``."""
    train_size: int = Field(256, ge=2)
    """M: samples generated per candidate."""
    searcher: SearcherConfig = Field(default_factory=SearcherConfig)
    task: TaskConfig = Field(default_factory=TaskConfig)
    validation: DataSpec = Field(default_factory=DataSpec)
    reward: RewardSettings = Field(default_factory=RewardSettings)
    test: DataSpec | None = None
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)

    @model_validator(mode="after")
    def _halving_fits(self) -> LTSConfig:
        halving = self.searcher.halving
        if halving is not None:
            if halving.rungs[-1] >= self.task.epochs:
                raise ValueError(f"searcher.halving.rungs {halving.rungs} must stay below task.epochs ({self.task.epochs})")
            if self.reward.kind != "validation":
                raise ValueError("searcher.halving ranks candidates by their trained model; reward kind feature-mmd does not train one")
        return self

    @model_validator(mode="after")
    def _learn_and_fixed_disjoint(self) -> LTSConfig:
        both = set(self.learn or ()) & set(self.fixed)
        if both:
            raise ValueError(f"parameters both fixed and learned: {', '.join(sorted(both))}")
        return self
