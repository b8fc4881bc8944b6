"""HalfCheetah-Vel / -Fwd-Back: rewards from MuJoCo's forward velocity, determinism, task splits.

The MuJoCo tests need the ``rl`` extra (gymnasium + mujoco) and are skipped without it; the
test of the missing-extra error runs either way.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from synthlearn.errors import UserError
from synthlearn.seeding import generator
from synthlearn.sim.rl import make_family
from synthlearn.sim.rl.halfcheetah import CTRL_COST, HalfCheetahFwdBack, HalfCheetahVel, gym_half_cheetah

_SKIP = "HalfCheetah tests need the rl extra: pip install 'synthlearn[rl]' (gymnasium[mujoco])"


@pytest.fixture
def rl_extra() -> None:
    """Skips the test when gymnasium or MuJoCo is missing."""
    pytest.importorskip("mujoco", reason=_SKIP)
    pytest.importorskip("gymnasium", reason=_SKIP)


def _actions(n: int, seed: int = 3) -> np.ndarray:
    """``n`` random actions ``(n, 6)`` float32, a few outside ±1 (they must be clipped)."""
    return generator(seed).uniform(-1.3, 1.3, size=(n, 6)).astype(np.float32)


def _rollout(env, seed: int, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Observations ``(T + 1, 17)`` and rewards ``(T,)`` of one episode from ``generator(seed)``."""
    obs, rewards = [env.reset(generator(seed))], []
    for a in actions:
        o, r, terminated = env.step(a)
        assert not terminated
        obs.append(o)
        rewards.append(r)
    return np.array(obs), np.array(rewards)


def test_missing_extra_is_a_user_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # makes `import gymnasium` fail
    with pytest.raises(UserError, match=r"pip install 'synthlearn\[rl\]'"):
        HalfCheetahVel()


def test_registry_builds_both_families(rl_extra):
    assert isinstance(make_family("halfcheetah-vel"), HalfCheetahVel)
    assert isinstance(make_family("halfcheetah-fwd-back"), HalfCheetahFwdBack)


def test_velocity_reward_follows_mujoco_forward_velocity(rl_extra):
    """Same seed and actions as a plain HalfCheetah-v5: same observations, reward −|v − target| − 0.05‖a‖²."""
    family, target, seed = HalfCheetahVel(), 1.7, 11
    env = family.make_env({"velocity": target})
    reference = gym_half_cheetah()  # gymnasium's own HalfCheetah-v5, its reward unused
    assert (env.obs_dim, env.act_dim) == (reference.observation_space.shape[0], reference.action_space.shape[0])
    assert (family.obs_dim, family.act_dim, family.horizon) == (env.obs_dim, env.act_dim, 200)

    actions = _actions(25)
    obs, rewards = _rollout(env, seed, actions)
    ref_obs = [reference.reset(seed=int(generator(seed).integers(2**63 - 1)))[0]]
    for t, a in enumerate(np.clip(actions, -1, 1).astype(np.float64)):
        x_before = reference.data.qpos[0]
        o, _, _, _, info = reference.step(a)
        velocity = (reference.data.qpos[0] - x_before) / reference.dt  # the torso's forward velocity
        assert velocity == pytest.approx(info["x_velocity"])
        assert rewards[t] == pytest.approx(-abs(velocity - target) - 0.05 * float(np.sum(a * a)), abs=1e-9)
        ref_obs.append(o)
    np.testing.assert_array_equal(obs, np.array(ref_obs, dtype=np.float32))
    assert obs.dtype == np.float32 and obs.shape == (26, 17)
    assert CTRL_COST == 0.05


