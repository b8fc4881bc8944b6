"""Local execution: jobs in this process (``workers <= 1``) or in a pool of processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from synthlearn.execute.base import Executor

J = TypeVar("J")
R = TypeVar("R")


def _init_worker() -> None:
    # One thread per worker: the pool gives the parallelism, and results stay identical
    # to the single-process path, which runs every job with one torch thread too.
    import torch

    torch.set_num_threads(1)


class LocalExecutor(Executor):
    """A pool of ``workers`` spawned processes, created on first use and reused."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[J], R], jobs: Sequence[J]) -> list[R]:
        if self.workers == 1 or len(jobs) <= 1:
            return [fn(job) for job in jobs]
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker)
        return list(self._pool.map(fn, jobs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
