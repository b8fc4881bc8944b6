"""NPID runs end to end: artefacts, determinism, kill-and-resume, the frozen NCE constant, bad inputs.

Tiny nets (width 2, depth 1, d = 8) on 24 toy 8×8 images (a horizontal or a vertical bar plus
noise) written by the test as an ``.npz``; every run takes well under a second.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from synthlearn.config import parse_config
from synthlearn.errors import UserError
from synthlearn.runs import CHECKPOINT
from synthlearn.ssl.config import NPIDConfig
from synthlearn.ssl.encoder import ENCODER_FILE, Encoder, load_encoder
from synthlearn.ssl.train import NPIDRun

N_IMAGES = 24


def bar_images(n: int, size: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uint8 images (label 0: a horizontal bar, 1: a vertical bar) plus noise, and their labels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    images = rng.normal(40, 15, (n, size, size))
    for i, (label, p) in enumerate(zip(labels, rng.integers(1, size - 1, n))):
        if label == 0:
            images[i, p, :] = 230
        else:
            images[i, :, p] = 230
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int64)


@pytest.fixture
def source(tmp_path):
    images, labels = bar_images(N_IMAGES)
    path = tmp_path / "bars.npz"
    np.savez(path, images=images, labels=labels)
    return str(path)


def config(source: str, **overrides) -> NPIDConfig:
    """A tiny NPID config; ``overrides`` are dotted keys with ``__`` for ``.`` (``objective__kind="softmax"``)."""
    raw = {
        "name": "tiny", "seed": 7,
        "data": {"source": source},
        "encoder": {"width": 2, "depth": 1, "dim": 8},
        "objective": {"kind": "nce", "noise": 4, "temperature": 0.1},
        "optimiser": {"batch_size": 8},
        "monitor": {"every": 1, "holdout": 6, "k": 5},
        "epochs": 2, "threads": 1,
    }
    for key, value in overrides.items():
        *parents, leaf = key.split("__")
        node = raw
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return parse_config(raw, NPIDConfig)


def encoder_state(run) -> dict[str, torch.Tensor]:
    return torch.load(run / ENCODER_FILE, weights_only=True)["state"]


def checkpoint_state(run) -> dict:
    return torch.load(run / CHECKPOINT, weights_only=True)["state"]


def history(run) -> list[dict]:
    return [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]


def same_tensors(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class Killed(Exception):
    """Stands in for a kill right after an epoch's checkpoint."""


# -- a run and what it leaves behind -------------------------------------------------------------


@pytest.mark.parametrize("kind,proximal", [("nce", 0.0), ("softmax", 0.0), ("parametric", 0.0), ("nce", 0.5), ("softmax", 0.5)])
def test_run_writes_every_artefact(tmp_path, source, kind, proximal):
    run = tmp_path / "run"
    result = NPIDRun(config(source, objective__kind=kind, objective__proximal=proximal), run).run()

    for name in ("config.yaml", "history.jsonl", str(CHECKPOINT), ENCODER_FILE, "history.png", "result.json"):
        assert (run / name).is_file(), name
    assert not (run / "failed.json").exists()
    records = history(run)
    assert [r["epoch"] for r in records] == [1, 2]
    for record in records:
        assert math.isfinite(record["loss"]) and record["loss"] > 0
        assert 0.0 <= record["knn_accuracy"] <= 1.0
        assert record["lr"] >= 0 and record["seconds"] > 0
    assert records[1]["lr"] < records[0]["lr"] < 0.03  # cosine decay from optimiser.lr

    assert json.loads((run / "result.json").read_text()) == json.loads(json.dumps(result))
    assert result["images"] == N_IMAGES and result["epochs"] == 2
    assert result["final_loss"] == records[-1]["loss"]
    assert result["knn_accuracy"] == records[-1]["knn_accuracy"]
    assert f"kind: {kind}" in (run / "config.yaml").read_text()

    state = checkpoint_state(run)
    assert state["epoch"] == 2
    if kind == "parametric":
        assert state["bank"] is None and state["nce"] is None
        assert state["head"]["weight"].shape == (N_IMAGES, 8)
    else:
        assert state["head"] is None
        vectors = state["bank"]["vectors"]
        assert vectors.shape == (N_IMAGES, 8)
        # every image was visited (the last batch of 24 / 8 is full), so every slot is a unit vector
        assert torch.allclose(vectors.norm(dim=1), torch.ones(N_IMAGES), atol=1e-5)
        assert (state["nce"] is not None) == (kind == "nce")

    encoder, scale = load_encoder(run)
    assert scale == 255.0 and encoder.input_size == 8
    assert same_tensors(encoder.state_dict(), state["encoder"])
    with torch.no_grad():
        features = encoder(torch.rand(5, 1, 8, 8))
    assert features.shape == (5, 8)
    assert torch.allclose(features.norm(dim=1), torch.ones(5), atol=1e-5)


