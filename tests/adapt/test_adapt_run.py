"""Self-training runs end to end on a tiny digits problem: artefacts, determinism, kill-and-resume, the CLI.

200 synthetic 8×8 digits (the simulator at its default parameters) as the source, the
unlabelled pool of scikit-learn's digits under the protocol split, a small CNN, one epoch per
round, two rounds: about a second per run.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import yaml

from synthlearn.adapt.config import AdaptConfig
from synthlearn.adapt.run import FIGURE, SelfTrainingRun
from synthlearn.config import parse_config
from synthlearn.errors import UserError
from synthlearn.runs import CHECKPOINT

TIMING = "seconds"


def config(**overrides) -> AdaptConfig:
    """A tiny run; ``overrides`` are dotted keys with ``__`` for ``.`` (``selection__share=0.5``)."""
    raw = {
        "name": "tiny", "seed": 3,
        "source": {"simulator": "digits", "params": {"pipeline": "optdigits8x8"}, "n": 200, "seed": 1},
        "real": {"source": "sklearn:digits", "split": "pool", "split_seed": 0},
        "task": {"name": "classify", "input_scale": 16, "width": 4, "depth": 2, "epochs": 1, "batch_size": 32},
        "selection": {"share": [0.3, 0.6]},
        "rounds": 2, "threads": 1,
    }
    for key, value in overrides.items():
        *parents, leaf = key.split("__")
        node = raw
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return parse_config(raw, AdaptConfig)


def without_timing(value):
    """``value`` with every ``seconds`` field dropped, recursively."""
    if isinstance(value, dict):
        return {k: without_timing(v) for k, v in value.items() if k != TIMING}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


def result_without_timing(run) -> str:
    """``result.json``'s bytes with the timing fields taken out (compared as text)."""
    return json.dumps(without_timing(json.loads((run / "result.json").read_text())), indent=2, sort_keys=True)


def history(run) -> list[dict]:
    return [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]


def checkpoint_state(run) -> dict:
    return torch.load(run / CHECKPOINT, weights_only=True)["state"]


