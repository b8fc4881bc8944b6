"""Not-so-Clevr: one grey square on a black canvas (CoordConv, Liu et al. 2018, section 3).

The data set that shows convolutions failing to map between coordinates and pixels. By
default a 64×64 black canvas holds one 9×9 square of grey 128 (0.502 as a float); its centre
``(i, j)`` (row, column) runs over 4..59 on each axis, the positions where the whole square
fits, giving 56 × 56 = 3,136 distinct examples.

Layers, for ``n`` samples:

* ``image``  -- uint8 ``(n, canvas, canvas)``: 0 background, ``intensity`` (128) on the square;
* ``onehot`` -- uint8 ``(n, canvas, canvas)``: 1 at the centre pixel, 0 elsewhere;
* ``coords`` -- int64 ``(n, 2)``: the centre ``(i, j)``, row then column.

:class:`NotSoClevrSimulator` (registered as ``"notsoclevr"``) draws ``n`` centres at random
(uniformly, with replacement) from a region; :func:`full_dataset` enumerates every centre
once, and :func:`split_indices` makes the paper's two train/test splits of it:

* ``uniform`` -- a seeded random ``test_fraction`` of the centres. The paper's text says
  80/20 (the default here); the authors' code holds out each centre with probability 0.25,
  which with their seed gave 768 test / 2,368 train. Here the test set has exactly
  ``round(test_fraction · n)`` centres (0.2 → 627, 0.25 → 784).
* ``quadrant`` -- the test set is every centre whose *normalised* coordinates both exceed
  0.5. The authors normalise a centre by the canvas size (``center / img_size`` in their
  generator), so the rule is ``i / canvas > 0.5 and j / canvas > 0.5``, i.e. ``i, j >= 33`` on
  the 64-pixel canvas: 27 values (33..59) per axis, 27² = 729 test centres and 2,407 train
  centres. (Normalising by the centre range instead, ``(i - 4) / 55 > 0.5 ⇔ i >= 32``, would
  give 28² = 784.) With rows running down the image this is the bottom-right quadrant.

Example::

    >>> data = full_dataset()
    >>> data["image"].shape, int(data["image"].max()), len(data["coords"])
    ((3136, 64, 64), 128, 3136)
    >>> train, test = split_indices("quadrant", data["coords"])
    >>> len(train), len(test)
    (2407, 729)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from synthlearn import seeding
from synthlearn.errors import UserError
from synthlearn.params import Choice, IntRange, ParamError, ParamSpace
from synthlearn.sim.base import Layer, Simulator, register

SPLITS: tuple[str, ...] = ("uniform", "quadrant")
"""Names of the train/test splits :func:`split_indices` makes."""

REGIONS: tuple[str, ...] = ("all", "quadrant_train", "quadrant_test")
"""Where the simulator may place centres: everywhere, or either side of the quadrant split."""


def _space() -> ParamSpace:
    return ParamSpace([
        IntRange("canvas", 8, 256, default=64, doc="side of the square black canvas, pixels"),
        IntRange("square", 1, 63, default=9,
                 doc="side of the grey square, pixels; must be odd (so the square has a centre pixel) and fit the canvas"),
        IntRange("intensity", 1, 255, default=128, doc="grey level of the square (uint8); 128 is 0.502 as a float"),
        Choice("region", list(REGIONS), default="all",
               doc="centres drawn uniformly from: all valid centres, or the train / test side of the quadrant split"),
    ])


def _check_geometry(canvas: int, square: int) -> None:
    if square % 2 == 0:
        raise ParamError(f"parameter 'square': {square} is not allowed (must be odd, so the square has a centre pixel)")
    if square > canvas:
        raise ParamError(f"parameter 'square': {square} is not allowed (larger than the canvas, {canvas})")


def centre_range(canvas: int = 64, square: int = 9) -> tuple[int, int]:
    """The first and last centre coordinate (both included) at which the square fits: (4, 59)."""
    _check_geometry(canvas, square)
    half = square // 2
    return half, canvas - 1 - half


def all_centres(canvas: int = 64, square: int = 9) -> np.ndarray:
    """Every valid centre ``(i, j)``, int64 ``(m², 2)``, row-major (i slowest): 3,136 by default."""
    lo, hi = centre_range(canvas, square)
    i, j = np.meshgrid(np.arange(lo, hi + 1), np.arange(lo, hi + 1), indexing="ij")
    return np.stack([i.ravel(), j.ravel()], axis=1).astype(np.int64)


def in_test_quadrant(coords: np.ndarray, canvas: int = 64) -> np.ndarray:
    """bool ``(n,)``: both normalised coordinates ``i / canvas`` and ``j / canvas`` exceed 0.5.

    Integer form of the rule: ``2 i > canvas and 2 j > canvas`` (``i, j >= 33`` for 64).
    """
    coords = np.asarray(coords)
    return (2 * coords[:, 0] > canvas) & (2 * coords[:, 1] > canvas)


def render(coords: np.ndarray, canvas: int = 64, square: int = 9, intensity: int = 128) -> dict[str, np.ndarray]:
    """The layers (``image``, ``onehot``, ``coords``) for the given centres ``(n, 2)``."""
    _check_geometry(canvas, square)
    coords = np.asarray(coords, dtype=np.int64).reshape(-1, 2)
    lo, hi = centre_range(canvas, square)
    if len(coords) and (coords.min() < lo or coords.max() > hi):
        raise ValueError(f"centres must lie in [{lo}, {hi}] for a {square}-pixel square on a {canvas}-pixel canvas")
    n, half = len(coords), square // 2
    pixels = np.arange(canvas)
    rows = np.abs(pixels[None, :] - coords[:, :1]) <= half  # (n, canvas)
    cols = np.abs(pixels[None, :] - coords[:, 1:]) <= half
    image = (rows[:, :, None] & cols[:, None, :]).astype(np.uint8) * np.uint8(intensity)
    onehot = np.zeros((n, canvas, canvas), dtype=np.uint8)
    onehot[np.arange(n), coords[:, 0], coords[:, 1]] = 1
    return {"image": image, "onehot": onehot, "coords": coords.copy()}


def region_centres(region: str, canvas: int = 64, square: int = 9) -> np.ndarray:
    """The valid centres of ``region`` (one of :data:`REGIONS`), row-major."""
    centres = all_centres(canvas, square)
    if region == "all":
        return centres
    test = in_test_quadrant(centres, canvas)
    if region == "quadrant_test":
        return centres[test]
    if region == "quadrant_train":
        return centres[~test]
    raise ParamError(f"parameter 'region': {region!r} is not allowed; expected one of {', '.join(REGIONS)}")


def full_dataset(params: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Every valid centre once, row-major: the 3,136-example data set of the paper.

    ``params`` are the simulator's (``canvas``, ``square``, ``intensity``; missing ones take
    their defaults); ``region`` restricts the enumeration like it restricts sampling.
    """
    full = _space().validate(params)
    centres = region_centres(full["region"], full["canvas"], full["square"])
    return render(centres, full["canvas"], full["square"], full["intensity"])


