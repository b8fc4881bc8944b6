"""Successive halving inside one LTS iteration (the idea of Ray Tune's ASHA, synchronous, one bracket).

All K candidates of an iteration train ``rungs[0]`` epochs and are scored on validation; the
best ``ceil(keep × alive)`` by reward (ties: the lower index) continue to ``rungs[1]`` epochs,
and so on; the survivors of the last rung train to the task's ``epochs``. A continued
candidate resumes its fit exactly (:func:`synthlearn.train.fit.fit_until`), so a survivor ends
with the same weights and reward as without halving.

**What the searcher observes.** Every candidate gets one reward: the validation reward
measured after the last epoch it trained. An eliminated candidate reports the reward of the
rung where it was cut (after fewer epochs, so typically lower than it would have reached);
since halving keeps the higher rewards at every rung, the rewards REINFORCE sees rank the
cut candidates below the ones that beat them there. The model the run keeps is still the one
with the best observed reward, whatever its epochs.

**Budget.** With ``alive_0 = K`` and ``alive_{r+1} = max(1, ceil(keep · alive_r))``, an
iteration trains ``Σ_r alive_r · (stop_r − stop_{r−1})`` epochs (``stop_0 = 0``,
stops = ``rungs + [epochs]``) instead of ``K · epochs``; :func:`halving_plan` gives both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from synthlearn.lts.evaluate import CandidateJob, CandidateResult


@dataclass(frozen=True)
class HalvingPlan:
    """Where an iteration stops, how many candidates train to each stop, and the epochs that costs.

    Attributes:
        stops: epochs after which candidates are scored, ``rungs + [epochs]``.
        alive: candidates training to each stop (``len(stops)``).
        epochs_trained: epochs trained over all candidates of the iteration.
    """

    stops: list[int]
    alive: list[int]
    epochs_trained: int


def halving_plan(k: int, rungs: Sequence[int], keep: float, epochs: int) -> HalvingPlan:
    """The plan of one iteration with ``k`` candidates, cut after each of ``rungs`` keeping the best share ``keep``."""
    stops = [*rungs, epochs]
    if any(b <= a for a, b in zip([0, *stops], stops)):
        raise ValueError(f"rungs must increase from 1 and stay below the task's epochs ({epochs}), got {list(rungs)}")
    alive = [k]
    for _ in rungs:
        alive.append(max(1, math.ceil(keep * alive[-1])))
    cost = sum(n * (stop - before) for n, stop, before in zip(alive, stops, [0, *stops]))
    return HalvingPlan(stops, alive, cost)


@dataclass
class HalvingOutcome:
    """One iteration under successive halving.

    Attributes:
        results: per candidate (input order), the result of its last job, timings summed over its jobs.
        epochs: per candidate, epochs trained.
        rewards_at_stops: per candidate, its validation reward at every stop it reached (in order).
    """

    results: list[CandidateResult]
    epochs: list[int]
    rewards_at_stops: list[list[float]]


def successive_halving(
    jobs: Sequence[CandidateJob], rungs: Sequence[int], keep: float, epochs: int,
    run: Callable[[list[CandidateJob]], list[CandidateResult]],
) -> HalvingOutcome:
    """Evaluate ``jobs`` (one per candidate) with successive halving; ``run`` evaluates a batch of jobs (e.g. ``executor.map``)."""
    plan = halving_plan(len(jobs), rungs, keep, epochs)
    results: list[CandidateResult | None] = [None] * len(jobs)
    rewards: list[list[float]] = [[] for _ in jobs]
    alive = list(range(len(jobs)))
    for rung, stop in enumerate(plan.stops):
        alive = sorted(sorted(alive, key=lambda i: (-results[i].reward, i))[: plan.alive[rung]]) if rung else alive
        batch = [replace(jobs[i], stop_epoch=stop, resume=results[i].partial if results[i] is not None else None) for i in alive]
        for i, result in zip(alive, run(batch)):
            before = results[i]
            if before is not None:
                result = replace(result, seconds_simulate=before.seconds_simulate + result.seconds_simulate,
                                 seconds_train=before.seconds_train + result.seconds_train)
            results[i] = result
            rewards[i].append(result.reward)
    final = [r for r in results if r is not None]
    assert len(final) == len(jobs)
    # A finished candidate keeps no fit state; a cut one drops it (nothing continues it).
    final = [replace(r, partial=None) for r in final]
    return HalvingOutcome(final, [r.epochs for r in final], rewards)
