"""Refiner runs: resume, failure detectors, artefacts; tiny nets on the 8×8 test-bars simulator."""

import json
import math

import numpy as np
import pytest
import torch

from synthlearn.config import parse_config
from synthlearn.errors import UserError
from synthlearn.refine import simgan as simgan_module
from synthlearn.refine.config import RefineConfig
from synthlearn.refine.monitor import CollapseMonitor
from synthlearn.refine.run import RefinerRun, read_history, run_refiner
from synthlearn.runs import CHECKPOINT


def real_npz(tmp_path, images):
    path = tmp_path / "real.npz"
    np.savez(path, images=images)
    return str(path)


def tiny_config(tmp_path, real_images=None, sample_every=1000, **simgan):
    if real_images is None:  # "real" bars: brighter and sharper than the synthetic ones
        rng = np.random.default_rng(0)
        real_images = np.zeros((40, 8, 8), np.uint8)
        for i, p in enumerate(rng.integers(1, 7, 40)):
            real_images[i, p, :] = 250
    settings = {"refiner_width": 4, "refiner_blocks": 1, "disc_widths": [4, 4, 4, 4], "disc_strides": [1, 2], "disc_padding": 1,
                "batch_size": 8, "pretrain_refiner_steps": 3, "pretrain_discriminator_steps": 2, "steps": 7,
                "history_size": 16, "lam": 0.5, **simgan}
    return parse_config({
        "name": "tiny", "seed": 5,
        "synthetic": {"simulator": "test-bars", "n": 32, "seed": 1},
        "real": {"source": real_npz(tmp_path, real_images), "split": "all"},
        "pixel_max": 255,
        "simgan": settings,
        "checkpoint_every": 3, "sample_every": sample_every, "log_every": 2,
    }, RefineConfig)


def weights(run_dir):
    return torch.load(run_dir / "refiner.pt", weights_only=True)["state_dict"]


def test_run_writes_artefacts(tmp_path):
    config = tiny_config(tmp_path, sample_every=5)
    result = run_refiner(config, tmp_path / "run")
    out = tmp_path / "run"
    for name in ("config.yaml", "history.jsonl", "refiner.pt", "result.json", "samples.png", "history.png",
                 "samples/step-000005.png", "samples/step-000010.png", str(CHECKPOINT)):
        assert (out / name).is_file(), name
    checkpoint = torch.load(out / CHECKPOINT, weights_only=True)["state"]
    assert checkpoint["step"] == 12 == result["steps"]["total"]
    history = read_history(out)
    assert [h["phase"] for h in history] == ["pretrain_refiner"] * 2 + ["pretrain_discriminator"] + ["adversarial"] * 4
    adversarial = history[-1]
    for key in ("loss_refiner", "loss_adv", "loss_reg", "loss_d", "d_acc_real", "d_acc_refined", "refine_delta"):
        assert math.isfinite(adversarial[key])
    assert json.loads((out / "result.json").read_text()) == json.loads(json.dumps(result))
    with pytest.raises(UserError, match="already holds"):
        RefinerRun(config, out).run()


def test_resume_after_a_kill_gives_the_same_weights(tmp_path):
    config = tiny_config(tmp_path)
    run_refiner(config, tmp_path / "whole")

    def kill(step, record):
        if step == 7:  # after the checkpoint at step 6, mid-adversarial phase
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_refiner(config, tmp_path / "killed", on_step=kill)
    assert torch.load(tmp_path / "killed" / CHECKPOINT, weights_only=True)["state"]["step"] == 6
    run_refiner(config, tmp_path / "killed", resume=True)
    whole, resumed = weights(tmp_path / "whole"), weights(tmp_path / "killed")
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)
    d_whole = torch.load(tmp_path / "whole" / CHECKPOINT, weights_only=True)["state"]["trainer"]["discriminator"]
    d_resumed = torch.load(tmp_path / "killed" / CHECKPOINT, weights_only=True)["state"]["trainer"]["discriminator"]
    assert all(torch.equal(d_whole[k], d_resumed[k]) for k in d_whole)
    assert read_history(tmp_path / "whole") == read_history(tmp_path / "killed")
    other = tiny_config(tmp_path, lam=0.7)
    with pytest.raises(UserError, match="settings differ"):
        run_refiner(other, tmp_path / "killed", resume=True)


