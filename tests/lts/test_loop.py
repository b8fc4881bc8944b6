"""End-to-end LTS runs on the tiny bars simulator."""

import json

import pytest

from synthlearn.config import parse_config as parse
from synthlearn.data.shards import encode_npz
from synthlearn.errors import UserError
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import LTSRun, run_lts
from synthlearn.sim import get_simulator


def parse_config(raw):
    return parse(raw, LTSConfig)


def test_run_writes_every_output(tmp_path, bars_config_dict):
    result = run_lts(parse_config(bars_config_dict), tmp_path / "run")
    run = tmp_path / "run"
    for name in ("config.yaml", "history.jsonl", "checkpoints/latest.pt", "result.json", "best_model.pt", "rewards.png", "params.png"):
        assert (run / name).is_file(), name
    history = [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]
    assert [h["iteration"] for h in history] == [0, 1, 2]
    assert set(history[0]["policy"]) == {"mix", "noise"}
    assert set(history[0]["policy"]["mix"]["probs"]) == {"horizontal", "vertical"}
    assert {"mean", "std"} <= set(history[0]["policy"]["noise"])
    assert "tv_to_validation" in history[0] and history[0]["seconds"]["elapsed"] > 0
    assert result["budget"]["models_trained"] == 6
    assert result["test"]["metric"] == pytest.approx(_accuracy_by_hand(run / "best_model.pt", bars_config_dict["test"]), abs=1e-6)
    assert json.loads((run / "result.json").read_text()) == json.loads(json.dumps(result))


def _accuracy_by_hand(weights, spec) -> float:
    """Test accuracy of the saved best model, recomputed outside synthlearn's train/ room."""
    import numpy as np
    import torch

    from synthlearn.nn.backbones import SmallCNN

    layers = get_simulator("test-bars").generate(spec["params"], spec["n"], spec["seed"])
    model = SmallCNN(1, 2, width=4, depth=2, input_size=8)
    model.load_state_dict(torch.load(weights, weights_only=True))
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(layers["image"][:, None].astype(np.float32)) / 255.0)
    return float((logits.argmax(1).numpy() == layers["label"]).mean())


def test_torn_history_line_is_dropped_on_resume(tmp_path, kill_lts, bars_config_dict):
    """A kill during the history append leaves half a line; --resume cuts it and finishes the same."""
    config = parse_config(bars_config_dict)
    uninterrupted = run_lts(config, tmp_path / "a")
    kill_lts(config, tmp_path / "b", 0)
    with open(tmp_path / "b" / "history.jsonl", "a") as handle:
        handle.write('{"iteration": 1, "rewa')  # torn: the process died mid-write
    (tmp_path / "b" / ".result.json.abc.tmp").write_text("stale")  # a temp file an interrupted atomic write left
    assert run_lts(config, tmp_path / "b", resume=True) == uninterrupted
    assert not list((tmp_path / "b").rglob(".*.tmp"))


def test_kill_and_resume_gives_the_same_result(tmp_path, kill_lts, bars_config_dict):
    config = parse_config({**bars_config_dict, "searcher": {"name": "reinforce", "candidates": 2, "iterations": 4}})
    uninterrupted = run_lts(config, tmp_path / "a")
    kill_lts(config, tmp_path / "b", 1)
    with pytest.raises(UserError, match="pass --resume"):
        run_lts(config, tmp_path / "b")
    resumed = run_lts(config, tmp_path / "b", resume=True)
    assert resumed == uninterrupted
    strip = lambda path: [{k: v for k, v in json.loads(l).items() if k != "seconds"} for l in path.read_text().splitlines()]
    assert strip(tmp_path / "b" / "history.jsonl") == strip(tmp_path / "a" / "history.jsonl")


def test_result_or_run_finishes_a_killed_run_and_then_only_reads(tmp_path, kill_lts, bars_config_dict):
    """A benchmark table's runs: a killed one is resumed to the uninterrupted result, a finished one is read, not rerun."""
    config = parse_config(bars_config_dict)
    uninterrupted = run_lts(config, tmp_path / "a")
    kill_lts(config, tmp_path / "b", 1)
    assert LTSRun(config, tmp_path / "b").result_or_run() == uninterrupted
    written = (tmp_path / "b" / "result.json").stat().st_mtime_ns
    assert LTSRun(config, tmp_path / "b").result_or_run() == json.loads(json.dumps(uninterrupted))
    assert (tmp_path / "b" / "result.json").stat().st_mtime_ns == written  # read, not written again


