"""HalfCheetah-Vel and HalfCheetah-Fwd-Back: Meta-Q-Learning's MuJoCo task families.

Both run gymnasium's ``HalfCheetah-v5`` (MuJoCo, frame skip 5, dt = 0.05 s) with its standard
17-number observation (joint positions without the torso's x, joint velocities); the task
parameter is never observed. The environment's own reward is replaced by the task's, computed
from the torso's forward velocity ``v = Δx / dt`` (gymnasium's ``info["x_velocity"]``) and the
action ``a`` (6 torques, clipped to [−1, 1]):

* ``halfcheetah-vel``: ``r = −|v − v_target| − 0.05‖a‖²``; task ``{"velocity": v_target}``,
  v_target ~ Uniform[0, 3] for the ``train`` and ``test`` splits (the paper's setup: 100
  training and 30 test velocities, drawn from Generators the caller fixes by seed) and
  Uniform[3, 4] for ``test-out`` (velocities beyond the training range).
* ``halfcheetah-fwd-back``: ``r = d·v − 0.05‖a‖²`` with ``d = +1`` (task ``{"direction":
  "forward"}``) or ``d = −1`` (``"backward"``); both directions appear equally often.

Episodes last 200 steps (the cheetah never terminates earlier). MuJoCo comes with the
optional extra ``synthlearn[rl]`` and is imported only when a family is created.

Example (``generator`` from :mod:`synthlearn.seeding`)::

    >>> family = HalfCheetahVel()
    >>> tasks = family.sample_tasks("train", 100, generator(0, 1))
    >>> env = family.make_env(tasks[0])
    >>> obs = env.reset(generator(0, 2))                        # (17,) float32
    >>> obs, reward, terminated = env.step(np.zeros(6, np.float32))
"""

from __future__ import annotations

import logging
import math
from abc import abstractmethod
from typing import Any

import numpy as np

from synthlearn.errors import UserError
from synthlearn.params import Choice, ParamSpace, Uniform
from synthlearn.sim.rl.base import TaskEnv, TaskFamily, check_split

_MISSING = "HalfCheetah needs MuJoCo: pip install 'synthlearn[rl]'"
_GYM_ID = "HalfCheetah-v5"
_OBS_DIM, _ACT_DIM, _ACT_LIMIT, _HORIZON = 17, 6, 1.0, 200
CTRL_COST = 0.05
"""Weight of the control cost ``‖a‖²`` in both families' rewards."""

_log = logging.getLogger(__name__)


def _gymnasium_and_mujoco() -> tuple[Any, Any]:
    """The ``gymnasium`` and ``mujoco`` modules, or :class:`UserError` naming the extra."""
    try:
        import gymnasium
        import mujoco
    except ImportError:
        raise UserError(_MISSING) from None
    return gymnasium, mujoco


def gym_half_cheetah() -> Any:
    """A new unwrapped gymnasium ``HalfCheetah-v5`` environment.

    MuJoCo's compiler warnings about gymnasium's model file (e.g. a deprecated attribute) go
    to this module's logger at debug level instead of a ``MUJOCO_LOG.TXT`` in the working
    directory; the previous warning handler is restored afterwards.
    """
    gymnasium, mujoco = _gymnasium_and_mujoco()
    previous = mujoco.get_mju_user_warning()
    mujoco.set_mju_user_warning(lambda message: _log.debug("MuJoCo: %s", message))
    try:
        return gymnasium.make(_GYM_ID).unwrapped
    finally:
        mujoco.set_mju_user_warning(previous)


class HalfCheetahTaskEnv(TaskEnv):
    """One HalfCheetah task: gymnasium's dynamics and observation, the task's reward.

    Subclasses define the forward part of the reward from the torso's forward velocity. The
    gymnasium environment is created once and reused by every :meth:`reset`.
    """

    obs_dim, act_dim, act_limit, horizon = _OBS_DIM, _ACT_DIM, _ACT_LIMIT, _HORIZON

    def __init__(self) -> None:
        self._env = gym_half_cheetah()
        self._steps_left = 0

    @abstractmethod
    def forward_reward(self, velocity: float) -> float:
        """The reward for moving the torso forward at ``velocity`` (m/s, negative = backward)."""

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """Start an episode from gymnasium's noisy initial pose seeded by ``rng``; obs ``(17,)`` float32."""
        obs, _ = self._env.reset(seed=int(rng.integers(2**63 - 1)))
        self._steps_left = self.horizon
        return obs.astype(np.float32)

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool]:
        """Apply ``action`` ``(6,)`` (clipped to ±1) for 0.05 s; returns ``(obs (17,) float32, reward, False)``."""
        if self._steps_left == 0:
            raise RuntimeError(f"no episode running (an episode lasts {self.horizon} steps): call reset()")
        act = np.clip(np.asarray(action, dtype=np.float64), -self.act_limit, self.act_limit)
        obs, _, _, _, info = self._env.step(act)
        self._steps_left -= 1
        reward = self.forward_reward(float(info["x_velocity"])) - CTRL_COST * float(act @ act)
        return obs.astype(np.float32), reward, False


