"""The procedural traffic-scene simulator (after Ruiz et al., "Learning to Simulate", §4.2).

A forward camera on a car in the right lane of a road that ends in an X, T or L
intersection, with sidewalks, buildings, cars of five types and four weathers; labels
(segmentation, depth, visible-car counts) come for free. ``θ -> scenes`` lives in
:mod:`~synthlearn.sim.traffic.sample`, ``scenes -> layers`` in
:mod:`~synthlearn.sim.traffic.render`.

Example::

    >>> from synthlearn.sim import get_simulator
    >>> layers = get_simulator("traffic").generate({"height": 64, "width": 64}, n=4, seed=0)
    >>> layers["rgb"].shape, layers["counts"].shape
    ((4, 64, 64, 3), (4, 5))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlearn.params import IntRange, ParamSpace, Simplex, Uniform
from synthlearn.sim.base import Layer, Simulator, register
from synthlearn.sim.traffic.render import render
from synthlearn.sim.traffic.sample import sample_scenes
from synthlearn.sim.traffic.scene import CAR_TYPES, INTERSECTIONS, MAX_BUILDINGS, MAX_CARS, SKY_DEPTH, WEATHERS

PARAM_SPACE = ParamSpace([
    IntRange("height", 16, 512, default=128, doc="image height in pixels"),
    IntRange("width", 16, 512, default=128, doc="image width in pixels (horizontal field of view 80°)"),
    Simplex("intersection", INTERSECTIONS, doc="probability of each intersection type (X, T, L) per scene"),
    Simplex("weather", WEATHERS, doc="probability of each weather per scene"),
    Simplex("car_types", CAR_TYPES, doc="probability of each car type per car"),
    Uniform("cars_mean", 0.0, 20.0, default=6.0,
            doc=f"mean cars per scene: Poisson(cars_mean), at most {MAX_CARS}, fewer if lanes are full"),
    Uniform("buildings_mean", 0.0, 30.0, default=10.0,
            doc=f"mean buildings per scene: Poisson(buildings_mean), at most {MAX_BUILDINGS} or the free lots"),
    Uniform("road_length", 20.0, 150.0, default=60.0, doc="metres from the camera to the intersection"),
    IntRange("min_visible_pixels", 1, 10000, default=10,
             doc="a car is counted when at least this many of its pixels are visible"),
])


@register
class TrafficSimulator(Simulator):
    """Street scenes with free segmentation, depth and per-type counts of visible cars."""

    name = "traffic"
    description = (
        "Procedural street scenes: a road ending in an X, T or L intersection, sidewalks, buildings, "
        "cars of 5 types, 4 weathers; forward camera on a car. Labels: segmentation, depth, "
        "visible cars per type."
    )
    layers = {
        "rgb": Layer("uint8", ("height", "width", 3), "colour image"),
        "segmentation": Layer("uint8", ("height", "width"),
                              "class ids: 0 sky, 1 road, 2 sidewalk, 3 building, 4 terrain, 5 lane marking, "
                              "10 + car type (10 sedan, 11 suv, 12 van, 13 truck, 14 bus)"),
        "depth": Layer("float32", ("height", "width"), f"camera z-depth in metres, {SKY_DEPTH:g} for sky"),
        "counts": Layer("int64", (len(CAR_TYPES),),
                        "visible cars per type (" + ", ".join(CAR_TYPES) + "), >= min_visible_pixels pixels each"),
        "weather": Layer("int64", (), "weather index (" + ", ".join(WEATHERS) + ")"),
        "intersection": Layer("int64", (), "intersection index (" + ", ".join(INTERSECTIONS) + ")"),
    }

    def param_space(self) -> ParamSpace:
        return PARAM_SPACE

    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        scenes = sample_scenes(params, n, rng)
        out = render(scenes, min_visible_pixels=params["min_visible_pixels"])
        return {
            "rgb": out["rgb"],
            "segmentation": out["segmentation"],
            "depth": out["depth"],
            "counts": out["counts"],
            "weather": scenes.weather.astype(np.int64),
            "intersection": scenes.intersection.astype(np.int64),
        }
