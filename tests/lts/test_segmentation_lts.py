"""A tiny Learning-to-Simulate run with the segmentation task: simulated training, KITTI-style validation."""

import json
from pathlib import Path

from synthlearn.config import load_config, parse_config
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import run_lts


def test_segmentation_run_rewards_car_iou_on_a_kitti_style_folder(tmp_path, kitti_writer):
    validation = kitti_writer(tmp_path / "kitti", n=4, height=20, width=28)
    config = parse_config({
        "name": "tiny-seg", "seed": 1, "simulator": "traffic", "fixed": {"height": 24, "width": 24},
        "learn": ["cars_mean", "weather"], "train_size": 8,
        "searcher": {"name": "reinforce", "candidates": 2, "iterations": 2},
        "task": {"name": "segment", "width": 2, "depth": 1, "epochs": 1, "batch_size": 4},
        "validation": {"dataset": str(validation)},
        "test": {"n": 6, "seed": 7},
    }, LTSConfig)
    result = run_lts(config, tmp_path / "run")
    history = [json.loads(line) for line in (tmp_path / "run" / "history.jsonl").read_text().splitlines()]
    assert result["metric"] == "car_iou" and result["budget"]["models_trained"] == 4
    assert all(0.0 <= r <= 1.0 for h in history for r in h["rewards"])
    assert history[0]["rewards"] == history[0]["metrics"]  # the reward is the Car IoU itself
    assert result["best"]["reward"] == max(r for h in history for r in h["rewards"])
    assert 0.0 <= result["test"]["metric"] <= 1.0 and result["test"]["n"] == 6
    scores = result["test"]["scores"]  # the detailed test scores: IoU per class, mean IoU, Car IoU
    assert scores["car_iou"] == result["test"]["metric"] and "car" in scores["iou"]
    assert 0.0 <= scores["mean_iou"] <= 1.0


def test_the_experiment_config_is_valid_and_rewards_car_iou():
    config = load_config(Path(__file__).parents[2] / "experiments" / "segmentation.yaml", [], LTSConfig)
    assert config.task.name == "segment" and config.reward.kind == "validation"
    assert config.validation.params == config.test.params and config.validation.seed != config.test.seed
