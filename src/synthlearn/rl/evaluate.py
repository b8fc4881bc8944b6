"""Average return on held-out tasks; for mql each task is adapted to first, then the agent is rolled back.

``evaluate_run(RUN, split)`` loads a finished (or checkpointed) run, evaluates on the split's
tasks and merges ``{split: result}`` into ``RUN/evaluation.json``; for mql it also plots β, ESS
and λ per adapted task (``beta_ess.png``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from synthlearn.atomic import write_json_atomic
from synthlearn.checkpoint import load_checkpoint
from synthlearn.config import parse_config
from synthlearn.errors import UserError
from synthlearn.rl.config import RLConfig
from synthlearn.rl.mql import adapt, rolled_back
from synthlearn.rl.replay import ReplayBuffer
from synthlearn.rl.rollout import run_episode
from synthlearn.rl.run import build_agent, task_set
from synthlearn.rl.td3 import TD3Agent
from synthlearn.runs import CHECKPOINT, CONFIG, RunFolder
from synthlearn.seeding import child_seed, generator
from synthlearn.sim.rl import SPLITS, TaskFamily, check_split, make_family
from synthlearn.train.threads import single_thread_torch

RESULT = "evaluation.json"
FIGURE = "beta_ess.png"


def evaluate_tasks(agent: TD3Agent, family: TaskFamily, tasks: list[dict], config: RLConfig, meta_buffer: ReplayBuffer | None,
                   split: str, episodes: int, on_task: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Mean return over ``tasks`` (``episodes`` deterministic episodes each); with ``meta_buffer`` adapt (MQL) per task first.

    Returns ``{"mean_return", "std_return" (over tasks), "tasks": [{"task", "return", [β/ESS/λ stats]}]}``.
    """
    code = SPLITS.index(check_split(split))
    rows = []
    with single_thread_torch():
        for j, task in enumerate(tasks):
            env, rng = family.make_env(task), generator(config.seed, 4, code, j)
            row: dict[str, Any] = {"task": task}
            with rolled_back(agent):
                if meta_buffer is not None:
                    row.update(adapt(agent, env, meta_buffer, config, rng, torch.Generator().manual_seed(child_seed(config.seed, 5, code, j))))
                row["return"] = float(np.mean([run_episode(env, agent, rng).ret for _ in range(episodes)]))
            rows.append(row)
            if on_task is not None:
                on_task(j)
    returns = [r["return"] for r in rows]
    return {"mean_return": float(np.mean(returns)), "std_return": float(np.std(returns)), "tasks": rows}


def load_run(path: str | Path) -> tuple[RLConfig, TaskFamily, TD3Agent, ReplayBuffer]:
    """The settings, family, trained agent and replay buffer of the run folder ``path`` (its last checkpoint)."""
    folder = RunFolder(path)
    if not folder.file(CONFIG).is_file() or not folder.has_checkpoint:
        raise UserError(f"{path} holds no RL run with a checkpoint; train one with: synthlearn rl train CONFIG --out {path}")
    config = parse_config(yaml.safe_load(folder.file(CONFIG).read_text(encoding="utf-8")) or {}, RLConfig)
    family = make_family(config.tasks.family)
    state = load_checkpoint(folder.file(CHECKPOINT))["state"]
    agent = build_agent(config, family)
    agent.load_state_dict(state["agent"])
    buffer = ReplayBuffer(family.obs_dim, family.act_dim)
    buffer.load_state_dict(state["buffer"])
    return config, family, agent, buffer


def evaluate_run(path: str | Path, split: str = "test", episodes: int | None = None,
                 on_task: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Evaluate the run in ``path`` on ``split``; merges the result into ``evaluation.json`` and returns it."""
    check_split(split)
    if episodes is not None and episodes < 1:
        raise UserError(f"--episodes must be at least 1, got {episodes}")
    config, family, agent, buffer = load_run(path)
    tasks = task_set(config, family, split)
    result = evaluate_tasks(agent, family, tasks, config, buffer if config.method == "mql" else None, split,
                            episodes or config.evaluation.episodes, None if on_task is None else lambda j: on_task(j + 1, len(tasks)))
    result.update(method=config.method, split=split, adapted=config.method == "mql")
    target = Path(path) / RESULT
    merged = json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}
    merged[split] = result
    write_json_atomic(target, merged)
    if config.method == "mql":
        from synthlearn.report.rl import plot_adaptation

        plot_adaptation(merged, Path(path) / FIGURE)
    return result
