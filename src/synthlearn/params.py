"""Typed simulator parameters and parameter spaces.

A :class:`ParamSpace` is an ordered set of named parameters. Each parameter knows its
allowed values, its default, how to draw a random value from an explicit
``numpy.random.Generator`` and how to describe itself as plain JSON-able data.

Five kinds exist:

* :class:`Choice` -- one of a few named choices (``"X"``, ``"T"``, ``"L"``).
* :class:`Simplex` -- a probability vector over named choices, stored as
  ``{name: probability}``; e.g. the share of each weather type in a dataset.
* :class:`Uniform` -- a float in ``[low, high]``; ``log=True`` makes its random draws and
  the LTS policy work on a log scale.
* :class:`IntRange` -- an integer in ``[low, high]``.
* :class:`Vector` -- a list of numbers in ``[low, high]`` whose length follows from other
  parameters (per-class means of a tabular simulator); fixed by the user, never searched.

Example::

    >>> space = ParamSpace([Choice("shape", ["X", "T"]), Uniform("scale", 0.5, 2.0)])
    >>> space.validate({"scale": 1.5})
    {'shape': 'X', 'scale': 1.5}
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import yaml

from synthlearn.errors import UserError

_SIMPLEX_TOLERANCE = 1e-6


class ParamError(UserError):
    """A parameter value, name or override is not allowed."""


class Param(ABC):
    """One named simulator parameter."""

    kind: str = ""
    searchable: bool = True
    """Whether an outer optimiser (LTS) may search this parameter; False: it can only be fixed."""

    def __init__(self, name: str, doc: str = "") -> None:
        if not name or not name.replace("_", "").isalnum():
            raise ValueError(f"parameter name must be a non-empty identifier, got {name!r}")
        self.name = name
        self.doc = doc

    @property
    @abstractmethod
    def default(self) -> Any:
        """The value used when none is given."""

    @abstractmethod
    def validate(self, value: Any) -> Any:
        """Return ``value`` in canonical form, or raise :class:`ParamError` naming the range."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """Draw a value uniformly over the parameter's whole range."""

    @abstractmethod
    def describe_range(self) -> str:
        """Human-readable allowed range, used in error messages and listings."""

    @abstractmethod
    def spec(self) -> dict[str, Any]:
        """JSON-able description from which :func:`param_from_spec` rebuilds the parameter."""

    def parse(self, text: str) -> Any:
        """Parse a command-line value (``--set name=TEXT``, TEXT in YAML: ``0.3``, ``[1, 0]``, ``{a: 1}``, ``sunny``) and validate it."""
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ParamError(f"parameter '{self.name}': {text!r} is not valid YAML; expected {self.describe_range()}") from None
        return self.validate(text if value is None else value)

    def _fail(self, value: Any, why: str = "") -> ParamError:
        extra = f" ({why})" if why else ""
        return ParamError(
            f"parameter '{self.name}': {value!r} is not allowed{extra}; expected {self.describe_range()}"
        )


class Choice(Param):
    """One of a fixed list of named choices."""

    kind = "choice"

    def __init__(self, name: str, choices: Sequence[str], default: str | None = None, doc: str = "") -> None:
        super().__init__(name, doc)
        if len(choices) < 1 or len(set(choices)) != len(choices):
            raise ValueError(f"{name}: choices must be non-empty and unique")
        self.choices = [str(c) for c in choices]
        self._default = self.choices[0] if default is None else self.validate(default)

    @property
    def default(self) -> str:
        return self._default

    def validate(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise self._fail(value)
        return value

    def sample(self, rng: np.random.Generator) -> str:
        return self.choices[int(rng.integers(len(self.choices)))]

    def describe_range(self) -> str:
        return "one of " + ", ".join(self.choices)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "choices": self.choices, "default": self.default, "doc": self.doc}


