"""Local execution: jobs in this process (``workers <= 1``) or in a pool of processes.

Pool workers end with the process that owns the pool, even when that process is killed
(``kill -9``) and never gets to shut them down:

* Every worker runs a daemon thread that checks every ``_WATCH_INTERVAL`` seconds that its
  parent is still the pool's process and exits the worker when it is not: an orphan is
  re-parented (to PID 1 or a subreaper), so ``os.getppid()`` changes. POSIX only; elsewhere
  the parent id never changes and the thread just sleeps.
* On Linux, a worker spawned by the main thread also asks the kernel for SIGKILL when its
  parent dies (``prctl(PR_SET_PDEATHSIG)``), which acts at once, even while a job holds the
  GIL. The kernel sends that signal when the *thread* that spawned the worker ends, so a
  worker spawned by another thread (``map`` called from a thread) does not ask for it: it
  would die with that thread while the pool still counts on it. Only the main thread lives
  exactly as long as the process.

The multiprocessing resource tracker needs nothing: it exits by itself, and removes the
pool's semaphores, once the parent and every worker (all holders of its pipe) are gone.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple, TypeVar

from synthlearn.execute.base import Executor

J = TypeVar("J")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_WATCH_INTERVAL = 0.5  # seconds between two checks of a worker's parent


class _SpawnedBy(NamedTuple):
    """Who spawned a worker: the parent's process id, and whether its main thread did it."""

    pid: int
    main_thread: bool


class _Spawner:
    """Initializer argument that becomes a :class:`_SpawnedBy` of the thread that spawns the worker.

    The pool pickles a worker's initializer arguments in the thread that starts that worker,
    right before it forks, so ``__reduce__`` sees the spawning process and thread.
    """

    def __reduce__(self) -> tuple[type[_SpawnedBy], tuple[int, bool]]:
        return _SpawnedBy, (os.getpid(), threading.current_thread() is threading.main_thread())


def _init_worker(parent: _SpawnedBy) -> None:
    """Tie the worker's life to its parent's, then run jobs with one torch thread."""
    if parent.main_thread:
        _kill_on_parent_death()
    threading.Thread(target=_exit_when_orphaned, args=(parent.pid,), name="synthlearn-parent-watch", daemon=True).start()
    # Ctrl-C reaches the whole process group: the parent handles it (and ends the pool);
    # a worker that also raised KeyboardInterrupt would only print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One thread per worker: the pool gives the parallelism, and results stay identical
    # to the single-process path, which runs every job with one torch thread too.
    import torch

    torch.set_num_threads(1)


def _kill_on_parent_death() -> None:
    """Linux: have the kernel SIGKILL this process when the thread that spawned it ends.

    Elsewhere, or where libc has no ``prctl``, nothing happens and the parent watch thread
    alone ends the worker. A parent that died before this call goes unnoticed here; the
    watch thread's first check, made right after, catches it.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _exit_when_orphaned(parent_pid: int) -> None:
    """End this worker process as soon as its parent is no longer ``parent_pid``."""
    while os.getppid() == parent_pid:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)


class LocalExecutor(Executor):
    """A pool of ``workers`` spawned processes, created on first use and reused.

    The workers exit within about a second when the process that owns the pool dies, however
    it dies (see the module docstring).
    """

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
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                             initargs=(_Spawner(),))
        return list(self._pool.map(fn, jobs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
