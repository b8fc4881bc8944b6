"""Pinned output of every built-in simulator: one small batch per configuration, hashed layer by layer.

These pins guard docs/RESULTS.md: its figures were measured on data from these simulators,
so a refactoring must leave every layer byte-identical. A change of simulator output on
purpose means updating the pins below AND re-measuring (or marking as stale) the affected
figures in docs/RESULTS.md.

An integer layer's pin is the sha256 of its name, dtype, shape and raw C-order bytes. A float
layer's last bits depend on the CPU's SIMD kernels (the shapes3d points changed in the last
bits between two machines of the same kind), so its pin is a fingerprint instead: dtype,
shape, L1 mass, two fixed weighted sums and the sum of squares, compared to one part in a
million of the layer's L1 mass. Any real change of the output moves it by far more.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from synthlearn.sim import get_simulator

# id -> (simulator, params, n, seed, {layer name: sha256 hex, or float fingerprint})
PINNED = {
    "traffic-32x32": ("traffic", {"height": 32, "width": 32}, 4, 0, {
        "counts": "dff11f071e52afeee4f72ebd4d94a1bd428977c0c11e700c6698aa2e70ed49bc",
        "depth": (1054955.98, -2543.35681, 4969.50553, 1022950120.0),
        "intersection": "fbd435817748013a57715df42553b281420adbaff947bc9fda74e2b4b18331c1",
        "rgb": "61fb7b23a2dddd4b53289468b9d004fd479be9b91f092250c6a64ec840695989",
        "segmentation": "596d341bc8b759f8e62a034fb45a774a9a1adc82235be855925538e1bac38962",
        "weather": "17c8be6b12fb885ddd20a79c3699542bd1b68e710c4b545a02f613fe1609a0d2",
    }),
    # short road and many objects: intersections, crosswalks and side details fill the image
    "traffic-busy-48x64": ("traffic", {"height": 48, "width": 64, "cars_mean": 12.0, "buildings_mean": 15.0,
                                       "road_length": 20.0}, 8, 1, {
        "counts": "75ab3aa872718b8017e41be56d77e0f0dd8c4ff4d853529837fbc46aefc22b80",
        "depth": (7482199.35, 4105.90257, 4936.09263, 7240398210.0),
        "intersection": "3e6bf487f19489c0646d360e551455e7bca66481bfa53cf7080dfa19c2d2351e",
        "rgb": "ec3aca67b3582b883d87df71f0e6b911a4c3259c8100db5250f881bd391a1564",
        "segmentation": "b70ee0f7ae9f08d875411ec53a0a49d99260d5c08f53d6a3a22db82c7b93957a",
        "weather": "aa0c601c7a6d86dc1e8593401fcae6966a63556ca04d4f4c3039c7febc14fe2e",
    }),
    "digits-optdigits8x8": ("digits", {}, 8, 0, {
        "image": "4ab35f60e751e30b47bb9b1047da047666b98055310f62ef3bec2eb1859de771",
        "label": "a77682a32195b34462bce8989d14245110d875459aa1a7955ffffb098a296120",
        "source": "e6ede52a372cea34fc1f89c1f7191a5df7db9c29b746042b686d8cef46aa4528",
    }),
    "digits-mnist28": ("digits", {"pipeline": "mnist28"}, 4, 0, {
        "image": "21e2b1acaba37fda8897d5d0f6f4d91dfce04da8941fd30e54bf793458865eec",
        "label": "e5c8705dbb66b5e2de3c49b645e4f4e5ccac045cf39795d9ac3e846e138e2c05",
        "source": "e05cc048c339043ce3d803bfd8907f0016c65dcc732659848d6ed94e0116fdef",
    }),
    "notsoclevr-16": ("notsoclevr", {"canvas": 16, "square": 3}, 4, 0, {
        "coords": "2f52f0e1a1a04a504e8c17e2049f1024bfe8fc6e83c451082617dc2a493cd55f",
        "image": "626368797a0b53d5392977cb8eb020c015d8f9f81e2b90241d47d4623fa23813",
        "onehot": "6877e92aae2a72e4fc63310e84ebb9960cfe5f7521497533b860c9994b3f6555",
    }),
    # 20 clouds of 32 points cover all 9 classes
    "shapes3d-20x32": ("shapes3d", {"points": 32}, 20, 0, {
        "label": "724519a5b4d2b83cbce3939051955e958c91504d833d4b7af0999264eeb415df",
        "normals": (753.816775, -9.33328586, -16.6578477, 640.000003),
        "points": (558.851093, 1.06612905, 0.0713310845, 261.653369),
    }),
    # the same clouds seen by a simulated 2-view scan
    "shapes3d-scan-20x32": ("shapes3d", {"points": 32, "scan_views": 2}, 20, 0, {
        "label": "724519a5b4d2b83cbce3939051955e958c91504d833d4b7af0999264eeb415df",
        "normals": (769.566687, 1.79087205, 9.85325456, 640.000002),
        "points": (555.833545, -6.58819638, -23.9958649, 268.005994),
    }),
    "tumors-cntk101": ("tumors", {}, 8, 0, {
        "features": (71.99339520931244, 3.2312977790575292, 1.1886203291313127, 405.27220633273424),
        "label": "0afe799839a1ebea082f981f6112d0a552967842c232b82136b872a0ad0665ca",
    }),
    # three classes, four correlated features, an uneven prior
    "tumors-3x4-correlated": ("tumors", {"classes": 3, "features": 4, "correlation": 0.5, "prior": [0.2, 0.3, 0.5]}, 8, 0, {
        "features": (199.93044531345367, 6.918497827445677, 10.931528698680738, 1572.8592763021643),
        "label": "a380975bf4c68714544a9552122ffd0b48f9afa50134942a24290d19c22ed500",
    }),
}


def layer_digest(name: str, array: np.ndarray) -> str:
    """sha256 hex of a layer's name, dtype, shape and raw C-order bytes."""
    digest = hashlib.sha256()
    digest.update(name.encode())
    digest.update(str(array.dtype).encode())
    digest.update(repr(array.shape).encode())
    digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def float_fingerprint(array: np.ndarray) -> tuple[float, float, float, float]:
    """(L1 mass, sum weighted by cos(i), sum weighted by sin(1.7 i), sum of squares) in float64."""
    values = np.asarray(array, dtype=np.float64).ravel()
    index = np.arange(values.size)
    return (float(np.abs(values).sum()), float((values * np.cos(index)).sum()),
            float((values * np.sin(1.7 * index)).sum()), float((values * values).sum()))


def matches_pin(name: str, array: np.ndarray, pin: str | tuple[float, ...] | None) -> bool:
    if isinstance(pin, tuple):
        fingerprint = np.array(float_fingerprint(array))
        return array.dtype.kind == "f" and bool(np.allclose(fingerprint, pin, rtol=1e-6, atol=1e-6 * pin[0]))
    return layer_digest(name, array) == pin


def describe(name: str, array: np.ndarray) -> str:
    return repr(float_fingerprint(array)) if array.dtype.kind == "f" else repr(layer_digest(name, array))


@pytest.mark.parametrize("case", sorted(PINNED))
def test_batch_matches_pins(case):
    simulator, params, n, seed, pinned = PINNED[case]
    layers = get_simulator(simulator).generate(params, n, seed)
    changed = sorted(name for name in layers.keys() | pinned.keys()
                     if name not in layers or not matches_pin(name, layers[name], pinned.get(name)))
    assert not changed, (
        f"{case}: layers {changed} differ from their pins; if the change is on purpose, update the pins "
        f"and re-measure the affected docs/RESULTS.md figures. New digests: "
        + ", ".join(f"{name!r}: {describe(name, layers[name]) if name in layers else None}" for name in changed)
    )
