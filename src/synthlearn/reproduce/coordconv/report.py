"""The reproduction's result rows as a markdown table (``results.md``).

Example::

    >>> print(markdown_table(rows, meta))                               # doctest: +SKIP
    | task | split | model | params | train | test | seconds |
    |---|---|---|---:|---:|---:|---:|
    | classification | uniform | deconv | 103,585 | 68.9 % | 55.3 % | 44.4 |
    ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def format_metric(value: float, metric: str) -> str:
    """``0.986`` for an IoU, ``98.6 %`` for an accuracy."""
    return f"{value:.3f}" if metric == "iou" else f"{100 * value:.1f} %"


def markdown_table(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any] | None = None) -> str:
    """The result rows as a markdown table (train/test per task × split × model) with notes.

    Args:
        rows: result rows (:data:`~synthlearn.reproduce.coordconv.run.ROW_FIELDS` at least).
        meta: the run's ``command``, ``date``, ``machine`` (``torch``, ``torch_threads``, ``cpus``)
            and ``total_seconds``, for a last note; ``None`` leaves it out.
    """
    lines = [
        "| task | split | model | params | train | test | seconds |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['split']} | {r['model']} | {r['params']:,} | {format_metric(r['train'], r['metric'])} "
            f"| {format_metric(r['test'], r['metric'])} | {r['seconds']:.1f} |"
        )
    notes = [
        "",
        "Classification and regression: accuracy (arg-max pixel = centre; rounded predicted (i, j) = centre on both axes).",
        "Rendering: IoU of (sigmoid > 0.5) with the square, pooled over the set.",
        "train = fit set (the split's training part minus a 10 % validation slice used to pick the sweep point);",
        "seconds = training wall-clock of the kept run, evaluation excluded.",
    ]
    if meta:
        m = meta.get("machine", {})
        notes.append(
            f"Command `{meta.get('command', '')}`, {meta.get('date', '')}, torch {m.get('torch', '')}, "
            f"{m.get('torch_threads', '')} threads on {m.get('cpus', '')} CPUs, total {meta.get('total_seconds', '')} s."
        )
    return "\n".join(lines + notes) + "\n"
