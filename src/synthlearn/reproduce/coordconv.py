"""CoordConv's Not-so-Clevr experiments (Liu et al. 2018, sections 4.1-4.3), end to end.

Three supervised tasks on the full Not-so-Clevr set (3,136 centres, :mod:`synthlearn.sim.notsoclevr`),
each on the ``uniform`` and the ``quadrant`` split, each with a convolutional baseline and a
CoordConv model (:mod:`synthlearn.reproduce.coordconv_models`):

========================  ==========================  =============================  ==================
task                      input → output              baseline                       CoordConv
========================  ==========================  =============================  ==================
``classification``        (i, j) → one of 4,096 px    ``deconv`` (DeconvPainter)     classifier, 7,553
``regression``            one-hot image → (i, j)      ``conv`` (ConvRegressor)       regressor, 906
``rendering``             (i, j) → the square's mask  ``deconv`` (DeconvPainter)     renderer, 7,553
========================  ==========================  =============================  ==================

Metrics, computed over a whole set (never averaged over batches):

* classification accuracy -- the arg-max pixel of the softmax is the centre;
* regression accuracy -- the prediction, scaled back to pixels and rounded to the nearest
  integer, equals the centre on *both* axes (i.e. both errors are below half a pixel);
* rendering IoU -- pixels predicted "square" are those whose sigmoid probability exceeds 0.5;
  IoU = Σ intersection / Σ union over the set, against the square's mask (the pixels of
  value 128). The authors trained a sigmoid towards the grey value 128/255 = 0.502 and
  thresholded at 0.5, so a perfect model sits 0.002 above its threshold and a tiny error
  flips a pixel; here both model families are trained (per-pixel binary cross-entropy) on
  the mask itself (target 1 on the square, 0 elsewhere), so "above 0.5" is a real decision.
  Thresholding the grey target at 0.5 gives the same mask, as 0.502 > 0.5.

Protocol. Each split's training part is cut once more (seeded) into a *fit* set and a
validation slice (``val_fraction``, 10 %). Every model family has a small sweep (learning
rates, widths, kernel sizes, restarts); each point is trained with Adam on the fit set, with
a cosine-decayed learning rate, and the point with the best validation metric is kept (ties:
better fit metric, then the cheaper, earlier point). The test set is evaluated once, for the
kept model only, and never used for any choice. ``train`` in the results is the metric on
the fit set, ``seconds`` the training wall-clock of the kept run (evaluation excluded) and
``sweep_seconds`` everything spent on that row. A run stops early once its metric on the fit
set reaches ``stop_at``; a sweep stops early once a run reaches ``enough`` on validation; a
run is abandoned after one epoch if its running fit metric is below ``give_up`` (restarts
of the CoordConv regressor, whose starts either take off in the first epoch or stall).

Everything is seeded: the uniform split, the validation slices, every model's initialisation
(:func:`torch.random.fork_rng` + ``manual_seed``) and minibatch order (a ``torch.Generator``).
Results are reproducible for a fixed number of torch threads (``threads``).

Example::

    >>> rows = run_coordconv(None, CoordConvSettings.quick())      # doctest: +SKIP
    >>> rows[0]["task"], rows[0]["split"], rows[0]["model"]         # doctest: +SKIP
    ('classification', 'uniform', 'deconv')
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.errors import UserError
from synthlearn.reproduce.coordconv_models import (
    ConvRegressor,
    CoordConvRegressor,
    DeconvPainter,
    count_parameters,
    coordconv_classifier,
    coordconv_renderer,
    normalise_coords,
)
from synthlearn.sim import notsoclevr

TASKS: tuple[str, ...] = ("classification", "regression", "rendering")
SPLITS: tuple[str, ...] = notsoclevr.SPLITS
BASELINES: dict[str, str] = {"classification": "deconv", "regression": "conv", "rendering": "deconv"}
METRICS: dict[str, str] = {"classification": "accuracy", "regression": "accuracy", "rendering": "iou"}
ROW_FIELDS: tuple[str, ...] = ("task", "split", "model", "metric", "train", "test", "params", "seconds")
"""The fields every result row has (rows carry more: val, sweep_seconds, the kept setting, ...)."""


# ------------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Sweep:
    """How one model family is trained on one task: a small grid, every point trained once.

    Attributes:
        lrs: Adam learning rates tried.
        muls: width multipliers tried (baselines only; CoordConv models have one width).
        kernels: transposed-convolution kernel sizes tried (``deconv`` only).
        restarts: initialisation seeds tried per grid point.
        epochs: epochs per run (the learning rate follows a cosine from ``lr`` to 0 over them).
        batch_size: minibatch size.
        stop_at: stop a run once its metric on the fit set reaches this (``None``: never).
        enough: stop the sweep once a run reaches this validation metric (``None``: never).
        give_up: abandon a run whose running fit metric after its first epoch is below this
            (``None``: never) and go on with the next restart -- for models that either take off
            in the first epoch or sit on a plateau (the CoordConv regressor, see
            :mod:`~synthlearn.reproduce.coordconv_models`).
    """

    lrs: tuple[float, ...] = (1e-3,)
    muls: tuple[int, ...] = (1,)
    kernels: tuple[int, ...] = (3,)
    restarts: int = 1
    epochs: int = 10
    batch_size: int = 32
    stop_at: float | None = None
    enough: float | None = None
    give_up: float | None = None

    def points(self) -> list[dict[str, Any]]:
        """The grid, in the order it is tried: restart slowest, then lr, mul, kernel."""
        return [
            {"restart": r, "lr": lr, "mul": m, "kernel": k}
            for r in range(self.restarts) for lr in self.lrs for m in self.muls for k in self.kernels
        ]


def _default_sweeps() -> dict[str, Sweep]:
    # Baselines: two learning rates each, 20 epochs (the authors: a grid of 6 lr x 3 L2 x 3 kernels x
    # 3 widths x 2 batch sizes, 1000 epochs each -- far beyond a CPU budget).
    return {
        "classification/deconv": Sweep(lrs=(1e-2, 3e-2), epochs=20, batch_size=32, stop_at=1.0),
        # no early stop: accuracy on the unseen quadrant keeps improving after the fit set is at 100 %
        "classification/coordconv": Sweep(lrs=(1e-2,), epochs=2, batch_size=8),
        "regression/conv": Sweep(lrs=(3e-3, 1e-2), epochs=20, batch_size=32, stop_at=1.0),
        "regression/coordconv": Sweep(lrs=(1e-2,), epochs=4, batch_size=16, stop_at=1.0, enough=1.0, restarts=4, give_up=0.05),
        # lr 0.03 collapses the deconv renderer to "all background" (2 % of the pixels are square)
        "rendering/deconv": Sweep(lrs=(3e-3, 1e-2), epochs=20, batch_size=32, stop_at=0.999),
        "rendering/coordconv": Sweep(lrs=(1e-2,), epochs=3, batch_size=8),
    }


@dataclass(frozen=True)
class CoordConvSettings:
    """Budget and protocol of the reproduction. :meth:`full` and :meth:`quick` are the presets.

    Attributes:
        seed: root seed of the splits, validation slices, initialisations and batch orders.
        canvas: canvas side (64 in the paper; a power of two for the deconvolution baseline).
        square: square side (9 in the paper).
        test_fraction: share of centres the ``uniform`` split holds out (0.2 as in the paper's
            text; its code used 0.25).
        val_fraction: share of each split's training centres kept aside for model selection.
        threads: torch threads (results are reproducible for a fixed thread count). 1 by
            default: on a 2-core machine shared with other jobs, 2 threads measured up to 7x
            slower than 1 (OpenMP workers waiting for a busy core).
        tasks: tasks to run, in order.
        splits: splits to run, in order.
        models: model families to run per task: ``baseline`` and/or ``coordconv``.
        sweeps: ``"task/model"`` → :class:`Sweep`, for every task and model name.
    """

    seed: int = 0
    canvas: int = 64
    square: int = 9
    test_fraction: float = 0.2
    val_fraction: float = 0.1
    threads: int = 1
    tasks: tuple[str, ...] = TASKS
    splits: tuple[str, ...] = SPLITS
    models: tuple[str, ...] = ("baseline", "coordconv")
    sweeps: Mapping[str, Sweep] = field(default_factory=_default_sweeps)

    @staticmethod
    def full() -> CoordConvSettings:
        return CoordConvSettings()

    @staticmethod
    def quick() -> CoordConvSettings:
        """The CoordConv models as in :meth:`full`; one short run per baseline (a smoke run for them)."""
        sweeps = dict(_default_sweeps())  # CoordConv models as in the full run
        sweeps["classification/deconv"] = Sweep(lrs=(3e-2,), epochs=4, batch_size=32, stop_at=1.0)
        sweeps["regression/conv"] = Sweep(lrs=(3e-3,), epochs=4, batch_size=32, stop_at=1.0)
        sweeps["rendering/deconv"] = Sweep(lrs=(1e-2,), epochs=4, batch_size=32, stop_at=0.999)
        return CoordConvSettings(sweeps=sweeps)

    def validate(self) -> CoordConvSettings:
        """Raise :class:`UserError` naming the first bad setting; return ``self``."""
        unknown = [t for t in self.tasks if t not in TASKS] + [s for s in self.splits if s not in SPLITS]
        unknown += [m for m in self.models if m not in ("baseline", "coordconv")]
        if unknown:
            raise UserError(f"unknown task, split or model {unknown[0]!r}")
        if not (self.tasks and self.splits and self.models):
            raise UserError("nothing to run: tasks, splits and models must not be empty")
        if not 0 < self.val_fraction < 1:
            raise UserError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        if self.threads < 1:
            raise UserError(f"threads must be >= 1, got {self.threads}")
        for task in self.tasks:
            for model in self.models:
                key = f"{task}/{_model_name(task, model)}"
                if key not in self.sweeps:
                    raise UserError(f"no sweep settings for {key}")
        notsoclevr.centre_range(self.canvas, self.square)  # raises on a bad geometry
        return self

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sweeps"] = {k: asdict(v) for k, v in self.sweeps.items()}
        return out


def _model_name(task: str, model: str) -> str:
    return BASELINES[task] if model == "baseline" else model


# ------------------------------------------------------------------------------------------ tasks


class _Task:
    """Loss and metric of one task. ``score`` returns (numerator, denominator) to accumulate."""

    name = ""
    metric = "accuracy"

    def __init__(self, size: int) -> None:
        self.size = size

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def score(self, out: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        raise NotImplementedError


class _Classification(_Task):
    """out ``(B, H, W)`` logits, y ``(B,)`` flat index ``i * W + j``; softmax over the pixels."""

    name = "classification"

    def loss(self, out, y):
        return nn.functional.cross_entropy(out.reshape(len(out), -1), y)

    def score(self, out, y):
        return float((out.reshape(len(out), -1).argmax(dim=1) == y).sum()), float(len(y))


class _Regression(_Task):
    """out and y ``(B, 2)`` = ``(i, j) / size``; correct when both rounded predictions hit."""

    name = "regression"

    def loss(self, out, y):
        return nn.functional.mse_loss(out, y)

    def score(self, out, y):
        hit = (torch.round(out * self.size) == torch.round(y * self.size)).all(dim=1)
        return float(hit.sum()), float(len(y))


class _Rendering(_Task):
    """out ``(B, H, W)`` logits, y ``(B, H, W)`` square mask in {0, 1}; IoU of (sigmoid > 0.5)."""

    name = "rendering"
    metric = "iou"

    def loss(self, out, y):
        return nn.functional.binary_cross_entropy_with_logits(out, y)

    def score(self, out, y):
        painted, truth = out > 0, y > 0.5  # sigmoid(out) > 0.5  <=>  out > 0
        return float((painted & truth).sum()), float((painted | truth).sum())


_TASKS: dict[str, type[_Task]] = {"classification": _Classification, "regression": _Regression, "rendering": _Rendering}


def task_data(task: str, data: Mapping[str, np.ndarray], size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of ``task`` from Not-so-Clevr layers (``image``, ``onehot``, ``coords``).

    * classification: ``(n, 2)`` normalised (i, j) → ``(n,)`` flat pixel index;
    * regression: ``(n, 1, size, size)`` one-hot → ``(n, 2)`` (i, j) / size;
    * rendering: ``(n, 2)`` normalised (i, j) → ``(n, size, size)`` mask (image > 0, i.e. image / 255 > 0.5).
    """
    coords = torch.from_numpy(np.asarray(data["coords"], dtype=np.int64))
    if task == "classification":
        return normalise_coords(coords, size), coords[:, 0] * size + coords[:, 1]
    if task == "regression":
        onehot = torch.from_numpy(np.asarray(data["onehot"], dtype=np.float32)).unsqueeze(1)
        return onehot, coords.to(torch.float32) / size
    if task == "rendering":
        return normalise_coords(coords, size), torch.from_numpy(np.asarray(data["image"]) > 0).to(torch.float32)
    raise UserError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")


