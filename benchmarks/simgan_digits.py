"""SimGAN on the digits benchmark: does refining synthetic digits help on real handwriting?

For every seed and for two simulator parameter sets -- the DEFAULT parameters and the
LTS-LEARNED ones (``learned_params`` of a ``synthlearn demo`` results.json, one per seed) -- one
cell (:func:`synthlearn.refine.digits.evaluate_cell`):

1. generate n synthetic digits (1×) and 3n more (4× = the 1× set plus the new ones), and 1,000
   held-out ones;
2. train a refiner (``DIGITS_SIMGAN``) on the 1× images against the UNLABELLED pool of the real
   protocol (``split_real(load_sklearn_digits(), seed=0)``); refine the 4× and held-out sets;
3. train the demo's task model (same init seed and minibatch order) on synthetic 1×, refined 1×,
   synthetic 4×, refined 4×; report accuracy on the real TEST split (and on validation);
4. label preservation: the synthetic-1× model's prediction on R(x) equals its prediction on x;
5. realism: a small CNN trained to tell X from real (training: X vs the pool; test: held-out X vs
   the test split images, balanced), for X = synthetic and X = refined; 0.5 = indistinguishable.

The refiner settings were chosen on the 100-image validation split only (seed 0, default
parameters); the test split enters only the final numbers. Table: mean ± std over seeds.

    python benchmarks/simgan_digits.py --learned /tmp/dq/results.json [--seeds 0 1 2] [--workers 2]

Writes benchmarks/results/simgan_digits.json and .md (markdown tables, also printed).
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
import yaml

from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.data.real import load_sklearn_digits, split_real
from synthlearn.execute.local import LocalExecutor
from synthlearn.refine.digits import DIGITS_SIMGAN, CellJob, CellSettings, evaluate_cell, with_steps


def fmt(values: list[float], scale: float = 100.0) -> str:
    return f"{scale * np.mean(values):.1f} ± {scale * np.std(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learned", required=True, help="a `synthlearn demo` results.json (its learned_params, per seed)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n", type=int, default=2000, help="synthetic images of the 1x set")
    parser.add_argument("--multiplier", type=int, default=4)
    parser.add_argument("--steps", type=int, default=DIGITS_SIMGAN.steps, help="adversarial refiner steps")
    parser.add_argument("--set", dest="assignments", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="override DIGITS_SIMGAN fields, e.g. --set lam=1 quantize_levels=16")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", default=None, help="folder for refiner runs (default: a temporary one)")
    parser.add_argument("--out", default="benchmarks/results/simgan_digits.json")
    args = parser.parse_args()

    learned_all = json.loads(Path(args.learned).read_text())["learned_params"]
    split = split_real(load_sklearn_digits(), seed=0)
    overrides = {}
    for item in args.assignments:
        key, _, text = item.partition("=")
        overrides[key] = yaml.safe_load(text)
    simgan = with_steps(DIGITS_SIMGAN, args.steps).model_copy(update=overrides)
    settings = CellSettings(n=args.n, multiplier=args.multiplier, simgan=simgan)
    load_at_start = round(os.getloadavg()[0], 2)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, LocalExecutor(args.workers) as pool:
        work = Path(args.work or tmp)
        jobs = []
        for seed in args.seeds:
            learned = learned_all.get(str(seed)) or learned_all[sorted(learned_all)[0]]
            for kind, params in (("default", {}), ("learned", learned)):
                jobs.append(CellJob(seed, kind, params, settings, split, str(work / f"{kind}-seed{seed}")))
        cells = pool.map(evaluate_cell, jobs)
    wall = time.perf_counter() - start

    k = args.multiplier
    rows = [("default", "synthetic"), ("default", "refined"), ("learned", "synthetic"), ("learned", "refined")]
    table = {}
    for kind, data in rows:
        mine = [c for c in cells if c["kind"] == kind]
        table[f"{kind} {data}"] = {
            f"{m}x": {"test": [c["test"][f"{data} {m}x"] for c in mine], "validation": [c["validation"][f"{data} {m}x"] for c in mine]}
            for m in (1, k)
        }
    summary = {
        kind: {
            "preservation": [c["preservation"] for c in cells if c["kind"] == kind],
            "refined_label_accuracy": [c["refined_label_accuracy"] for c in cells if c["kind"] == kind],
            "synthetic_label_accuracy": [c["synthetic_label_accuracy"] for c in cells if c["kind"] == kind],
            "realism_synthetic": [c["realism"]["synthetic"] for c in cells if c["kind"] == kind],
            "realism_refined": [c["realism"]["refined"] for c in cells if c["kind"] == kind],
            "mean_abs_change": [c["mean_abs_change"] for c in cells if c["kind"] == kind],
            "collapse_events": sum(1 for c in cells if c["kind"] == kind for e in c["refiner"]["events"] if e["event"] == "identity_collapse"),
            "divergence_events": sum(1 for c in cells if c["kind"] == kind for e in c["refiner"]["events"] if e["event"] == "divergence"),
        }
        for kind in ("default", "learned")
    }
    result = {
        "command": "python benchmarks/simgan_digits.py " + " ".join(
            [f"--learned {args.learned}", "--seeds " + " ".join(map(str, args.seeds)), f"--n {args.n}",
             f"--multiplier {k}", f"--steps {args.steps}", f"--workers {args.workers}"]
            + (["--set " + " ".join(args.assignments)] if args.assignments else [])),
        "protocol": {"validation": len(split.validation), "unlabelled_pool": len(split.pool), "test": len(split.test)},
        "seeds": args.seeds,
        "settings": {"n": args.n, "multiplier": k, "simgan": settings.simgan.as_dict(), "task": settings.task.model_dump()},
        "table": table,
        "summary": summary,
        "cells": cells,
        "wall_seconds": wall,
        "machine": f"{platform.machine()}, {args.workers} worker processes x 1 torch thread",
        "load_average_1min_at_start": load_at_start,  # > 1: other processes shared the cores
        "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)

    lines = [f"Real-test accuracy (%), n = {len(split.test)}, mean ± std over seeds {args.seeds} "
             f"(validation accuracy, n = {len(split.validation)}, in brackets)", "",
             f"| trained on | 1x ({args.n}) | {k}x ({k * args.n}) |", "|---|---|---|"]
    for name, by_size in table.items():
        cells_text = [f"{fmt(by_size[m]['test'])} ({fmt(by_size[m]['validation'])})" for m in ("1x", f"{k}x")]
        lines.append(f"| {name} | {cells_text[0]} | {cells_text[1]} |")
    lines += ["", "| parameters | label preservation | refined label acc. | synthetic label acc. | realism: synthetic vs real "
              "| realism: refined vs real | mean abs change (% of range) |", "|---|---|---|---|---|---|---|"]
    for kind, s in summary.items():
        lines.append(f"| {kind} | {fmt(s['preservation'])} | {fmt(s['refined_label_accuracy'])} | {fmt(s['synthetic_label_accuracy'])} "
                     f"| {fmt(s['realism_synthetic'])} | {fmt(s['realism_refined'])} | {fmt(s['mean_abs_change'])} |")
    lines += ["", f"Command: `{result['command']}`; {result['date']}; {result['machine']}; wall {wall / 60:.1f} min."]
    text = "\n".join(lines) + "\n"
    write_text_atomic(Path(args.out).with_suffix(".md"), text)
    print(text)


if __name__ == "__main__":
    main()
