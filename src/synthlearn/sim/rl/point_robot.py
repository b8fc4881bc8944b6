"""A 2-D point robot that must reach a goal it cannot see (the fast meta-RL benchmark, no physics engine).

The robot starts at the origin; each step it moves by the action, clipped to ``±0.1`` per
coordinate, and receives ``−‖position − goal‖`` (after the move). The observation is the
position only: the goal must be inferred from rewards (by a context). Episodes last
``horizon`` = 20 steps (no early termination).

Tasks are goals on the circle of radius 1, ``goal = (cos angle, sin angle)``:

* ``"train"`` and ``"test"``: angles drawn uniformly from ``[0, π]`` (the upper half circle;
  test goals are other draws from the same range, from the caller's separate stream);
* ``"test-out"``: angles drawn uniformly from ``(π, 2π)``, the lower half circle, which no
  training goal lies on.

Example::

    family = PointRobot()
    env = family.make_env({"angle": 0.5 * np.pi})               # goal (0, 1)
    obs = env.reset(rng)                                         # (2,) zeros
    obs, reward, _ = env.step(np.array([0.0, 0.1], np.float32))  # reward −0.9
"""

from __future__ import annotations

import math

import numpy as np

from synthlearn.params import ParamSpace, Uniform
from synthlearn.sim.rl.base import TaskEnv, TaskFamily, check_split

ACT_LIMIT = 0.1
HORIZON = 20
_RANGES = {"train": (0.0, math.pi), "test": (0.0, math.pi), "test-out": (math.pi, 2 * math.pi)}


class PointRobotEnv(TaskEnv):
    """One goal: observation = position ``(2,)`` float32, action ``(2,)`` clipped to ``±0.1``."""

    obs_dim, act_dim, act_limit, horizon = 2, 2, ACT_LIMIT, HORIZON

    def __init__(self, goal: np.ndarray) -> None:
        self.goal = np.asarray(goal, dtype=np.float32).reshape(2)
        self.position = np.zeros(2, dtype=np.float32)

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """The robot starts at the origin (``rng`` is unused: the start is fixed)."""
        self.position = np.zeros(2, dtype=np.float32)
        return self.position.copy()

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool]:
        move = np.clip(np.asarray(action, dtype=np.float32).reshape(2), -ACT_LIMIT, ACT_LIMIT)
        self.position = (self.position + move).astype(np.float32)
        reward = -float(np.linalg.norm(self.position - self.goal))
        return self.position.copy(), reward, False


class PointRobot(TaskFamily):
    """Goals on the unit circle: train/test on the upper half, test-out on the lower half (see the module docstring)."""

    name = "point-robot"
    obs_dim, act_dim, act_limit, horizon = 2, 2, ACT_LIMIT, HORIZON

    def task_space(self) -> ParamSpace:
        low, high = _RANGES["train"]
        return ParamSpace([Uniform("angle", low, high, doc="goal angle on the unit circle (radians); goal = (cos, sin)")])

    def sample_tasks(self, split: str, n: int, rng: np.random.Generator) -> list[dict]:
        low, high = _RANGES[check_split(split)]
        angles = rng.uniform(low, high, size=n)
        if split == "test-out":
            angles = np.where(angles <= low, np.nextafter(low, high), angles)  # the open interval (π, 2π)
        return [{"angle": float(a)} for a in angles]

    def make_env(self, task: dict) -> PointRobotEnv:
        angle = float(task["angle"])
        return PointRobotEnv(np.array([math.cos(angle), math.sin(angle)]))
