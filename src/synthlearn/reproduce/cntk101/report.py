"""The reproduction's figures and its markdown table against the tutorial's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from synthlearn.report.plots import _pyplot, save_figure
from synthlearn.sim.tumors.gaussians import ClassGaussians

TUTORIAL = {"first_loss": 0.693, "last_loss": 0.231, "first_error": 0.32, "last_error": 0.04,
            "test_minibatch_error": 0.12, "bayes_error": 0.063, "ml_linear_error": 0.074}
"""The CNTK 101 tutorial's printed figures (REFERENCE.md §6)."""


def plot_boundaries(features: np.ndarray, label: np.ndarray, g: ClassGaussians, learned: tuple[np.ndarray, np.ndarray],
                    path: str | Path) -> None:
    """Scatter of 2-feature data ``(N, 2)`` coloured by ``label``, the learned linear boundary and the Bayes boundary."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for k, colour in zip(range(g.classes), ("tab:blue", "tab:red", "tab:green", "tab:orange")):
        ax.scatter(*features[label == k].T, s=6, alpha=0.5, color=colour, label=f"class {k}")
    low, high = features.min(axis=0), features.max(axis=0)
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
    log_joint = g.log_joint(grid)
    ax.contour(xs, ys, (log_joint[:, 1] - log_joint[:, 0]).reshape(xs.shape), levels=[0], colors="black", linestyles="--")
    weight, bias = learned
    logits = grid @ weight.T + bias
    ax.contour(xs, ys, (logits[:, 1] - logits[:, 0]).reshape(xs.shape), levels=[0], colors="tab:purple")
    ax.plot([], [], "k--", label="Bayes boundary")
    ax.plot([], [], color="tab:purple", label="learned (SGD)")
    ax.set_xlabel("feature 0 (age)")
    ax.set_ylabel("feature 1 (tumour size)")
    ax.legend(loc="upper left", fontsize=8)
    save_figure(fig, path)


def plot_progress(progress: list[dict[str, float]], path: str | Path) -> None:
    """Minibatch loss and error against the minibatch number."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    steps = [p["minibatch"] for p in progress]
    for ax, key in zip(axes, ("loss", "error")):
        ax.plot(steps, [p[key] for p in progress], marker="o", markersize=3)
        ax.set_xlabel("minibatch")
        ax.set_ylabel(f"minibatch {key}")
    save_figure(fig, path)


def markdown_table(results: dict[str, Any]) -> str:
    """The tutorial's figures beside ours, one row per figure."""
    progress, sim = results["progress"], results["simulated"]
    ours = {
        "first_loss": progress[0]["loss"], "last_loss": progress[-1]["loss"],
        "first_error": progress[0]["error"], "last_error": progress[-1]["error"],
        "test_minibatch_error": sim["test_minibatch_error"], "bayes_error": sim["bayes_error"],
        "ml_linear_error": sim["ml_linear_error"],
    }
    lines = ["| figure | CNTK 101 | synthlearn |", "|---|---|---|"]
    lines += [f"| {key.replace('_', ' ')} | {TUTORIAL[key]:.3f} | {ours[key]:.3f} |" for key in TUTORIAL]
    lines.append(f"| large test set error ({sim['test_size']:,}) | – | {sim['test_error']:.3f} |")
    real = results.get("real")
    if real:
        pm = lambda s: f"{s['mean']:.3f} ± {s['std']:.3f}"  # noqa: E731
        lines.append(f"| real table accuracy, SGD ({real['folds']}-fold) | ~0.95–0.98 (sklearn LR) | {pm(real['sgd_accuracy'])} |")
        lines.append(f"| real table accuracy, scikit-learn | ~0.95–0.98 | {pm(real['sklearn_accuracy'])} |")
    return "\n".join(lines) + "\n"
