"""A faster LTS loop on the digits demo: validated candidates per hour, and real-test accuracy at equal model budget.

Runs the demo's ``reinforce`` row (:func:`synthlearn.demo.row_config`: K candidates of 2000
synthetic 8×8 digits, 4 epochs each, reward = accuracy on the 100 labelled real validation
digits) in-process on one torch thread, once per variant and seed:

* ``baseline`` -- today's loop (float32, every candidate trains 4 epochs);
* ``bf16``     -- ``task.precision: bf16`` and ``task.channels_last: true``;
* ``halving``  -- ``searcher.halving: {rungs: [1, 2], keep: 0.5}`` (8 → 4 → 2 candidates; 16 epochs instead of 32);
* ``both``     -- bf16 + halving.

Every variant trains the same number of candidates (``iterations × candidates``); a
"validated candidate" is one whose validation reward the searcher observed (under halving,
a cut candidate counts, with the reward of its last rung; ``full_models_per_hour`` counts
only models trained all epochs). It also measures, on ``random-params`` candidates, the
Spearman rank correlation of validation rewards after 1 and 2 epochs with those after 4
(``halving`` with ``keep: 1``: every candidate is scored at every rung).

    python benchmarks/bench_fast_loop.py --iterations 3 --seeds 0 1 2 --variants baseline halving
    python benchmarks/bench_fast_loop.py --iterations 3 --seeds 0 --variants bf16 both --append

Writes benchmarks/results/fast_loop.json (``--append`` merges into it). The load average
(``os.getloadavg``) is stored beside every timing: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.data.shards import encode_npz
from synthlearn.demo import DemoSettings, row_config
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.config import HalvingSettings, LTSConfig
from synthlearn.lts.loop import LTSRun

VARIANTS = {
    "baseline": ({}, None),
    "bf16": ({"precision": "bf16", "channels_last": True}, None),
    "halving": ({}, HalvingSettings(rungs=[1, 2], keep=0.5)),
    "both": ({"precision": "bf16", "channels_last": True}, HalvingSettings(rungs=[1, 2], keep=0.5)),
}


def variant_config(base: LTSConfig, variant: str) -> LTSConfig:
    task, halving = VARIANTS[variant]
    return base.model_copy(update={"task": base.task.model_copy(update=task),
                                   "searcher": base.searcher.model_copy(update={"halving": halving})})


def run_once(config: LTSConfig, folder: Path) -> tuple[dict, list[dict], float, tuple[float, float]]:
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    result = LTSRun(config, folder, figures=False).run(executor=LocalExecutor(workers=1))
    seconds = time.perf_counter() - start
    history = [json.loads(line) for line in (folder / "history.jsonl").read_text().splitlines()]
    return result, history, seconds, (load_before, os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=3, help="outer iterations per run (the full demo has 12)")
    parser.add_argument("--candidates", type=int, default=8, help="K (the full demo's)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--rank-iterations", type=int, default=2, help="random-params iterations scored at 1, 2 and 4 epochs (0: skip)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/fast_loop.json"))
    parser.add_argument("--append", action="store_true", help="merge into an existing --out")
    args = parser.parse_args()

    settings = DemoSettings.full().model_copy(update={"iterations": args.iterations, "candidates": args.candidates})
    previous = json.loads(args.out.read_text()) if args.append and args.out.exists() else {}
    runs: list[dict] = previous.get("runs", [])
    rank = previous.get("rank_correlation")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        split = split_real(load_real(SKLEARN_DIGITS), seed=0)
        validation, test = tmp / "validation.npz", tmp / "test.npz"
        write_bytes_atomic(validation, encode_npz(split.validation.layers()))
        write_bytes_atomic(test, encode_npz(split.test.layers()))
        warmup = settings.model_copy(update={"iterations": 1, "candidates": 1})  # imports, first-call costs: not timed
        run_once(row_config("reinforce", 0, warmup, validation, test), tmp / "warmup")
        for seed in args.seeds:
            for variant in args.variants:
                config = variant_config(row_config("reinforce", seed, settings, validation, test), variant)
                result, history, seconds, load = run_once(config, tmp / f"{variant}-{seed}")
                candidates = args.iterations * args.candidates
                epochs = result["budget"].get("epochs_trained", candidates * config.task.epochs)
                full = result["budget"].get("full_models", candidates)
                row = {"variant": variant, "seed": seed, "seconds": seconds, "load_before_after": load,
                       "candidates": candidates, "epochs_trained": epochs, "full_models": full,
                       "candidates_per_hour": 3600 * candidates / seconds, "full_models_per_hour": 3600 * full / seconds,
                       "seconds_train": sum(h["seconds"]["train"] for h in history),
                       "seconds_simulate": sum(h["seconds"]["simulate"] for h in history),
                       "best_validation_reward": result["best"]["reward"], "test_accuracy": result["test"]["metric"]}
                runs = [r for r in runs if (r["variant"], r["seed"]) != (variant, seed)] + [row]
                print(f"{variant:9s} seed {seed}: {seconds:6.1f} s (load {load[0]:.1f}/{load[1]:.1f})  "
                      f"{row['candidates_per_hour']:6.0f} cand/h  val {row['best_validation_reward']:.3f}  test {row['test_accuracy']:.4f}", flush=True)
        if args.rank_iterations:
            config = row_config("random-params", 0, settings.model_copy(update={"iterations": args.rank_iterations}), validation, test)
            config = config.model_copy(update={"searcher": config.searcher.model_copy(update={"halving": HalvingSettings(rungs=[1, 2], keep=1.0)})})
            _, history, seconds, load = run_once(config, tmp / "rank")
            at = np.array([r for h in history for r in h["halving"]["rewards_at_stops"]])  # (candidates, 3): 1, 2, 4 epochs
            rank = {"searcher": "random-params", "candidates": len(at), "epochs": [1, 2, 4], "seconds": seconds, "load_before_after": load,
                    "spearman_1_vs_4": float(spearmanr(at[:, 0], at[:, 2]).statistic),
                    "spearman_2_vs_4": float(spearmanr(at[:, 1], at[:, 2]).statistic),
                    "rewards": at.tolist()}
            print(f"rank correlation over {len(at)} candidates: 1 vs 4 epochs {rank['spearman_1_vs_4']:.3f}, "
                  f"2 vs 4 {rank['spearman_2_vs_4']:.3f}", flush=True)

    summary = {}
    for variant in VARIANTS:
        mine = [r for r in runs if r["variant"] == variant]
        if mine:
            summary[variant] = {"seeds": [r["seed"] for r in mine],
                                "candidates_per_hour": float(np.mean([r["candidates_per_hour"] for r in mine])),
                                "full_models_per_hour": float(np.mean([r["full_models_per_hour"] for r in mine])),
                                "test_accuracy_mean": float(np.mean([r["test_accuracy"] for r in mine])),
                                "test_accuracy_std": float(np.std([r["test_accuracy"] for r in mine]))}
    if "baseline" in summary:
        for variant, row in summary.items():
            row["speedup_vs_baseline"] = row["candidates_per_hour"] / summary["baseline"]["candidates_per_hour"]
    write_json_atomic(args.out, {
        "task": "digits demo, reinforce row (synthlearn.demo.row_config), real-test accuracy of the kept model",
        "iterations": args.iterations, "candidates": args.candidates, "epochs": settings.epochs, "train_size": settings.train_size,
        "variants": {name: {"task": task, "halving": halving.model_dump() if halving else None} for name, (task, halving) in VARIANTS.items()},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores shared, 1 torch thread", "date": time.strftime("%Y-%m-%d"),
        "runs": runs, "summary": summary, "rank_correlation": rank,
    })
    for variant, row in summary.items():
        print(f"{variant:9s} {row['candidates_per_hour']:6.0f} cand/h ({row.get('speedup_vs_baseline', float('nan')):.2f}×)  "
              f"test {100 * row['test_accuracy_mean']:.1f} ± {100 * row['test_accuracy_std']:.1f} over seeds {row['seeds']}")


if __name__ == "__main__":
    main()
