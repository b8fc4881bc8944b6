"""The Ray backend on one local Ray instance (2 CPUs) shared by these tests."""

import json
import sys

import pytest

from synthlearn.config import parse_config as parse
from synthlearn.data.shards import write_dataset
from synthlearn.errors import UserError
from synthlearn.execute import make_executor
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import run_lts

pytest.importorskip("ray")


def parse_config(raw):
    return parse(raw, LTSConfig)


def test_lts_on_ray_equals_local(tmp_path, ray_cluster, bars_config_dict):
    config = parse_config(bars_config_dict)
    local = run_lts(config, tmp_path / "local")
    with make_executor("ray", workers=2) as pool:
        remote = run_lts(config, tmp_path / "ray", executor=pool)
    assert remote == local


def test_a_worker_killed_mid_evaluation_is_retried_to_the_same_result(tmp_path, ray_cluster, bars_config_dict):
    local = run_lts(parse_config(bars_config_dict), tmp_path / "local")
    assert not ray_cluster.exists()
    with make_executor("ray", workers=2) as pool:
        remote = run_lts(parse_config({**bars_config_dict, "simulator": "test-bars-dying"}), tmp_path / "ray", executor=pool)
    assert ray_cluster.exists(), "the dying simulator never ran on a Ray worker"
    assert remote == local


def test_generation_on_ray_writes_the_same_bytes(tmp_path, ray_cluster):
    write_dataset("test-bars", {}, n=30, seed=5, out=tmp_path / "local", shard_size=8)
    with make_executor("ray", workers=2) as pool:
        write_dataset("test-bars", {}, n=30, seed=5, out=tmp_path / "ray", shard_size=8, map_fn=pool.map)
    for path in (tmp_path / "local").iterdir():
        assert path.read_bytes() == (tmp_path / "ray" / path.name).read_bytes(), path.name


def test_tune_searcher_drives_the_policy(tmp_path, ray_cluster):
    from ray import tune

    from synthlearn.lts.tune import LTSSearcher
    from synthlearn.params import ParamSpace, Simplex

    space = ParamSpace([Simplex("weather", ["sun", "rain"])])

    def trainable(config):
        return {"reward": config["weather"]["sun"]}

    searcher = LTSSearcher(space, metric="reward", mode="max", candidates=4, seed=0, lr=0.3)
    tuner = tune.Tuner(
        trainable,
        tune_config=tune.TuneConfig(search_alg=searcher, num_samples=8, max_concurrent_trials=2),
        run_config=tune.RunConfig(storage_path=str(tmp_path / "tune"), verbose=0),
    )
    results = tuner.fit()
    assert len(results) == 8 and not results.errors
    steps = [int(state["step"]) for state in searcher.inner.optimiser.state_dict()["state"].values()]
    assert steps and set(steps) == {2}, steps  # two policy updates happened: 8 trials, 4 per update
    assert searcher.policy_summary()["weather"]["probs"]["sun"] > 0.5


def test_tune_searcher_save_and_restore_continue_identically(tmp_path, ray_cluster):
    from synthlearn.lts.tune import LTSSearcher
    from synthlearn.params import ParamSpace, Simplex, Uniform

    space = ParamSpace([Simplex("weather", ["sun", "rain"]), Uniform("length", 0, 10)])

    def drive(searcher, start, stop):
        suggestions = []
        for t in range(start, stop):
            config = searcher.suggest(f"t{t}")
            suggestions.append(json.dumps(config, sort_keys=True))
            searcher.on_trial_complete(f"t{t}", {"reward": config["weather"]["sun"] - config["length"] / 10})
        return suggestions

    a = LTSSearcher(space, candidates=3, seed=1)
    drive(a, 0, 5)
    a.save(str(tmp_path / "searcher.pt"))
    rest_a = drive(a, 5, 12)
    b = LTSSearcher(space, candidates=3, seed=1)
    b.restore(str(tmp_path / "searcher.pt"))
    assert drive(b, 5, 12) == rest_a


def test_missing_ray_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(UserError, match=r"pip install 'synthlearn\[ray\]'"):
        make_executor("ray", workers=1)
