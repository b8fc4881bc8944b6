"""Meta-Q-Learning's comparison: TD3, TD3-context, MQL and an oracle, on held-out tasks (point robot by default).

Rows (all trained for the same ``--steps`` environment steps, config ``--config``, by default
``experiments/rl_point_robot.yaml``; the descriptions below are the point robot's, other families
such as ``experiments/rl_halfcheetah_vel.yaml`` have the same rows over their own task splits):

* ``td3`` -- multi-task TD3 without context over the 40 training goals (upper half circle);
* ``td3-context`` -- the same with the GRU context, evaluated without adaptation;
* ``mql`` -- the *same* td3-context agent (one training per seed), adapted to each test task
  (one episode, propensity-weighted updates on the meta-training buffer), then rolled back;
* ``oracle`` -- TD3 without context trained on one test goal alone for the same steps; to fit
  the CPU budget it is trained on ``--oracle-tasks`` goals per split (the first ones of the split; 0 = no
  oracle), and the other rows are also reported on that same subset.

Splits: ``test`` = 20 new goals on the upper half circle (the training range), ``test-out`` = 20
goals on the lower half (outside it). Each seed's score is the mean return over a split's goals;
rows are mean ± std over ``--seeds``. Speed (env steps/s, gradient updates/s, adaptation
seconds per task) is measured in the same runs, one torch thread per process, ``--workers``
processes. Writes ``benchmarks/results/<config name>/results.json`` and ``table.md``.

    python benchmarks/mql_comparison.py --seeds 0 1 2 --steps 6000 --workers 2
    python benchmarks/mql_comparison.py --config experiments/rl_halfcheetah_vel.yaml --seeds 0 1 2 --steps 50000 --oracle-tasks 0
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")

from synthlearn.atomic import write_json_atomic, write_text_atomic  # noqa: E402
from synthlearn.config import load_config  # noqa: E402
from synthlearn.rl.config import RLConfig  # noqa: E402
from synthlearn.rl.evaluate import evaluate_tasks, load_run  # noqa: E402
from synthlearn.rl.run import RLRun, task_set  # noqa: E402
from synthlearn.sim.rl import make_family  # noqa: E402

RESULTS = Path(__file__).parent / "results"
CONFIG = Path(__file__).parents[1] / "experiments" / "rl_point_robot.yaml"
SPLITS = ("test", "test-out")


def _config(path: str | Path, seed: int, method: str, steps: int, overrides: list[str]) -> RLConfig:
    return load_config(path, [f"seed={seed}", f"method={method}", f"training.steps={steps}", *overrides], RLConfig)


def _returns(result: dict[str, Any]) -> list[float]:
    return [row["return"] for row in result["tasks"]]


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """One training run and its evaluations: ``kind`` td3 | td3-context (also gives mql) | oracle."""
    seed, kind, out = job["seed"], job["kind"], Path(job["out"])
    config = _config(job["config"], seed, "td3" if kind in ("td3", "oracle") else "mql", job["steps"], job["overrides"])
    family = make_family(config.tasks.family)
    started = time.perf_counter()
    train_tasks = [job["task"]] if kind == "oracle" else None
    result = RLRun(config, out, train_tasks=train_tasks).run()
    seconds = time.perf_counter() - started
    _, _, agent, buffer = load_run(out)
    record = {"kind": kind, "seed": seed, "train_seconds": seconds, "result": result, "evaluations": {}}
    if kind == "oracle":
        record["split"], record["index"] = job["split"], job["index"]
        record["evaluations"]["oracle"] = evaluate_tasks(agent, family, [job["task"]], config, None, job["split"], 1)
        return record
    for split in SPLITS:
        tasks = task_set(config, family, split)
        record["evaluations"][f"{kind}/{split}"] = evaluate_tasks(agent, family, tasks, config, None, split, 1)
        if kind == "td3-context":
            started = time.perf_counter()
            record["evaluations"][f"mql/{split}"] = evaluate_tasks(agent, family, tasks, config, buffer, split, 1)
            record[f"adapt_seconds_per_task/{split}"] = (time.perf_counter() - started) / len(tasks)
    return record


def _mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "n": len(values)}


def summarise(records: list[dict[str, Any]], seeds: list[int], oracle_tasks: int) -> dict[str, Any]:
    """Per split and row: mean ± std over seeds of the mean return over the split's tasks (all, and the oracle subset)."""
    summary: dict[str, Any] = {}
    for split in SPLITS:
        rows: dict[str, Any] = {}
        for method, kind in (("td3", "td3"), ("td3-context", "td3-context"), ("mql", "td3-context")):
            per_seed = [next(r for r in records if r["kind"] == kind and r["seed"] == s)["evaluations"][f"{method}/{split}"] for s in seeds]
            rows[method] = {"all": _mean_std([np.mean(_returns(e)) for e in per_seed])}
            if oracle_tasks:
                rows[method]["oracle_subset"] = _mean_std([np.mean(_returns(e)[:oracle_tasks]) for e in per_seed])
            if method == "mql":
                rows[method]["beta_mean"] = _mean_std([np.mean([t["beta_mean"] for t in e["tasks"]]) for e in per_seed])
                rows[method]["ess"] = _mean_std([np.mean([t["ess"] for t in e["tasks"]]) for e in per_seed])
                rows[method]["lam"] = _mean_std([np.mean([t["lam"] for t in e["tasks"]]) for e in per_seed])
        oracle = [[r["evaluations"]["oracle"]["tasks"][0]["return"] for r in records if r["kind"] == "oracle" and r["seed"] == s and r["split"] == split]
                  for s in seeds]
        rows["oracle"] = {"oracle_subset": _mean_std([np.mean(o) for o in oracle])} if all(oracle) else {}
        summary[split] = rows
    speed = {}
    for kind in ("td3", "td3-context", "oracle"):
        runs = [r["result"] for r in records if r["kind"] == kind]
        if not runs:
            continue
        speed[kind] = {"env_steps_per_second": _mean_std([r["env_steps_per_second"] for r in runs]),
                       "updates_per_second": _mean_std([r["updates_per_second"] for r in runs]),
                       "train_seconds": _mean_std([r["train_seconds"] for r in records if r["kind"] == kind])}
    speed["mql_adapt_seconds_per_task"] = _mean_std([r[f"adapt_seconds_per_task/{s}"] for r in records if r["kind"] == "td3-context" for s in SPLITS])
    summary["speed"] = speed
    return summary


