"""The real side of the benchmark: furniture models as clouds, the per-seed protocol split, and the
real-trained upper bound (k-fold over every real model)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.atomic import write_bytes_atomic
from synthlearn.data.real3d import PointClouds, split_clouds
from synthlearn.data.shards import encode_npz
from synthlearn.reproduce.pointnet.settings import PointNetBenchSettings
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import fit, predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch

_FOLD_STREAM, _FOLD_TRAIN_STREAM = 61, 62


def task_config(settings: PointNetBenchSettings, epochs: int | None = None) -> TaskConfig:
    """The one task model of every row: PointNet at ``settings.width``, trained with Adam."""
    return TaskConfig(name="classify_points", input_scale=1.0, width=settings.width, depth=1, epochs=epochs or settings.epochs,
                      batch_size=settings.batch_size, lr=settings.lr)


def layers_of(clouds: PointClouds) -> dict[str, np.ndarray]:
    """Simulator-style layers ``{"points": (N, P, 3) float32, "label": (N,) int64}``."""
    return {"points": clouds.points, "label": clouds.labels}


def write_split(clouds: PointClouds, seed: int, settings: PointNetBenchSettings, folder: Path) -> tuple[Path, Path, dict[str, int]]:
    """Write the seed's validation and test clouds as ``.npz`` layer files; returns their paths and sizes."""
    split = split_clouds(clouds, seed, settings.val_per_class)
    paths = folder / "validation.npz", folder / "test.npz"
    for path, part in zip(paths, split):
        write_bytes_atomic(path, encode_npz(layers_of(part)))
    return paths[0], paths[1], {"validation": len(split.validation), "test": len(split.test)}


@dataclass(frozen=True)
class RealFoldJob:
    """Train PointNet on every real model outside one fold and predict the fold (picklable)."""

    points: np.ndarray
    labels: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray
    task: TaskConfig
    seed: int
    classes: int


def train_real_fold(job: RealFoldJob) -> np.ndarray:
    """Predicted classes ``(len(test_index),)`` of the held-out fold."""
    task = make_task(job.task)
    with single_thread_torch():
        layers = {"points": job.points, "label": job.labels}
        inputs, targets = task.tensors(layers, job.task.input_scale)
        model = build_model(job.task, task, inputs, job.classes, job.seed)
        fit(model, inputs[job.train_index], targets[job.train_index], task, job.task.training(), job.seed)
        return predict(model, inputs[job.test_index], task=task).argmax(dim=1).numpy()


def fold_jobs(clouds: PointClouds, seed: int, settings: PointNetBenchSettings) -> list[RealFoldJob]:
    """Stratified folds (seeded) with the synthetic rows' number of optimiser steps per model."""
    from sklearn.model_selection import StratifiedKFold

    present = np.flatnonzero(np.bincount(clouds.labels, minlength=len(clouds.classes))[clouds.labels] >= settings.folds)
    labels = clouds.labels[present]
    folds = StratifiedKFold(settings.folds, shuffle=True, random_state=seeding.child_seed(seed, _FOLD_STREAM) % 2**32)
    steps = settings.epochs * math.ceil(settings.train_size / settings.batch_size)
    jobs = []
    for k, (train, test) in enumerate(folds.split(np.zeros(len(labels)), labels)):
        epochs = max(1, round(steps / math.ceil(len(train) / settings.batch_size)))
        jobs.append(RealFoldJob(clouds.points[present], labels, train, test, task_config(settings, epochs),
                                seeding.child_seed(seed, _FOLD_TRAIN_STREAM, k), len(clouds.classes)))
    return jobs


def pooled_predictions(jobs: list[RealFoldJob], predictions: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """(predicted, true) labels of every real model, each predicted by the fold that held it out."""
    predicted = np.concatenate(predictions)
    truth = np.concatenate([job.labels[job.test_index] for job in jobs])
    return torch.from_numpy(predicted.astype(np.int64)), torch.from_numpy(truth.astype(np.int64))
