"""The ``shapes3d`` simulator: procedural furniture as labelled point clouds for PointNet.

Per cloud: a class is drawn from ``class_mix``; its builder (:mod:`~synthlearn.sim.shapes3d.objects`)
assembles boxes and frustums (:mod:`~synthlearn.sim.shapes3d.parts`) from the class's
parameters; ``points`` surface points with normals are sampled by area
(:mod:`~synthlearn.sim.shapes3d.sampling`); optionally a scan keeps only what ``scan_views``
cameras see (:mod:`~synthlearn.sim.shapes3d.scan`); then jitter, centring and scaling into the
unit sphere, and a turn about the up axis (+z).

Example::

    >>> from synthlearn.sim import get_simulator
    >>> layers = get_simulator("shapes3d").generate({"points": 256}, n=4, seed=0)
    >>> layers["points"].shape, layers["normals"].shape, layers["label"].shape
    ((4, 256, 3), (4, 256, 3), (4,))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from synthlearn.params import Choice, IntRange, ParamSpace, Simplex, Uniform
from synthlearn.sim.base import Layer, Simulator, register
from synthlearn.sim.shapes3d.objects import (
    BACK_STYLES,
    BUILDERS,
    CLASSES,
    DOOR_STYLES,
    LAMP_TYPES,
    LEG_STYLES,
    MIXED,
    SHADE_STYLES,
    SOFA_ARM_STYLES,
    TABLE_SHAPES,
    build_objects,
)
from synthlearn.sim.shapes3d.sampling import add_jitter, normalise_to_unit_sphere, rotate_about_up, sample_surface
from synthlearn.sim.shapes3d.scan import SCAN_OVERSAMPLE, random_viewpoints, scan

JITTER_CLIP = 0.05
"""Jitter is clipped to ``[-0.05, 0.05]`` per coordinate, as in PointNet."""

PARAM_GROUPS: dict[str, list[str]] = {
    "cloud": ["class_mix", "points", "aspect_jitter", "up_rotation", "jitter"],
    "chair": ["leg_style", "seat_height", "back_height", "back_tilt", "back_style", "arm_prob"],
    "table": ["leg_style", "table_height", "table_shape", "top_thickness"],
    "lamp": ["lamp_types", "shade_style"],
    "sofa": ["sofa_length", "cushion_thickness", "sofa_arm_style", "chaise_prob"],
    "cabinet": ["cabinet_height", "drawer_prob"],
    "window": ["frame_width", "pane_rows"],
    "door": ["frame_width", "door_style"],
    "bed": ["mattress_thickness", "headboard_height", "footboard_prob"],
    "bookshelf": ["shelf_count_mean", "book_fill"],
    "scan": ["scan_views", "scan_noise", "scan_dropout"],
}
"""Which parameters shape what: the cloud as a whole, each class, the scan."""


def _styles(name: str, styles: tuple[str, ...], doc: str) -> Choice:
    return Choice(name, [*styles, MIXED], default=MIXED, doc=f"{doc}; '{MIXED}' draws one of them per object")


PARAM_SPACE = ParamSpace([
    Simplex("class_mix", CLASSES, doc="probability of each class (" + ", ".join(CLASSES) + ") per cloud"),
    IntRange("points", 16, 16384, default=1024, doc="points per cloud, P"),
    Uniform("aspect_jitter", 0.0, 0.4, default=0.1,
            doc="std of log stretch of each object's width, depth and height (independent per axis)"),
    Uniform("up_rotation", 0.0, 180.0, default=180.0,
            doc="each cloud turns about the up axis (+z) by a uniform angle in [-up_rotation, up_rotation] degrees; 0 = off"),
    Uniform("jitter", 0.0, JITTER_CLIP, default=0.01,
            doc=f"std of Gaussian noise per coordinate (unit-sphere units), clipped at +-{JITTER_CLIP}, as in PointNet"),
    _styles("leg_style", LEG_STYLES, "chair and table legs: four square, four round, or a pedestal "
                                     "(office star base for chairs, column or trestles for tables)"),
    Uniform("seat_height", 0.35, 0.65, default=0.45, doc="chair seat height, metres (+-7% per chair)"),
    Uniform("back_height", 0.15, 0.8, default=0.42, doc="chair back height above the seat, metres (+-15% per chair)"),
    Uniform("back_tilt", 0.0, 30.0, default=8.0, doc="mean backward lean of chair backs, degrees (x0.5-1.3 per chair)"),
    _styles("back_style", BACK_STYLES, "chair backs: a solid panel, posts with vertical slats, or posts with rails "
                                       "(upholstered chairs, 30%, always solid)"),
    Uniform("arm_prob", 0.0, 1.0, default=0.3, doc="probability that a chair has armrests"),
    Uniform("table_height", 0.6, 1.1, default=0.74,
            doc="height of dining and bar tables, metres (+-5%); a quarter of tables are 38-55 cm coffee tables"),
    _styles("table_shape", TABLE_SHAPES, "table tops"),
    Uniform("top_thickness", 0.015, 0.08, default=0.035, doc="table top thickness, metres (x0.8-1.25 per table)"),
    Simplex("lamp_types", LAMP_TYPES, default=[0.35, 0.35, 0.15, 0.15],
            doc="probability of each lamp type: table (short, vase or pole), floor (tall pole), "
                "desk (articulated arm), pendant (hanging from a cord)"),
    _styles("shade_style", SHADE_STYLES, "lamp shades (desk lamps always have a small cone; 40% of floor-lamp "
                                         "cones are upturned uplighters)"),
    Uniform("sofa_length", 0.9, 3.0, default=1.9, doc="sofa length including arms, metres (+-10%); below ~1.1 an armchair"),
    Uniform("cushion_thickness", 0.05, 0.25, default=0.14, doc="sofa seat cushion thickness, metres (x0.8-1.2)"),
    _styles("sofa_arm_style", SOFA_ARM_STYLES, "sofa arms: a wide block, a block with a roll on top, or a slim panel"),
    Uniform("chaise_prob", 0.0, 1.0, default=0.15, doc="probability that a sofa has a chaise longue at one end (L shape)"),
    Uniform("cabinet_height", 0.5, 2.4, default=1.1,
            doc="cabinet height, metres (+-10%): sideboards and chests of drawers low, wardrobes high"),
    Uniform("drawer_prob", 0.0, 1.0, default=0.5, doc="probability that a cabinet's front is drawers rather than doors"),
    Uniform("frame_width", 0.02, 0.12, default=0.05, doc="width of window and door frame bars, metres (x0.8-1.25)"),
    Uniform("pane_rows", 1.0, 4.0, default=2.0, doc="mean rows of panes per window: 1 + Poisson(pane_rows - 1), at most 4"),
    _styles("door_style", DOOR_STYLES, "door leaves: flat, with raised panels, or glazed above a solid lower part"),
    Uniform("mattress_thickness", 0.08, 0.35, default=0.2, doc="bed mattress thickness, metres (+-15%)"),
    Uniform("headboard_height", 0.0, 1.0, default=0.45, doc="bed headboard height above the mattress, metres (+-20%); 0 = none"),
    Uniform("footboard_prob", 0.0, 1.0, default=0.3, doc="probability that a bed has a footboard"),
    Uniform("shelf_count_mean", 1.0, 8.0, default=4.0,
            doc="mean shelf levels per bookshelf: 1 + Poisson(shelf_count_mean - 1), at most 8; height follows"),
    Uniform("book_fill", 0.0, 1.0, default=0.3, doc="mean share of each shelf level's width filled with books"),
    IntRange("scan_views", 0, 3, default=0,
             doc="simulated scan: number of viewpoints whose visible points are kept; 0 = off, the full surface"),
    Uniform("scan_noise", 0.0, 0.05, default=0.005, doc="scan depth noise std along the viewing ray, unit-sphere units"),
    Uniform("scan_dropout", 0.0, 0.8, default=0.1, doc="probability that each of a scan view's 8x8 image blocks is missing"),
])


@register
class Shapes3DSimulator(Simulator):
    """Furniture-like point clouds (9 classes) with labels and surface normals, for PointNet."""

    name = "shapes3d"
    description = (
        "Procedural 3-D furniture as point clouds: " + ", ".join(CLASSES) + " built from boxes and frustums "
        "with per-class proportion and style parameters; area-weighted surface points with unit normals, "
        "optional multi-view scan simulation; +z up, each cloud centred and scaled into the unit sphere."
    )
    layers = {
        "points": Layer("float32", ("points", 3),
                        "x, y, z of surface points, +z up, centred on their centroid, farthest point at distance 1"),
        "normals": Layer("float32", ("points", 3), "outward unit normal of the surface at each point"),
        "label": Layer("int64", (), "class index: " + ", ".join(f"{i} {c}" for i, c in enumerate(CLASSES))),
    }

    def param_space(self) -> ParamSpace:
        return PARAM_SPACE

    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        size = params["points"]
        labels = rng.choice(len(CLASSES), size=n, p=PARAM_SPACE["class_mix"].as_array(params["class_mix"]))
        if n == 0:
            empty = np.zeros((0, size, 3), np.float32)
            return {"points": empty, "normals": empty.copy(), "label": labels.astype(np.int64)}
        parts = build_objects(labels, params, rng)
        views = params["scan_views"]
        points, normals = sample_surface(parts, size * SCAN_OVERSAMPLE if views else size, rng)
        points = normalise_to_unit_sphere(points)
        if views:
            eyes = random_viewpoints(n, views, rng)
            points, normals = scan(points, normals, eyes, params["scan_noise"], params["scan_dropout"], size, rng)
        if params["jitter"] > 0:
            points = add_jitter(points, params["jitter"], rng, JITTER_CLIP)
        points = normalise_to_unit_sphere(points)
        turn = rng.uniform(-1.0, 1.0, n) * math.radians(params["up_rotation"])
        points, normals = rotate_about_up(points, normals, turn)
        return {"points": points, "normals": normals, "label": labels.astype(np.int64)}

    def describe(self) -> dict[str, Any]:
        """The base summary plus the classes and what each builds, the parameter groups, the axes
        convention and the generation pipeline."""
        summary = super().describe()
        summary["classes"] = {
            name: " ".join((BUILDERS[name].__doc__ or "").split()) for name in CLASSES
        }
        summary["param_groups"] = PARAM_GROUPS
        summary["conventions"] = (
            "object coordinates before normalisation: metres, +z up, width along x, front facing -y; "
            "output clouds: centred on the centroid, farthest point at distance 1, turned about +z by up_rotation"
        )
        summary["pipeline"] = [
            "label ~ class_mix",
            "parts (boxes, frustums) from the class builder and its parameters, sizes stretched by aspect_jitter",
            "P area-weighted surface points with normals (stratified over surfaces, random order)",
            f"if scan_views > 0: {SCAN_OVERSAMPLE}P points, keep those seen from scan_views viewpoints "
            "(z-buffer occlusion, facing test, depth noise, block holes), redraw P with replacement",
            f"jitter (std jitter, clipped at {JITTER_CLIP}), centre and scale into the unit sphere",
            "turn about +z by a uniform angle in [-up_rotation, up_rotation]",
        ]
        return summary
