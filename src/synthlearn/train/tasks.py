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
    eval_batch_size: int = 256
    """Samples per forward pass when scoring a whole set."""

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


IGNORE_ID = 255
"""Segmentation-layer id of an unlabelled pixel: in no loss and no IoU (e.g. a real class the simulator lacks)."""
SCENE_IDS: dict[int, str] = {0: "sky", 1: "road", 2: "sidewalk", 3: "building", 4: "terrain", 5: "lane_marking"}
"""Segmentation-layer ids of the traffic simulator's scene classes (``synthlearn.sim.traffic.SEGMENTATION_CLASSES``;
``train/`` may not import ``sim/``, so a test checks that the two agree)."""
CAR_TYPE_IDS: dict[int, str] = {10: "sedan", 11: "suv", 12: "van", 13: "truck", 14: "bus"}
"""Segmentation-layer ids of the traffic simulator's car types (same source)."""


class SegmentTask(Task):
    """Label every pixel of ``rgb`` ``(N, H, W, 3)`` with its class in ``segmentation`` ``(N, H, W)``; score = Car IoU.

    Classes: sky, road, sidewalk, building, terrain and lane marking (:data:`SCENE_IDS`), then
    one ``car`` class for every car type (``segment``) or one class per type
    (``segment_car_types``). The loss is per-pixel cross-entropy; pixels of id
    :data:`IGNORE_ID` count in neither the loss nor any IoU, and any other id is a
    :class:`UserError`. The metric is the Car IoU pooled over the whole set (the reward of the
    Learning-to-Simulate paper's segmentation experiment); :meth:`scores` adds the IoU of each
    class and their mean. The model is a :class:`~synthlearn.nn.unet.SmallUNet` with ``width``
    channels at full resolution and ``depth`` pooling stages (``coord_conv`` is unused).
    """

    name = "segment"
    input_layer = "rgb"
    target_layer = "segmentation"
    metric_name = "car_iou"
    higher_is_better = True
    eval_batch_size = 8  # images of full-size real data (KITTI: 1242×375) are large
    keep_car_types = False

    @property
    def classes(self) -> tuple[str, ...]:
        """Class names in the order of the model's outputs."""
        cars = tuple(CAR_TYPE_IDS.values()) if self.keep_car_types else ("car",)
        return tuple(SCENE_IDS.values()) + cars

    @property
    def car_classes(self) -> list[int]:
        """Output indices of the car class(es)."""
        return list(range(len(SCENE_IDS), len(self.classes)))

    def _class_of_id(self) -> np.ndarray:
        """``(256,)``: the class index of every segmentation id, :data:`IGNORE_ID` for unlabelled, −1 for unknown ids."""
        table = np.full(256, -1, np.int64)
        table[list(SCENE_IDS)] = np.arange(len(SCENE_IDS))
        table[list(CAR_TYPE_IDS)] = self.car_classes if self.keep_car_types else self.car_classes[0]
        table[IGNORE_ID] = IGNORE_ID
        return table

    def tensors(self, layers: Mapping[str, np.ndarray], input_scale: float) -> tuple[torch.Tensor, torch.Tensor]:
        inputs, targets = super().tensors(layers, input_scale)
        if inputs.shape[0] != targets.shape[0] or inputs.shape[2:] != targets.shape[1:]:
            raise UserError(f"task '{self.name}': layer '{self.input_layer}' has {inputs.shape[0]} images of "
                            f"{inputs.shape[2]}×{inputs.shape[3]} but '{self.target_layer}' has {targets.shape[0]} maps of "
                            f"{targets.shape[1]}×{targets.shape[2]}")
        return inputs, targets

    def targets(self, array: np.ndarray) -> torch.Tensor:
        """Class indices ``(N, H, W)`` int64 (:data:`IGNORE_ID` where unlabelled) from segmentation ids ``(N, H, W)``."""
        ids = np.asarray(array)
        if ids.ndim != 3 or ids.dtype.kind not in "ui":
            raise UserError(f"task '{self.name}' needs integer class-id maps of shape (N, H, W), got {ids.dtype} {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() > 255):
            raise UserError(f"layer '{self.target_layer}' holds ids from {ids.min()} to {ids.max()}; segmentation ids are 0..255")
        table = self._class_of_id()
        present = np.flatnonzero(np.bincount(ids.ravel().astype(np.int64), minlength=256))
        unknown = [int(i) for i in present if table[i] < 0]
        if unknown:
            raise UserError(f"layer '{self.target_layer}' holds id(s) {', '.join(map(str, unknown))} that task '{self.name}' "
                            f"does not know (ids {', '.join(map(str, [*SCENE_IDS, *CAR_TYPE_IDS]))}, {IGNORE_ID} unlabelled)")
        return torch.from_numpy(table[ids])

    def output_size(self, targets: torch.Tensor) -> int:
        return len(self.classes)

    def outputs(self, model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
        """Predicted class maps ``(B, H, W)`` int64 (the arg-max of the logits ``(B, classes, H, W)``)."""
        return model(inputs).argmax(dim=1)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(outputs, targets, ignore_index=IGNORE_ID)

    def metric(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        return float(self.scores(outputs, targets)["car_iou"])

    def scores(self, outputs: torch.Tensor, targets: torch.Tensor) -> dict[str, float | dict[str, float]]:
        """``{"iou": {class: IoU}, "mean_iou": ..., "car_iou": ...}`` of class maps ``(N, H, W)`` over the whole set."""
        ious = metrics.segmentation_ious(outputs, targets, len(self.classes), self.car_classes, IGNORE_ID)
        return {**ious, "iou": dict(zip(self.classes, ious["iou"]))}

    def build_model(self, inputs: torch.Tensor, out_features: int, width: int, depth: int, coord_conv: bool = False) -> nn.Module:
        """A :class:`~synthlearn.nn.unet.SmallUNet`: ``(B, C, H, W) → (B, out_features, H, W)`` logits."""
        from synthlearn.nn.unet import SmallUNet

        return SmallUNet(inputs.shape[1], out_features, width=width, depth=depth)


class SegmentCarTypesTask(SegmentTask):
    """:class:`SegmentTask` with one class per car type (Car IoU still pools every car type)."""

    name = "segment_car_types"
    keep_car_types = True


_TASKS: dict[str, type[Task]] = {cls.name: cls for cls in (
    CountTask, ClassifyTask, ClassifyPointsTask, ClassifyTabularTask, SegmentTask, SegmentCarTypesTask)}


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
