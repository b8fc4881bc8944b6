"""``synthlearn rl train|evaluate``: Meta-Q-Learning (TD3 with a context across task variations, adaptation per new task)."""

from __future__ import annotations

from pathlib import Path

import typer

from synthlearn.cli.common import console, offer_resume, progress_bar, stdout

app = typer.Typer(help="Meta-Q-Learning: TD3 with a GRU context trained across task variations, adapted to new ones.", no_args_is_help=True)


@app.command("train")
def train(
    config: Path = typer.Argument(..., help="RL YAML (see experiments/rl_point_robot.yaml)."),
    out: Path = typer.Option(..., "--out", help="Run folder."),
    assignments: list[str] = typer.Option([], "--set", help="Config override key.path=VALUE, VALUE in YAML (method=td3). Repeatable."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in OUT from its last checkpoint."),
) -> None:
    """Meta-train one agent over the training tasks (or --resume); writes history, checkpoints, result.json, returns.png."""
    from synthlearn.config import load_config
    from synthlearn.rl.config import RLConfig
    from synthlearn.rl.run import FIGURE, RLRun

    cfg = load_config(config, assignments, RLConfig)
    experiment = RLRun(cfg, out)
    offer_resume()
    with progress_bar() as bar:
        task = bar.add_task(f"{cfg.name} ({cfg.method}): env steps", total=cfg.training.steps)

        def episode_done(record: dict) -> None:
            bar.update(task, completed=min(record["env_steps"], cfg.training.steps),
                       description=f"{cfg.name} ({cfg.method}) return {record['return']:.2f}")

        result = experiment.run(resume=resume, on_episode=episode_done)
    console.print(f"{result['episodes']} episodes, {result['env_steps']} env steps, {result['updates']} updates; "
                  f"last 10 % of training episodes: mean return {result['final_train_return']:.2f}; results in {out} (result.json, {FIGURE})")


@app.command("evaluate")
def evaluate(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A trained RL run folder."),
    split: str = typer.Option("test", "--split", help="Held-out tasks: test (training range) or test-out (outside it)."),
    episodes: int | None = typer.Option(None, "--episodes", help="Evaluation episodes per task (default: the run's evaluation.episodes)."),
) -> None:
    """Average return on held-out tasks (mql adapts to each task first and logs β, ESS, λ); writes evaluation.json."""
    from synthlearn.rl.evaluate import FIGURE, RESULT, evaluate_run

    with progress_bar() as bar:
        task = bar.add_task(f"{run_dir} on {split} tasks", total=None)
        result = evaluate_run(run_dir, split, episodes, on_task=lambda done, total: bar.update(task, completed=done, total=total))
    stdout.print(f"{result['method']} on {len(result['tasks'])} {split} tasks: mean return {result['mean_return']:.2f} "
                 f"(std over tasks {result['std_return']:.2f})")
    if result["adapted"]:
        rows = result["tasks"]
        mean = {key: sum(r[key] for r in rows) / len(rows) for key in ("beta_mean", "ess", "lam")}
        stdout.print(f"adaptation: mean β {mean['beta_mean']:.3f}, ESS {mean['ess']:.3f}, λ {mean['lam']:.3f} ({FIGURE})")
    console.print(f"results in {run_dir / RESULT}")
