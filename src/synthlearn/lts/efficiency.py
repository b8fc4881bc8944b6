"""Sample efficiency of a search: best-so-far reward and models needed to reach a target.

A run's history (``history.jsonl``, one record per iteration with the candidates' ``rewards``)
is read as one reward per trained model, in training order (iteration, then candidate). From
it come the best-so-far curve and the number of models trained until the first one reached a
threshold (``inf`` if none did). Rewards are "higher is better"; a reward that is a negated
error (−MAE) is negative, and "95 % of the reference" then means an error at most
``1 / 0.95`` times the reference's (see :func:`reward_threshold`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def rewards_in_training_order(history: Sequence[dict[str, Any]]) -> np.ndarray:
    """The ``(models,)`` validation rewards of a run: each iteration's ``rewards`` in candidate order, iterations in order."""
    ordered = sorted(history, key=lambda record: record["iteration"])
    return np.array([reward for record in ordered for reward in record["rewards"]], dtype=float)


def best_so_far(rewards: Sequence[float] | np.ndarray) -> np.ndarray:
    """``(models,)`` → ``(models,)``: entry ``i`` is the best reward among the first ``i + 1`` models."""
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim != 1 or len(rewards) == 0:
        raise ValueError(f"rewards must be a non-empty 1-D sequence, got shape {rewards.shape}")
    return np.maximum.accumulate(rewards)


def reward_threshold(reference: float, fraction: float = 0.95) -> float:
    """The reward that counts as ``fraction`` of ``reference``.

    A positive reference (accuracy) gives ``fraction × reference``; a negative one (a negated
    error, −MAE) gives ``reference / fraction``, i.e. an error at most ``1 / fraction`` times the
    reference's. Either way the reference's own reward passes and a worse one may not.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    return reference * fraction if reference >= 0 else reference / fraction


def models_to_reach(rewards: Sequence[float] | np.ndarray, threshold: float) -> float:
    """Models trained until the first reward ``>= threshold`` (1-based, from ``(models,)`` rewards); ``inf`` if none."""
    hits = np.flatnonzero(np.asarray(rewards, dtype=float) >= threshold)
    return float(hits[0] + 1) if len(hits) else math.inf


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, quartiles and range of ``values`` across seeds (``inf`` = never reached, sorted last)."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        raise ValueError("spread of no values")
    return {"median": _quantile(ordered, 0.5), "q1": _quantile(ordered, 0.25), "q3": _quantile(ordered, 0.75),
            "min": ordered[0], "max": ordered[-1]}


def _quantile(ordered: list[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values that may end in ``inf`` (no ``inf - inf`` = nan)."""
    position = q * (len(ordered) - 1)
    low, high = ordered[math.floor(position)], ordered[math.ceil(position)]
    if low == high or math.isinf(high):
        return high if position > math.floor(position) else low
    return low + (high - low) * (position - math.floor(position))


def curve_band(curves: Sequence[Sequence[float]] | np.ndarray) -> dict[str, np.ndarray]:
    """``(runs, models)`` best-so-far curves → per model: ``median``, ``low``/``high`` (min and max over runs), each ``(models,)``."""
    stacked = np.asarray(curves, dtype=float)
    if stacked.ndim != 2:
        raise ValueError(f"curves must be (runs, models), got shape {stacked.shape}")
    return {"median": np.median(stacked, axis=0), "low": stacked.min(axis=0), "high": stacked.max(axis=0)}
