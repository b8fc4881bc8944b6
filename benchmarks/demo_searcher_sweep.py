"""Choose the demo's searcher settings on the real VALIDATION set only (never the test set).

Each setting is one LTS run per seed on the demo's digits task at the demo's budget
(``iterations × candidates`` trained models). A run is scored by validation rewards only:
the mean reward of the last ``--tail`` iterations (how good the searcher's current
parameters are) and the best reward (what the kept model was selected by). The test split
is not loaded (``test`` is left out of every config).

    python benchmarks/demo_searcher_sweep.py --out benchmarks/results/demo_sweep \\
        --setting reinforce:lr=0.1 --setting reinforce:lr=0.3 \\
        --setting reinforce:lr=0.3,candidates=4,iterations=24 --setting random-search:step=0.5

A setting is ``SEARCHER[:key=value,...]`` with keys of the ``searcher`` config section
(``candidates``/``iterations`` default to the full demo's). Finished runs are reused.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import yaml

from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.data.shards import encode_npz
from synthlearn.demo import DemoSettings, row_config
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.loop import LTSRun


def parse_setting(text: str) -> tuple[str, dict]:
    """``"reinforce:lr=0.3,candidates=4"`` → ``("reinforce", {"lr": 0.3, "candidates": 4})``."""
    name, _, rest = text.partition(":")
    overrides = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        overrides[key] = yaml.safe_load(value)
    return name, overrides


def run_setting(name: str, overrides: dict, seed: int, validation: Path, out: Path, workers: int) -> dict:
    """One LTS run; validation-only scores from its history."""
    config = row_config(name, seed, DemoSettings.full(), validation, validation)
    searcher = config.searcher.model_copy(update={"name": name, **overrides})
    config = config.model_copy(update={"searcher": searcher, "test": None})
    run_dir = out / "runs" / f"{name}-{'-'.join(f'{k}{v}' for k, v in sorted(overrides.items())) or 'defaults'}" / f"seed-{seed}"
    with LocalExecutor(workers) as executor:
        LTSRun(config, run_dir).result_or_run(executor)
    history = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
    return {"history_mean_rewards": [h["mean_reward"] for h in history], "best_reward": history[-1]["best_reward"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--setting", action="append", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--tail", type=int, default=3, help="iterations averaged for the final-reward score")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    split = split_real(load_real(SKLEARN_DIGITS), seed=0)
    validation = args.out / "validation.npz"
    write_bytes_atomic(validation, encode_npz(split.validation.layers()))
    table = []
    for text in args.setting:
        name, overrides = parse_setting(text)
        started = time.perf_counter()
        runs = [run_setting(name, overrides, seed, validation, args.out, args.workers) for seed in args.seeds]
        tails = [float(np.mean(r["history_mean_rewards"][-args.tail:])) for r in runs]
        bests = [float(r["best_reward"]) for r in runs]
        table.append({"setting": text, "final_mean_reward": tails, "best_reward": bests, "seconds": time.perf_counter() - started})
        print(f"{text:55s} final {100 * np.mean(tails):5.1f} ± {100 * np.std(tails):3.1f}   "
              f"best {100 * np.mean(bests):5.1f} ± {100 * np.std(bests):3.1f}", flush=True)
    write_json_atomic(args.out / "sweep.json", {"machine": platform.platform(), "seeds": args.seeds, "tail": args.tail, "settings": table})


if __name__ == "__main__":
    main()
