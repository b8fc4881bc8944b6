"""Use a pretrained NPID encoder for a labelled task: a linear head on its frozen trunk, or full fine-tuning.

:func:`fine_tune` starts the task model's conv trunk from the encoder's (``backbone.features``);
the task model has the shape a fresh task model would have, so a from-scratch model and a
fine-tuned one differ only in where their weights start. :func:`head_only_accuracy` trains a
linear classifier (:func:`synthlearn.ssl.knn.linear_probe_accuracy`) on the frozen trunk's
pooled features.
"""

from __future__ import annotations

import numpy as np
import torch

from synthlearn.errors import UserError
from synthlearn.ssl.data import to_unit_tensor
from synthlearn.ssl.encoder import Encoder
from synthlearn.ssl.knn import linear_probe_accuracy
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import fit
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch


def fine_tune(encoder: Encoder, images: np.ndarray, labels: np.ndarray, config: TaskConfig, seed: int,
              classes: int = 10) -> torch.nn.Module:
    """The task model of ``config`` whose trunk starts from ``encoder``'s, trained on ``images`` ``(N, H, W)`` / ``labels``.

    Every weight trains; the head is initialised from ``seed`` exactly as a fresh model's would
    be, and training runs as :func:`synthlearn.train.fit.fit` (one torch thread).
    """
    settings = encoder.settings
    if config.coord_conv:
        raise UserError("an NPID encoder has a plain first convolution; fine-tune a task model with coord_conv: false")
    if (config.width, config.depth) != (settings.width, settings.depth):
        raise UserError(f"the task model (width {config.width}, depth {config.depth}) differs from the encoder's "
                        f"(width {settings.width}, depth {settings.depth}); set the task's width and depth to match")
    task = make_task(config)
    with single_thread_torch():
        inputs, targets = task.tensors({task.input_layer: images, task.target_layer: labels}, config.input_scale)
        model = build_model(config, task, inputs, classes, seed)
        model.features.load_state_dict(encoder.backbone.features.state_dict())
        fit(model, inputs, targets, task, config.training(), seed)
    return model


@torch.no_grad()
def trunk_features(encoder: Encoder, images: np.ndarray, scale: float) -> torch.Tensor:
    """Pooled conv-trunk features ``(N, C)`` of grey images ``(N, H, W)`` (eval mode, one torch thread)."""
    encoder.eval()
    with single_thread_torch():
        inputs = to_unit_tensor(images, scale)
        return torch.cat([encoder.backbone.features(inputs[i : i + 512]).mean(dim=(2, 3)) for i in range(0, len(inputs), 512)])


def head_only_accuracy(encoder: Encoder, scale: float, train_images: np.ndarray, train_labels: np.ndarray,
                       test_images: np.ndarray, test_labels: np.ndarray, seed: int) -> float:
    """Test accuracy of a linear classifier trained on the frozen trunk's features of the training images."""
    return linear_probe_accuracy(trunk_features(encoder, train_images, scale), torch.from_numpy(np.asarray(train_labels)),
                                 trunk_features(encoder, test_images, scale), torch.from_numpy(np.asarray(test_labels)), seed=seed)
