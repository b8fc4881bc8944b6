"""Multi-task meta-training in a run folder: one TD3 agent (with or without context) over a family's training tasks.

Each episode picks a training task at random, plays it (uniform random actions for the first
``training.start_steps`` steps, then the policy plus exploration noise), stores it in the
replay buffer and makes ``updates_per_step`` TD3 updates per step on batches drawn across all
tasks. Episode ``e`` draws from streams derived from ``(seed, e)`` only, and checkpoints hold
the networks, optimisers, update count and the whole replay buffer, so ``--resume`` ends with the
same bytes as an uninterrupted run.

Run folder (:class:`~synthlearn.runs.RunFolder`): ``config.yaml``, ``history.jsonl`` (one
record per episode: return, task, losses), ``checkpoints/latest.pt``, ``result.json``,
``returns.png``; ``synthlearn rl evaluate`` adds ``evaluation.json`` (and ``beta_ess.png`` for mql).

Example::

    result = RLRun(load_config("experiments/rl_point_robot.yaml", [], RLConfig), "runs/pr").run()
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn.rl.config import RLConfig
from synthlearn.rl.replay import ReplayBuffer, to_tensors
from synthlearn.rl.rollout import run_episode
from synthlearn.rl.td3 import TD3Agent
from synthlearn.runs import RunFolder
from synthlearn.seeding import child_seed, generator
from synthlearn.sim.rl import SPLITS, TaskFamily, check_split, make_family
from synthlearn.train.models import seeded_init
from synthlearn.train.threads import single_thread_torch

FIGURE = "returns.png"


def build_agent(config: RLConfig, family: TaskFamily) -> TD3Agent:
    """A freshly initialised agent for ``family`` (initialisation seeded by ``config.seed``)."""
    context = config.context if config.uses_context else None
    return seeded_init(lambda: TD3Agent(family.obs_dim, family.act_dim, family.act_limit, config.td3, context),
                       child_seed(config.seed, 0))


def task_set(config: RLConfig, family: TaskFamily, split: str) -> list[dict]:
    """The tasks of ``split`` (``tasks.train`` or ``tasks.test`` of them), drawn from ``tasks.seed``: the same for every training seed."""
    n = config.tasks.train if check_split(split) == "train" else config.tasks.test
    return family.sample_tasks(split, n, generator(config.tasks.seed, SPLITS.index(split)))


class RLRun:
    """Meta-train one agent in the run folder ``out`` (see the module docstring).

    ``train_tasks`` replaces the configured training tasks (the benchmark's oracle trains on one test task).
    """

    def __init__(self, config: RLConfig, out: str | Path, train_tasks: list[dict] | None = None) -> None:
        self.config = config
        self.family = make_family(config.tasks.family)
        self.tasks = train_tasks if train_tasks is not None else task_set(config, self.family, "train")
        self.folder = RunFolder(out, "an RL run")

    def run(self, resume: bool = False, on_episode: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Train until ``training.steps`` environment steps (resuming from the checkpoint with ``resume``); returns result.json's content."""
        cfg, folder = self.config, self.folder
        folder.check(resume)
        state = folder.start(cfg, resume, may_grow=("training.steps",))
        agent, buffer = build_agent(cfg, self.family), ReplayBuffer(self.family.obs_dim, self.family.act_dim)
        episode = env_steps = 0
        if state is not None:
            agent.load_state_dict(state["agent"])
            buffer.load_state_dict(state["buffer"])
            episode, env_steps = int(state["episode"]), int(state["env_steps"])
        envs: dict[int, Any] = {}
        timing = {"env_steps": 0, "env_seconds": 0.0, "updates": 0, "update_seconds": 0.0}
        history = agent.history
        with single_thread_torch():
            while env_steps < cfg.training.steps:
                rng, sample_rng = generator(cfg.seed, 1, episode), generator(cfg.seed, 2, episode)
                noise = torch.Generator().manual_seed(child_seed(cfg.seed, 3, episode))
                task = int(rng.integers(len(self.tasks)))
                if task not in envs:
                    envs[task] = self.family.make_env(self.tasks[task])
                env = envs[task]
                explore = env_steps < cfg.training.start_steps
                started = time.perf_counter()
                played = run_episode(env, None if explore else agent, rng, noise=cfg.td3.exploration_noise)
                timing["env_seconds"] += time.perf_counter() - started
                timing["env_steps"] += len(played.rew)
                buffer.add_episode(task, **played.arrays())
                env_steps += len(played.rew)
                losses: list[dict[str, float]] = []
                if env_steps >= cfg.training.start_steps:
                    started = time.perf_counter()
                    for _ in range(len(played.rew) * cfg.training.updates_per_step):
                        losses.append(agent.update(to_tensors(buffer.sample(cfg.td3.batch_size, sample_rng, history)), noise))
                    timing["update_seconds"] += time.perf_counter() - started
                    timing["updates"] += len(losses)
                record = {"episode": episode, "env_steps": env_steps, "task": task, "return": played.ret, "random": explore,
                          "updates": agent.updates, **_mean_losses(losses)}
                folder.append(record)
                episode += 1
                if episode % cfg.training.checkpoint_every == 0 or env_steps >= cfg.training.steps:
                    folder.save_checkpoint({"episode": episode, "env_steps": env_steps,
                                            "agent": agent.state_dict(), "buffer": buffer.state_dict()})
                if on_episode is not None:
                    on_episode(record)
        return self._finish(agent, timing)

    def _finish(self, agent: TD3Agent, timing: dict[str, float]) -> dict[str, Any]:
        from synthlearn.report.rl import plot_returns

        records = self.folder.history()
        returns = [r["return"] for r in records]
        tail = returns[-max(1, len(returns) // 10):]
        random_returns = [r["return"] for r in records if r["random"]]
        result = {
            "name": self.config.name, "method": self.config.method, "seed": self.config.seed,
            "family": self.family.name, "train_tasks": len(self.tasks), "episodes": len(records),
            "env_steps": records[-1]["env_steps"] if records else 0, "updates": agent.updates,
            "final_train_return": float(np.mean(tail)) if tail else None,
            "random_return": float(np.mean(random_returns)) if random_returns else None,
            "env_steps_per_second": timing["env_steps"] / timing["env_seconds"] if timing["env_seconds"] else None,
            "updates_per_second": timing["updates"] / timing["update_seconds"] if timing["update_seconds"] else None,
        }
        plot_returns(records, self.folder.file(FIGURE), f"{self.config.name} ({self.config.method})")
        self.folder.write_result(result)
        return result


def _mean_losses(losses: list[dict[str, float]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in ("critic_loss", "actor_loss"):
        values = [loss[key] for loss in losses if key in loss]
        out[key] = float(np.mean(values)) if values else None
    return out
