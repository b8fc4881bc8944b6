"""Where the jobs of a run execute (the ``executor`` section of a config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from synthlearn.config import Settings


class ExecutorConfig(Settings):
    """Executor of a run's independent jobs."""

    name: Literal["local", "ray"] = "local"
    """``local`` (processes on this machine) or ``ray`` (a Ray cluster, extra ``synthlearn[ray]``)."""
    workers: int = Field(1, ge=1)
    """Parallel jobs (local processes, or CPUs of a local Ray instance)."""
    address: str | None = None
    """Ray cluster address (``auto``, ``host:port``, ``ray://host:10001``); none: a local instance."""