def build_model(task: str, model: str, size: int, mul: int = 1, kernel: int = 3) -> nn.Module:
    """A fresh model of family ``model`` (``deconv``, ``conv`` or ``coordconv``) for ``task``."""
    if model == "coordconv":
        return {"classification": coordconv_classifier, "rendering": coordconv_renderer}.get(
            task, lambda size: CoordConvRegressor())(size)
    if model == "deconv" and task in ("classification", "rendering"):
        return DeconvPainter(size, mul=mul, kernel=kernel)
    if model == "conv" and task == "regression":
        return ConvRegressor(size, mul=mul)
    raise UserError(f"no model {model!r} for task {task!r}")


# ------------------------------------------------------------------------------------------ training


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run torch on ``threads`` threads inside the block, then restore the previous count."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@torch.no_grad()
def evaluate(model: nn.Module, task: _Task, x: torch.Tensor, y: torch.Tensor, batch_size: int = 128) -> float:
    """The task's metric over the whole set, in eval mode (numerator and denominator summed first)."""
    model.eval()
    num = den = 0.0
    for start in range(0, len(x), batch_size):
        a, b = task.score(model(x[start : start + batch_size]), y[start : start + batch_size])
        num, den = num + a, den + b
    return num / den if den else 1.0


def train_run(
    model: nn.Module, task: _Task, x: torch.Tensor, y: torch.Tensor, sweep: Sweep, lr: float, seed: int
) -> dict[str, Any]:
    """Train ``model`` in place with Adam; returns ``{"epochs", "seconds", "fit", "history", "gave_up"}``.

    The learning rate falls from ``lr`` to 0 along a cosine over ``sweep.epochs`` epochs.
    Minibatch order comes from a torch Generator seeded with ``seed``. After an epoch whose
    running fit metric (from the minibatches, for free) reaches ``sweep.stop_at``, the fit set is
    evaluated properly and the run stops if it is there. ``history`` holds the running fit
    metric of every epoch; ``gave_up`` tells whether ``sweep.give_up`` ended the run.
    """
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    n, batch = len(x), sweep.batch_size
    total = sweep.epochs * math.ceil(n / batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total) / total)))
    start, fit, epochs, history, gave_up = time.perf_counter(), None, 0, [], False
    for epoch in range(sweep.epochs):
        model.train()
        num = den = 0.0
        order = torch.randperm(n, generator=generator)
        for lo in range(0, n, batch):
            index = order[lo : lo + batch]
            if len(index) < 2 <= n:
                continue  # BatchNorm needs two samples
            out = model(x[index])
            loss = task.loss(out, y[index])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            a, b = task.score(out.detach(), y[index])
            num, den = num + a, den + b
        epochs = epoch + 1
        running = num / den if den else 0.0
        history.append(running)
        if sweep.stop_at is not None and running >= sweep.stop_at:
            fit = evaluate(model, task, x, y)
            if fit >= sweep.stop_at:
                break
        if epoch == 0 and sweep.give_up is not None and running < sweep.give_up and sweep.epochs > 1:
            gave_up = True
            break
    seconds = time.perf_counter() - start
    return {"epochs": epochs, "seconds": seconds, "fit": fit, "history": history, "gave_up": gave_up}


