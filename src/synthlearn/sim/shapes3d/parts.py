"""Parametric parts of furniture as analytic surfaces, batched over objects.

An object is a fixed number of part *slots*; slot ``k`` of every object in a batch holds the
same kind of part with per-object sizes, so a batch of ``n`` objects is a handful of arrays
of shape ``(n, K, ...)`` (:class:`Parts`). Two kinds of part exist:

* **box** -- a rectangular cuboid: a slab, a leg, a pane, a frame bar, a cushion, a drawer
  front. ``size`` holds its half-extents ``(hx, hy, hz)`` along its own axes; its six faces
  are surfaces 0..5 in the order ``+x, -x, +y, -y, +z, -z``.
* **frustum** -- a truncated cone around its own ``z`` axis, from its base centre up to
  ``height``: a round leg, a pole, a lamp shade, a round table top, a sofa's roll arm.
  ``size`` holds ``(r_bottom, r_top, height)``; surface 0 is the side, 1 the bottom disc,
  2 the top disc (either disc may be left open, as for a lamp shade).

Each part has an origin (box centre or frustum base centre) and a rotation whose columns are
its local ``x, y, z`` axes in object coordinates. Object coordinates are metres with ``+z``
up, ``x`` across the object's width and its front facing ``-y``.

An absent part (a chair without arms, the sixth shelf of a five-shelf bookcase) keeps its
slot with zero size and so zero area: surface sampling never lands on it.

Build a batch with :class:`PartBatch`, one slot per call, each argument an array over the
``n`` objects or a scalar::

    >>> batch = PartBatch(2)
    >>> batch.box(centre=vec(0.0, 0.0, 0.7), half=vec([0.6, 0.4], 0.4, 0.02))  # two table tops
    >>> batch.cylinder(base=vec(0.0, 0.0, 0.0), radius=0.04, height=0.68)     # a central column
    >>> batch.finish().size.shape
    (2, 2, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOX, FRUSTUM = 0, 1
SURFACES_PER_PART = 6
"""Surface slots per part: a box's six faces; a frustum's side and two discs, then three empty."""


@dataclass(frozen=True)
class Parts:
    """Parts of ``n`` objects, ``K`` slots each (see the module docstring).

    Attributes:
        kind: int8 ``(n, K)``: :data:`BOX` or :data:`FRUSTUM`.
        origin: float64 ``(n, K, 3)``: box centre or frustum base centre, object coordinates.
        rotation: float64 ``(n, K, 3, 3)``: columns are the part's local x, y, z axes.
        size: float64 ``(n, K, 3)``: box half-extents, or frustum ``(r_bottom, r_top, height)``.
        surface_area: float64 ``(n, K, 6)``: area of each surface (see the module docstring),
            0 for absent parts, open frustum ends and a frustum's unused slots 3..5.
    """

    kind: np.ndarray
    origin: np.ndarray
    rotation: np.ndarray
    size: np.ndarray
    surface_area: np.ndarray

    @property
    def slots(self) -> int:
        """``K``, the number of part slots per object."""
        return self.kind.shape[1]

    def padded(self, slots: int) -> Parts:
        """The same parts with empty (zero-area box) slots appended up to ``slots``."""
        extra = slots - self.slots
        if extra < 0:
            raise ValueError(f"cannot pad {self.slots} part slots down to {slots}")
        n = self.kind.shape[0]
        eye = np.broadcast_to(np.eye(3), (n, extra, 3, 3))
        return Parts(
            kind=np.concatenate([self.kind, np.full((n, extra), BOX, np.int8)], axis=1),
            origin=np.concatenate([self.origin, np.zeros((n, extra, 3))], axis=1),
            rotation=np.concatenate([self.rotation, eye], axis=1),
            size=np.concatenate([self.size, np.zeros((n, extra, 3))], axis=1),
            surface_area=np.concatenate([self.surface_area, np.zeros((n, extra, SURFACES_PER_PART))], axis=1),
        )


def stack_parts(batches: list[Parts], rows: list[np.ndarray], n: int) -> Parts:
    """Put the parts of several groups of objects into one table of ``n`` objects.

    ``batches[i]`` holds the parts of the objects at row indices ``rows[i]`` (int ``(m_i,)``);
    together the rows cover ``range(n)`` once. Groups are padded to the largest slot count.
    """
    slots = max((b.slots for b in batches), default=0)
    out = Parts(
        kind=np.full((n, slots), BOX, np.int8),
        origin=np.zeros((n, slots, 3)),
        rotation=np.broadcast_to(np.eye(3), (n, slots, 3, 3)).copy(),
        size=np.zeros((n, slots, 3)),
        surface_area=np.zeros((n, slots, SURFACES_PER_PART)),
    )
    for batch, index in zip(batches, rows):
        full = batch.padded(slots)
        for field in ("kind", "origin", "rotation", "size", "surface_area"):
            getattr(out, field)[index] = getattr(full, field)
    return out


def vec(x: np.ndarray | float, y: np.ndarray | float, z: np.ndarray | float) -> np.ndarray:
    """Stack three coordinates (arrays ``(n,)`` or scalars, broadcast) into points ``(..., 3)``."""
    return np.stack(np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(z, float)), axis=-1)


def rotation_x(angle: np.ndarray | float) -> np.ndarray:
    """Rotations ``(..., 3, 3)`` about the x axis by ``angle`` radians (right-handed)."""
    c, s = np.cos(angle), np.sin(angle)
    one, zero = np.ones_like(c), np.zeros_like(c)
    return np.stack([np.stack([one, zero, zero], -1), np.stack([zero, c, -s], -1), np.stack([zero, s, c], -1)], -2)


def rotation_z(angle: np.ndarray | float) -> np.ndarray:
    """Rotations ``(..., 3, 3)`` about the z (up) axis by ``angle`` radians (right-handed)."""
    c, s = np.cos(angle), np.sin(angle)
    one, zero = np.ones_like(c), np.zeros_like(c)
    return np.stack([np.stack([c, -s, zero], -1), np.stack([s, c, zero], -1), np.stack([zero, zero, one], -1)], -2)


ALONG_Y = rotation_x(-np.pi / 2)
"""A rotation taking a frustum's axis (local z) onto +y: a horizontal rod from front to back."""


