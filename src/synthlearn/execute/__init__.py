"""Executors: where independent jobs run (local processes by default, or Ray)."""

from synthlearn.execute.base import Executor
from synthlearn.execute.factory import executor_from_config, make_executor

__all__ = ["Executor", "executor_from_config", "make_executor"]
