"""The searcher interface: propose candidate parameter sets, learn from their rewards.

The shape follows Ray Tune's Searcher (``suggest(trial_id)`` / ``on_trial_complete(trial_id,
result)``), batched: each iteration the loop asks for ``k`` :class:`Candidate` records
(:meth:`Searcher.suggest`) and hands them back with one reward each (:meth:`Searcher.observe`).
A candidate carries, besides its parameter values, whatever the searcher needs to learn from
it (the policy's sampled action, an Optuna trial's internals), so no searcher keeps hidden
per-iteration state. The best candidate so far is kept here, in one place; the loop asks
:meth:`observe` whether a batch improved on it.

Every searcher spends the same budget: one trained task model per candidate (with
``searcher.halving``, some of them cut after fewer epochs: :mod:`synthlearn.lts.halving`). Draws for
iteration ``t`` come from the stream ``(seed, t)``, so a resumed run makes the same
suggestions as an uninterrupted one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthlearn import seeding
from synthlearn.lts.config import SearcherConfig
from synthlearn.params import Choice, ParamSpace, Simplex


@dataclass(frozen=True)
class Candidate:
    """One proposed parameter set.

    Attributes:
        trial_id: ``"<iteration>-<index>"``, unique within a run.
        values: a value for every searched parameter.
        info: the searcher's own data about this draw (for example the policy's action).
    """

    trial_id: str
    values: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)


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
        self.best: dict[str, Any] | None = None  # {"trial_id", "values", "reward"} of the best candidate so far

    def rng(self, iteration: int) -> np.random.Generator:
        return seeding.generator(self.seed, iteration)

    def suggest(self, iteration: int, k: int) -> list[Candidate]:
        """``k`` candidates for ``iteration``."""
        return [Candidate(f"{iteration}-{index}", values, info) for index, (values, info) in enumerate(self._draw(iteration, k))]

    @abstractmethod
    def _draw(self, iteration: int, k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """``k`` pairs (values, info) for ``iteration``."""

    def observe(self, candidates: Sequence[Candidate], rewards: Sequence[float]) -> int | None:
        """Learn from the rewards of ``candidates`` (same order).

        Returns the index of the candidate that became the best so far (the first of equal
        rewards), or ``None`` if none beat it.
        """
        top = int(np.argmax(rewards))
        improved = self.best is None or rewards[top] > self.best["reward"]
        if improved:
            self.best = {"trial_id": candidates[top].trial_id, "values": candidates[top].values, "reward": float(rewards[top])}
        self._learn(candidates, rewards)
        return top if improved else None

    def _learn(self, candidates: Sequence[Candidate], rewards: Sequence[float]) -> None:
        """Update the searcher's model from a batch (nothing, for searchers without one)."""

    def recommendation(self) -> dict[str, Any]:
        """The parameters this searcher would use now (best seen, unless it has a model)."""
        return self.best["values"] if self.best is not None else self.space.defaults()

    def summary(self) -> dict[str, Any]:
        """Per-parameter summary for the history (probabilities; mean and std)."""
        return summarise_values(self.space, [self.recommendation()])

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state["best"]
