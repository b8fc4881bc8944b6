"""End-to-end LTS runs on the tiny bars simulator."""

import json

import pytest

from synthlearn.config import parse_config
from synthlearn.data.shards import encode_npz
from synthlearn.errors import UserError
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.loop import LTSRun, run_lts
from synthlearn.sim import get_simulator


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
    assert 0.0 <= result["test"]["metric"] <= 1.0
    assert json.loads((run / "result.json").read_text()) == json.loads(json.dumps(result))


def test_kill_and_resume_gives_the_same_result(tmp_path, bars_config_dict):
    config = parse_config({**bars_config_dict, "searcher": {"name": "reinforce", "candidates": 2, "iterations": 4}})
    uninterrupted = run_lts(config, tmp_path / "a")

    def crash(iteration, record):
        if iteration == 1:
            raise KeyboardInterrupt  # killed right after the checkpoint of iteration 1

    with pytest.raises(KeyboardInterrupt):
        run_lts(config, tmp_path / "b", on_iteration=crash)
    with pytest.raises(UserError, match="pass --resume"):
        run_lts(config, tmp_path / "b")
    resumed = run_lts(config, tmp_path / "b", resume=True)
    assert resumed == uninterrupted
    strip = lambda path: [{k: v for k, v in json.loads(l).items() if k != "seconds"} for l in path.read_text().splitlines()]
    assert strip(tmp_path / "b" / "history.jsonl") == strip(tmp_path / "a" / "history.jsonl")


def test_resume_refuses_a_changed_config(tmp_path, bars_config_dict):
    config = parse_config(bars_config_dict)
    with pytest.raises(KeyboardInterrupt):
        run_lts(config, tmp_path / "r", on_iteration=lambda i, r: (_ for _ in ()).throw(KeyboardInterrupt))
    changed = parse_config({**bars_config_dict, "seed": 4})
    with pytest.raises(UserError, match="config differs"):
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
    ({"searcher": {"name": "annealing"}}, "config searcher.name: Input should be"),
    ({"searcher": {"candidates": 0}}, "config searcher.candidates: Input should be greater than or equal to 1"),
    ({"learn": ["mix", "speed"]}, "unknown parameter 'speed'"),
    ({"fixed": {"noise": 9.0}, "learn": ["mix"]}, "parameter 'noise': 9.0 is not allowed"),
    ({"simulator": "nope"}, "unknown simulator 'nope'"),
    ({"colour": "red"}, "config colour: Extra inputs are not permitted"),
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
    assert len(fresh) == 3 and all(0.0 <= m <= 1.0 for m in fresh)
    assert run.fresh_test_metrics(result["learned_params"], 3, LocalExecutor(2)) == fresh  # same streams on any executor
    validation = tmp_path / "validation.npz"
    validation.write_bytes(encode_npz(get_simulator("test-bars").generate({"mix": [0.8, 0.2], "noise": 0.2}, 16, seed=1)))
    no_test = parse_config({**bars_config_dict, "validation": {"dataset": str(validation)}, "test": None})
    with pytest.raises(UserError, match="need test data"):
        LTSRun(no_test, tmp_path / "other").fresh_test_metrics(result["learned_params"], 1)
