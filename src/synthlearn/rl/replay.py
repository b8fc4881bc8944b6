"""The replay buffer of multi-task training: every task's transitions, sampled across tasks, with context windows.

Transitions are stored whole episodes at a time, in rows that grow by doubling: ``obs (N, O)``,
``act (N, A)``, ``rew (N,)``, ``next_obs (N, O)``, ``done (N,)``, the ``task`` index of each row
and the row where its episode began (``start``). The context windows a transition needs
(``hist`` for its observation, ``next_hist`` for the next one) are gathered from the rows of the
same episode *before* it (:func:`~synthlearn.rl.context.gather_windows`), so a window never sees
the present, the future or another episode.

Example::

    buffer = ReplayBuffer(obs_dim=2, act_dim=2)
    buffer.add_episode(task=3, obs=o, act=a, rew=r, next_obs=o2, done=d)   # (T, ...) arrays
    batch = buffer.sample(128, rng, history=10)   # dict of (128, ...) arrays, hist/next_hist (128, 10, F)
"""

from __future__ import annotations

import numpy as np
import torch

from synthlearn.rl.context import gather_windows, transition_features

_FIELDS = ("obs", "act", "rew", "next_obs", "done", "task", "start")


class ReplayBuffer:
    """All transitions of all tasks (see the module docstring); unbounded."""

    def __init__(self, obs_dim: int, act_dim: int) -> None:
        self.size = 0
        self._data = {
            "obs": np.zeros((0, obs_dim), np.float32), "act": np.zeros((0, act_dim), np.float32),
            "rew": np.zeros(0, np.float32), "next_obs": np.zeros((0, obs_dim), np.float32),
            "done": np.zeros(0, np.float32), "task": np.zeros(0, np.int64), "start": np.zeros(0, np.int64),
        }
        self._features = np.zeros((0, act_dim + 1 + obs_dim), np.float32)

    def __len__(self) -> int:
        return self.size

    def _grow(self, needed: int) -> None:
        capacity = len(self._data["rew"])
        if needed <= capacity:
            return
        new = max(needed, 2 * capacity, 1024)
        for key, value in [*self._data.items(), ("features", self._features)]:
            grown = np.zeros((new, *value.shape[1:]), value.dtype)
            grown[:capacity] = value
            if key == "features":
                self._features = grown
            else:
                self._data[key] = grown

    def add_episode(self, task: int, obs: np.ndarray, act: np.ndarray, rew: np.ndarray, next_obs: np.ndarray, done: np.ndarray) -> None:
        """Append one episode of ``T`` transitions of ``task`` (arrays ``(T, ...)`` in time order)."""
        n = len(rew)
        self._grow(self.size + n)
        rows = slice(self.size, self.size + n)
        for key, value in (("obs", obs), ("act", act), ("rew", rew), ("next_obs", next_obs), ("done", done)):
            self._data[key][rows] = value
        self._data["task"][rows] = task
        self._data["start"][rows] = self.size
        self._features[rows] = transition_features(act, rew, obs)
        self.size += n

    def tasks(self) -> np.ndarray:
        """The task index of every stored transition ``(N,)``."""
        return self._data["task"][: self.size]

    def get(self, rows: np.ndarray, history: int) -> dict[str, np.ndarray]:
        """Transitions ``rows (B,)`` as arrays; with ``history > 0`` also ``hist``/``next_hist (B, history, F)``."""
        batch = {key: self._data[key][rows] for key in _FIELDS}
        if history:
            features = self._features[: self.size]
            batch["hist"] = gather_windows(features, rows, batch["start"], history)
            batch["next_hist"] = gather_windows(features, rows + 1, batch["start"], history)
        return batch

    def sample(self, batch_size: int, rng: np.random.Generator, history: int) -> dict[str, np.ndarray]:
        """``batch_size`` transitions drawn uniformly (with replacement) across all tasks' data."""
        return self.get(rng.integers(0, self.size, size=batch_size), history)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The stored rows as tensors (for checkpoints)."""
        return {key: torch.from_numpy(value[: self.size].copy()) for key, value in self._data.items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Replace the content by a :meth:`state_dict`."""
        self.size = 0
        n = len(state["rew"])
        self._grow(n)
        for key in _FIELDS:
            self._data[key][:n] = state[key].numpy()
        self._features[:n] = transition_features(self._data["act"][:n], self._data["rew"][:n], self._data["obs"][:n])
        self.size = n


def to_tensors(batch: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """The float arrays of a batch as tensors (``task``/``start`` are left out)."""
    return {key: torch.from_numpy(value) for key, value in batch.items() if key not in ("task", "start")}
