"""Cross-weather transfer on the traffic simulator: train at one weather, test at each.

For counting (``experiments/car_counting.yaml``'s task model, fixed parameters and training
set size) and segmentation (``experiments/segmentation.yaml``'s: Car IoU), a model is trained
on scenes that all have one weather (the experiment's ``fixed`` parameters, its hidden
``cars_mean`` if it learns that, every other parameter at the simulator's default) and scored on a test set of each weather (same
parameters, other seeds). A cell is the mean ± std (population, over ``--seeds``) of the
metric; rows are the training weather, columns the test weather.

Flatness: per seed, the mean over rows of (diagonal − mean of the row's off-diagonal cells),
signed so that positive means "worse off the diagonal" (for MAE, off − diagonal). A value
near 0 says that the weather a model trains on hardly matters for any test weather, so a
reward cannot tell the weathers apart. Also reported relative to the mean diagonal score.

Runs one torch thread per process; ``--workers`` processes train cells in parallel.

    python benchmarks/weather_transfer.py --tag before [--tasks count segment] [--seeds 0 1]
        [--train-size N] [--test-size 256] [--workers 2]

Writes ``benchmarks/results/weather_transfer/<tag>.json`` and ``<tag>.md``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from synthlearn import seeding  # noqa: E402
from synthlearn.atomic import write_json_atomic, write_text_atomic  # noqa: E402
from synthlearn.config import load_config  # noqa: E402
from synthlearn.lts.config import LTSConfig  # noqa: E402
from synthlearn.sim import get_simulator  # noqa: E402
from synthlearn.sim.traffic.scene import WEATHERS  # noqa: E402
from synthlearn.train.fit import evaluate, fit  # noqa: E402
from synthlearn.train.models import build_model, make_task  # noqa: E402
from synthlearn.train.threads import single_thread_torch  # noqa: E402

CONFIGS = {"count": "experiments/car_counting.yaml", "segment": "experiments/segmentation.yaml"}
_TEST_STREAM = 7  # seeding path root of the test sets (train sets use the seed's own stream)


def weather_params(config: LTSConfig, weather: str) -> dict:
    """The experiment's fixed parameters with every scene at ``weather``; a learned ``cars_mean``
    takes its hidden (validation) value, so that cars cover enough pixels."""
    busy = {"cars_mean": config.validation.params["cars_mean"]} if "cars_mean" in (config.learn or ()) else {}
    return {**config.fixed, **busy, "weather": {w: float(w == weather) for w in WEATHERS}}


def run_cell(job: tuple[str, int, int, int, int]) -> dict:
    """Train one model (task, seed, training weather index) and score it on every weather's test set.

    ``job`` = (task key, seed, weather index, train size, test size). Returns
    ``{"task", "seed", "train": weather, "scores": [score per test weather], "seconds"}``.
    """
    key, seed, w, train_size, test_size = job
    config = load_config(CONFIGS[key], [], LTSConfig)
    sim = get_simulator("traffic")
    start = time.perf_counter()
    with single_thread_torch():
        task = make_task(config.task)
        layers = sim.generate(weather_params(config, WEATHERS[w]), train_size, seeding.child_seed(seed, w))
        inputs, targets = task.tensors(layers, config.task.input_scale)
        model = build_model(config.task, task, inputs, task.output_size(targets), seeding.child_seed(seed, w, 1))
        fit(model, inputs, targets, task, config.task.training(), seeding.child_seed(seed, w, 2))
        scores = []
        for t, name in enumerate(WEATHERS):
            test = sim.generate(weather_params(config, name), test_size, seeding.child_seed(_TEST_STREAM, t))
            x, y = task.tensors(test, config.task.input_scale)
            scores.append(float(evaluate(model, x, y, task)))
    return {"task": key, "seed": seed, "train": WEATHERS[w], "scores": scores, "seconds": time.perf_counter() - start}


def flatness(matrix: np.ndarray, higher_is_better: bool) -> float:
    """Mean over rows of how much worse the off-diagonal cells are than the diagonal one.

    ``matrix`` is (W, W) scores, rows = training weather. Positive: off-diagonal is worse.
    """
    W = len(matrix)
    diag = np.diag(matrix)
    off = (matrix.sum(axis=1) - diag) / (W - 1)
    gap = diag - off if higher_is_better else off - diag
    return float(gap.mean())


def summarise(cells: list[dict], key: str, seeds: list[int]) -> dict:
    """Per-cell mean/std over seeds and the flatness per seed, mean ± std."""
    config = load_config(CONFIGS[key], [], LTSConfig)
    task = make_task(config.task)
    W = len(WEATHERS)
    per_seed = np.zeros((len(seeds), W, W))
    for c in cells:
        if c["task"] == key:
            per_seed[seeds.index(c["seed"]), WEATHERS.index(c["train"])] = c["scores"]
    flat = np.array([flatness(m, task.higher_is_better) for m in per_seed])
    diag = np.array([np.diag(m).mean() for m in per_seed])
    return {
        "metric": task.metric_name,
        "higher_is_better": task.higher_is_better,
        "config": CONFIGS[key],
        "mean": per_seed.mean(axis=0).tolist(),
        "std": per_seed.std(axis=0).tolist(),
        "per_seed": per_seed.tolist(),
        "flatness": {"mean": float(flat.mean()), "std": float(flat.std()), "per_seed": flat.tolist()},
        "flatness_relative": float(flat.mean() / max(abs(diag.mean()), 1e-12)),
    }


def markdown(result: dict) -> str:
    lines = [f"# Cross-weather transfer ({result['tag']})", "",
             f"`{result['command']}` — seeds {result['seeds']}, train {result['train_size']} scenes, "
             f"test {result['test_size']} scenes per weather; mean ± std over seeds.", ""]
    for key, s in result["tasks"].items():
        better = "higher is better" if s["higher_is_better"] else "lower is better"
        lines += [f"## {key}: {s['metric']} ({better}; {s['config']})", "",
                  "| train \\ test | " + " | ".join(WEATHERS) + " |", "|---" * (len(WEATHERS) + 1) + "|"]
        for i, name in enumerate(WEATHERS):
            row = [f"{s['mean'][i][j]:.3f} ± {s['std'][i][j]:.3f}" for j in range(len(WEATHERS))]
            row[i] = f"**{row[i]}**"
            lines.append(f"| {name} | " + " | ".join(row) + " |")
        f = s["flatness"]
        lines += ["", f"Flatness (diagonal advantage over the row's off-diagonal mean): {f['mean']:.4f} ± {f['std']:.4f} "
                  f"({100 * s['flatness_relative']:.1f} % of the mean diagonal); per seed "
                  + ", ".join(f"{v:.4f}" for v in f["per_seed"]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tag", required=True, help="name of this measurement (e.g. before, after)")
    parser.add_argument("--tasks", nargs="+", choices=sorted(CONFIGS), default=["count", "segment"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--train-size", type=int, default=None, help="scenes per model (default: the experiment's train_size)")
    parser.add_argument("--test-size", type=int, default=256, help="test scenes per weather")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/results/weather_transfer")
    args = parser.parse_args(argv)
    jobs = []
    sizes = {}
    for key in args.tasks:
        sizes[key] = args.train_size or load_config(CONFIGS[key], [], LTSConfig).train_size
        jobs += [(key, seed, w, sizes[key], args.test_size) for seed in args.seeds for w in range(len(WEATHERS))]
    start = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            cells = list(pool.map(run_cell, jobs))
    else:
        cells = [run_cell(job) for job in jobs]
    result = {
        "tag": args.tag,
        "command": "python benchmarks/weather_transfer.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "seeds": args.seeds,
        "train_size": sizes,
        "test_size": args.test_size,
        "weathers": list(WEATHERS),
        "tasks": {key: summarise(cells, key, args.seeds) for key in args.tasks},
        "cells": cells,
        "wall_seconds": time.perf_counter() - start,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {args.workers} workers x 1 torch thread",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / f"{args.tag}.json", result)
    text = markdown(result)
    write_text_atomic(out / f"{args.tag}.md", text)
    print(text)
    return result


if __name__ == "__main__":
    main()
