"""The simulator interface and the registry that finds simulators by name.

A simulator declares a :class:`~synthlearn.params.ParamSpace` and turns
``(params, n, seed)`` into a dict of layers, each an array whose first axis has length
``n``. The same ``(params, n, seed)`` must give byte-identical layers.

Third-party simulators register exactly like built-in ones, either in code::

    from synthlearn.sim import Simulator, register

    @register
    class Blobs(Simulator):
        name = "blobs"
        ...

or through the ``synthlearn.simulators`` entry-point group of their own package
(``blobs = "mypkg.sim:Blobs"``), or by passing ``module:Class`` wherever a simulator
name is expected.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any, ClassVar

import numpy as np

from synthlearn import seeding
from synthlearn.errors import UserError
from synthlearn.params import ParamSpace

ENTRY_POINT_GROUP = "synthlearn.simulators"

_BUILTIN: dict[str, str] = {
    "traffic": "synthlearn.sim.traffic:TrafficSimulator",
    "digits": "synthlearn.sim.digits:DigitsSimulator",
    "notsoclevr": "synthlearn.sim.notsoclevr:NotSoClevrSimulator",
}
_REGISTRY: dict[str, type[Simulator]] = {}


class Simulator(ABC):
    """Base class of every simulator.

    Subclasses set ``name``, ``description`` and ``layers`` (layer name -> one-line
    description with dtype and shape), return their space from :meth:`param_space`, and
    implement :meth:`_generate`, which receives validated, complete parameters and a
    Generator seeded from ``seed``.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    layers: ClassVar[dict[str, str]] = {}

    @abstractmethod
    def param_space(self) -> ParamSpace:
        """The parameters this simulator accepts."""

    @abstractmethod
    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Make ``n`` samples; every array in the result has first dimension ``n``."""

    def generate(self, params: Mapping[str, Any] | None, n: int, seed: int) -> dict[str, np.ndarray]:
        """Validate ``params`` (missing ones take defaults) and make ``n`` labelled samples."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise UserError(f"number of samples must be a non-negative integer, got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise UserError(f"seed must be a non-negative integer, got {seed!r}")
        full = self.param_space().validate(params)
        layers = self._generate(full, int(n), seeding.generator(int(seed)))
        for key, array in layers.items():
            if array.shape[:1] != (n,):
                raise RuntimeError(f"{self.name}: layer {key!r} has shape {array.shape}, expected first axis {n}")
        return layers

    def describe(self) -> dict[str, Any]:
        """JSON-able summary: name, description, layers and parameter specs."""
        return {
            "name": self.name,
            "description": self.description,
            "layers": dict(self.layers),
            "params": self.param_space().spec(),
        }


def import_ref(simulator: Simulator) -> str:
    """``module:Class`` of a simulator, so a fresh worker process can import it by itself."""
    cls = type(simulator)
    return f"{cls.__module__}:{cls.__qualname__}"


def register(cls: type[Simulator]) -> type[Simulator]:
    """Class decorator adding a simulator to the registry under ``cls.name``."""
    if not (isinstance(cls, type) and issubclass(cls, Simulator)) or not cls.name:
        raise TypeError("register() takes a Simulator subclass with a non-empty name")
    _REGISTRY[cls.name] = cls
    return cls


def _load_object(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"cannot load simulator {target!r}: {exc}") from None


def _discover() -> dict[str, str]:
    found = dict(_BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def available() -> list[str]:
    """Names of all known simulators (built-in, entry points and registered in code)."""
    return sorted(set(_discover()) | set(_REGISTRY))


def get_simulator(name: str) -> Simulator:
    """An instance of the simulator called ``name`` (or given as ``module:Class``)."""
    if name in _REGISTRY:
        return _REGISTRY[name]()
    target = _discover().get(name)
    if target is None and ":" in name:
        target = name
    if target is None:
        raise UserError(f"unknown simulator '{name}'; available: {', '.join(available())}")
    cls = _load_object(target)
    if not (isinstance(cls, type) and issubclass(cls, Simulator)):
        raise UserError(f"{target!r} is not a synthlearn Simulator subclass")
    _REGISTRY.setdefault(cls.name or name, cls)
    return cls()
