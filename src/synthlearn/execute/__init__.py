"""Executors: where independent jobs run (local processes by default)."""

from synthlearn.execute.base import Executor, make_executor

__all__ = ["Executor", "make_executor"]