def _seeded(build: Callable[[], nn.Module], seed: int) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


# ------------------------------------------------------------------------------------------ experiment


Progress = Callable[[str, int, int], None]
"""``progress(description, runs_done, runs_total)``, called before and after every training run."""


def plan(settings: CoordConvSettings) -> list[tuple[str, str, str]]:
    """The rows to compute, ``(task, split, model name)``, in order."""
    return [
        (task, split, _model_name(task, model))
        for task in settings.tasks for split in settings.splits for model in settings.models
    ]


def count_runs(settings: CoordConvSettings) -> int:
    """Upper bound on the number of training runs (sweeps may stop early)."""
    return sum(len(settings.sweeps[f"{t}/{m}"].points()) for t, _, m in plan(settings))


def split_sets(settings: CoordConvSettings, coords: np.ndarray, split: str) -> dict[str, np.ndarray]:
    """Indices of the fit, validation and test sets of ``split`` (seeded, disjoint, sorted)."""
    train, test = notsoclevr.split_indices(split, coords, settings.canvas, settings.test_fraction, settings.seed)
    order = seeding.generator(settings.seed, 1, SPLITS.index(split)).permutation(len(train))
    n_val = max(1, int(round(settings.val_fraction * len(train))))
    return {"fit": np.sort(train[order[n_val:]]), "val": np.sort(train[order[:n_val]]), "test": test}


