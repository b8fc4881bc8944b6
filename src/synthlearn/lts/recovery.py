"""How close a searcher's distribution is to hidden parameters: total-variation distance.

In a sim-to-sim experiment the validation data comes from hidden parameters; for every
Choice and Simplex parameter the history records the TV distance between the searcher's
probabilities and the hidden ones (0: recovered, 1: disjoint).

Example::

    >>> tv_distances(space, {"weather": {"probs": {"a": 0.5, "b": 0.5}}}, {"weather": {"a": 1.0, "b": 0.0}})
    {'weather': 0.5}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlearn.params import ParamSpace, Simplex


def tv_distances(space: ParamSpace, summary: dict[str, Any], target: dict[str, Any]) -> dict[str, float]:
    """``½ Σ |p − q|`` per parameter of ``summary`` that has ``probs`` (a Choice target counts as one-hot)."""
    out = {}
    for name, entry in summary.items():
        if "probs" not in entry:
            continue
        p = space[name]
        reference = p.as_array(target[name]) if isinstance(p, Simplex) else np.array([c == target[name] for c in p.choices], float)
        out[name] = 0.5 * float(np.abs(np.array([entry["probs"][c] for c in p.choices]) - reference).sum())
    return out
