"""``synthlearn demo``: the main job, sim-to-real on real handwritten digits."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from synthlearn.cli.common import RunProgress, console, executor_from_options, progress_bar, stdout
from synthlearn.config import apply_overrides, parse_config
from synthlearn.data.real import SKLEARN_DIGITS
from synthlearn.demo import DemoSettings, run_demo
from synthlearn.errors import UserError


def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Output folder (results.json, figures, runs/)."),
    quick: bool = typer.Option(False, "--quick", help="A small budget: about 1.5 minutes on 2 cores (the full demo takes about 9)."),
    real: str = typer.Option(SKLEARN_DIGITS, "--real", help="Real labelled digits, 8×8 or 28×28 grey: sklearn:digits (default), mnist (real MNIST, make data), an .npz, or an image folder."),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel candidate evaluations."),
    seeds: list[int] = typer.Option(None, "--seed", help="Seed of one repeated run; repeat the option (default: 0, 1, 2).", min=0),
    assignments: list[str] = typer.Option([], "--set", help="Budget override name=VALUE, VALUE in YAML (train_size=8000, epochs=6); names: DemoSettings. Repeatable."),
) -> None:
    """Train on synthetic digits only and test on real handwriting: default vs random vs LTS, with and without SimGAN."""
    settings = DemoSettings.quick() if quick else DemoSettings.full()
    if seeds:
        if len(set(seeds)) != len(seeds):
            raise UserError(f"--seed values repeat: {seeds}")
        settings = settings.model_copy(update={"seeds": tuple(seeds)})
    if assignments:
        settings = parse_config(apply_overrides(settings.model_dump(), assignments), DemoSettings)
    with progress_bar() as bar, executor_from_options("local", workers) as pool:
        progress = RunProgress(bar, "demo", settings.runs, settings.iterations)
        results = run_demo(out, settings, pool, real=real, on_run=progress.on_run, on_iteration=progress.on_iteration)
        progress.done()
    table = Table(title=f"Real-test accuracy (n = {results['protocol']['test']}), mean ± std over {len(settings.seeds)} seeds")
    for column in ("trained on", "kept model", "per seed", "fresh models at learned θ"):
        table.add_column(column)
    for row in results["rows"]:
        fresh = row["fresh_models"]
        table.add_row(row["method"], f"{100 * row['mean']:.1f} ± {100 * row['std']:.1f} %",
                      " ".join(f"{100 * v:.1f}" for v in row["per_seed"]), f"{100 * fresh['mean']:.1f} ± {100 * fresh['std']:.1f} %")
    stdout.print(table)
    console.print(f"results: {out / 'results.json'}; figures: {out / 'samples.png'}, {out / 'learned_params.png'}")
