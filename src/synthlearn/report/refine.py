"""Figures for refiner runs: sample grids (synthetic | refined | real) and training curves.

Grids use one fixed grey scale ``[0, pixel_max]`` for every image, so a global change of
brightness or contrast made by the refiner stays visible (per-image autoscaling hides it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthlearn.report.plots import _pyplot, save_figure


def plot_refine_samples(
    rows: Sequence[tuple[str, np.ndarray]], path: str | Path, pixel_max: float, title: str | None = None
) -> None:
    """One labelled row per ``(title, images (N, H, W) or (N, H, W, 3))`` on the scale ``[0, pixel_max]``."""
    plt = _pyplot()
    n = max(len(images) for _, images in rows)
    fig, axes = plt.subplots(len(rows), n, figsize=(0.9 * n, 1.1 * len(rows) + (0.3 if title else 0)), squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.axis("off")
            if c < len(images):
                image = np.asarray(images[c], dtype=np.float32)
                if image.ndim == 3:
                    ax.imshow(np.clip(image / pixel_max, 0, 1), interpolation="nearest")
                else:
                    ax.imshow(image, cmap="gray", vmin=0, vmax=pixel_max, interpolation="nearest")
        axes[r, 0].set_title(label, fontsize=8, loc="left")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def plot_refine_history(history: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Losses, discriminator accuracies and mean |R(x) − x| against the step; events as vertical lines."""
    plt = _pyplot()
    records = [h for h in history if "event" not in h]
    events = [h for h in history if "event" in h]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    panels = (
        (axes[0], ("loss_refiner", "loss_adv", "loss_reg", "loss_d"), "loss"),
        (axes[1], ("d_acc_real", "d_acc_refined"), "discriminator accuracy (patches)"),
        (axes[2], ("refine_delta",), "mean |R(x) − x| / pixel range"),
    )
    for ax, keys, ylabel in panels:
        for key in keys:
            points = [(h["step"], h[key]) for h in records if key in h]
            if points:
                ax.plot(*zip(*points), label=key, linewidth=1)
        for event in events:
            ax.axvline(event["step"], color="red" if event["event"] == "divergence" else "orange", linestyle=":", linewidth=1)
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)
