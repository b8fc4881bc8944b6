"""The built-in searchers (see :mod:`synthlearn.lts.searcher` for the interface).

* ``reinforce`` -- the LTS policy gradient: REINFORCE with a moving-average baseline.
* ``random-params`` -- the LTS paper's baseline: every candidate is drawn from the whole
  parameter space (domain randomisation); the best on validation is kept.
* ``random-search`` -- a (1 + k) local random search: candidates perturb the best parameters
  so far with Gaussian steps in unbounded coordinates; the first iteration draws at random.
* ``fixed`` -- always the given parameters (the oracle row: training at the hidden parameters).

Optuna's samplers live in :mod:`synthlearn.lts.optuna_searcher`; :func:`synthlearn.lts.registry.make_searcher`
builds any of them by name.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from synthlearn.lts import transforms
from synthlearn.lts.config import SearcherConfig
from synthlearn.lts.policy import Policy
from synthlearn.lts.searcher import Candidate, Searcher
from synthlearn.params import Choice, ParamSpace


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

    def _draw(self, iteration: int, k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        rng = self.rng(iteration)
        return [(values, {"action": action}) for values, action in (self.policy.sample(rng) for _ in range(k))]

    def _learn(self, candidates: Sequence[Candidate], rewards: Sequence[float]) -> None:
        self.update([c.info["action"] for c in candidates], rewards)

    def update(self, actions: Sequence[dict[str, Any]], rewards: Sequence[float]) -> None:
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

    def _draw(self, iteration: int, k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        rng = self.rng(iteration)
        return [(self.space.sample(rng), {}) for _ in range(k)]


class RandomSearchSearcher(Searcher):
    """(1 + k) random search: perturb the incumbent, move to any candidate that beats it.

    Continuous parameters take Gaussian steps of std ``step`` in unbounded coordinates; a
    Choice keeps the incumbent's value with probability 0.75 and is redrawn otherwise.
    """

    name = "random-search"

    def _draw(self, iteration: int, k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        rng = self.rng(iteration)
        if self.best is None:
            return [(self.space.sample(rng), {}) for _ in range(k)]
        return [(self._perturb(self.best["values"], rng), {}) for _ in range(k)]

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

    def _draw(self, iteration: int, k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(dict(self.values), {}) for _ in range(k)]

    def recommendation(self) -> dict[str, Any]:
        return dict(self.values)
