"""A small, deterministic training loop for task models, and whole-set evaluation."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from synthlearn.train.config import TrainSettings
from synthlearn.train.tasks import Task


BatchCallback = Callable[[int, torch.Tensor, torch.Tensor], None]
"""``on_batch(step, index, loss)``: the step number (from 0), the minibatch's row indices ``(B,)``
and its detached loss, called before the optimiser updates the model."""


def fit(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task, settings: TrainSettings, seed: int,
        on_batch: BatchCallback | None = None) -> nn.Module:
    """Train ``model`` in place on ``inputs`` ``(N, C, H, W)`` (or ``(N, F)``) / ``targets`` and return it.

    Adam (or SGD, ``settings.optimizer``) for ``settings.epochs`` epochs; minibatch order comes
    from a torch Generator seeded with ``seed``, and draws inside the model (dropout) from
    torch's global RNG seeded with ``seed`` for the duration of the call (the caller's RNG
    state is restored). A last minibatch of one sample is skipped (BatchNorm needs two).
    ``on_batch`` sees every minibatch before its update (e.g. to log its loss and error).
    """
    generator = torch.Generator().manual_seed(seed)
    optimiser_class = torch.optim.SGD if settings.optimizer == "sgd" else torch.optim.Adam
    optimiser = optimiser_class(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    n, step = len(inputs), 0
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
                loss = task.training_loss(model, inputs[index], targets[index])
                loss.backward()
                if on_batch is not None:
                    on_batch(step, index, loss.detach())
                optimiser.step()
                step += 1
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
    return task.metric(predict(model, inputs, batch_size=task.eval_batch_size, task=task), targets)
