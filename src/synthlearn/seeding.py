"""Seed streams: every random draw in synthlearn comes from an explicit Generator.

Child streams are derived from a root seed and a path of integers (iteration, candidate,
...), so a draw never depends on how many draws happened before it elsewhere. This is what
makes runs resumable and results independent of how work is split across workers.

Example::

    >>> rng = generator(7, 3, 1)        # the stream for seed 7, iteration 3, candidate 1
    >>> child_seed(7, 3, 1) == child_seed(7, 3, 1)
    True
"""

from __future__ import annotations

import numpy as np


def _check(seed: int, path: tuple[int, ...]) -> None:
    for value in (seed, *path):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"seeds and stream paths must be non-negative integers, got {value!r}")


def sequence(seed: int, *path: int) -> np.random.SeedSequence:
    """The SeedSequence for ``seed`` refined by the integers in ``path``."""
    _check(seed, path)
    return np.random.SeedSequence([int(seed), *map(int, path)])


def generator(seed: int, *path: int) -> np.random.Generator:
    """A fresh PCG64 Generator for the stream ``(seed, *path)``."""
    return np.random.Generator(np.random.PCG64(sequence(seed, *path)))


def child_seed(seed: int, *path: int) -> int:
    """A 63-bit integer seed for the stream ``(seed, *path)`` (for APIs that want an int)."""
    return int(sequence(seed, *path).generate_state(1, dtype=np.uint64)[0]) & ((1 << 63) - 1)
