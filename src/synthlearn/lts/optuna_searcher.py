"""Optuna's TPE and CMA-ES samplers as synthlearn searchers (extra ``synthlearn[optuna]``).

To stay exactly resumable without pickling Optuna objects, every :meth:`suggest` rebuilds a
fresh in-memory study from the stored trials (values and the sampler's own per-trial
attributes, which is where CMA-ES keeps its state) and a sampler seeded from
``(seed, iteration)``, then asks for ``k`` trials. A Simplex parameter is searched as one
logit per choice in [-4, 4], turned into probabilities with a softmax.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from synthlearn import seeding
from synthlearn.errors import UserError
from synthlearn.lts.config import SearcherConfig
from synthlearn.lts.searcher import Candidate, Searcher
from synthlearn.lts.transforms import softmax
from synthlearn.params import Choice, IntRange, ParamSpace, Simplex, Uniform

_LOGIT_RANGE = 4.0


def _import_optuna():
    try:
        import optuna
    except ImportError:
        raise UserError("searcher needs Optuna; install it with: pip install 'synthlearn[optuna]'") from None
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    return optuna


class OptunaSearcher(Searcher):
    """``optuna-tpe`` (TPESampler) or ``optuna-cmaes`` (CmaEsSampler) over ``space``."""

    def __init__(self, space: ParamSpace, settings: SearcherConfig, seed: int) -> None:
        super().__init__(space, settings, seed)
        self.optuna = _import_optuna()
        self.name = settings.name
        self.trials: list[dict[str, Any]] = []  # {"params": flat, "value": float, "system_attrs": dict}
        self.distributions = self._distributions()

    def _distributions(self) -> dict[str, Any]:
        d = self.optuna.distributions
        out: dict[str, Any] = {}
        for p in self.space:
            if isinstance(p, Choice):
                out[p.name] = d.CategoricalDistribution(p.choices)
            elif isinstance(p, Simplex):
                for c in p.choices:
                    out[f"{p.name}[{c}]"] = d.FloatDistribution(-_LOGIT_RANGE, _LOGIT_RANGE)
            elif isinstance(p, Uniform):
                out[p.name] = d.FloatDistribution(p.low, p.high, log=p.log)
            elif isinstance(p, IntRange):
                out[p.name] = d.IntDistribution(p.low, p.high)
        return out

    def _values(self, flat: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for p in self.space:
            if isinstance(p, Simplex):
                logits = np.array([flat[f"{p.name}[{c}]"] for c in p.choices])
                values[p.name] = p.validate(softmax(logits).tolist())
            else:
                values[p.name] = p.validate(flat[p.name])
        return values

    def _sampler(self, iteration: int):
        seed = seeding.child_seed(self.seed, iteration) % (2**32)
        if self.name == "optuna-tpe":
            return self.optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(self.settings.candidates, 4))
        return self.optuna.samplers.CmaEsSampler(seed=seed, popsize=self.settings.candidates, warn_independent_sampling=False)

    def _draw(self, iteration: int, k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = self.optuna.create_study(direction="maximize", sampler=self._sampler(iteration))
            for past in self.trials:
                study.add_trial(
                    self.optuna.trial.create_trial(
                        params=past["params"], distributions=self.distributions,
                        value=past["value"], system_attrs=past["system_attrs"],
                    )
                )
            asked = [study.ask(self.distributions) for _ in range(k)]
            trials = []
            for trial in asked:
                frozen = study._storage.get_trial(trial._trial_id)
                trials.append({"params": dict(trial.params), "system_attrs": dict(frozen.system_attrs)})
        return [(self._values(t["params"]), {"optuna": t}) for t in trials]

    def _learn(self, candidates: Sequence[Candidate], rewards: Sequence[float]) -> None:
        for candidate, reward in zip(candidates, rewards):
            self.trials.append({**candidate.info["optuna"], "value": float(reward)})

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "trials": copy.deepcopy(self.trials)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.trials = copy.deepcopy(state["trials"])
