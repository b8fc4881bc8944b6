"""``synthlearn lts run``: a Learning-to-Simulate experiment from a YAML config."""

from __future__ import annotations

from pathlib import Path

import typer

from synthlearn.cli.common import console, executor_from_options, offer_resume, progress_bar
from synthlearn.config import load_config
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import LTSRun

app = typer.Typer(help="Learning to Simulate: search simulator parameters by policy gradient.", no_args_is_help=True)


@app.command("run")
def run(
    config: Path = typer.Argument(..., help="Experiment YAML (see experiments/)."),
    out: Path = typer.Option(..., "--out", help="Run folder."),
    assignments: list[str] = typer.Option([], "--set", help="Config override key.path=VALUE, VALUE in YAML (3, [0.5, 0.5], {a: 1}). Repeatable."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in OUT from its last checkpoint."),
    executor: str | None = typer.Option(None, "--executor", help="local or ray (default: the config's)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Parallel candidate evaluations (default: the config's)."),
    ray_address: str | None = typer.Option(None, "--ray-address", help="Ray cluster address (default: the config's, else local)."),
) -> None:
    """Run (or --resume) an LTS experiment; writes history, checkpoints, result.json and plots."""
    cfg = load_config(config, assignments, LTSConfig)
    experiment = LTSRun(cfg, out)
    experiment.check_inputs(resume)
    offer_resume()
    name = executor or cfg.executor.name
    with progress_bar() as bar, executor_from_options(name, cfg.executor.workers if workers is None else workers, ray_address or cfg.executor.address) as pool:
        task = bar.add_task(f"{cfg.name} ({cfg.searcher.name})", total=cfg.searcher.iterations)

        def advance(iteration: int, record: dict) -> None:
            bar.update(task, completed=iteration + 1, description=f"{cfg.name} ({cfg.searcher.name}) best {record['best_reward']:.4g}")

        result = experiment.run(executor=pool, resume=resume, on_iteration=advance)
    test = result["test"]["metric"]
    best = result["best"]["metric"]
    console.print(
        (f"best validation {result['metric']} {best:.4f}" if best is not None else f"best reward {result['best']['reward']:.4g}")
        + (f", test {result['metric']} {test:.4f}" if test is not None else "")
        + f"; results in {out}"
    )
