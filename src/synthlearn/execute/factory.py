"""Building an executor by name. Nothing in ``execute/`` imports this module back."""

from __future__ import annotations

from synthlearn.errors import UserError
from synthlearn.execute.base import Executor
from synthlearn.execute.config import ExecutorConfig


def make_executor(name: str = "local", workers: int = 1, address: str | None = None) -> Executor:
    """``local`` (processes on this machine) or ``ray`` (a Ray cluster; ``address`` none: local)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UserError(f"workers must be a whole number >= 1, got {workers!r}")
    if name == "local":
        from synthlearn.execute.local import LocalExecutor

        return LocalExecutor(workers=workers)
    if name == "ray":
        from synthlearn.execute.ray import RayExecutor

        return RayExecutor(workers=workers, address=address)
    raise UserError(f"unknown executor '{name}'; choose local or ray")


def executor_from_config(config: ExecutorConfig) -> Executor:
    """The executor an ``executor`` config section describes."""
    return make_executor(config.name, config.workers, config.address)
