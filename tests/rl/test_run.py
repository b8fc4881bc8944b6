"""Meta-training runs: a tiny run beats a random policy; resume equals an uninterrupted run; the CLI end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from synthlearn.cli.app import main
from synthlearn.config import parse_config
from synthlearn.rl.config import RLConfig
from synthlearn.rl.evaluate import load_run
from synthlearn.rl.rollout import run_episode
from synthlearn.rl.run import RLRun
from synthlearn.runs import CHECKPOINT
from synthlearn.seeding import generator

TINY = {"td3": {"hidden": 16, "batch_size": 16}, "context": {"history": 3, "hidden": 4},
        "tasks": {"train": 3, "test": 2}, "training": {"steps": 200, "start_steps": 60, "checkpoint_every": 2},
        "adaptation": {"classifier_samples": 30, "new_data_steps": 2, "buffer_steps": 3}}


def _config(**changes) -> RLConfig:
    raw = json.loads(json.dumps(TINY))
    for key, value in changes.items():
        section, _, leaf = key.rpartition("__")
        (raw.setdefault(section, {}) if section else raw)[leaf] = value
    return parse_config(raw, RLConfig)


def test_a_tiny_run_beats_a_random_policy(tmp_path):
    config = _config(method="td3", tasks__train=1, training__steps=800, training__start_steps=200,
                     td3__hidden=32, td3__batch_size=32, td3__lr=1e-3)
    RLRun(config, tmp_path / "run").run()
    _, family, agent, _ = load_run(tmp_path / "run")
    env = family.make_env(RLRun(config, tmp_path / "other").tasks[0])
    trained = run_episode(env, agent, generator(0, 1)).ret
    random = np.mean([run_episode(env, None, generator(0, 2, i)).ret for i in range(20)])
    assert trained > random + 5.0, (trained, random)


class Stop(Exception):
    pass


def test_resume_equals_an_uninterrupted_run(tmp_path):
    config = _config(method="td3-context")
    RLRun(config, tmp_path / "whole").run()

    def stop_after_five(record: dict) -> None:
        if record["episode"] == 5:  # the checkpoint holds 4 episodes: the 5th and 6th are replayed
            raise Stop

    with pytest.raises(Stop):
        RLRun(config, tmp_path / "cut").run(on_episode=stop_after_five)
    RLRun(config, tmp_path / "cut").run(resume=True)
    for name in ("history.jsonl",):
        assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "cut" / name).read_bytes()
    whole = torch.load(tmp_path / "whole" / CHECKPOINT, weights_only=True)["state"]
    cut = torch.load(tmp_path / "cut" / CHECKPOINT, weights_only=True)["state"]
    for net in ("actor", "critic", "actor_target", "critic_target"):
        for key, value in whole["agent"][net].items():
            assert torch.equal(value, cut["agent"][net][key]), (net, key)
    for key, value in whole["buffer"].items():
        assert torch.equal(value, cut["buffer"][key]), key
    assert whole["agent"]["updates"] == cut["agent"]["updates"] > 0


def test_cli_trains_and_evaluates_with_adaptation(tmp_path, capsys):
    config = tmp_path / "rl.yaml"
    config.write_text(json.dumps(TINY))  # JSON is YAML
    run = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        main(["rl", "train", str(config), "--out", str(run), "--set", "training.steps=120"])
    assert exit_info.value.code == 0
    assert {"result.json", "returns.png", "history.jsonl", "config.yaml"} <= {p.name for p in run.iterdir()}
    for split in ("test", "test-out"):
        with pytest.raises(SystemExit) as exit_info:
            main(["rl", "evaluate", str(run), "--split", split])
        assert exit_info.value.code == 0
    evaluation = json.loads((run / "evaluation.json").read_text())
    assert set(evaluation) == {"test", "test-out"} and (run / "beta_ess.png").is_file()
    assert all("ess" in row for row in evaluation["test-out"]["tasks"]) and len(evaluation["test"]["tasks"]) == 2
    assert "mean β" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "fragment"), [
    (["rl", "train", "CONFIG", "--out", "OUT", "--set", "method=sac"], "setting 'method'"),
    (["rl", "train", "CONFIG", "--out", "OUT", "--set", "tasks.family=ant"], "unknown task family 'ant'"),
    (["rl", "train", "CONFIG", "--out", "OUT", "--set", "td3.gamma=2"], "setting 'td3.gamma'"),
    (["rl", "evaluate", "OUT"], "holds no rl run"),
    (["rl", "evaluate", "OUT", "--split", "valid"], "unknown task split 'valid'"),
])
def test_bad_input_is_one_line_and_creates_nothing(tmp_path, capsys, argv, fragment):
    config = tmp_path / "rl.yaml"
    config.write_text(json.dumps(TINY))
    argv = [str(config) if a == "CONFIG" else str(tmp_path / "out") if a == "OUT" else a for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and fragment in err[0].lower(), err
    assert not (tmp_path / "out").exists()