def same_tensors(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class Killed(Exception):
    """Stands in for a kill right after a round's checkpoint."""


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """An uninterrupted run of the tiny config."""
    run = tmp_path_factory.mktemp("adapt") / "whole"
    SelfTrainingRun(config(), run).run()
    return run


def test_a_run_writes_every_artefact(whole):
    for name in ("config.yaml", "history.jsonl", str(CHECKPOINT), FIGURE, "result.json"):
        assert (whole / name).is_file(), name
    result = json.loads((whole / "result.json").read_text())
    records = history(whole)
    assert result["rounds"] == records
    assert [r["round"] for r in records] == [0, 1, 2]
    assert result["source_images"] == 200 and result["pool_images"] == 799 and result["classes"] == 10
    # the pool's labels are known here, so the kept pseudo labels are scored
    assert [r["kept"] for r in records] == [0, 240, 479]  # round(0.3 · 799), round(0.6 · 799)
    assert [r["share"] for r in records] == [None, 0.3, 0.6]
    for record in records:
        assert sum(record["kept_per_class"]) == record["kept"] and len(record["kept_per_class"]) == 10
        assert record["trained_on"] == 200 + record["kept"]
        for key in ("pool_accuracy", "validation_accuracy", "test_accuracy"):
            assert 0.0 <= record[key] <= 1.0
    assert records[0]["pseudo_label_accuracy"] is None
    assert all(0.0 <= r["pseudo_label_accuracy"] <= 1.0 for r in records[1:])
    chosen = result["chosen_round"]
    assert records[chosen]["validation_accuracy"] == max(r["validation_accuracy"] for r in records)
    assert result["test_accuracy"] == {"round_0": records[0]["test_accuracy"], "final": records[-1]["test_accuracy"],
                                       "chosen": records[chosen]["test_accuracy"]}

    state = checkpoint_state(whole)
    assert state["rounds_done"] == 3 and len(state["records"]) == 3 and state["kept"].numel() == 0
    assert yaml.safe_load((whole / "config.yaml").read_text())["selection"]["share"] == [0.3, 0.6]


def test_same_seed_same_result_other_seed_other_models(tmp_path, whole):
    again = tmp_path / "again"
    SelfTrainingRun(config(), again).run()
    assert result_without_timing(again) == result_without_timing(whole)
    assert same_tensors(checkpoint_state(again)["model"], checkpoint_state(whole)["model"])

    other = tmp_path / "other"
    SelfTrainingRun(config(seed=4), other).run()
    assert not same_tensors(checkpoint_state(other)["model"], checkpoint_state(whole)["model"])


def test_kill_and_resume_equals_an_uninterrupted_run(tmp_path, whole):
    def kill(record):
        if record["round"] == 1:
            raise Killed

    killed = tmp_path / "killed"
    with pytest.raises(Killed):
        SelfTrainingRun(config(), killed).run(on_round=kill)
    assert checkpoint_state(killed)["rounds_done"] == 2
    assert not (killed / "result.json").exists() and [r["round"] for r in history(killed)] == [0, 1]
    with pytest.raises(UserError, match="pass --resume"):
        SelfTrainingRun(config(), killed).run()
    with pytest.raises(UserError, match="settings differ"):
        SelfTrainingRun(config(seed=4), killed).run(resume=True)

    rounds_seen = []
    SelfTrainingRun(config(), killed).run(resume=True, on_round=lambda record: rounds_seen.append(record["round"]))
    assert rounds_seen == [2]  # continued, not restarted
    assert result_without_timing(killed) == result_without_timing(whole)
    assert without_timing(history(killed)) == without_timing(history(whole))
    a, b = checkpoint_state(whole), checkpoint_state(killed)
    assert same_tensors(a["model"], b["model"])


def test_split_all_with_labelled_validation_and_test(tmp_path):
    """``real.split: all``: every image is the pool; validation and test are named sets of their own."""
    from synthlearn.data.real import load_sklearn_digits

    digits = load_sklearn_digits()
    unlabelled, labelled = tmp_path / "unlabelled.npz", tmp_path / "labelled.npz"
    np.savez(unlabelled, images=digits.images[:300])
    np.savez(labelled, images=digits.images[300:400], labels=digits.labels[300:400])
    cfg = config(real={"source": str(unlabelled), "split": "all"}, validation=str(labelled), selection__share=0.5, rounds=1)
    result = SelfTrainingRun(cfg, tmp_path / "run").run()
    assert result["pool_images"] == 300 and result["rounds"][1]["kept"] == 150
    assert result["rounds"][1]["pseudo_label_accuracy"] is None  # an unlabelled pool: nothing to score
    assert result["rounds"][0]["validation_accuracy"] is not None and result["test_accuracy"]["final"] is None


def test_pool_of_another_size_is_refused_before_the_folder_exists(tmp_path):
    images = tmp_path / "big.npz"
    np.savez(images, images=np.zeros((20, 16, 16), np.uint8))
    with pytest.raises(UserError, match=r"real pool images are 16×16 but the source images are 8×8"):
        SelfTrainingRun(config(real={"source": str(images), "split": "all"}), tmp_path / "run").run()
    assert not (tmp_path / "run").exists()
    with pytest.raises(UserError, match=r"has no labels, so the protocol split cannot be made; set real.split: all"):
        SelfTrainingRun(config(real={"source": str(images)}), tmp_path / "run").run()
    assert not (tmp_path / "run").exists()


def test_cli_self_train_prints_the_rounds(tmp_path, capsys):
    from synthlearn.cli.app import main

    cfg = tmp_path / "adapt.yaml"
    cfg.write_text(yaml.safe_dump(config().model_dump(mode="json")))
    run = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        main(["adapt", "self-train", str(cfg), "--out", str(run), "--set", "rounds=1", "--set", "selection.share=0.5"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "pseudo labels right" in out and "400" in out  # round 1 kept round(0.5 · 799) = 400
    assert [r["round"] for r in history(run)] == [0, 1]
    assert "rounds: 1" in (run / "config.yaml").read_text()
