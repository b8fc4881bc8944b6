"""One candidate evaluation: generate M samples at θ, train the task model, score it.

:func:`evaluate_candidate` is a picklable top-level function of one picklable
:class:`CandidateJob`, so any executor (in-process, a process pool, Ray) can run it. It runs
torch on one thread, which makes its result independent of where it ran.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from synthlearn.data.sources import LayerSource
from synthlearn.errors import UserError
from synthlearn.lts.feature_reward import FeatureReward
from synthlearn.sim.request import SimRequest
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import FitState, evaluate, fit, fit_until
from synthlearn.train.models import build_model, make_task
from synthlearn.train.tasks import Task
from synthlearn.train.threads import single_thread_torch


def load_tensors(source: LayerSource, task: Task, input_scale: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of ``source`` for ``task`` (the layers are cached per process)."""
    return task.tensors(source.load(), input_scale)


@dataclass(frozen=True)
class PartialFit:
    """A candidate's model stopped before its last epoch: its weights, where its fit stopped, and its
    generated training layers (``{name: (M, ...) array}``, so continuing does not simulate again)."""

    weights: dict[str, torch.Tensor] = field(repr=False)
    fit: FitState
    layers: dict[str, np.ndarray] = field(repr=False)


@dataclass(frozen=True)
class CandidateJob:
    """Everything needed to evaluate one parameter set (picklable).

    Attributes:
        data: the M training samples at the candidate's full parameters.
        train_seed: seed of the model's initialisation and minibatch order.
        task: the task model and its training.
        validation: where the task metric (and, without ``feature_reward``, the reward) is measured;
            None with a ``feature_reward`` (labels are then never read).
        init_state: weights to start from (warm start), or None for a fresh model.
        feature_reward: a label-free reward computed from the generated images instead.
        stop_epoch: train only up to this epoch (successive halving, :mod:`synthlearn.lts.halving`);
            None: the task's ``epochs``.
        resume: continue this candidate's fit from where an earlier job of it stopped, on the layers
            that job generated (``init_state`` is then ignored). Continuing gives the same bytes as
            training to ``stop_epoch`` in one job.
    """

    data: SimRequest
    train_seed: int
    task: TaskConfig
    validation: LayerSource | None
    init_state: dict[str, torch.Tensor] | None = None
    feature_reward: FeatureReward | None = None
    stop_epoch: int | None = None
    resume: PartialFit | None = None


@dataclass
class CandidateResult:
    """Reward (higher is better), the task metric (None when no labelled validation was read), timings and the trained weights.

    ``epochs``: epochs the model has trained in all (over every job of the candidate); ``partial``:
    set when it stopped before the task's ``epochs``, to continue it with :attr:`CandidateJob.resume`.
    """

    reward: float
    metric: float | None
    seconds_simulate: float
    seconds_train: float
    out_features: int
    state: dict[str, torch.Tensor] = field(repr=False, default_factory=dict)
    epochs: int = 0
    partial: PartialFit | None = field(repr=False, default=None)


def evaluate_candidate(job: CandidateJob) -> CandidateResult:
    """Generate, train, validate. Deterministic in ``job``."""
    with single_thread_torch():
        task = make_task(job.task)
        start = time.perf_counter()
        layers = job.resume.layers if job.resume is not None else job.data.generate()
        inputs, targets = task.tensors(layers, job.task.input_scale)
        simulated = time.perf_counter()
        out_features = task.output_size(targets)
        if job.validation is not None:
            val_inputs, val_targets = load_tensors(job.validation, task, job.task.input_scale)
            out_features = max(out_features, task.output_size(val_targets))
        if job.feature_reward is not None and job.feature_reward.classes:
            out_features = max(out_features, job.feature_reward.classes)
        model = build_model(job.task, task, inputs, out_features, job.train_seed)
        if job.resume is not None:
            model.load_state_dict(job.resume.weights)
        elif job.init_state is not None:
            try:
                model.load_state_dict(job.init_state)
            except RuntimeError:
                raise UserError("warm start: this candidate's model has another number of outputs than the last best; "
                                "set reward.classes to the number of classes") from None
        settings, epochs = job.task.training(), job.task.epochs
        stop = job.stop_epoch if job.stop_epoch is not None else epochs
        fit_state = None
        if stop == epochs and job.resume is None:
            fit(model, inputs, targets, task, settings, job.train_seed)
        else:
            fit_state = fit_until(model, inputs, targets, task, settings, job.train_seed, stop, job.resume.fit if job.resume else None)
        precision = {"precision": job.task.precision, "channels_last": job.task.channels_last}
        metric = evaluate(model, val_inputs, val_targets, task, **precision) if job.validation is not None else None
        reward = job.feature_reward.score(layers[task.input_layer]) if job.feature_reward is not None else task.reward(metric)
        trained = time.perf_counter()
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        partial = PartialFit(state, fit_state, layers) if fit_state is not None and stop < epochs else None
        return CandidateResult(reward, metric, simulated - start, trained - simulated, out_features, state, stop, partial)