class PartBatch:
    """Collects the parts of ``n`` objects, one slot per call, and stacks them into :class:`Parts`.

    Every size argument is an array of shape ``(n,)`` or a scalar; every point argument is
    ``(n, 3)`` or ``(3,)`` (see :func:`vec`); rotations are ``(n, 3, 3)`` or ``(3, 3)``, the
    identity when omitted. ``present`` (bool ``(n,)`` or a scalar) says which objects have the
    part at all.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._kind: list[int] = []
        self._origin: list[np.ndarray] = []
        self._rotation: list[np.ndarray] = []
        self._size: list[np.ndarray] = []
        self._area: list[np.ndarray] = []

    def _add(self, kind: int, origin, rotation, size: np.ndarray, area: np.ndarray, present) -> None:
        keep = np.broadcast_to(np.asarray(present, bool), (self.n,))
        self._kind.append(kind)
        self._origin.append(np.broadcast_to(np.asarray(origin, float), (self.n, 3)))
        rot = np.eye(3) if rotation is None else np.asarray(rotation, float)
        self._rotation.append(np.broadcast_to(rot, (self.n, 3, 3)))
        self._size.append(np.where(keep[:, None], size, 0.0))
        self._area.append(np.where(keep[:, None], area, 0.0))

    def box(self, centre, half, rotation=None, present=True) -> None:
        """A box with centre ``centre`` and half-extents ``half`` (both ``(n, 3)``) along its own axes."""
        half = np.abs(np.broadcast_to(np.asarray(half, float), (self.n, 3)))
        hx, hy, hz = half[:, 0], half[:, 1], half[:, 2]
        yz, xz, xy = 4 * hy * hz, 4 * hx * hz, 4 * hx * hy
        self._add(BOX, centre, rotation, half, np.stack([yz, yz, xz, xz, xy, xy], axis=1), present)

    def box_between(self, low, high, present=True) -> None:
        """An axis-aligned box spanning the corners ``low`` and ``high`` (both ``(n, 3)``)."""
        low, high = np.asarray(low, float), np.asarray(high, float)
        self.box((low + high) / 2, (high - low) / 2, present=present)

    def frustum(self, base, r_bottom, r_top, height, rotation=None, bottom_cap=True, top_cap=True,
                present=True) -> None:
        """A frustum standing on ``base`` along its local z axis, radii ``r_bottom`` to ``r_top``.

        ``bottom_cap`` and ``top_cap`` (bools) close its ends with discs; open ends have no surface.
        """
        r0, r1, h = (np.abs(np.broadcast_to(np.asarray(v, float), (self.n,))) for v in (r_bottom, r_top, height))
        side = np.pi * (r0 + r1) * np.hypot(h, r0 - r1)
        zero = np.zeros(self.n)
        area = np.stack([side, np.pi * r0**2 * bool(bottom_cap), np.pi * r1**2 * bool(top_cap), zero, zero, zero], 1)
        self._add(FRUSTUM, base, rotation, np.stack([r0, r1, h], axis=1), area, present)

    def cylinder(self, base, radius, height, rotation=None, caps=True, present=True) -> None:
        """A cylinder of ``radius`` standing on ``base`` along its local z axis, closed when ``caps``."""
        self.frustum(base, radius, radius, height, rotation, caps, caps, present)

    def finish(self) -> Parts:
        """The collected slots as :class:`Parts` of shape ``(n, K, ...)``, in the order added."""
        k = len(self._kind)
        if k == 0:
            raise ValueError("an object needs at least one part")
        return Parts(
            kind=np.broadcast_to(np.array(self._kind, np.int8), (self.n, k)).copy(),
            origin=np.stack(self._origin, axis=1),
            rotation=np.stack(self._rotation, axis=1),
            size=np.stack(self._size, axis=1),
            surface_area=np.stack(self._area, axis=1),
        )


def rect_frame(batch: PartBatch, centre, width, height, bar, depth, bottom=True, present=True) -> None:
    """Bars around a rectangular opening in the object's xz plane (a window, door or sash frame).

    ``centre`` ``(n, 3)`` is the middle of the outer rectangle, ``width`` and ``height`` its
    outer size, ``bar`` the bars' width in the plane and ``depth`` their extent along y.
    Adds 4 slots (left, right, top, bottom), or 3 without the ``bottom`` bar (door frames).
    """
    centre = np.broadcast_to(np.asarray(centre, float), (batch.n, 3))
    cx, cy, cz = centre[:, 0], centre[:, 1], centre[:, 2]
    side_x = (width - bar) / 2
    for sign in (-1.0, 1.0):
        batch.box(vec(cx + sign * side_x, cy, cz), vec(bar / 2, depth / 2, height / 2), present=present)
    rails = (1.0, -1.0) if bottom else (1.0,)
    for sign in rails:
        batch.box(vec(cx, cy, cz + sign * (height - bar) / 2), vec(width / 2 - bar, depth / 2, bar / 2),
                  present=present)
