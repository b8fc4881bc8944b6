"""The simulator interface and the registry that finds simulators by name.

A simulator declares a :class:`~synthlearn.params.ParamSpace` and its output
:class:`Layer` s, and turns ``(params, n, seed)`` into a dict of layers, each an array of
shape ``(n, *layer.shape)`` and the declared dtype; :meth:`Simulator.generate` checks every
output against the declaration. The same ``(params, n, seed)`` must give byte-identical
layers.

Third-party simulators register exactly like built-in ones, either in code::

    from synthlearn.sim import Simulator, register
    from synthlearn.sim.base import Layer

    @register
    class Blobs(Simulator):
        name = "blobs"
        layers = {
            "image": Layer("uint8", ("size", "size"), "grey image, size being an IntRange parameter"),
            "label": Layer("int64", (), "class index"),
        }
        ...

or through the ``synthlearn.simulators`` entry-point group of their own package
(``blobs = "mypkg.sim:Blobs"``), or by passing ``module:Class`` wherever a simulator
name is expected.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
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
    "shapes3d": "synthlearn.sim.shapes3d:Shapes3DSimulator",
    "tumors": "synthlearn.sim.tumors:TumorsSimulator",
}
_REGISTRY: dict[str, type[Simulator]] = {}


@dataclass(frozen=True)
class Layer:
    """The declared dtype and per-sample shape of one output layer of a simulator.

    ``n`` samples of the layer form an array of dtype ``dtype`` and shape ``(n, *shape)``.
    Each ``shape`` entry is either an ``int``, a fixed size, or a ``str`` naming a dimension
    whose size follows from the parameters: :meth:`Simulator.dimensions` maps names to sizes
    for the validated parameters, by default every integer parameter under its own name. So
    ``Layer("uint8", ("height", "width", 3), "colour image")`` is ``(n, 64, 32, 3)`` for
    ``height=64, width=32``; ``Layer("int64", (), "class")`` is ``(n,)``.

    Attributes:
        dtype: numpy dtype name as ``str(np.dtype(...))`` spells it: ``"uint8"``,
            ``"float32"``, ``"int64"`` (not ``"float"`` or ``"<i8"``).
        shape: per-sample shape, a tuple of non-negative ints and dimension names.
        description: one line saying what the values mean (units, ranges, class ids).
    """

    dtype: str
    shape: tuple[int | str, ...]
    description: str

    def __post_init__(self) -> None:
        try:
            canonical = str(np.dtype(self.dtype)) if isinstance(self.dtype, str) else None
        except TypeError:
            canonical = None
        if canonical != self.dtype:
            hint = f" (write {canonical!r})" if canonical else ""
            raise ValueError(f"Layer dtype must be a numpy dtype name such as 'uint8' or 'float32', "
                             f"got {self.dtype!r}{hint}")
        if not isinstance(self.shape, tuple) or not all(
            (isinstance(d, int) and not isinstance(d, bool) and d >= 0) or (isinstance(d, str) and d)
            for d in self.shape
        ):
            raise ValueError(f"Layer shape must be a tuple of non-negative ints and dimension names, "
                             f"e.g. ('height', 'width', 3), got {self.shape!r}")
        if not isinstance(self.description, str):
            raise ValueError(f"Layer description must be a str, got {self.description!r}")

    def check(self, simulator: str, name: str, array: Any, n: int, dims: Mapping[str, int]) -> None:
        """Raise ``RuntimeError`` unless ``array`` is an ndarray of ``dtype`` and shape ``(n, *shape)``.

        ``dims`` gives the size of each dimension name in ``shape`` (see
        :meth:`Simulator.dimensions`); ``simulator`` and ``name`` only label the message.
        """
        unknown = list(dict.fromkeys(d for d in self.shape if isinstance(d, str) and d not in dims))
        if unknown:
            raise RuntimeError(
                f"simulator {simulator!r}: layer {name!r} declares shape {self.shape} with dimension(s) "
                f"{', '.join(map(repr, unknown))}, which are neither integer parameters nor given by its "
                f"dimensions(); known: {', '.join(sorted(dims)) or 'none'}"
            )
        expected = (n, *(dims[d] if isinstance(d, str) else d for d in self.shape))
        if not isinstance(array, np.ndarray):
            raise RuntimeError(f"simulator {simulator!r}: layer {name!r} is a {type(array).__name__}, "
                               f"expected a numpy array of {self.dtype} {expected}")
        if str(array.dtype) != self.dtype or array.shape != expected:
            named = {d: dims[d] for d in self.shape if isinstance(d, str)}
            given = "".join(f", {d}={size}" for d, size in named.items())
            raise RuntimeError(
                f"simulator {simulator!r}: layer {name!r} is {array.dtype} {array.shape}, expected "
                f"{self.dtype} {expected} (declared {self.dtype} {self.describe_shape()} with n={n}{given})"
            )

    def describe_shape(self) -> str:
        """The array shape of ``n`` samples as text: ``"(n, height, width, 3)"``, ``"(n,)"``."""
        return "(" + ", ".join(map(str, ("n", *self.shape))) + ("," if not self.shape else "") + ")"

    def to_json(self) -> dict[str, Any]:
        """``{"dtype": ..., "shape": [...], "description": ...}``, the form :meth:`Simulator.describe` lists."""
        return {"dtype": self.dtype, "shape": list(self.shape), "description": self.description}


class Simulator(ABC):
    """Base class of every simulator.

    Subclasses set ``name``, ``description`` and ``layers`` (layer name -> :class:`Layer`),
    return their space from :meth:`param_space`, and implement :meth:`_generate`, which
    receives validated, complete parameters and a Generator seeded from ``seed`` and returns
    exactly the declared layers. A layer shape that names a dimension other than an integer
    parameter needs :meth:`dimensions` overridden to give its size.

    ``layers`` in the older form, layer name -> description string, is rejected with a
    :class:`~synthlearn.errors.UserError` on first use -- the first :meth:`generate` or :meth:`describe` -- not at
    class definition or registration.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    layers: ClassVar[dict[str, Layer]] = {}

    @abstractmethod
    def param_space(self) -> ParamSpace:
        """The parameters this simulator accepts."""

    @abstractmethod
    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Make ``n`` samples: exactly the declared layers, each of shape ``(n, *layer.shape)``."""

    def dimensions(self, params: dict[str, Any]) -> dict[str, int]:
        """Size of each dimension name used in ``layers`` shapes, for validated ``params``.

        The default gives every integer parameter under its own name. Override it (and
        extend ``super().dimensions(params)``) when a size follows from other parameters.
        """
        return {k: int(v) for k, v in params.items() if isinstance(v, (int, np.integer)) and not isinstance(v, bool)}

    @classmethod
    def declared_layers(cls) -> dict[str, Layer]:
        """``layers``, checked to map layer names to :class:`Layer`; a :class:`UserError` (exit 2 on the
        command line: the user picked a simulator that cannot run) otherwise."""
        if not isinstance(cls.layers, dict) or not all(
            isinstance(k, str) and isinstance(v, Layer) for k, v in cls.layers.items()
        ):
            raise UserError(
                f"simulator {cls.name!r} ({cls.__module__}:{cls.__qualname__}): 'layers' must be a dict of "
                f"layer name -> synthlearn.sim.Layer, got {cls.layers!r}; replace a description string "
                f"such as 'uint8 (n, H, W)' by Layer('uint8', ('H', 'W'), '...'), see Layer's docstring"
            )
        return cls.layers

    def generate(self, params: Mapping[str, Any] | None, n: int, seed: int) -> dict[str, np.ndarray]:
        """Validate ``params`` (missing ones take defaults) and make ``n`` labelled samples.

        Returns the declared layers, each an array of shape ``(n, *layer.shape)``. Raises
        ``RuntimeError`` if ``_generate`` returns a layer that is undeclared, missing, or of
        another dtype or shape than declared, and :class:`~synthlearn.errors.UserError` if ``layers`` is not a dict
        of :class:`Layer` (see :meth:`declared_layers`).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise UserError(f"number of samples must be a non-negative integer, got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise UserError(f"seed must be a non-negative integer, got {seed!r}")
        declared = self.declared_layers()
        full = self.param_space().validate(params)
        layers = self._generate(full, int(n), seeding.generator(int(seed)))
        if not isinstance(layers, dict):
            raise RuntimeError(f"simulator {self.name!r}: _generate returned a {type(layers).__name__}, "
                               f"expected a dict of layer name -> array")
        extra = [k for k in layers if k not in declared]
        missing = [k for k in declared if k not in layers]
        if extra or missing:
            raise RuntimeError(
                f"simulator {self.name!r}: _generate returned layers {', '.join(map(repr, layers)) or 'none'}, "
                f"expected exactly the declared {', '.join(map(repr, declared)) or 'none'}"
                + (f"; undeclared: {', '.join(map(repr, extra))}" if extra else "")
                + (f"; missing: {', '.join(map(repr, missing))}" if missing else "")
            )
        dims = self.dimensions(full)
        for key, layer in declared.items():
            layer.check(self.name, key, layers[key], int(n), dims)
        return layers

    def describe(self) -> dict[str, Any]:
        """JSON-able summary: name, description, layers (see :meth:`Layer.to_json`) and parameter specs."""
        return {
            "name": self.name,
            "description": self.description,
            "layers": {k: layer.to_json() for k, layer in self.declared_layers().items()},
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