def test_the_proximal_term_reaches_the_loss(tmp_path, source):
    plain = NPIDRun(config(source, epochs=1), tmp_path / "plain").run()
    pulled = NPIDRun(config(source, epochs=1, objective__proximal=5.0), tmp_path / "pulled").run()
    # λ‖f − v‖² with a freshly initialised bank is of order λ: far above any difference in the NCE part
    assert pulled["final_loss"] > plain["final_loss"] + 1.0


def test_monitor_every_and_at_the_end(tmp_path, source):
    NPIDRun(config(source, epochs=3, monitor__every=2), tmp_path / "every2").run()
    assert [("knn_accuracy" in r) for r in history(tmp_path / "every2")] == [False, True, True]
    result = NPIDRun(config(source, epochs=1, monitor__every=0), tmp_path / "off").run()
    assert "knn_accuracy" not in history(tmp_path / "off")[0] and result["knn_accuracy"] is None


def test_an_unlabelled_npz_trains_without_the_monitor(tmp_path):
    """NPIDData promises labels are read "where the source has them", by the monitor only."""
    images, _ = bar_images(N_IMAGES)
    path = tmp_path / "unlabelled.npz"
    np.savez(path, images=images)
    result = NPIDRun(config(str(path), epochs=1, monitor__every=0), tmp_path / "run").run()
    assert result["images"] == N_IMAGES and result["knn_accuracy"] is None


# -- determinism ---------------------------------------------------------------------------------


def test_same_seed_same_encoder_other_seed_other_encoder(tmp_path, source):
    NPIDRun(config(source), tmp_path / "a").run()
    NPIDRun(config(source), tmp_path / "b").run()
    NPIDRun(config(source, seed=8), tmp_path / "c").run()
    a, b, c = (encoder_state(tmp_path / name) for name in "abc")
    assert same_tensors(a, b)
    assert torch.equal(checkpoint_state(tmp_path / "a")["bank"]["vectors"], checkpoint_state(tmp_path / "b")["bank"]["vectors"])
    assert [r["loss"] for r in history(tmp_path / "a")] == [r["loss"] for r in history(tmp_path / "b")]
    assert not torch.equal(a["backbone.features.0.weight"], c["backbone.features.0.weight"])
    assert not torch.equal(a["backbone.head.weight"], c["backbone.head.weight"])


@pytest.mark.parametrize("kind", ["nce", "parametric"])
def test_kill_and_resume_equals_an_uninterrupted_run(tmp_path, source, kind):
    cfg = config(source, epochs=3, objective__kind=kind)
    whole = NPIDRun(cfg, tmp_path / "whole").run()

    def kill(record):
        if record["epoch"] == 1:
            raise Killed

    killed = tmp_path / "killed"
    with pytest.raises(Killed):
        NPIDRun(cfg, killed).run(on_epoch=kill)
    assert checkpoint_state(killed)["epoch"] == 1
    assert not (killed / ENCODER_FILE).exists() and not (killed / "result.json").exists()
    with pytest.raises(UserError, match="pass --resume"):
        NPIDRun(cfg, killed).run()
    with pytest.raises(UserError, match="settings differ"):
        NPIDRun(config(source, epochs=3, objective__kind=kind, seed=8), killed).run(resume=True)

    epochs_seen = []
    resumed = NPIDRun(cfg, killed).run(resume=True, on_epoch=lambda record: epochs_seen.append(record["epoch"]))
    assert epochs_seen == [2, 3]  # continued, not restarted

    assert same_tensors(encoder_state(tmp_path / "whole"), encoder_state(killed))
    a, b = checkpoint_state(tmp_path / "whole"), checkpoint_state(killed)
    assert same_tensors(a["encoder"], b["encoder"])
    if kind == "nce":
        assert torch.equal(a["bank"]["vectors"], b["bank"]["vectors"])
        assert torch.equal(a["nce"]["z"], b["nce"]["z"])
    else:
        assert same_tensors(a["head"], b["head"])
    keys = ("epoch", "loss", "lr", "knn_accuracy")
    assert [{k: r[k] for k in keys} for r in history(tmp_path / "whole")] == [{k: r[k] for k in keys} for r in history(killed)]
    for key in ("images", "epochs", "final_loss", "knn_accuracy"):
        assert resumed[key] == whole[key], key


def test_nce_z_is_estimated_once_and_then_frozen(tmp_path, source):
    NPIDRun(config(source, epochs=1), tmp_path / "one").run()
    NPIDRun(config(source, epochs=2), tmp_path / "two").run()
    one, two = checkpoint_state(tmp_path / "one"), checkpoint_state(tmp_path / "two")
    z = float(one["nce"]["z"])
    assert math.isfinite(z) and z > 0
    assert torch.equal(one["nce"]["z"], two["nce"]["z"])
    # ... while the bank it normalises against kept changing
    assert not torch.equal(one["bank"]["vectors"], two["bank"]["vectors"])


