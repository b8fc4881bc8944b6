"""Experiment configuration: pydantic models, safe YAML loading and ``--set a.b=1`` overrides.

An LTS experiment config looks like (every field documented on its model)::

    name: car-counting
    seed: 0
    simulator: traffic
    fixed: {height: 64, width: 64}       # simulator parameters nobody searches
    learn: [weather, car_types]          # parameters the outer optimiser controls
    train_size: 256                      # M samples generated per candidate
    searcher: {name: reinforce, candidates: 4, iterations: 40}
    task: {name: count, epochs: 3}
    validation: {params: {weather: [0.5, 0.5, 0, 0]}, n: 256, seed: 1000}
    test: {n: 512, seed: 2000}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from synthlearn.errors import UserError

SEARCHERS = ("reinforce", "random-params", "random-search", "fixed", "optuna-tpe", "optuna-cmaes")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearcherConfig(_Strict):
    """The outer optimiser and its budget (``iterations × candidates`` trained models)."""

    name: Literal["reinforce", "random-params", "random-search", "fixed", "optuna-tpe", "optuna-cmaes"] = "reinforce"
    candidates: int = Field(4, ge=1, description="K: parameter sets evaluated per iteration")
    iterations: int = Field(20, ge=1, description="outer iterations")
    lr: float = Field(0.1, gt=0, description="reinforce: Adam learning rate of the policy")
    init_std: float = Field(0.5, gt=0, description="reinforce: initial Gaussian std in unbounded coordinates")
    learn_std: bool = Field(True, description="reinforce: learn the Gaussian std too")
    min_std: float = Field(0.05, gt=0, description="reinforce: lower bound on the std")
    baseline_decay: float = Field(0.2, gt=0, le=1, description="reinforce: weight of the newest mean reward in the moving-average baseline")
    normalize_advantages: bool = Field(True, description="reinforce: divide advantages by a running reward std")
    step: float = Field(0.5, gt=0, description="random-search: perturbation std in unbounded coordinates")
    params: dict[str, Any] = Field(default_factory=dict, description="fixed: the parameters to evaluate every time")


class TaskConfig(_Strict):
    """The main-task model and how each candidate trains it."""

    name: str = "count"
    input_layer: str | None = None
    target_layer: str | None = None
    input_scale: float = Field(255.0, gt=0, description="inputs are divided by this")
    width: int = Field(16, ge=1)
    depth: int = Field(4, ge=1)
    coord_conv: bool = Field(False, description="CoordConv first layer (i, j coordinate channels)")
    epochs: int = Field(3, ge=1)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(3e-3, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warm_start: bool = Field(False, description="start each candidate from the previous iteration's best model")


class DataSpec(_Strict):
    """Evaluation data: a dataset folder or ``.npz`` of layers, or the simulator at given parameters.

    Simulator parameters are the experiment's ``fixed`` ones updated with ``params``.
    """

    dataset: Path | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    n: int = Field(256, ge=1)
    seed: int = Field(1000, ge=0)


class ExecutorConfig(_Strict):
    name: Literal["local", "ray"] = "local"
    workers: int = Field(1, ge=1)
    address: str | None = None


class LTSConfig(_Strict):
    """A Learning-to-Simulate experiment."""

    name: str = "lts"
    seed: int = Field(0, ge=0)
    simulator: str
    fixed: dict[str, Any] = Field(default_factory=dict)
    learn: list[str] | None = Field(None, description="searched parameters; default: all not in fixed")
    train_size: int = Field(256, ge=2, description="M: samples generated per candidate")
    searcher: SearcherConfig = Field(default_factory=SearcherConfig)
    task: TaskConfig = Field(default_factory=TaskConfig)
    validation: DataSpec = Field(default_factory=DataSpec)
    test: DataSpec | None = None
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)

    @model_validator(mode="after")
    def _learn_and_fixed_disjoint(self) -> LTSConfig:
        both = set(self.learn or ()) & set(self.fixed)
        if both:
            raise ValueError(f"parameters both fixed and learned: {', '.join(sorted(both))}")
        return self


def _format_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "config"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"config {where}: {first['msg']}{more}"


def apply_overrides(raw: dict[str, Any], assignments: Iterable[str]) -> dict[str, Any]:
    """Apply ``["a.b=value", ...]`` to a nested dict; values are parsed as YAML scalars/lists."""
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise UserError(f"override {item!r} must look like key.path=value")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"override {item!r}: value is not valid YAML ({exc.__class__.__name__})") from None
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
    if not path.is_file():
        raise UserError(f"config file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text())
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


def parse_config(raw: Mapping[str, Any], model: type[BaseModel] = LTSConfig) -> Any:
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        raise UserError(_format_validation_error(exc)) from None


def load_config(path: str | Path, overrides: Iterable[str] = (), model: type[BaseModel] = LTSConfig) -> Any:
    """Read a YAML config, apply ``--set`` overrides and validate it."""
    return parse_config(apply_overrides(read_yaml(path), overrides), model)


def dump_config(config: BaseModel) -> str:
    """The resolved config as YAML (JSON-compatible values, stable key order)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
