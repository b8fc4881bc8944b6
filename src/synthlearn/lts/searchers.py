"""Outer optimisers over simulator parameters, behind one suggest/observe interface.

The shape follows Ray Tune's Searcher: each iteration the loop asks for ``k`` candidate
parameter sets (:meth:`Searcher.suggest`) and reports one reward per candidate
(:meth:`Searcher.observe`). Every searcher spends the same budget: one trained task model per
candidate. Draws for iteration ``t`` come from the stream ``(seed, t)``, so a resumed run
makes the same suggestions as an uninterrupted one.

* ``reinforce`` -- the LTS policy gradient: REINFORCE with a moving-average baseline.
* ``random-params`` -- the LTS paper's baseline: every candidate is drawn from the whole
  parameter space (domain randomisation); the best on validation is kept.
* ``random-search`` -- a (1 + k) local random search: candidates perturb the best parameters
  so far with Gaussian steps in unbounded coordinates; the first iteration draws at random.
* ``fixed`` -- always the given parameters (the oracle row: training at the hidden parameters).
* ``optuna-tpe`` / ``optuna-cmaes`` -- Optuna's samplers (extra ``synthlearn[optuna]``).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.config import SearcherConfig
from synthlearn.errors import UserError
from synthlearn.lts import transforms
from synthlearn.lts.policy import Policy
from synthlearn.params import Choice, ParamSpace, Simplex


def summarise_values(space: ParamSpace, values: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary in the policy's format for a set of parameter values (frequencies, means, stds)."""
    out: dict[str, Any] = {}
    for p in space:
        column = [v[p.name] for v in values]
        if isinstance(p, Choice):
            out[p.name] = {"probs": {c: column.count(c) / len(column) for c in p.choices}}
        elif isinstance(p, Simplex):
            mean = np.mean([p.as_array(v) for v in column], axis=0)
            out[p.name] = {"probs": dict(zip(p.choices, map(float, mean)))}
        else:
            out[p.name] = {"mean": float(np.mean(column)), "std": float(np.std(column))}
    return out


