"""Ray execution: jobs as Ray tasks on a local or remote cluster (extra ``synthlearn[ray]``).

Each job becomes one Ray task. A task whose worker process dies (killed, out of memory,
node lost) is retried up to ``max_retries`` times by Ray; since every job carries its own
seed, the retried task returns exactly what the first attempt would have, and the run ends
with the same result as on the local executor.

Example::

    >>> with RayExecutor(workers=2) as pool:          # starts a local Ray instance
    ...     results = pool.map(evaluate_candidate, jobs)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from synthlearn.errors import UserError
from synthlearn.execute.base import Executor

J = TypeVar("J")
R = TypeVar("R")


def import_ray() -> Any:
    """The ``ray`` module, or a UserError telling which extra to install."""
    try:
        import ray
    except ImportError:
        raise UserError("the ray executor needs Ray; install it with: pip install 'synthlearn[ray]'") from None
    return ray


class RayExecutor(Executor):
    """Runs jobs as Ray tasks.

    Args:
        workers: CPUs of the local Ray instance started when none is running and no
            ``address`` is given (ignored when connecting to a cluster).
        address: a Ray cluster address (``auto``, ``ray://host:10001``, ...); ``None``
            starts or reuses a local instance.
        num_cpus: CPUs reserved by each task.
        max_retries: how often a task whose worker died is retried.
    """

    def __init__(self, workers: int = 1, address: str | None = None, num_cpus: float = 1.0, max_retries: int = 3) -> None:
        if workers < 1 or num_cpus <= 0 or max_retries < 0:
            raise ValueError("workers >= 1, num_cpus > 0 and max_retries >= 0 are required")
        self.ray = import_ray()
        self.num_cpus, self.max_retries = num_cpus, max_retries
        self._owns_cluster = False
        if not self.ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            try:
                if address is None:
                    self.ray.init(num_cpus=workers, **options)
                else:
                    self.ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise UserError(f"cannot start or reach Ray at {address or 'a local instance'}: {exc}") from None
            self._owns_cluster = True

    def map(self, fn: Callable[[J], R], jobs: Sequence[J]) -> list[R]:
        if not jobs:
            return []
        task = self.ray.remote(num_cpus=self.num_cpus, max_retries=self.max_retries)(fn)
        return self.ray.get([task.remote(job) for job in jobs])

    def close(self) -> None:
        if self._owns_cluster and self.ray.is_initialized():
            self.ray.shutdown()
        self._owns_cluster = False
