"""SimGAN on an appearance gap: grey MNIST digits -> MNIST-M-style colour targets (issue 14).

Data, per seed (every draw from a stream ``seeding.child_seed(seed, stream, ...)``): the 10,000
real MNIST digits (``load_real("mnist")``) are split by a seeded permutation into two DISJOINT
halves. Source half: 4,500 labelled grey digits (replicated to RGB) that every source-side model
trains on, plus 500 held out from all training (label preservation, realism, the figure). Target
half: 5,000 digits blended with photo crops (``make_mnist_m``) and split by the protocol
(``split_real``): test = half of each class (~2,500; used for nothing but the final numbers),
validation = 10 per class (every choice below), the rest (~2,400) the UNLABELLED pool.

Rows (the same task model, ``TASK``, trained with the same settings; test accuracy on the target):

1. source-only -- trained on the grey source digits;
2. refined -- a SimGAN refiner (``run_refiner``, ``MNIST_M_SIMGAN``) trained on the source digits
   against the unlabelled pool only; the task model trained on the refined source digits
   (same initialisation and minibatch order as row 1);
3. self-training -- ``self_train`` from the source digits on the pool (round 0 is a source-only
   model with its own init stream), rounds 1-3 keep a growing, class-balanced share of the
   pseudo-labelled pool; the round is chosen on validation (``chosen_round``);
4. refined + self-training -- the same, starting from the refined digits;
5. target-trained (ceiling) -- trained on the pool with its true labels (~2,400 images,
   the same epochs, so about half the optimiser steps of rows 1-2).

Also: label preservation (``label_preservation``: the source-only model's class for R(x) equals
its class for x, on the 500 held-out digits), the same read by the target-trained model
(accuracy of the ceiling model on R(x) against x's label), and realism (``realism_accuracy``: a
CNN trained to tell X from the pool, tested on held-out X vs the test images; 0.5 = can't tell).

The refiner input. The library's refiner is deterministic (no noise input), and one grey digit
must become many different photo textures. Without touching the library, the refiner's input is
the RGB digit plus smooth random colour noise whose mean over the channels is exactly 0
(:func:`chroma_noise`: two Gaussian fields on a 2×2 grid, upsampled, along the two colour axes
orthogonal to grey, amplitude 120 grey levels); with ``psi: channel_mean`` the
self-regularisation compares R(x) with the clean grey digit. The task model trains on the
refiner's OUTPUT; the noise is only the refiner's source of randomness (like PixelDA's noise
vector). The refiner is residual (starts at the identity), 16 maps × 3 blocks; D is the paper's
patch discriminator made small (32-32-16-16, strides 2-2, padding 1: a 7×7 map of patches).

Settings search (seed 0; score = validation accuracy of the task model trained on the refined
4,500 digits; source-only: 10 %, the model puts nearly every target image in one class; the
100-image validation set has a standard error of ~5 points). Base: width 16 × 3 blocks, residual,
D 32-32-16-16, batch 64, lr 1e-3 / 1e-3, Kg 1, Kd 1, D pretrained 50 steps, history 4,096,
ψ = channel_mean.

* no noise, 300 steps: λ 0.05 → 20 (background barely changes); λ 0.01 → 10; λ 0, semantic 0.5
  → 10 (D wins, refiner stays at the source look); λ 0.01, Kg 2 → 22 (one mode: every digit a dark
  purple stroke on the same beige ground; labels kept);
* chroma noise on a 7×7 grid, λ 0.01, 300 steps: amplitude 60 → 35; 60 with Kg 2 → 15 (strokes
  fade into the background); 100, Kg 2 → 16; 60, Kg 2, λ 0 → 17; semantic term 1.0 (frozen
  classifier trained on the source digits, ``semantic``) with Kg 2 → 21 and with Kg 1 → 16: a
  classifier trained on grey digits only accepts grey-looking digits, so it pins the refiner to
  the source look (D wins 0.99 of refined patches);
* 800 steps, λ 0.01: 7×7 grid, amplitude 60 → 35 (all digits the same brown texture); 2×2 grid:
  60 → 51, **120 → 61 (chosen)**, 200 → 35 (collapsed to one navy mode); 1×1 grid (one colour
  per image), 120 → 44; 2×2 grid, 120, λ 0.1 → 50.
* self-training from the digits refined by that chosen refiner (validation at rounds 0..3): share 0.8 every round → 59, 43, 39,
  35; growing shares 0.2, 0.4, 0.6 → 59, 59, 63, 61; the same balanced per predicted class → 59,
  41, 59, **65 (chosen)**.

The search above drew the refiner's noise from stream id 69; the final script draws it from 68
(stream ids were renumbered before the final run, nothing else changed). With that other noise
draw the same seed-0 settings score 36 on validation instead of 61: the refiner ends in one or two
colour modes of the target (mode collapse; which photo's look it settles on varies from run to
run), so a single validation score of one refiner run says little, and the 61 was a lucky draw.
The settings were not re-tuned after the final run.

Result (``python benchmarks/simgan_mnist_m.py``, 3 seeds, 19 min wall on one core; test %):
source-only 11.9 ± 1.0; refined 41.0 ± 11.6 (39.3, 56.0, 27.7); self-training 18.3 ± 1.4;
refined + self-training 47.8 ± 9.3; target-trained 81.4 ± 2.5. Refined digits: realism 100 %
(the CNN always tells them from target images; unrefined 99.4 %); the target-trained model reads
71 ± 8 % of refined held-out digits as their label (84 ± 2 % of the unrefined grey ones); label
preservation by the source-only model 10 % (it puts nearly every colour image in one class, so
this number says nothing). Source-only is far below the published 52-64 %: this small BatchNorm
CNN trained on grey digits collapses to one class on colour photos.

    python benchmarks/simgan_mnist_m.py                 # 3 seeds, ~20 min on one core
    python benchmarks/simgan_mnist_m.py --quick --out /tmp/q.json --figure /tmp/q.png   # ~3 min

Writes ``benchmarks/results/simgan_mnist_m.json`` (table, per-seed rows, every self-training
round, refiner metrics) and ``docs/figures/simgan_mnist_m.png`` (source | refined | target).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from synthlearn import seeding
from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.adapt.config import SelectionSettings
from synthlearn.adapt.self_training import SelfTrainingData, chosen_round, self_train
from synthlearn.config import parse_config
from synthlearn.data.mnist_m import make_mnist_m
from synthlearn.data.real import LabelledImages, RealSplit, load_real, split_real
from synthlearn.data.shards import encode_npz
from synthlearn.refine.digits import DIGITS_SIMGAN
from synthlearn.refine.apply import refine_array
from synthlearn.refine.config import RefineConfig
from synthlearn.refine.evaluate import label_preservation, realism_accuracy
from synthlearn.refine.images import load_refiner
from synthlearn.refine.run import run_refiner
from synthlearn.refine.simgan import SimGANSettings
from synthlearn.train.classifier import accuracy_on, train_classifier
from synthlearn.train.config import TaskConfig
from synthlearn.train.threads import single_thread_torch

PIXEL_MAX = 255.0
N_DIGITS = 10_000  # load_real("mnist")
SOURCE_HELD_OUT = 500  # source digits kept out of every training, for label preservation and realism

#: The task model of every row, chosen once before any refiner run as a small, fast CNN whose
#: target-trained ceiling is high (pilot split, validation only: width 16 × depth 3 → 64 %,
#: 16 × 4 → 84 %, 32 × 4 → 81 % after 5 epochs on the pool; 14 s for 5,000 images on one core).
TASK = TaskConfig(name="classify", input_scale=PIXEL_MAX, width=16, depth=4, epochs=5, batch_size=64, lr=3e-3)

#: Refiner settings, chosen on the 100-image target validation set of seed 0 (see the docstring).
MNIST_M_SIMGAN = DIGITS_SIMGAN.model_copy(update={
    "refiner_blocks": 3, "disc_strides": (2, 2), "lam": 0.01, "semantic": 0.0, "psi": "channel_mean", "steps": 800,
})
#: The refiner's chroma-noise input (pixel units, coarse grid), chosen with MNIST_M_SIMGAN.
DEFAULT_NOISE, DEFAULT_NOISE_CELLS = 120.0, 2
#: Self-training: share of the pool kept in rounds 1, 2, 3, balanced per predicted class (chosen on validation).
DEFAULT_SHARES = (0.2, 0.4, 0.6)

# Stream ids under a run seed (never reuse one for another purpose).
_SPLIT, _BLEND, _PROTOCOL, _REFINER, _TASK, _SELF_TRAIN, _REALISM, _NOISE, _PREVIEW = range(61, 70)


# -- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    """One seed's disjoint source / target digits.

    source: labelled grey digits replicated to RGB, uint8 (N_s, 28, 28, 3), for training;
    held_out: more such source digits, used by nothing but label preservation and realism;
    split: the MNIST-M-style target half through ``split_real`` (validation 10/class, pool, test).
    """

    source: LabelledImages
    held_out: LabelledImages
    split: RealSplit


def to_rgb(images: np.ndarray) -> np.ndarray:
    """Grey uint8 (N, H, W) -> (N, H, W, 3), the value replicated."""
    return np.repeat(images[..., None], 3, axis=3)


def prepare(seed: int, mnist: LabelledImages) -> Data:
    """Split the 10,000 MNIST digits by a seeded permutation into a source and a target half.

    Source half (5,000): the first 4,500 digits of the permutation train (grey, replicated to
    RGB), the last 500 are held out. Target half (5,000): blended with photo crops
    (``make_mnist_m``, seed ``child_seed(seed, _BLEND)``) and split by the protocol
    (``split_real``, seed ``child_seed(seed, _PROTOCOL)``): test = half of each class, validation
    10 per class, the rest (about 2,400) the unlabelled pool.
    """
    perm = seeding.generator(seed, _SPLIT).permutation(len(mnist))
    half = len(mnist) // 2
    train_idx, held_idx, target_idx = np.sort(perm[: half - SOURCE_HELD_OUT]), np.sort(perm[half - SOURCE_HELD_OUT : half]), np.sort(perm[half:])
    rgb = lambda part: LabelledImages(to_rgb(part.images), part.labels, part.classes)  # noqa: E731
    target = make_mnist_m(mnist.subset(target_idx), seeding.child_seed(seed, _BLEND))
    return Data(rgb(mnist.subset(train_idx)), rgb(mnist.subset(held_idx)), split_real(target, seeding.child_seed(seed, _PROTOCOL)))


def chroma_noise(n: int, side: int, amplitude: float, cells: int, seed: int) -> np.ndarray:
    """Zero-channel-mean colour noise, float32 (n, side, side, 3) in pixel units.

    Two Gaussian fields on a ``cells × cells`` grid (upsampled bilinearly to ``side``) along the
    two colour directions orthogonal to grey, (1, −1, 0)/√2 and (1, 1, −2)/√6: the mean over the
    channels is exactly 0, so with ψ = channel_mean the self-regularisation sees the clean digit
    while the refiner gets a per-image random input to draw textures from.
    """
    rng = seeding.generator(seed, _NOISE)
    coarse = torch.from_numpy(rng.standard_normal((n, 2, cells, cells)).astype(np.float32))
    fields = torch.nn.functional.interpolate(coarse, size=(side, side), mode="bilinear", align_corners=True).numpy()
    basis = np.array([[1.0, -1.0, 0.0], [1.0, 1.0, -2.0]], np.float32) / np.array([[np.sqrt(2.0)], [np.sqrt(6.0)]], np.float32)
    return (amplitude * np.einsum("nkhw,kc->nhwc", fields, basis)).astype(np.float32)


def refiner_inputs(images: np.ndarray, noise: float, cells: int, seed: int) -> np.ndarray:
    """The refiner's input: the RGB digits, plus chroma noise when ``noise > 0`` (then float32)."""
    if noise <= 0:
        return images
    return images.astype(np.float32) + chroma_noise(len(images), images.shape[1], noise, cells, seed)


