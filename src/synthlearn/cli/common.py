"""Helpers shared by the CLI commands: progress bars and executor construction."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from synthlearn.execute.base import Executor
from synthlearn.execute.factory import make_executor

console = Console(stderr=True)  # progress and messages
stdout = Console()  # results (tables)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A rich progress bar on stderr, switched off when stderr is not a terminal."""
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, disable=not sys.stderr.isatty(), transient=False,
    )
    with bar:
        yield bar


def executor_from_options(name: str, workers: int, address: str | None = None) -> Executor:
    return make_executor(name, workers=workers, address=address)
