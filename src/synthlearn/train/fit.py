"""A small, deterministic training loop for task models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from synthlearn.train.tasks import Task


@dataclass(frozen=True)
class TrainSettings:
    """How a task model is trained.

    Attributes:
        epochs: passes over the training set.
        batch_size: samples per optimiser step.
        lr: Adam learning rate.
        weight_decay: Adam (L2) weight decay.
    """

    epochs: int = 3
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.0


@contextmanager
def single_thread_torch() -> Iterator[None]:
    """Run torch on one thread inside the block, so results never depend on the worker."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def seeded_init(build, seed: int) -> nn.Module:
    """Call ``build()`` with torch's global RNG seeded, leaving the caller's RNG untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def fit(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task, settings: TrainSettings, seed: int) -> nn.Module:
    """Train ``model`` in place on ``inputs`` ``(N, C, H, W)`` / ``targets`` and return it.

    Minibatch order comes from a torch Generator seeded with ``seed``.
    """
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    n = len(inputs)
    model.train()
    for _ in range(settings.epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, settings.batch_size):
            index = order[start : start + settings.batch_size]
            if len(index) < 2 and n >= 2:
                continue  # BatchNorm needs two samples
            optimiser.zero_grad(set_to_none=True)
            task.loss(model(inputs[index]), targets[index]).backward()
            optimiser.step()
    return model


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Model outputs for ``inputs`` in eval mode, batched."""
    model.eval()
    return torch.cat([model(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)])


def evaluate(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task) -> float:
    """The task's metric over the whole set."""
    return task.metric(predict(model, inputs), targets)
