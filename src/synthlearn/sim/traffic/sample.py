"""Parameters θ and a Generator -> a batch of :class:`~synthlearn.sim.traffic.scene.Scenes`.

Scenes are drawn in blocks of :data:`SAMPLE_BLOCK`. One number drawn from the caller's
Generator seeds a :class:`numpy.random.SeedSequence`; block ``j`` uses its ``j``-th spawned
child and always draws a full block. So scene ``i`` depends only on the seed, θ and ``i``:
the first ``m`` scenes of a batch of ``n > m`` equal a batch of ``m``.

Per scene: the intersection type, the weather and each car's type are categorical draws
from the ``intersection``, ``weather`` and ``car_types`` simplices; the numbers of cars and
buildings are Poisson(``cars_mean``) and Poisson(``buildings_mean``) clipped at
:data:`~synthlearn.sim.traffic.scene.MAX_CARS` and
:data:`~synthlearn.sim.traffic.scene.MAX_BUILDINGS`. Cars are packed into their lanes one after
another with random gaps, starting at the end nearer the camera or the intersection; a car
that does not fit in its lane is dropped (so a scene can hold fewer
cars than drawn), and so is a building when there are fewer free lots than drawn.

Other per-scene randomness: the camera's x in the right lane (2 ± 0.4 m), height
(1.5 ± 0.08 m) and yaw (± 4°); for an L intersection the side the cross road turns to; the sun
(azimuth uniform, elevation 40–70° at noon, 3–12° at sunset); exposure (± 10 %); road,
sidewalk, terrain and marking tints; building lots (width, depth, setback, height 4–28 m,
colour); car size (± 6 %), colour tint, lateral offset in the lane and gap to the car ahead;
rain streaks (drawn for every scene, shown only in rain).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from synthlearn.sim.traffic.scene import (
    CAMERA_HEIGHT,
    CAR_CLASS_OFFSET,
    CAR_TYPES,
    CROSS_ROAD_WIDTH,
    INTERSECTIONS,
    LANE_WIDTH,
    MAX_BUILDINGS,
    MAX_CARS,
    RAIN_STREAKS,
    ROAD_HALF_WIDTH,
    SIDEWALK_WIDTH,
    WEATHERS,
    BUILDING,
    Scenes,
)

SAMPLE_BLOCK = 64

_X, _T, _L = 0, 1, 2

# Car types, in CAR_TYPES order. Lengths/widths/heights in metres. For the truck the body is
# the cargo box and a separate, lower cab stands in front of it.
_CAR_LENGTH = np.array([4.5, 4.8, 5.2, 7.8, 11.0], np.float32)
_CAR_WIDTH = np.array([1.8, 1.95, 2.0, 2.5, 2.55], np.float32)
_CAR_HEIGHT = np.array([0.78, 1.0, 2.3, 3.5, 3.1], np.float32)
_CAR_HAS_CAB = np.array([True, True, False, False, False])
_CAB_LENGTH = np.array([2.2, 3.1, 0.0, 0.0, 0.0], np.float32)
_CAB_OFFSET = np.array([-0.25, -0.45, 0.0, 0.0, 0.0], np.float32)  # towards the rear
_CAB_TOP = np.array([1.42, 1.85, 0.0, 0.0, 0.0], np.float32)
_CAR_GLASS = np.array([[0, 0], [0, 0], [1.25, 1.9], [0, 0], [1.3, 2.55]], np.float32)
_CAR_SKIRT = np.array([0.3, 0.38, 0.38, 0.55, 0.45], np.float32)
_CAR_COLOR = np.array(
    [
        [0.72, 0.06, 0.06],  # sedan: red
        [0.10, 0.20, 0.58],  # suv: blue
        [0.88, 0.88, 0.85],  # van: white
        [0.10, 0.42, 0.14],  # truck: green
        [0.98, 0.72, 0.04],  # bus: yellow
    ],
    np.float32,
)
_TRUCK = CAR_TYPES.index("truck")
_TRUCK_CAB_LENGTH, _TRUCK_CAB_HEIGHT, _TRUCK_CAB_WIDTH, _TRUCK_GAP = 2.1, 2.75, 2.35, 0.3
_TRUCK_CAB_GLASS = (1.65, 2.35)

_BUILDING_COLOR = np.array(
    [
        [0.55, 0.27, 0.20],  # brick
        [0.78, 0.70, 0.55],  # sandstone
        [0.58, 0.58, 0.58],  # concrete
        [0.85, 0.84, 0.80],  # white plaster
        [0.45, 0.36, 0.28],  # brown
        [0.46, 0.51, 0.58],  # blue-grey
        [0.80, 0.70, 0.45],  # ochre
    ],
    np.float32,
)

_SEGMENTS = 8  # frontage lines along which building lots are laid out
_LOTS_PER_SEGMENT = 12
_LANES = 8


def _categorical(g: np.random.Generator, probs: np.ndarray, size: tuple[int, ...] | int) -> np.ndarray:
    """Indices drawn with probabilities ``probs``; a zero-probability index is never drawn."""
    cdf = np.cumsum(probs)
    u = g.random(size) * cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(probs) - 1).astype(np.int64)


def sample_scenes(params: dict[str, Any], n: int, rng: np.random.Generator) -> Scenes:
    """Draw ``n`` scenes for validated parameters ``params``, all randomness from ``rng``."""
    root = np.random.SeedSequence(int(rng.integers(0, 2**63)))
    n_blocks = max(1, math.ceil(n / SAMPLE_BLOCK))
    blocks = [_sample_block(params, np.random.Generator(np.random.PCG64(s))) for s in root.spawn(n_blocks)]
    arrays = {key: np.concatenate([b[key] for b in blocks])[:n] for key in blocks[0]}
    return Scenes(height=int(params["height"]), width=int(params["width"]), **arrays)


def _sample_block(params: dict[str, Any], g: np.random.Generator) -> dict[str, np.ndarray]:
    S = SAMPLE_BLOCK
    p_inter = np.array([params["intersection"][k] for k in INTERSECTIONS])
    p_weather = np.array([params["weather"][k] for k in WEATHERS])
    p_cars = np.array([params["car_types"][k] for k in CAR_TYPES])
    D = np.float32(params["road_length"])

    # --- layout, camera, light -----------------------------------------------------------
    inter = _categorical(g, p_inter, S)
    side = np.where(g.random(S) < 0.5, -1, 1)
    turn = np.where(inter == _L, side, 0).astype(np.int64)
    weather = _categorical(g, p_weather, S)
    cam_x = 2.0 + g.uniform(-0.4, 0.4, S)
    cam_height = CAMERA_HEIGHT + g.uniform(-0.08, 0.08, S)
    yaw = np.radians(g.uniform(-4.0, 4.0, S))
    sun_az = g.uniform(-np.pi, np.pi, S)
    sunset = (weather == WEATHERS.index("clear_sunset")) | (weather == WEATHERS.index("rain_sunset"))
    sun_el = np.radians(np.where(sunset, g.uniform(3.0, 12.0, S), g.uniform(40.0, 70.0, S)))
    sun = np.stack([np.cos(sun_el) * np.sin(sun_az), np.sin(sun_el), np.cos(sun_el) * np.cos(sun_az)], axis=1)
    exposure = g.uniform(0.9, 1.1, S)
    road = np.array([0.27, 0.27, 0.29]) * g.uniform(0.8, 1.15, (S, 1))
    walk = np.array([0.62, 0.60, 0.56]) * g.uniform(0.85, 1.1, (S, 1))
    dry = g.random((S, 1))
    terrain = (1 - dry) * np.array([0.24, 0.42, 0.14]) + dry * np.array([0.50, 0.46, 0.30])
    marking = np.array([0.92, 0.92, 0.88]) * g.uniform(0.85, 1.0, (S, 1))
    ground_color = np.stack([road, walk, terrain, marking], axis=1)

    is_x, is_t = inter == _X, inter == _T
    left_road = is_x | is_t | (turn == -1)  # the cross road reaches to the left (-x)
    right_road = is_x | is_t | (turn == 1)

    cars = _sample_cars(g, params, p_cars, S, D, is_x, left_road, right_road)
    buildings = _sample_buildings(g, params, S, D, is_x, left_road, right_road)

    # --- all boxes, valid ones first -------------------------------------------------------
    objects = {k: np.concatenate([cars[k], buildings[k]], axis=1) for k in buildings}
    order = np.argsort(~objects["obj_valid"], axis=1, kind="stable")
    objects = {k: np.take_along_axis(v, order.reshape(order.shape + (1,) * (v.ndim - 2)), axis=1)
               for k, v in objects.items()}

    # --- rain streaks ----------------------------------------------------------------------
    streak_pos = g.random((S, RAIN_STREAKS, 2))
    streak_len = g.uniform(0.03, 0.09, (S, RAIN_STREAKS))
    streak_wind = g.uniform(-0.35, 0.05, S)

    f32 = np.float32
    out = {
        "intersection": inter,
        "turn": turn,
        "weather": weather,
        "road_length": np.full(S, D, f32),
        "cam_x": cam_x.astype(f32),
        "cam_height": cam_height.astype(f32),
        "cam_dir": np.stack([np.sin(yaw), np.cos(yaw)], axis=1).astype(f32),
        "sun": sun.astype(f32),
        "exposure": exposure.astype(f32),
        "ground_color": ground_color.astype(f32),
        "car_type": cars["car_type"],
        "streak_pos": streak_pos.astype(f32),
        "streak_len": streak_len.astype(f32),
        "streak_wind": streak_wind.astype(f32),
    }
    for key, value in objects.items():
        out[key] = value if value.dtype.kind in "biu" else value.astype(f32)
    return out


def _sample_cars(g, params, p_cars, S, D, is_x, left_road, right_road) -> dict[str, np.ndarray]:
    """Cars packed into the lanes; two box slots per car (slot 2j+1 is a truck's cab)."""
    C = MAX_CARS
    n_cars = np.minimum(g.poisson(params["cars_mean"], S), C)
    ctype = _categorical(g, p_cars, (S, C))
    u_lane = g.random((S, C))
    gap = g.uniform(1.5, 14.0, (S, C))
    lateral = g.uniform(-0.35, 0.35, (S, C))
    scale = g.uniform(0.94, 1.06, (S, C))
    tint = g.uniform(0.85, 1.12, (S, C, 3))

    # Lanes: (along axis, perpendicular centre, heading, along-range lo..hi). Right-hand
    # traffic: on the cross road, cars heading +x use the near lane.
    one = np.ones(S)
    lane_axis = np.array([0, 0, 0, 0, 1, 1, 1, 1])  # 0: along z, 1: along x
    near, far = LANE_WIDTH / 2, 3 * LANE_WIDTH / 2  # lane centres across a road (the cross road: from its near edge)
    lane_centre = np.stack([near * one, -near * one, near * one, -near * one, D + near * one, D + far * one,
                            D + near * one, D + far * one], 1)
    lane_heading = np.array([1, -1, 1, -1, 1, -1, 1, -1])
    lane_pack = np.array([1, 1, 1, 1, -1, -1, 1, 1])  # -1: fill from the high end
    lane_lo = np.stack([5 * one, -3 * one, (D + 9) * one, (D + 9) * one, -70 * one, -70 * one, 5 * one, 5 * one], 1)
    lane_hi = np.stack([(D - 1) * one, (D - 1) * one, (D + 90) * one, (D + 90) * one,
                        -5 * one, -5 * one, 70 * one, 70 * one], 1)
    lane_ok = np.stack([one > 0, one > 0, is_x, is_x, left_road, left_road, right_road, right_road], 1)
    lane_len = np.where(lane_ok, np.maximum(lane_hi - lane_lo, 0), 0)
    cdf = np.cumsum(lane_len, axis=1)
    lane = np.minimum((u_lane[:, :, None] * cdf[:, None, -1:] >= cdf[:, None, :]).sum(-1), _LANES - 1)

    length = _CAR_LENGTH[ctype] * scale
    width = _CAR_WIDTH[ctype] * scale
    active = np.arange(C)[None, :] < n_cars[:, None]
    pos_end = np.zeros((S, C))
    for lane_id in range(_LANES):
        mine = active & (lane == lane_id)
        pos_end = np.where(mine, np.cumsum(np.where(mine, gap + length, 0), axis=1), pos_end)
    lo = np.take_along_axis(lane_lo, lane, 1)
    hi = np.take_along_axis(lane_hi, lane, 1)
    # pack from the lane's end nearer the camera or the intersection
    inward = (lane_pack[lane] > 0)
    a1 = np.where(inward, lo + pos_end, hi - pos_end + length)
    a0 = a1 - length
    placed = active & np.where(inward, a1 <= hi, a0 >= lo)
    centre = np.take_along_axis(lane_centre, lane, 1) + lateral
    heading = lane_heading[lane]
    along_z = lane_axis[lane] == 0

    def footprint(b0, b1, half_width):
        p0, p1 = centre - half_width, centre + half_width
        mn = np.stack([np.where(along_z, p0, b0), np.where(along_z, b0, p0)], -1)
        mx = np.stack([np.where(along_z, p1, b1), np.where(along_z, b1, p1)], -1)
        return mn, mx

    truck = ctype == _TRUCK
    cab_len = _TRUCK_CAB_LENGTH * scale
    # body (the cargo box for trucks): a truck's cab sits at its front end
    b0 = np.where(truck & (heading < 0), a0 + cab_len + _TRUCK_GAP, a0)
    b1 = np.where(truck & (heading > 0), a1 - cab_len - _TRUCK_GAP, a1)
    body_min, body_max = footprint(b0, b1, width / 2)
    c0 = np.where(heading > 0, a1 - cab_len, a0)
    truck_min, truck_max = footprint(c0, c0 + cab_len, _TRUCK_CAB_WIDTH * scale / 2)
    # roof cabins of sedans and SUVs
    mid = (a0 + a1) / 2 + heading * _CAB_OFFSET[ctype] * scale
    half = _CAB_LENGTH[ctype] * scale / 2
    cab_min, cab_max = footprint(mid - half, mid + half, width / 2 - 0.1)

    color = np.clip(_CAR_COLOR[ctype] * tint, 0, 1)
    car_index = np.broadcast_to(np.arange(C), (S, C))
    glass = _CAR_GLASS[ctype] * scale[..., None]
    zero = np.zeros((S, C))

    def interleave(body, cab):  # (S, C, ...) x2 -> (S, 2C, ...)
        return np.stack([body, cab], axis=2).reshape((S, 2 * C) + body.shape[2:])

    return {
        "obj_valid": interleave(placed, placed & truck),
        "obj_min": interleave(body_min, truck_min),
        "obj_max": interleave(body_max, truck_max),
        "obj_top": interleave(_CAR_HEIGHT[ctype] * scale, np.full((S, C), _TRUCK_CAB_HEIGHT) * scale),
        "obj_class": interleave(CAR_CLASS_OFFSET + ctype, CAR_CLASS_OFFSET + ctype).astype(np.uint8),
        "obj_car": interleave(car_index, car_index).astype(np.int64),
        "obj_color": interleave(color, color),
        "obj_has_cab": interleave(_CAR_HAS_CAB[ctype], np.zeros((S, C), bool)),
        "cab_min": interleave(cab_min, cab_min),
        "cab_max": interleave(cab_max, cab_max),
        "cab_top": interleave(_CAB_TOP[ctype] * scale, zero),
        "obj_glass": interleave(glass, np.broadcast_to(np.array(_TRUCK_CAB_GLASS), (S, C, 2)) * scale[..., None]),
        "obj_skirt": interleave(_CAR_SKIRT[ctype] * scale, np.full((S, C), _CAR_SKIRT[_TRUCK]) * scale),
        "car_type": np.where(placed, ctype, -1),
    }


def _sample_buildings(g, params, S, D, is_x, left_road, right_road) -> dict[str, np.ndarray]:
    """Buildings on lots laid out along 8 frontage lines beside the sidewalks."""
    G, M = _SEGMENTS, _LOTS_PER_SEGMENT
    n_buildings = np.minimum(g.poisson(params["buildings_mean"], S), MAX_BUILDINGS)
    width = g.uniform(7.0, 16.0, (S, G, M))
    gap = g.uniform(0.5, 6.0, (S, G, M))
    depth = g.uniform(8.0, 15.0, (S, G, M))
    setback = g.uniform(0.3, 2.0, (S, G, M))
    height = 4.0 + 24.0 * g.random((S, G, M)) ** 1.5
    palette = g.integers(0, len(_BUILDING_COLOR), (S, G * M))
    tint = g.uniform(0.85, 1.1, (S, G * M, 1))
    keys = g.random((S, G * M))

    # Frontage lines: along axis (0: z, 1: x), start, direction, length, line coordinate,
    # outward side. Lots start near the intersection/camera and run outwards; the lines are
    # laid out so that lots on different lines can never overlap.
    E = ROAD_HALF_WIDTH + SIDEWALK_WIDTH  # frontage of the main road
    beyond = D + (CROSS_ROAD_WIDTH + SIDEWALK_WIDTH)  # frontage on the far side of the cross road
    before = D - SIDEWALK_WIDTH  # frontage on the near side of the cross road
    one = np.ones(S)
    no_left, no_right = ~left_road, ~right_road  # L intersections: the side without a road
    axis = np.array([0, 0, 1, 1, 1, 1, 0, 0])
    far_start = np.where(is_x, 24.0, 0.0)
    start = np.stack([-12 * one, -12 * one, -24 * one, 24 * one, -far_start, far_start,
                      beyond * one, beyond * one], 1)
    direction = np.array([1, 1, -1, 1, -1, 1, 1, 1])
    end_left = np.where(no_left, beyond, before)
    end_right = np.where(no_right, beyond, before)
    length = np.stack([end_left + 12, end_right + 12, 66 * one, 66 * one, 90 - far_start, 90 - far_start,
                       110 * one, 110 * one], 1)
    line = np.stack([-E * one, E * one, before * one, before * one, beyond * one, beyond * one,
                     -E * one, E * one], 1)
    out = np.array([-1, 1, -1, -1, 1, 1, -1, 1])
    valid = np.stack([one > 0, one > 0, left_road, right_road, one > 0, one > 0, is_x, is_x], 1)

    pos1 = np.cumsum(gap + width, axis=2)
    pos0 = pos1 - width
    ok = valid[:, :, None] & (pos1 <= length[:, :, None])
    a0 = start[:, :, None] + direction[None, :, None] * pos0
    a1 = start[:, :, None] + direction[None, :, None] * pos1
    p0 = line[:, :, None] + out[None, :, None] * setback
    p1 = line[:, :, None] + out[None, :, None] * (setback + depth)
    along_z = (axis == 0)[None, :, None]
    amin, amax = np.minimum(a0, a1), np.maximum(a0, a1)
    pmin, pmax = np.minimum(p0, p1), np.maximum(p0, p1)
    bmin = np.stack([np.where(along_z, pmin, amin), np.where(along_z, amin, pmin)], -1).reshape(S, G * M, 2)
    bmax = np.stack([np.where(along_z, pmax, amax), np.where(along_z, amax, pmax)], -1).reshape(S, G * M, 2)

    ok = ok.reshape(S, G * M)
    keys = np.where(ok, keys, 2.0)
    order = np.argsort(keys, axis=1, kind="stable")[:, :MAX_BUILDINGS]
    chosen = np.take_along_axis(ok, order, 1) & (np.arange(MAX_BUILDINGS)[None, :] < n_buildings[:, None])

    def pick(a):
        return np.take_along_axis(a, order.reshape(order.shape + (1,) * (a.ndim - 2)), axis=1)

    B = MAX_BUILDINGS
    color = np.clip(_BUILDING_COLOR[palette] * tint, 0, 1)
    zeros2 = np.zeros((S, B, 2))
    return {
        "obj_valid": chosen,
        "obj_min": pick(bmin),
        "obj_max": pick(bmax),
        "obj_top": pick(height.reshape(S, G * M)),
        "obj_class": np.full((S, B), BUILDING, np.uint8),
        "obj_car": np.full((S, B), -1, np.int64),
        "obj_color": pick(color),
        "obj_has_cab": np.zeros((S, B), bool),
        "cab_min": zeros2,
        "cab_max": zeros2,
        "cab_top": np.zeros((S, B)),
        "obj_glass": zeros2,
        "obj_skirt": np.zeros((S, B)),
    }
