"""Successive halving inside an LTS iteration: who continues, what it costs, and resume."""

import importlib
import json

import pytest

from synthlearn.config import parse_config
from synthlearn.errors import UserError
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.evaluate import CandidateJob, CandidateResult
from synthlearn.lts.halving import halving_plan, successive_halving
from synthlearn.lts.loop import run_lts

fit_module = importlib.import_module("synthlearn.train.fit")


def test_plan_counts_the_epochs():
    plan = halving_plan(8, [1, 2], 0.5, 4)
    assert (plan.stops, plan.alive, plan.epochs_trained) == ([1, 2, 4], [8, 4, 2], 8 * 1 + 4 * 1 + 2 * 2)
    assert halving_plan(5, [1], 0.5, 3).alive == [5, 3]  # rounded up
    assert halving_plan(4, [1, 2], 1.0, 3).epochs_trained == 12  # keep everyone: no saving
    with pytest.raises(ValueError):
        halving_plan(4, [2, 2], 0.5, 3)


def test_keeps_the_top_half_by_reward_at_every_rung():
    # reward of candidate i after e epochs; the ranking changes between rungs, and 1 and 6 tie for the last place at rung 1.
    table = {0: [0.1, 0.9, 0.95], 1: [0.5, 0.2, 0.3], 2: [0.6, 0.7, 0.8], 3: [0.6, 0.1, 0.1],
             4: [0.9, 0.3, 0.99], 5: [0.0, 0.0, 0.0], 6: [0.5, 0.3, 0.3], 7: [0.2, 0.2, 0.2]}
    epoch_index = {1: 0, 2: 1, 4: 2}
    calls = []

    def run(batch):
        calls.append([(job.train_seed, job.stop_epoch, job.resume) for job in batch])
        return [CandidateResult(table[j.train_seed][epoch_index[j.stop_epoch]], None, 0.0, 1.0, 2, {}, j.stop_epoch,
                                partial=f"state-{j.train_seed}-{j.stop_epoch}" if j.stop_epoch < 4 else None) for j in batch]

    jobs = [CandidateJob(data=None, train_seed=i, task=None, validation=None) for i in range(8)]
    outcome = successive_halving(jobs, [1, 2], 0.5, 4, run)
    assert [[c[0] for c in batch] for batch in calls] == [list(range(8)), [1, 2, 3, 4], [2, 4]]  # 1 beats 6 on the tie
    assert [c[2] for c in calls[2]] == ["state-2-2", "state-4-2"]  # survivors continue where they stopped
    assert outcome.epochs == [1, 2, 4, 2, 4, 1, 1, 1]
    assert sum(outcome.epochs) == halving_plan(8, [1, 2], 0.5, 4).epochs_trained == 16
    # the searcher sees each candidate's reward at its last rung
    assert [r.reward for r in outcome.results] == [0.1, 0.2, 0.8, 0.1, 0.99, 0.0, 0.5, 0.2]
    assert outcome.rewards_at_stops[4] == [0.9, 0.3, 0.99] and outcome.rewards_at_stops[0] == [0.1]
    assert [r.seconds_train for r in outcome.results] == [1.0, 2.0, 3.0, 2.0, 3.0, 1.0, 1.0, 1.0]
    assert all(r.partial is None for r in outcome.results)


@pytest.fixture
def halving_config(bars_config_dict):
    raw = {**bars_config_dict, "task": {**bars_config_dict["task"], "epochs": 3},
           "searcher": {"name": "reinforce", "candidates": 4, "iterations": 2, "halving": {"rungs": [1, 2], "keep": 0.5}}}
    return raw


def count_epochs(monkeypatch):
    trained = []
    train = fit_module._train

    def counting(model, inputs, targets, task, settings, seed, stop_epoch, resume, *args, **kwargs):
        trained.append(stop_epoch - (resume.epoch if resume is not None else 0))
        return train(model, inputs, targets, task, settings, seed, stop_epoch, resume, *args, **kwargs)

    monkeypatch.setattr(fit_module, "_train", counting)
    return trained


def test_run_spends_the_stated_budget_and_survivors_match_full_training(tmp_path, monkeypatch, halving_config):
    trained = count_epochs(monkeypatch)
    result = run_lts(parse_config(halving_config, LTSConfig), tmp_path / "halving")
    assert sum(trained) == 2 * (4 * 1 + 2 * 1 + 1 * 1) == result["budget"]["epochs_trained"]
    assert result["budget"]["full_models"] == 2
    history = [json.loads(line) for line in (tmp_path / "halving" / "history.jsonl").read_text().splitlines()]
    assert sum(sum(h["halving"]["epochs"]) for h in history) == sum(trained)
    full = {**halving_config, "searcher": {**halving_config["searcher"], "halving": None}}
    run_lts(parse_config(full, LTSConfig), tmp_path / "full")
    first_full = json.loads((tmp_path / "full" / "history.jsonl").read_text().splitlines()[0])
    epochs, rewards = history[0]["halving"]["epochs"], history[0]["rewards"]
    assert history[0]["candidates"] == first_full["candidates"]
    survivors = [i for i, e in enumerate(epochs) if e == 3]
    assert len(survivors) == 1 and rewards[survivors[0]] == first_full["rewards"][survivors[0]]  # continued fits are exact


def test_resume_reaches_the_same_result(tmp_path, kill_lts, halving_config):
    config = parse_config(halving_config, LTSConfig)
    uninterrupted = run_lts(config, tmp_path / "a")
    kill_lts(config, tmp_path / "b", 0)
    assert run_lts(config, tmp_path / "b", resume=True) == uninterrupted


def test_rungs_must_stay_below_the_epochs(halving_config):
    bad = {**halving_config, "searcher": {**halving_config["searcher"], "halving": {"rungs": [1, 3]}}}
    with pytest.raises(UserError, match="below task.epochs"):
        parse_config(bad, LTSConfig)
