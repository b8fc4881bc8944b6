"""The label-free LTS reward: −MMD² to unlabelled real images in an NPID encoder's feature space.

An NPID encoder (width 2, depth 1, d = 8) is trained once per module on 8×8 bars from the
conftest's ``test-bars`` simulator; the "real" images are an images-only ``.npz`` of bars at
other parameters.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthlearn.config import parse_config
from synthlearn.data.sources import RealSpec
from synthlearn.errors import UserError
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.feature_reward import FeatureReward
from synthlearn.lts.loop import LTSRun, run_lts
from synthlearn.sim import get_simulator
from synthlearn.ssl.config import NPIDConfig
from synthlearn.ssl.train import NPIDRun

REAL_PARAMS = {"mix": [0.8, 0.2], "noise": 0.2}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, str]:
    """A finished tiny NPID run on 8×8 bars, and an images-only ``.npz`` of "real" bars."""
    root = tmp_path_factory.mktemp("feature-reward")
    bars = get_simulator("test-bars")
    train = bars.generate({"mix": [0.5, 0.5], "noise": 0.5}, 32, 100)
    np.savez(root / "train.npz", images=train["image"], labels=train["label"])
    npid = parse_config({
        "seed": 1, "data": {"source": str(root / "train.npz")},
        "encoder": {"width": 2, "depth": 1, "dim": 8},
        "objective": {"kind": "nce", "noise": 4, "temperature": 0.1},
        "optimiser": {"batch_size": 8}, "monitor": {"every": 0}, "epochs": 2, "threads": 1,
    }, NPIDConfig)
    NPIDRun(npid, root / "npid").run()
    real = bars.generate(REAL_PARAMS, 32, 200)["image"]
    np.savez(root / "real.npz", images=real)
    return {"encoder": str(root / "npid"), "real": str(root / "real.npz"), "root": str(root)}


def feature_config(bars_config_dict: dict, reference: dict[str, str], tmp_path, **reward) -> dict:
    """The conftest's bars LTS config, rewarded by feature MMD; its validation dataset does not exist."""
    return {
        **bars_config_dict,
        "searcher": {"name": "reinforce", "candidates": 2, "iterations": 2},
        "task": {**bars_config_dict["task"], "width": 2, "depth": 1},
        "validation": {"dataset": str(tmp_path / "no-such-validation.npz")},
        "reward": {"kind": "feature-mmd", "encoder": reference["encoder"],
                   "real": {"source": reference["real"], "split": "all"}, **reward},
    }


def test_a_feature_rewarded_run_never_reads_the_validation_data(tmp_path, bars_config_dict, reference):
    raw = feature_config(bars_config_dict, reference, tmp_path)
    # the same config rewarded by validation fails on the missing dataset: it is a real trap
    with pytest.raises(UserError, match="does not exist"):
        LTSRun(parse_config({**raw, "reward": {"kind": "validation"}}, LTSConfig), tmp_path / "labelled").run()

    config = parse_config(raw, LTSConfig)
    result = run_lts(config, tmp_path / "run")
    run = tmp_path / "run"
    for name in ("config.yaml", "history.jsonl", "checkpoints/latest.pt", "result.json", "best_model.pt", "rewards.png"):
        assert (run / name).is_file(), name
    history = [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]
    assert [h["iteration"] for h in history] == [0, 1]
    rewards = [r for h in history for r in h["rewards"]]
    assert len(rewards) == 4 and all(np.isfinite(rewards)) and all(r <= 0 for r in rewards)
    assert len(set(rewards)) > 1  # candidates are told apart
    assert all(m is None for h in history for m in h["metrics"])
    assert result["best"]["metric"] is None and result["best"]["reward"] == max(rewards)
    assert result["test"]["metric"] is not None and 0.0 <= result["test"]["metric"] <= 1.0  # test data is still used at the end

    # each reward is −MMD² of that candidate's generated images, recomputed outside the loop
    lts = LTSRun(config, tmp_path / "unused")
    scorer = FeatureReward(reference["encoder"], RealSpec(source=reference["real"], split="all"))
    for h in history:
        jobs = lts.jobs(h["iteration"], h["candidates"], None, search=True)
        assert all(job.validation is None and job.feature_reward is not None for job in jobs)
        recomputed = [scorer.score(job.data.generate()["image"]) for job in jobs]
        assert recomputed == pytest.approx(h["rewards"], rel=1e-9, abs=1e-12)


