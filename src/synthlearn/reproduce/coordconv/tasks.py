"""The paper's three tasks on Not-so-Clevr: their tensors, training losses and whole-set metrics.

========================  ==========================  ============================================
task                      input → output              metric, over a whole set
========================  ==========================  ============================================
``classification``        (i, j) → one of size² px    accuracy: the arg-max pixel is the centre
``regression``            one-hot image → (i, j)      accuracy: both rounded coordinates hit
``rendering``             (i, j) → the square's mask  IoU of (sigmoid > 0.5), pooled over the set
========================  ==========================  ============================================

Rendering: the authors trained a sigmoid towards the grey value 128/255 = 0.502 and
thresholded at 0.5, so a perfect model sits 0.002 above its threshold and a tiny error flips a
pixel; here both model families are trained (per-pixel binary cross-entropy) on the mask
itself (target 1 on the square, 0 elsewhere), so "above 0.5" is a real decision. Thresholding
the grey target at 0.5 gives the same mask, as 0.502 > 0.5.

Example::

    >>> task = make_task("regression", size=64)
    >>> x, y = task_data("regression", full_dataset(), 64)      # (3136, 1, 64, 64), (3136, 2)
    >>> task.metric(y, y)
    1.0
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from synthlearn.reproduce.coordconv.models import normalise_coords
from synthlearn.train import metrics


class CoordTask(ABC):
    """Loss and metric of one task on a ``size``-pixel canvas; ``metric`` takes a whole set's outputs."""

    name = ""
    metric_name = "accuracy"

    def __init__(self, size: int) -> None:
        self.size = size

    @abstractmethod
    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Scalar training loss of a minibatch."""

    @abstractmethod
    def metric(self, out: torch.Tensor, y: torch.Tensor) -> float:
        """The task's metric over every row of ``out`` / ``y`` (never averaged over batches)."""


class Classification(CoordTask):
    """out ``(N, H, W)`` logits, y ``(N,)`` flat index ``i * W + j``; softmax over the pixels."""

    name = "classification"

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(out.reshape(len(out), -1), y)

    def metric(self, out: torch.Tensor, y: torch.Tensor) -> float:
        """Share of rows whose arg-max pixel is the centre."""
        return metrics.accuracy(out.reshape(len(out), -1), y)


class Regression(CoordTask):
    """out and y ``(N, 2)`` = ``(i, j) / size``; a row is correct when both rounded predictions hit."""

    name = "regression"

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return nn.functional.mse_loss(out, y)

    def metric(self, out: torch.Tensor, y: torch.Tensor) -> float:
        """Share of rows whose predicted ``(i, j)``, scaled to pixels and rounded, equals the centre on both axes."""
        from torchmetrics.functional.classification import binary_accuracy

        hit = (torch.round(out * self.size) == torch.round(y * self.size)).all(dim=1)
        return float(binary_accuracy(hit, torch.ones_like(hit)))


class Rendering(CoordTask):
    """out ``(N, H, W)`` logits, y ``(N, H, W)`` square mask in {0, 1}; IoU of (sigmoid > 0.5)."""

    name = "rendering"
    metric_name = "iou"

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return nn.functional.binary_cross_entropy_with_logits(out, y)

    def metric(self, out: torch.Tensor, y: torch.Tensor) -> float:
        """Σ intersection / Σ union over the set of the painted pixels (sigmoid(out) > 0.5 ⇔ out > 0) and the square."""
        return metrics.binary_iou(out > 0, y > 0.5)


_TASKS: dict[str, type[CoordTask]] = {cls.name: cls for cls in (Classification, Regression, Rendering)}


def make_task(name: str, size: int) -> CoordTask:
    """The task called ``name`` on a ``size``-pixel canvas."""
    if name not in _TASKS:
        raise ValueError(f"unknown task {name!r}; expected one of {', '.join(_TASKS)}")
    return _TASKS[name](size)


def task_data(task: str, data: Mapping[str, np.ndarray], size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of ``task`` from Not-so-Clevr layers (``image``, ``onehot``, ``coords``).

    * classification: ``(n, 2)`` normalised (i, j) → ``(n,)`` flat pixel index;
    * regression: ``(n, 1, size, size)`` one-hot → ``(n, 2)`` (i, j) / size;
    * rendering: ``(n, 2)`` normalised (i, j) → ``(n, size, size)`` mask (image > 0, i.e. image / 255 > 0.5).
    """
    coords = torch.from_numpy(np.asarray(data["coords"], dtype=np.int64))
    if task == "classification":
        return normalise_coords(coords, size), coords[:, 0] * size + coords[:, 1]
    if task == "regression":
        onehot = torch.from_numpy(np.asarray(data["onehot"], dtype=np.float32)).unsqueeze(1)
        return onehot, coords.to(torch.float32) / size
    if task == "rendering":
        return normalise_coords(coords, size), torch.from_numpy(np.asarray(data["image"]) > 0).to(torch.float32)
    raise ValueError(f"unknown task {task!r}; expected one of {', '.join(_TASKS)}")
