"""``synthlearn adapt self-train``: adapt a task model to unlabelled real images with its own pseudo labels."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from synthlearn.cli.common import console, offer_resume, progress_bar, stdout
from synthlearn.config import load_config

app = typer.Typer(help="Adapt a task model to unlabelled real images (self-training on confident pseudo labels).", no_args_is_help=True)


def _percent(value: float | None) -> str:
    return f"{100 * value:.1f} %" if value is not None else "-"


@app.command("self-train")
def self_train(
    config: Path = typer.Argument(..., help="Self-training YAML (see experiments/adapt_digits.yaml)."),
    out: Path = typer.Option(..., "--out", help="Run folder."),
    assignments: list[str] = typer.Option([], "--set", help="Config override key.path=VALUE, VALUE in YAML (selection.share=0.5). Repeatable."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in OUT from its last checkpoint."),
) -> None:
    """Train on the source, pseudo-label the real pool, keep the confident share, retrain (or --resume); writes history, checkpoints, result.json."""
    from synthlearn.adapt.config import AdaptConfig
    from synthlearn.adapt.run import FIGURE, SelfTrainingRun

    cfg = load_config(config, assignments, AdaptConfig)
    experiment = SelfTrainingRun(cfg, out)
    offer_resume()
    with progress_bar() as bar:
        task = bar.add_task(f"{cfg.name}: rounds", total=cfg.rounds + 1)

        def round_done(record: dict) -> None:
            test = f", test {_percent(record['test_accuracy'])}" if record["test_accuracy"] is not None else ""
            bar.update(task, completed=record["round"] + 1, description=f"{cfg.name}: round {record['round']} done{test}")

        result = experiment.run(resume=resume, on_round=round_done)
    table = Table(title=f"{cfg.name}: {result['source_images']} source images, {result['pool_images']} unlabelled pool images")
    for column in ("round", "share", "pseudo-labelled", "pseudo labels right", "validation", "test"):
        table.add_column(column, justify="right")
    for record in result["rounds"]:
        chosen = " *" if record["round"] == result["chosen_round"] else ""
        table.add_row(f"{record['round']}{chosen}", f"{record['share']:g}" if record["share"] is not None else "-", str(record["kept"]),
                      _percent(record["pseudo_label_accuracy"]), _percent(record["validation_accuracy"]), _percent(record["test_accuracy"]))
    stdout.print(table)
    chosen = "; * the round chosen on validation" if result["chosen_round"] is not None else ""
    console.print(f"results in {out} (result.json, {FIGURE}){chosen}")
