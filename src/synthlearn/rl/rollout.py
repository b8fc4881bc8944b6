"""One episode of an agent in one task: the transitions, the return, the context built online.

The window the agent sees at time ``t`` is gathered exactly as the replay buffer gathers it
(:func:`~synthlearn.rl.context.gather_windows` over this episode's earlier transitions), so
acting and learning see the same contexts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthlearn.rl.context import gather_windows, transition_features
from synthlearn.rl.td3 import TD3Agent
from synthlearn.sim.rl.base import TaskEnv


@dataclass
class Episode:
    """``T`` transitions: ``obs``/``next_obs (T, O)``, ``act (T, A)``, ``rew (T,)``, ``done (T,)``."""

    obs: np.ndarray
    act: np.ndarray
    rew: np.ndarray
    next_obs: np.ndarray
    done: np.ndarray

    @property
    def ret(self) -> float:
        """The undiscounted return."""
        return float(self.rew.sum())

    def arrays(self) -> dict[str, np.ndarray]:
        return {"obs": self.obs, "act": self.act, "rew": self.rew, "next_obs": self.next_obs, "done": self.done}


def run_episode(env: TaskEnv, agent: TD3Agent | None, rng: np.random.Generator, noise: float = 0.0) -> Episode:
    """Play one episode: uniform random actions if ``agent`` is None, else the agent's plus ``N(0, (noise·limit)²)``, clipped."""
    limit, history = env.act_limit, agent.history if agent is not None else 0
    obs = np.zeros((env.horizon, env.obs_dim), np.float32)
    act = np.zeros((env.horizon, env.act_dim), np.float32)
    rew, done = np.zeros(env.horizon, np.float32), np.zeros(env.horizon, np.float32)
    next_obs = np.zeros_like(obs)
    features = np.zeros((env.horizon, env.act_dim + 1 + env.obs_dim), np.float32)
    o, t = env.reset(rng), 0
    while t < env.horizon:
        if agent is None:
            a = rng.uniform(-limit, limit, size=env.act_dim).astype(np.float32)
        else:
            window = gather_windows(features[:t], np.array([t]), np.array([0]), history)[0] if history else None
            a = agent.act(o, window)
            if noise > 0:
                a = np.clip(a + rng.normal(0.0, noise * limit, size=env.act_dim), -limit, limit).astype(np.float32)
        o2, r, terminated = env.step(a)
        obs[t], act[t], rew[t], next_obs[t], done[t] = o, a, r, o2, float(terminated)
        features[t] = transition_features(act[t:t + 1], rew[t:t + 1], obs[t:t + 1])[0]
        o, t = o2, t + 1
        if terminated:
            break
    return Episode(obs[:t], act[:t], rew[:t], next_obs[:t], done[:t])