def test_directions_have_opposite_forward_rewards(rl_extra):
    """Forward and backward tasks on the same trajectory: r_f − r_b = 2v and r_f + r_b = −2·0.05‖a‖²."""
    family = HalfCheetahFwdBack()
    actions = _actions(20, seed=5)
    obs_f, r_f = _rollout(family.make_env({"direction": "forward"}), 2, actions)
    obs_b, r_b = _rollout(family.make_env({"direction": "backward"}), 2, actions)
    np.testing.assert_array_equal(obs_f, obs_b)  # the direction is not observed and does not change dynamics
    ctrl = CTRL_COST * np.sum(np.clip(actions, -1, 1).astype(np.float64) ** 2, axis=1)
    np.testing.assert_allclose(r_f + r_b, -2 * ctrl, atol=1e-9)
    velocity = (r_f - r_b) / 2
    assert np.abs(velocity).max() > 0.05  # the cheetah moved: the check above is not vacuous

    vel_env = HalfCheetahVel().make_env({"velocity": 0.0})  # −|v| − ctrl on the same trajectory
    _, r_v = _rollout(vel_env, 2, actions)
    np.testing.assert_allclose(r_v, -np.abs(velocity) - ctrl, atol=1e-9)


def test_same_seed_same_episode_and_env_reuse(rl_extra):
    env = HalfCheetahVel().make_env({"velocity": 2.0})
    actions = _actions(env.horizon)
    first = _rollout(env, 7, actions)
    again = _rollout(env, 7, actions)  # the same env object, reset again
    fresh = _rollout(HalfCheetahVel().make_env({"velocity": 2.0}), 7, actions)
    other = _rollout(env, 8, actions)
    for a, b in ((first, again), (first, fresh)):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(first[0][0], other[0][0])


def test_episode_ends_at_horizon(rl_extra):
    env = HalfCheetahVel().make_env({"velocity": 1.0})
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(np.zeros(6, np.float32))
    _rollout(env, 0, np.zeros((200, 6), np.float32))
    with pytest.raises(RuntimeError, match="200 steps"):
        env.step(np.zeros(6, np.float32))
    env.reset(generator(0))
    env.step(np.zeros(6, np.float32))


def test_velocity_splits(rl_extra):
    family = HalfCheetahVel()
    train = family.sample_tasks("train", 100, generator(0, 1))
    test = family.sample_tasks("test", 30, generator(0, 2))
    out = family.sample_tasks("test-out", 30, generator(0, 3))
    v_train, v_test, v_out = (np.array([t["velocity"] for t in ts]) for ts in (train, test, out))
    assert v_train.shape == (100,) and v_test.shape == (30,) and v_out.shape == (30,)
    assert v_train.min() >= 0 and v_train.max() <= 3 and v_test.min() >= 0 and v_test.max() <= 3
    assert v_train.max() - v_train.min() > 2.5  # spread over the range, not a constant
    assert v_out.min() > 3 and v_out.max() <= 4
    assert not set(v_train) & set(v_test)
    assert family.sample_tasks("train", 100, generator(0, 1)) == train  # fixed seeded draws
    assert family.sample_tasks("train", 100, generator(1, 1)) != train
    space = family.task_space()
    assert space.names == ["velocity"] and [space.validate(t) for t in train] == train
    with pytest.raises(UserError):
        space.validate(out[0])


def test_direction_splits(rl_extra):
    family = HalfCheetahFwdBack()
    assert family.sample_tasks("train", 2, generator(0, 1)) in (
        [{"direction": "forward"}, {"direction": "backward"}],
        [{"direction": "backward"}, {"direction": "forward"}],
    )
    tasks = family.sample_tasks("test", 30, generator(0, 2))
    assert sorted(t["direction"] for t in tasks) == ["backward"] * 15 + ["forward"] * 15
    assert family.make_env({"direction": "forward"}).direction == 1.0
    assert family.make_env({"direction": "backward"}).direction == -1.0
    assert family.task_space().names == ["direction"]
    with pytest.raises(UserError, match="no test-out"):
        family.sample_tasks("test-out", 2, generator(0))


def test_unknown_split_is_a_user_error(rl_extra):
    for family in (HalfCheetahVel(), HalfCheetahFwdBack()):
        with pytest.raises(UserError, match="unknown task split"):
            family.sample_tasks("valid", 3, generator(0))


@pytest.mark.parametrize(("family", "task"), [
    (HalfCheetahFwdBack, {"direction": "left"}),
    (HalfCheetahFwdBack, {"angle": 1.0}),
    (HalfCheetahVel, {"velocity": float("nan")}),
    (HalfCheetahVel, {"goal": 1.0}),
])
def test_bad_task_is_a_user_error(rl_extra, family, task):
    with pytest.raises(UserError):
        family().make_env(task)
