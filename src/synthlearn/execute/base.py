"""The executor seam: how independent jobs (candidate evaluations, shards) get run.

An executor maps a picklable top-level function over a list of picklable jobs and returns
the results in job order. Each job carries its own seed, so results do not depend on which
worker ran it or in which order: a local pool, a single process and a Ray cluster give the
same answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TypeVar


J = TypeVar("J")
R = TypeVar("R")


class Executor(ABC):
    """Runs ``fn(job)`` for each job; results come back in job order."""

    @abstractmethod
    def map(self, fn: Callable[[J], R], jobs: Sequence[J]) -> list[R]:
        """Run every job and return the results in the order of ``jobs``."""

    def close(self) -> None:
        """Release workers. The executor is not used afterwards."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
