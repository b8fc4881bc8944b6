"""Ray execution: jobs as Ray tasks on a local or remote cluster (extra ``synthlearn[ray]``).

Each job becomes one Ray task. A task whose worker process dies (killed, out of memory,
node lost) is retried up to ``max_retries`` times by Ray; since every job carries its own
seed, the retried task returns exactly what the first attempt would have, and the run ends
with the same result as on the local executor.

Connecting fails fast. Ray keeps retrying a cluster address where nothing answers for many
minutes (20 attempts of about 35 s each in Ray 2.60), so the address is first tried with a
plain TCP connection of at most ``CONNECT_TIMEOUT`` seconds: ``host:port`` (the head's GCS
port) and ``ray://host:port`` (its Ray Client port) as given; for ``None`` and ``auto``, the
``RAY_ADDRESS`` environment variable when set, since Ray then connects there. Otherwise
``None`` and ``auto`` are Ray's to resolve on this machine: it connects to a running local
cluster, or starts one (``None``) or fails at once (``auto``). Not caught: a port that
accepts connections but is not a Ray head (the dashboard's 8265, say), and a stale record
of the last ``ray start`` cluster, which Ray follows for ``None`` and ``auto``.

Example::

    >>> with RayExecutor(workers=2) as pool:          # starts a local Ray instance
    ...     results = pool.map(evaluate_candidate, jobs)
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from synthlearn.errors import UserError
from synthlearn.execute.base import Executor

J = TypeVar("J")
R = TypeVar("R")

CONNECT_TIMEOUT = 5.0
"""Seconds a cluster address gets to accept a TCP connection before the executor gives up."""


def import_ray() -> Any:
    """The ``ray`` module, or a UserError telling which extra to install."""
    try:
        import ray
    except ImportError:
        raise UserError("the ray executor needs Ray; install it with: pip install 'synthlearn[ray]'") from None
    return ray


def _host_and_port(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of ``host:port``, ``[v6 host]:port`` or ``ray://host:port``; None for other forms."""
    rest = address.split("://", 1)[-1].rstrip("/")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def _check_reachable(address: str | None) -> None:
    """Raise a one-line UserError if the cluster ``ray.init(address)`` would join takes no TCP connection.

    For ``None`` and ``auto`` that is ``RAY_ADDRESS`` when set. Anything without a port
    (``local``; ``None`` or ``auto`` without ``RAY_ADDRESS``) is left to Ray, which resolves
    it on this machine without a long wait.
    """
    target = os.environ.get("RAY_ADDRESS") if address in (None, "auto") else address
    endpoint = _host_and_port(target) if target else None
    if endpoint is None:
        return
    where = target if target == address else f"{target} (from RAY_ADDRESS)"
    try:
        socket.create_connection(endpoint, timeout=CONNECT_TIMEOUT).close()
    except TimeoutError:
        raise UserError(f"cannot reach Ray at {where}: no answer within {CONNECT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise UserError(f"cannot reach Ray at {where}: {exc.strerror or exc} "
                        "(is the cluster running, and is this its address?)") from None


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
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise UserError(f"workers must be a whole number >= 1, got {workers!r}")
        if isinstance(num_cpus, bool) or not isinstance(num_cpus, (int, float)) or not num_cpus > 0:
            raise UserError(f"num_cpus (CPUs per Ray task) must be a number > 0, got {num_cpus!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise UserError(f"max_retries (retries of a Ray task whose worker died) must be a whole number >= 0, "
                            f"got {max_retries!r}")
        self.ray = import_ray()
        self.num_cpus, self.max_retries = num_cpus, max_retries
        self._owns_cluster = False
        if not self.ray.is_initialized():
            _check_reachable(address)
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            try:
                if address is None:
                    self.ray.init(num_cpus=workers, **options)
                else:
                    self.ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise UserError(f"cannot start or reach Ray at {address or 'a local instance'}: {reason}") from None
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
