"""One builder per furniture class: parameters θ and a Generator -> the parts of ``m`` objects.

Object coordinates are metres, ``+z`` up, standing on ``z = 0``, width along ``x``, the front
(where one sits, the doors and drawers, the handle side of a door) facing ``-y``. Sizes follow
the Sweet Home 3D catalogue (chairs 40-65 cm wide and 75-110 cm tall, tables 60-235 cm long,
doors 205-220 cm tall, beds 90-200 cm wide and about 210 cm long, ...); each builder draws
them per object from fixed ranges and the class's parameters, then multiplies the object's
overall width, depth and height by ``stretch`` (``exp`` of ``aspect_jitter`` times a
standard normal per axis).

Each builder has the signature ``build(draw, params, stretch) -> Parts`` with ``draw`` the
per-object random draws of one class (:class:`Draws`), ``params`` the simulator's validated
parameters and ``stretch`` float64 ``(m, 3)``; :func:`build_objects` calls them per class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from synthlearn.sim.shapes3d.parts import (
    ALONG_Y,
    PartBatch,
    Parts,
    rect_frame,
    rotation_x,
    rotation_z,
    stack_parts,
    vec,
)

CLASSES: tuple[str, ...] = ("chair", "table", "lamp", "sofa", "cabinet", "window", "door", "bed", "bookshelf")
"""Class names; a cloud's label is its class's index here."""

LEG_STYLES: tuple[str, ...] = ("square", "round", "pedestal")
BACK_STYLES: tuple[str, ...] = ("solid", "slats", "ladder")
TABLE_SHAPES: tuple[str, ...] = ("rectangular", "round")
LAMP_TYPES: tuple[str, ...] = ("table", "floor", "desk", "pendant")
SHADE_STYLES: tuple[str, ...] = ("drum", "cone", "globe")
SOFA_ARM_STYLES: tuple[str, ...] = ("box", "roll", "slim")
DOOR_STYLES: tuple[str, ...] = ("flat", "panelled", "glazed")
MIXED = "mixed"
"""The value of a style parameter that draws each object's style uniformly from the styles."""

_GLOBE_BANDS = 6  # a globe shade is this many frustums from pole to pole
_MAX_SLATS = 3
_MAX_DOOR_PANEL_ROWS, _MAX_DOOR_PANEL_COLS = 3, 2
_MAX_FRONT_ROWS, _MAX_FRONT_COLS = 8, 4
_MAX_FRONTS = 16  # drawer or door fronts of a cabinet
_MAX_PANE_ROWS, _MAX_PANE_COLS = 4, 3
_MAX_SHELF_LEVELS = 8
_BOOK_BLOCKS = 3  # runs of books per shelf level
_MAX_SEAT_CUSHIONS = 4
_COFFEE_TABLE_SHARE = 0.25


class Draws:
    """Per-object random draws for the ``m`` objects of one class, all from one Generator."""

    def __init__(self, rng: np.random.Generator, m: int) -> None:
        self.rng, self.m = rng, m

    def uniform(self, low: float, high: float) -> np.ndarray:
        """float64 ``(m,)`` uniform on ``[low, high)``."""
        return self.rng.uniform(low, high, self.m)

    def chance(self, p: float | np.ndarray) -> np.ndarray:
        """bool ``(m,)``: true with probability ``p``."""
        return self.rng.random(self.m) < p

    def integers(self, low: int, high: int) -> np.ndarray:
        """int64 ``(m,)`` uniform on ``low..high``, both included."""
        return self.rng.integers(low, high + 1, self.m)

    def count(self, mean: float, low: int, high: int) -> np.ndarray:
        """int64 ``(m,)``: ``low + Poisson(mean - low)``, at most ``high``."""
        return np.minimum(low + self.rng.poisson(max(mean - low, 0.0), self.m), high)

    def style(self, value: str, styles: Sequence[str]) -> np.ndarray:
        """int64 ``(m,)`` style indices: all ``styles.index(value)``, or uniform draws for ``"mixed"``."""
        if value == MIXED:
            return self.rng.integers(0, len(styles), self.m)
        return np.full(self.m, styles.index(value))

    def categorical(self, probabilities: np.ndarray) -> np.ndarray:
        """int64 ``(m,)`` indices drawn with ``probabilities`` (``(k,)``, summing to 1)."""
        return self.rng.choice(len(probabilities), size=self.m, p=probabilities)


def _four_legs(batch: PartBatch, style: np.ndarray, x: np.ndarray, y: np.ndarray, height: np.ndarray,
               thickness: np.ndarray, taper: np.ndarray) -> None:
    """Legs at ``(+-x, +-y)`` from the floor to ``height``: square boxes (style 0) or round,
    tapered frustums (style 1) of width ``thickness`` at the top and ``taper`` times it at the floor."""
    for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        batch.box(vec(sx * x, sy * y, height / 2), vec(thickness / 2, thickness / 2, height / 2), present=style == 0)
        batch.frustum(vec(sx * x, sy * y, 0.0), taper * thickness / 2, thickness / 2, height, present=style == 1)


