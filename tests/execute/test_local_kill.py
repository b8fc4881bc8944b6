"""Local pool workers die with the process that owns the pool, even after ``kill -9``.

A child Python process maps a sleeping job over ``LocalExecutor(workers=2)``; once both jobs
run, the child is killed with SIGKILL and every process it started (the two workers and the
multiprocessing resource tracker) must be gone within a few seconds. Processes are found
through ``/proc``, so these tests run on Linux only.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from synthlearn.execute.local import LocalExecutor

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")

# The child maps start_and_sleep from this module, from its main thread or from another
# thread (a pool spawns its workers in the thread that submits the jobs).
CHILD = """
import sys, threading
from synthlearn.execute.local import LocalExecutor
from test_local_kill import start_and_sleep

pool = LocalExecutor(workers=2)
markers = [sys.argv[1] + "/0", sys.argv[1] + "/1"]
if sys.argv[2] == "main":
    pool.map(start_and_sleep, markers)
else:
    thread = threading.Thread(target=pool.map, args=(start_and_sleep, markers))
    thread.start()
    thread.join()
"""


def start_and_sleep(marker: str) -> None:
    """A job that reports it runs (creates the file ``marker``), then sleeps for a minute."""
    Path(marker).touch()
    time.sleep(60)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """State, parent pid and start time of process ``pid``, or None if it does not exist."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name in (...) may contain spaces
    return fields[0], int(fields[1]), int(fields[19])


def _descendants(root: int) -> dict[int, int]:
    """Every process below ``root``, as pid -> start time (the pair survives pid reuse)."""
    stats = {int(e): s for e in os.listdir("/proc") if e.isdigit() and (s := _stat(int(e))) is not None}
    found: dict[int, int] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (_, ppid, start) in stats.items():
            if ppid == parent and pid not in found:
                found[pid] = start
                frontier.append(pid)
    return found


def _alive(pid: int, start: int) -> bool:
    """Whether that very process still runs (a zombie waiting to be reaped counts as gone)."""
    stat = _stat(pid)
    return stat is not None and stat[2] == start and stat[0] != "Z"


@pytest.mark.parametrize("spawner", ["main", "thread"])
def test_workers_and_resource_tracker_exit_after_the_parent_is_killed(tmp_path, spawner):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    with open(tmp_path / "stderr.txt", "wb") as stderr:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), spawner],
                                 env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 30
        while not ((tmp_path / "0").exists() and (tmp_path / "1").exists()):
            assert child.poll() is None, (tmp_path / "stderr.txt").read_text()
            assert time.monotonic() < deadline, "the two jobs never started"
            time.sleep(0.1)
    finally:
        started = _descendants(child.pid)
        child.kill()
        child.wait()
        deadline = time.monotonic() + 10
        while (alive := [pid for pid, start in started.items() if _alive(pid, start)]) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in alive:  # never leave them behind for the rest of the session
            os.kill(pid, signal.SIGKILL)
    assert len(started) >= 3, f"expected two workers and a resource tracker, found pids {sorted(started)}"
    assert not alive, f"processes of the killed parent still alive 10 s later: {alive}"


def test_the_pool_outlives_the_thread_that_spawned_its_workers():
    # PR_SET_PDEATHSIG fires when the spawning *thread* ends: these workers must not die with it.
    with LocalExecutor(workers=2) as pool:
        thread = threading.Thread(target=pool.map, args=(abs, [0, -1]))  # spawns both workers
        thread.start()
        thread.join()
        time.sleep(0.5)
        assert pool.map(abs, [0, -1, -2, -3]) == [0, 1, 2, 3]  # BrokenProcessPool if a worker died
