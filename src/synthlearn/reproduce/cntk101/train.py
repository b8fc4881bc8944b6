"""The tutorial's trainer: softmax regression by plain SGD, with its printed progress.

It is the ``classify_tabular`` task of :mod:`synthlearn.train` trained by
:func:`synthlearn.train.fit.fit` with ``optimizer="sgd"``; every ``print_every`` minibatches
the minibatch's loss and error (before its update, as CNTK's
``previous_minibatch_loss_average`` reports them) go to ``on_print``.

Example::

    >>> model, progress = train_softmax(x, y, classes=2, lr=0.5, minibatch=25, epochs=1, seed=0)  # x (N, F)
    >>> progress[0]                                        # doctest: +SKIP
    {'minibatch': 0, 'loss': 0.6931, 'error': 0.32}
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from synthlearn.train import metrics
from synthlearn.train.config import TaskConfig, TrainSettings
from synthlearn.train.fit import fit, predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch

TASK = TaskConfig(name="classify_tabular", input_scale=1.0)
"""Softmax regression on raw features."""

Progress = Callable[[dict[str, float]], None]
"""``on_print({"minibatch", "loss", "error"})``, called every ``print_every`` minibatches."""


def train_softmax(
    features: np.ndarray, label: np.ndarray, classes: int, lr: float, minibatch: int, epochs: int, seed: int,
    print_every: int = 50, on_print: Progress | None = None,
) -> tuple[torch.nn.Linear, list[dict[str, float]]]:
    """Softmax regression on ``features`` ``(N, F)`` / ``label`` ``(N,)`` and its progress records."""
    task = make_task(TASK)
    progress: list[dict[str, float]] = []
    with single_thread_torch():
        inputs, targets = task.tensors({"features": features, "label": label}, TASK.input_scale)
        model = build_model(TASK, task, inputs, classes, seed)

        def record(step: int, index: torch.Tensor, loss: torch.Tensor) -> None:
            if step % print_every:
                return
            with torch.no_grad():
                error = 1.0 - metrics.accuracy(model(inputs[index]), targets[index])
            progress.append({"minibatch": step, "loss": float(loss), "error": error})
            if on_print is not None:
                on_print(progress[-1])

        settings = TrainSettings(epochs=epochs, batch_size=minibatch, lr=lr, optimizer="sgd")
        fit(model, inputs, targets, task, settings, seed, on_batch=record)
    return model, progress


def weights(model: torch.nn.Linear) -> tuple[np.ndarray, np.ndarray]:
    """The model's ``W`` ``(K, F)`` and ``b`` ``(K,)`` as float64 arrays."""
    return model.weight.detach().double().numpy().copy(), model.bias.detach().double().numpy().copy()


def error_rate(model: torch.nn.Linear, features: np.ndarray, label: np.ndarray) -> float:
    """Share of rows of ``features`` ``(N, F)`` misclassified (1 − accuracy over the whole set)."""
    with single_thread_torch():
        logits = predict(model, torch.from_numpy(np.asarray(features, dtype=np.float32)))
    return 1.0 - metrics.accuracy(logits, torch.from_numpy(np.asarray(label, dtype=np.int64)))
