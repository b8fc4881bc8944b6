"""Figures of Meta-Q-Learning runs: training returns, and β/ESS/λ per adapted task (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthlearn.report.plots import _pyplot, save_figure


def plot_returns(records: Sequence[dict[str, Any]], path: str | Path, title: str) -> None:
    """Training-episode return against environment steps, raw and as a moving average over 20 episodes."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if records:
        steps = np.array([r["env_steps"] for r in records])
        returns = np.array([r["return"] for r in records])
        ax.plot(steps, returns, alpha=0.3, lw=0.8, label="episode")
        k = min(20, len(returns))
        smooth = np.convolve(returns, np.ones(k) / k, mode="valid")
        ax.plot(steps[k - 1:], smooth, lw=1.8, label=f"mean of {k}")
        ax.legend(fontsize=8)
    ax.set(xlabel="environment steps", ylabel="return", title=title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path)


def plot_adaptation(evaluations: dict[str, dict[str, Any]], path: str | Path) -> None:
    """Mean β, ESS and λ per adapted task, one marker style per split (``evaluations`` = evaluation.json's content)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for marker, (split, result) in zip("os^", evaluations.items(), strict=False):
        rows = [r for r in result["tasks"] if "beta_mean" in r]
        for ax, key in zip(axes, ("beta_mean", "ess", "lam"), strict=True):
            ax.plot(range(len(rows)), [r[key] for r in rows], marker=marker, ls="-", lw=0.8, label=split)
    for ax, label in zip(axes, ("mean β", "ESS", "λ"), strict=True):
        ax.set(xlabel="adapted task", title=label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)
