"""Sim-to-real on a real table: 10 labelled breast-cancer patients per class are all that is known.

Per seed, 10 rows per class of scikit-learn's breast-cancer set are the labelled real set
(standardised with their own mean and std); the other 549 rows are the test set. Three
softmax-regression models (task ``classify_tabular``, Adam) are compared on the test rows:

* ``real only``        -- trained on the 20 labelled rows;
* ``sim, fitted``      -- trained on ``train_size`` samples of ``tumors`` at the Gaussian fitted to
  the 20 rows (per-class, per-feature means and scales; correlation 0, separation 1, spread 1);
* ``sim, LTS``         -- LTS (REINFORCE) searches correlation, separation and spread around that
  fit, reward = accuracy on the 20 labelled rows; the kept model is tested.

Usage: python benchmarks/tabular_sim2real.py [--seeds 0 1 2] [--iterations 8]
Writes benchmarks/results/tabular_sim2real.json (per seed and mean ± std).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic
from synthlearn.config import parse_config
from synthlearn.data.tabular import load_tabular
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import LTSRun
from synthlearn.sim import get_simulator
from synthlearn.train import metrics
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import fit, predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch

TASK = {"name": "classify_tabular", "input_scale": 1.0, "epochs": 5, "batch_size": 32, "lr": 0.05}
PER_CLASS, TRAIN_SIZE = 10, 1000


def split(seed: int, data) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the labelled rows (PER_CLASS per class) and of the test rows."""
    rng = seeding.generator(seed, 1)
    labelled = np.concatenate([rng.choice(np.flatnonzero(data.label == k), PER_CLASS, replace=False) for k in range(data.classes)])
    return np.sort(labelled), np.setdiff1d(np.arange(len(data.label)), labelled)


def train_and_test(features, label, test_x, test_y, epochs: int, seed: int) -> float:
    config = TaskConfig(**{**TASK, "epochs": epochs})
    task = make_task(config)
    with single_thread_torch():
        x, y = task.tensors({"features": features, "label": label}, 1.0)
        model = build_model(config, task, x, 2, seed)
        fit(model, x, y, task, config.training(), seed)
        tx, ty = task.tensors({"features": test_x, "label": test_y}, 1.0)
        return metrics.accuracy(predict(model, tx), ty)


def one_seed(seed: int, data, iterations: int, workdir: Path) -> dict[str, float]:
    labelled, test = split(seed, data)
    mean, std = data.features[labelled].mean(0), data.features[labelled].std(0) + 1e-9
    x_lab, x_test = (data.features[labelled] - mean) / std, (data.features[test] - mean) / std
    y_lab, y_test = data.label[labelled], data.label[test]
    fitted = {"classes": 2, "features": x_lab.shape[1], "prior": [0.5, 0.5],
              "means": np.concatenate([x_lab[y_lab == k].mean(0) for k in (0, 1)]).tolist(),
              "scales": np.concatenate([np.maximum(x_lab[y_lab == k].std(0), 1e-3) for k in (0, 1)]).tolist()}
    sim = get_simulator("tumors").generate(fitted, TRAIN_SIZE, seed=seeding.child_seed(seed, 2))
    out = {"real only": train_and_test(x_lab, y_lab, x_test, y_test, 200, seed),
           "sim, fitted": train_and_test(sim["features"], sim["label"], x_test, y_test, TASK["epochs"], seed)}
    np.savez(workdir / f"labelled-{seed}.npz", features=x_lab, label=y_lab)
    np.savez(workdir / f"test-{seed}.npz", features=x_test, label=y_test)
    config = parse_config({
        "name": f"tabular-sim2real-{seed}", "seed": seed, "simulator": "tumors", "fixed": fitted, "train_size": TRAIN_SIZE,
        "learn": ["correlation", "separation", "spread"],
        "searcher": {"name": "reinforce", "candidates": 4, "iterations": iterations},
        "task": TASK, "validation": {"dataset": str(workdir / f"labelled-{seed}.npz")},
        "test": {"dataset": str(workdir / f"test-{seed}.npz")},
    }, LTSConfig)
    result = LTSRun(config, workdir / f"run-{seed}", figures=False).run(executor=LocalExecutor(1))
    out["sim, LTS"] = result["test"]["metric"]
    out["lts_learned"] = {k: result["learned_params"][k] for k in ("correlation", "separation", "spread")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "tabular_sim2real.json")
    args = parser.parse_args()
    data = load_tabular("sklearn:breast_cancer")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        per_seed = {seed: one_seed(seed, data, args.iterations, Path(tmp)) for seed in args.seeds}
    rows = {name: {"mean": float(np.mean([s[name] for s in per_seed.values()])),
                   "std": float(np.std([s[name] for s in per_seed.values()]))}
            for name in ("real only", "sim, fitted", "sim, LTS")}
    results = {"per_seed": per_seed, "rows": rows, "labelled_per_class": PER_CLASS, "train_size": TRAIN_SIZE,
               "iterations": args.iterations, "candidates": 4, "seconds": time.perf_counter() - start,
               "date": time.strftime("%Y-%m-%d")}
    write_json_atomic(args.out, results)
    for name, row in rows.items():
        print(f"{name:12s} {100 * row['mean']:.1f} ± {100 * row['std']:.1f} %")


if __name__ == "__main__":
    main()