class VelocityEnv(HalfCheetahTaskEnv):
    """Run at a target velocity: forward reward ``−|v − target|``."""

    def __init__(self, target: float) -> None:
        super().__init__()
        self.target = target

    def forward_reward(self, velocity: float) -> float:
        return -abs(velocity - self.target)


class DirectionEnv(HalfCheetahTaskEnv):
    """Run forward (``direction`` +1) or backward (−1): forward reward ``direction · v``."""

    def __init__(self, direction: float) -> None:
        super().__init__()
        self.direction = direction

    def forward_reward(self, velocity: float) -> float:
        return self.direction * velocity


class _HalfCheetahFamily(TaskFamily):
    """What both families share: dimensions, horizon and the MuJoCo check at creation."""

    obs_dim, act_dim, act_limit, horizon = _OBS_DIM, _ACT_DIM, _ACT_LIMIT, _HORIZON

    def __init__(self) -> None:
        _gymnasium_and_mujoco()


def _count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise UserError(f"number of tasks must be a non-negative integer, got {n!r}")
    return int(n)


class HalfCheetahVel(_HalfCheetahFamily):
    """Target forward velocities: Uniform[0, 3] for training and test, Uniform[3, 4] beyond."""

    name = "halfcheetah-vel"

    def task_space(self) -> ParamSpace:
        return ParamSpace([Uniform("velocity", 0.0, 3.0, doc="target forward velocity of the torso, m/s")])

    def _out_space(self) -> ParamSpace:
        return ParamSpace([Uniform("velocity", 3.0, 4.0, doc="target velocity beyond the training range, m/s")])

    def sample_tasks(self, split: str, n: int, rng: np.random.Generator) -> list[dict]:
        """``n`` tasks ``{"velocity": float}`` of ``split`` ("train", "test" or "test-out")."""
        space = self._out_space() if check_split(split) == "test-out" else self.task_space()
        return [space.sample(rng) for _ in range(_count(n))]

    def make_env(self, task: dict) -> VelocityEnv:
        velocity = task.get("velocity") if isinstance(task, dict) else None
        if isinstance(velocity, bool) or not isinstance(velocity, (int, float, np.integer, np.floating)) or not math.isfinite(velocity):
            raise UserError(f"a {self.name} task needs a finite 'velocity' number, got {task!r}")
        return VelocityEnv(float(velocity))


class HalfCheetahFwdBack(_HalfCheetahFamily):
    """Run forward or backward; a split of n tasks holds each direction n/2 times (forward once more if n is odd)."""

    name = "halfcheetah-fwd-back"
    _SIGN = {"forward": 1.0, "backward": -1.0}

    def task_space(self) -> ParamSpace:
        return ParamSpace([Choice("direction", list(self._SIGN), doc="direction to run in: +1 forward, -1 backward")])

    def sample_tasks(self, split: str, n: int, rng: np.random.Generator) -> list[dict]:
        """``n`` tasks ``{"direction": "forward" | "backward"}``, each direction n/2 times, in an order shuffled by ``rng``."""
        if check_split(split) == "test-out":
            raise UserError(f"{self.name} has no test-out split: its only directions are forward and backward")
        directions = np.resize(np.array(list(self._SIGN)), _count(n))
        return [{"direction": str(d)} for d in rng.permutation(directions)]

    def make_env(self, task: dict) -> DirectionEnv:
        if not isinstance(task, dict) or "direction" not in task:
            raise UserError(f"a {self.name} task needs a 'direction' (forward or backward), got {task!r}")
        direction = self.task_space()["direction"].validate(task["direction"])
        return DirectionEnv(self._SIGN[direction])