class Simplex(Param):
    """A probability vector over named choices, as ``{choice: probability}``.

    A value may be given as a mapping (missing choices get probability 0) or as a list in
    choice order. Probabilities must be non-negative and sum to 1 (within 1e-6).
    """

    kind = "simplex"

    def __init__(
        self,
        name: str,
        choices: Sequence[str],
        default: Mapping[str, float] | Sequence[float] | None = None,
        doc: str = "",
    ) -> None:
        super().__init__(name, doc)
        if len(choices) < 2 or len(set(choices)) != len(choices):
            raise ValueError(f"{name}: a simplex needs at least two unique choices")
        self.choices = [str(c) for c in choices]
        uniform = [1.0 / len(self.choices)] * len(self.choices)
        self._default = self.validate(uniform if default is None else default)

    @property
    def default(self) -> dict[str, float]:
        return dict(self._default)

    def validate(self, value: Any) -> dict[str, float]:
        if isinstance(value, Mapping):
            unknown = [k for k in value if k not in self.choices]
            if unknown:
                raise self._fail(value, f"unknown choice {unknown[0]!r}")
            vector = [value.get(c, 0.0) for c in self.choices]
        elif isinstance(value, (list, tuple, np.ndarray)):
            if len(value) != len(self.choices):
                raise self._fail(value, f"needs {len(self.choices)} probabilities")
            vector = list(value)
        else:
            raise self._fail(value)
        if any(isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) for p in vector):
            raise self._fail(value, "probabilities must be numbers")
        probs = [float(p) for p in vector]
        if any(not math.isfinite(p) or p < 0 for p in probs):
            raise self._fail(value, "probabilities must be finite and >= 0")
        total = sum(probs)
        if abs(total - 1.0) > _SIMPLEX_TOLERANCE:
            raise self._fail(value, f"probabilities sum to {total:.6g}, not 1")
        return {c: p / total for c, p in zip(self.choices, probs)}

    def sample(self, rng: np.random.Generator) -> dict[str, float]:
        probs = rng.dirichlet(np.ones(len(self.choices)))
        return {c: float(p) for c, p in zip(self.choices, probs)}

    def as_array(self, value: Mapping[str, float]) -> np.ndarray:
        """Probabilities in choice order, shape ``(len(choices),)``."""
        return np.array([value[c] for c in self.choices], dtype=np.float64)

    def describe_range(self) -> str:
        return "probabilities summing to 1 over " + ", ".join(self.choices)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "choices": self.choices, "default": self.default, "doc": self.doc}


class Uniform(Param):
    """A float in ``[low, high]``; with ``log=True`` random draws are log-uniform."""

    kind = "uniform"

    def __init__(
        self, name: str, low: float, high: float, default: float | None = None, log: bool = False, doc: str = ""
    ) -> None:
        super().__init__(name, doc)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{name}: need finite low < high, got [{low}, {high}]")
        if log and low <= 0:
            raise ValueError(f"{name}: a log-scale parameter needs low > 0")
        self.low, self.high, self.log = float(low), float(high), bool(log)
        mid = math.sqrt(low * high) if log else (low + high) / 2
        self._default = self.validate(mid if default is None else default)

    @property
    def default(self) -> float:
        return self._default

    def validate(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise self._fail(value, "not a number")
        value = float(value)
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise self._fail(value)
        return value

    def sample(self, rng: np.random.Generator) -> float:
        if self.log:
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        return float(rng.uniform(self.low, self.high))

    def describe_range(self) -> str:
        scale = ", log scale" if self.log else ""
        return f"a number in [{self.low:g}, {self.high:g}]{scale}"

    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "name": self.name, "low": self.low, "high": self.high,
            "log": self.log, "default": self.default, "doc": self.doc,
        }


class IntRange(Param):
    """An integer in ``[low, high]`` (both ends included)."""

    kind = "int"

    def __init__(self, name: str, low: int, high: int, default: int | None = None, doc: str = "") -> None:
        super().__init__(name, doc)
        if not low <= high:
            raise ValueError(f"{name}: need low <= high, got [{low}, {high}]")
        self.low, self.high = int(low), int(high)
        self._default = self.validate((low + high) // 2 if default is None else default)

    @property
    def default(self) -> int:
        return self._default

    def validate(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self._fail(value, "not an integer")
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        if not isinstance(value, (int, np.integer)):
            raise self._fail(value, "not an integer")
        if not self.low <= int(value) <= self.high:
            raise self._fail(value)
        return int(value)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high + 1))

    def describe_range(self) -> str:
        return f"an integer in [{self.low}, {self.high}]"

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "low": self.low, "high": self.high, "default": self.default, "doc": self.doc}