# -- bad inputs ----------------------------------------------------------------------------------


def test_holdout_as_large_as_the_labelled_set_is_refused_before_the_folder_exists(tmp_path, source):
    with pytest.raises(UserError, match=r"monitor\.holdout is 24 but the source has only 24 labelled images"):
        NPIDRun(config(source, monitor__holdout=N_IMAGES), tmp_path / "run").run()
    assert not (tmp_path / "run").exists()
    NPIDRun(config(source, monitor__holdout=N_IMAGES, monitor__every=0, epochs=1), tmp_path / "run").run()  # no monitor: fine


def test_missing_source_is_refused_before_the_folder_exists(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        NPIDRun(config(str(tmp_path / "nowhere.npz")), tmp_path / "run").run()
    assert not (tmp_path / "run").exists()


def test_a_diverging_run_ends_with_failed_json(tmp_path, source):
    # lr · weight_decay = 5e5 multiplies the weights by ~-5e5 per step: they overflow within a few steps
    cfg = config(source, epochs=3, optimiser__lr=1e9)
    run = tmp_path / "run"
    with pytest.raises(UserError, match=r"NPID diverged at epoch \d+, step \d+ \(loss (nan|inf|-inf)\); lower optimiser\.lr"):
        NPIDRun(cfg, run).run()
    failed = json.loads((run / "failed.json").read_text())
    assert "diverged" in failed["error"]
    assert not (run / CHECKPOINT).exists() and not (run / "result.json").exists() and not (run / ENCODER_FILE).exists()
    # the folder takes a corrected run, without --resume
    NPIDRun(config(source, epochs=1), run).run()
    assert not (run / "failed.json").exists() and (run / "result.json").is_file()


def test_a_nan_loss_from_the_objective_also_fails_the_run(tmp_path, source, monkeypatch):
    import synthlearn.ssl.train as train_module

    calls = []

    def poisoned(features, index, vectors, temperature):
        calls.append(1)
        return features.sum() * float("nan") if len(calls) == 4 else features.sum() * 0 + 1.0  # step 1 of epoch 2

    monkeypatch.setattr(train_module, "instance_softmax_loss", poisoned)
    run = tmp_path / "run"
    with pytest.raises(UserError, match="diverged at epoch 2, step 1"):
        NPIDRun(config(source, objective__kind="softmax"), run).run()
    assert (run / "failed.json").is_file() and not (run / CHECKPOINT).exists()
    assert [r["epoch"] for r in history(run)] == [1]


def test_load_encoder_needs_a_finished_run(tmp_path, source):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=r"encoder\.pt not found: give a finished NPID run folder"):
        load_encoder(tmp_path / "empty")
    with pytest.raises(UserError, match="not found"):
        load_encoder(tmp_path / "missing")

    def kill(record):
        raise Killed

    with pytest.raises(Killed):  # a run killed before its end has a checkpoint but no encoder.pt
        NPIDRun(config(source), tmp_path / "killed").run(on_epoch=kill)
    with pytest.raises(UserError, match="finished NPID run"):
        load_encoder(tmp_path / "killed")
    (tmp_path / "garbage.pt").write_bytes(b"\x80\x04 not a torch file")
    with pytest.raises(UserError, match="cannot be read"):
        load_encoder(tmp_path / "garbage.pt")


def test_load_encoder_accepts_the_file_itself(tmp_path, source):
    NPIDRun(config(source, epochs=1), tmp_path / "run").run()
    from_folder, _ = load_encoder(tmp_path / "run")
    from_file, _ = load_encoder(tmp_path / "run" / ENCODER_FILE)
    assert isinstance(from_file, Encoder) and not from_file.training
    assert same_tensors(from_folder.state_dict(), from_file.state_dict())


# -- the command line ----------------------------------------------------------------------------


def test_cli_npid_then_knn(tmp_path, source, capsys):
    import yaml

    from synthlearn.cli.app import main

    cfg = tmp_path / "npid.yaml"
    cfg.write_text(yaml.safe_dump(config(source).model_dump(mode="json")))
    run = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        main(["ssl", "npid", str(cfg), "--out", str(run), "--set", "epochs=1"])
    assert exit_info.value.code == 0
    assert "epochs: 1" in (run / "config.yaml").read_text() and len(history(run)) == 1
    capsys.readouterr()

    with pytest.raises(SystemExit) as exit_info:
        main(["ssl", "knn", str(run), "--memory", source, "--data", source, "--k", "1"])
    assert exit_info.value.code == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["k"] == 1 and scores["memory"] == source and scores["data"] == source
    # every query is its own nearest memory image: 1-NN on the memory itself is exact
    assert scores["knn_accuracy"] == 1.0
    assert 0.0 <= scores["linear_probe_accuracy"] <= 1.0
