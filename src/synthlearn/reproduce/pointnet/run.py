"""The PointNet sim-to-real table: train only on ``shapes3d`` clouds, test on real furniture models.

Rows (the same PointNet and training budget in every row, mean ± std over seeds):

* ``real (k-fold)`` -- the upper bound: trained on real models, each scored by the fold that held it out;
* ``default``, ``random-params``, ``random-search``, ``reinforce`` -- synthetic clouds at the simulator's
  defaults, at parameters drawn over the whole space (domain randomisation), at the best of a local
  random search, and at parameters learned by LTS; each without and with scan simulation.

Per seed the real models are split once (:func:`synthlearn.data.real3d.split_clouds`): a few labelled
validation models per class (LTS rewards and model selection only) and the rest as the test set, which
nothing tunes on. Every synthetic row trains ``iterations × candidates`` models and keeps the best on
validation ("kept"); ``fresh`` is the mean test accuracy of new models trained at the run's learned
parameters. Each LTS run has its own run folder under ``OUT/runs/``, so an interrupted benchmark resumes
where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn.data.real3d import FURNITURE_ROOT, PointClouds, load_sweethome3d
from synthlearn.data.shards import load_layers
from synthlearn.execute.base import Executor
from synthlearn.lts.config import DataSpec, LTSConfig, SearcherConfig
from synthlearn.lts.loop import LTSRun
from synthlearn.reproduce.pointnet.real import fold_jobs, pooled_predictions, task_config, train_real_fold, write_split
from synthlearn.reproduce.pointnet.settings import SEARCHERS, PointNetBenchSettings
from synthlearn.runs import check_output_folder
from synthlearn.sim import get_simulator
from synthlearn.train import metrics
from synthlearn.train.fit import predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch

SCAN_PARAMS = ("scan_noise", "scan_dropout")
"""Simulator parameters that only act with a scan (``scan_views`` > 0)."""

RunCallback = Callable[[str, int, int, int], None]
"""``on_run(row, seed, index, total)``, called before each LTS run."""


def row_name(row: str, scan: bool) -> str:
    return f"{row} + scan" if scan else row


def row_config(row: str, scan: bool, seed: int, settings: PointNetBenchSettings, validation: Path, test: Path) -> LTSConfig:
    """The LTS experiment behind one synthetic row, scan setting and seed."""
    fixed = {"points": settings.points, "scan_views": 1 if scan else 0}
    names = get_simulator("shapes3d").param_space().names
    learn = [n for n in names if n not in fixed and (scan or n not in SCAN_PARAMS)]  # scan settings are inert without a scan
    return LTSConfig(
        name=f"pointnet-{row}{'-scan' if scan else ''}",
        seed=seed,
        simulator="shapes3d",
        fixed=fixed,
        learn=learn,
        train_size=settings.train_size,
        searcher=SearcherConfig(name=SEARCHERS[row], candidates=settings.candidates, iterations=settings.iterations,
                                lr=settings.policy_lr),
        task=task_config(settings),
        validation=DataSpec(dataset=validation),
        test=DataSpec(dataset=test),
    )


def scores(predicted: torch.Tensor, truth: torch.Tensor, classes: int) -> dict[str, Any]:
    """Accuracy, mean class accuracy, MCC and the confusion matrix of predicted vs true labels ``(N,)``."""
    logits = torch.nn.functional.one_hot(predicted, classes).float()
    return {
        "accuracy": metrics.accuracy(logits, truth),
        "mean_class_accuracy": metrics.mean_class_accuracy(predicted, truth, classes),
        "mcc": metrics.matthews_corrcoef(predicted, truth, classes),
        "confusion": metrics.confusion_matrix(predicted, truth, classes).tolist(),
    }


def kept_model_scores(run: LTSRun, result: dict[str, Any], test: Path, classes: int) -> dict[str, Any]:
    """Scores of the run's kept model (``best_model.pt``) on the real test models."""
    task = make_task(run.config.task)
    layers = load_layers(test)
    with single_thread_torch():
        inputs, truth = task.tensors(layers, run.config.task.input_scale)
        model = build_model(run.config.task, task, inputs, classes, seed=0)
        model.load_state_dict(torch.load(run.out / "best_model.pt", weights_only=True))
        predicted = predict(model, inputs, task=task).argmax(dim=1)
    return scores(predicted, truth, classes)


