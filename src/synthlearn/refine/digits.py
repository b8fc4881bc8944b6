"""SimGAN on the digits benchmark: the refiner settings, one refiner per seed, and one table cell.

The real-data protocol is the demo's (:func:`synthlearn.data.real.split_real`, seed 0): the
refiner sees only the unlabelled pool, model selection uses only the 100-image validation
split, and the test split is used only for the final numbers.

:data:`DIGITS_SIMGAN` was chosen on the validation split alone. The refiner is the paper's
ResNet made small for 8×8 images, with a residual output (``R(x) = x + correction``): the
paper's ``tanh`` refiner must first be pretrained to the identity and, on optdigits, smeared the
exact 0 and 16 counts that real scans have. Validation accuracy of the task model (2,000 images,
4 epochs; unrefined: 83.5 on seed 0, 81.3 ± 1.2 over seeds 0–2) for the settings tried:

* seed 0, tanh refiner pretrained on self-regularisation (16 maps × 2 blocks, D 32-32-16-16,
  batch 64, Kg 2, 300 steps): λ 0.5 → 18 (labels destroyed; a 32 × 3 refiner with λ 0.5 turned
  every digit into the same blob), λ 2 → 74, λ 5 → 81, λ 10 → 82; λ 5 with Kg 1, Kd 2 → 70;
* seed 0, residual refiner, Kg 1, 600 steps: clamped output (since removed: saturated pixels get
  no gradient) λ 1 → 10, λ 0.2 → 8; unclamped λ 1 → 84.5, λ 0.3 → **85.5** (chosen); 32 maps ×
  3 blocks, λ 1 → 76.5; 1,500 steps, λ 1 → 85.5; with ``dequantize`` 0.125 and 1,500 steps:
  λ 1 → 84.5, λ 0.3 → 83.5;
* seeds 0–2, the chosen settings → 76.7 ± 1.2; plus ``quantize_levels`` 16: λ 0.3 → 28 ± 24,
  λ 1 → 33 ± 31 (the refiner breaks labels).

The seed-0 gain did not hold over three seeds: refinement lowers validation (and test)
accuracy on this benchmark; the settings were kept, not re-tuned on the test split.

:func:`evaluate_cell` measures one (seed, parameter set) cell of the table: real-test
accuracy of the demo's task model trained on synthetic vs refined images at 1× and 4× data,
label preservation and realism.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from synthlearn import seeding
from synthlearn.config import Settings, parse_config
from synthlearn.data.real import SKLEARN_DIGITS, RealSplit
from synthlearn.refine.apply import refine_array
from synthlearn.refine.config import RefineConfig
from synthlearn.refine.evaluate import label_preservation, realism_accuracy
from synthlearn.refine.images import load_refiner
from synthlearn.refine.run import run_refiner
from synthlearn.refine.simgan import SimGANSettings
from synthlearn.sim import get_simulator
from synthlearn.train.classifier import accuracy_on, train_classifier
from synthlearn.train.config import TaskConfig

PIXEL_MAX = 16.0

DIGITS_SIMGAN = SimGANSettings(
    refiner_width=16,
    refiner_blocks=2,
    refiner_residual=True,
    disc_widths=(32, 32, 16, 16),
    disc_strides=(1, 2),
    disc_padding=1,
    disc_pool=True,
    lam=0.3,
    psi="identity",
    reduction="mean",
    batch_size=64,
    lr_refiner=1e-3,
    lr_discriminator=1e-3,
    k_g=1,
    k_d=1,
    pretrain_refiner_steps=0,
    pretrain_discriminator_steps=50,
    steps=600,
    history_size=4096,
)
"""Refiner settings for 8×8 optdigits images (a 4×4 map of patch logits)."""

# Stream ids under a cell's seed.
_DATA_STREAM, _EXTRA_STREAM, _HELD_OUT_STREAM, _TASK_STREAM, _REFINER_STREAM = 41, 42, 43, 44, 45


def refiner_config(
    name: str, params: dict[str, Any], n: int, data_seed: int, seed: int, settings: SimGANSettings = DIGITS_SIMGAN,
    real: str = SKLEARN_DIGITS, pipeline: str = "optdigits8x8", pixel_max: float = PIXEL_MAX,
) -> RefineConfig:
    """The refiner run for ``n`` synthetic digits at ``params`` (rendered by ``pipeline``) against the protocol's unlabelled pool."""
    return parse_config({
        "name": name, "seed": seed,
        "synthetic": {"simulator": "digits", "params": {**params, "pipeline": pipeline}, "n": n, "seed": data_seed},
        "real": {"source": real, "split": "pool", "split_seed": 0},
        "pixel_max": pixel_max,
        "simgan": settings.model_dump(),
        "checkpoint_every": max(1, settings.total_steps // 4), "sample_every": max(100, settings.total_steps // 2), "log_every": 10,
    }, RefineConfig)


@dataclass(frozen=True)
class RefinerJob:
    """Train one refiner in ``out`` (picklable, for an executor)."""

    out: str
    config: RefineConfig


def train_refiner_job(job: RefinerJob) -> dict[str, Any]:
    """Run (or finish) the refiner of ``job``; returns its ``result.json`` content (events are in it)."""
    out = Path(job.out)
    resume = (out / "checkpoints" / "latest.pt").exists()
    return run_refiner(job.config, out, resume=resume, on_event=lambda event: None)


class CellSettings(Settings):
    """Budget of one benchmark cell."""

    n: int = Field(2000, ge=1)
    """Synthetic images of the 1× set (the refiner trains on these)."""
    multiplier: int = Field(4, ge=1)
    """The large set is ``multiplier × n`` images (the 1× set plus fresh ones)."""
    held_out: int = Field(1000, ge=1)
    """Fresh synthetic images for label preservation and the realism test."""
    task: TaskConfig = TaskConfig(name="classify", input_scale=16.0, width=16, depth=3, epochs=4, batch_size=64, lr=3e-3)
    """The task model (the demo's)."""
    simgan: SimGANSettings = DIGITS_SIMGAN
    """Refiner settings."""


@dataclass(frozen=True)
class CellJob:
    """One (seed, parameter set) cell (picklable)."""

    seed: int
    kind: str
    params: dict[str, Any]
    settings: CellSettings
    split: RealSplit
    out: str


def evaluate_cell(job: CellJob) -> dict[str, Any]:
    """Train a refiner, refine 1× and 4× synthetic sets, train four task models, score them.

    Returns ``{"test": {row: acc}, "validation": {row: acc}, "preservation": …, "realism": …}``
    with rows ``synthetic 1x``, ``refined 1x``, ``synthetic Kx``, ``refined Kx``.
    """
    start = time.perf_counter()
    s, seed = job.settings, job.seed
    params = {**job.params, "pipeline": "optdigits8x8"}
    sim = get_simulator("digits")
    data_seed = seeding.child_seed(seed, _DATA_STREAM)
    small = sim.generate(params, s.n, data_seed)
    extra = sim.generate(params, (s.multiplier - 1) * s.n, seeding.child_seed(seed, _EXTRA_STREAM))
    large = {k: np.concatenate([small[k], extra[k]]) for k in ("image", "label")}
    held = sim.generate(params, s.held_out, seeding.child_seed(seed, _HELD_OUT_STREAM))

    config = refiner_config(f"simgan-{job.kind}-seed{seed}", params, s.n, data_seed, seeding.child_seed(seed, _REFINER_STREAM), s.simgan)
    refiner_result = train_refiner_job(RefinerJob(str(Path(job.out) / "refiner"), config))
    refiner, _ = load_refiner(Path(job.out) / "refiner")
    refined_large = refine_array(refiner, large["image"], PIXEL_MAX)
    refined_held = refine_array(refiner, held["image"], PIXEL_MAX)

    k = s.multiplier
    sets = {
        "synthetic 1x": (small["image"], small["label"]),
        "refined 1x": (refined_large[: s.n], small["label"]),
        f"synthetic {k}x": (large["image"], large["label"]),
        f"refined {k}x": (refined_large, large["label"]),
    }
    task_seed = seeding.child_seed(seed, _TASK_STREAM)
    test, validation, models = {}, {}, {}
    for row, (images, labels) in sets.items():
        model = train_classifier(images, labels, s.task, task_seed)  # same init and batch order for every row
        models[row] = model
        validation[row] = accuracy_on(model, job.split.validation.images, job.split.validation.labels, PIXEL_MAX)
        test[row] = accuracy_on(model, job.split.test.images, job.split.test.labels, PIXEL_MAX)
    classifier = models["synthetic 1x"]
    realism_seed = seeding.child_seed(seed, _TASK_STREAM, 1)
    return {
        "seed": seed,
        "kind": job.kind,
        "params": params,
        "test": test,
        "validation": validation,
        "preservation": label_preservation(classifier, held["image"], refined_held, PIXEL_MAX),
        "refined_label_accuracy": accuracy_on(classifier, refined_held, held["label"], PIXEL_MAX),
        "synthetic_label_accuracy": accuracy_on(classifier, held["image"], held["label"], PIXEL_MAX),
        "realism": {
            "synthetic": realism_accuracy(small["image"], job.split.pool, held["image"], job.split.test.images, PIXEL_MAX, realism_seed),
            "refined": realism_accuracy(refined_large[: s.n], job.split.pool, refined_held, job.split.test.images, PIXEL_MAX, realism_seed),
        },
        "refiner": {"final": refiner_result["final"], "events": refiner_result["events"], "seconds": refiner_result["seconds"]},
        "mean_abs_change": float(np.abs(refined_held.astype(np.float32) - held["image"]).mean() / PIXEL_MAX),
        "seconds": time.perf_counter() - start,
    }


def with_steps(settings: SimGANSettings, steps: int, pretrain_discriminator: int | None = None) -> SimGANSettings:
    """``settings`` with another adversarial budget (and D pretraining)."""
    extra = {} if pretrain_discriminator is None else {"pretrain_discriminator_steps": pretrain_discriminator}
    return settings.model_copy(update={"steps": steps, **extra})


@dataclass(frozen=True)
class RefinedModelJob:
    """Train one task model on refined synthetic digits and score it (picklable).

    ``params`` include the digits ``pipeline``; ``validation`` and ``test`` are real layers
    ``{"image": (N, H, W) uint8, "label": (N,)}`` of the same size.
    """

    refiner: str
    params: dict[str, Any]
    n: int
    data_seed: int
    train_seed: int
    task: TaskConfig
    validation: dict[str, np.ndarray]
    test: dict[str, np.ndarray]


def train_refined_model(job: RefinedModelJob) -> dict[str, float]:
    """Generate ``n`` digits at ``params``, refine them, train the task model; validation and test accuracy."""
    layers = get_simulator("digits").generate(job.params, job.n, job.data_seed)
    refiner, record = load_refiner(job.refiner)
    images = refine_array(refiner, layers["image"], record["pixel_max"])
    model = train_classifier(images, layers["label"], job.task, job.train_seed)
    scale = job.task.input_scale
    return {
        "validation": accuracy_on(model, job.validation["image"], job.validation["label"], scale),
        "test": accuracy_on(model, job.test["image"], job.test["label"], scale),
    }
