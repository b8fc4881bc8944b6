"""self_train round by round with stand-in models whose predictions are known, and its input checks.

The stand-in "model" of a round is a lookup table: image i of the toy sets carries its row
number in pixel (0, 0), and the model returns that row of the round's logits. So which pool
images are kept, with which pseudo labels, and how many of those are right, is known exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import synthlearn.adapt.self_training as self_training
from synthlearn.adapt.config import AdaptConfig, SelectionSettings
from synthlearn.adapt.self_training import SelfTrainingData, SelfTrainingState, chosen_round, self_train
from synthlearn.config import parse_config
from synthlearn.data.real import LabelledImages
from synthlearn.errors import UserError
from synthlearn.train.config import TaskConfig

TASK = TaskConfig(name="classify", input_scale=1.0, width=2, depth=1, epochs=1)


def indexed_images(rows: range) -> np.ndarray:
    """Images ``(len(rows), 4, 4)`` whose pixel (0, 0) is the row of the lookup table they read."""
    images = np.zeros((len(rows), 4, 4), np.float32)
    images[:, 0, 0] = list(rows)
    return images


class Lookup(nn.Module):
    """Logits ``table[row]`` for an image carrying ``row`` in pixel (0, 0)."""

    def __init__(self, table: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("table", table)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.table[x[:, 0, 0, 0].long()]


def logits_for(confidence_of_class_0: list[float]) -> torch.Tensor:
    """Logits whose softmax is (p, 1 − p) per row."""
    p = torch.tensor(confidence_of_class_0, dtype=torch.float64)
    return torch.log(torch.stack([p, 1 - p], dim=1)).float()


# pool rows 0..9 (true classes below), validation rows 10..13 (classes 0, 0, 1, 1)
POOL_LABELS = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
ROUND_TABLES = {
    # round 0's pool predictions: confidences .95 .9 .85 .8 .3 | .6 .1 .55 .45 .2 → predicted 0 0 0 0 1 | 0 1 0 1 1
    0: logits_for([0.95, 0.9, 0.85, 0.8, 0.3, 0.6, 0.1, 0.55, 0.45, 0.2] + [0.9, 0.9, 0.9, 0.9]),  # validation: 2 of 4 right
    # round 1: every pool image right with confidence 0.9 → ties, kept in index order
    1: logits_for([0.9] * 5 + [0.1] * 5 + [0.9, 0.9, 0.1, 0.1]),  # validation: 4 of 4
    2: logits_for([0.9] * 10 + [0.9, 0.9, 0.1, 0.9]),  # validation: 3 of 4
}


@pytest.fixture
def lookup_models(monkeypatch):
    """Replace training by the round's lookup model; record what each round was trained on."""
    calls = []

    def train(images, labels, task, classes, seed, round_, device):
        calls.append({"round": round_, "rows": images[:, 0, 0].astype(int).tolist(), "labels": labels.tolist(), "classes": classes})
        return Lookup(ROUND_TABLES[round_])

    monkeypatch.setattr(self_training, "_train_model", train)
    return calls


def toy_data(pool_labels: np.ndarray | None = POOL_LABELS) -> SelfTrainingData:
    source = indexed_images(range(10, 14))  # the source shares the validation rows: their labels are right by construction
    validation = LabelledImages(indexed_images(range(10, 14)), np.array([0, 0, 1, 1]), ("0", "1"))
    return SelfTrainingData(source, np.array([0, 0, 1, 1]), indexed_images(range(10)), pool_labels, validation, None)


