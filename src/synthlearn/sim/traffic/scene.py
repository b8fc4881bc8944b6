"""A batch of traffic scenes as plain data (Kubric style): padded arrays, no behaviour.

World frame: metres, ``x`` to the right, ``y`` up, ``z`` forward along the main road. The
ground is the plane ``y = 0``. The camera sits on the ego car in the right lane at
``(cam_x, cam_height, 0)`` and looks along ``+z`` turned by a small yaw; its pitch and roll are
zero, so the horizon is the image's middle row.

Layout (``D`` = ``road_length``):

* main road ``|x| <= 4`` (two 4 m lanes), sidewalks ``4 < |x| <= 6``; it ends at ``z = D + 8``
  (T, L) or continues (X);
* cross road ``D <= z <= D + 8`` with sidewalks 2 m wide on both sides; it runs to both sides
  (X, T) or to one side only (L, see :attr:`Scenes.turn`);
* markings: dashed centre lines on both roads (3 m dashes every 6 m) and a zebra crossing on
  the main road from ``z = D - 4.5`` to ``D - 1.5``;
* buildings stand on lots beside the sidewalks, never on a road or sidewalk;
* cars drive in the lanes of both roads, aligned with their road.

Every object is an upright, axis-aligned box standing on the ground (``y`` from 0 to
``obj_top``), optionally carrying a second, smaller box on its roof (a car's cabin). Padded
slots have ``obj_valid == False`` and sit after the valid ones.

Shapes below use ``n`` scenes, ``N = MAX_OBJECTS`` object slots, ``C = MAX_CARS`` car slots
and ``S = RAIN_STREAKS`` rain streaks.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

CAR_TYPES: tuple[str, ...] = ("sedan", "suv", "van", "truck", "bus")
WEATHERS: tuple[str, ...] = ("clear_noon", "clear_sunset", "rain_noon", "rain_sunset")
INTERSECTIONS: tuple[str, ...] = ("X", "T", "L")

#: Segmentation class id -> name. Cars are ``CAR_CLASS_OFFSET + car type index``.
SEGMENTATION_CLASSES: dict[int, str] = {
    0: "sky",
    1: "road",
    2: "sidewalk",
    3: "building",
    4: "terrain",
    5: "lane_marking",
    **{10 + i: name for i, name in enumerate(CAR_TYPES)},
}
CAR_CLASS_OFFSET = 10
SKY, ROAD, SIDEWALK, BUILDING, TERRAIN, LANE_MARKING = 0, 1, 2, 3, 4, 5

#: Depth written for sky pixels (metres); every rendered surface is nearer than this.
SKY_DEPTH = 1000.0

# Road geometry (metres); the module docstring's layout spelled out. Distances before or beyond
# the cross road are along z from its near edge ``D`` or far edge ``D + CROSS_ROAD_WIDTH``.
LANE_WIDTH = 4.0
ROAD_HALF_WIDTH = LANE_WIDTH  # main road: one lane each way of its centre line x = 0
CROSS_ROAD_WIDTH = 2 * LANE_WIDTH
SIDEWALK_WIDTH = 2.0  # along both sides of both roads
MARKING_HALF_WIDTH = 0.1  # of the centre lines
MARKING_DASH_PERIOD = 6.0  # a centre-line dash and the gap after it
MARKING_DUTY = 0.5  # painted share of each centre-line dash period and zebra stripe period
CENTRE_LINE_STOP = 5.0  # the main road's centre line stops this far before the cross road ...
CENTRE_LINE_RESUME = 4.0  # ... and resumes this far beyond it (X intersections)
CROSS_CENTRE_LINE_START = 7.0  # the cross road's centre line is painted where |x| > this
CROSSWALK_NEAR = 4.5  # the zebra crossing runs from this far before the cross road ...
CROSSWALK_FAR = 1.5  # ... to this far before it
CROSSWALK_HALF_LENGTH = 3.7  # its stripes span |x| < this
CROSSWALK_STRIPE_PERIOD = 1.0  # a stripe and the gap after it, along x

CAMERA_HEIGHT = 1.5
HORIZONTAL_FOV_DEG = 80.0

MAX_CARS = 24  # per scene, after the Poisson draw
MAX_BUILDINGS = 40  # per scene, after the Poisson draw
MAX_OBJECTS = 2 * MAX_CARS + MAX_BUILDINGS  # a truck is two boxes (cab + cargo box)
RAIN_STREAKS = 150


@dataclass
class Scenes:
    """``n`` traffic scenes rendered at ``height`` x ``width`` pixels.

    Attributes:
        height, width: image size in pixels.
        intersection: (n,) int64 index into :data:`INTERSECTIONS`.
        turn: (n,) int64; for an L intersection +1 if the cross road goes right, -1 if left;
            0 for X and T.
        weather: (n,) int64 index into :data:`WEATHERS`.
        road_length: (n,) float32 distance from the camera to the near edge of the cross road.
        cam_x: (n,) float32 camera x (the right lane's centre is x = 2).
        cam_height: (n,) float32 camera height above the ground.
        cam_dir: (n, 2) float32 (sin yaw, cos yaw): the forward direction in (x, z).
        sun: (n, 3) float32 unit vector towards the sun (x, y, z).
        exposure: (n,) float32 overall brightness factor.
        ground_color: (n, 4, 3) float32 albedo of road, sidewalk, terrain and lane marking.
        obj_valid: (n, N) bool; valid slots come first.
        obj_min, obj_max: (n, N, 2) float32 footprint corners (x, z) of the box.
        obj_top: (n, N) float32 height of the box's top face.
        obj_class: (n, N) uint8 segmentation class (3 building, 10 + car type).
        obj_car: (n, N) int64 index of the car the box belongs to, or -1.
        obj_color: (n, N, 3) float32 albedo.
        obj_has_cab: (n, N) bool; a second box stands on the roof (cars' cabins).
        cab_min, cab_max: (n, N, 2) float32 footprint of that box (inside the body's).
        cab_top: (n, N) float32 height of its top (its bottom is ``obj_top``).
        obj_glass: (n, N, 2) float32 band of heights (low, high) drawn as windows on the box's
            side faces (low == high: none; buildings get a facade window grid instead).
        obj_skirt: (n, N) float32 height of the dark band at the bottom of the sides (wheels).
        car_type: (n, C) int64 car type index of each car slot, -1 if empty.
        streak_pos: (n, S, 2) float32 rain streak starts (u, v) as fractions of width/height.
        streak_len: (n, S) float32 rain streak lengths as a fraction of the height.
        streak_wind: (n,) float32 horizontal shift of the streaks per row.
    """

    height: int
    width: int
    intersection: np.ndarray
    turn: np.ndarray
    weather: np.ndarray
    road_length: np.ndarray
    cam_x: np.ndarray
    cam_height: np.ndarray
    cam_dir: np.ndarray
    sun: np.ndarray
    exposure: np.ndarray
    ground_color: np.ndarray
    obj_valid: np.ndarray
    obj_min: np.ndarray
    obj_max: np.ndarray
    obj_top: np.ndarray
    obj_class: np.ndarray
    obj_car: np.ndarray
    obj_color: np.ndarray
    obj_has_cab: np.ndarray
    cab_min: np.ndarray
    cab_max: np.ndarray
    cab_top: np.ndarray
    obj_glass: np.ndarray
    obj_skirt: np.ndarray
    car_type: np.ndarray
    streak_pos: np.ndarray
    streak_len: np.ndarray
    streak_wind: np.ndarray

    def __len__(self) -> int:
        return int(self.intersection.shape[0])

    def array_fields(self) -> list[str]:
        """Names of the per-scene array fields (everything but ``height`` and ``width``)."""
        return [f.name for f in fields(self) if f.name not in ("height", "width")]

    def select(self, index: slice | np.ndarray) -> Scenes:
        """The scenes ``index`` selects (a slice keeps views, no copy)."""
        return Scenes(
            height=self.height,
            width=self.width,
            **{name: getattr(self, name)[index] for name in self.array_fields()},
        )

    @property
    def n_objects(self) -> np.ndarray:
        """(n,) int64 number of valid object slots per scene."""
        return self.obj_valid.sum(axis=1)

    @property
    def n_cars(self) -> np.ndarray:
        """(n,) int64 number of cars placed in each scene (visible or not)."""
        return (self.car_type >= 0).sum(axis=1)