def test_reward_and_validation_jobs_differ_only_in_what_they_read(tmp_path, bars_config_dict, reference):
    raw = {**feature_config(bars_config_dict, reference, tmp_path), "validation": bars_config_dict["validation"]}
    lts = LTSRun(parse_config(raw, LTSConfig), tmp_path / "run")
    values = [{"mix": [0.5, 0.5], "noise": 1.0}]
    search, scored = lts.jobs(0, values, None, search=True)[0], lts.jobs(0, values, None)[0]
    assert search.validation is None and search.feature_reward is not None
    assert scored.validation is not None and scored.feature_reward is None  # fresh-model and test jobs use labels
    assert search.data == scored.data


def test_feature_mmd_needs_an_encoder_and_real_images(tmp_path, bars_config_dict, reference):
    for missing in ("encoder", "real"):
        raw = feature_config(bars_config_dict, reference, tmp_path)
        raw["reward"] = {k: v for k, v in raw["reward"].items() if k != missing}
        with pytest.raises(UserError, match="reward kind feature-mmd needs reward.encoder .* and reward.real"):
            parse_config(raw, LTSConfig)


def test_a_missing_encoder_is_refused_before_the_run_folder_exists(tmp_path, bars_config_dict, reference):
    (tmp_path / "unfinished").mkdir()
    raw = feature_config(bars_config_dict, reference, tmp_path, encoder=str(tmp_path / "unfinished"))
    with pytest.raises(UserError, match="finished NPID run"):
        run_lts(parse_config(raw, LTSConfig), tmp_path / "run")
    assert not (tmp_path / "run").exists()

    raw = feature_config(bars_config_dict, reference, tmp_path, real={"source": str(tmp_path / "nope.npz"), "split": "all"})
    with pytest.raises(UserError, match="does not exist"):
        run_lts(parse_config(raw, LTSConfig), tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_real_like_images_score_higher_than_other_images(reference):
    real = np.load(reference["real"])["images"]
    reward = FeatureReward(reference["encoder"], RealSpec(source=reference["real"], split="all"))
    reward.check(real[:2])
    assert reward.score(real) == 0.0  # the real set itself: the largest possible reward
    bars = get_simulator("test-bars")
    like_real = bars.generate(REAL_PARAMS, 32, 999)["image"]  # same distribution, other draws
    blank = np.zeros_like(real)
    flat_grey = np.full_like(real, 100)
    scores = {"like_real": reward.score(like_real), "blank": reward.score(blank), "flat_grey": reward.score(flat_grey)}
    assert all(s <= 0 for s in scores.values())
    assert scores["like_real"] > scores["blank"] and scores["like_real"] > scores["flat_grey"], scores

    # an explicit bandwidth is used as given: another σ, another value
    wide = FeatureReward(reference["encoder"], RealSpec(source=reference["real"], split="all"), bandwidth=100.0)
    assert wide.score(blank) != scores["blank"] and wide.score(blank) > scores["blank"]


def test_the_encoder_refuses_images_of_another_size(reference):
    reward = FeatureReward(reference["encoder"], RealSpec(source=reference["real"], split="all"))
    with pytest.raises(UserError, match="takes 8×8 images, these are 16×16"):
        reward.score(np.zeros((4, 16, 16), np.uint8))


def test_warm_start_with_a_feature_reward_survives_candidates_that_sample_one_class(tmp_path, reference):
    raw = {
        "name": "warm", "seed": 0, "simulator": "test-bars", "learn": ["mix"], "fixed": {"noise": 0.5}, "train_size": 4,
        "searcher": {"name": "random-params", "candidates": 4, "iterations": 3},
        "task": {"name": "classify", "width": 2, "depth": 1, "epochs": 1, "batch_size": 4, "warm_start": True},
        "validation": {"params": {"mix": [0.8, 0.2]}, "n": 16, "seed": 10},
        "reward": {"kind": "feature-mmd", "encoder": reference["encoder"], "real": {"source": reference["real"], "split": "all"},
                   "classes": 2},
    }
    run_lts(parse_config({**raw, "reward": {"kind": "validation"}}, LTSConfig), tmp_path / "labelled")  # fine with labels
    result = run_lts(parse_config(raw, LTSConfig), tmp_path / "run")
    assert result["budget"]["models_trained"] == 12