def run_row(
    settings: CoordConvSettings,
    task_name: str,
    split: str,
    model_name: str,
    data: Mapping[str, np.ndarray],
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
    log: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[dict[str, Any], int]:
    """Sweep one model family on one task and split; returns (result row, runs done so far)."""
    size = settings.canvas
    task = _TASKS[task_name](size)
    x, y = task_data(task_name, data, size)
    sets = split_sets(settings, data["coords"], split)
    fit_x, fit_y = x[sets["fit"]], y[sets["fit"]]
    val_x, val_y = x[sets["val"]], y[sets["val"]]
    sweep = settings.sweeps[f"{task_name}/{model_name}"]
    points = sweep.points()
    best: tuple[tuple[float, float, int], dict[str, Any], nn.Module] | None = None
    row_start = time.perf_counter()
    for index, point in enumerate(points):
        label = f"{task_name}/{split}/{model_name} ({index + 1}/{len(points)})"
        if progress:
            progress(label, done, total)
        seed = seeding.child_seed(settings.seed, TASKS.index(task_name), SPLITS.index(split), point["restart"])
        model = _seeded(lambda: build_model(task_name, model_name, size, point["mul"], point["kernel"]), seed)
        run = train_run(model, task, fit_x, fit_y, sweep, point["lr"], seed)
        fit = run["fit"] if run["fit"] is not None else evaluate(model, task, fit_x, fit_y)
        val = evaluate(model, task, val_x, val_y)
        record = {**point, "seed": seed, "epochs": run["epochs"], "seconds": round(run["seconds"], 2), "train": fit, "val": val,
                  "history": [round(h, 4) for h in run["history"]], "gave_up": run["gave_up"]}
        done += 1
        if log:
            log({"task": task_name, "split": split, "model": model_name, **record})
        key = (val, fit, -index)
        if best is None or key > best[0]:
            best = (key, record, model)
        if sweep.enough is not None and val >= sweep.enough and (sweep.stop_at is None or fit >= sweep.stop_at):
            break
    assert best is not None
    _, record, model = best
    test = evaluate(model, task, x[sets["test"]], y[sets["test"]])
    row = {
        "task": task_name, "split": split, "model": model_name, "metric": task.metric,
        "train": record["train"], "val": record["val"], "test": test,
        "params": count_parameters(model), "seconds": record["seconds"],
        "sweep_seconds": round(time.perf_counter() - row_start, 2), "runs": index + 1,
        "epochs": record["epochs"], "lr": record["lr"], "seed": record["seed"],
        "n_fit": len(sets["fit"]), "n_val": len(sets["val"]), "n_test": len(sets["test"]),
    }
    if model_name != "coordconv":
        row["mul"] = record["mul"]
    if model_name == "deconv":
        row["kernel"] = record["kernel"]
    return row, done


def prepare_out(out: str | Path) -> Path:
    """Create the output folder (or accept an existing one); :class:`UserError` if that is impossible."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"output folder {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise UserError(f"output folder {out} is not writable")
    return out


def run_coordconv(
    out: str | Path | None, settings: CoordConvSettings, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Run the reproduction; write ``results.json``, ``results.md`` and ``settings.json`` to ``out``.

    Args:
        out: output folder (created if missing), or ``None`` to write nothing.
        settings: budget and protocol.
        progress: optional callback, see :data:`Progress`.

    Returns:
        One row per task × split × model, with at least :data:`ROW_FIELDS`.

    Raises:
        UserError: ``out`` cannot be used as a folder, or a setting is invalid (before any work).
    """
    settings.validate()
    folder = prepare_out(out) if out is not None else None
    runs_log = folder / "runs.jsonl" if folder else None
    if runs_log:
        runs_log.write_text("")

    def log(record: dict[str, Any]) -> None:
        if runs_log:
            with runs_log.open("a") as handle:
                handle.write(json.dumps(record, sort_keys=True) + "\n")

    data = notsoclevr.full_dataset({"canvas": settings.canvas, "square": settings.square})
    rows: list[dict[str, Any]] = []
    total, done = count_runs(settings), 0
    started = time.perf_counter()
    with torch_threads(settings.threads):
        for task, split, model in plan(settings):
            row, done = run_row(settings, task, split, model, data, progress, done, total, log)
            rows.append(row)
    if progress:
        progress("done", total, total)
    if folder:
        meta = {
            "settings": settings.as_dict(),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "torch": torch.__version__, "cpus": os.cpu_count(), "torch_threads": settings.threads},
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        write_json_atomic(folder / "settings.json", meta)
        write_json_atomic(folder / "results.json", rows)
        write_text_atomic(folder / "results.md", markdown_table(rows, meta))
    return rows


def _fmt(value: float, metric: str) -> str:
    return f"{value:.3f}" if metric == "iou" else f"{100 * value:.1f} %"


def markdown_table(rows: list[dict[str, Any]], meta: Mapping[str, Any] | None = None) -> str:
    """The result rows as a markdown table (train/test per task × split × model) with notes."""
    lines = [
        "| task | split | model | params | train | test | seconds |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['split']} | {r['model']} | {r['params']:,} | {_fmt(r['train'], r['metric'])} "
            f"| {_fmt(r['test'], r['metric'])} | {r['seconds']:.1f} |"
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
