"""The main job: sim-to-real on real handwritten digits, from synthetic data only.

The real digits decide the image format (:data:`DIGIT_FORMATS`): 8×8 images in 0..16 (the
default, scikit-learn's digits) are met with the simulator's ``optdigits8x8`` pipeline, 28×28
images in 0..255 (real MNIST, ``--real mnist``) with its ``mnist28`` pipeline.

Protocol (fixed and seeded; see :func:`synthlearn.data.real.split_real`): the real digits
are split into 10 labelled validation images per class (used only for LTS rewards and model
selection), an unlabelled pool, and a held-out test set (half of every class) that nothing
tunes on. Every row trains the same task model with the same number of optimiser steps:

* ``real`` -- trained on every real image not in the test set (the upper bound);
* ``default`` -- the simulator at its default parameters;
* ``random-params`` -- domain randomisation: parameters drawn over the whole space;
* ``random-search`` -- local random search over the parameters;
* ``reinforce`` -- Learning to Simulate;
* ``default + refined`` / ``reinforce + refined`` -- SimGAN: a refiner trained once per seed on
  synthetic digits at the default parameters against the UNLABELLED pool
  (:mod:`synthlearn.refine`), applied to fresh synthetic digits at the default parameters and at
  that seed's LTS-learned parameters;
* ``reinforce + self-training`` -- fresh synthetic digits at the LTS-learned parameters, then
  self-training on the UNLABELLED pool (:func:`synthlearn.adapt.self_training.self_train`),
  the round chosen on the validation set.

The four synthetic rows train the same number of models (``iterations × candidates``) and
keep the one best on the real validation set; its real-test accuracy is reported, as mean ±
std over seeds. A second column scores the parameters rather than one lucky model: the mean
real-test accuracy of ``fresh_models`` new models trained on new data at each run's learned
parameters (the policy's mode for ``reinforce``, the best parameters seen otherwise). The
refined and self-training rows train ``refined_models`` models (runs) each (fewer: a handicap
against the rows above) and report the real-test accuracy of the best on validation, and the
mean of all of them.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from synthlearn import seeding
from synthlearn.adapt.config import SelectionSettings
from synthlearn.adapt.self_training import SelfTrainingData, chosen_round, self_train
from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.config import Seeds, Settings
from synthlearn.data.real import SKLEARN_DIGITS, LabelledImages, RealSplit, load_real, split_real
from synthlearn.data.shards import encode_npz
from synthlearn.errors import UserError
from synthlearn.execute.base import Executor
from synthlearn.lts.config import DataSpec, LTSConfig, SearcherConfig
from synthlearn.lts.loop import LTSRun
from synthlearn.runs import check_output_folder
from synthlearn.sim import get_simulator
from synthlearn.train.classifier import accuracy_on, train_classifier
from synthlearn.train.config import TaskConfig
from synthlearn.train.threads import single_thread_torch

SYNTHETIC_ROWS = ("default", "random-params", "random-search", "reinforce")
REFINED_ROWS = ("default + refined", "reinforce + refined")
SELF_TRAINING_ROW = "reinforce + self-training"
_SEARCHER_OF_ROW = {"default": "fixed", "random-params": "random-params", "random-search": "random-search", "reinforce": "reinforce"}


@dataclass(frozen=True)
class DigitFormat:
    """How the simulator renders digits like the real ones: its ``pipeline`` and the images' ``pixel_max``."""

    pipeline: str
    pixel_max: float


DIGIT_FORMATS = {(8, 8): DigitFormat("optdigits8x8", 16.0), (28, 28): DigitFormat("mnist28", 255.0)}
"""Real image shape (H, W) → the format the synthetic rows render."""
OPTDIGITS = DIGIT_FORMATS[(8, 8)]


def digit_format(shape: tuple[int, ...], real: str) -> DigitFormat:
    """The :class:`DigitFormat` of real grey images of ``shape`` ``(H, W)``, or a UserError naming the supported ones."""
    if tuple(shape) not in DIGIT_FORMATS:
        supported = ", ".join(f"{h}×{w} ({f.pipeline})" for (h, w), f in DIGIT_FORMATS.items())
        raise UserError(f"real images of {real} have shape {tuple(shape)}; the digits demo renders grey {supported}")
    return DIGIT_FORMATS[tuple(shape)]


