"""Compare outer optimisers at equal budget on one LTS experiment, over several seeds.

Each method is one LTS run per seed with the experiment's budget (iterations × candidates
trained models); ``oracle`` trains at the hidden validation parameters (searcher ``fixed``).
Reports, mean ± std over seeds: the test metric of the model kept by each run (the best on
validation of all it trained), the test metric of fresh models trained at each run's learned
parameters (``--retrain`` models per run, new data and training seeds: this measures the
parameters rather than a lucky model), and the total-variation distance between the learned
and the hidden probabilities at the start and end (Simplex/Choice parameters).

    python benchmarks/lts_table.py --config experiments/car_counting.yaml \\
        --methods reinforce random-params random-search oracle --seeds 0 1 2 \\
        --out benchmarks/results/car_counting

Runs are resumable: an interrupted table picks up finished runs and resumes the others.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.config import load_config
from synthlearn.lts.config import LTSConfig
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.loop import LTSRun


def method_overrides(method: str, run: LTSRun) -> list[str]:
    if method != "oracle":
        return [f"searcher.name={method}"]
    if run.hidden is None:
        raise SystemExit("the oracle needs validation rendered from hidden parameters, not a dataset")
    hidden = json.dumps(run.hidden)
    return ["searcher.name=fixed", f"searcher.params={hidden}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--methods", nargs="+", default=["reinforce", "random-params", "random-search", "oracle"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--retrain", type=int, default=4, help="fresh models trained at each run's learned parameters")
    parser.add_argument("--set", dest="assignments", action="append", default=[], help="extra config overrides")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    rows = []
    with LocalExecutor(args.workers) as pool:
        for method in args.methods:
            base = LTSRun(load_config(args.config, args.assignments, LTSConfig), out)
            per_seed, retrained, tv_start, tv_end, seconds = [], [], [], [], []
            for seed in args.seeds:
                config = load_config(args.config, [*args.assignments, *method_overrides(method, base), f"seed={seed}"], LTSConfig)
                run_dir = out / method / f"seed-{seed}"
                print(f"{method} seed {seed} ...", flush=True)
                result = LTSRun(config, run_dir).result_or_run(pool)
                retrained.append(float(np.mean(LTSRun(config, run_dir).fresh_test_metrics(result["learned_params"], args.retrain, pool))))
                history = [json.loads(l) for l in (run_dir / "history.jsonl").read_text().splitlines()]
                seconds.append(history[-1]["seconds"]["elapsed"])
                per_seed.append(result["test"]["metric"])
                if "tv_to_validation" in result:
                    tv_start.append(result["tv_to_validation"]["start"])
                    tv_end.append(result["tv_to_validation"]["end"])
            row = {"method": method, "test_mean": float(np.mean(per_seed)), "test_std": float(np.std(per_seed)),
                   "per_seed": per_seed, "retrained_mean": float(np.mean(retrained)), "retrained_std": float(np.std(retrained)),
                   "retrained_per_seed": retrained, "seconds_per_run": float(np.mean(seconds)), "models_per_run": config.searcher.iterations * config.searcher.candidates}
            if tv_end:
                row["tv_start"] = {k: float(np.mean([t[k] for t in tv_start])) for k in tv_start[0]}
                row["tv_end"] = {k: float(np.mean([t[k] for t in tv_end])) for k in tv_end[0]}
                row["tv_end_std"] = {k: float(np.std([t[k] for t in tv_end])) for k in tv_end[0]}
            rows.append(row)
    metric = result["metric"]
    table = {"config": args.config, "metric": metric, "seeds": args.seeds, "rows": rows,
             "machine": f"{platform.machine()}, {args.workers} worker processes", "date": time.strftime("%Y-%m-%d")}
    write_json_atomic(out / "table.json", table)
    lines = [f"| method | test {metric}, kept model | per seed | test {metric}, fresh models at learned θ | TV start → end | models/run | s/run |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        tv = ", ".join(f"{k} {row['tv_start'][k]:.2f} → {row['tv_end'][k]:.2f}" for k in row.get("tv_end", {}))
        lines.append(f"| {row['method']} | {row['test_mean']:.4f} ± {row['test_std']:.4f} | "
                     f"{' '.join(f'{v:.4f}' for v in row['per_seed'])} | {row['retrained_mean']:.4f} ± {row['retrained_std']:.4f} | {tv} | {row['models_per_run']} | {row['seconds_per_run']:.0f} |")
    write_text_atomic(out / "table.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