def test_rounds_report_kept_pseudo_labels_and_their_accuracy(lookup_models):
    states = []
    final = self_train(toy_data(), TASK, SelectionSettings(share=0.5), rounds=2, seed=0,
                       on_round=lambda record, state: states.append(state))
    round0, round1, round2 = final.records

    assert round0["round"] == 0 and round0["share"] is None and round0["kept"] == 0
    assert round0["pseudo_label_accuracy"] is None and round0["kept_per_class"] == [0, 0] and round0["trained_on"] == 4
    assert round0["pool_accuracy"] == pytest.approx(0.7)  # predicted 0 0 0 0 1 | 0 1 0 1 1: rows 4, 5, 7 wrong
    assert round0["validation_accuracy"] == pytest.approx(0.5) and round0["test_accuracy"] is None

    # round 1 trains on the 5 most confident of round 0's predictions: rows 0 (.95), 1 (.9), 6 (.9), 2 (.85), 3 (.8)
    assert round1["share"] == 0.5 and round1["kept"] == 5 and round1["trained_on"] == 9
    assert round1["kept_per_class"] == [4, 1]
    assert round1["pseudo_label_accuracy"] == pytest.approx(1.0)
    assert lookup_models[1]["rows"] == [10, 11, 12, 13, 0, 1, 2, 3, 6]
    assert lookup_models[1]["labels"] == [0, 0, 1, 1, 0, 0, 0, 0, 1]
    assert round1["pool_accuracy"] == pytest.approx(1.0) and round1["validation_accuracy"] == pytest.approx(1.0)

    # round 2: round 1 is equally sure of every image, so the first five rows are kept, all right
    assert round2["kept"] == 5 and round2["kept_per_class"] == [5, 0] and round2["pseudo_label_accuracy"] == pytest.approx(1.0)
    assert lookup_models[2]["rows"] == [10, 11, 12, 13, 0, 1, 2, 3, 4]
    assert round2["pool_accuracy"] == pytest.approx(0.5) and round2["validation_accuracy"] == pytest.approx(0.75)

    assert [s.rounds_done for s in states] == [1, 2, 3]
    assert states[0].kept.tolist() == [0, 1, 2, 3, 6] and states[0].pseudo_labels.tolist() == [0, 0, 0, 0, 1]
    assert final.kept.tolist() == [] and torch.equal(final.model["table"], ROUND_TABLES[2])
    assert all(call["classes"] == 2 for call in lookup_models)
    assert chosen_round(final.records) == 1


def test_wrong_pseudo_labels_count_against_the_kept_accuracy(lookup_models):
    final = self_train(toy_data(), TASK, SelectionSettings(share=0.8), rounds=1, seed=0)
    kept = final.records[1]
    # 8 most confident: rows 0 (.95), 1, 6 (.9), 2 (.85), 3 (.8), 9 (.8), 4 (.7), 5 (.6); rows 4 and 5 are predicted wrong
    assert kept["kept"] == 8 and kept["kept_per_class"] == [5, 3]
    assert kept["pseudo_label_accuracy"] == pytest.approx(6 / 8)
    assert lookup_models[1]["labels"][4:] == [0, 0, 0, 0, 1, 0, 1, 1]  # row 4's pseudo label 1, row 5's 0: not the truth


def test_balance_threshold_and_a_share_per_round(lookup_models):
    final = self_train(toy_data(), TASK, SelectionSettings(share=(0.6, 0.2), threshold=0.84, balance=True), rounds=2, seed=0)
    # round 1: quota round(0.6 · 10 / 2) = 3 per class among confidence ≥ 0.84: class 0 → 0, 1, 2; class 1 → 6
    assert lookup_models[1]["rows"][4:] == [0, 1, 2, 6] and final.records[1]["kept_per_class"] == [3, 1]
    # round 2: quota 1 per class at confidence 0.9: class 0 → row 0, class 1 → row 5
    assert lookup_models[2]["rows"][4:] == [0, 5] and final.records[2]["share"] == 0.2


def test_the_pool_labels_never_reach_selection_or_training(lookup_models):
    with_labels = self_train(toy_data(), TASK, SelectionSettings(share=0.8), rounds=2, seed=0)
    seen_with = [dict(call) for call in lookup_models]
    lookup_models.clear()
    without = self_train(toy_data(pool_labels=None), TASK, SelectionSettings(share=0.8), rounds=2, seed=0)
    assert lookup_models == seen_with
    assert all(r["pseudo_label_accuracy"] is None and r["pool_accuracy"] is None for r in without.records)
    assert [r["kept_per_class"] for r in without.records] == [r["kept_per_class"] for r in with_labels.records]


