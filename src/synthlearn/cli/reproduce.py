"""``synthlearn reproduce ...``: re-run a paper's experiment and write its table."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.table import Table

from synthlearn.cli.common import console, progress_bar, stdout
from synthlearn.reproduce.coordconv import CoordConvSettings, count_runs, run_coordconv

app = typer.Typer(help="Reproduce published results on the built-in simulators.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Reproduce published results on the built-in simulators."""


def _cell(value: float, metric: str) -> str:
    return f"{value:.3f}" if metric == "iou" else f"{100 * value:.1f} %"


@app.command("coordconv")
def coordconv(
    out: Path = typer.Option(..., "--out", help="Output folder: results.json, results.md, settings.json, runs.jsonl."),
    quick: bool = typer.Option(False, "--quick", help="CoordConv models as in the full run, one short run per baseline (about 5 minutes)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Root seed of splits, initialisations and batch order."),
    threads: int = typer.Option(1, "--threads", min=1, help="Torch threads (results are reproducible per thread count)."),
    test_fraction: float = typer.Option(0.2, "--test-fraction", help="Held-out share of the uniform split (paper text 0.2, code 0.25)."),
) -> None:
    """CoordConv on Not-so-Clevr: coordinate classification, regression and rendering, conv vs CoordConv."""
    settings = CoordConvSettings.quick() if quick else CoordConvSettings.full()
    settings = replace(settings, seed=seed, threads=threads, test_fraction=test_fraction)
    with progress_bar() as bar:
        task = bar.add_task("coordconv", total=count_runs(settings))

        def advance(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        rows = run_coordconv(out, settings, progress=advance)
    table = Table(title="CoordConv on Not-so-Clevr (accuracy; IoU for rendering)")
    for column in ("task", "split", "model", "params", "train", "test", "seconds"):
        table.add_column(column, justify="right" if column in ("params", "train", "test", "seconds") else "left")
    for r in rows:
        table.add_row(r["task"], r["split"], r["model"], f"{r['params']:,}", _cell(r["train"], r["metric"]),
                      _cell(r["test"], r["metric"]), f"{r['seconds']:.1f}")
    stdout.print(table)
    console.print(f"results: {out / 'results.json'}, {out / 'results.md'}")
