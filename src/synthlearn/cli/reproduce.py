"""``synthlearn reproduce ...``: re-run a paper's experiment and write its table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from synthlearn.cli.common import console, offer_resume, progress_bar, stdout
from synthlearn.reproduce.coordconv import CoordConvSettings, count_runs, format_metric, run_coordconv

app = typer.Typer(help="Reproduce published results on the built-in simulators.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Reproduce published results on the built-in simulators."""


@app.command("coordconv")
def coordconv(
    out: Path = typer.Option(..., "--out", help="Run folder: config.yaml, history.jsonl (one line per training run), checkpoints/, results.json, results.md, result.json."),
    quick: bool = typer.Option(False, "--quick", help="CoordConv models as in the full run, one short run per baseline (about 5 minutes)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Root seed of splits, initialisations and batch order."),
    threads: int = typer.Option(1, "--threads", min=1, help="Torch threads (results are reproducible per thread count)."),
    test_fraction: float = typer.Option(0.2, "--test-fraction", help="Held-out share of the uniform split, in (0, 1) (paper text 0.2, code 0.25)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in OUT after its last finished row (same options)."),
) -> None:
    """CoordConv on Not-so-Clevr: coordinate classification, regression and rendering, conv vs CoordConv."""
    preset = CoordConvSettings.quick() if quick else CoordConvSettings.full()
    settings = preset.with_changes(seed=seed, threads=threads, test_fraction=test_fraction)
    offer_resume()
    with progress_bar() as bar:
        task = bar.add_task("coordconv", total=count_runs(settings))

        def advance(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        rows = run_coordconv(out, settings, progress=advance, resume=resume)
    table = Table(title="CoordConv on Not-so-Clevr (accuracy; IoU for rendering)")
    for column in ("task", "split", "model", "params", "train", "test", "seconds"):
        table.add_column(column, justify="right" if column in ("params", "train", "test", "seconds") else "left")
    for r in rows:
        table.add_row(r["task"], r["split"], r["model"], f"{r['params']:,}", format_metric(r["train"], r["metric"]),
                      format_metric(r["test"], r["metric"]), f"{r['seconds']:.1f}")
    stdout.print(table)
    console.print(f"results: {out / 'results.json'}, {out / 'results.md'}; run folder {out}")


@app.command("pointnet")
def pointnet(
    out: Path = typer.Option(..., "--out", help="Output folder: results.json, figures, data/ (the real split per seed), runs/ (one LTS run per row and seed)."),
    quick: bool = typer.Option(False, "--quick", help="A small budget: 3 iterations × 4 models of 300 clouds per row (about 5 minutes on 2 cores; the full run about 35)."),
    real: Path = typer.Option(Path("/usr/share/sweethome3d/furniture"), "--real", help="Folder of SweetHome3D .sh3f catalogs (install: make data)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel model trainings."),
    seeds: list[int] = typer.Option(None, "--seed", min=0, help="Seed of one repeated run; repeat the option (default: 0, 1, 2)."),
    assignments: list[str] = typer.Option([], "--set", help="Budget override name=VALUE, VALUE in YAML (iterations=24, scan=[false]); names: PointNetBenchSettings. Repeatable."),
) -> None:
    """PointNet trained on procedural shapes only, tested on real furniture models: default vs random vs LTS, scan off/on.

    An interrupted run continues where it stopped when started again with the same options."""
    from synthlearn.cli.common import RunProgress, executor_from_options
    from synthlearn.config import apply_overrides, parse_config
    from synthlearn.reproduce.pointnet import PointNetBenchSettings, run_pointnet
    from synthlearn.reproduce.pointnet.settings import SEARCHERS

    settings = PointNetBenchSettings.quick() if quick else PointNetBenchSettings.full()
    if seeds:
        settings = settings.with_changes(seeds=tuple(seeds))
    if assignments:
        settings = parse_config(apply_overrides(settings.model_dump(), assignments), PointNetBenchSettings)
    total = len(SEARCHERS) * len(settings.scan) * len(settings.seeds)
    with progress_bar() as bar, executor_from_options("local", workers) as pool:
        progress = RunProgress(bar, "pointnet", total, settings.iterations)
        results = run_pointnet(out, settings, pool, real_root=real, on_run=progress.on_run, on_iteration=progress.on_iteration)
        progress.done()
    table = Table(title=f"PointNet on {results['real_models']} real furniture models, mean ± std over {len(settings.seeds)} seeds")
    for column in ("trained on", "accuracy (kept)", "mean class acc.", "MCC", "fresh models"):
        table.add_column(column)
    for row in results["rows"]:
        fresh = row["fresh_accuracy"]
        pct = lambda s: f"{100 * s['mean']:.1f} ± {100 * s['std']:.1f} %"  # noqa: E731
        table.add_row(row["method"], pct(row["accuracy"]), pct(row["mean_class_accuracy"]),
                      f"{row['mcc']['mean']:.3f} ± {row['mcc']['std']:.3f}", pct(fresh) if fresh else "")
    stdout.print(table)
    console.print(f"results: {out / 'results.json'}; figures in {out}")


@app.command("cntk101")
def cntk101(
    out: Path = typer.Option(..., "--out", help="Output folder: results.json, results.md, progress.txt, boundaries.png, progress.png."),
    seed: int = typer.Option(0, "--seed", min=0, help="Root seed of the simulated data, training order and real folds."),
    real: str = typer.Option("sklearn:breast_cancer", "--real", help="Real table: sklearn:breast_cancer, a .csv (header; column 'label' or the last), .npz (features, label) or .npy (last column = label); 'none' skips it."),
    assignments: list[str] = typer.Option([], "--set", help="Setting override name=VALUE, VALUE in YAML (lr=0.1, params.features=3, params.prior=[0.3, 0.7]); names: CNTK101Settings. Repeatable."),
) -> None:
    """CNTK 101: logistic regression on simulated patients (tumors), its Bayes error, scikit-learn parity, a real table."""
    from synthlearn.config import apply_overrides, parse_config
    from synthlearn.reproduce.cntk101 import CNTK101Settings, run_cntk101

    raw = apply_overrides({"seed": seed, "real": None if real == "none" else real}, assignments)
    settings = parse_config(raw, CNTK101Settings)
    results = run_cntk101(out, settings, on_print=lambda line: stdout.print(line, soft_wrap=True))
    sim = results["simulated"]
    stdout.print(f"test minibatch ({settings.test_minibatch}) error: {sim['test_minibatch_error']:.2f}; "
                 f"large test set ({sim['test_size']:,}) error: {sim['test_error']:.4f}", soft_wrap=True)
    stdout.print(f"Bayes error: {sim['bayes_error']:.4f} ({sim['bayes_method']}); ML linear classifier: {sim['ml_linear_error']:.4f}",
                 soft_wrap=True)
    stdout.print((out / "results.md").read_text(encoding="utf-8"))
    console.print(f"results: {out / 'results.json'}; figures in {out}")
