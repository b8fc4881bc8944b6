"""Probe: self-training on the UNLABELLED real pool, as a comparison for SimGAN refinement.

Both methods get the same inputs: synthetic digits with labels and the 799 unlabelled pool
images. Per seed: train the demo's task model on 2,000 digits at that seed's LTS-learned
parameters (from a demo ``results.json``), pseudo-label the pool with it, keep the
``--keep`` most confident share, retrain on synthetic + pseudo-labelled pool, and repeat for
``--rounds`` rounds. Reports validation and test accuracy per round, and how many kept pseudo
labels are right (the pool's true labels are used only for that count).

    python benchmarks/probe_self_training.py --learned benchmarks/results/demo/results.json \\
        --out benchmarks/results/probe_self_training.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.demo import DemoSettings, task_config
from synthlearn.train.classifier import accuracy_on, train_classifier
from synthlearn.sim import get_simulator
from synthlearn.train.fit import predict
from synthlearn.train.threads import single_thread_torch
from synthlearn.train.tasks import images_to_tensor

_DATA_STREAM, _FIRST_MODEL_STREAM, _ROUND_MODEL_STREAM = 71, 72, 73


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learned", required=True, help="a `synthlearn demo` results.json (its learned_params, per seed)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=float, default=0.8, help="share of the pool kept, most confident first")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    learned = json.loads(Path(args.learned).read_text())["learned_params"]
    split = split_real(load_real(SKLEARN_DIGITS), seed=0)
    task, sim, start, rows = task_config(DemoSettings.full()), get_simulator("digits"), time.perf_counter(), []
    scale = task.input_scale

    def scores(model: torch.nn.Module) -> dict[str, float]:
        return {"validation": accuracy_on(model, split.validation.images, split.validation.labels, scale),
                "test": accuracy_on(model, split.test.images, split.test.labels, scale)}

    for seed in args.seeds:
        layers = sim.generate(learned[str(seed)], args.n, seed=seeding.child_seed(seed, _DATA_STREAM))
        model = train_classifier(layers["image"], layers["label"], task, seeding.child_seed(seed, _FIRST_MODEL_STREAM))
        row = {"seed": seed, "rounds": [{"round": 0, **scores(model)}]}
        for r in range(1, args.rounds + 1):
            with single_thread_torch():
                confidence, pseudo = torch.softmax(predict(model, images_to_tensor(split.pool, scale)), dim=1).max(dim=1)
            keep = (confidence >= torch.quantile(confidence, 1.0 - args.keep)).numpy()
            images = np.concatenate([layers["image"], split.pool[keep]])
            labels = np.concatenate([layers["label"], pseudo.numpy()[keep]])
            model = train_classifier(images, labels, task, seeding.child_seed(seed, _ROUND_MODEL_STREAM, r))
            right = float((pseudo.numpy()[keep] == split.pool_labels[keep]).mean())
            row["rounds"].append({"round": r, **scores(model), "pseudo_label_accuracy": right, "kept": int(keep.sum())})
        rows.append(row)
    print("round | validation | test | pseudo labels right")
    summary = []
    for r in range(args.rounds + 1):
        cells = [row["rounds"][r] for row in rows]
        entry = {k: {"mean": float(np.mean([c[k] for c in cells])), "std": float(np.std([c[k] for c in cells]))}
                 for k in cells[0] if k not in ("round", "kept")}
        summary.append({"round": r, **entry})
        pl = entry.get("pseudo_label_accuracy")
        print(f"{r} | {100 * entry['validation']['mean']:.1f} ± {100 * entry['validation']['std']:.1f} | "
              f"{100 * entry['test']['mean']:.1f} ± {100 * entry['test']['std']:.1f} | "
              + (f"{100 * pl['mean']:.1f} ± {100 * pl['std']:.1f}" if pl else "-"))
    write_json_atomic(args.out, {"args": vars(args), "rows": rows, "summary": summary, "wall_seconds": time.perf_counter() - start,
                                 "machine": f"{platform.machine()}, 1 process", "date": time.strftime("%Y-%m-%d")})


if __name__ == "__main__":
    main()
