"""The point-robot task family: splits, rewards, clipping, the registry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synthlearn.errors import UserError
from synthlearn.sim.rl import family_names, make_family


def test_splits_lie_on_the_documented_half_circles():
    family = make_family("point-robot")
    rng = np.random.default_rng(0)
    train = [t["angle"] for t in family.sample_tasks("train", 200, rng)]
    test_out = [t["angle"] for t in family.sample_tasks("test-out", 200, rng)]
    assert all(0 <= a <= math.pi for a in train) and all(math.pi < a < 2 * math.pi for a in test_out)
    assert family.task_space()["angle"].validate(train[0]) == train[0]
    with pytest.raises(UserError, match="unknown task split 'val'"):
        family.sample_tasks("val", 1, rng)


def test_actions_are_clipped_and_the_reward_is_minus_the_distance():
    env = make_family("point-robot").make_env({"angle": math.pi / 2})  # goal (0, 1)
    obs = env.reset(np.random.default_rng(0))
    assert obs.dtype == np.float32 and obs.shape == (2,) and not obs.any()
    obs, reward, terminated = env.step(np.array([0.0, 5.0], np.float32))
    np.testing.assert_allclose(obs, [0.0, 0.1], atol=1e-7)
    assert reward == pytest.approx(-0.9, abs=1e-6) and not terminated
    assert env.horizon == 20 and env.act_limit == 0.1


def test_unknown_family_lists_the_known_ones():
    assert {"point-robot", "halfcheetah-vel", "halfcheetah-fwd-back"} <= set(family_names())
    with pytest.raises(UserError, match="choose one of: point-robot"):
        make_family("ant-goal")