class DemoSettings(Settings):
    """Budget of the demo. ``full()`` and ``quick()`` are the two presets."""

    seeds: Seeds = (0, 1, 2)
    """Seeds of the repeated runs (rows report mean ± std over them)."""
    iterations: int = Field(12, ge=1)
    """Outer iterations per synthetic row."""
    candidates: int = Field(8, ge=1)
    """Parameter sets per iteration (models trained per iteration)."""
    train_size: int = Field(2000, ge=2)
    """Synthetic digits generated per candidate."""
    epochs: int = Field(4, ge=1)
    """Training epochs per candidate."""
    policy_lr: float = Field(0.1, gt=0)
    """REINFORCE learning rate."""
    refine_steps: int = Field(600, ge=0)
    """Adversarial steps of each SimGAN refiner (one refiner per seed)."""
    refine_pretrain: int = Field(50, ge=0)
    """Discriminator pretraining steps of each refiner."""
    refined_models: int = Field(4, ge=1)
    """Task models trained per refined row and seed (best on validation kept)."""
    fresh_models: int = Field(4, ge=1)
    """New models trained at each synthetic run's learned parameters."""
    self_training_rounds: int = Field(3, ge=1)
    """Self-training rounds after the synthetic-only round 0."""
    self_training_share: float = Field(0.8, gt=0, le=1)
    """Share of the unlabelled pool pseudo-labelled in every self-training round."""

    @staticmethod
    def full() -> DemoSettings:
        return DemoSettings()

    @staticmethod
    def quick() -> DemoSettings:
        return DemoSettings(seeds=(0, 1, 2), iterations=3, candidates=4, train_size=1000, epochs=3,
                            refine_steps=200, refine_pretrain=30, refined_models=2, fresh_models=2)

    @property
    def runs(self) -> int:
        """Progress units: one per LTS run (row × seed), plus one for the unlabelled-pool phase (SimGAN and self-training rows)."""
        return len(SYNTHETIC_ROWS) * len(self.seeds) + 1


def task_config(settings: DemoSettings, digits: DigitFormat = OPTDIGITS) -> TaskConfig:
    return TaskConfig(name="classify", input_scale=digits.pixel_max, width=16, depth=3, epochs=settings.epochs, batch_size=64, lr=3e-3)


def row_config(row: str, seed: int, settings: DemoSettings, validation: Path, test: Path, digits: DigitFormat = OPTDIGITS) -> LTSConfig:
    """The LTS experiment behind one synthetic row and seed."""
    return LTSConfig(
        name=f"digits-{row}",
        seed=seed,
        simulator="digits",
        fixed={"pipeline": digits.pipeline},
        train_size=settings.train_size,
        searcher=SearcherConfig(name=_SEARCHER_OF_ROW[row], candidates=settings.candidates,
                                iterations=settings.iterations, lr=settings.policy_lr),
        task=task_config(settings, digits),
        validation=DataSpec(dataset=validation),
        test=DataSpec(dataset=test),
    )


def train_on_real(
    layers: dict[str, np.ndarray], test_layers: dict[str, np.ndarray], settings: DemoSettings, seed: int, digits: DigitFormat = OPTDIGITS,
) -> float:
    """Real-test accuracy of the task model trained on real images with the synthetic rows' step budget."""
    steps = settings.epochs * math.ceil(settings.train_size / 64)
    config = task_config(settings, digits)
    config = config.model_copy(update={"epochs": max(1, round(steps / math.ceil(len(layers["label"]) / 64)))})
    model = train_classifier(layers["image"], layers["label"], config, seed)
    return accuracy_on(model, test_layers["image"], test_layers["label"], config.input_scale)


def summarise(values: list[float]) -> dict[str, Any]:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "per_seed": [float(v) for v in values]}


def table_row(method: str, kept: list[float], fresh: list[float]) -> dict[str, Any]:
    """A ``results.json`` row: the kept model's accuracy per seed, and the fresh models' mean per seed."""
    return {"method": method, **summarise(kept), "fresh_models": summarise(fresh)}


def _sample_grid(out: Path, learned: dict[str, Any], real_images: np.ndarray, refiner_run: Path, digits: DigitFormat) -> None:
    from synthlearn.refine.apply import refine_array
    from synthlearn.refine.images import load_refiner
    from synthlearn.report.plots import plot_image_grid

    sim = get_simulator("digits")
    default = sim.generate({"pipeline": digits.pipeline}, 20, seed=0)
    tuned = sim.generate({**learned, "pipeline": digits.pipeline}, 20, seed=0)
    order = lambda layers: layers["image"][np.argsort(layers["label"], kind="stable")]
    refiner, record = load_refiner(refiner_run)
    refine = lambda images: refine_array(refiner, images, record["pixel_max"])
    plot_image_grid(
        [("synthetic, default parameters", order(default)), ("default + refined (SimGAN)", refine(order(default))),
         ("synthetic, learned parameters (LTS)", order(tuned)), ("learned + refined (SimGAN)", refine(order(tuned))),
         ("real digits (test split)", real_images[:20])],
        out / "samples.png",
    )