def table(summary: dict[str, Any]) -> str:
    def cell(stat: dict[str, float] | None) -> str:
        return f"{stat['mean']:.2f} ± {stat['std']:.2f}" if stat else "-"

    lines = ["| row | test (all) | test (oracle subset) | test-out (all) | test-out (oracle subset) |", "|---|---|---|---|---|"]
    for method in ("td3", "td3-context", "mql", "oracle"):
        parts = [cell(summary[split][method].get(k)) for split in SPLITS for k in ("all", "oracle_subset")]
        lines.append(f"| {method} | " + " | ".join(parts) + " |")
    for split in SPLITS:
        m = summary[split]["mql"]
        lines.append(f"\nmql on {split}: mean β {cell(m['beta_mean'])}, ESS {cell(m['ess'])}, λ {cell(m['lam'])}")
    s = summary["speed"]
    lines.append("\n| run | env steps/s | gradient updates/s | training seconds |\n|---|---|---|---|")
    for kind in (k for k in ("td3", "td3-context", "oracle") if k in s):
        lines.append(f"| {kind} | {cell(s[kind]['env_steps_per_second'])} | {cell(s[kind]['updates_per_second'])} | {cell(s[kind]['train_seconds'])} |")
    lines.append(f"\nmql adaptation: {cell(s['mql_adapt_seconds_per_task'])} s per task")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=CONFIG, help="The experiment (its family, networks, tasks).")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=6000, help="Environment steps of every training run.")
    parser.add_argument("--oracle-tasks", type=int, default=2, help="Test goals per split the oracle is trained on (per seed).")
    parser.add_argument("--workers", type=int, default=2, help="Processes (each one torch thread).")
    parser.add_argument("--runs", type=Path, default=None, help="Folder for the run folders (default: a temporary one).")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="Config override key.path=VALUE.")
    args = parser.parse_args()
    runs = args.runs or Path(tempfile.mkdtemp(prefix="mql_comparison_"))
    base = _config(args.config, args.seeds[0], "td3", args.steps, args.overrides)
    family = make_family(base.tasks.family)
    jobs = []
    for seed in args.seeds:
        for kind in ("td3-context", "td3"):
            jobs.append({"kind": kind, "seed": seed, "steps": args.steps, "overrides": args.overrides, "config": str(args.config),
                         "out": str(runs / f"{kind}-{seed}")})
        for split in SPLITS:
            for index, task in enumerate(task_set(base, family, split)[: args.oracle_tasks]):
                jobs.append({"kind": "oracle", "seed": seed, "steps": args.steps, "overrides": args.overrides, "config": str(args.config),
                             "split": split, "index": index, "task": task, "out": str(runs / f"oracle-{seed}-{split}-{index}")})
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        records = []
        for record in pool.map(run_job, jobs):
            records.append(record)
            print(f"done {record['kind']} seed {record['seed']} ({len(records)}/{len(jobs)}, {time.perf_counter() - started:.0f} s)", flush=True)
    summary = summarise(records, args.seeds, args.oracle_tasks)
    summary["wall_seconds"] = time.perf_counter() - started
    settings = {"config": str(args.config), "seeds": args.seeds, "steps": args.steps, "oracle_tasks": args.oracle_tasks, "workers": args.workers,
                "overrides": args.overrides, "config": base.model_dump(mode="json"), "cpu_count": os.cpu_count()}
    results = RESULTS / args.config.stem
    results.mkdir(parents=True, exist_ok=True)
    write_json_atomic(results / "results.json", {"settings": settings, "summary": summary, "records": records})
    text = table(summary)
    write_text_atomic(results / "table.md", f"steps {args.steps}, seeds {args.seeds}, wall {summary['wall_seconds']:.0f} s\n\n{text}")
    print(text)


if __name__ == "__main__":
    main()
