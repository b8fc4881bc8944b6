"""``synthlearn ssl npid|knn``: learn features from unlabelled images (NPID), then score them with labels."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from synthlearn.cli.common import console, offer_resume, progress_bar, stdout
from synthlearn.config import load_config

app = typer.Typer(help="Self-supervised features from unlabelled images (NPID instance discrimination).", no_args_is_help=True)


@app.command("npid")
def npid(
    config: Path = typer.Argument(..., help="NPID YAML (see experiments/npid_fashion.yaml)."),
    out: Path = typer.Option(..., "--out", help="Run folder."),
    assignments: list[str] = typer.Option([], "--set", help="Config override key.path=VALUE, VALUE in YAML (objective.noise=512). Repeatable."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in OUT from its last checkpoint."),
) -> None:
    """Train (or --resume) an encoder by instance discrimination; writes history, checkpoints, encoder.pt, result.json."""
    from synthlearn.ssl.config import NPIDConfig
    from synthlearn.ssl.train import NPIDRun

    cfg = load_config(config, assignments, NPIDConfig)
    experiment = NPIDRun(cfg, out)
    offer_resume()
    with progress_bar() as bar:
        task = bar.add_task(f"{cfg.name} ({cfg.objective.kind})", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        def epoch_done(record: dict) -> None:
            knn = f", kNN {100 * record['knn_accuracy']:.1f} %" if "knn_accuracy" in record else ""
            bar.update(task, description=f"{cfg.name} ({cfg.objective.kind}) epoch {record['epoch']} loss {record['loss']:.3f}{knn}")

        result = experiment.run(resume=resume, on_step=advance, on_epoch=epoch_done)
    knn = f", monitored kNN accuracy {100 * result['knn_accuracy']:.1f} %" if result["knn_accuracy"] is not None else ""
    console.print(f"trained on {result['images']} images, final loss {result['final_loss']:.4f}{knn}; results in {out}")


@app.command("knn")
def knn(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A finished NPID run folder (holding encoder.pt)."),
    memory: str = typer.Option("fashion-mnist:train", "--memory", help="Labelled images whose labels vote: fashion-mnist:train|test, sklearn:digits, an .npz or an image folder."),
    queries: str = typer.Option("fashion-mnist:test", "--data", help="Labelled images to classify (same kinds as --memory)."),
    k: int = typer.Option(200, "--k", min=1, help="Neighbours."),
    temperature: float = typer.Option(0.07, "--temperature", min=1e-6, help="τ of the vote weights exp(similarity/τ)."),
    probe: bool = typer.Option(True, "--probe/--no-probe", help="Also train and score a linear probe on the memory's features."),
) -> None:
    """Score a trained encoder: weighted kNN (and linear-probe) accuracy of --data given --memory; prints JSON."""
    from synthlearn.data.real import load_real
    from synthlearn.ssl.encoder import load_encoder
    from synthlearn.ssl.evaluate import evaluate_encoder

    encoder, scale = load_encoder(run_dir)
    memory_set, query_set = load_real(memory), load_real(queries)
    with progress_bar() as bar:
        bar.add_task(f"embedding {len(memory_set) + len(query_set)} images", total=None)
        scores = evaluate_encoder(encoder, scale, memory_set, query_set, k=k, temperature=temperature, probe=probe)
    stdout.print(json.dumps({"run": str(run_dir), "memory": memory, "data": queries, "k": k, **scores}, indent=2))
