"""Procedural traffic scenes: road, intersection, sidewalks, buildings, cars and weather.

``scene`` holds the scene as plain data, ``sample`` draws scenes from parameters θ,
``render`` turns scenes into layers and ``simulator`` ties them together as the registered
simulator ``"traffic"``.
"""

from synthlearn.sim.traffic.scene import (
    CAR_TYPES,
    INTERSECTIONS,
    SEGMENTATION_CLASSES,
    SKY_DEPTH,
    WEATHERS,
    Scenes,
)
from synthlearn.sim.traffic.simulator import PARAM_SPACE, TrafficSimulator

__all__ = [
    "CAR_TYPES",
    "INTERSECTIONS",
    "PARAM_SPACE",
    "SEGMENTATION_CLASSES",
    "SKY_DEPTH",
    "WEATHERS",
    "Scenes",
    "TrafficSimulator",
]
