"""Training one model of the reproduction: Adam with a cosine learning rate, early stop and give-up.

Example (a 16-pixel canvas, 196 centres)::

    >>> task, (x, y) = make_task("classification", 16), task_data("classification", full_dataset({"canvas": 16, "square": 3}), 16)
    >>> model = seeded_init(lambda: build_model("classification", "coordconv", 16), seed=0)
    >>> train_run(model, task, x, y, Sweep(epochs=3, batch_size=16), lr=1e-2, seed=0)["epochs"]
    3
    >>> evaluate(model, task, x, y)                                      # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch
from torch import nn

from synthlearn.reproduce.coordconv.settings import Sweep
from synthlearn.reproduce.coordconv.tasks import CoordTask
from synthlearn.train import predict

EVAL_BATCH = 128
"""Samples per forward pass when evaluating (outputs are pooled; the metric is over the whole set)."""


def evaluate(model: nn.Module, task: CoordTask, x: torch.Tensor, y: torch.Tensor) -> float:
    """The task's metric of ``model`` on inputs ``x`` ``(N, ...)`` and targets ``y`` ``(N, ...)``, in eval mode."""
    return task.metric(predict(model, x, EVAL_BATCH), y)


def train_run(
    model: nn.Module, task: CoordTask, x: torch.Tensor, y: torch.Tensor, sweep: Sweep, lr: float, seed: int
) -> dict[str, Any]:
    """Train ``model`` in place on ``x`` ``(N, ...)`` / ``y`` ``(N, ...)`` (N >= 1) with Adam.

    The learning rate falls from ``lr`` to 0 along a cosine over ``sweep.epochs`` epochs.
    Minibatch order comes from a torch Generator seeded with ``seed``; a last minibatch of one
    sample is skipped (BatchNorm needs two). After an epoch whose running fit metric (the
    task's metric of that epoch's minibatch outputs, pooled; for free) reaches
    ``sweep.stop_at``, the fit set is evaluated properly and the run stops if it is there. A
    first epoch whose running metric is below ``sweep.give_up`` ends the run (when more than
    one epoch was planned).

    Returns:
        ``{"epochs": epochs trained, "seconds": training wall-clock, "fit": the fit-set metric
        if an early-stop check evaluated it (else None), "history": the running fit metric of
        every epoch, "gave_up": whether sweep.give_up ended the run}``.
    """
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    n, batch = len(x), sweep.batch_size
    total = sweep.epochs * math.ceil(n / batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total) / total)))
    start, fit, epochs, history, gave_up = time.perf_counter(), None, 0, [], False
    for epoch in range(sweep.epochs):
        model.train()
        outputs, seen = [], []
        order = torch.randperm(n, generator=generator)
        for lo in range(0, n, batch):
            index = order[lo : lo + batch]
            if len(index) < 2 <= n:
                continue  # BatchNorm needs two samples
            out = model(x[index])
            loss = task.loss(out, y[index])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            outputs.append(out.detach())
            seen.append(index)
        epochs = epoch + 1
        running = task.metric(torch.cat(outputs), y[torch.cat(seen)])
        history.append(running)
        if sweep.stop_at is not None and running >= sweep.stop_at:
            fit = evaluate(model, task, x, y)
            if fit >= sweep.stop_at:
                break
        if epoch == 0 and sweep.give_up is not None and running < sweep.give_up and sweep.epochs > 1:
            gave_up = True
            break
    seconds = time.perf_counter() - start
    return {"epochs": epochs, "seconds": seconds, "fit": fit, "history": history, "gave_up": gave_up}
