"""What a user sets about the reproduction: which rows to run, and how each model family is trained.

:class:`CoordConvSettings` holds the protocol (seed, canvas, split fractions, threads, the
rows) and one :class:`Sweep` per ``"task/family"``; :meth:`CoordConvSettings.full` and
:meth:`CoordConvSettings.quick` are the presets. Both are strict :class:`~synthlearn.config.Settings`:
a bad value is a pydantic ``ValidationError`` when built in Python and one ``UserError``
line through :meth:`CoordConvSettings.with_changes` (the CLI), always before any work.

Example::

    >>> settings = CoordConvSettings.quick().with_changes(seed=1, tasks=("regression",))
    >>> settings.sweep("regression", "coordconv").restarts
    4
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import Field, model_validator

from synthlearn.config import Settings, parse_config
from synthlearn.params import ParamError
from synthlearn.reproduce.coordconv.models import check_canvas
from synthlearn.sim import notsoclevr

TaskName = Literal["classification", "regression", "rendering"]
SplitName = Literal["uniform", "quadrant"]
ModelChoice = Literal["baseline", "coordconv"]

TASKS: tuple[str, ...] = get_args(TaskName)
"""The paper's three tasks, in the order they are run."""

SPLITS: tuple[str, ...] = notsoclevr.SPLITS
"""The two train/test splits of Not-so-Clevr (:func:`synthlearn.sim.notsoclevr.split_indices`)."""

BASELINES: dict[str, str] = {"classification": "deconv", "regression": "conv", "rendering": "deconv"}
"""The convolutional baseline family of each task."""

Metric = Annotated[float, Field(ge=0, le=1)]
"""A value of a task metric (accuracy or IoU)."""


def model_name(task: str, model: str) -> str:
    """The family that ``model`` (``baseline`` or ``coordconv``) means for ``task``: ``deconv``, ``conv`` or ``coordconv``."""
    return BASELINES[task] if model == "baseline" else model


class Sweep(Settings):
    """How one model family is trained on one task: a small grid, every point trained once."""

    lrs: tuple[Annotated[float, Field(gt=0)], ...] = Field((1e-3,), min_length=1)
    """Adam learning rates tried."""
    muls: tuple[Annotated[int, Field(ge=1)], ...] = Field((1,), min_length=1)
    """Width multipliers tried (baselines only; CoordConv models have one width)."""
    kernels: tuple[Annotated[int, Field(ge=2)], ...] = Field((3,), min_length=1)
    """Transposed-convolution kernel sizes tried (``deconv`` only)."""
    restarts: int = Field(1, ge=1)
    """Initialisation seeds tried per grid point."""
    epochs: int = Field(10, ge=1)
    """Epochs per run (the learning rate follows a cosine from ``lr`` to 0 over them)."""
    batch_size: int = Field(32, ge=2)
    """Minibatch size (at least 2: a minibatch of one is skipped, BatchNorm needs two samples)."""
    stop_at: Metric | None = None
    """Stop a run once its metric on the fit set reaches this (``None``: never)."""
    enough: Metric | None = None
    """Stop the sweep once a run reaches this validation metric (``None``: never)."""
    give_up: Metric | None = None
    """Abandon a run whose running fit metric after its first epoch is below this (``None``: never)
    and go on with the next restart -- for models that either take off in the first epoch or sit
    on a plateau (the CoordConv regressor, see :mod:`~synthlearn.reproduce.coordconv.models`)."""

    def points(self) -> list[dict[str, Any]]:
        """The grid, in the order it is tried: restart slowest, then lr, mul, kernel."""
        return [
            {"restart": r, "lr": lr, "mul": m, "kernel": k}
            for r in range(self.restarts) for lr in self.lrs for m in self.muls for k in self.kernels
        ]


def _default_sweeps() -> dict[str, Sweep]:
    # Baselines: two learning rates each, 20 epochs (the authors: a grid of 6 lr x 3 L2 x 3 kernels x
    # 3 widths x 2 batch sizes, 1000 epochs each -- far beyond a CPU budget).
    return {
        "classification/deconv": Sweep(lrs=(1e-2, 3e-2), epochs=20, batch_size=32, stop_at=1.0),
        # no early stop: accuracy on the unseen quadrant keeps improving after the fit set is at 100 %
        "classification/coordconv": Sweep(lrs=(1e-2,), epochs=2, batch_size=8),
        "regression/conv": Sweep(lrs=(3e-3, 1e-2), epochs=20, batch_size=32, stop_at=1.0),
        "regression/coordconv": Sweep(lrs=(1e-2,), epochs=4, batch_size=16, stop_at=1.0, enough=1.0, restarts=4, give_up=0.05),
        # lr 0.03 collapses the deconv renderer to "all background" (2 % of the pixels are square)
        "rendering/deconv": Sweep(lrs=(3e-3, 1e-2), epochs=20, batch_size=32, stop_at=0.999),
        "rendering/coordconv": Sweep(lrs=(1e-2,), epochs=3, batch_size=8),
    }


