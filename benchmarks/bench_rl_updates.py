"""Gradient updates per second of the RL agents: td3 and td3-context, point-robot and HalfCheetah sizes, 1 and 2 threads.

One "update" is what meta-training does per environment step: draw a batch across tasks from the
replay buffer (with its context windows), turn it into tensors, one :meth:`TD3Agent.update`
(critic step; actor step and soft target update every ``policy_delay``). The buffer holds
``--episodes`` random 200-step episodes of the family's sizes (observation, action, limit), the
agent is built from the experiment's config (``experiments/rl_point_robot.yaml``,
``experiments/rl_halfcheetah_vel.yaml``). Each cell is the median over ``--repeats`` timings of
``--updates`` updates after a warm-up. ``--bf16`` adds a td3-context row under CPU bf16
autocast (1 thread). Writes ``benchmarks/results/bench_rl_updates/results.json`` and ``table.md``.

    python benchmarks/bench_rl_updates.py --updates 200 --repeats 3
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.config import load_config
from synthlearn.rl.config import RLConfig
from synthlearn.rl.replay import ReplayBuffer, to_tensors
from synthlearn.rl.td3 import TD3Agent
from synthlearn.seeding import generator
from synthlearn.sim.rl import TaskFamily, make_family
from synthlearn.train.threads import torch_threads

RESULTS = Path(__file__).parent / "results" / "bench_rl_updates"
EXPERIMENTS = Path(__file__).parents[1] / "experiments"
CONFIGS = {"point-robot": "rl_point_robot.yaml", "halfcheetah-vel": "rl_halfcheetah_vel.yaml"}  # family: experiment
EPISODE_STEPS = 200  # one length for every family, so buffers hold the same number of transitions


def random_buffer(family: TaskFamily, episodes: int, rng: np.random.Generator) -> ReplayBuffer:
    """A buffer of ``episodes`` random ``EPISODE_STEPS``-step episodes of the family's sizes over 10 tasks."""
    steps, obs_dim, act_dim = EPISODE_STEPS, family.obs_dim, family.act_dim
    buffer = ReplayBuffer(obs_dim, act_dim)
    for e in range(episodes):
        buffer.add_episode(e % 10, obs=rng.normal(size=(steps, obs_dim)).astype(np.float32),
                           act=rng.uniform(-1, 1, size=(steps, act_dim)).astype(np.float32),
                           rew=rng.normal(size=steps).astype(np.float32),
                           next_obs=rng.normal(size=(steps, obs_dim)).astype(np.float32), done=np.zeros(steps, np.float32))
    return buffer


def updates_per_second(family: str, method: str, threads: int, updates: int, repeats: int, episodes: int, bf16: bool = False) -> float:
    """Median updates/s of ``method`` (td3 | td3-context) at ``family``'s sizes on ``threads`` torch threads."""
    config = load_config(EXPERIMENTS / CONFIGS[family], [f"method={method}"], RLConfig)
    sizes = make_family(config.tasks.family)
    rng = generator(0, 0)
    buffer = random_buffer(sizes, episodes, rng)
    torch.manual_seed(0)
    agent = TD3Agent(sizes.obs_dim, sizes.act_dim, sizes.act_limit, config.td3, config.context if config.uses_context else None)
    noise, history, batch_size = torch.Generator().manual_seed(0), agent.history, config.td3.batch_size
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    timings = []
    with torch_threads(threads), autocast:
        for _ in range(20):  # warm-up
            agent.update(to_tensors(buffer.sample(batch_size, rng, history)), noise)
        for _ in range(repeats):
            started = time.perf_counter()
            for _ in range(updates):
                agent.update(to_tensors(buffer.sample(batch_size, rng, history)), noise)
            timings.append(updates / (time.perf_counter() - started))
    return float(np.median(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=200, help="Updates per timing.")
    parser.add_argument("--repeats", type=int, default=3, help="Timings per cell (the median is reported).")
    parser.add_argument("--episodes", type=int, default=50, help="Random 200-step episodes in the buffer.")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--bf16", action="store_true", help="Also time td3-context under bf16 autocast (1 thread).")
    parser.add_argument("--label", default="", help="A note stored with the results (e.g. the code version).")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for family in CONFIGS:
        for method in ("td3", "td3-context"):
            for threads in args.threads:
                rate = updates_per_second(family, method, threads, args.updates, args.repeats, args.episodes)
                rows.append({"family": family, "method": method, "threads": threads, "bf16": False, "updates_per_second": rate})
                print(f"{family:16s} {method:12s} threads {threads}: {rate:7.1f} updates/s", flush=True)
        if args.bf16:
            rate = updates_per_second(family, "td3-context", 1, args.updates, args.repeats, args.episodes, bf16=True)
            rows.append({"family": family, "method": "td3-context", "threads": 1, "bf16": True, "updates_per_second": rate})
            print(f"{family:16s} td3-context  threads 1 bf16: {rate:7.1f} updates/s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json_atomic(RESULTS / "results.json", {"settings": vars(args), "torch": torch.__version__, "rows": rows})
    lines = [f"updates/s (median of {args.repeats} × {args.updates}), {args.label}".rstrip(", "), "",
             "| family | method | threads | bf16 | updates/s |", "|---|---|---|---|---|"]
    lines += [f"| {r['family']} | {r['method']} | {r['threads']} | {'yes' if r['bf16'] else 'no'} | {r['updates_per_second']:.1f} |" for r in rows]
    write_text_atomic(RESULTS / "table.md", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
