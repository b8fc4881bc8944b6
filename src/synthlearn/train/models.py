"""Building task models: the task named in a config, and a network initialised from a seed."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from synthlearn.train.config import TaskConfig
from synthlearn.train.tasks import Task, get_task


def seeded_init(build: Callable[[], nn.Module], seed: int) -> nn.Module:
    """Call ``build()`` with torch's global RNG seeded by ``seed``, leaving the caller's RNG untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def make_task(config: TaskConfig) -> Task:
    """The :class:`Task` of a ``task`` config section (with its layer overrides)."""
    return get_task(config.name, config.input_layer, config.target_layer)


def build_model(config: TaskConfig, task: Task, inputs: torch.Tensor, out_features: int, seed: int) -> nn.Module:
    """A freshly initialised task model for ``inputs`` ``(N, C, H, W)`` (init seeded by ``seed``)."""
    return seeded_init(lambda: task.build_model(inputs, out_features, config.width, config.depth, config.coord_conv), seed)
