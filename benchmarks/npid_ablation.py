"""NPID's ablation (Wu et al. 2018, Table 1 / Figure 3) on real Fashion-MNIST, with its floor and ceiling.

Every learned row trains the same encoder (``SmallCNN`` width ``--width``, depth 4, 128-d
embedding) for the same number of steps: ``--epochs`` passes over a seeded ``--subset`` of the
60,000 training images, SGD 0.03 with a cosine decay, batch 128, the paper's augmentations
(``experiments/npid_fashion.yaml``). Rows:

* ``parametric`` -- a linear layer with one output per image, cross-entropy (the paper's baseline);
* ``softmax`` -- the non-parametric softmax over the whole memory bank;
* ``nce-m`` -- NCE with m noise slots, m in ``--noise`` (the paper: 1, 10, 512, 4096);
* floors: weighted kNN on raw pixels, and the features of the same network at its random initialisation;
* ceiling: the same backbone trained with the labels of the same images, for the same epochs.

Scores, on the 10,000 test images: weighted kNN (k = 200, τ = 0.07; memory = the embeddings of
all 60,000 training images with their labels) and a linear probe (logistic regression trained
on the embeddings of the ``--subset`` training images). Labels are read only for scoring. Mean ±
std over ``--seeds`` for the ``--main`` rows (the first seed only for the others); a seed also draws the subset. Runs go to ``--out`` (resumable), the table to
``benchmarks/results/npid/ablation.json``.

    make data   # apt-get install dataset-fashion-mnist
    python benchmarks/npid_ablation.py --out /tmp/npid-ablation
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic
from synthlearn.data.fashion_mnist import load_fashion_mnist
from synthlearn.execute.factory import make_executor
from synthlearn.ssl.config import EncoderSettings, MonitorSettings, NPIDConfig, NPIDData, ObjectiveSettings
from synthlearn.ssl.data import _SUBSET_STREAM, to_unit_tensor
from synthlearn.ssl.encoder import Encoder, embed, load_encoder
from synthlearn.ssl.evaluate import score_features
from synthlearn.ssl.train import NPIDRun
from synthlearn.train.classifier import accuracy_on, train_classifier
from synthlearn.train.config import TaskConfig
from synthlearn.train.threads import single_thread_torch

RESULTS = Path(__file__).parent / "results" / "npid" / "ablation.json"


@dataclass(frozen=True)
class Job:
    row: str
    seed: int
    subset: int
    epochs: int
    width: int
    out: str


def _objective(row: str) -> ObjectiveSettings:
    if row.startswith("nce-"):
        return ObjectiveSettings(kind="nce", noise=int(row[4:]))
    return ObjectiveSettings(kind=row)


def _subset_index(seed: int, subset: int) -> np.ndarray:
    """The training images a seed's runs see (the same choice ``NPIDData.subset`` makes)."""
    return np.sort(seeding.generator(seed, _SUBSET_STREAM).choice(60_000, subset, replace=False))


def _score(features_train: torch.Tensor, features_test: torch.Tensor, subset: np.ndarray, seed: int) -> dict[str, float]:
    train_y, test_y = load_fashion_mnist("train")[1], load_fashion_mnist("test")[1]
    knn = score_features(features_train, train_y, features_test, test_y, probe=False)
    probe = score_features(features_train[subset], train_y[subset], features_test, test_y, seed=seed)
    return {"knn_accuracy": knn["knn_accuracy"], "linear_probe_accuracy": probe["linear_probe_accuracy"]}