class Vector(Param):
    """A list of numbers, each in ``[low, high]``, e.g. ``[3.0, 6.0]``; ``[]`` may mean "derive it".

    Its length is not fixed here: the simulator that reads it checks it against other
    parameters. With ``total`` set, a non-empty list must sum to ``total`` (within 1e-6), e.g.
    a class prior. Not searchable: LTS only takes it as a fixed parameter.
    """

    kind = "vector"
    searchable = False

    def __init__(
        self, name: str, low: float, high: float, default: Sequence[float] = (), total: float | None = None, doc: str = ""
    ) -> None:
        super().__init__(name, doc)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{name}: need finite low < high, got [{low}, {high}]")
        self.low, self.high = float(low), float(high)
        self.total = None if total is None else float(total)
        self._default = self.validate(list(default))

    @property
    def default(self) -> list[float]:
        return list(self._default)

    def validate(self, value: Any) -> list[float]:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, (list, tuple)):
            raise self._fail(value, "not a list")
        if any(isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) for v in value):
            raise self._fail(value, "every entry must be a number")
        numbers = [float(v) for v in value]
        bad = [v for v in numbers if not (math.isfinite(v) and self.low <= v <= self.high)]
        if bad:
            raise self._fail(value, f"{bad[0]:g} is outside [{self.low:g}, {self.high:g}]")
        if self.total is not None and numbers and abs(sum(numbers) - self.total) > _SIMPLEX_TOLERANCE:
            raise self._fail(value, f"the entries sum to {sum(numbers):.6g}, not {self.total:g}")
        return numbers

    def sample(self, rng: np.random.Generator) -> list[float]:
        """The default: a list whose length other parameters decide has no range to draw from."""
        return self.default

    def describe_range(self) -> str:
        summing = f" summing to {self.total:g}" if self.total is not None else ""
        return f"a list of numbers in [{self.low:g}, {self.high:g}]{summing}"

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "low": self.low, "high": self.high, "default": self.default,
                "total": self.total, "doc": self.doc}


_KINDS: dict[str, type[Param]] = {cls.kind: cls for cls in (Choice, Simplex, Uniform, IntRange, Vector)}


def param_from_spec(spec: Mapping[str, Any]) -> Param:
    """Rebuild a parameter from :meth:`Param.spec` output."""
    fields = dict(spec)
    kind = fields.pop("kind", None)
    if kind not in _KINDS:
        raise ParamError(f"unknown parameter kind {kind!r}; expected one of {', '.join(_KINDS)}")
    return _KINDS[kind](**fields)


class ParamSpace:
    """An ordered collection of named parameters.

    Values are plain dicts ``{name: value}``. :meth:`validate` fills in defaults and rejects
    unknown names, so a partially specified dict becomes a complete, canonical one.
    """

    def __init__(self, params: Iterable[Param]) -> None:
        self._params: dict[str, Param] = {}
        for p in params:
            if p.name in self._params:
                raise ValueError(f"duplicate parameter {p.name!r}")
            self._params[p.name] = p

    def __iter__(self) -> Iterator[Param]:
        return iter(self._params.values())

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, name: object) -> bool:
        return name in self._params

    def __getitem__(self, name: str) -> Param:
        try:
            return self._params[name]
        except KeyError:
            known = ", ".join(self._params) or "none"
            raise ParamError(f"unknown parameter '{name}'; known parameters: {known}") from None

    @property
    def names(self) -> list[str]:
        return list(self._params)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self}

    def validate(self, values: Mapping[str, Any] | None) -> dict[str, Any]:
        """Complete ``values`` with defaults and return them in canonical form."""
        values = dict(values or {})
        for name in values:
            self[name]  # raises on an unknown name
        return {p.name: p.validate(values[p.name]) if p.name in values else p.default for p in self}

    def sample(self, rng: np.random.Generator, names: Iterable[str] | None = None) -> dict[str, Any]:
        """Draw every parameter (or only ``names``; the others keep their defaults) at random."""
        chosen = set(self.names if names is None else names)
        for name in chosen:
            self[name]
        return {p.name: p.sample(rng) if p.name in chosen else p.default for p in self}

    def subspace(self, names: Iterable[str]) -> ParamSpace:
        """The space restricted to ``names`` (in this space's order)."""
        wanted = set(names)
        for name in wanted:
            self[name]
        return ParamSpace(p for p in self if p.name in wanted)

    def parse_overrides(self, assignments: Iterable[str]) -> dict[str, Any]:
        """Parse ``["name=value", ...]`` (values as JSON, or bare strings) into validated values."""
        out: dict[str, Any] = {}
        for item in assignments:
            name, sep, text = item.partition("=")
            if not sep or not name:
                raise ParamError(f"override {item!r} must look like name=value")
            out[name.strip()] = self[name.strip()].parse(text.strip())
        return out

    def spec(self) -> list[dict[str, Any]]:
        return [p.spec() for p in self]

    @classmethod
    def from_spec(cls, spec: Iterable[Mapping[str, Any]]) -> ParamSpace:
        return cls(param_from_spec(s) for s in spec)
