"""One candidate evaluation: generate M samples at θ, train the task model, score it.

:func:`evaluate_candidate` is a picklable top-level function of one picklable
:class:`CandidateJob`, so any executor (in-process, a process pool, Ray) can run it. It runs
torch on one thread, which makes its result independent of where it ran.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import torch

from synthlearn.config import DataSpec, TaskConfig
from synthlearn.data.shards import load_layers
from synthlearn.sim import get_simulator, import_ref
from synthlearn.train.fit import TrainSettings, evaluate, fit, seeded_init, single_thread_torch
from synthlearn.train.tasks import Task, get_task


@dataclass(frozen=True)
class EvalData:
    """Where evaluation data comes from: a dataset folder, or a simulator at full parameters."""

    simulator: str
    params: dict[str, Any]
    n: int
    seed: int
    dataset: str | None = None

    @staticmethod
    def from_spec(spec: DataSpec, simulator: str, fixed: dict[str, Any]) -> EvalData:
        sim = get_simulator(simulator)
        full = sim.param_space().validate({**fixed, **spec.params})
        return EvalData(import_ref(sim), full, spec.n, spec.seed, str(spec.dataset) if spec.dataset else None)

    def key(self) -> str:
        import json

        return json.dumps([self.simulator, self.params, self.n, self.seed, self.dataset], sort_keys=True)


@lru_cache(maxsize=4)
def _load_eval_layers(key: str) -> dict[str, Any]:
    import json

    simulator, params, n, seed, dataset = json.loads(key)
    if dataset:
        return load_layers(dataset)
    return get_simulator(simulator).generate(params, n, seed)


def load_eval_tensors(data: EvalData, task: Task, input_scale: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of ``data`` for ``task`` (cached per process)."""
    return task.tensors(_load_eval_layers(data.key()), input_scale)


def make_task(config: TaskConfig) -> Task:
    return get_task(config.name, config.input_layer, config.target_layer)


def train_settings(config: TaskConfig) -> TrainSettings:
    return TrainSettings(epochs=config.epochs, batch_size=config.batch_size, lr=config.lr, weight_decay=config.weight_decay)


@dataclass(frozen=True)
class CandidateJob:
    """Everything needed to evaluate one parameter set (picklable).

    ``simulator`` is an import reference (``module:Class``) so any worker can load it.
    """

    simulator: str
    params: dict[str, Any]
    n_train: int
    data_seed: int
    train_seed: int
    task: TaskConfig
    validation: EvalData
    init_state: dict[str, torch.Tensor] | None = None


@dataclass
class CandidateResult:
    """Reward (higher is better), the task metric, timings and the trained weights."""

    reward: float
    metric: float
    seconds_simulate: float
    seconds_train: float
    out_features: int
    state: dict[str, torch.Tensor] = field(repr=False, default_factory=dict)


def build_model(config: TaskConfig, task: Task, inputs: torch.Tensor, out_features: int, seed: int) -> torch.nn.Module:
    """A freshly initialised task model for ``inputs`` ``(N, C, H, W)`` (init seeded by ``seed``)."""
    return seeded_init(lambda: task.build_model(inputs, out_features, config.width, config.depth, config.coord_conv), seed)


def evaluate_candidate(job: CandidateJob) -> CandidateResult:
    """Generate, train, validate. Deterministic in ``job``."""
    with single_thread_torch():
        task = make_task(job.task)
        start = time.perf_counter()
        layers = get_simulator(job.simulator).generate(job.params, job.n_train, job.data_seed)
        inputs, targets = task.tensors(layers, job.task.input_scale)
        simulated = time.perf_counter()
        val_inputs, val_targets = load_eval_tensors(job.validation, task, job.task.input_scale)
        out_features = max(task.output_size(targets), task.output_size(val_targets))
        model = build_model(job.task, task, inputs, out_features, job.train_seed)
        if job.init_state is not None:
            model.load_state_dict(job.init_state)
        fit(model, inputs, targets, task, train_settings(job.task), job.train_seed)
        metric = evaluate(model, val_inputs, val_targets, task)
        trained = time.perf_counter()
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return CandidateResult(task.reward(metric), metric, simulated - start, trained - simulated, out_features, state)