def split_indices(
    name: str, coords: np.ndarray, canvas: int = 64, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices into ``coords`` for the split ``name`` (``uniform`` or ``quadrant``).

    Args:
        name: ``"uniform"`` (seeded random) or ``"quadrant"`` (see :func:`in_test_quadrant`).
        coords: int ``(n, 2)`` centres, e.g. ``full_dataset()["coords"]``.
        canvas: canvas side, for the quadrant rule.
        test_fraction: share of centres held out by ``uniform``: exactly
            ``round(test_fraction · n)`` of them. 0.2 as in the paper's text, 0.25 as in its code.
        seed: seed of the ``uniform`` permutation (ignored by ``quadrant``).

    Returns:
        ``(train, test)``: sorted, disjoint int64 index arrays covering ``range(n)``.
    """
    coords = np.asarray(coords)
    n = len(coords)
    if name == "quadrant":
        test_mask = in_test_quadrant(coords, canvas)
    elif name == "uniform":
        if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
            raise UserError(f"test fraction must be a number in (0, 1), got {test_fraction!r}")
        n_test = int(round(test_fraction * n))
        order = seeding.generator(seed).permutation(n)
        test_mask = np.zeros(n, dtype=bool)
        test_mask[order[:n_test]] = True
    else:
        raise UserError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
    return np.flatnonzero(~test_mask).astype(np.int64), np.flatnonzero(test_mask).astype(np.int64)


@register
class NotSoClevrSimulator(Simulator):
    """One grey square at a random position on a black canvas, with its centre as one-hot and (i, j)."""

    name = "notsoclevr"
    description = (
        "Not-so-Clevr (CoordConv, Liu et al. 2018): a 9x9 grey square (128) on a 64x64 black canvas, "
        "centre drawn uniformly from the 56x56 positions where it fits; layers image, onehot, coords."
    )
    layers = {
        "image": Layer("uint8", ("canvas", "canvas"), "0 background, intensity (128) on the square"),
        "onehot": Layer("uint8", ("canvas", "canvas"), "1 at the square's centre pixel, 0 elsewhere"),
        "coords": Layer("int64", (2,), "the centre (i, j), row then column"),
    }

    def param_space(self) -> ParamSpace:
        return _space()

    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        centres = region_centres(params["region"], params["canvas"], params["square"])
        if len(centres) == 0:
            raise ParamError(
                f"parameter 'region': {params['region']!r} holds no centre for a {params['square']}-pixel square "
                f"on a {params['canvas']}-pixel canvas"
            )
        chosen = centres[rng.integers(0, len(centres), size=n)]
        return render(chosen, params["canvas"], params["square"], params["intensity"])