def build_chair(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Chairs: seat; four square or round legs (with side stretchers) or an office pedestal with
    five spokes; a solid, slatted or ladder back tilted by ``back_tilt``; armrests with ``arm_prob``."""
    batch = PartBatch(draw.m)
    width = draw.uniform(0.38, 0.52) * stretch[:, 0]
    depth = draw.uniform(0.38, 0.50) * stretch[:, 1]
    seat_top = params["seat_height"] * draw.uniform(0.93, 1.07) * stretch[:, 2]
    upholstered = draw.chance(0.3)
    seat_thick = np.where(upholstered, draw.uniform(0.06, 0.12), draw.uniform(0.02, 0.05))
    batch.box(vec(0.0, 0.0, seat_top - seat_thick / 2), vec(width / 2, depth / 2, seat_thick / 2))

    legs = draw.style(params["leg_style"], LEG_STYLES)
    leg_top = seat_top - seat_thick
    leg_thick = draw.uniform(0.022, 0.045)
    leg_x = width / 2 - leg_thick / 2 - draw.uniform(0.0, 0.03)
    leg_y = depth / 2 - leg_thick / 2 - draw.uniform(0.0, 0.03)
    _four_legs(batch, legs, leg_x, leg_y, leg_top, leg_thick, draw.uniform(0.6, 1.0))
    stretchers = (legs != 2) & draw.chance(0.4)
    stretcher_z = leg_top * draw.uniform(0.2, 0.45)
    for sign in (-1.0, 1.0):
        batch.box(vec(sign * leg_x, 0.0, stretcher_z), vec(leg_thick * 0.3, leg_y, leg_thick * 0.3), present=stretchers)
    pedestal = legs == 2
    base_top = draw.uniform(0.05, 0.09)
    batch.cylinder(vec(0.0, 0.0, base_top), draw.uniform(0.022, 0.04), leg_top - base_top, present=pedestal)
    spoke_length, spoke_turn = draw.uniform(0.26, 0.34), draw.uniform(0.0, 2 * np.pi / 5)
    for i in range(5):
        angle = spoke_turn + 2 * np.pi * i / 5
        centre = vec(np.cos(angle) * spoke_length / 2, np.sin(angle) * spoke_length / 2, base_top / 2)
        batch.box(centre, vec(spoke_length / 2, 0.022, base_top / 2), rotation_z(angle), present=pedestal)

    back = np.where(upholstered, 0, draw.style(params["back_style"], BACK_STYLES))
    back_height = params["back_height"] * draw.uniform(0.85, 1.15) * stretch[:, 2]
    back_thick = np.where(upholstered, draw.uniform(0.06, 0.1), draw.uniform(0.02, 0.045))
    lean = rotation_x(-np.radians(params["back_tilt"] * draw.uniform(0.5, 1.3)))  # top towards +y
    pivot = vec(0.0, depth / 2 - back_thick / 2, seat_top)

    def back_box(x, z, half_x, half_y, half_z, present) -> None:
        """A box in the tilted back's frame: x across, z up along the back from the seat."""
        batch.box(pivot + np.einsum("nij,nj->ni", lean, vec(x, 0.0, z)), vec(half_x, half_y, half_z), lean, present)

    post = draw.uniform(0.025, 0.045)
    rail = draw.uniform(0.05, 0.12)
    inner = width - 2 * post
    back_box(0.0, back_height / 2, width / 2 * draw.uniform(0.9, 1.0), back_thick / 2, back_height / 2, back == 0)
    for sign in (-1.0, 1.0):
        back_box(sign * (width - post) / 2, back_height / 2, post / 2, back_thick / 2, back_height / 2, back != 0)
    back_box(0.0, back_height - rail / 2, inner / 2, back_thick / 2, rail / 2, back != 0)
    slats = draw.integers(1, _MAX_SLATS)
    slat_width = draw.uniform(0.02, 0.06)
    for i in range(_MAX_SLATS):
        x = (i - (slats - 1) / 2) * inner / (slats + 1)
        back_box(x, (back_height - rail) / 2, slat_width / 2, back_thick * 0.4, (back_height - rail) / 2,
                 (back == 1) & (i < slats))
    for fraction in (0.3, 0.6):
        back_box(0.0, fraction * back_height, inner / 2, back_thick * 0.4, rail * 0.35, back == 2)

    arms = draw.chance(params["arm_prob"])
    arm_rise, arm_width = draw.uniform(0.18, 0.26), draw.uniform(0.035, 0.07)
    arm_length = depth * draw.uniform(0.7, 1.0)
    for sign in (-1.0, 1.0):
        x = sign * (width / 2 - arm_width / 2)
        batch.box(vec(x, depth / 2 - arm_length / 2, seat_top + arm_rise), vec(arm_width / 2, arm_length / 2, 0.018),
                  present=arms)
        batch.box(vec(x, depth / 2 - arm_length + arm_width / 2, seat_top + arm_rise / 2),
                  vec(arm_width * 0.35, arm_width * 0.35, arm_rise / 2), present=arms)
    return batch.finish()


def build_table(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Tables: a rectangular or round top of ``top_thickness`` at ``table_height`` (a quarter are
    coffee tables, 38-55 cm high whatever ``table_height``); four square or round legs (rectangular
    tops with an apron on most, a lower shelf on some), or a pedestal: a column on a foot disc
    (round tops) or two trestles (rectangular tops)."""
    batch = PartBatch(draw.m)
    round_top = draw.style(params["table_shape"], TABLE_SHAPES) == 1
    coffee = draw.chance(_COFFEE_TABLE_SHARE)
    height = np.where(coffee, draw.uniform(0.38, 0.55), params["table_height"] * draw.uniform(0.95, 1.05)) * stretch[:, 2]
    thick = params["top_thickness"] * draw.uniform(0.8, 1.25)
    length = draw.uniform(0.7, 2.0)
    half_x = length / 2 * stretch[:, 0]
    half_y = np.minimum(length, draw.uniform(0.55, 1.0)) / 2 * stretch[:, 1]
    radius = draw.uniform(0.3, 0.65) * (stretch[:, 0] + stretch[:, 1]) / 2
    under = height - thick
    batch.box(vec(0.0, 0.0, height - thick / 2), vec(half_x, half_y, thick / 2), present=~round_top)
    batch.cylinder(vec(0.0, 0.0, under), radius, thick, present=round_top)

    legs = draw.style(params["leg_style"], LEG_STYLES)
    leg_thick = draw.uniform(0.035, 0.08)
    inset = leg_thick / 2 + draw.uniform(0.02, 0.12)
    leg_x = np.where(round_top, radius * 0.5, half_x - inset)
    leg_y = np.where(round_top, radius * 0.5, half_y - inset)
    _four_legs(batch, legs, leg_x, leg_y, under, leg_thick, draw.uniform(0.5, 1.0))
    apron = (legs != 2) & ~round_top & draw.chance(0.6)
    apron_half = draw.uniform(0.03, 0.06)
    apron_z = under - apron_half
    for sign in (-1.0, 1.0):
        batch.box(vec(0.0, sign * leg_y, apron_z), vec(leg_x, 0.01, apron_half), present=apron)
        batch.box(vec(sign * leg_x, 0.0, apron_z), vec(0.01, leg_y, apron_half), present=apron)
    shelf = (legs != 2) & ~round_top & draw.chance(0.2)
    batch.box(vec(0.0, 0.0, under * draw.uniform(0.15, 0.3)), vec(leg_x, leg_y, 0.01), present=shelf)

    column = (legs == 2) & round_top
    foot_height = draw.uniform(0.02, 0.06)
    batch.cylinder(vec(0.0, 0.0, foot_height), draw.uniform(0.035, 0.09), under - foot_height, present=column)
    foot = radius * draw.uniform(0.45, 0.7)
    batch.frustum(vec(0.0, 0.0, 0.0), foot, foot * draw.uniform(0.3, 0.9), foot_height, present=column)
    trestle = (legs == 2) & ~round_top
    trestle_x = half_x * draw.uniform(0.55, 0.8)
    for sign in (-1.0, 1.0):
        batch.box(vec(sign * trestle_x, 0.0, under / 2), vec(leg_thick / 2, half_y * 0.35, under / 2), present=trestle)
        batch.box(vec(sign * trestle_x, 0.0, foot_height / 2), vec(leg_thick / 2 + 0.02, half_y * 0.85, foot_height / 2),
                  present=trestle)
    return batch.finish()


def build_lamp(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Lamps of four types drawn from ``lamp_types``: table lamps (base, pole or vase, shade),
    floor lamps (base, tall pole, shade or an upturned cone), desk lamps (two arm segments,
    a small cone tilted down) and pendants (ceiling disc, cord, shade); shades are drums,
    cones or globes (``shade_style``)."""
    batch = PartBatch(draw.m)
    kind = draw.categorical(np.array([params["lamp_types"][t] for t in LAMP_TYPES]))
    table, floor, desk, pendant = (kind == i for i in range(4))
    shade = np.where(desk, 1, draw.style(params["shade_style"], SHADE_STYLES))
    drum, cone, globe = shade == 0, shade == 1, shade == 2
    upturned = floor & cone & draw.chance(0.4)
    sz = stretch[:, 2]
    height = np.select([table, floor, desk], [draw.uniform(0.35, 0.75), draw.uniform(1.3, 1.9), draw.uniform(0.35, 0.55)],
                       draw.uniform(0.6, 1.2)) * sz
    radius = np.select([table, floor, desk], [draw.uniform(0.1, 0.22), draw.uniform(0.16, 0.3), draw.uniform(0.06, 0.1)],
                       draw.uniform(0.12, 0.3)) * np.where(globe, 0.7, 1.0) * (stretch[:, 0] + stretch[:, 1]) / 2
    shade_height = np.where(globe, 2 * radius, radius * draw.uniform(0.7, 1.3))
    shade_top = np.where(pendant, height - draw.uniform(0.15, 0.7) * sz, height)  # a pendant hangs on a cord
    shade_bottom = shade_top - shade_height

    base_radius = np.where(floor, draw.uniform(0.12, 0.2), draw.uniform(0.06, 0.12))
    base_height = draw.uniform(0.015, 0.04)
    batch.frustum(vec(0.0, 0.0, 0.0), base_radius, base_radius * draw.uniform(0.6, 1.0), base_height, present=~pendant)
    vase = table & draw.chance(0.6)
    belly = draw.uniform(0.05, 0.1)
    vase_half = (shade_bottom - base_height) * draw.uniform(0.3, 0.45)
    batch.frustum(vec(0.0, 0.0, base_height), belly * draw.uniform(0.5, 0.9), belly, vase_half, present=vase)
    batch.frustum(vec(0.0, 0.0, base_height + vase_half), belly, belly * draw.uniform(0.2, 0.5), vase_half, present=vase)
    # The pole rises from the base or vase into an open shade (the lamp holder), up to a closed one;
    # a pendant's cord runs from its shade to a disc on the ceiling.
    pole_bottom = np.select([pendant, vase], [shade_top, base_height + 2 * vase_half], base_height)
    pole_top = np.where(pendant, height, np.where(upturned | globe, shade_bottom, shade_bottom + 0.6 * shade_height))
    pole_radius = np.where(pendant, draw.uniform(0.003, 0.008), draw.uniform(0.008, 0.02))
    batch.cylinder(vec(0.0, 0.0, pole_bottom), pole_radius, pole_top - pole_bottom, present=~desk)
    batch.cylinder(vec(0.0, 0.0, height - 0.02), draw.uniform(0.04, 0.08), 0.02, present=pendant)

    # Desk lamps: a lower arm leaning back, an upper arm reaching forward, the shade looking down.
    lower, upper = draw.uniform(0.2, 0.35) * sz, draw.uniform(0.2, 0.35) * sz
    lean_back, reach = np.radians(draw.uniform(5, 35)), np.radians(draw.uniform(55, 100))
    elbow = vec(0.0, lower * np.sin(lean_back), base_height + lower * np.cos(lean_back))
    batch.cylinder(vec(0.0, 0.0, base_height), 0.01, lower, rotation_x(-lean_back), present=desk)
    batch.cylinder(elbow, 0.01, upper, rotation_x(reach), present=desk)
    tip = elbow + vec(0.0, -upper * np.sin(reach), upper * np.cos(reach))
    look = np.radians(draw.uniform(0, 35))  # shade axis: down, tilted forward by this much
    shade_base = np.where(desk[:, None], tip, vec(0.0, 0.0, np.where(upturned, shade_bottom, shade_top)))
    shade_turn = np.where(desk[:, None, None], rotation_x(np.pi - look), rotation_x(np.where(upturned, 0.0, np.pi)))
    # A drum or cone hangs from its top rim (rotated half a turn, so its "bottom" is up) and is open at
    # both ends; an upturned cone stands on its narrow end, closed at the bottom.
    narrow = radius * np.where(drum, draw.uniform(0.75, 1.0), draw.uniform(0.25, 0.5))
    shade_small = np.where(desk, radius * 0.25, narrow)
    batch.frustum(shade_base, shade_small, radius, shade_height, shade_turn, False, False, present=(drum | cone))
    batch.frustum(vec(0.0, 0.0, shade_bottom), shade_small, shade_small, 0.0, present=upturned)

    centre = shade_bottom + radius
    latitudes = np.linspace(-np.pi / 2, np.pi / 2, _GLOBE_BANDS + 1)
    for low, high in zip(latitudes[:-1], latitudes[1:]):
        batch.frustum(vec(0.0, 0.0, centre + radius * np.sin(low)), radius * np.cos(low), radius * np.cos(high),
                      radius * (np.sin(high) - np.sin(low)), bottom_cap=False, top_cap=False, present=globe)
    return batch.finish()


def build_sofa(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Sofas of ``sofa_length``: a base, a back, box, roll or slim arms (``sofa_arm_style``), seat
    cushions of ``cushion_thickness`` (one per 55-85 cm), leaning back cushions, short legs on some,
    and a chaise longue at one end with ``chaise_prob``."""
    batch = PartBatch(draw.m)
    length = params["sofa_length"] * draw.uniform(0.9, 1.1) * stretch[:, 0]
    depth = draw.uniform(0.75, 1.0) * stretch[:, 1]
    height = draw.uniform(0.7, 0.95) * stretch[:, 2]
    seat_top = draw.uniform(0.38, 0.48) * stretch[:, 2]
    arm = draw.style(params["sofa_arm_style"], SOFA_ARM_STYLES)
    arm_width = np.select([arm == 0, arm == 1], [draw.uniform(0.12, 0.28), draw.uniform(0.14, 0.24)],
                          draw.uniform(0.04, 0.08))
    arm_top = np.maximum(draw.uniform(0.55, 0.72) * stretch[:, 2], seat_top + 0.1)
    roll_radius = np.where(arm == 1, arm_width * 0.55, 0.0)
    back_thick = draw.uniform(0.15, 0.28)
    cushion = params["cushion_thickness"] * draw.uniform(0.8, 1.2)
    legs = draw.chance(0.6)
    foot = np.where(legs, draw.uniform(0.05, 0.16), 0.0)
    inner = length / 2 - arm_width
    front, back_face = -depth / 2, depth / 2 - back_thick

    base_top = seat_top - cushion
    batch.box_between(vec(-inner, front, foot), vec(inner, back_face, base_top))
    batch.box_between(vec(-inner, back_face, foot), vec(inner, depth / 2, height))
    for sign in (-1.0, 1.0):
        x_out, x_in = sign * length / 2, sign * inner
        batch.box_between(vec(np.minimum(x_out, x_in), front, foot), vec(np.maximum(x_out, x_in), depth / 2,
                                                                          arm_top - roll_radius))
        batch.cylinder(vec(sign * (length / 2 - arm_width / 2), front, arm_top - roll_radius), roll_radius, depth,
                       ALONG_Y, present=arm == 1)

    cushions = np.clip(np.round(2 * inner / draw.uniform(0.55, 0.85)), 1, _MAX_SEAT_CUSHIONS)
    cushion_width = 2 * inner / cushions
    back_cushions = draw.chance(0.7)
    recline = np.radians(draw.uniform(5, 15))
    lean = rotation_x(-recline)  # top towards +y, resting on the back
    back_cushion_thick = cushion * draw.uniform(1.0, 1.5)
    back_cushion_height = (height - seat_top) * draw.uniform(0.75, 0.95)
    for i in range(_MAX_SEAT_CUSHIONS):
        x = -inner + (i + 0.5) * cushion_width
        present = i < cushions
        batch.box_between(vec(x - cushion_width / 2 + 0.005, front + 0.01, base_top),
                          vec(x + cushion_width / 2 - 0.005, back_face, seat_top), present=present)
        bottom = vec(x, back_face - back_cushion_thick / 2 - back_cushion_height * np.sin(recline), seat_top)
        centre = bottom + np.einsum(
            "nij,nj->ni", lean, vec(0.0, 0.0, back_cushion_height / 2))
        batch.box(centre, vec(cushion_width / 2 - 0.01, back_cushion_thick / 2, back_cushion_height / 2), lean,
                  present=present & back_cushions)
    for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        batch.cylinder(vec(sx * (length / 2 - 0.06), sy * (depth / 2 - 0.06), 0.0), 0.025, foot, present=legs)

    chaise = draw.chance(params["chaise_prob"])
    side = np.where(draw.chance(0.5), 1.0, -1.0)
    chaise_width = np.minimum(draw.uniform(0.6, 0.85), 2 * inner)
    chaise_front = front - draw.uniform(0.5, 0.8) * stretch[:, 1]
    x0, x1 = side * inner, side * (inner - chaise_width)
    batch.box_between(vec(np.minimum(x0, x1), chaise_front, foot), vec(np.maximum(x0, x1), front, base_top),
                      present=chaise)
    batch.box_between(vec(np.minimum(x0, x1) + 0.005, chaise_front + 0.01, base_top),
                      vec(np.maximum(x0, x1) - 0.005, front + 0.01, seat_top), present=chaise)
    return batch.finish()


def build_cabinet(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Cabinets, chests of drawers and wardrobes of ``cabinet_height``: a body on a plinth or feet,
    a top slab, and a front of drawers (with ``drawer_prob``; two columns on wide ones) or of one
    to four doors, with handle bars."""
    batch = PartBatch(draw.m)
    width = draw.uniform(0.4, 1.8) * stretch[:, 0]
    depth = draw.uniform(0.35, 0.65) * stretch[:, 1]
    height = params["cabinet_height"] * draw.uniform(0.9, 1.1) * stretch[:, 2]
    support = draw.integers(0, 2)  # plinth, feet or none
    base = np.where(support < 2, draw.uniform(0.05, 0.12), 0.0)
    top_thick = draw.uniform(0.015, 0.04)
    overhang = np.where(draw.chance(0.5), draw.uniform(0.01, 0.04), 0.0)
    front_thick = draw.uniform(0.015, 0.025)
    front = -depth / 2 + front_thick
    body_top = height - top_thick
    batch.box_between(vec(-width / 2, front, base), vec(width / 2, depth / 2, body_top))
    batch.box_between(vec(-width / 2 - overhang, -depth / 2 - overhang, body_top), vec(width / 2 + overhang, depth / 2, height))
    batch.box_between(vec(-width / 2 + 0.03, front + 0.03, 0.0), vec(width / 2 - 0.03, depth / 2 - 0.02, base),
                      present=support == 0)
    foot = draw.uniform(0.015, 0.03)
    for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        batch.cylinder(vec(sx * (width / 2 - 0.04), sy * (depth / 2 - 0.04), 0.0), foot, base, present=support == 1)

    drawers = draw.chance(params["drawer_prob"])
    rows = np.where(drawers, np.clip(np.round((body_top - base) / draw.uniform(0.15, 0.3)), 2, _MAX_FRONT_ROWS), 1)
    cols = np.where(drawers, np.where((width > 1.0) & draw.chance(0.6), 2, 1),
                    np.clip(np.round(width / draw.uniform(0.4, 0.6)), 1, _MAX_FRONT_COLS))
    cell_w, cell_h = width / cols, (body_top - base) / rows
    gap = draw.uniform(0.003, 0.01)
    handles = draw.chance(0.85)
    handle_depth = draw.uniform(0.015, 0.035)
    for i in range(_MAX_FRONTS):
        row, col = i // cols, i % cols
        present = i < rows * cols
        x, z = -width / 2 + (col + 0.5) * cell_w, base + (row + 0.5) * cell_h
        batch.box(vec(x, -depth / 2 + front_thick / 2, z), vec(cell_w / 2 - gap, front_thick / 2, cell_h / 2 - gap),
                  present=present)
        # Drawers: a horizontal bar high on the front; doors: a vertical bar beside the meeting edge.
        towards_middle = np.where(col < cols / 2, 1.0, -1.0) * np.where(cols == 1, -1.0, 1.0)
        handle_x = np.where(drawers, x, x + towards_middle * (cell_w / 2 - 0.05))
        handle_z = np.where(drawers, z + cell_h * 0.15, z)
        half = np.where(drawers[:, None], vec(np.minimum(cell_w * 0.2, 0.08), handle_depth / 2, 0.008),
                        vec(0.008, handle_depth / 2, np.minimum(cell_h * 0.12, 0.12)))
        batch.box(vec(handle_x, -depth / 2 - handle_depth / 2, handle_z), half, present=present & handles)
    return batch.finish()


def build_window(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Windows in the xz plane: an outer frame of ``frame_width``, on some an inner sash, glass,
    mullions and transoms dividing it into 1-3 columns and ``pane_rows`` rows (on average), a sill
    on some and a handle."""
    batch = PartBatch(draw.m)
    width = draw.uniform(0.5, 1.6) * stretch[:, 0]
    height = draw.uniform(0.6, 2.2) * stretch[:, 2]
    depth = draw.uniform(0.06, 0.2) * stretch[:, 1]
    bar = params["frame_width"] * draw.uniform(0.8, 1.25)
    rect_frame(batch, vec(0.0, 0.0, height / 2), width, height, bar, depth)
    sash = draw.chance(0.5)
    sash_bar = bar * draw.uniform(0.5, 0.9)
    rect_frame(batch, vec(0.0, 0.0, height / 2), width - 2 * bar, height - 2 * bar, sash_bar, depth * 0.6, present=sash)
    opening = np.where(sash, sash_bar + bar, bar)
    inner_w, inner_h = width - 2 * opening, height - 2 * opening
    cols = 1 + (width > draw.uniform(0.6, 1.0)) + (width > draw.uniform(1.2, 1.6))
    rows = draw.count(params["pane_rows"], 1, _MAX_PANE_ROWS)
    muntin = bar * draw.uniform(0.4, 0.8)
    for j in range(_MAX_PANE_COLS - 1):
        x = -inner_w / 2 + (j + 1) * inner_w / cols
        batch.box(vec(x, 0.0, height / 2), vec(muntin / 2, depth * 0.3, inner_h / 2), present=j < cols - 1)
    for j in range(_MAX_PANE_ROWS - 1):
        z = opening + (j + 1) * inner_h / rows
        batch.box(vec(0.0, 0.0, z), vec(inner_w / 2, depth * 0.3, muntin / 2), present=j < rows - 1)
    batch.box(vec(0.0, 0.0, height / 2), vec(inner_w / 2, 0.003, inner_h / 2))
    sill = draw.chance(0.5)
    sill_out = draw.uniform(0.03, 0.08)
    batch.box_between(vec(-width / 2 - sill_out, -depth / 2 - sill_out, -0.03), vec(width / 2 + sill_out, depth / 2, 0.0),
                      present=sill)
    handle_x = np.where(cols == 2, 0.0, width / 2 - opening) - muntin
    batch.box(vec(handle_x, -depth * 0.3 - 0.02, height / 2), vec(0.01, 0.02, 0.06), present=draw.chance(0.7))
    return batch.finish()


def build_door(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Doors in the xz plane: a frame of ``frame_width`` (no sill), one leaf or a pair, flat,
    panelled (raised panels on both faces) or glazed above a solid lower part (``door_style``),
    and a lever handle with roses on both faces."""
    batch = PartBatch(draw.m)
    leaves = np.where(draw.chance(0.2), 2, 1)
    leaf_w = draw.uniform(0.7, 0.95) * stretch[:, 0]
    opening = leaves * leaf_w
    height = draw.uniform(1.95, 2.2) * stretch[:, 2]
    bar = params["frame_width"] * draw.uniform(0.8, 1.25)
    depth = draw.uniform(0.08, 0.2) * stretch[:, 1]
    thick = draw.uniform(0.035, 0.05)
    rect_frame(batch, vec(0.0, 0.0, (height + bar) / 2), opening + 2 * bar, height + bar, bar, depth, bottom=False)

    style = draw.style(params["door_style"], DOOR_STYLES)
    glazed = style == 2
    glass_from = height * draw.uniform(0.3, 0.5)
    stile = draw.uniform(0.08, 0.14)
    panel_rows = draw.integers(2, _MAX_DOOR_PANEL_ROWS)
    panel_cols = np.where(leaves == 1, draw.integers(1, _MAX_DOOR_PANEL_COLS), 1)
    raise_by = draw.uniform(0.006, 0.015)
    for leaf in range(2):
        has_leaf = leaf < leaves
        x = -opening / 2 + (leaf + 0.5) * leaf_w
        solid_top = np.where(glazed, glass_from, height)
        batch.box_between(vec(x - leaf_w / 2 + 0.003, -thick / 2, 0.0), vec(x + leaf_w / 2 - 0.003, thick / 2, solid_top),
                          present=has_leaf)
        upper = has_leaf & glazed
        for sign in (-1.0, 1.0):
            batch.box_between(vec(x + sign * (leaf_w / 2 - 0.003), -thick / 2, glass_from),
                              vec(x + sign * (leaf_w / 2 - stile), thick / 2, height), present=upper)
        batch.box_between(vec(x - leaf_w / 2 + stile, -thick / 2, height - stile),
                          vec(x + leaf_w / 2 - stile, thick / 2, height), present=upper)
        glass_mid = (glass_from + height - stile) / 2
        batch.box(vec(x, 0.0, glass_mid), vec(leaf_w / 2 - stile, 0.003, (height - stile - glass_from) / 2), present=upper)
        batch.box(vec(x, 0.0, glass_mid), vec(leaf_w / 2 - stile, thick * 0.3, 0.015), present=upper & draw.chance(0.5))
        # Raised panels on both faces, in a grid inside the stiles and rails.
        cell_w = (leaf_w - 2 * stile) / panel_cols
        cell_h = (height - 2 * stile) / panel_rows
        for i in range(_MAX_DOOR_PANEL_ROWS * _MAX_DOOR_PANEL_COLS):
            row, col = i // panel_cols, i % panel_cols
            present = has_leaf & (style == 1) & (i < panel_rows * panel_cols)
            px = x - leaf_w / 2 + stile + (col + 0.5) * cell_w
            pz = stile + (row + 0.5) * cell_h
            for face in (-1.0, 1.0):
                batch.box(vec(px, face * (thick / 2 + raise_by / 2), pz),
                          vec(cell_w / 2 - 0.03, raise_by / 2, cell_h / 2 - 0.03), present=present)

    handle_x = -opening / 2 + leaf_w - 0.07
    handle_z = draw.uniform(0.95, 1.1)
    lever = draw.uniform(0.1, 0.14)
    for face, outwards in ((-1.0, rotation_x(np.pi / 2)), (1.0, ALONG_Y)):
        batch.cylinder(vec(handle_x, face * thick / 2, handle_z), 0.028, 0.008, outwards)  # rose
        batch.cylinder(vec(handle_x, face * thick / 2, handle_z), 0.01, 0.05, outwards)  # neck
        batch.box(vec(handle_x - lever / 2 + 0.01, face * (thick / 2 + 0.05), handle_z), vec(lever / 2, 0.01, 0.01))
    return batch.finish()


def build_bed(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Beds (single to double, head at +y): a frame on legs or to the floor, a mattress of
    ``mattress_thickness``, a headboard of ``headboard_height`` above the mattress, a footboard
    with ``footboard_prob``, one or two pillows and on some a blanket hanging over the sides."""
    batch = PartBatch(draw.m)
    width = draw.uniform(0.85, 1.9) * stretch[:, 0]
    length = draw.uniform(1.95, 2.2) * stretch[:, 1]
    legs = draw.chance(0.5)
    foot = np.where(legs, draw.uniform(0.05, 0.2), 0.0) * stretch[:, 2]
    frame_top = foot + draw.uniform(0.12, 0.3) * stretch[:, 2]
    board = draw.uniform(0.03, 0.1)
    batch.box_between(vec(-width / 2, -length / 2, foot), vec(width / 2, length / 2 - board, frame_top))
    inset = draw.uniform(0.0, 0.03)
    mattress_bottom = frame_top - draw.uniform(0.0, 0.08)
    mattress_top = mattress_bottom + params["mattress_thickness"] * draw.uniform(0.85, 1.15)
    batch.box_between(vec(-width / 2 + inset, -length / 2 + inset, mattress_bottom),
                      vec(width / 2 - inset, length / 2 - board - inset, mattress_top))
    head_top = mattress_top + params["headboard_height"] * draw.uniform(0.8, 1.2)
    batch.box_between(vec(-width / 2, length / 2 - board, 0.0), vec(width / 2, length / 2, head_top),
                      present=params["headboard_height"] > 0)
    batch.box_between(vec(-width / 2, -length / 2 - board, 0.0), vec(width / 2, -length / 2, mattress_top + draw.uniform(-0.1, 0.25)),
                      present=draw.chance(params["footboard_prob"]))

    pillows = np.where(width > 1.2, 2, 1)
    pillow_w = np.minimum(0.7, width / pillows * 0.85)
    pillow_d, pillow_t = draw.uniform(0.3, 0.45), draw.uniform(0.08, 0.15)
    head = length / 2 - board - inset - 0.05
    for i in range(2):
        x = (i - (pillows - 1) / 2) * width / pillows
        batch.box(vec(x, head - pillow_d / 2, mattress_top + pillow_t / 2), vec(pillow_w / 2, pillow_d / 2, pillow_t / 2),
                  present=i < pillows)
    drape = draw.uniform(0.1, 0.3)
    batch.box_between(vec(-width / 2 + inset - 0.02, -length / 2 + inset - 0.02, mattress_top - drape),
                      vec(width / 2 - inset + 0.02, head - pillow_d - 0.05, mattress_top + 0.02), present=draw.chance(0.5))
    leg = draw.uniform(0.025, 0.05)
    for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        batch.box_between(vec(sx * (width / 2 - 0.01) - leg, sy * (length / 2 - 0.05) - leg, 0.0),
                          vec(sx * (width / 2 - 0.01) + leg, sy * (length / 2 - 0.05) + leg, foot), present=legs)
    return batch.finish()


def build_bookshelf(draw: Draws, params: dict[str, Any], stretch: np.ndarray) -> Parts:
    """Bookshelves: two sides, a board above and below each of ``shelf_count_mean`` levels (on
    average; 1-8), a plinth and a back panel on most, a middle divider on some wide ones, and
    runs of books filling ``book_fill`` of each level's width (on average)."""
    m = draw.m
    batch = PartBatch(m)
    width = draw.uniform(0.4, 1.4) * stretch[:, 0]
    depth = draw.uniform(0.22, 0.42) * stretch[:, 1]
    levels = draw.count(params["shelf_count_mean"], 1, _MAX_SHELF_LEVELS)
    spacing = draw.uniform(0.24, 0.4) * stretch[:, 2]
    board = draw.uniform(0.015, 0.035)
    base = np.where(draw.chance(0.6), draw.uniform(0.04, 0.1), 0.0)
    height = base + levels * spacing + (levels + 1) * board
    back = draw.chance(0.8)
    back_thick = np.where(back, draw.uniform(0.006, 0.012), 0.0)
    inner = width / 2 - board
    for sign in (-1.0, 1.0):
        batch.box(vec(sign * (width / 2 - board / 2), 0.0, height / 2), vec(board / 2, depth / 2, height / 2))
    for j in range(_MAX_SHELF_LEVELS + 1):
        z = base + j * (spacing + board)
        batch.box_between(vec(-inner, -depth / 2, z), vec(inner, depth / 2 - back_thick, z + board), present=j <= levels)
    batch.box_between(vec(-inner, -depth / 2 + 0.02, 0.0), vec(inner, depth / 2 - back_thick, base), present=base > 0)
    batch.box_between(vec(-inner, depth / 2 - back_thick, base), vec(inner, depth / 2, height), present=back)
    batch.box(vec(0.0, -back_thick / 2, (base + height) / 2), vec(board / 2, depth / 2 - back_thick / 2, (height - base) / 2),
              present=(width > 0.8) & draw.chance(0.3))

    for level in range(_MAX_SHELF_LEVELS):
        shelf_z = base + board + level * (spacing + board)
        fill = np.clip(params["book_fill"] * draw.uniform(0.3, 1.7), 0.0, 0.95) * 2 * inner
        split = draw.rng.dirichlet(np.ones(_BOOK_BLOCKS), m) * fill[:, None]
        start = -inner + draw.uniform(0.0, 1.0) * (2 * inner - fill)
        for b in range(_BOOK_BLOCKS):
            run_height = spacing * draw.uniform(0.6, 0.92)
            run_depth = (depth - back_thick) * draw.uniform(0.6, 0.85)
            batch.box_between(vec(start, -depth / 2 + (depth - back_thick - run_depth), shelf_z),
                              vec(start + split[:, b], depth / 2 - back_thick, shelf_z + run_height),
                              present=(level < levels) & (split[:, b] > 0.01))
            start = start + split[:, b]
    return batch.finish()


BUILDERS: dict[str, Callable[[Draws, dict[str, Any], np.ndarray], Parts]] = {
    "chair": build_chair,
    "table": build_table,
    "lamp": build_lamp,
    "sofa": build_sofa,
    "cabinet": build_cabinet,
    "window": build_window,
    "door": build_door,
    "bed": build_bed,
    "bookshelf": build_bookshelf,
}


def build_objects(labels: np.ndarray, params: dict[str, Any], rng: np.random.Generator) -> Parts:
    """The parts of one object per label (int ``(n,)``, indices into :data:`CLASSES`).

    Classes are built in :data:`CLASSES` order, each for all its objects at once, with
    ``stretch = exp(aspect_jitter * N(0, 1))`` per object and axis; the result has one row per
    label, in the labels' order, padded to the largest slot count.
    """
    groups, rows = [], []
    for index, name in enumerate(CLASSES):
        members = np.flatnonzero(labels == index)
        if members.size == 0:
            continue
        stretch = np.exp(params["aspect_jitter"] * rng.standard_normal((members.size, 3)))
        groups.append(BUILDERS[name](Draws(rng, members.size), params, stretch))
        rows.append(members)
    return stack_parts(groups, rows, len(labels))
