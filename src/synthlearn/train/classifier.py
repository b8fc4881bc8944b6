"""The task model as an image classifier on plain arrays: train it, predict classes, score it.

For callers that hold images and labels rather than simulator layers (refinement
evaluation, the demo's real-data row, self-training)::

    >>> model = train_classifier(images, labels, config, seed=0)      # images (N, H, W)
    >>> accuracy_on(model, test_images, test_labels, config.input_scale)
"""

from __future__ import annotations

import numpy as np
import torch

from synthlearn.train import metrics
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import fit, predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.tasks import images_to_tensor
from synthlearn.train.threads import single_thread_torch


def train_classifier(images: np.ndarray, labels: np.ndarray, config: TaskConfig, seed: int, classes: int = 10) -> torch.nn.Module:
    """The task model of ``config`` trained on ``images`` ``(N, H, W[, C])`` / ``labels`` ``(N,)`` (one torch thread, seeded)."""
    task = make_task(config)
    with single_thread_torch():
        inputs, targets = task.tensors({task.input_layer: images, task.target_layer: labels}, config.input_scale)
        model = build_model(config, task, inputs, classes, seed)
        fit(model, inputs, targets, task, config.training(), seed)
    return model


def predict_labels(model: torch.nn.Module, images: np.ndarray, input_scale: float) -> np.ndarray:
    """Predicted classes ``(N,)`` for ``images`` ``(N, H, W[, C])``."""
    with single_thread_torch():
        return predict(model, images_to_tensor(images, input_scale)).argmax(dim=1).numpy()


def accuracy_on(model: torch.nn.Module, images: np.ndarray, labels: np.ndarray, input_scale: float) -> float:
    """Fraction of ``images`` classified as ``labels`` (:func:`synthlearn.train.metrics.accuracy`)."""
    with single_thread_torch():
        logits = predict(model, images_to_tensor(images, input_scale))
    return metrics.accuracy(logits, torch.from_numpy(np.asarray(labels, dtype=np.int64)))