def test_continuing_from_a_state_runs_only_the_rest(lookup_models):
    states = []
    whole = self_train(toy_data(), TASK, SelectionSettings(share=0.5), rounds=2, seed=0, on_round=lambda r, s: states.append(s))
    lookup_models.clear()
    saved = SelfTrainingState.from_checkpoint(states[0].to_checkpoint())
    rest = self_train(toy_data(), TASK, SelectionSettings(share=0.5), rounds=2, seed=0, start=saved)
    assert [call["round"] for call in lookup_models] == [1, 2]
    strip = lambda records: [{k: v for k, v in r.items() if k != "seconds"} for r in records]  # noqa: E731
    assert strip(rest.records) == strip(whole.records)


def test_chosen_round_is_the_earliest_best_on_validation():
    records = [{"round": i, "validation_accuracy": v} for i, v in enumerate([0.5, 0.8, 0.7, 0.8])]
    assert chosen_round(records) == 1
    assert chosen_round([{"round": 0, "validation_accuracy": None}]) is None


# -- input checks ------------------------------------------------------------------------------


def test_pool_images_of_another_size_are_refused():
    with pytest.raises(UserError, match=r"real pool images are 5×5 but the source images are 4×4"):
        SelfTrainingData(indexed_images(range(4)), np.array([0, 1, 0, 1]), np.zeros((3, 5, 5)))
    with pytest.raises(UserError, match=r"test images are 4×4×3"):
        SelfTrainingData(indexed_images(range(4)), np.array([0, 1, 0, 1]), np.zeros((3, 4, 4)),
                         test=LabelledImages(np.zeros((2, 4, 4, 3)), np.array([0, 1]), ("0", "1")))


def test_validation_classes_beyond_the_source_and_bad_labels_are_refused():
    validation = LabelledImages(indexed_images(range(3)), np.array([0, 1, 2]), ("0", "1", "2"))
    with pytest.raises(UserError, match=r"validation labels reach class 2 but the source has 2 classes \(0\.\.1\)"):
        SelfTrainingData(indexed_images(range(4)), np.array([0, 1, 0, 1]), indexed_images(range(3)), validation=validation)
    with pytest.raises(UserError, match="source: labels must be integers"):
        SelfTrainingData(indexed_images(range(4)), np.array([0.0, 1, 0, 1]), indexed_images(range(3)))
    with pytest.raises(UserError, match="source: expected 4 labels"):
        SelfTrainingData(indexed_images(range(4)), np.array([0, 1]), indexed_images(range(3)))
    with pytest.raises(UserError, match="the real pool has no images"):
        SelfTrainingData(indexed_images(range(4)), np.array([0, 1, 0, 1]), np.zeros((0, 4, 4)))


@pytest.mark.parametrize("raw,message", [
    ({"selection": {"share": 0}}, r"share must be a fraction in \(0, 1\]"),
    ({"selection": {"share": 1.5}}, r"share must be a fraction in \(0, 1\]"),
    ({"selection": {"share": [0.5, 1.2, 0.3]}}, r"share must be a fraction in \(0, 1\]"),
    ({"selection": {"share": [0.2, 0.4]}}, "selection.share lists 2 shares but rounds is 3"),
    ({"rounds": 0}, "greater than or equal to 1"),
    ({"task": {"name": "count"}}, "task.name must be classify"),
    ({"validation": "sklearn:digits"}, "set real.split: all"),
])
def test_bad_settings_are_one_line_errors(raw, message):
    with pytest.raises(UserError, match=message):
        parse_config(raw, AdaptConfig)


def test_a_share_per_round_must_match_the_rounds():
    config = parse_config({"selection": {"share": [0.2, 0.4]}, "rounds": 2}, AdaptConfig)
    assert config.selection.shares(2) == (0.2, 0.4)
    assert SelectionSettings(share=0.3).shares(3) == (0.3, 0.3, 0.3)
