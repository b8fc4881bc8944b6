"""Maps between parameter values and unbounded real vectors.

Searchers that move in continuous space (the REINFORCE Gaussian, random search, CMA-ES)
work on ``z ∈ R^d`` and decode it into a valid value:

* :class:`~synthlearn.params.Simplex` with C choices: ``z ∈ R^C`` → ``softmax(z)``.
* :class:`~synthlearn.params.Uniform`: ``z ∈ R`` → ``low + (high - low) · sigmoid(z)``
  (in log space when the parameter is log-scaled).
* :class:`~synthlearn.params.IntRange`: as a uniform over ``[low - 0.5, high + 0.5]``, rounded.

:class:`~synthlearn.params.Choice` parameters have no continuous form (``dim`` is 0);
searchers treat them as categorical.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from synthlearn.params import Choice, IntRange, Param, Simplex, Uniform

_EPS = 1e-6


def dim(param: Param) -> int:
    """Length of the unbounded vector for ``param`` (0 for a Choice)."""
    if isinstance(param, Choice):
        return 0
    if isinstance(param, Simplex):
        return len(param.choices)
    return 1


def _bounds(param: Uniform | IntRange) -> tuple[float, float, bool]:
    if isinstance(param, IntRange):
        return param.low - 0.5, param.high + 0.5, False
    if param.log:
        return math.log(param.low), math.log(param.high), True
    return param.low, param.high, False


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def decode(param: Param, z: np.ndarray, round_int: bool = True) -> Any:
    """A valid value of ``param`` from the unbounded vector ``z`` (shape ``(dim(param),)``).

    ``round_int=False`` leaves an IntRange value as the underlying float (for summaries).
    """
    z = np.asarray(z, dtype=np.float64)
    if isinstance(param, Simplex):
        return param.validate(softmax(z).tolist())
    if isinstance(param, (Uniform, IntRange)):
        low, high, log = _bounds(param)
        x = low + (high - low) / (1.0 + math.exp(-float(np.clip(z[0], -30, 30))))
        if log:
            x = math.exp(x)
        if isinstance(param, IntRange) and round_int:
            return int(min(max(round(x), param.low), param.high))
        return float(min(max(x, param.low), param.high))
    raise TypeError(f"{param.name}: {type(param).__name__} has no continuous form")


def encode(param: Param, value: Any) -> np.ndarray:
    """The unbounded vector whose :func:`decode` is ``value`` (up to clipping at the ends)."""
    if isinstance(param, Simplex):
        logp = np.log(param.as_array(param.validate(value)) + _EPS)
        return logp - logp.mean()
    if isinstance(param, (Uniform, IntRange)):
        low, high, log = _bounds(param)
        x = math.log(value) if log else float(value)
        u = min(max((x - low) / (high - low), _EPS), 1 - _EPS)
        return np.array([math.log(u / (1 - u))])
    raise TypeError(f"{param.name}: {type(param).__name__} has no continuous form")
