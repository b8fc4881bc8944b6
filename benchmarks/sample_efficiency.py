"""Sample efficiency of the outer optimisers, side by side: best-so-far validation reward vs models trained.

Every method is one LTS run per seed at the same budget (``iterations × candidates`` trained
models). From each run's ``history.jsonl`` the per-model validation rewards are read in
training order (:mod:`synthlearn.lts.efficiency`); the table gives, median [min–max] over
seeds, the models trained until the first one reached 95 % of the reference reward (∞ = not
within the budget) and the best reward at the end of the budget.

Problems and their reference reward:

* ``car-counting`` (``experiments/car_counting.yaml``; reward −MAE on validation rendered from
  hidden parameters): the oracle, the mean validation reward of ``--oracle-models`` models per
  seed trained at the hidden parameters (searcher ``fixed``). For a negative reward "95 %" means
  an MAE at most 1/0.95 times the oracle's.
* ``digits`` (the demo's task, ``synthlearn.demo.row_config``; reward = accuracy on the 100 real
  validation digits): no oracle exists on real data, so the reference is the best validation
  reward any method reached in any seed at this budget.

    python benchmarks/sample_efficiency.py --problems car-counting digits \\
        --methods reinforce random-params random-search optuna-tpe optuna-cmaes --seeds 0 1 2 \\
        --budget car-counting=20x4 digits=8x8 --out benchmarks/results/sample_efficiency

Runs go to ``RUNS/PROBLEM/ITERATIONSxCANDIDATES/METHOD/seed-S`` (``--runs``, default the git-ignored
``runs/sample_efficiency``; the table and JSON to ``--out``) and are reused when finished
(resumed when interrupted), so the table can be grown seed by seed. Runs are done seed by
seed (every method's seed 0 first) so that a cut-short table stays balanced. One worker
process, one torch thread.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from synthlearn.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic
from synthlearn.config import load_config
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.data.shards import encode_npz
from synthlearn.demo import DemoSettings, row_config
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.efficiency import best_so_far, curve_band, models_to_reach, reward_threshold, rewards_in_training_order, spread
from synthlearn.lts.loop import LTSRun

sys.path.insert(0, str(Path(__file__).parent))
from lts_table import method_overrides  # noqa: E402  (the oracle's `fixed` overrides, shared with the LTS table)

PROBLEMS = ("car-counting", "digits")
METHODS = ("reinforce", "random-params", "random-search", "optuna-tpe", "optuna-cmaes")
CAR_COUNTING = Path(__file__).parents[1] / "experiments" / "car_counting.yaml"
FRACTION = 0.95


def parse_budgets(items: list[str], problems: list[str]) -> dict[str, tuple[int, int]]:
    """``["20x4"]`` (every problem) or ``["car-counting=20x4", "digits=8x8"]`` → {problem: (iterations, candidates)}.
    A problem without a budget gets its own default (car counting: the YAML's 40×4; digits: the demo's 12×8)."""
    budgets = {"car-counting": (40, 4), "digits": (DemoSettings.full().iterations, DemoSettings.full().candidates)}
    for item in items:
        name, _, size = item.rpartition("=")
        iterations, _, candidates = size.partition("x")
        if (name and name not in PROBLEMS) or not (iterations.isdigit() and candidates.isdigit()):
            raise SystemExit(f"--budget {item!r}: expected ITERATIONSxCANDIDATES or PROBLEM=ITERATIONSxCANDIDATES (problems: {', '.join(PROBLEMS)})")
        for problem in [name] if name else problems:
            budgets[problem] = (int(iterations), int(candidates))
    return budgets


def car_counting_config(method: str, seed: int, iterations: int, candidates: int) -> LTSConfig:
    """The car-counting experiment for ``method`` (``oracle``: searcher ``fixed`` at the hidden parameters)."""
    base = LTSRun(load_config(CAR_COUNTING, [], LTSConfig), Path("unused"), figures=False)
    budget = [f"searcher.iterations={iterations}", f"searcher.candidates={candidates}", "executor.workers=1", f"seed={seed}"]
    return load_config(CAR_COUNTING, [*method_overrides(method, base), *budget], LTSConfig)


def digits_config(method: str, seed: int, iterations: int, candidates: int, validation: Path) -> LTSConfig:
    """The demo's digits experiment for ``method``; the real test split is never loaded."""
    config = row_config("reinforce", seed, DemoSettings.full(), validation, validation)
    searcher = config.searcher.model_copy(update={"name": method, "iterations": iterations, "candidates": candidates})
    return config.model_copy(update={"searcher": searcher, "test": None})


def run_rewards(config: LTSConfig, run_dir: Path, executor: LocalExecutor) -> tuple[np.ndarray, float]:
    """The ``(models,)`` validation rewards of a finished run (run or resumed first if needed) and its elapsed seconds."""
    print(f"  {run_dir} ...", flush=True)
    LTSRun(config, run_dir, figures=False).result_or_run(executor)
    history = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
    return rewards_in_training_order(history), float(history[-1]["seconds"]["elapsed"])


def summarise_problem(name: str, rewards: dict[str, list[np.ndarray]], seconds: dict[str, list[float]], reference: float,
                      reference_note: str, budget: tuple[int, int], seeds: list[int]) -> dict[str, Any]:
    """One problem's JSON: the reference and threshold, and per method the per-seed curves and their spreads."""
    threshold = reward_threshold(reference, FRACTION)
    methods = {}
    for method, runs in rewards.items():
        curves = [best_so_far(r) for r in runs]
        needed = [models_to_reach(r, threshold) for r in runs]
        methods[method] = {
            "seeds": seeds[:len(runs)],
            "models_to_threshold": needed, "models_to_threshold_spread": spread(needed),
            "reached": sum(math.isfinite(n) for n in needed),
            "final_best": [float(c[-1]) for c in curves], "final_best_spread": spread([c[-1] for c in curves]),
            "best_so_far": [c.tolist() for c in curves],
            "seconds_per_run": float(np.mean(seconds[method])),
        }
    return {"problem": name, "budget": {"iterations": budget[0], "candidates": budget[1], "models": budget[0] * budget[1]},
            "reference": reference, "reference_is": reference_note, "fraction": FRACTION, "threshold": threshold, "methods": methods}


