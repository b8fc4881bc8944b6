"""The Learning-to-Simulate loop: suggest θ → simulate → train → validate → update.

:func:`run_lts` drives one experiment in a run folder::

    RUN/config.yaml            the resolved config
    RUN/history.jsonl          one JSON object per iteration
    RUN/checkpoints/latest.pt  written atomically after every iteration
    RUN/best_model.pt          weights of the best model on validation
    RUN/result.json            best parameters, final policy, test metric
    RUN/rewards.png, RUN/params.png

Every random stream is derived from ``config.seed`` and the (iteration, candidate) index,
so ``resume=True`` after a crash ends with the same result as an uninterrupted run.
The model kept at the end is the best one on validation over all trained models, and the
test metric is measured on it once, on data the search never saw.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.checkpoint import load_checkpoint, save_checkpoint
from synthlearn.config import DataSpec, LTSConfig, dump_config
from synthlearn.errors import UserError
from synthlearn.execute.base import Executor
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.evaluate import (
    CandidateJob,
    EvalData,
    build_model,
    evaluate_candidate,
    load_eval_tensors,
    make_task,
)
from synthlearn.lts.searchers import Searcher, make_searcher
from synthlearn.params import ParamSpace, Simplex
from synthlearn.sim import get_simulator, import_ref
from synthlearn.train.fit import evaluate, single_thread_torch

CHECKPOINT = Path("checkpoints") / "latest.pt"

# Stream ids under the experiment seed (never reuse one for another purpose).
_SEARCHER_STREAM, _DATA_STREAM, _TRAIN_STREAM = 1, 2, 3
_FRESH_MODELS_ITERATION = 10_000  # data/training streams of fresh models: never an iteration of the search


def _probabilities(summary: dict[str, Any]) -> dict[str, Any]:
    return {name: s["probs"] for name, s in summary.items() if "probs" in s}


def _tv_of_summary(space: ParamSpace, summary: dict[str, Any], target: dict[str, Any]) -> dict[str, float]:
    out = {}
    for name, probs in _probabilities(summary).items():
        p = space[name]
        reference = p.as_array(target[name]) if isinstance(p, Simplex) else np.array([c == target[name] for c in p.choices], float)
        out[name] = 0.5 * float(np.abs(np.array([probs[c] for c in p.choices]) - reference).sum())
    return out


def _read_history(path: Path, keep: int) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines[:keep]


class LTSRun:
    """One experiment bound to its run folder. Build it, then call :meth:`run`."""

    def __init__(self, config: LTSConfig, out: str | Path) -> None:
        self.config = config
        self.out = Path(out)
        self.simulator = get_simulator(config.simulator)
        self.space = self.simulator.param_space()
        self.fixed = {name: self.space[name].validate(value) for name, value in config.fixed.items()}
        learn = config.learn if config.learn is not None else [n for n in self.space.names if n not in self.fixed]
        self.learned_space = self.space.subspace(learn)
        self.task = make_task(config.task)
        self.validation = EvalData.from_spec(config.validation, config.simulator, self.fixed)
        self.test = self._test_data()
        self.hidden = None if config.validation.dataset else self.learned_values(self.validation.params)

    def _test_data(self) -> EvalData | None:
        spec = self.config.test
        if spec is None:
            if self.config.validation.dataset:
                return None
            spec = DataSpec(params=self.config.validation.params, n=self.config.validation.n, seed=self.config.validation.seed + 1)
        return EvalData.from_spec(spec, self.config.simulator, self.fixed)

    def learned_values(self, params: dict[str, Any]) -> dict[str, Any]:
        return {name: params[name] for name in self.learned_space.names}

    def full_params(self, candidate: dict[str, Any]) -> dict[str, Any]:
        return self.space.validate({**self.fixed, **candidate})

    def make_searcher(self) -> Searcher:
        return make_searcher(self.learned_space, self.config.searcher, seeding.child_seed(self.config.seed, _SEARCHER_STREAM))

    def jobs(self, iteration: int, candidates: list[dict[str, Any]], init_state: dict | None) -> list[CandidateJob]:
        seed = self.config.seed
        return [
            CandidateJob(
                simulator=import_ref(self.simulator),
                params=self.full_params(candidate),
                n_train=self.config.train_size,
                data_seed=seeding.child_seed(seed, _DATA_STREAM, iteration, k),
                train_seed=seeding.child_seed(seed, _TRAIN_STREAM, iteration, k),
                task=self.config.task,
                validation=self.validation,
                init_state=init_state,
            )
            for k, candidate in enumerate(candidates)
        ]

    # -- the run ---------------------------------------------------------------------------

    def _prepare_folder(self, resume: bool) -> dict[str, Any] | None:
        checkpoint = self.out / CHECKPOINT
        config_text = dump_config(self.config)
        if checkpoint.exists():
            if not resume:
                raise UserError(f"{self.out} already holds a run; pass --resume to continue it or choose a new --out")
            saved = (self.out / "config.yaml").read_text() if (self.out / "config.yaml").exists() else None
            if saved is not None and saved != config_text:
                raise UserError(f"the config differs from {self.out / 'config.yaml'}; resume with the same config and --set values")
            return load_checkpoint(checkpoint)
        if (self.out / "result.json").exists() and not resume:
            raise UserError(f"{self.out} already holds a finished run; choose a new --out")
        self.out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.out / "config.yaml", config_text)
        return None

    def run(
        self,
        executor: Executor | None = None,
        resume: bool = False,
        on_iteration: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Run (or continue) the experiment; returns the content of ``result.json``.

        ``on_iteration(iteration, record)`` is called after each iteration's checkpoint.
        """
        state = self._prepare_folder(resume)
        searcher = self.make_searcher()
        start, best, warm_state, elapsed_before = 0, {"reward": -np.inf}, None, 0.0
        if state is not None:
            start, best, warm_state = state["iteration"], state["best"], state["warm_state"]
            elapsed_before = state["elapsed"]
            searcher.load_state_dict(state["searcher"])
        history = _read_history(self.out / "history.jsonl", start)
        write_text_atomic(self.out / "history.jsonl", "".join(json.dumps(h, sort_keys=True) + "\n" for h in history))
        executor = executor or LocalExecutor(workers=1)
        clock = time.perf_counter()
        settings = self.config.searcher
        for iteration in range(start, settings.iterations):
            candidates = searcher.suggest(iteration, settings.candidates)
            init = warm_state if self.config.task.warm_start else None
            results = executor.map(evaluate_candidate, self.jobs(iteration, candidates, init))
            rewards = [r.reward for r in results]
            searcher.observe(iteration, candidates, rewards)
            top = int(np.argmax(rewards))
            if rewards[top] > best["reward"]:
                best = {
                    "reward": rewards[top], "metric": results[top].metric, "iteration": iteration, "candidate": top,
                    "params": self.full_params(candidates[top]), "state": results[top].state,
                    "out_features": results[top].out_features,
                }
            warm_state = results[top].state
            record = self._record(iteration, candidates, results, searcher, best, elapsed_before + time.perf_counter() - clock)
            history.append(record)
            with open(self.out / "history.jsonl", "a") as handle:
                handle.write(json.dumps(record, sort_keys=True) + "\n")
            save_checkpoint(self.out / CHECKPOINT, {
                "iteration": iteration + 1, "searcher": searcher.state_dict(), "best": best,
                "warm_state": warm_state, "elapsed": record["seconds"]["elapsed"],
            })
            if on_iteration is not None:
                on_iteration(iteration, record)
        return self._finish(searcher, best, history)

    def _record(self, iteration, candidates, results, searcher, best, elapsed) -> dict[str, Any]:
        summary = searcher.summary()
        record: dict[str, Any] = {
            "iteration": iteration,
            "rewards": [r.reward for r in results],
            "metrics": [r.metric for r in results],
            "mean_reward": float(np.mean([r.reward for r in results])),
            "best_reward": float(best["reward"]),
            "baseline": getattr(searcher, "baseline", None),
            "policy": summary,
            "candidates": candidates,
            "seconds": {
                "simulate": sum(r.seconds_simulate for r in results),
                "train": sum(r.seconds_train for r in results),
                "elapsed": elapsed,
            },
        }
        if self.hidden is not None:
            record["tv_to_validation"] = _tv_of_summary(self.learned_space, summary, self.hidden)
        return record

    def test_metric(self, state: dict[str, torch.Tensor], out_features: int) -> float | None:
        """The task metric of a model with weights ``state`` on the test data (None if none)."""
        if self.test is None:
            return None
        with single_thread_torch():
            inputs, targets = load_eval_tensors(self.test, self.task, self.config.task.input_scale)
            model = build_model(self.config.task, self.task, inputs, out_features, seed=0)
            model.load_state_dict(state)
            return evaluate(model, inputs, targets, self.task)

    def fresh_test_metrics(self, params: dict[str, Any], models: int, executor: Executor | None = None) -> list[float]:
        """Test metrics of ``models`` fresh models, each trained on new data at ``params``.

        This scores the parameters rather than one lucky model: every model uses data and
        training streams the search never used. Raises :class:`UserError` without test data.
        """
        if self.test is None:
            raise UserError("fresh-model test metrics need test data: set `test` in the config")
        jobs = [replace(job, validation=self.test) for job in self.jobs(_FRESH_MODELS_ITERATION, [self.learned_values(params)] * models, None)]
        return [result.metric for result in (executor or LocalExecutor(1)).map(evaluate_candidate, jobs)]

    def _finish(self, searcher: Searcher, best: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
        from synthlearn.report.plots import plot_lts_history

        settings = self.config.searcher
        save_checkpoint(self.out / "best_model.pt", best["state"])
        result = {
            "name": self.config.name,
            "searcher": settings.name,
            "seed": self.config.seed,
            "budget": {"iterations": settings.iterations, "candidates": settings.candidates,
                       "models_trained": settings.iterations * settings.candidates},
            "metric": self.task.metric_name,
            "best": {k: best[k] for k in ("reward", "metric", "iteration", "candidate", "params")},
            "learned_params": self.full_params(searcher.recommendation()),
            "final_policy": searcher.summary(),
            "test": {"metric": self.test_metric(best["state"], best["out_features"]), "n": self.test.n if self.test else None},
        }
        if self.hidden is not None:
            result["hidden_params"] = self.hidden
            result["tv_to_validation"] = {"start": history[0].get("tv_to_validation"), "end": history[-1].get("tv_to_validation")}
        write_json_atomic(self.out / "result.json", result)
        plot_lts_history(history, self.out, hidden=self.hidden, space=self.learned_space, metric=self.task.metric_name)
        return result


def run_lts(config: LTSConfig, out: str | Path, resume: bool = False, executor: Executor | None = None,
            on_iteration: Callable[[int, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a Learning-to-Simulate experiment in folder ``out``."""
    return LTSRun(config, out).run(executor=executor, resume=resume, on_iteration=on_iteration)
