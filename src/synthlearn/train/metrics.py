"""Task metrics over a whole set, from torchmetrics (never averaged over batches).

Every function takes the model's outputs and the targets of the *whole* set and returns a
Python float (or a per-class tensor). torchmetrics is imported on first use, so importing
synthlearn stays fast.

Example::

    >>> accuracy(torch.tensor([[2.0, 0.1], [0.3, 0.9]]), torch.tensor([0, 0]))
    0.5
"""

from __future__ import annotations

import torch


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of rows of ``logits`` ``(N, C)`` whose arg-max equals ``targets`` ``(N,)``."""
    from torchmetrics.functional.classification import multiclass_accuracy

    if len(targets) == 0:
        return float("nan")
    return float(multiclass_accuracy(logits, targets, num_classes=logits.shape[1], average="micro"))


def mean_absolute_error(predictions: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean of ``|predictions − targets|`` over every element (``(N, ...)`` each)."""
    from torchmetrics.functional import mean_absolute_error as mae

    return float(mae(predictions, targets))


def jaccard_per_class(labels: torch.Tensor, targets: torch.Tensor, num_classes: int, ignore_index: int | None = None) -> torch.Tensor:
    """IoU of every class ``(num_classes,)`` from predicted and true class maps ``(N, ...)`` (int).

    Intersections and unions are pooled over the whole set before dividing; a class absent
    from both gives NaN (so a mean over classes can skip it).
    """
    from torchmetrics.functional.classification import multiclass_jaccard_index

    return multiclass_jaccard_index(labels, targets, num_classes=num_classes, average="none",
                                    ignore_index=ignore_index, zero_division=float("nan"))


def segmentation_ious(labels: torch.Tensor, targets: torch.Tensor, num_classes: int, car_classes: list[int],
                      ignore_index: int) -> dict[str, float | list[float]]:
    """IoU per class, mean IoU and Car IoU of predicted class maps ``labels`` ``(N, H, W)`` against ``targets`` ``(N, H, W)``.

    Pixels whose target is ``ignore_index`` count nowhere. Every IoU pools intersections and
    unions over the whole set. ``iou`` lists the classes ``0 .. num_classes − 1`` (NaN for a
    class absent from both maps), ``mean_iou`` averages the classes that are not NaN, and
    ``car_iou`` is the IoU of the mask "any of ``car_classes``" (so car types kept apart still
    give one Car IoU, the Learning-to-Simulate paper's reward).
    """
    per_class = jaccard_per_class(labels, targets, num_classes, ignore_index=ignore_index)
    labelled = targets != ignore_index
    cars = torch.tensor(car_classes)
    car_iou = binary_iou(torch.isin(labels[labelled], cars), torch.isin(targets[labelled], cars))
    return {"iou": per_class.tolist(), "mean_iou": float(per_class.nanmean()), "car_iou": car_iou}


def binary_iou(masks: torch.Tensor, targets: torch.Tensor) -> float:
    """IoU of two boolean masks ``(N, ...)`` pooled over the set (1.0 when both are empty)."""
    from torchmetrics.functional.classification import binary_jaccard_index

    masks, targets = masks.bool(), targets.bool()
    if not (masks | targets).any():
        return 1.0
    return float(binary_jaccard_index(masks.long(), targets.long()))


def matthews_corrcoef(labels: torch.Tensor, targets: torch.Tensor, num_classes: int) -> float:
    """Matthews correlation coefficient of predicted ``labels`` ``(N,)`` against ``targets`` ``(N,)``."""
    from torchmetrics.functional.classification import multiclass_matthews_corrcoef

    return float(multiclass_matthews_corrcoef(labels, targets, num_classes=num_classes))


def confusion_matrix(labels: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class."""
    from torchmetrics.functional.classification import multiclass_confusion_matrix

    return multiclass_confusion_matrix(labels, targets, num_classes=num_classes)


def mean_class_accuracy(labels: torch.Tensor, targets: torch.Tensor, num_classes: int) -> float:
    """Mean over the classes present in ``targets`` of the share of their members predicted right."""
    counts = confusion_matrix(labels, targets, num_classes).double()
    support = counts.sum(dim=1)
    present = support > 0
    return float((counts.diagonal()[present] / support[present]).mean())
