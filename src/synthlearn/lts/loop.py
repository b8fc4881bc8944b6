"""The Learning-to-Simulate loop: suggest θ → simulate → train → validate → update.

:class:`LTSRun` drives one experiment in a :class:`~synthlearn.runs.RunFolder`::

    RUN/config.yaml            the resolved config
    RUN/history.jsonl          one JSON object per iteration
    RUN/checkpoints/latest.pt  written atomically after every iteration
    RUN/best_model.pt          weights of the best model on validation
    RUN/result.json            best parameters, final policy, test metric
    RUN/rewards.png, RUN/params.png

Every random stream is derived from ``config.seed`` and the (iteration, candidate) index,
so ``resume=True`` after a crash ends with the same result as an uninterrupted run.
With ``searcher.halving`` each iteration's candidates train under successive halving
(:mod:`synthlearn.lts.halving`; the history then records each candidate's epochs and its rewards
at every rung). The model kept at the end is the best one on validation over all trained models, and the
test metric is measured on it once, on data the search never saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.checkpoint import save_checkpoint
from synthlearn.data.sources import LayerSource
from synthlearn.errors import UserError
from synthlearn.execute.base import Executor
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.config import DataSpec, LTSConfig
from synthlearn.lts.evaluate import CandidateJob, CandidateResult, evaluate_candidate, load_tensors
from synthlearn.lts.feature_reward import FeatureReward
from synthlearn.lts.halving import HalvingOutcome, halving_plan, successive_halving
from synthlearn.lts.recovery import tv_distances
from synthlearn.lts.registry import make_searcher
from synthlearn.lts.searcher import Candidate, Searcher
from synthlearn.runs import RunFolder
from synthlearn.sim.base import get_simulator, import_ref
from synthlearn.sim.request import SimRequest
from synthlearn.train.fit import predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch

# Stream ids under the experiment seed (never reuse one for another purpose).
_SEARCHER_STREAM, _DATA_STREAM, _TRAIN_STREAM = 1, 2, 3
_FRESH_MODELS_ITERATION = 10_000  # data/training streams of fresh models: never an iteration of the search


class LTSRun:
    """One experiment bound to its run folder. Build it, then call :meth:`run`."""

    def __init__(self, config: LTSConfig, out: str | Path, figures: bool = True) -> None:
        """``figures``: write ``rewards.png`` and ``params.png`` when the run finishes (matplotlib
        needs about 0.3 s per searched parameter, ~10 s for the 33 of ``shapes3d``)."""
        self.config = config
        self.figures = figures
        self.folder = RunFolder(out, "an LTS run")
        self.simulator = get_simulator(config.simulator)
        self.space = self.simulator.param_space()
        self.fixed = {name: self.space[name].validate(value) for name, value in config.fixed.items()}
        learn = config.learn if config.learn is not None else [
            n for n in self.space.names if n not in self.fixed and self.space[n].searchable]
        unsearchable = [n for n in learn if not self.space[n].searchable]
        if unsearchable:
            raise UserError(f"parameter(s) {', '.join(unsearchable)} of simulator {config.simulator!r} cannot be searched "
                            f"(lists of numbers); give them under `fixed` instead")
        self.learned_space = self.space.subspace(learn)
        self.task = make_task(config.task)
        self.validation = self._source(config.validation)
        self.test = self._test_source()
        reward = config.reward
        self.feature_reward = (FeatureReward(str(reward.encoder), reward.real, reward.bandwidth, reward.classes)
                               if reward.kind == "feature-mmd" else None)
        self.hidden = None if config.validation.dataset else self.learned_values(self.validation.request.params)

    @property
    def out(self) -> Path:
        return self.folder.path

    def _source(self, spec: DataSpec) -> LayerSource:
        if spec.dataset:
            return LayerSource(dataset=str(spec.dataset))
        return LayerSource(request=SimRequest.create(self.simulator, {**self.fixed, **spec.params}, spec.n, spec.seed))

    def _test_source(self) -> LayerSource | None:
        spec = self.config.test
        if spec is None:
            if self.config.validation.dataset:
                return None
            spec = DataSpec(params=self.config.validation.params, n=self.config.validation.n, seed=self.config.validation.seed + 1)
        return self._source(spec)

    def learned_values(self, params: dict[str, Any]) -> dict[str, Any]:
        return {name: params[name] for name in self.learned_space.names}

    def full_params(self, values: dict[str, Any]) -> dict[str, Any]:
        return self.space.validate({**self.fixed, **values})

    def make_searcher(self) -> Searcher:
        return make_searcher(self.learned_space, self.config.searcher, seeding.child_seed(self.config.seed, _SEARCHER_STREAM))

    def jobs(self, iteration: int, values: list[dict[str, Any]], init_state: dict | None,
             validation: LayerSource | None = None, search: bool = False) -> list[CandidateJob]:
        """The evaluation jobs of ``values`` at ``iteration`` (streams ``(seed, stream, iteration, k)``).

        ``search`` jobs are rewarded as the config says (a label-free reward reads no validation
        labels); the others score their model on ``validation`` (default: the config's).
        """
        feature_reward = self.feature_reward if search else None
        seed, ref = self.config.seed, import_ref(self.simulator)
        return [
            CandidateJob(
                data=SimRequest(ref, self.full_params(v), self.config.train_size, seeding.child_seed(seed, _DATA_STREAM, iteration, k)),
                train_seed=seeding.child_seed(seed, _TRAIN_STREAM, iteration, k),
                task=self.config.task,
                validation=None if feature_reward is not None else (validation or self.validation),
                init_state=init_state,
                feature_reward=feature_reward,
            )
            for k, v in enumerate(values)
        ]

    def check_inputs(self, resume: bool) -> None:
        """Check the run folder, the searcher's settings and the evaluation data (its layers, for the
        task) before anything is written."""
        self.folder.check(resume)
        self.make_searcher()
        if self.feature_reward is not None:
            sample = self.simulator.generate(self.full_params({}), 2, 0)
            self.feature_reward.check(sample[self.task.input_layer])
        for source in (None if self.feature_reward else self.validation, self.test):
            if source is not None:
                load_tensors(source, self.task, self.config.task.input_scale)

    # -- the run ---------------------------------------------------------------------------

    def result_or_run(self, executor: Executor | None = None) -> dict[str, Any]:
        """A finished run's ``result.json``; an unfinished one is run (or resumed from its checkpoint) first.
        This lets a benchmark table be grown, or picked up after a kill, run by run."""
        return self.folder.result() if self.folder.finished else self.run(executor=executor, resume=True)

    def run(
        self,
        executor: Executor | None = None,
        resume: bool = False,
        on_iteration: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Run (or continue) the experiment; returns the content of ``result.json``.

        ``on_iteration(iteration, record)`` is called after each iteration's checkpoint. A resume
        may raise ``searcher.iterations``: the run continues to the larger budget and ends as a
        run started with it would.
        """
        self.check_inputs(resume)
        state = self.folder.start(self.config, resume, may_grow=("searcher.iterations",))
        searcher = self.make_searcher()
        start, best_model, warm_state, elapsed_before = 0, None, None, 0.0
        if state is not None:
            start, best_model, warm_state, elapsed_before = state["iteration"], state["best_model"], state["warm_state"], state["elapsed"]
            searcher.load_state_dict(state["searcher"])
        executor = executor or LocalExecutor(workers=1)
        clock = time.perf_counter()
        settings = self.config.searcher
        for iteration in range(start, settings.iterations):
            candidates = searcher.suggest(iteration, settings.candidates)
            init = warm_state if self.config.task.warm_start else None
            results, halving = self._evaluate(executor, self.jobs(iteration, [c.values for c in candidates], init, search=True))
            improved = searcher.observe(candidates, [r.reward for r in results])
            if improved is not None:
                best_model = self._best_model(iteration, improved, candidates[improved], results[improved])
            warm_state = results[int(np.argmax([r.reward for r in results]))].state
            record = self._record(iteration, candidates, results, searcher, elapsed_before + time.perf_counter() - clock)
            if halving is not None:
                record["halving"] = {"epochs": halving.epochs, "rewards_at_stops": halving.rewards_at_stops}
            self.folder.append(record)
            self.folder.save_checkpoint({
                "iteration": iteration + 1, "searcher": searcher.state_dict(), "best_model": best_model,
                "warm_state": warm_state, "elapsed": record["seconds"]["elapsed"],
            })
            if on_iteration is not None:
                on_iteration(iteration, record)
        return self._finish(searcher, best_model)

    def _evaluate(self, executor: Executor, jobs: list[CandidateJob]) -> tuple[list[CandidateResult], HalvingOutcome | None]:
        """One result per job: every candidate trained fully, or under successive halving (``searcher.halving``)."""
        halving = self.config.searcher.halving
        if halving is None:
            return executor.map(evaluate_candidate, jobs), None
        outcome = successive_halving(jobs, halving.rungs, halving.keep, self.config.task.epochs,
                                     lambda batch: executor.map(evaluate_candidate, batch))
        return outcome.results, outcome

    def _best_model(self, iteration: int, index: int, candidate: Candidate, result: CandidateResult) -> dict[str, Any]:
        """What the run keeps of the best candidate so far: where it came from, its metric and weights."""
        return {"metric": result.metric, "iteration": iteration, "candidate": index, "params": self.full_params(candidate.values),
                "state": result.state, "out_features": result.out_features}

    def _record(self, iteration, candidates, results, searcher: Searcher, elapsed: float) -> dict[str, Any]:
        summary = searcher.summary()
        record: dict[str, Any] = {
            "iteration": iteration,
            "rewards": [r.reward for r in results],
            "metrics": [r.metric for r in results],
            "mean_reward": float(np.mean([r.reward for r in results])),
            "best_reward": float(searcher.best["reward"]),
            "baseline": getattr(searcher, "baseline", None),
            "policy": summary,
            "candidates": [c.values for c in candidates],
            "seconds": {
                "simulate": sum(r.seconds_simulate for r in results),
                "train": sum(r.seconds_train for r in results),
                "elapsed": elapsed,
            },
        }
        if self.hidden is not None:
            record["tv_to_validation"] = tv_distances(self.learned_space, summary, self.hidden)
        return record

    def test_scores(self, state: dict[str, torch.Tensor], out_features: int) -> dict[str, Any]:
        """``{"metric": ..., "n": ...}`` of a model with weights ``state`` on the test data (metric None if none).

        A task with detailed scores (segmentation: IoU per class and mean IoU) adds them as ``"scores"``.
        """
        if self.test is None:
            return {"metric": None, "n": None}
        with single_thread_torch():
            inputs, targets = load_tensors(self.test, self.task, self.config.task.input_scale)
            model = build_model(self.config.task, self.task, inputs, out_features, seed=0)
            model.load_state_dict(state)
            outputs = predict(model, inputs, batch_size=self.task.eval_batch_size, task=self.task,
                              precision=self.config.task.precision, channels_last=self.config.task.channels_last)
            result = {"metric": self.task.metric(outputs, targets), "n": self.test.n}
            if hasattr(self.task, "scores"):
                result["scores"] = self.task.scores(outputs, targets)
            return result

    def fresh_test_metrics(self, params: dict[str, Any], models: int, executor: Executor | None = None) -> list[float]:
        """Test metrics of ``models`` fresh models, each trained on new data at ``params``.

        This scores the parameters rather than one lucky model: every model uses data and
        training streams the search never used. Raises :class:`UserError` without test data.
        """
        if self.test is None:
            raise UserError("fresh-model test metrics need test data: set `test` in the config")
        jobs = self.jobs(_FRESH_MODELS_ITERATION, [self.learned_values(params)] * models, None, validation=self.test)
        return [result.metric for result in (executor or LocalExecutor(1)).map(evaluate_candidate, jobs)]

    def _finish(self, searcher: Searcher, best_model: dict[str, Any]) -> dict[str, Any]:
        from synthlearn.report.plots import plot_lts_history

        settings = self.config.searcher
        history = self.folder.history()
        save_checkpoint(self.folder.file("best_model.pt"), best_model["state"])
        result = {
            "name": self.config.name,
            "searcher": settings.name,
            "seed": self.config.seed,
            "budget": {"iterations": settings.iterations, "candidates": settings.candidates,
                       "models_trained": settings.iterations * settings.candidates},
            "metric": self.task.metric_name,
            "best": {"reward": searcher.best["reward"], **{k: best_model[k] for k in ("metric", "iteration", "candidate", "params")}},
            "learned_params": self.full_params(searcher.recommendation()),
            "final_policy": searcher.summary(),
            "test": self.test_scores(best_model["state"], best_model["out_features"]),
        }
        if settings.halving is not None:
            plan = halving_plan(settings.candidates, settings.halving.rungs, settings.halving.keep, self.config.task.epochs)
            result["budget"].update(epochs_trained=settings.iterations * plan.epochs_trained,
                                    full_models=settings.iterations * plan.alive[-1])
        if self.hidden is not None:
            result["hidden_params"] = self.hidden
            result["tv_to_validation"] = {"start": history[0].get("tv_to_validation"), "end": history[-1].get("tv_to_validation")}
        self.folder.write_result(result)
        if self.figures:
            plot_lts_history(history, self.out, hidden=self.hidden, space=self.learned_space, metric=self.task.metric_name)
        return result


def run_lts(config: LTSConfig, out: str | Path, resume: bool = False, executor: Executor | None = None,
            on_iteration: Callable[[int, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a Learning-to-Simulate experiment in folder ``out``.

    Without ``executor`` the jobs run on the executor the config names (``executor.name``,
    ``executor.workers``, ``executor.address``).
    """
    from synthlearn.execute.factory import executor_from_config

    if executor is not None:
        return LTSRun(config, out).run(executor=executor, resume=resume, on_iteration=on_iteration)
    with executor_from_config(config.executor) as pool:
        return LTSRun(config, out).run(executor=pool, resume=resume, on_iteration=on_iteration)
