"""Executor overhead and LTS iteration time: in-process, local processes and Ray.

Measures (1) the per-task overhead of each executor on a task that does nothing, (2) the
wall time of an LTS iteration of an experiment with 1 and 2 workers on each executor, and
(3) fits the model ``T(K, W) = ceil(K / W) · t_candidate + K · overhead`` for K candidates
on W workers, whose predictions for larger clusters are printed as a table.

    python benchmarks/bench_executors.py [--config experiments/car_counting.yaml] [--iterations 2]

Writes JSON (default benchmarks/results/executors.json) and prints markdown tables.
"""

from __future__ import annotations

import argparse
import math
import platform
import tempfile
import time
from pathlib import Path

from synthlearn.atomic import write_json_atomic
from synthlearn.config import load_config
from synthlearn.execute.factory import make_executor
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import run_lts


def noop(job: int) -> int:
    return job


def task_overhead(name: str, workers: int, n_tasks: int) -> float:
    """Seconds per task of mapping :func:`noop` (after one warm-up map)."""
    with make_executor(name, workers=workers) as pool:
        pool.map(noop, list(range(workers * 2)))
        start = time.perf_counter()
        pool.map(noop, list(range(n_tasks)))
        return (time.perf_counter() - start) / n_tasks


def iteration_seconds(config_path: str, name: str, workers: int, iterations: int) -> float:
    config = load_config(config_path, [f"searcher.iterations={iterations}"], LTSConfig)
    with make_executor(name, workers=workers) as pool, tempfile.TemporaryDirectory() as tmp:
        pool.map(noop, list(range(workers)))  # start the workers before timing
        start = time.perf_counter()
        run_lts(config, Path(tmp) / "run", executor=pool)
        total = time.perf_counter() - start
    return total / iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="experiments/car_counting.yaml")
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--out", default="benchmarks/results/executors.json")
    args = parser.parse_args()
    candidates = load_config(args.config, [], LTSConfig).searcher.candidates
    overhead = {name: task_overhead(name, 2, args.tasks) for name in ("local", "ray")}
    iteration = {
        f"{name}-{workers}": iteration_seconds(args.config, name, workers, args.iterations)
        for name in ("local", "ray") for workers in (1, 2)
    }
    t_candidate = iteration["local-1"] / candidates  # one worker runs the K candidates one after another
    predictions = {
        f"K={k}": {f"W={w}": math.ceil(k / w) * t_candidate + k * overhead["ray"] for w in (1, 2, 4, 8, 16, 32)}
        for k in (4, 8, 16, 32)
    }
    result = {
        "config": args.config, "candidates": candidates, "seconds_per_task_overhead": overhead,
        "seconds_per_iteration": iteration, "seconds_per_candidate": t_candidate, "model_predictions_ray": predictions,
        "machine": f"{platform.machine()}, 2 cores", "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)
    print("| executor | per-task overhead (ms) | s/iteration, 1 worker | s/iteration, 2 workers | speed-up |")
    print("|---|---|---|---|---|")
    for name in ("local", "ray"):
        one, two = iteration[f"{name}-1"], iteration[f"{name}-2"]
        print(f"| {name} | {1000 * overhead[name]:.2f} | {one:.2f} | {two:.2f} | {one / two:.2f}× |")
    print(f"\nModel (Ray): T(K, W) = ceil(K/W) × {t_candidate:.2f} s + K × {1000 * overhead['ray']:.1f} ms")
    print("| K \\ W | " + " | ".join(predictions["K=4"]) + " |")
    print("|---" * (len(predictions["K=4"]) + 1) + "|")
    for k, row in predictions.items():
        print(f"| {k} | " + " | ".join(f"{v:.1f} s" for v in row.values()) + " |")


if __name__ == "__main__":
    main()