class CoordConvSettings(Settings):
    """Budget and protocol of the reproduction. :meth:`full` and :meth:`quick` are the presets."""

    seed: int = Field(0, ge=0)
    """Root seed of the splits, validation slices, initialisations and batch orders."""
    canvas: int = 64
    """Canvas side (64 in the paper; a power of two for the deconvolution baseline, a multiple of 8 for the conv one)."""
    square: int = 9
    """Square side (9 in the paper; odd, at most the canvas)."""
    test_fraction: float = Field(0.2, gt=0, lt=1)
    """Share of centres the ``uniform`` split holds out (0.2 as in the paper's text; its code used 0.25)."""
    val_fraction: float = Field(0.1, gt=0, lt=1)
    """Share of each split's training centres kept aside for model selection."""
    threads: int = Field(1, ge=1)
    """Torch threads (results are reproducible for a fixed thread count). 1 by default: on a
    2-core machine shared with other jobs, 2 threads measured up to 7x slower than 1 (OpenMP
    workers waiting for a busy core)."""
    tasks: tuple[TaskName, ...] = Field(TASKS, min_length=1)
    """Tasks to run, in order."""
    splits: tuple[SplitName, ...] = Field(SPLITS, min_length=1)
    """Splits to run, in order."""
    models: tuple[ModelChoice, ...] = Field(("baseline", "coordconv"), min_length=1)
    """Model families to run per task: ``baseline`` and/or ``coordconv``."""
    sweeps: dict[str, Sweep] = Field(default_factory=_default_sweeps)
    """``"task/family"`` → :class:`Sweep`, for every task and family run (family: ``deconv``, ``conv`` or ``coordconv``)."""

    @model_validator(mode="after")
    def _runnable(self) -> CoordConvSettings:
        """The canvas and square make a Not-so-Clevr set every planned model fits, and every planned row has a sweep."""
        try:
            notsoclevr.NotSoClevrSimulator().param_space().validate({"canvas": self.canvas, "square": self.square})
            notsoclevr.centre_range(self.canvas, self.square)
        except ParamError as exc:
            raise ValueError(str(exc)) from None
        for task in self.tasks:
            for model in self.models:
                family = model_name(task, model)
                if f"{task}/{family}" not in self.sweeps:
                    raise ValueError(f"sweeps: no entry '{task}/{family}' for the {model} of {task}")
                try:
                    check_canvas(family, self.canvas)
                except ValueError as exc:
                    raise ValueError(f"canvas {self.canvas} does not suit the {family} model of {task}: {exc}") from None
        return self

    @staticmethod
    def full() -> CoordConvSettings:
        """The full run: every task, split and model family with the default sweeps."""
        return CoordConvSettings()

    @staticmethod
    def quick() -> CoordConvSettings:
        """The CoordConv models as in :meth:`full`; one short run per baseline (a smoke run for them)."""
        sweeps = _default_sweeps()  # CoordConv models as in the full run
        sweeps["classification/deconv"] = Sweep(lrs=(3e-2,), epochs=4, batch_size=32, stop_at=1.0)
        sweeps["regression/conv"] = Sweep(lrs=(3e-3,), epochs=4, batch_size=32, stop_at=1.0)
        sweeps["rendering/deconv"] = Sweep(lrs=(1e-2,), epochs=4, batch_size=32, stop_at=0.999)
        return CoordConvSettings(sweeps=sweeps)

    def with_changes(self, **changes: Any) -> CoordConvSettings:
        """A copy with ``changes`` (e.g. command-line values), validated: a bad value raises one
        :class:`~synthlearn.errors.UserError` naming the setting (``setting 'test_fraction': ...``).

        ``model_copy(update=...)`` would skip validation, so the merged values are validated anew.
        """
        return parse_config({**self.model_dump(), **changes}, CoordConvSettings)

    def sweep(self, task: str, family: str) -> Sweep:
        """The sweep of ``family`` (``deconv``, ``conv`` or ``coordconv``) on ``task``."""
        return self.sweeps[f"{task}/{family}"]
