"""``synthlearn refine run|apply``: train a SimGAN refiner, then refine a dataset with it."""

from __future__ import annotations

from pathlib import Path

import typer

from synthlearn.cli.common import console, offer_resume, progress_bar
from synthlearn.config import load_config
from synthlearn.refine.apply import refine_dataset
from synthlearn.refine.config import RefineConfig
from synthlearn.refine.run import RefinerRun

app = typer.Typer(help="SimGAN: refine synthetic images to look real while keeping their labels.", no_args_is_help=True)


@app.command("run")
def run(
    config: Path = typer.Argument(..., help="Refiner YAML (see experiments/simgan_digits.yaml)."),
    out: Path = typer.Option(..., "--out", help="Run folder."),
    assignments: list[str] = typer.Option([], "--set", help="Config override key.path=VALUE, VALUE in YAML. Repeatable."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in OUT from its last checkpoint."),
    real: str | None = typer.Option(None, "--real", help="Unlabelled real images: sklearn:digits, an .npz or an image folder (default: the config's)."),
) -> None:
    """Train (or --resume) a refiner; writes history.jsonl, checkpoints, sample grids, refiner.pt and result.json."""
    if real is not None:
        assignments = [*assignments, f"real.source={real}"]
    cfg = load_config(config, assignments, RefineConfig)
    experiment = RefinerRun(cfg, out)
    offer_resume()
    with progress_bar() as bar:
        task = bar.add_task(f"{cfg.name}", total=cfg.simgan.total_steps)

        def advance(step: int, record: dict) -> None:
            bar.update(task, completed=step + 1, description=f"{cfg.name} ({record['phase'].replace('_', ' ')})")

        def warn(event: dict) -> None:
            console.print(f"[yellow]warning:[/yellow] {event['message']}")

        result = experiment.run(resume=resume, on_step=advance, on_event=warn)
    final = result["final"] or {}
    summary = ", ".join(f"{k} {final[k]:.3f}" for k in ("d_acc_real", "d_acc_refined", "refine_delta") if k in final)
    console.print(f"refiner trained ({summary}); {len(result['events'])} event(s); results in {out}")


@app.command("apply")
def apply(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A finished refiner run folder (holding refiner.pt)."),
    data: Path = typer.Option(..., "--data", help="Dataset folder (or .npz of layers) to refine."),
    out: Path = typer.Option(..., "--out", help="Output dataset folder."),
    image_layer: str = typer.Option("image", "--image-layer", help="Layer holding the images."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing dataset in OUT."),
) -> None:
    """Write a refined copy of DATA into OUT: same labels and layers, refined images, a manifest naming RUN."""
    manifest = refine_dataset(run_dir, data, out, image_layer=image_layer, overwrite=overwrite)
    console.print(f"refined {manifest['n']} images in {len(manifest['shards'])} shards into {out}")