def test_identity_collapse_is_detected_and_recorded(tmp_path):
    # Real images are black; a huge lambda pins R to the identity, so D wins at once.
    config = tiny_config(tmp_path, real_images=np.zeros((40, 8, 8), np.uint8), lam=1000.0, steps=12,
                         lr_discriminator=0.02, lr_refiner=0.02, refiner_width=8, pretrain_refiner_steps=40,
                         pretrain_discriminator_steps=5)
    config = config.model_copy(update={"monitor": config.monitor.model_copy(update={"collapse_window": 5, "collapse_delta": 0.05})})
    events = []
    run_refiner(config, tmp_path / "run", on_event=events.append)
    assert events and events[0]["event"] == "identity_collapse"
    assert events[0]["d_acc_refined"] > 0.95 and events[0]["refine_delta"] < 0.05
    logged = [h for h in read_history(tmp_path / "run") if "event" in h]
    assert logged == events
    with pytest.warns(UserWarning, match="identity collapse"):  # without a callback: a warning
        run_refiner(config.model_copy(update={"simgan": config.simgan.model_copy(update={"steps": 8})}), tmp_path / "again")


def test_collapse_monitor_window():
    monitor = CollapseMonitor(window=3, accuracy=0.95, delta=0.01)
    assert monitor.update(0, 0.99, 0.001) is None and monitor.update(1, 0.99, 0.001) is None
    assert monitor.update(2, 0.99, 0.001)["event"] == "identity_collapse"
    assert monitor.update(3, 0.99, 0.001) is None  # the window starts afresh after an event
    busy = CollapseMonitor(window=2, accuracy=0.95, delta=0.01)
    assert busy.update(0, 0.99, 0.2) is None and busy.update(1, 0.99, 0.2) is None  # R is changing images: no collapse


def test_divergence_rolls_back_and_lowers_the_learning_rate(tmp_path, monkeypatch):
    calls = {"n": 0}
    real_loss = simgan_module.discriminator_loss

    def poisoned(*args, **kwargs):
        calls["n"] += 1
        loss = real_loss(*args, **kwargs)
        return loss * float("nan") if calls["n"] == 6 else loss  # one NaN, in the adversarial phase

    monkeypatch.setattr(simgan_module, "discriminator_loss", poisoned)
    config = tiny_config(tmp_path)
    events = []
    result = run_refiner(config, tmp_path / "run", on_event=events.append)
    assert [e["event"] for e in events] == ["divergence"]
    event = events[0]
    # D-loss calls: pretraining steps 3, 4, then adversarial steps 5, 6, 7, 8 -> the 6th is at step 8;
    # the last checkpoint before it is at step 6 (checkpoint_every=3).
    assert event["step"] == 8 and event["rolled_back_to"] == 6 and event["what"] == "loss_d"
    assert event["lr_scale"] == 0.5 and event["lr_refiner"] == pytest.approx(0.5e-3)
    assert result["rollbacks"] == 1 and result["lr_scale"] == 0.5
    state = torch.load(tmp_path / "run" / CHECKPOINT, weights_only=True)["state"]
    assert state["trainer"]["opt_d"]["param_groups"][0]["lr"] == pytest.approx(0.5e-3)
    assert all(torch.isfinite(v).all() for v in weights(tmp_path / "run").values())
    assert [h for h in read_history(tmp_path / "run") if "event" in h] == events


def test_huge_learning_rate_diverges_and_stops_after_max_rollbacks(tmp_path):
    config = tiny_config(tmp_path, lr_refiner=1e6, lr_discriminator=1e6, pretrain_refiner_steps=1)
    config = config.model_copy(update={"monitor": config.monitor.model_copy(update={"max_rollbacks": 1, "divergence_lr_factor": 0.9})})
    events = []
    with pytest.raises(UserError, match="diverged"):
        run_refiner(config, tmp_path / "run", on_event=events.append)
    assert [e["event"] for e in events] == ["divergence", "divergence"]
    assert "diverged" in json.loads((tmp_path / "run" / "failed.json").read_text())["error"]
    corrected = tiny_config(tmp_path, pretrain_refiner_steps=1)  # the folder takes a corrected run, no --resume needed
    assert run_refiner(corrected, tmp_path / "run", on_event=events.append)["rollbacks"] == 0
    assert not (tmp_path / "run" / "failed.json").exists()


@pytest.mark.parametrize("psi, semantic", [("channel_mean", 0.0), ("features", 0.0), ("identity", 1.0)])
def test_runs_with_each_psi_and_the_semantic_term(tmp_path, psi, semantic):
    config = tiny_config(tmp_path, psi=psi, semantic=semantic, steps=2, pretrain_refiner_steps=1, pretrain_discriminator_steps=1)
    config = config.model_copy(update={"label_classifier": config.label_classifier.model_copy(update={"epochs": 1, "width": 4, "depth": 2})})
    result = run_refiner(config, tmp_path / "run")
    assert math.isfinite(result["final"]["loss_reg"])
    assert ("loss_semantic" in result["final"]) == (semantic > 0)
