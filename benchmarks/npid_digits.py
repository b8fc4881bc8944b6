"""NPID on the digits demo's unlabelled real pool: pretraining for sim-to-real, and a label-free LTS reward.

The protocol of ``synthlearn demo`` (``synthlearn.demo``): scikit-learn's 1,797 real digits split
once (``split_real(seed=0)``) into 100 labelled validation images, an unlabelled pool and 898
test images; task model = the demo's SmallCNN (width 16, depth 3) trained on 2,000 synthetic
digits for 4 epochs. Per seed:

1. **Encoder**: NPID (full non-parametric softmax, τ 0.07, 60 epochs, no flips, crops of 50–100 %
   area) on the unlabelled real pool plus 2,000 synthetic digits at the default parameters;
   same width and depth as the task model. No label is read.
2. **Parameters**: θ_default (the simulator's defaults), θ_labelled (LTS reinforce rewarded by
   accuracy on the 100 labelled images, the demo's reinforce row: 12 iterations × 8 models) and
   θ_feature (the same search rewarded by −MMD² between synthetic and pool images in the
   encoder's feature space: no labels at all).
3. **Scores** at each θ, ``--models`` fresh models on new synthetic data each (streams the
   searches never used), real-test accuracy: from scratch (the demo's fresh column), NPID
   trunk + linear head on frozen features, NPID trunk fine-tuned. Differences are paired by
   seed and model (same synthetic data, same head initialisation).

    python benchmarks/npid_digits.py --out /tmp/npid-digits   # -> benchmarks/results/npid/digits.json
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthlearn import seeding
from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.data.shards import encode_npz
from synthlearn.data.sources import RealSpec, SyntheticSpec
from synthlearn.demo import DemoSettings, row_config, task_config
from synthlearn.execute.factory import make_executor
from synthlearn.lts.config import RewardSettings
from synthlearn.lts.loop import LTSRun
from synthlearn.sim import get_simulator
from synthlearn.ssl.augment import AugmentSettings
from synthlearn.ssl.config import EncoderSettings, MonitorSettings, NPIDConfig, NPIDData, ObjectiveSettings
from synthlearn.ssl.encoder import load_encoder
from synthlearn.ssl.train import NPIDRun
from synthlearn.ssl.transfer import fine_tune, head_only_accuracy
from synthlearn.train.classifier import accuracy_on, train_classifier

RESULTS = Path(__file__).parent / "results" / "npid" / "digits.json"
_NPID_STREAM, _EVAL_DATA, _EVAL_TRAIN = 61, 62, 63  # stream ids under a seed


@dataclass(frozen=True)
class EvalJob:
    encoder: str
    params: dict
    seed: int
    model: int
    theta: str
    test: str


def npid_config(seed: int, epochs: int) -> NPIDConfig:
    return NPIDConfig(
        name=f"digits-npid-{seed}", seed=seeding.child_seed(seed, _NPID_STREAM),
        data=NPIDData(source=SKLEARN_DIGITS, split="pool", split_seed=0,
                      synthetic=SyntheticSpec(simulator="digits", params={"pipeline": "optdigits8x8"}, n=2000, seed=seeding.child_seed(seed, _NPID_STREAM, 1))),
        encoder=EncoderSettings(width=16, depth=3), objective=ObjectiveSettings(kind="softmax"),
        augment=AugmentSettings(crop_scale=(0.5, 1.0), hflip=False), monitor=MonitorSettings(every=0), epochs=epochs, threads=1)


def evaluate_theta(job: EvalJob) -> dict:
    """Real-test accuracy of a from-scratch, a head-only and a fine-tuned model on new synthetic digits at ``job.params``."""
    config = task_config(DemoSettings())
    layers = get_simulator("digits").generate(job.params, 2000, seeding.child_seed(job.seed, _EVAL_DATA, job.model))
    test = np.load(job.test)
    train_seed = seeding.child_seed(job.seed, _EVAL_TRAIN, job.model)
    encoder, scale = load_encoder(job.encoder)
    scratch = train_classifier(layers["image"], layers["label"], config, train_seed)
    tuned = fine_tune(encoder, layers["image"], layers["label"], config, train_seed)
    return {
        "seed": job.seed, "theta": job.theta, "model": job.model,
        "scratch": accuracy_on(scratch, test["image"], test["label"], config.input_scale),
        "fine_tune": accuracy_on(tuned, test["image"], test["label"], config.input_scale),
        "head_only": head_only_accuracy(encoder, scale, layers["image"], layers["label"], test["image"], test["label"], train_seed),
    }


def stats(values: list[float]) -> dict:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "per_seed": [float(v) for v in values]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=60, help="NPID epochs.")
    parser.add_argument("--models", type=int, default=4, help="Fresh models per θ and seed.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="The demo's quick LTS budget (a smoke test, not a result).")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    load, start = os.getloadavg()[0], time.perf_counter()
    split = split_real(load_real(SKLEARN_DIGITS), seed=0)
    val_path, test_path = args.out / "data" / "validation.npz", args.out / "data" / "test.npz"
    write_bytes_atomic(val_path, encode_npz(split.validation.layers()))
    write_bytes_atomic(test_path, encode_npz(split.test.layers()))
    settings = DemoSettings.quick() if args.quick else DemoSettings()
    thetas: dict[int, dict[str, dict]] = {}
    searches: dict[str, list] = {"labelled": [], "feature": []}
    with make_executor("local", args.workers) as pool:
        for seed in args.seeds:
            encoder_run = args.out / "npid" / f"seed-{seed}"
            npid = NPIDRun(npid_config(seed, args.epochs), encoder_run).run(resume=True)
            print(f"seed {seed}: NPID {npid['seconds']:.0f} s, final loss {npid['final_loss']:.3f}", flush=True)
            labelled = row_config("reinforce", seed, settings, val_path, test_path)
            feature = labelled.model_copy(update={"name": "digits-feature-reward", "reward": RewardSettings(
                kind="feature-mmd", encoder=encoder_run, real=RealSpec(source=SKLEARN_DIGITS, split="pool", split_seed=0))})
            thetas[seed] = {"default": {"pipeline": "optdigits8x8"}}
            for name, config in (("labelled", labelled), ("feature", feature)):
                run = LTSRun(config, args.out / "lts" / name / f"seed-{seed}")
                result = run.run(executor=pool, resume=True)
                thetas[seed][name] = result["learned_params"]
                searches[name].append({"kept_test": result["test"]["metric"],
                                       "fresh_test": float(np.mean(run.fresh_test_metrics(result["learned_params"], args.models, pool)))})
                print(f"seed {seed}: LTS {name}: fresh {searches[name][-1]['fresh_test']:.3f}", flush=True)
        jobs = [EvalJob(str(args.out / "npid" / f"seed-{seed}"), params, seed, m, theta, str(test_path))
                for seed in args.seeds for theta, params in thetas[seed].items() for m in range(args.models)]
        records = pool.map(evaluate_theta, jobs)
    table = {}
    for theta in ("default", "labelled", "feature"):
        per_seed = {way: [float(np.mean([r[way] for r in records if r["theta"] == theta and r["seed"] == s])) for s in args.seeds]
                    for way in ("scratch", "head_only", "fine_tune")}
        table[theta] = {way: stats(v) for way, v in per_seed.items()}
        for way in ("head_only", "fine_tune"):
            table[theta][f"{way}_minus_scratch"] = stats([a - b for a, b in zip(per_seed[way], per_seed["scratch"])])
        print(f"θ {theta}: " + ", ".join(f"{w} {100 * table[theta][w]['mean']:.1f} ± {100 * table[theta][w]['std']:.1f}" for w in per_seed), flush=True)
    write_json_atomic(args.results, {
        "date": datetime.date.today().isoformat(), "load_at_start": load, "minutes": (time.perf_counter() - start) / 60,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "table": table, "searches": {k: {"kept_test": stats([r["kept_test"] for r in v]), "fresh_test": stats([r["fresh_test"] for r in v])}
                                     for k, v in searches.items()},
        "learned_params": {str(s): t for s, t in thetas.items()}, "records": records,
    })


if __name__ == "__main__":
    main()
