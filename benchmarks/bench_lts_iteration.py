"""Where one LTS iteration spends its time: simulating vs training (and validating).

Runs a few iterations of an experiment config in-process on one torch thread and reads the
per-candidate timings from ``history.jsonl``.

    python benchmarks/bench_lts_iteration.py [--config experiments/car_counting.yaml] [--iterations 3]

Prints a markdown table row and writes JSON (default benchmarks/results/lts_iteration.json).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from synthlearn.atomic import write_json_atomic
from synthlearn.config import load_config
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import run_lts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="experiments/car_counting.yaml")
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/lts_iteration.json")
    args = parser.parse_args()
    config = load_config(args.config, [f"searcher.iterations={args.iterations}", "executor.workers=1"], LTSConfig)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_lts(config, Path(tmp) / "run")
        wall = time.perf_counter() - start
        history = [json.loads(line) for line in (Path(tmp) / "run" / "history.jsonl").read_text().splitlines()]
    simulate = sum(h["seconds"]["simulate"] for h in history)
    train = sum(h["seconds"]["train"] for h in history)
    per_iteration = history[-1]["seconds"]["elapsed"] / len(history)
    result = {
        "config": args.config,
        "iterations": len(history),
        "candidates": config.searcher.candidates,
        "train_size": config.train_size,
        "seconds_per_iteration": per_iteration,
        "simulate_share": simulate / (simulate + train),
        "train_and_validate_share": train / (simulate + train),
        "wall_seconds_including_setup": wall,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, 1 torch thread",
        "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)
    print("| config | K | M | s/iteration | simulate | train+validate |")
    print("|---|---|---|---|---|---|")
    print(f"| {args.config} | {result['candidates']} | {result['train_size']} | {per_iteration:.2f} | "
          f"{100 * result['simulate_share']:.1f}% | {100 * result['train_and_validate_share']:.1f}% |")


if __name__ == "__main__":
    main()
