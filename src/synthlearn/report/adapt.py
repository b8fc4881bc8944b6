"""The figure of a self-training run: accuracy and kept pseudo labels per round (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synthlearn.report.plots import _pyplot, save_figure

_CURVES = (("validation_accuracy", "validation"), ("test_accuracy", "test"),
           ("pseudo_label_accuracy", "kept pseudo labels right"), ("pool_accuracy", "pool predicted right"))


def plot_rounds(records: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Accuracies per round where known (left) and pseudo-labelled pool images trained on (right)."""
    plt = _pyplot()
    rounds = [r["round"] for r in records]
    fig, (accuracy_ax, kept_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
    for key, label in _CURVES:
        known = [r for r in records if r[key] is not None]
        if known:
            accuracy_ax.plot([r["round"] for r in known], [100 * r[key] for r in known], marker="o", label=label)
    accuracy_ax.set(xlabel="round", ylabel="accuracy (%)", title="accuracy per round", xticks=rounds)
    if accuracy_ax.lines:
        accuracy_ax.legend(fontsize=8)
    accuracy_ax.grid(alpha=0.3)
    kept_ax.bar(rounds, [r["kept"] for r in records], color="C2")
    kept_ax.set(xlabel="round", ylabel="images", title="pseudo-labelled pool images trained on", xticks=rounds)
    fig.tight_layout()
    save_figure(fig, path)
