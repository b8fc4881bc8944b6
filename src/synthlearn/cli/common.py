"""Helpers shared by the CLI commands: progress reporting, executors and the resume hint."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from synthlearn.execute.base import Executor
from synthlearn.execute.factory import make_executor

console = Console(stderr=True)  # progress and messages
stdout = Console()  # results (tables)

PLAIN_EVERY_SECONDS = 30.0
"""Without a terminal, progress is printed as a plain line at most this often (and when a task ends)."""

_invocation: list[str] = []  # the arguments of the running command
_resume_command: list[str] = []


def record_invocation(args: list[str]) -> None:
    """Remember the running command's arguments (the entry point calls this first)."""
    _invocation[:] = args
    _resume_command.clear()


def offer_resume() -> None:
    """Declare that the running command can be resumed by re-running it with ``--resume``."""
    extra = [] if "--resume" in _invocation else ["--resume"]
    _resume_command[:] = [" ".join(["synthlearn", *(shlex.quote(a) for a in [*_invocation, *extra])])]


def resume_hint() -> str | None:
    """The command that resumes the interrupted work, if the running command offered one."""
    return _resume_command[0] if _resume_command else None


class PlainProgress:
    """The part of rich's ``Progress`` the commands use, printing plain lines for logs.

    A line ``description: done/total (elapsed)`` goes to stderr when a task has not been
    reported for ``every`` seconds, and when it completes, so ``synthlearn demo > log``
    shows its progress without a terminal.
    """

    def __init__(self, every: float = PLAIN_EVERY_SECONDS) -> None:
        self.every = every
        self.tasks: list[dict[str, Any]] = []
        self.start = time.monotonic()

    def add_task(self, description: str, total: float | None = None) -> int:
        self.tasks.append({"description": description, "total": total, "completed": 0, "printed": -1.0, "done": False})
        return len(self.tasks) - 1

    def update(self, task: int, completed: float | None = None, description: str | None = None,
               total: float | None = None, advance: float | None = None) -> None:
        state = self.tasks[task]
        for key, value in (("completed", completed), ("description", description), ("total", total)):
            if value is not None:
                state[key] = value
        if advance is not None:
            state["completed"] += advance
        self._maybe_print(state)

    def advance(self, task: int, amount: float = 1) -> None:
        self.update(task, advance=amount)

    def reset(self, task: int, total: float | None = None) -> None:
        self.tasks[task].update(completed=0, done=False, **({"total": total} if total is not None else {}))

    def _maybe_print(self, state: dict[str, Any]) -> None:
        now = time.monotonic()
        finished = state["total"] is not None and state["completed"] >= state["total"]
        if finished and state["done"]:
            return
        if finished or now - state["printed"] >= self.every or state["printed"] < 0:
            state["printed"], state["done"] = now, finished
            total = f"/{state['total']:g}" if state["total"] is not None else ""
            elapsed = time.strftime("%H:%M:%S", time.gmtime(now - self.start))
            print(f"{state['description']}: {state['completed']:g}{total} ({elapsed})", file=sys.stderr, flush=True)


@contextmanager
def progress_bar() -> Iterator[Progress | PlainProgress]:
    """A rich progress bar on stderr when it is a terminal; plain periodic lines otherwise."""
    if not sys.stderr.isatty():
        yield PlainProgress()
        return
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, transient=False,
    )
    with bar:
        yield bar


class RunProgress:
    """Two lines of progress for a table of LTS runs: which run (of ``runs``), and its iterations.

    Pass :meth:`on_run` and :meth:`on_iteration` to a benchmark that calls them.
    """

    def __init__(self, bar: Progress | PlainProgress, what: str, runs: int, iterations: int) -> None:
        self.bar, self.what, self.runs, self.iterations = bar, what, runs, iterations
        self.overall = bar.add_task(f"{what} runs", total=runs)
        self.inner = bar.add_task("iterations", total=iterations)

    def on_run(self, row: str, seed: int, index: int, total: int) -> None:
        self.bar.update(self.overall, completed=index, description=f"{self.what} runs ({row}, seed {seed})")
        self.bar.reset(self.inner, total=self.iterations)
        self.bar.update(self.inner, description=f"  {row}, seed {seed}: iterations")

    def on_iteration(self, iteration: int, record: dict) -> None:
        self.bar.update(self.inner, completed=iteration + 1)

    def done(self) -> None:
        self.bar.update(self.overall, completed=self.runs)


def executor_from_options(name: str, workers: int, address: str | None = None) -> Executor:
    return make_executor(name, workers=workers, address=address)