def markdown(problems: list[dict[str, Any]]) -> str:
    def fmt(value: float, digits: int) -> str:
        return "∞" if math.isinf(value) else f"{value:.{digits}f}"

    lines = []
    for p in problems:
        b = p["budget"]
        lines += [f"**{p['problem']}** — {b['models']} models per run ({b['iterations']} × {b['candidates']}); reference "
                  f"{p['reference']:.4f} ({p['reference_is']}); 95 % threshold {p['threshold']:.4f}", "",
                  "| method | models to 95 %, median [min–max] | reached (seeds) | best reward at budget, median [min–max] | s/run |",
                  "|---|---|---|---|---|"]
        for method, m in p["methods"].items():
            n, f = m["models_to_threshold_spread"], m["final_best_spread"]
            lines.append(f"| {method} | {fmt(n['median'], 0)} [{fmt(n['min'], 0)}–{fmt(n['max'], 0)}] | {m['reached']}/{len(m['seeds'])} | "
                         f"{f['median']:.4f} [{f['min']:.4f}–{f['max']:.4f}] | {m['seconds_per_run']:.0f} |")
        lines.append("")
    return "\n".join(lines)


def plot(problems: list[dict[str, Any]], path: Path) -> None:
    """One panel per problem: median best-so-far reward vs models trained, min–max band over seeds, the 95 % line."""
    from synthlearn.report.plots import _pyplot, save_figure

    plt = _pyplot()
    fig, axes = plt.subplots(1, len(problems), figsize=(6 * len(problems), 4.2), squeeze=False)
    for ax, p in zip(axes[0], problems):
        for method, m in p["methods"].items():
            band = curve_band(m["best_so_far"])
            x = np.arange(1, len(band["median"]) + 1)
            (line,) = ax.plot(x, band["median"], label=f"{method} ({len(m['seeds'])} seeds)")
            ax.fill_between(x, band["low"], band["high"], color=line.get_color(), alpha=0.15)
        ax.axhline(p["reference"], color="black", lw=1, label=f"reference: {p['reference_is']}")
        ax.axhline(p["threshold"], color="black", lw=1, ls="--", label="95 % of reference")
        ax.set(title=p["problem"], xlabel="models trained", ylabel="best validation reward so far")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", nargs="+", choices=PROBLEMS, default=list(PROBLEMS))
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", nargs="+", default=[], help="ITERATIONSxCANDIDATES, optionally PROBLEM=…, e.g. car-counting=20x4")
    parser.add_argument("--oracle-models", type=int, default=8, help="car counting: models per seed trained at the hidden parameters")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/sample_efficiency"), help="table and JSON")
    parser.add_argument("--runs", type=Path, default=Path("runs/sample_efficiency"), help="the LTS run folders")
    parser.add_argument("--figure", type=Path, default=Path("docs/figures/sample_efficiency.png"))
    args = parser.parse_args()
    budgets = parse_budgets(args.budget, args.problems)
    started = time.perf_counter()
    summaries = []
    with LocalExecutor(1) as executor:
        for problem in args.problems:
            iterations, candidates = budgets[problem]
            root = args.runs / problem / f"{iterations}x{candidates}"
            if problem == "digits":
                validation = args.runs / problem / "validation.npz"
                write_bytes_atomic(validation, encode_npz(split_real(load_real(SKLEARN_DIGITS), seed=0).validation.layers()))
                make = lambda method, seed, it, k: digits_config(method, seed, it, k, validation)  # noqa: E731
            else:  # car counting: the oracle first, it is cheap and every method is scored against it
                make = car_counting_config
                oracle_iterations = math.ceil(args.oracle_models / candidates)
                oracle = [run_rewards(make("oracle", seed, oracle_iterations, candidates),
                                      args.runs / problem / f"oracle-{oracle_iterations}x{candidates}" / f"seed-{seed}", executor)[0]
                          for seed in args.seeds]
            rewards: dict[str, list[np.ndarray]] = {m: [] for m in args.methods}
            seconds: dict[str, list[float]] = {m: [] for m in args.methods}
            for seed in args.seeds:
                for method in args.methods:
                    r, s = run_rewards(make(method, seed, iterations, candidates), root / method / f"seed-{seed}", executor)
                    rewards[method].append(r)
                    seconds[method].append(s)
            if problem == "car-counting":
                reference = float(np.mean(np.concatenate(oracle)))
                note = f"oracle: mean of {sum(map(len, oracle))} models at the hidden parameters"
            else:
                reference = float(max(r.max() for runs in rewards.values() for r in runs))
                note = "best validation reward of any method and seed"
            summaries.append(summarise_problem(problem, rewards, seconds, reference, note, budgets[problem], args.seeds))
    table = {"problems": summaries, "seeds": args.seeds, "methods": args.methods, "machine": f"{platform.machine()}, 1 worker, 1 torch thread",
             "date": time.strftime("%Y-%m-%d"), "seconds": time.perf_counter() - started}
    write_json_atomic(args.out / "sample_efficiency.json", table)
    write_text_atomic(args.out / "sample_efficiency.md", markdown(summaries))
    plot(summaries, args.figure)
    print(markdown(summaries))
    print(f"wall time {table['seconds']:.0f} s")


if __name__ == "__main__":
    main()
