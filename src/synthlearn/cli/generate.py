"""``synthlearn generate``: write a sharded, checksummed dataset from a simulator."""

from __future__ import annotations

from pathlib import Path

import typer

from synthlearn.cli.common import console, executor_from_options, offer_resume, progress_bar
from synthlearn.data.shards import write_dataset
from synthlearn.sim import get_simulator


def generate(
    simulator: str = typer.Argument(..., help="Simulator name (see `synthlearn simulators`) or module:Class."),
    n: int = typer.Option(..., "--n", min=1, help="Number of samples."),
    out: Path = typer.Option(..., "--out", help="Output dataset folder."),
    seed: int = typer.Option(0, "--seed", min=0, help="Root seed; same seed, same bytes."),
    assignments: list[str] = typer.Option([], "--set", help="Parameter value, name=VALUE, VALUE in YAML (0.3, [1, 0, 0, 0], {sedan: 1}, clear_noon). Repeatable."),
    shard_size: int = typer.Option(512, "--shard-size", min=1, help="Samples per shard file."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing dataset in OUT."),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted generation, keeping its finished shards."),
    executor: str = typer.Option("local", "--executor", help="local or ray."),
    workers: int = typer.Option(1, "--workers", min=1, help="Parallel shard jobs (local processes or Ray CPUs)."),
    ray_address: str | None = typer.Option(None, "--ray-address", help="Ray cluster address (default: a local instance)."),
) -> None:
    """Generate N labelled samples into OUT (shards + manifest.json)."""
    sim = get_simulator(simulator)
    params = sim.param_space().parse_overrides(assignments)
    offer_resume()
    with progress_bar() as bar, executor_from_options(executor, workers, ray_address) as pool:
        task = bar.add_task(f"generating {sim.name}", total=n)

        def run_all(fn, jobs):
            bar.update(task, total=sum(job.count for job in jobs))  # on --resume, only what is left
            results = []
            for chunk_start in range(0, len(jobs), max(workers, 1)):
                chunk = jobs[chunk_start : chunk_start + max(workers, 1)]
                results += pool.map(fn, chunk)
                bar.advance(task, sum(job.count for job in chunk))
            return results

        manifest = write_dataset(sim.name, params, n, seed, out, shard_size=shard_size, overwrite=overwrite,
                                 resume=resume, map_fn=run_all)
    console.print(f"wrote {manifest['n']} samples in {len(manifest['shards'])} shards to {out}")