class Searcher(ABC):
    """Proposes parameter sets and learns from their rewards.

    Args:
        space: the searched parameters (a subspace of the simulator's space).
        settings: the ``searcher`` section of the experiment config.
        seed: root seed of the searcher's random streams.
    """

    name = ""

    def __init__(self, space: ParamSpace, settings: SearcherConfig, seed: int) -> None:
        self.space, self.settings, self.seed = space, settings, seed
        self.best_params: dict[str, Any] | None = None
        self.best_reward = -np.inf

    def rng(self, iteration: int) -> np.random.Generator:
        return seeding.generator(self.seed, iteration)

    @abstractmethod
    def suggest(self, iteration: int, k: int) -> list[dict[str, Any]]:
        """``k`` parameter sets (values for every searched parameter) for ``iteration``."""

    def observe(self, iteration: int, candidates: list[dict[str, Any]], rewards: list[float]) -> None:
        """Learn from the rewards of the candidates of ``iteration`` (same order)."""
        best = int(np.argmax(rewards))
        if rewards[best] > self.best_reward:
            self.best_reward, self.best_params = float(rewards[best]), candidates[best]

    def recommendation(self) -> dict[str, Any]:
        """The parameters this searcher would use now (best seen, unless it has a model)."""
        return self.best_params if self.best_params is not None else self.space.defaults()

    def summary(self) -> dict[str, Any]:
        """Per-parameter summary for the history (probabilities; mean and std)."""
        return summarise_values(self.space, [self.recommendation()])

    def state_dict(self) -> dict[str, Any]:
        return {"best_params": self.best_params, "best_reward": float(self.best_reward)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_params, self.best_reward = state["best_params"], state["best_reward"]


class ReinforceSearcher(Searcher):
    """REINFORCE on :class:`~synthlearn.lts.policy.Policy` with a moving-average baseline.

    Update: ``ω ← ω + lr · Adam((1/K) Σ_k A_k ∇ω log π_ω(θ_k))`` with advantage
    ``A_k = (R_k − b) / s``; ``b`` is an exponential moving average of the mean reward
    (weight ``baseline_decay`` on the newest), ``s`` a moving reward std when
    ``normalize_advantages`` (else 1). The first iteration initialises ``b`` and ``s`` from
    its own rewards.
    """

    name = "reinforce"

    def __init__(self, space: ParamSpace, settings: SearcherConfig, seed: int) -> None:
        super().__init__(space, settings, seed)
        self.policy = Policy(space, settings.init_std, settings.learn_std, settings.min_std)
        self.optimiser = torch.optim.Adam(self.policy.parameters(), lr=settings.lr)
        self.baseline: float | None = None
        self.reward_var = 1.0
        self._actions: list[dict[str, Any]] = []

    def suggest(self, iteration: int, k: int) -> list[dict[str, Any]]:
        rng = self.rng(iteration)
        draws = [self.policy.sample(rng) for _ in range(k)]
        self._actions = [actions for _, actions in draws]
        return [values for values, _ in draws]

    def observe(self, iteration: int, candidates: list[dict[str, Any]], rewards: list[float]) -> None:
        super().observe(iteration, candidates, rewards)
        self.update(self._actions, rewards)

    def update(self, actions: list[dict[str, Any]], rewards: list[float]) -> None:
        """One policy-gradient step from sampled ``actions`` and their ``rewards`` (same order)."""
        r = np.asarray(rewards, dtype=np.float64)
        if self.baseline is None:
            self.baseline = float(r.mean())
            self.reward_var = float(r.var()) if r.var() > 0 else 1.0
        advantages = r - self.baseline
        if self.settings.normalize_advantages:
            advantages = advantages / (np.sqrt(self.reward_var) + 1e-8)
        loss = -(torch.from_numpy(advantages) * self.policy.log_prob(actions)).mean()
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()
        self.policy.clamp_()
        decay = self.settings.baseline_decay
        self.reward_var = (1 - decay) * self.reward_var + decay * float(((r - self.baseline) ** 2).mean())
        self.baseline = (1 - decay) * self.baseline + decay * float(r.mean())

    def recommendation(self) -> dict[str, Any]:
        return self.policy.mode()

    def summary(self) -> dict[str, Any]:
        return self.policy.summary()

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "policy": self.policy.state_dict(),
            "optimiser": copy.deepcopy(self.optimiser.state_dict()),
            "baseline": self.baseline,
            "reward_var": self.reward_var,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.policy.load_state_dict(state["policy"])
        self.optimiser.load_state_dict(state["optimiser"])
        self.baseline, self.reward_var = state["baseline"], state["reward_var"]


class RandomParamsSearcher(Searcher):
    """Every candidate drawn uniformly over the whole space; the best on validation is kept."""

    name = "random-params"

    def suggest(self, iteration: int, k: int) -> list[dict[str, Any]]:
        rng = self.rng(iteration)
        return [self.space.sample(rng) for _ in range(k)]


class RandomSearchSearcher(Searcher):
    """(1 + k) random search: perturb the incumbent, move to any candidate that beats it.

    Continuous parameters take Gaussian steps of std ``step`` in unbounded coordinates; a
    Choice keeps the incumbent's value with probability 0.75 and is redrawn otherwise.
    """

    name = "random-search"

    def suggest(self, iteration: int, k: int) -> list[dict[str, Any]]:
        rng = self.rng(iteration)
        if self.best_params is None:
            return [self.space.sample(rng) for _ in range(k)]
        return [self._perturb(self.best_params, rng) for _ in range(k)]

    def _perturb(self, values: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        out = {}
        for p in self.space:
            if isinstance(p, Choice):
                out[p.name] = values[p.name] if rng.random() < 0.75 else p.sample(rng)
            else:
                z = transforms.encode(p, values[p.name])
                out[p.name] = transforms.decode(p, z + self.settings.step * rng.standard_normal(z.shape))
        return out


class FixedSearcher(Searcher):
    """Always the configured ``params`` (missing ones take defaults): the oracle baseline."""

    name = "fixed"

    def __init__(self, space: ParamSpace, settings: SearcherConfig, seed: int) -> None:
        super().__init__(space, settings, seed)
        self.values = space.validate(settings.params)

    def suggest(self, iteration: int, k: int) -> list[dict[str, Any]]:
        return [dict(self.values) for _ in range(k)]

    def recommendation(self) -> dict[str, Any]:
        return dict(self.values)


def make_searcher(space: ParamSpace, settings: SearcherConfig, seed: int) -> Searcher:
    """The searcher named in ``settings`` over ``space``."""
    if len(space) == 0 and settings.name != "fixed":
        raise UserError("no parameters to search: every simulator parameter is fixed")
    if settings.name.startswith("optuna-"):
        from synthlearn.lts.optuna_searcher import OptunaSearcher

        return OptunaSearcher(space, settings, seed)
    classes = {c.name: c for c in (ReinforceSearcher, RandomParamsSearcher, RandomSearchSearcher, FixedSearcher)}
    return classes[settings.name](space, settings, seed)
