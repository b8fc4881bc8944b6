"""Reinforcement-learning task families (a distribution of task variations) and their registry.

``make_family(name)`` builds a family by name; MuJoCo families import gymnasium lazily, in
their own module, so the point robot works without the ``rl`` extra.
"""

from __future__ import annotations

import importlib

from synthlearn.errors import UserError
from synthlearn.sim.rl.base import SPLITS, TaskEnv, TaskFamily, check_split

_FAMILIES: dict[str, tuple[str, str]] = {
    "point-robot": ("synthlearn.sim.rl.point_robot", "PointRobot"),
    "halfcheetah-vel": ("synthlearn.sim.rl.halfcheetah", "HalfCheetahVel"),
    "halfcheetah-fwd-back": ("synthlearn.sim.rl.halfcheetah", "HalfCheetahFwdBack"),
}


def family_names() -> list[str]:
    """The names :func:`make_family` knows."""
    return list(_FAMILIES)


def make_family(name: str) -> TaskFamily:
    """The task family called ``name`` (its module is imported only now); unknown names are a :class:`UserError`."""
    if name not in _FAMILIES:
        raise UserError(f"unknown task family {name!r}; choose one of: {', '.join(_FAMILIES)}")
    module, cls = _FAMILIES[name]
    return getattr(importlib.import_module(module), cls)()


__all__ = ["SPLITS", "TaskEnv", "TaskFamily", "check_split", "family_names", "make_family"]
