"""One simulation request: (simulator, parameters, n, seed) → a batch of labelled layers.

The same record describes a dataset shard, the training data of an LTS candidate and
simulated evaluation data. It is picklable and holds the simulator as an import reference
(``module:Class``), so any worker process or Ray task can make the batch by itself, and the
same request always gives the same bytes.

Example::

    >>> request = SimRequest.create("digits", {"pipeline": "optdigits8x8"}, n=100, seed=7)
    >>> layers = request.generate()          # {"image": (100, 8, 8) uint8, "label": (100,) int64}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthlearn.sim.base import Simulator, get_simulator, import_ref


@dataclass(frozen=True)
class SimRequest:
    """``n`` samples of ``simulator`` at complete, validated ``params``, drawn from ``seed``."""

    simulator: str
    params: dict[str, Any]
    n: int
    seed: int

    @staticmethod
    def create(simulator: str | Simulator, params: dict[str, Any] | None, n: int, seed: int) -> SimRequest:
        """Resolve the simulator (name or instance) and complete ``params`` with its defaults."""
        sim = get_simulator(simulator) if isinstance(simulator, str) else simulator
        return SimRequest(import_ref(sim), sim.param_space().validate(params), n, seed)

    def with_sample(self, n: int, seed: int) -> SimRequest:
        """The same simulator and parameters, another sample size and seed."""
        return SimRequest(self.simulator, self.params, n, seed)

    def generate(self) -> dict[str, np.ndarray]:
        """The layers ``{name: (n, ...) array}`` of this request."""
        return get_simulator(self.simulator).generate(self.params, self.n, self.seed)

    def key(self) -> str:
        """A canonical JSON text of the request (for caches)."""
        return json.dumps([self.simulator, self.params, self.n, self.seed], sort_keys=True)
