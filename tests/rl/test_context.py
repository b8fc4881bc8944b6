"""The context sees only past transitions of the same episode, identically when acting and when learning."""

from __future__ import annotations

import numpy as np
import torch

from synthlearn.rl.config import ContextSettings, TD3Settings
from synthlearn.rl.context import gather_windows
from synthlearn.rl.replay import ReplayBuffer
from synthlearn.rl.rollout import run_episode
from synthlearn.rl.td3 import TD3Agent
from synthlearn.sim.rl import make_family


def _episode(rng: np.random.Generator, t: int) -> dict[str, np.ndarray]:
    return {"obs": rng.normal(size=(t, 2)).astype(np.float32), "act": rng.normal(size=(t, 2)).astype(np.float32),
            "rew": rng.normal(size=t).astype(np.float32), "next_obs": rng.normal(size=(t, 2)).astype(np.float32),
            "done": np.zeros(t, np.float32)}


def test_windows_hold_only_earlier_transitions_of_the_episode():
    features = np.arange(1, 8 * 5 + 1, dtype=np.float32).reshape(8, 5)  # episode 1: rows 0-4, episode 2: rows 5-7
    start = np.array([0, 0, 5, 5])
    got = gather_windows(features, np.array([0, 3, 5, 7]), start, history=3)
    assert not got[0].any()                                    # first step: nothing before it
    np.testing.assert_array_equal(got[1], features[0:3])       # rows 0, 1, 2 (not 3)
    assert not got[2].any()                                    # first step of episode 2: episode 1 is invisible
    np.testing.assert_array_equal(got[3][0], np.zeros(5))      # row 4 belongs to episode 1
    np.testing.assert_array_equal(got[3][1:], features[5:7])


def test_buffer_windows_ignore_the_present_and_the_future():
    rng = np.random.default_rng(0)
    first, second = _episode(rng, 6), _episode(rng, 6)
    buffer = ReplayBuffer(2, 2)
    buffer.add_episode(0, **first)
    buffer.add_episode(1, **second)
    rows = np.arange(12)
    before = buffer.get(rows, history=4)
    changed = {k: v.copy() for k, v in second.items()}
    for key in ("obs", "act", "rew"):
        changed[key][3:] += 100.0                              # rewrite transitions 3.. of the second episode
    other = ReplayBuffer(2, 2)
    other.add_episode(0, **first)
    other.add_episode(1, **changed)
    after = other.get(rows, history=4)
    np.testing.assert_array_equal(before["hist"][:10], after["hist"][:10])  # up to row 9 = time 3 of episode 2
    assert not np.array_equal(before["hist"][10], after["hist"][10])
    np.testing.assert_array_equal(before["next_hist"][:9], after["next_hist"][:9])
    assert not before["hist"][6].any()                         # episode start: empty context


def test_acting_and_learning_see_the_same_context():
    family = make_family("point-robot")
    torch.manual_seed(0)
    agent = TD3Agent(2, 2, family.act_limit, TD3Settings(hidden=8), ContextSettings(history=4, hidden=6))
    env = family.make_env({"angle": 1.0})
    played = run_episode(env, agent, np.random.default_rng(0), noise=0.0)
    buffer = ReplayBuffer(2, 2)
    buffer.add_episode(0, **played.arrays())
    batch = buffer.get(np.arange(len(buffer)), history=4)
    with torch.no_grad():
        replayed = agent.actor(torch.from_numpy(batch["obs"]), torch.from_numpy(batch["hist"])).numpy()
    np.testing.assert_allclose(replayed, played.act, atol=1e-6)