def _summary(values: list[float]) -> dict[str, Any]:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "per_seed": [float(v) for v in values]}


def run_pointnet(
    out: str | Path,
    settings: PointNetBenchSettings,
    executor: Executor,
    real_root: str | Path = FURNITURE_ROOT,
    on_run: RunCallback | None = None,
    on_iteration: Callable[[int, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run (or continue) the whole table into ``out``; returns the content of ``results.json``."""
    from synthlearn.atomic import write_json_atomic
    from synthlearn.report.pointclouds import plot_pointnet_figures

    out = Path(out)
    check_output_folder(out)
    clouds = load_sweethome3d(real_root, settings.points, seed=0)
    classes = len(clouds.classes)
    splits = {seed: write_split(clouds, seed, settings, out / "data" / f"seed-{seed}") for seed in settings.seeds}

    rows: dict[str, dict[str, list]] = {"real (k-fold)": _real_rows(clouds, settings, executor)}
    total = len(SEARCHERS) * len(settings.scan) * len(settings.seeds)
    index, kept_runs = 0, {}
    for scan in settings.scan:
        for row in SEARCHERS:
            name = row_name(row, scan)
            rows[name] = {"scores": [], "fresh": [], "learned": []}
            for seed in settings.seeds:
                if on_run is not None:
                    on_run(name, seed, index, total)
                index += 1
                validation, test, _ = splits[seed]
                # per-run figures only where learned_params.png comes from: the 33-panel figure costs ~10 s
                run = LTSRun(row_config(row, scan, seed, settings, validation, test), out / "runs" / name.replace(" + ", "+") / f"seed-{seed}",
                             figures=(name, seed) == ("reinforce", settings.seeds[0]))
                result = run.run(executor=executor, resume=True, on_iteration=on_iteration)
                rows[name]["scores"].append(kept_model_scores(run, result, test, classes))
                rows[name]["fresh"].append(float(np.mean(run.fresh_test_metrics(result["learned_params"], settings.fresh_models, executor))))
                rows[name]["learned"].append(result["learned_params"])
                kept_runs[(name, seed)] = run
    table = []
    for name, row in rows.items():
        entry: dict[str, Any] = {"method": name}
        for metric in ("accuracy", "mean_class_accuracy", "mcc"):
            entry[metric] = _summary([s[metric] for s in row["scores"]])
        entry["fresh_accuracy"] = _summary(row["fresh"]) if row.get("fresh") else None
        entry["confusion_seed0"] = row["scores"][0]["confusion"]
        table.append(entry)
    results = {
        "task": "real-test accuracy on SweetHome3D furniture models of PointNet trained on shapes3d clouds (real row: k-fold on the real models)",
        "classes": list(clouds.classes),
        "real_models": int(len(clouds)),
        "real_per_class": np.bincount(clouds.labels, minlength=classes).tolist(),
        "skipped": clouds.skipped,
        "protocol": {str(seed): sizes for seed, (_, _, sizes) in splits.items()},
        "settings": settings.model_dump(),
        "rows": table,
        "learned_params": {name: row["learned"] for name, row in rows.items() if row.get("learned")},
    }
    write_json_atomic(out / "results.json", results)
    plot_pointnet_figures(out, results, clouds, kept_runs, settings)
    return results


def _real_rows(clouds: PointClouds, settings: PointNetBenchSettings, executor: Executor) -> dict[str, list]:
    row: dict[str, list] = {"scores": []}
    for seed in settings.seeds:
        jobs = fold_jobs(clouds, seed, settings)
        predicted, truth = pooled_predictions(jobs, executor.map(train_real_fold, jobs))
        row["scores"].append(scores(predicted, truth, len(clouds.classes)))
    return row
