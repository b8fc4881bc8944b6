"""The Ray executor fails fast, in one line, where no Ray cluster answers; and checks its arguments.

Connection attempts run in a fresh Python process: this session may already hold a Ray
instance (which the executor would reuse), and a regression must not hang the suite for the
minutes Ray spends retrying, so the child gets 30 s.
"""

import os
import subprocess
import sys

import pytest

from synthlearn.errors import UserError
from synthlearn.execute.ray import RayExecutor

CHILD = """
import sys
from synthlearn.errors import UserError
from synthlearn.execute.ray import RayExecutor

try:
    RayExecutor(address=sys.argv[1] or None)
except UserError as exc:
    print(exc)
else:
    print("connected")
"""


@pytest.mark.parametrize(("address", "ray_address", "message"), [
    ("127.0.0.1:1", "", "cannot reach Ray at 127.0.0.1:1: Connection refused"),
    ("ray://127.0.0.1:1", "", "cannot reach Ray at ray://127.0.0.1:1: Connection refused"),
    ("", "127.0.0.1:1", "cannot reach Ray at 127.0.0.1:1 (from RAY_ADDRESS): Connection refused"),
])
def test_an_address_where_nothing_listens_fails_within_seconds(address, ray_address, message):
    pytest.importorskip("ray")
    env = {**os.environ, "RAY_ADDRESS": ray_address}
    # timeout: subprocess.TimeoutExpired (a failure) if the executor is still trying after 30 s
    child = subprocess.run([sys.executable, "-c", CHILD, address], env=env, capture_output=True, text=True, timeout=30)
    lines = child.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), child.stdout + child.stderr


@pytest.mark.parametrize(("options", "message"), [
    ({"workers": 0}, "workers must be a whole number >= 1, got 0"),
    ({"workers": 1.5}, "workers must be a whole number >= 1, got 1.5"),
    ({"num_cpus": 0}, r"num_cpus \(CPUs per Ray task\) must be a number > 0, got 0"),
    ({"max_retries": -1}, r"max_retries \(retries of a Ray task whose worker died\) must be a whole number >= 0, got -1"),
])
def test_bad_arguments_are_user_errors(options, message):
    with pytest.raises(UserError, match=f"^{message}$"):
        RayExecutor(**options)
