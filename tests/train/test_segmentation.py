"""The segmentation task: class ids, IoUs against hand-made maps, training on the traffic simulator."""

import numpy as np
import pytest
import torch

from synthlearn.errors import UserError
from synthlearn.sim.traffic import SEGMENTATION_CLASSES
from synthlearn.train import metrics
from synthlearn.train.tasks import CAR_TYPE_IDS, IGNORE_ID, SCENE_IDS, get_task

I = IGNORE_ID


def test_class_ids_are_the_traffic_simulators():
    assert {**SCENE_IDS, **CAR_TYPE_IDS} == SEGMENTATION_CLASSES


def test_ious_on_a_hand_made_pair():
    # classes 0, 1, 2 (car = 2); the ignored pixel (target 255) is predicted car and must not count
    predicted = torch.tensor([[[0, 0, 1, 2], [1, 1, 2, 2]], [[0, 2, 2, 2], [0, 0, 0, 0]]])
    target = torch.tensor([[[0, 0, 1, 1], [1, 1, 2, I]], [[0, 2, 2, 0], [0, 0, 0, 0]]])
    scores = metrics.segmentation_ious(predicted, target, num_classes=4, car_classes=[2], ignore_index=I)
    # pooled over both images: class 0: |∩| 7, |∪| 8; class 1: 3 / 4; class 2 (car): 3 / 5 (3 / 6 if the
    # ignored pixel counted); class 3 is absent from both
    assert scores["iou"][:3] == pytest.approx([7 / 8, 3 / 4, 3 / 5])
    assert np.isnan(scores["iou"][3])
    assert scores["mean_iou"] == pytest.approx((7 / 8 + 3 / 4 + 3 / 5) / 3)
    assert scores["car_iou"] == pytest.approx(3 / 5)


def test_car_types_fold_to_one_car_class_or_stay_apart():
    ids = np.array([[[0, 1, 5, 10], [11, 14, 255, 3]]], np.uint8)
    folded, kept = get_task("segment"), get_task("segment_car_types")
    assert folded.targets(ids).tolist() == [[[0, 1, 5, 6], [6, 6, I, 3]]]
    assert kept.targets(ids).tolist() == [[[0, 1, 5, 6], [7, 10, I, 3]]]
    assert (folded.output_size(None), kept.output_size(None)) == (7, 11)
    assert folded.classes[-1] == "car" and kept.classes[-5:] == tuple(CAR_TYPE_IDS.values())


def test_car_iou_pools_the_car_types_when_they_are_kept():
    task = get_task("segment_car_types")
    target = task.targets(np.array([[[10, 11, 0, 0]]], np.uint8))
    predicted = torch.tensor([[[7, 6, 6, 0]]])  # both cars found, with swapped types, plus one false car
    assert task.metric(predicted, target) == pytest.approx(2 / 3)
    assert task.scores(predicted, target)["iou"]["sedan"] == 0.0


def test_unknown_id_is_a_user_error():
    with pytest.raises(UserError, match=r"id\(s\) 7, 200 that task 'segment' does not know"):
        get_task("segment").targets(np.array([[[0, 7, 200]]], np.uint8))


def test_a_small_model_learns_to_segment_traffic_scenes():
    from synthlearn.sim import get_simulator
    from synthlearn.train import TrainSettings, fit, predict, single_thread_torch

    task = get_task("segment")
    simulator = get_simulator("traffic")
    params = {"height": 32, "width": 32, "cars_mean": 12.0}
    with single_thread_torch():
        inputs, targets = task.tensors(simulator.generate(params, 96, 0), 255.0)
        val_inputs, val_targets = task.tensors(simulator.generate(params, 32, 1), 255.0)
        model = task.build_model(inputs, task.output_size(targets), width=8, depth=3)
        before = task.scores(predict(model, val_inputs, task=task), val_targets)
        fit(model, inputs, targets, task, TrainSettings(epochs=5, batch_size=16, lr=5e-3), seed=0)
        after = task.scores(predict(model, val_inputs, task=task), val_targets)
    assert model(inputs[:2]).shape == (2, 7, 32, 32)
    assert after["mean_iou"] > before["mean_iou"] + 0.1
    assert after["iou"]["sky"] > 0.5, after
