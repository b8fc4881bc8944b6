"""Tasks: which layers are the input and the target, the loss, and the score.

A task turns simulator layers into tensors, builds a model for them, and scores
predictions. ``reward`` is always "higher is better" (``-MAE`` for counting), which is what
the outer optimisers maximise.

Example::

    >>> task = get_task("classify")
    >>> x, y = task.tensors({"image": images_uint8, "label": labels}, input_scale=16.0)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from synthlearn.errors import UserError
from synthlearn.nn.backbones import SmallCNN
from synthlearn.train import metrics


def images_to_tensor(images: np.ndarray, scale: float) -> torch.Tensor:
    """``(N, H, W)`` or ``(N, H, W, C)`` array → float tensor ``(N, C, H, W)`` divided by ``scale``."""
    if images.ndim == 3:
        images = images[:, None]
    elif images.ndim == 4:
        images = images.transpose(0, 3, 1, 2)
    else:
        raise UserError(f"input images must have shape (N, H, W) or (N, H, W, C), got {images.shape}")
    return torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)) / scale


class Task(ABC):
    """One supervised task on simulator layers."""

    name: str = ""
    input_layer: str = ""
    target_layer: str = ""
    metric_name: str = ""
    higher_is_better: bool = True

    def tensors(self, layers: Mapping[str, np.ndarray], input_scale: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs (float32, e.g. ``(N, C, H, W)``) and targets from the task's layers."""
        for key in (self.input_layer, self.target_layer):
            if key not in layers:
                raise UserError(f"task '{self.name}' needs layer '{key}', data has {', '.join(sorted(layers))}")
        return self.inputs(layers[self.input_layer], input_scale), self.targets(layers[self.target_layer])

    def inputs(self, array: np.ndarray, input_scale: float) -> torch.Tensor:
        """The model's input tensor: images ``(N, H, W[, C])`` → ``(N, C, H, W)`` divided by ``input_scale``."""
        return images_to_tensor(array, input_scale)

    def outputs(self, model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
        """What the metric scores: the model's output tensor for a batch (``(B, out_features)``)."""
        return model(inputs)

    def training_loss(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The loss one optimiser step minimises (the task loss, plus any regulariser the model needs)."""
        return self.loss(model(inputs), targets)

    @abstractmethod
    def targets(self, array: np.ndarray) -> torch.Tensor:
        """The target tensor for the model's outputs."""

    @abstractmethod
    def output_size(self, targets: torch.Tensor) -> int:
        """Number of model outputs."""

    @abstractmethod
    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Scalar training loss."""

    @abstractmethod
    def metric(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The task's score over a whole set (not averaged per batch)."""

    def reward(self, metric: float) -> float:
        return metric if self.higher_is_better else -metric

    def build_model(self, inputs: torch.Tensor, out_features: int, width: int, depth: int, coord_conv: bool = False) -> nn.Module:
        """A :class:`SmallCNN` sized for ``inputs`` ``(N, C, H, W)``."""
        return SmallCNN(inputs.shape[1], out_features, width=width, depth=depth, input_size=min(inputs.shape[2:]), coord_conv=coord_conv)


class CountTask(Task):
    """Count objects of each type: ``counts`` ``(N, T)`` from ``rgb``; score = MAE over all counts."""

    name = "count"
    input_layer = "rgb"
    target_layer = "counts"
    metric_name = "mae"
    higher_is_better = False

    def targets(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(array, dtype=np.float32))

    def output_size(self, targets: torch.Tensor) -> int:
        return int(targets.shape[1])

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(outputs, targets)

    def metric(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        return metrics.mean_absolute_error(outputs, targets)


class ClassifyTask(Task):
    """Classify ``image`` into ``label``; score = accuracy."""

    name = "classify"
    input_layer = "image"
    target_layer = "label"
    metric_name = "accuracy"
    higher_is_better = True

    def targets(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(array, dtype=np.int64))

    def output_size(self, targets: torch.Tensor) -> int:
        return int(targets.max()) + 1 if len(targets) else 1

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(outputs, targets)

    def metric(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        return metrics.accuracy(outputs, targets)


class ClassifyPointsTask(ClassifyTask):
    """Classify point clouds ``points`` ``(N, P, 3)`` into ``label`` with PointNet; score = accuracy.

    The loss is cross-entropy plus ``0.001 · ‖I − AAᵀ‖²`` on the 64×64 feature transform A
    (PointNet's orthogonality regulariser). The config's ``width`` is the width of PointNet's
    first shared layer (64 = the paper's full width; 16 = a quarter); ``depth`` is unused.
    """

    name = "classify_points"
    input_layer = "points"
    target_layer = "label"
    regulariser_weight = 0.001

    def inputs(self, array: np.ndarray, input_scale: float) -> torch.Tensor:
        if array.ndim != 3 or array.shape[2] != 3:
            raise UserError(f"task '{self.name}' needs points of shape (N, P, 3), got {array.shape}")
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)) / input_scale

    def outputs(self, model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
        return model(inputs).logits

    def training_loss(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        from synthlearn.losses.orthogonality import orthogonality_loss

        out = model(inputs)
        loss = self.loss(out.logits, targets)
        if out.feature_transform is not None:
            loss = loss + self.regulariser_weight * orthogonality_loss(out.feature_transform)
        return loss

    def build_model(self, inputs: torch.Tensor, out_features: int, width: int, depth: int, coord_conv: bool = False) -> nn.Module:
        """A :class:`~synthlearn.nn.pointnet.PointNetClassifier` at ``width / 64`` of the paper's width."""
        from synthlearn.nn.pointnet import PointNetClassifier

        return PointNetClassifier(out_features, width=width / 64)


class ClassifyTabularTask(ClassifyTask):
    """Classify feature vectors ``features`` ``(N, F)`` into ``label`` by softmax (multinomial logistic) regression.

    The model is one linear layer ``F → classes`` whose logits feed a softmax, initialised to
    zero as the CNTK 101 tutorial does (every class equally likely, loss ln C at the start);
    ``width``, ``depth`` and ``coord_conv`` are unused. Inputs are divided by ``input_scale``
    (set it to 1 for features that are already on a good scale).
    """

    name = "classify_tabular"
    input_layer = "features"
    target_layer = "label"

    def inputs(self, array: np.ndarray, input_scale: float) -> torch.Tensor:
        if array.ndim != 2:
            raise UserError(f"task '{self.name}' needs features of shape (N, F), got {array.shape}")
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)) / input_scale

    def build_model(self, inputs: torch.Tensor, out_features: int, width: int, depth: int, coord_conv: bool = False) -> nn.Module:
        """``nn.Linear(F, out_features)`` with zero weights and bias: ``(B, F) → (B, out_features)`` logits."""
        model = nn.Linear(inputs.shape[1], out_features)
        nn.init.zeros_(model.weight)
        nn.init.zeros_(model.bias)
        return model


_TASKS: dict[str, type[Task]] = {cls.name: cls for cls in (CountTask, ClassifyTask, ClassifyPointsTask, ClassifyTabularTask)}


def get_task(name: str, input_layer: str | None = None, target_layer: str | None = None) -> Task:
    """The task called ``name``, optionally reading other layers than its defaults."""
    if name not in _TASKS:
        raise UserError(f"unknown task '{name}'; choose one of {', '.join(_TASKS)}")
    task = _TASKS[name]()
    if input_layer:
        task.input_layer = input_layer
    if target_layer:
        task.target_layer = target_layer
    return task
