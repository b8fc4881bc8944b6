"""The task-family interface of reinforcement-learning simulators (one family = a distribution of task variations).

A :class:`TaskFamily` is a simulator whose parameters are the *task*: a goal position, a target
velocity, a direction. Its :meth:`TaskFamily.task_space` declares them as a
:class:`~synthlearn.params.ParamSpace`, like any other simulator parameter, so which variations
an agent trains on is a simulator parameter that an outer loop (LTS) could learn later.
A task is a plain ``dict`` of those parameters; :meth:`TaskFamily.make_env` turns one into a
:class:`TaskEnv`, the environment of that single variation.

Example::

    family = make_family("point-robot")
    tasks = family.sample_tasks("train", 4, generator(0, 1))   # [{"angle": 1.3}, ...]
    env = family.make_env(tasks[0])
    obs = env.reset(generator(0, 2))                          # (obs_dim,) float32
    obs, reward, terminated = env.step(np.zeros(env.act_dim, np.float32))
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from synthlearn.errors import UserError
from synthlearn.params import ParamSpace

SPLITS = ("train", "test", "test-out")
"""Task splits: training variations, held-out ones from the training range, and ones outside it."""


class TaskEnv(ABC):
    """One task variation: observations float32 ``(obs_dim,)``, actions float32 ``(act_dim,)`` in ``[-act_limit, act_limit]``.

    An episode ends after ``horizon`` steps (time limit) or when :meth:`step` reports ``terminated``.
    """

    obs_dim: int
    act_dim: int
    act_limit: float
    horizon: int

    @abstractmethod
    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """Start an episode; returns the first observation ``(obs_dim,)`` float32."""

    @abstractmethod
    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool]:
        """Apply ``action`` ``(act_dim,)``; returns ``(next_obs (obs_dim,) float32, reward, terminated)``."""


class TaskFamily(ABC):
    """A distribution of task variations sharing observation and action spaces."""

    name: str
    obs_dim: int
    act_dim: int
    act_limit: float
    horizon: int

    @abstractmethod
    def task_space(self) -> ParamSpace:
        """The task parameters as a parameter space (e.g. ``Uniform("velocity", 0, 3)``)."""

    @abstractmethod
    def sample_tasks(self, split: str, n: int, rng: np.random.Generator) -> list[dict]:
        """``n`` task dicts of ``split`` (one of :data:`SPLITS`; ``"test-out"`` lies outside the training range).

        Raises :class:`UserError` on an unknown split.
        """

    @abstractmethod
    def make_env(self, task: dict) -> TaskEnv:
        """The environment of one task variation."""


def check_split(split: str) -> str:
    """``split`` if it is one of :data:`SPLITS`, else a :class:`UserError` listing them."""
    if split not in SPLITS:
        raise UserError(f"unknown task split {split!r}; choose one of: {', '.join(SPLITS)}")
    return split