# Stream ids under a demo seed for the refined rows (never reuse one for another purpose).
_REFINER_DATA_STREAM, _REFINER_STREAM, _REFINED_DATA_STREAM, _REFINED_TRAIN_STREAM = 51, 52, 53, 54


def refined_rows(
    out: Path, settings: DemoSettings, executor: Executor, learned: dict[int, dict[str, Any]], real: str,
    validation: dict[str, np.ndarray], test: dict[str, np.ndarray], digits: DigitFormat = OPTDIGITS,
) -> dict[str, tuple[list[float], list[float]]]:
    """The SimGAN rows: per seed, one refiner (default parameters vs the unlabelled pool), then
    ``refined_models`` task models per row on refined digits. Returns per row, per seed: the
    real-test accuracy of the best on validation, and the mean over all of them."""
    from synthlearn.refine.digits import (
        DIGITS_SIMGAN, RefinedModelJob, RefinerJob, refiner_config, train_refined_model, train_refiner_job, with_steps,
    )

    simgan = with_steps(DIGITS_SIMGAN, settings.refine_steps, settings.refine_pretrain)
    runs = {seed: out / "runs" / "refiner" / f"seed-{seed}" for seed in settings.seeds}
    for path in runs.values():
        if path.exists():
            shutil.rmtree(path)
    executor.map(train_refiner_job, [
        RefinerJob(str(runs[seed]), refiner_config(
            f"demo-refiner-seed{seed}", {}, settings.train_size, seeding.child_seed(seed, _REFINER_DATA_STREAM),
            seeding.child_seed(seed, _REFINER_STREAM), simgan, real, digits.pipeline, digits.pixel_max))
        for seed in settings.seeds
    ])
    task = task_config(settings, digits)
    params_of_row = {"default + refined": lambda seed: {}, "reinforce + refined": lambda seed: learned[seed]}
    keys = [(row, seed, m) for row in REFINED_ROWS for seed in settings.seeds for m in range(settings.refined_models)]
    scores = executor.map(train_refined_model, [
        RefinedModelJob(str(runs[seed]), {**params_of_row[row](seed), "pipeline": digits.pipeline}, settings.train_size,
                        seeding.child_seed(seed, _REFINED_DATA_STREAM, r, m), seeding.child_seed(seed, _REFINED_TRAIN_STREAM, r, m),
                        task, validation, test)
        for row, seed, m in keys for r in [REFINED_ROWS.index(row)]
    ])
    rows: dict[str, tuple[list[float], list[float]]] = {}
    for row in REFINED_ROWS:
        rows[row] = ([], [])
        for seed in settings.seeds:
            mine = [score for (r, s, _), score in zip(keys, scores) if r == row and s == seed]
            rows[row][0].append(max(mine, key=lambda score: score["validation"])["test"])  # first best on validation
            rows[row][1].append(float(np.mean([score["test"] for score in mine])))
    return rows


@dataclass(frozen=True)
class SelfTrainingJob:
    """One self-training run of the demo (picklable): synthetic digits at ``params``, the real protocol split."""

    params: dict[str, Any]
    n: int
    data_seed: int
    seed: int
    task: TaskConfig
    rounds: int
    share: float
    pool: np.ndarray
    validation: LabelledImages
    test: LabelledImages


def self_training_job(job: SelfTrainingJob) -> dict[str, float]:
    """Validation and test accuracy of the round chosen on validation (round 0 = synthetic only)."""
    layers = get_simulator("digits").generate(job.params, job.n, job.data_seed)
    data = SelfTrainingData(layers["image"], layers["label"], job.pool, validation=job.validation, test=job.test)
    with single_thread_torch():
        records = self_train(data, job.task, SelectionSettings(share=job.share), job.rounds, job.seed).records
    chosen = records[chosen_round(records)]
    return {"validation": chosen["validation_accuracy"], "test": chosen["test_accuracy"], "round": chosen["round"],
            "round_0_test": records[0]["test_accuracy"]}


# Stream ids under a demo seed for the self-training row.
_SELF_TRAINING_DATA_STREAM, _SELF_TRAINING_STREAM = 55, 56