def _embed_all(encoder: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    with single_thread_torch():
        return tuple(embed(encoder, to_unit_tensor(load_fashion_mnist(split)[0], 255.0)) for split in ("train", "test"))


def run_job(job: Job) -> dict:
    """Train one row's encoder (or build the floor / ceiling) and score it."""
    start = time.perf_counter()
    subset = _subset_index(job.seed, job.subset)
    if job.row == "random-init":
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seeding.child_seed(job.seed, 1))  # the initialisation every learned row starts from
            encoder = Encoder(EncoderSettings(width=job.width, depth=4), 28)
        scores = _score(*_embed_all(encoder), subset, job.seed)
    elif job.row == "supervised":
        images, labels = load_fashion_mnist("train")
        config = TaskConfig(name="classify", input_scale=255.0, width=job.width, depth=4, epochs=job.epochs, batch_size=128, lr=3e-3)
        model = train_classifier(images[subset], labels[subset], config, seeding.child_seed(job.seed, 1))
        test_images, test_labels = load_fashion_mnist("test")
        scores = {"test_accuracy": accuracy_on(model, test_images, test_labels, 255.0)}
    else:
        config = NPIDConfig(name=job.row, seed=job.seed, data=NPIDData(source="fashion-mnist:train", subset=job.subset),
                            encoder=EncoderSettings(width=job.width, depth=4), objective=_objective(job.row),
                            monitor=MonitorSettings(every=0), epochs=job.epochs, threads=1)
        folder = Path(job.out) / job.row / f"seed-{job.seed}"
        result = NPIDRun(config, folder).run(resume=True)
        encoder, _ = load_encoder(folder)
        scores = {**_score(*_embed_all(encoder), subset, job.seed), "final_loss": result["final_loss"],
                  "images_per_second": result["images_per_second"]}
    return {"row": job.row, "seed": job.seed, **scores, "seconds": time.perf_counter() - start}


def pixel_floor(seed: int, subset: int) -> dict[str, float]:
    """Weighted kNN (k = 200 as for the features, and k = 10) and a linear probe on L2-normalised raw pixels."""
    flat = lambda split: torch.nn.functional.normalize(to_unit_tensor(load_fashion_mnist(split)[0], 255.0).flatten(1), dim=1)  # noqa: E731
    train, test = flat("train"), flat("test")
    k10 = score_features(train, load_fashion_mnist("train")[1], test, load_fashion_mnist("test")[1], k=10, probe=False)
    return {**_score(train, test, _subset_index(seed, subset), seed), "knn10_accuracy": k10["knn_accuracy"]}


def summarise(records: list[dict], key: str) -> dict:
    values = [r[key] for r in records]
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "per_seed": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder of the NPID runs (resumable).")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--subset", type=int, default=10_000, help="Training images per run.")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--noise", type=int, nargs="+", default=[1, 10, 512, 4096])
    parser.add_argument("--main", nargs="+", default=["parametric", "softmax", "nce-4096", "random-init", "supervised"],
                        help="Rows run for every seed; the others run for the first seed only.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = ["parametric", "softmax", *(f"nce-{m}" for m in args.noise), "random-init", "supervised"]
    jobs = [Job(row, seed, args.subset, args.epochs, args.width, str(args.out))
            for seed in args.seeds for row in rows if row in args.main or seed == args.seeds[0]]
    start = time.perf_counter()
    with make_executor("local", args.workers) as pool:
        records = pool.map(run_job, jobs)
    pixels = [{"row": "pixels", "seed": seed, **pixel_floor(seed, args.subset)} for seed in args.seeds]
    table = []
    for row in ["pixels", *rows]:
        mine = [r for r in [*records, *pixels] if r["row"] == row and (row in args.main or row == "pixels" or r["seed"] == args.seeds[0])]
        keys = [k for k in ("knn_accuracy", "knn10_accuracy", "linear_probe_accuracy", "test_accuracy") if k in mine[0]]
        table.append({"row": row, **{k: summarise(mine, k) for k in keys}})
        print(f"| {row} | " + " | ".join(f"{k}: {100 * np.mean([r[k] for r in mine]):.1f} ± {100 * np.std([r[k] for r in mine]):.1f}" for k in keys) + " |")
    write_json_atomic(args.results, {
        "date": datetime.date.today().isoformat(), "load_at_start": load, "minutes": (time.perf_counter() - start) / 60,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}, "rows": table, "records": records,
    })


if __name__ == "__main__":
    main()
