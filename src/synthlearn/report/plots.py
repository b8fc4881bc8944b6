"""Figures for runs: rewards per iteration, parameter distributions per iteration, sample grids.

All figures use matplotlib's Agg backend (no display needed) and are written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthlearn.atomic import write_bytes_atomic
from synthlearn.params import ParamSpace, Simplex


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path) -> None:
    """Write ``fig`` as PNG atomically and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    write_bytes_atomic(path, buffer.getvalue())


def plot_rewards(history: Sequence[dict[str, Any]], path: str | Path, metric: str = "reward") -> None:
    """Mean, max and best-so-far reward per iteration (and the baseline, if any)."""
    plt = _pyplot()
    it = [h["iteration"] for h in history]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    rewards = [h["rewards"] for h in history]
    ax.fill_between(it, [min(r) for r in rewards], [max(r) for r in rewards], alpha=0.2, label="candidates (min–max)")
    ax.plot(it, [h["mean_reward"] for h in history], label="mean")
    ax.plot(it, [h["best_reward"] for h in history], label="best so far", linestyle="--")
    if any(h.get("baseline") is not None for h in history):
        ax.plot(it, [h.get("baseline") for h in history], label="baseline", linestyle=":")
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"reward ({'−' if metric in ('mae',) else ''}{metric} on validation)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    save_figure(fig, path)


def plot_parameters(
    history: Sequence[dict[str, Any]], path: str | Path, space: ParamSpace, hidden: dict[str, Any] | None = None
) -> None:
    """One panel per searched parameter: probabilities (Choice/Simplex) or mean ± std per iteration.

    Dashed lines mark the hidden validation parameters when they are known.
    """
    plt = _pyplot()
    params = list(space)
    cols = min(3, len(params)) or 1
    rows = (len(params) + cols - 1) // cols or 1
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    it = [h["iteration"] for h in history]
    for ax, p in zip(axes.flat, params):
        summaries = [h["policy"][p.name] for h in history]
        if "probs" in summaries[0]:
            for i, choice in enumerate(p.choices):
                line = ax.plot(it, [s["probs"][choice] for s in summaries], label=choice)[0]
                if hidden is not None:
                    target = hidden[p.name][choice] if isinstance(p, Simplex) else float(hidden[p.name] == choice)
                    ax.axhline(target, color=line.get_color(), linestyle="--", linewidth=0.8)
            ax.set_ylim(0, 1)
            ax.set_ylabel("probability")
            ax.legend(fontsize=7)
        else:
            mean = np.array([s["mean"] for s in summaries])
            std = np.array([s["std"] for s in summaries])
            ax.plot(it, mean)
            ax.fill_between(it, mean - std, mean + std, alpha=0.2)
            if hidden is not None:
                ax.axhline(hidden[p.name], color="k", linestyle="--", linewidth=0.8)
        ax.set_title(p.name)
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(params):]:
        ax.axis("off")
    fig.tight_layout()
    save_figure(fig, path)


def plot_lts_history(
    history: Sequence[dict[str, Any]], out: str | Path, space: ParamSpace, hidden: dict[str, Any] | None, metric: str
) -> None:
    """Write ``rewards.png`` and ``params.png`` into run folder ``out``."""
    out = Path(out)
    plot_rewards(history, out / "rewards.png", metric=metric)
    if len(space):
        plot_parameters(history, out / "params.png", space, hidden)


def plot_image_grid(rows: Sequence[tuple[str, np.ndarray]], path: str | Path, cmap: str = "gray") -> None:
    """A grid with one labelled row per ``(title, images (N, H, W) or (N, H, W, 3))``."""
    plt = _pyplot()
    n = max(len(images) for _, images in rows)
    fig, axes = plt.subplots(len(rows), n, figsize=(1.1 * n, 1.25 * len(rows)), squeeze=False)
    for r, (title, images) in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.axis("off")
            if c < len(images):
                ax.imshow(images[c], cmap=None if images[c].ndim == 3 else cmap, interpolation="nearest")
        axes[r, 0].set_title(title, fontsize=8, loc="left")
    fig.tight_layout()
    save_figure(fig, path)