def self_training_row(
    settings: DemoSettings, executor: Executor, learned: dict[int, dict[str, Any]], split: RealSplit, digits: DigitFormat,
) -> tuple[list[float], list[float]]:
    """Per seed: ``refined_models`` self-training runs on fresh digits at the learned parameters;
    the real-test accuracy of the best on validation, and the mean of all of them."""
    keys = [(seed, m) for seed in settings.seeds for m in range(settings.refined_models)]
    scores = executor.map(self_training_job, [
        SelfTrainingJob({**learned[seed], "pipeline": digits.pipeline}, settings.train_size,
                        seeding.child_seed(seed, _SELF_TRAINING_DATA_STREAM, m), seeding.child_seed(seed, _SELF_TRAINING_STREAM, m),
                        task_config(settings, digits), settings.self_training_rounds, settings.self_training_share,
                        split.pool, split.validation, split.test)
        for seed, m in keys
    ])
    kept, mean = [], []
    for seed in settings.seeds:
        mine = [score for (s, _), score in zip(keys, scores) if s == seed]
        kept.append(max(mine, key=lambda score: score["validation"])["test"])  # first best on validation
        mean.append(float(np.mean([score["test"] for score in mine])))
    return kept, mean


def run_demo(
    out: str | Path,
    settings: DemoSettings,
    executor: Executor,
    real: str = SKLEARN_DIGITS,
    on_run: Callable[[str, int, int, int], None] | None = None,
    on_iteration: Callable[[int, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the whole table into ``out`` and return ``results.json``'s content.

    ``on_run(row, seed, index, total)`` is called before each LTS run; ``on_iteration`` is
    passed to every run.
    """
    out = Path(out)
    check_output_folder(out)
    data = load_real(real)
    digits = digit_format(data.images.shape[1:], real)
    if len(data.classes) > 10 or data.labels.min() < 0 or data.labels.max() > 9:
        raise UserError(f"real labels must be the digits 0-9; {real} has {len(data.classes)} classes ({', '.join(data.classes[:12])})")
    split = split_real(data, seed=0)
    val_path, test_path = out / "data" / "validation.npz", out / "data" / "test.npz"
    write_bytes_atomic(val_path, encode_npz(split.validation.layers()))
    write_bytes_atomic(test_path, encode_npz(split.test.layers()))
    real_train = {
        "image": np.concatenate([split.validation.images, split.pool]),
        "label": np.concatenate([split.validation.labels, split.pool_labels]),
    }
    real_row = [train_on_real(real_train, split.test.layers(), settings, s, digits) for s in settings.seeds]
    rows: dict[str, tuple[list[float], list[float]]] = {"real": (real_row, real_row)}
    learned: dict[int, dict[str, Any]] = {}
    total, index = settings.runs, 0
    for row in SYNTHETIC_ROWS:
        rows[row] = ([], [])
        for seed in settings.seeds:
            if on_run is not None:
                on_run(row, seed, index, total)
            index += 1
            run_dir = out / "runs" / row / f"seed-{seed}"
            if run_dir.exists():
                shutil.rmtree(run_dir)
            experiment = LTSRun(row_config(row, seed, settings, val_path, test_path, digits), run_dir)
            result = experiment.run(executor=executor, on_iteration=on_iteration)
            rows[row][0].append(result["test"]["metric"])
            rows[row][1].append(float(np.mean(experiment.fresh_test_metrics(result["learned_params"], settings.fresh_models, executor))))
            if row == "reinforce":
                learned[seed] = result["learned_params"]
    if on_run is not None:
        on_run("simgan refiners, refined and self-training rows", settings.seeds[0], index, total)
    rows.update(refined_rows(out, settings, executor, learned, real, split.validation.layers(), split.test.layers(), digits))
    rows[SELF_TRAINING_ROW] = self_training_row(settings, executor, learned, split, digits)
    refiner_run = out / "runs" / "refiner" / f"seed-{settings.seeds[0]}"
    ordered_test = split.test.images[np.argsort(split.test.labels, kind="stable")]
    _sample_grid(out, learned[settings.seeds[0]], ordered_test[:: math.ceil(len(ordered_test) / 20)], refiner_run, digits)
    shutil.copyfile(out / "runs" / "reinforce" / f"seed-{settings.seeds[0]}" / "params.png", out / "learned_params.png")
    results = {
        "task": "real-test accuracy of a model trained on synthetic digits (real row: on real digits)",
        "real_data": str(real),
        "pipeline": digits.pipeline,
        "protocol": {"validation": len(split.validation), "unlabelled_pool": len(split.pool), "test": len(split.test)},
        "settings": settings.model_dump(),
        "rows": [table_row(name, kept, fresh) for name, (kept, fresh) in rows.items()],
        "learned_params": {str(seed): params for seed, params in learned.items()},
    }
    write_json_atomic(out / "results.json", results)
    return results
