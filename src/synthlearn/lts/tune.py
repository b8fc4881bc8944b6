"""The LTS policy as a Ray Tune ``Searcher`` (extra ``synthlearn[ray]``).

Use it to run Learning to Simulate inside your own Tune experiments and schedulers: Tune
asks for one configuration per trial (:meth:`LTSSearcher.suggest`), the trial reports its
reward, and every ``candidates`` completed trials make one REINFORCE step
(:meth:`~synthlearn.lts.searchers.ReinforceSearcher.update`). Trial ``t``'s parameters are
drawn from the stream ``(seed, t)``, so a restored searcher continues as it would have.

Example (see docs/ray.md for a complete one)::

    from ray import tune
    from synthlearn.lts.tune import LTSSearcher

    space = get_simulator("traffic").param_space().subspace(["weather", "car_types"])
    searcher = LTSSearcher(space, metric="reward", mode="max", candidates=4, seed=0)
    tuner = tune.Tuner(trainable, tune_config=tune.TuneConfig(search_alg=searcher, num_samples=40))
"""

from __future__ import annotations

from typing import Any

from synthlearn.checkpoint import load_checkpoint, save_checkpoint
from synthlearn.execute.ray import import_ray
from synthlearn.lts.config import SearcherConfig
from synthlearn.lts.searcher import Candidate
from synthlearn.lts.searchers import ReinforceSearcher
from synthlearn.params import ParamSpace

import_ray()
from ray.tune.search import Searcher as _TuneSearcher  # noqa: E402  (needs Ray, checked above)


class LTSSearcher(_TuneSearcher):
    """REINFORCE over ``space`` as a Tune searcher.

    Args:
        space: the simulator parameters to search (a trial's config holds one value each).
        metric: the reported result key to optimise.
        mode: ``"max"`` or ``"min"``.
        candidates: completed trials per policy update (the LTS paper's K).
        seed: root seed of the trial parameter draws.
        **settings: other :class:`~synthlearn.config.SearcherConfig` fields (``lr``,
            ``init_std``, ``baseline_decay``, ...).
    """

    def __init__(self, space: ParamSpace, metric: str = "reward", mode: str = "max", candidates: int = 4,
                 seed: int = 0, **settings: Any) -> None:
        super().__init__(metric=metric, mode=mode)
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
        config = SearcherConfig(name="reinforce", candidates=candidates, **settings)
        self.inner = ReinforceSearcher(space, config, seed)
        self.seed, self.candidates = seed, candidates
        self.suggested = 0
        self.pending: dict[str, Candidate] = {}  # Tune trial id -> its candidate
        self.batch: list[tuple[Candidate, float]] = []  # completed (candidate, reward) since the last update

    def suggest(self, trial_id: str) -> dict[str, Any]:
        # trial t is iteration t of a one-candidate batch: its draw comes from the stream (seed, t)
        candidate = self.inner.suggest(self.suggested, 1)[0]
        self.suggested += 1
        self.pending[trial_id] = candidate
        return candidate.values

    def on_trial_complete(self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False) -> None:
        candidate = self.pending.pop(trial_id, None)
        if candidate is None or error or not result or self.metric not in result:
            return
        reward = float(result[self.metric]) * (1.0 if self.mode == "max" else -1.0)
        self.batch.append((candidate, reward))
        if len(self.batch) >= self.candidates:
            self.inner.observe([c for c, _ in self.batch], [r for _, r in self.batch])
            self.batch = []

    def policy_summary(self) -> dict[str, Any]:
        """Current probabilities (Choice/Simplex) and means/stds (continuous) per parameter."""
        return self.inner.summary()

    def get_state(self) -> dict[str, Any]:
        as_dict = lambda c: {"trial_id": c.trial_id, "values": c.values, "info": c.info}  # noqa: E731
        return {"inner": self.inner.state_dict(), "suggested": self.suggested,
                "pending": {t: as_dict(c) for t, c in self.pending.items()},
                "batch": [(as_dict(c), r) for c, r in self.batch]}

    def set_state(self, state: dict[str, Any]) -> None:
        self.inner.load_state_dict(state["inner"])
        self.suggested = state["suggested"]
        self.pending = {t: Candidate(**c) for t, c in state["pending"].items()}
        self.batch = [(Candidate(**c), r) for c, r in state["batch"]]

    def save(self, checkpoint_path: str) -> None:
        save_checkpoint(checkpoint_path, self.get_state())

    def restore(self, checkpoint_path: str) -> None:
        self.set_state(load_checkpoint(checkpoint_path))
