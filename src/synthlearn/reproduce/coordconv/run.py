"""The experiment: plan the rows, sweep each model family, and keep it all in a run folder.

One row per task × split × model family. Each split's training part is cut once more
(seeded) into a *fit* set and a validation slice (``val_fraction``). Every point of the row's
:class:`~synthlearn.reproduce.coordconv.settings.Sweep` is trained on the fit set
(:func:`~synthlearn.reproduce.coordconv.train.train_run`), and the point with the best
validation metric is kept (ties: better fit metric, then the cheaper, earlier point). The
test set is evaluated once, for the kept model only, and never used for any choice.

The run folder (:class:`~synthlearn.runs.RunFolder`)::

    RUN/config.yaml             the settings (a resume with other settings is refused)
    RUN/history.jsonl           one record per training run: task, split, model, restart, lr,
                                mul, kernel, seed, epochs, seconds, train, val, history, gave_up
    RUN/checkpoints/latest.pt   after every finished row: {"rows", "runs_done", "seconds"}
    RUN/results.json            the rows (as in benchmarks/results/coordconv/)
    RUN/results.md              the rows as a markdown table
    RUN/result.json             written last: {"rows": [...], "meta": {command, date, machine, total_seconds}}

A resumed run skips the finished rows and recomputes the row it was interrupted in from its
start; every row depends only on the settings, so the rows equal an uninterrupted run's
(timing fields aside).

Example::

    >>> rows = run_coordconv("runs/coordconv-q", CoordConvSettings.quick())   # doctest: +SKIP
    >>> rows[0]["task"], rows[0]["split"], rows[0]["model"]                     # doctest: +SKIP
    ('classification', 'uniform', 'deconv')
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.errors import UserError
from synthlearn.reproduce.coordconv.models import build_model, count_parameters
from synthlearn.reproduce.coordconv.report import markdown_table
from synthlearn.reproduce.coordconv.settings import SPLITS, TASKS, CoordConvSettings, model_name
from synthlearn.reproduce.coordconv.tasks import make_task, task_data
from synthlearn.reproduce.coordconv.train import evaluate, train_run
from synthlearn.runs import RunFolder
from synthlearn.sim import notsoclevr
from synthlearn.train import seeded_init, torch_threads

ROW_FIELDS: tuple[str, ...] = ("task", "split", "model", "metric", "train", "test", "params", "seconds")
"""The fields every result row has (rows carry more: val, sweep_seconds, the kept setting, ...)."""

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"

Progress = Callable[[str, int, int], None]
"""``progress(description, runs_done, runs_total)``, called before every training run and once at the end."""


def plan(settings: CoordConvSettings) -> list[tuple[str, str, str]]:
    """The rows to compute, ``(task, split, model family)``, in order."""
    return [
        (task, split, model_name(task, model))
        for task in settings.tasks for split in settings.splits for model in settings.models
    ]


def count_runs(settings: CoordConvSettings) -> int:
    """Upper bound on the number of training runs (sweeps may stop early)."""
    return sum(len(settings.sweep(task, family).points()) for task, _, family in plan(settings))


def split_sets(settings: CoordConvSettings, coords: np.ndarray, split: str) -> dict[str, np.ndarray]:
    """Indices into ``coords`` ``(n, 2)`` of the ``fit``, ``val`` and ``test`` sets of ``split`` (seeded, disjoint, sorted).

    Raises:
        UserError: a set is empty, or the fit set holds fewer than two centres (BatchNorm).
    """
    train, test = notsoclevr.split_indices(split, coords, settings.canvas, settings.test_fraction, settings.seed)
    order = seeding.generator(settings.seed, 1, SPLITS.index(split)).permutation(len(train))
    n_val = max(1, int(round(settings.val_fraction * len(train))))
    sets = {"fit": np.sort(train[order[n_val:]]), "val": np.sort(train[order[:n_val]]), "test": test}
    if len(sets["fit"]) < 2 or len(sets["val"]) < 1 or len(sets["test"]) < 1:
        sizes = ", ".join(f"{len(index)} to {name}" for name, index in zip(("fit", "validate", "test"), sets.values()))
        raise UserError(
            f"the {split} split of the {len(coords)} centres leaves {sizes}; it needs at least 2 to fit and 1 each "
            f"to validate and test: change test_fraction ({settings.test_fraction}), val_fraction "
            f"({settings.val_fraction}) or the canvas and square"
        )
    return sets


def run_row(
    settings: CoordConvSettings,
    task_name: str,
    split: str,
    family: str,
    data: Mapping[str, np.ndarray],
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
    log: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[dict[str, Any], int]:
    """Sweep model ``family`` on one task and split of ``data`` (Not-so-Clevr layers).

    ``done`` / ``total`` count training runs for ``progress``; ``log`` receives one record per
    training run. Returns the result row (:data:`ROW_FIELDS` and more) and the runs done so far.
    """
    size = settings.canvas
    task = make_task(task_name, size)
    x, y = task_data(task_name, data, size)
    sets = split_sets(settings, data["coords"], split)
    fit_x, fit_y = x[sets["fit"]], y[sets["fit"]]
    val_x, val_y = x[sets["val"]], y[sets["val"]]
    sweep = settings.sweep(task_name, family)
    points = sweep.points()
    best: tuple[tuple[float, float, int], dict[str, Any], nn.Module] | None = None
    row_start = time.perf_counter()
    for index, point in enumerate(points):
        if progress:
            progress(f"{task_name}/{split}/{family} ({index + 1}/{len(points)})", done, total)
        seed = seeding.child_seed(settings.seed, TASKS.index(task_name), SPLITS.index(split), point["restart"])
        model = seeded_init(lambda: build_model(task_name, family, size, point["mul"], point["kernel"]), seed)
        run = train_run(model, task, fit_x, fit_y, sweep, point["lr"], seed)
        fit = run["fit"] if run["fit"] is not None else evaluate(model, task, fit_x, fit_y)
        val = evaluate(model, task, val_x, val_y)
        record = {**point, "seed": seed, "epochs": run["epochs"], "seconds": round(run["seconds"], 2), "train": fit, "val": val,
                  "history": [round(h, 4) for h in run["history"]], "gave_up": run["gave_up"]}
        done += 1
        if log:
            log({"task": task_name, "split": split, "model": family, **record})
        key = (val, fit, -index)
        if best is None or key > best[0]:
            best = (key, record, model)
        if sweep.enough is not None and val >= sweep.enough and (sweep.stop_at is None or fit >= sweep.stop_at):
            break
    assert best is not None  # a sweep has at least one point
    _, record, model = best
    test = evaluate(model, task, x[sets["test"]], y[sets["test"]])
    row = {
        "task": task_name, "split": split, "model": family, "metric": task.metric_name,
        "train": record["train"], "val": record["val"], "test": test,
        "params": count_parameters(model), "seconds": record["seconds"],
        "sweep_seconds": round(time.perf_counter() - row_start, 2), "runs": index + 1,
        "epochs": record["epochs"], "lr": record["lr"], "seed": record["seed"],
        "n_fit": len(sets["fit"]), "n_val": len(sets["val"]), "n_test": len(sets["test"]),
    }
    if family != "coordconv":
        row["mul"] = record["mul"]
    if family == "deconv":
        row["kernel"] = record["kernel"]
    return row, done


def _meta(threads: int, seconds: float) -> dict[str, Any]:
    """How and where the run was made: command, date, machine, total seconds over every session."""
    return {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "torch": torch.__version__, "cpus": os.cpu_count(), "torch_threads": threads},
        "total_seconds": round(seconds, 1),
    }


def run_coordconv(
    out: str | Path, settings: CoordConvSettings, progress: Progress | None = None, resume: bool = False
) -> list[dict[str, Any]]:
    """Run (or resume) the reproduction in the run folder ``out`` (see the module docstring).

    Args:
        out: run folder (created if missing).
        settings: budget and protocol (validated when built).
        progress: optional callback, see :data:`Progress`.
        resume: continue the run in ``out`` from its last finished row.

    Returns:
        One row per task × split × model family, in :func:`plan` order, with at least :data:`ROW_FIELDS`.

    Raises:
        UserError: before anything is written -- ``out`` cannot hold the run (not a folder, not
            writable, already holds a run and ``resume`` is off, or resuming with other settings),
            or a split leaves a set empty.
    """
    folder = RunFolder(out, "a CoordConv reproduction")
    folder.check(resume)
    data = notsoclevr.full_dataset({"canvas": settings.canvas, "square": settings.square})
    for split in settings.splits:
        split_sets(settings, data["coords"], split)
    state = folder.start(settings, resume)
    rows: list[dict[str, Any]] = list(state["rows"]) if state else []
    done, spent = (state["runs_done"], state["seconds"]) if state else (0, 0.0)
    total, started = count_runs(settings), time.perf_counter()
    with torch_threads(settings.threads):
        for task, split, family in plan(settings)[len(rows):]:
            row, done = run_row(settings, task, split, family, data, progress, done, total, folder.append)
            rows.append(row)
            folder.save_checkpoint({"rows": rows, "runs_done": done, "seconds": spent + time.perf_counter() - started})
    if progress:
        progress("done", total, total)
    meta = _meta(settings.threads, spent + time.perf_counter() - started)
    write_json_atomic(folder.file(RESULTS_JSON), rows)
    write_text_atomic(folder.file(RESULTS_MD), markdown_table(rows, meta))
    folder.write_result({"rows": rows, "meta": meta})
    return rows
