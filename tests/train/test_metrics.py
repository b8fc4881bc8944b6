"""Task metrics over whole sets, against values computed by hand."""

import math

import pytest
import torch

from synthlearn.train import metrics
from synthlearn.train.tasks import get_task


def test_accuracy_counts_arg_max_hits():
    logits = torch.tensor([[2.0, 0.1, 0.0], [0.3, 0.9, 0.0], [0.0, 0.0, 5.0], [1.0, 0.0, 0.0]])
    assert metrics.accuracy(logits, torch.tensor([0, 0, 2, 1])) == 0.5


def test_count_mae_is_the_mean_over_every_count():
    task = get_task("count")
    predicted = torch.tensor([[1.0, 2.0], [0.0, 4.0]])
    truth = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    assert task.metric(predicted, truth) == pytest.approx((0 + 2 + 1 + 3) / 4)
    assert task.reward(task.metric(predicted, truth)) == pytest.approx(-1.5)


def test_iou_is_pooled_over_the_set_not_averaged_per_image():
    masks = torch.tensor([[1, 1, 0, 0], [1, 0, 0, 0]], dtype=torch.bool)
    truth = torch.tensor([[1, 0, 0, 0], [1, 1, 1, 1]], dtype=torch.bool)
    # pooled: intersection 1 + 1, union 2 + 4 -> 2 / 6 (per-image mean would be (1/2 + 1/4) / 2)
    assert metrics.binary_iou(masks, truth) == pytest.approx(2 / 6)
    assert metrics.binary_iou(torch.zeros(3, dtype=torch.bool), torch.zeros(3, dtype=torch.bool)) == 1.0


def test_jaccard_per_class_and_absent_classes():
    predicted = torch.tensor([0, 0, 1, 1, 2])
    truth = torch.tensor([0, 1, 1, 1, 2])
    iou = metrics.jaccard_per_class(predicted, truth, num_classes=4)
    assert iou[:3].tolist() == pytest.approx([1 / 2, 2 / 3, 1.0])
    assert math.isnan(float(iou[3]))  # absent from both


def test_matthews_corrcoef_binary_by_hand():
    predicted = torch.tensor([1, 1, 0, 0, 1, 0])
    truth = torch.tensor([1, 0, 0, 0, 1, 1])
    tp, tn, fp, fn = 2, 2, 1, 1
    expected = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert metrics.matthews_corrcoef(predicted, truth, num_classes=2) == pytest.approx(expected)


def test_mean_class_accuracy_skips_absent_classes_and_confusion_rows_are_truths():
    predicted = torch.tensor([0, 0, 1, 1, 1, 2])
    truth = torch.tensor([0, 1, 1, 1, 1, 1])
    # class 0: 1/1 right; class 1: 3/5 right; class 2 absent from the truths
    assert metrics.mean_class_accuracy(predicted, truth, num_classes=3) == pytest.approx((1.0 + 0.6) / 2)
    assert metrics.confusion_matrix(predicted, truth, num_classes=3).tolist() == [[1, 0, 0], [1, 3, 1], [0, 0, 0]]