def test_resume_may_raise_the_budget(tmp_path, bars_config_dict):
    """A finished 2-iteration run resumed with 3 iterations ends as a 3-iteration run would."""
    three = parse_config(bars_config_dict)
    two = parse_config({**bars_config_dict, "searcher": {**bars_config_dict["searcher"], "iterations": 2}})
    run_lts(two, tmp_path / "grown")
    with pytest.raises(UserError, match="only searcher.iterations may be raised"):
        run_lts(parse_config({**bars_config_dict, "searcher": {**bars_config_dict["searcher"], "iterations": 1}}), tmp_path / "grown", resume=True)
    assert run_lts(three, tmp_path / "grown", resume=True) == run_lts(three, tmp_path / "whole")


def test_resume_refuses_a_changed_config(tmp_path, bars_config_dict):
    config = parse_config(bars_config_dict)
    with pytest.raises(KeyboardInterrupt):
        run_lts(config, tmp_path / "r", on_iteration=lambda i, r: (_ for _ in ()).throw(KeyboardInterrupt))
    changed = parse_config({**bars_config_dict, "seed": 4})
    with pytest.raises(UserError, match="settings differ"):
        run_lts(changed, tmp_path / "r", resume=True)


def test_process_pool_gives_the_same_result_as_in_process(tmp_path, bars_config_dict):
    config = parse_config({**bars_config_dict, "searcher": {"name": "random-search", "candidates": 2, "iterations": 2}})
    serial = run_lts(config, tmp_path / "serial")
    with LocalExecutor(workers=2) as pool:
        pooled = run_lts(config, tmp_path / "pooled", executor=pool)
    assert pooled == serial


def test_warm_start_and_oracle_run(tmp_path, bars_config_dict):
    oracle = {**bars_config_dict, "searcher": {"name": "fixed", "candidates": 2, "iterations": 2, "params": {"mix": [0.8, 0.2], "noise": 0.2}}}
    oracle["task"] = {**oracle["task"], "warm_start": True}
    result = run_lts(parse_config(oracle), tmp_path / "oracle")
    assert result["learned_params"]["mix"] == {"horizontal": 0.8, "vertical": 0.2}
    assert result["tv_to_validation"]["end"]["mix"] == pytest.approx(0.0)


@pytest.mark.parametrize("patch,message", [
    ({"searcher": {"name": "annealing"}}, "setting 'searcher.name': Input should be"),
    ({"searcher": {"candidates": 0}}, "setting 'searcher.candidates': Input should be greater than or equal to 1"),
    ({"learn": ["mix", "speed"]}, "unknown parameter 'speed'"),
    ({"fixed": {"noise": 9.0}, "learn": ["mix"]}, "parameter 'noise': 9.0 is not allowed"),
    ({"simulator": "nope"}, "unknown simulator 'nope'"),
    ({"colour": "red"}, "setting 'colour': unknown setting"),
])
def test_bad_configs_give_one_line_errors(tmp_path, bars_config_dict, patch, message):
    with pytest.raises(UserError) as err:
        run_lts(parse_config({**bars_config_dict, **patch}), tmp_path / "bad")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "bad").exists()


def test_fresh_test_metrics_are_deterministic_and_need_test_data(tmp_path, bars_config_dict):
    config = parse_config(bars_config_dict)
    result = run_lts(config, tmp_path / "run")
    run = LTSRun(config, tmp_path / "run")
    fresh = run.fresh_test_metrics(result["learned_params"], 3)
    assert len(fresh) == 3 and all(abs(m * 32 - round(m * 32)) < 1e-4 for m in fresh)  # k of the 32 test images
    assert run.fresh_test_metrics(result["learned_params"], 3, LocalExecutor(2)) == fresh  # same streams on any executor
    validation = tmp_path / "validation.npz"
    validation.write_bytes(encode_npz(get_simulator("test-bars").generate({"mix": [0.8, 0.2], "noise": 0.2}, 16, seed=1)))
    no_test = parse_config({**bars_config_dict, "validation": {"dataset": str(validation)}, "test": None})
    with pytest.raises(UserError, match="need test data"):
        LTSRun(no_test, tmp_path / "other").fresh_test_metrics(result["learned_params"], 1)
