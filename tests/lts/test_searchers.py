"""Searchers on synthetic rewards with known optima (no training involved)."""

import numpy as np
import pytest

from synthlearn.lts.config import SearcherConfig
from synthlearn.lts.registry import make_searcher
from synthlearn.params import Choice, ParamSpace, Simplex, Uniform

TARGET = np.array([0.6, 0.3, 0.1, 0.0])


def space():
    return ParamSpace([
        Simplex("weather", ["a", "b", "c", "d"]),
        Choice("road", ["X", "T", "L"]),
        Uniform("length", 0.0, 100.0, default=20.0),
    ])


def reward(values, rng):
    tv = 0.5 * np.abs(space()["weather"].as_array(values["weather"]) - TARGET).sum()
    return -tv + (values["road"] == "T") * 0.3 - abs(values["length"] - 70.0) / 100.0 + 0.02 * rng.standard_normal()


def run(name, iterations=150, k=4, **settings):
    searcher = make_searcher(space(), SearcherConfig(name=name, candidates=k, iterations=iterations, **settings), seed=0)
    noise = np.random.default_rng(1)
    for it in range(iterations):
        cands = searcher.suggest(it, k)
        searcher.observe(cands, [reward(c.values, noise) for c in cands])
    return searcher


def test_reinforce_recovers_a_known_target_distribution():
    searcher = run("reinforce", lr=0.05)
    summary = searcher.summary()
    probs = np.array([summary["weather"]["probs"][c] for c in "abcd"])
    assert 0.5 * np.abs(probs - TARGET).sum() < 0.12, probs  # starts at TV 0.4 (uniform)
    assert summary["road"]["probs"]["T"] > 0.9
    assert summary["length"]["mean"] == pytest.approx(70.0, abs=8.0)


def test_reinforce_improves_over_its_start():
    searcher = run("reinforce", iterations=1, lr=0.05)
    start = reward(searcher.policy.mode(), np.random.default_rng(0))
    trained = run("reinforce", lr=0.05)
    assert reward(trained.recommendation(), np.random.default_rng(0)) > start + 0.4


@pytest.mark.parametrize("name", ["random-params", "random-search", "optuna-tpe", "optuna-cmaes"])
def test_baselines_find_good_parameters(name):
    searcher = run(name, iterations=40)
    assert searcher.best["reward"] > -0.35, searcher.best


def test_random_search_beats_random_params_at_equal_budget():
    assert run("random-search", iterations=40).best["reward"] > run("random-params", iterations=40).best["reward"]


@pytest.mark.parametrize("name", ["reinforce", "random-params", "random-search", "optuna-tpe", "optuna-cmaes"])
def test_state_roundtrip_gives_identical_future(name):
    """Stopping after 5 iterations and restoring the state continues exactly as an uninterrupted run."""
    settings = SearcherConfig(name=name, candidates=3, iterations=10)
    noise = np.random.default_rng(7)
    full = make_searcher(space(), settings, seed=2)
    rewards_by_it = {}
    for it in range(10):
        cands = full.suggest(it, 3)
        rewards_by_it[it] = [reward(c.values, noise) for c in cands]
        full.observe(cands, rewards_by_it[it])
        if it == 4:
            saved = full.state_dict()
    resumed = make_searcher(space(), settings, seed=2)
    resumed.load_state_dict(saved)
    for it in range(5, 10):
        cands = resumed.suggest(it, 3)
        resumed.observe(cands, rewards_by_it[it])
    assert resumed.best == full.best
    assert resumed.recommendation() == full.recommendation()
    assert resumed.summary() == full.summary()


def test_fixed_searcher_validates_its_parameters():
    from synthlearn.params import ParamError

    with pytest.raises(ParamError, match="unknown parameter 'snow'"):
        make_searcher(space(), SearcherConfig(name="fixed", params={"snow": 1}), seed=0)
    fixed = make_searcher(space(), SearcherConfig(name="fixed", params={"road": "L"}), seed=0)
    assert all(c.values["road"] == "L" for c in fixed.suggest(0, 3))


def test_candidates_carry_what_the_searcher_learns_from():
    """A reinforce candidate holds its sampled action; observing it in another order changes the update."""
    settings = SearcherConfig(name="reinforce", candidates=3, iterations=2)
    a, b = make_searcher(space(), settings, seed=3), make_searcher(space(), settings, seed=3)
    cands = a.suggest(0, 3)
    assert [c.trial_id for c in cands] == ["0-0", "0-1", "0-2"]
    assert all("action" in c.info for c in cands)
    assert [c.values for c in b.suggest(0, 3)] == [c.values for c in cands]
    a.observe(cands, [1.0, 0.0, -1.0])
    b.observe(cands[::-1], [1.0, 0.0, -1.0])
    assert a.summary() != b.summary()
    assert a.best == {"trial_id": "0-0", "values": cands[0].values, "reward": 1.0}


def test_observe_reports_the_candidate_that_became_the_best():
    searcher = make_searcher(space(), SearcherConfig(name="random-params", candidates=3), seed=0)
    first = searcher.suggest(0, 3)
    assert searcher.observe(first, [0.1, 0.5, 0.5]) == 1  # the first of equal rewards
    second = searcher.suggest(1, 3)
    assert searcher.observe(second, [0.2, 0.4, 0.5]) is None  # ties do not replace the incumbent
    assert searcher.observe(searcher.suggest(2, 3), [0.0, 0.0, 0.9]) == 2
    assert searcher.best["trial_id"] == "2-2"
