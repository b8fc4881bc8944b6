"""Figures of the PointNet benchmark: sample clouds, confusion matrices, critical sets (Agg backend)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn.report.plots import _pyplot, save_figure

_SHOWN_POINTS = 256


def _scatter(ax, points: np.ndarray, highlight: np.ndarray | None = None) -> None:
    """One cloud ``(P, 3)`` seen from the front-left, up = +z; ``highlight`` indices drawn in red."""
    shown = points[:: max(1, len(points) // _SHOWN_POINTS)]
    ax.scatter(shown[:, 0], shown[:, 1], shown[:, 2], s=1.5, c="0.35", depthshade=False)
    if highlight is not None:
        critical = points[highlight]
        ax.scatter(critical[:, 0], critical[:, 1], critical[:, 2], s=4, c="tab:red", depthshade=False)
    ax.set_xlim(-1, 1), ax.set_ylim(-1, 1), ax.set_zlim(-1, 1)
    ax.view_init(elev=20, azim=-60)
    ax.set_axis_off()


def plot_samples(path: Path, classes: list[str], synthetic: np.ndarray, synthetic_labels: np.ndarray,
                 real: np.ndarray, real_labels: np.ndarray) -> None:
    """Row 1: one synthetic cloud per class; row 2: one real model per class (``(N, P, 3)`` each)."""
    plt = _pyplot()
    fig = plt.figure(figsize=(1.6 * len(classes), 3.6))
    for row, (clouds, labels, what) in enumerate([(synthetic, synthetic_labels, "synthetic"), (real, real_labels, "real")]):
        for column, name in enumerate(classes):
            ax = fig.add_subplot(2, len(classes), row * len(classes) + column + 1, projection="3d")
            members = np.flatnonzero(labels == column)
            if len(members):
                _scatter(ax, clouds[members[0]])
            else:
                ax.set_axis_off()
            ax.set_title(f"{what}\n{name}" if column == 0 else name, fontsize=7)
    save_figure(fig, path)


def plot_confusion(path: Path, confusion: list[list[int]], classes: list[str], title: str) -> None:
    """A confusion matrix (rows: true class, columns: predicted), counts in the cells."""
    plt = _pyplot()
    counts = np.asarray(confusion)
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.imshow(counts / np.maximum(counts.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(counts):
        if value:
            ax.text(j, i, str(value), ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(classes)), classes, rotation=60, fontsize=7)
    ax.set_yticks(range(len(classes)), classes, fontsize=7)
    ax.set_xlabel("predicted"), ax.set_ylabel("true"), ax.set_title(title, fontsize=8)
    save_figure(fig, path)


def plot_critical_sets(path: Path, model: torch.nn.Module, clouds: np.ndarray, labels: np.ndarray, classes: list[str]) -> None:
    """One real model per class with the points that win PointNet's last max-pool (the paper's critical set) in red."""
    from synthlearn.nn.pointnet import critical_set

    plt = _pyplot()
    picked = [np.flatnonzero(labels == c)[0] for c in range(len(classes)) if (labels == c).any()]
    model.eval()
    critical = critical_set(torch.from_numpy(clouds[picked]), model, include_transforms=False)
    fig = plt.figure(figsize=(1.8 * len(picked), 2.2))
    for column, (index, winners) in enumerate(zip(picked, critical)):
        ax = fig.add_subplot(1, len(picked), column + 1, projection="3d")
        _scatter(ax, clouds[index], winners.numpy())
        ax.set_title(f"{classes[labels[index]]}: {len(winners)}", fontsize=7)
    save_figure(fig, path)


def plot_pointnet_figures(out: Path, results: dict[str, Any], real, kept_runs: dict, settings) -> None:
    """``samples.png``, ``confusion.png`` (real k-fold and reinforce, seed 0), ``critical_sets.png`` and
    ``learned_params.png`` (reinforce, first seed) in ``out``."""
    from synthlearn.sim import get_simulator
    from synthlearn.train.models import build_model, make_task

    classes, seed = results["classes"], settings.seeds[0]
    synthetic = get_simulator("shapes3d").generate({"points": settings.points}, 8 * len(classes), seed=0)
    plot_samples(out / "samples.png", classes, synthetic["points"], synthetic["label"], real.points, real.labels)
    rows = {row["method"]: row for row in results["rows"]}
    for name in ("real (k-fold)", "reinforce"):
        if name in rows:
            plot_confusion(out / f"confusion_{name.split()[0]}.png", rows[name]["confusion_seed0"], classes,
                           f"{name}, seed {seed} (rows: true class)")
    run = kept_runs.get(("reinforce", seed))
    if run is not None:
        task = make_task(run.config.task)
        inputs = torch.from_numpy(real.points[:2])
        model = build_model(run.config.task, task, inputs, len(classes), seed=0)
        model.load_state_dict(torch.load(run.out / "best_model.pt", weights_only=True))
        plot_critical_sets(out / "critical_sets.png", model, real.points, real.labels, classes)
        shutil.copyfile(run.out / "params.png", out / "learned_params.png")
