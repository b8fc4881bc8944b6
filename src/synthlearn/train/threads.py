"""Torch thread counts: results are reproducible for a fixed number of torch threads.

Every worker runs its job on one thread (:func:`single_thread_torch`), so a result never
depends on which worker, or how many, ran it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run torch on ``n`` threads inside the block, then restore the previous count."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def single_thread_torch():
    """``torch_threads(1)``: the setting every candidate, shard and worker job runs with."""
    return torch_threads(1)
