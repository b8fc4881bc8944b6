"""A small, deterministic training loop for task models, and whole-set evaluation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from synthlearn.train.config import TrainSettings
from synthlearn.train.precision import Precision, as_float32, autocast, batch_layout, to_layout
from synthlearn.train.tasks import Task


BatchCallback = Callable[[int, torch.Tensor, torch.Tensor], None]
"""``on_batch(step, index, loss)``: the step number (from 0), the minibatch's row indices ``(B,)``
and its detached loss, called before the optimiser updates the model."""


@dataclass
class FitState:
    """Where a fit stopped, with all it needs to continue as if it had never stopped.

    Attributes:
        epoch: epochs finished.
        step: optimiser steps taken.
        optimiser: the optimiser's ``state_dict()`` (a copy: Adam's moments and step counts).
        order_rng: state of the minibatch-order ``torch.Generator`` (``ByteTensor``).
        torch_rng: state of torch's global RNG inside the fit (dropout draws; ``ByteTensor``).
    """

    epoch: int
    step: int
    optimiser: dict[str, Any] = field(repr=False)
    order_rng: torch.Tensor = field(repr=False)
    torch_rng: torch.Tensor = field(repr=False)


def fit(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task, settings: TrainSettings, seed: int,
        on_batch: BatchCallback | None = None) -> nn.Module:
    """Train ``model`` in place on ``inputs`` ``(N, C, H, W)`` (or ``(N, F)``) / ``targets`` and return it.

    Adam (or SGD, ``settings.optimizer``) for ``settings.epochs`` epochs; minibatch order comes
    from a torch Generator seeded with ``seed``, and draws inside the model (dropout) from
    torch's global RNG seeded with ``seed`` for the duration of the call (the caller's RNG
    state is restored). A last minibatch of one sample is skipped (BatchNorm needs two).
    ``on_batch`` sees every minibatch before its update (e.g. to log its loss and error).
    ``settings.precision`` / ``settings.channels_last`` choose bf16 autocast and the NHWC layout
    (:mod:`synthlearn.train.precision`; off by default).
    """
    _train(model, inputs, targets, task, settings, seed, settings.epochs, None, on_batch, keep_state=False)
    return model


def fit_until(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task, settings: TrainSettings, seed: int,
              stop_epoch: int, resume: FitState | None = None, on_batch: BatchCallback | None = None) -> FitState:
    """:func:`fit` up to epoch ``stop_epoch`` (from 0, or from where ``resume`` stopped); returns where it stopped.

    ``model`` must carry the weights the resumed fit ended with. Stopping at epoch ``e`` and
    continuing to ``settings.epochs`` gives the same bytes as one :func:`fit` (the minibatch
    order, dropout draws and optimiser moments all carry over), which successive halving
    (:mod:`synthlearn.lts.halving`) relies on.
    """
    start = resume.epoch if resume is not None else 0
    if not start <= stop_epoch:
        raise ValueError(f"stop_epoch {stop_epoch} is before the resumed fit's epoch {start}")
    state = _train(model, inputs, targets, task, settings, seed, stop_epoch, resume, on_batch, keep_state=True)
    assert state is not None
    return state


def _train(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task, settings: TrainSettings, seed: int,
           stop_epoch: int, resume: FitState | None, on_batch: BatchCallback | None, keep_state: bool) -> FitState | None:
    generator = torch.Generator().manual_seed(seed)
    optimiser_class = torch.optim.SGD if settings.optimizer == "sgd" else torch.optim.Adam
    to_layout(model, settings.channels_last)
    optimiser = optimiser_class(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    n, epoch, step = len(inputs), 0, 0
    if resume is not None:
        generator.set_state(resume.order_rng)
        optimiser.load_state_dict(resume.optimiser)
        epoch, step = resume.epoch, resume.step
    device_type = inputs.device.type
    model.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if resume is not None:
            torch.set_rng_state(resume.torch_rng)
        for _ in range(epoch, stop_epoch):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, settings.batch_size):
                index = order[start : start + settings.batch_size]
                if len(index) < 2 and n >= 2:
                    continue
                optimiser.zero_grad(set_to_none=True)
                with autocast(settings.precision, device_type):
                    loss = task.training_loss(model, batch_layout(inputs[index], settings.channels_last), targets[index])
                loss.backward()
                if on_batch is not None:
                    on_batch(step, index, loss.detach())
                optimiser.step()
                step += 1
        if not keep_state:
            return None
        return FitState(stop_epoch, step, copy.deepcopy(optimiser.state_dict()), generator.get_state(), torch.get_rng_state())


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor, batch_size: int = 256, task: Task | None = None,
            precision: Precision = "float32", channels_last: bool = False) -> torch.Tensor:
    """Model outputs for ``inputs`` ``(N, ...)`` in eval mode, batched; ``(N, out_features)``.

    With a ``task``, the outputs are what its metric scores (:meth:`Task.outputs`). ``precision`` /
    ``channels_last`` as in training (:mod:`synthlearn.train.precision`); outputs are float32 either way.
    """
    model.eval()
    to_layout(model, channels_last)
    forward = (lambda x: task.outputs(model, x)) if task is not None else model
    with autocast(precision, inputs.device.type):
        outputs = [forward(batch_layout(inputs[i : i + batch_size], channels_last)) for i in range(0, len(inputs), batch_size)]
    return as_float32(torch.cat(outputs))


def evaluate(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, task: Task,
             precision: Precision = "float32", channels_last: bool = False) -> float:
    """The task's metric over the whole set (forward passes in ``precision`` / ``channels_last``, as :func:`predict`)."""
    outputs = predict(model, inputs, batch_size=task.eval_batch_size, task=task, precision=precision, channels_last=channels_last)
    return task.metric(outputs, targets)
