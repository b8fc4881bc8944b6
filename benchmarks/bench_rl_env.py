"""Environment steps per second of the reinforcement-learning task families, one process, one thread.

For each family (the point robot, HalfCheetah-Vel and HalfCheetah-Fwd-Back) it builds the
environment of the first training task, then times ``--repeats`` runs of about ``--steps``
steps in full episodes (reset + ``horizon`` steps) with uniform random actions drawn
beforehand, after one warm-up run. For HalfCheetah it also splits one step's time: MuJoCo's physics alone
(``mj_step`` × frame skip), gymnasium's unwrapped ``HalfCheetah-v5`` step (physics +
observation + its own reward), and the task environment (+ clipping and the task reward).
Rates are mean ± std over the repeats (wall clock) and the best rate per CPU-second of this
process (robust when other processes share the machine). The MuJoCo families are skipped with
a note when the ``rl`` extra is missing. Prints a markdown table and writes JSON.

    python benchmarks/bench_rl_env.py [--steps 4000] [--repeats 5] [--seed 0]
        [--out benchmarks/results/rl_env_throughput.json]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from synthlearn.atomic import write_json_atomic  # noqa: E402
from synthlearn.errors import UserError  # noqa: E402
from synthlearn.seeding import generator  # noqa: E402
from synthlearn.sim.rl import make_family  # noqa: E402

FAMILIES = ("point-robot", "halfcheetah-vel", "halfcheetah-fwd-back")


def _rates(run: Callable[[], None], steps: int, repeats: int) -> dict:
    """Steps/s of ``run`` (which takes ``steps`` steps): one warm-up call, then ``repeats`` timed calls."""
    run()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(steps / (time.perf_counter() - start))
        cpu.append(steps / max(time.process_time() - start_cpu, 1e-9))
    return {
        "steps_per_second_mean": round(statistics.mean(wall), 1),
        "steps_per_second_std": round(statistics.stdev(wall) if len(wall) > 1 else 0.0, 1),
        "steps_per_cpu_second_best": round(max(cpu), 1),
    }


def _episodes(env, actions: np.ndarray, seed: int) -> Callable[[], None]:
    """A run of ``len(actions)`` episodes, actions ``(episodes, horizon, act_dim)``, resets from ``seed``."""
    def run() -> None:
        for e, episode in enumerate(actions):
            env.reset(generator(seed, e))
            for a in episode:
                env.step(a)
    return run


def _cheetah_split(actions: np.ndarray, repeats: int, seed: int) -> dict:
    """Steps/s of MuJoCo's physics alone and of gymnasium's unwrapped HalfCheetah-v5, same actions."""
    import mujoco

    from synthlearn.sim.rl.halfcheetah import gym_half_cheetah

    gym_env = gym_half_cheetah()
    flat = actions.reshape(-1, actions.shape[-1]).astype(np.float64)

    def physics() -> None:
        for a in flat:
            gym_env.data.ctrl[:] = a
            mujoco.mj_step(gym_env.model, gym_env.data, nstep=gym_env.frame_skip)

    def gymnasium_step() -> None:
        for e, episode in enumerate(actions.astype(np.float64)):
            gym_env.reset(seed=seed + e)
            for a in episode:
                gym_env.step(a)

    gym_env.reset(seed=seed)
    return {"mujoco_physics": _rates(physics, len(flat), repeats),
            "gymnasium_step": _rates(gymnasium_step, len(flat), repeats)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4000, help="steps per timed run, in whole episodes (default 4000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/rl_env_throughput.json", help="JSON result path")
    args = parser.parse_args(argv)
    if "torch" in sys.modules:  # not needed here; keep it on one thread if something imported it
        sys.modules["torch"].set_num_threads(1)

    families: dict[str, dict] = {}
    for name in FAMILIES:
        try:
            family = make_family(name)
        except UserError as exc:
            families[name] = {"skipped": str(exc)}
            continue
        start = time.perf_counter()
        env = family.make_env(family.sample_tasks("train", 1, generator(args.seed, 1))[0])
        created = time.perf_counter() - start
        episodes = max(1, args.steps // family.horizon)
        shape = (episodes, family.horizon, family.act_dim)
        actions = generator(args.seed, 2).uniform(-family.act_limit, family.act_limit, shape).astype(np.float32)
        steps = episodes * family.horizon
        entry = {"horizon": family.horizon, "steps_per_run": steps, "make_env_seconds": round(created, 4),
                 "task_env": _rates(_episodes(env, actions, args.seed), steps, args.repeats)}
        if name.startswith("halfcheetah"):
            entry.update(_cheetah_split(actions, args.repeats, args.seed))
        families[name] = entry

    versions = {"numpy": np.__version__, "python": platform.python_version()}
    for module in ("gymnasium", "mujoco"):
        if module in sys.modules:
            versions[module] = sys.modules[module].__version__
    result = {
        "families": families,
        "steps": args.steps,
        "repeats": args.repeats,
        "seed": args.seed,
        **versions,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, {os.cpu_count()} cores, 1 thread used",
        "load_average_1min": round(os.getloadavg()[0], 2),  # > 1: other processes shared the cores
        "command": "python benchmarks/bench_rl_env.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)

    print("| family | what is timed | steps/s (mean ± std) | steps/CPU-s (best) |")
    print("|---|---|---|---|")
    for name, entry in families.items():
        if "skipped" in entry:
            print(f"| {name} | skipped: {entry['skipped']} | | |")
            continue
        for part in ("mujoco_physics", "gymnasium_step", "task_env"):
            if part in entry:
                r = entry[part]
                print(f"| {name} | {part} | {r['steps_per_second_mean']:.0f} ± {r['steps_per_second_std']:.0f} | "
                      f"{r['steps_per_cpu_second_best']:.0f} |")
    return result


if __name__ == "__main__":
    main()