# -- one seed ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    simgan: SimGANSettings
    noise: float = DEFAULT_NOISE
    noise_cells: int = DEFAULT_NOISE_CELLS
    rounds: int = 3
    share: float | tuple[float, ...] = DEFAULT_SHARES
    balance: bool = True
    task: TaskConfig = TASK
    label_classifier_epochs: int = 2


def train_refiner(data: Data, budget: Budget, seed: int, work: Path) -> tuple[torch.nn.Module, dict[str, Any], np.ndarray, np.ndarray]:
    """A refiner on the source digits against the unlabelled target pool only.

    Returns (refiner, run result, refined source (N_s, 28, 28, 3), refined held-out source).
    """
    work.mkdir(parents=True, exist_ok=True)
    source_in = refiner_inputs(data.source.images, budget.noise, budget.noise_cells, seeding.child_seed(seed, _NOISE, 0))
    held_in = refiner_inputs(data.held_out.images, budget.noise, budget.noise_cells, seeding.child_seed(seed, _NOISE, 1))
    write_bytes_atomic(work / "source.npz", encode_npz({"image": source_in, "label": data.source.labels.astype(np.int64)}))
    write_bytes_atomic(work / "pool.npz", encode_npz({"images": data.split.pool}))
    total = budget.simgan.total_steps
    config = parse_config({
        "name": f"simgan-mnist-m-seed{seed}", "seed": seeding.child_seed(seed, _REFINER),
        "synthetic": {"dataset": str(work / "source.npz"), "image_layer": "image", "label_layer": "label"},
        "real": {"source": str(work / "pool.npz"), "split": "all"},
        "pixel_max": PIXEL_MAX,
        "simgan": budget.simgan.model_dump(),
        "label_classifier": {"blocks": 1, "epochs": budget.label_classifier_epochs, "width": 16, "depth": 4},
        "checkpoint_every": max(1, total // 2), "sample_every": max(1, total), "log_every": 50,
    }, RefineConfig)
    out = work / "refiner"
    resume = (out / "checkpoints" / "latest.pt").exists()
    result = run_refiner(config, out, resume=resume, on_event=lambda event: None)
    refiner, _ = load_refiner(out)
    with single_thread_torch():
        refined = np.rint(refine_array(refiner, source_in, PIXEL_MAX)).astype(np.uint8)
        refined_held = np.rint(refine_array(refiner, held_in, PIXEL_MAX)).astype(np.uint8)
    return refiner, result, refined, refined_held


def scores(model: torch.nn.Module, split: RealSplit, test: bool) -> dict[str, float]:
    out = {"validation": accuracy_on(model, split.validation.images, split.validation.labels, PIXEL_MAX)}
    if test:
        out["test"] = accuracy_on(model, split.test.images, split.test.labels, PIXEL_MAX)
    return out


def self_training_row(images: np.ndarray, labels: np.ndarray, data: Data, budget: Budget, seed: int, test: bool) -> dict[str, Any]:
    """Self-training from ``images`` on the target pool; the round with the best validation accuracy."""
    st = SelfTrainingData(images, labels, data.split.pool, data.split.pool_labels, data.split.validation, data.split.test if test else None)
    with single_thread_torch():
        state = self_train(st, budget.task, SelectionSettings(share=budget.share, balance=budget.balance), budget.rounds, seed)
    records = [dict(r) for r in state.records]
    chosen = chosen_round(records)
    best = records[chosen]
    row = {"validation": best["validation_accuracy"], "chosen_round": chosen, "rounds": records}
    if test:
        row["test"] = best["test_accuracy"]
    return row


def run_seed(seed: int, mnist: LabelledImages, budget: Budget, work: Path, test: bool = True, rows: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every row for one seed. ``test=False`` (settings search) never touches the test split."""
    started = time.perf_counter()
    data = prepare(seed, mnist)
    split = data.split
    task_seed = seeding.child_seed(seed, _TASK)  # same init and batch order for the plain rows
    want = lambda row: not rows or row in rows  # noqa: E731
    out: dict[str, Any] = {"seed": seed, "sizes": {"source": len(data.source), "held_out_source": len(data.held_out),
                                                   "validation": len(split.validation), "pool": len(split.pool), "test": len(split.test)},
                           "rows": {}, "seconds": {}}

    def timed(name: str, fn):
        t = time.perf_counter()
        value = fn()
        out["seconds"][name] = round(time.perf_counter() - t, 1)
        return value

    source_model = timed("source-only", lambda: train_classifier(data.source.images, data.source.labels, budget.task, task_seed))
    out["rows"]["source-only"] = scores(source_model, split, test)
    refiner, result, refined, refined_held = timed("refiner", lambda: train_refiner(data, budget, seed, work / f"seed{seed}"))
    out["refiner"] = {"final": result["final"], "events": [{k: v for k, v in e.items() if k != "message"} for e in result["events"]],
                      "rollbacks": result["rollbacks"], "seconds": result["seconds"]}
    refined_model = timed("refined", lambda: train_classifier(refined, data.source.labels, budget.task, task_seed))
    out["rows"]["refined"] = scores(refined_model, split, test)
    if want("self-training"):
        out["rows"]["self-training"] = timed("self-training", lambda: self_training_row(
            data.source.images, data.source.labels, data, budget, seeding.child_seed(seed, _SELF_TRAIN), test))
    if want("refined + self-training"):
        out["rows"]["refined + self-training"] = timed("refined + self-training", lambda: self_training_row(
            refined, data.source.labels, data, budget, seeding.child_seed(seed, _SELF_TRAIN), test))
    ceiling = None
    if want("target-trained"):
        ceiling = timed("target-trained", lambda: train_classifier(split.pool, split.pool_labels, budget.task, task_seed))
        out["rows"]["target-trained"] = scores(ceiling, split, test)
    if test:
        held, realism_seed = data.held_out, seeding.child_seed(seed, _REALISM)
        with single_thread_torch():
            out["refined_digits"] = {
                # the source-only model reads R(x) as it reads x
                "label_preservation": label_preservation(source_model, held.images, refined_held, PIXEL_MAX),
                # R(x) read as x's label by the model trained on the target's labels (the ceiling)
                "target_model_reads_label": accuracy_on(ceiling, refined_held, held.labels, PIXEL_MAX) if ceiling is not None else None,
                "target_model_reads_source_label": accuracy_on(ceiling, held.images, held.labels, PIXEL_MAX) if ceiling is not None else None,
                # CNN telling X from target images; train: X vs the pool, test: held-out X vs the test images (balanced)
                "realism_source": timed("realism source", lambda: realism_accuracy(data.source.images, split.pool, held.images, split.test.images, PIXEL_MAX, realism_seed)),
                "realism_refined": timed("realism refined", lambda: realism_accuracy(refined, split.pool, refined_held, split.test.images, PIXEL_MAX, realism_seed)),
                "mean_abs_change": float(np.abs(refined_held.astype(np.float32) - held.images).mean() / PIXEL_MAX),
            }
        firsts = [int(np.flatnonzero(held.labels == c)[0]) for c in np.unique(held.labels)]  # one held-out digit per class
        shown = np.sort(seeding.generator(seed, _PREVIEW).choice(len(split.pool), len(firsts), replace=False))
        out["preview"] = {"source": held.images[firsts], "refined": refined_held[firsts], "target": split.pool[shown]}
    out["seconds"]["total"] = round(time.perf_counter() - started, 1)
    return out


# -- the table -----------------------------------------------------------------------------------

ROWS = ("source-only", "refined", "self-training", "refined + self-training", "target-trained")


def fmt(values: list[float]) -> str:
    return f"{100 * np.mean(values):.1f} ± {100 * np.std(values):.1f}"


def save_grid(seeds: list[dict[str, Any]], path: str) -> None:
    """Per seed: held-out source digits (one per class) and their refinement; then target pool images (first seed)."""
    from synthlearn.report.plots import plot_image_grid

    rows = []
    for result in seeds:
        preview = result["preview"]
        rows += [(f"seed {result['seed']}: source (grey MNIST, held out)", preview["source"]),
                 (f"seed {result['seed']}: SimGAN-refined", preview["refined"])]
    plot_image_grid([*rows, ("target (MNIST-M-style pool)", seeds[0]["preview"]["target"])], path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="a few minutes: seed 0 only, 150 adversarial steps, 1 self-training round (the first share)")
    parser.add_argument("--steps", type=int, default=MNIST_M_SIMGAN.steps, help="adversarial refiner steps")
    parser.add_argument("--noise", type=float, default=DEFAULT_NOISE, help="amplitude of the refiner's chroma-noise input (pixel units; 0: none)")
    parser.add_argument("--noise-cells", type=int, default=DEFAULT_NOISE_CELLS, help="the noise's coarse grid (cells × cells)")
    parser.add_argument("--share", type=float, nargs="+", default=list(DEFAULT_SHARES),
                        help="share of the pool kept by self-training round 1, 2, ... (the number of values = rounds after round 0)")
    parser.add_argument("--no-balance", dest="balance", action="store_false", help="keep the most confident overall, not per predicted class")
    parser.add_argument("--epochs", type=int, default=TASK.epochs, help="task-model epochs (every row)")
    parser.add_argument("--set", dest="assignments", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="override MNIST_M_SIMGAN fields, e.g. --set lam=0.1 k_g=1")
    parser.add_argument("--work", default=None, help="folder for refiner runs (default: a temporary one)")
    parser.add_argument("--out", default="benchmarks/results/simgan_mnist_m.json")
    parser.add_argument("--figure", default="docs/figures/simgan_mnist_m.png")
    args = parser.parse_args()
    torch.set_num_threads(1)

    overrides = {key: yaml.safe_load(text) for key, _, text in (item.partition("=") for item in args.assignments)}
    steps, seeds, shares = args.steps, args.seeds, tuple(args.share)
    if args.quick:
        steps, seeds, shares = min(steps, 150), seeds[:1], shares[:1]
    simgan = SimGANSettings(**{**MNIST_M_SIMGAN.model_dump(), "steps": steps, **overrides})
    task = TASK.model_copy(update={"epochs": args.epochs})
    budget = Budget(simgan, noise=args.noise, noise_cells=args.noise_cells, rounds=len(shares), share=shares, balance=args.balance, task=task)
    mnist = load_real("mnist")
    load_at_start = round(os.getloadavg()[0], 2)
    start = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.work or tmp)
        for seed in seeds:
            result = run_seed(seed, mnist, budget, work)
            results.append(result)
            print(f"seed {seed}: " + ", ".join(f"{row} {100 * r['test']:.1f}" for row, r in result["rows"].items())
                  + f" ({result['seconds']['total']:.0f} s)", flush=True)
    wall = time.perf_counter() - start

    table = {row: {"test": [r["rows"][row]["test"] for r in results], "validation": [r["rows"][row]["validation"] for r in results]}
             for row in ROWS}
    for row in ("self-training", "refined + self-training"):
        table[row]["chosen_round"] = [r["rows"][row]["chosen_round"] for r in results]
    digits = {key: [r["refined_digits"][key] for r in results] for key in results[0]["refined_digits"]}
    print(f"\n| row | MNIST-M-style test accuracy % (mean ± std, {len(seeds)} seeds) | per seed |\n|---|---|---|")
    for row in ROWS:
        print(f"| {row} | {fmt(table[row]['test'])} | {', '.join(f'{100 * v:.1f}' for v in table[row]['test'])} |")
    print("\n" + "\n".join(f"{key}: {fmt(values)}" for key, values in digits.items() if None not in values))
    save_grid(results, args.figure)
    for r in results:
        r.pop("preview")
    write_json_atomic(args.out, {
        "command": " ".join(["python", *map(shlex.quote, sys.argv)]),
        "protocol": ("10,000 real MNIST digits split per seed by a seeded permutation: source half (4,500 labelled grey digits "
                     "replicated to RGB for training + 500 held out for label preservation and realism), target half (5,000) "
                     "blended with photo crops (make_mnist_m) and split by split_real: test = half of each class, validation "
                     "10 per class (every choice), the rest the unlabelled pool (refiner and self-training; its labels only "
                     "for the target-trained ceiling)"),
        "seeds": seeds,
        "settings": {"simgan": simgan.model_dump(), "noise": args.noise, "noise_cells": args.noise_cells,
                     "self_training": {"rounds": len(shares), "share": list(shares), "balance": args.balance}, "task": task.model_dump()},
        "table": table,
        "refined_digits": digits,
        "per_seed": results,
        "published": {"source-only": "52-64", "DANN": "~77", "PixelDA": "98.2", "target-trained": "~96"},
        "wall_seconds": round(wall, 1),
        "machine": f"{platform.machine()}, 1 process x 1 torch thread",
        "load_average_1min_at_start": load_at_start,  # > 1: other processes shared the cores
        "date": time.strftime("%Y-%m-%d"),
    })


if __name__ == "__main__":
    main()
