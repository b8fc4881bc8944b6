"""Settings: the one strict pydantic base, safe YAML loading and ``--set a.b=1`` overrides.

Every method declares what a user may set as a :class:`Settings` subclass (for example
:class:`synthlearn.lts.config.LTSConfig`, :class:`synthlearn.refine.config.RefineConfig`) and
loads it with :func:`load_config`::

    config = load_config("experiments/car_counting.yaml", ["searcher.iterations=3"], LTSConfig)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from synthlearn.errors import UserError


class Settings(BaseModel):
    """Base of every settings model a user can write (YAML, ``--set``, CLI options).

    Strict: an unknown key is an error, never silently ignored; field docstrings become
    the field descriptions. Settings are frozen: derive a variant with ``model_copy(update=...)``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _distinct_seeds(seeds: tuple[int, ...]) -> tuple[int, ...]:
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(f"seeds must be distinct non-negative integers, got {list(seeds)}")
    return seeds


Seeds = Annotated[tuple[int, ...], AfterValidator(_distinct_seeds)]
"""The seeds of repeated runs: at least one, distinct, non-negative (rows report mean ± std over them)."""


def _describe_error(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence about the setting, not about pydantic's internals."""
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown setting (check the spelling, or see the documented fields)"
    if kind == "missing":
        return "is required"
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return "must be a section of key: value settings"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    return message


def _format_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    prefix = f"setting '{where}'" if where else "settings"
    return f"{prefix}: {_describe_error(first)}{more}"


def apply_overrides(raw: dict[str, Any], assignments: Iterable[str]) -> dict[str, Any]:
    """Apply ``["a.b=value", ...]`` to a nested dict; values are parsed as YAML scalars/lists."""
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise UserError(f"override {item!r} must look like key.path=value")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise UserError(f"override {item!r}: the value is not valid YAML ({problem}); quote text, e.g. key='[1, 2]'") from None
        node = raw
        parts = key.strip().split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise UserError(f"override {item!r}: '{part}' is not a section")
            node = child
        node[parts[-1]] = value
    return raw


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Safely load a YAML mapping, with one-line errors for missing or malformed files."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"config file {path} does not exist")
    if not path.is_file():
        raise UserError(f"config file {path} is not a file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"config file {path} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        raise UserError(f"config file {path} is not valid YAML{where}: {problem}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"config file {path} must hold a mapping at the top level")
    return raw


S = TypeVar("S", bound=BaseModel)


def parse_config(raw: Mapping[str, Any], model: type[S]) -> S:
    """Validate a raw mapping as ``model``; a problem becomes one :class:`UserError` line."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        raise UserError(_format_validation_error(exc)) from None


def load_config(path: str | Path, overrides: Iterable[str], model: type[S]) -> S:
    """Read a YAML config, apply ``--set`` overrides and validate it."""
    return parse_config(apply_overrides(read_yaml(path), overrides), model)


def dump_config(config: BaseModel) -> str:
    """The resolved config as YAML (JSON-compatible values, stable key order)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
