"""One candidate evaluation: generate M samples at θ, train the task model, score it.

:func:`evaluate_candidate` is a picklable top-level function of one picklable
:class:`CandidateJob`, so any executor (in-process, a process pool, Ray) can run it. It runs
torch on one thread, which makes its result independent of where it ran.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from synthlearn.data.sources import LayerSource
from synthlearn.errors import UserError
from synthlearn.lts.feature_reward import FeatureReward
from synthlearn.sim.request import SimRequest
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import evaluate, fit
from synthlearn.train.models import build_model, make_task
from synthlearn.train.tasks import Task
from synthlearn.train.threads import single_thread_torch


def load_tensors(source: LayerSource, task: Task, input_scale: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of ``source`` for ``task`` (the layers are cached per process)."""
    return task.tensors(source.load(), input_scale)


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
    """

    data: SimRequest
    train_seed: int
    task: TaskConfig
    validation: LayerSource | None
    init_state: dict[str, torch.Tensor] | None = None
    feature_reward: FeatureReward | None = None


@dataclass
class CandidateResult:
    """Reward (higher is better), the task metric (None when no labelled validation was read), timings and the trained weights."""

    reward: float
    metric: float | None
    seconds_simulate: float
    seconds_train: float
    out_features: int
    state: dict[str, torch.Tensor] = field(repr=False, default_factory=dict)


def evaluate_candidate(job: CandidateJob) -> CandidateResult:
    """Generate, train, validate. Deterministic in ``job``."""
    with single_thread_torch():
        task = make_task(job.task)
        start = time.perf_counter()
        layers = job.data.generate()
        inputs, targets = task.tensors(layers, job.task.input_scale)
        simulated = time.perf_counter()
        out_features = task.output_size(targets)
        if job.validation is not None:
            val_inputs, val_targets = load_tensors(job.validation, task, job.task.input_scale)
            out_features = max(out_features, task.output_size(val_targets))
        if job.feature_reward is not None and job.feature_reward.classes:
            out_features = max(out_features, job.feature_reward.classes)
        model = build_model(job.task, task, inputs, out_features, job.train_seed)
        if job.init_state is not None:
            try:
                model.load_state_dict(job.init_state)
            except RuntimeError:
                raise UserError("warm start: this candidate's model has another number of outputs than the last best; "
                                "set reward.classes to the number of classes") from None
        fit(model, inputs, targets, task, job.task.training(), job.train_seed)
        metric = evaluate(model, val_inputs, val_targets, task) if job.validation is not None else None
        reward = job.feature_reward.score(layers[task.input_layer]) if job.feature_reward is not None else task.reward(metric)
        trained = time.perf_counter()
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return CandidateResult(reward, metric, simulated - start, trained - simulated, out_features, state)
