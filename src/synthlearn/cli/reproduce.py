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
