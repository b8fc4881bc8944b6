"""Figures of NPID runs: training loss and monitored kNN accuracy per epoch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synthlearn.report.plots import _pyplot, save_figure


def plot_npid_history(history: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Loss per epoch (left) and the kNN accuracy of held-out labelled images where monitored (right)."""
    plt = _pyplot()
    fig, (loss_ax, knn_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
    loss_ax.plot([h["epoch"] for h in history], [h["loss"] for h in history], marker="o")
    loss_ax.set(xlabel="epoch", ylabel="training loss", title="objective")
    monitored = [h for h in history if "knn_accuracy" in h]
    knn_ax.plot([h["epoch"] for h in monitored], [100 * h["knn_accuracy"] for h in monitored], marker="o", color="C2")
    knn_ax.set(xlabel="epoch", ylabel="kNN accuracy (%)", title="held-out labelled images")
    if not monitored:
        knn_ax.text(0.5, 0.5, "not monitored", ha="center", va="center", transform=knn_ax.transAxes)
    fig.tight_layout()
    save_figure(fig, path)
