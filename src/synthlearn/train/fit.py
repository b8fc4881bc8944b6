"""A small, deterministic training loop for task models, and whole-set evaluation."""

from __future__ import annotations

import torch
from torch import nn

from synthlearn.train.config import TrainSettings
from synthlearn.train.tasks import Task


def fit(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task, settings: TrainSettings, seed: int) -> nn.Module:
    """Train ``model`` in place on ``inputs`` ``(N, C, H, W)`` / ``targets`` and return it.

    Adam for ``settings.epochs`` epochs; minibatch order comes from a torch Generator seeded
    with ``seed``, and draws inside the model (dropout) from torch's global RNG seeded with
    ``seed`` for the duration of the call (the caller's RNG state is restored). A last
    minibatch of one sample is skipped (BatchNorm needs two).
    """
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    n = len(inputs)
    model.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for _ in range(settings.epochs):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, settings.batch_size):
                index = order[start : start + settings.batch_size]
                if len(index) < 2 and n >= 2:
                    continue
                optimiser.zero_grad(set_to_none=True)
                task.training_loss(model, inputs[index], targets[index]).backward()
                optimiser.step()
    return model


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor, batch_size: int = 256, task: Task | None = None) -> torch.Tensor:
    """Model outputs for ``inputs`` ``(N, ...)`` in eval mode, batched; ``(N, out_features)``.

    With a ``task``, the outputs are what its metric scores (:meth:`Task.outputs`).
    """
    model.eval()
    forward = (lambda x: task.outputs(model, x)) if task is not None else model
    return torch.cat([forward(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)])


def evaluate(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task) -> float:
    """The task's metric over the whole set."""
    return task.metric(predict(model, inputs, task=task), targets)
