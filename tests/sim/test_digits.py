"""Tests for the handwriting-like digit simulator (synthlearn.sim.digits)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from synthlearn.params import ParamError
from synthlearn.sim import get_simulator
from synthlearn.sim.digits import SOURCES, DigitsSimulator, acquire, distort, glyphs

CLEAN = {
    "thickness_spread": 0.0, "jitter": 0.0, "slant_spread": 0.0, "rotation_spread": 0.0, "aspect_spread": 0.0,
    "elastic_strength": 0.0, "blur": 0.0, "noise": 0.0,
}


@pytest.fixture(scope="module")
def sim() -> DigitsSimulator:
    return DigitsSimulator()


def _digest(layers: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(layers):
        h.update(key.encode())
        h.update(np.ascontiguousarray(layers[key]).tobytes())
    return h.hexdigest()


# --- registry and interface -------------------------------------------------------------


def test_registered_and_described():
    sim = get_simulator("digits")
    assert isinstance(sim, DigitsSimulator)
    info = json.loads(json.dumps(sim.describe()))
    assert info["name"] == "digits"
    assert set(info["layers"]) == {"image", "label", "source"}
    assert 10 <= len(info["params"]) <= 16
    assert all(p["doc"] for p in info["params"])


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("pipeline", ["optdigits8x8", "mnist28", "nist32"])
def test_same_seed_same_bytes_different_seed_differs(sim, pipeline):
    params = {"pipeline": pipeline, "elastic_strength": 0.05, "noise": 0.2}
    a = sim.generate(params, n=300, seed=11)  # > one chunk, all sources, elastic and noise on
    b = sim.generate(params, n=300, seed=11)
    assert _digest(a) == _digest(b)
    c = sim.generate(params, n=300, seed=12)
    assert not np.array_equal(a["image"], c["image"])


def test_bytes_do_not_depend_on_thread_count(sim):
    """BLAS-backed steps (blur, resampling) must not change with the number of threads."""
    code = (
        "import hashlib, numpy as np\n"
        "from synthlearn.sim.digits import DigitsSimulator\n"
        "o = DigitsSimulator().generate({'elastic_strength': 0.05}, n=600, seed=5)\n"
        "print(hashlib.sha256(o['image'].tobytes()).hexdigest())\n"
    )
    digests = set()
    for threads in ("1", "2"):
        env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    local = sim.generate({"elastic_strength": 0.05}, n=600, seed=5)
    digests.add(hashlib.sha256(local["image"].tobytes()).hexdigest())
    assert len(digests) == 1


# --- shapes, dtypes, ranges -------------------------------------------------------------


def test_optdigits_layers(sim):
    out = sim.generate({}, n=200, seed=0)
    img, label, source = out["image"], out["label"], out["source"]
    assert img.shape == (200, 8, 8) and img.dtype == np.uint8
    assert img.max() <= 16 and img.max() == 16
    assert (img.sum(axis=(1, 2)) > 0).all()
    # the NIST normaliser fills all 32 rows: top and bottom block rows always hold ink
    assert (img[:, 0].sum(axis=1) > 0).all() and (img[:, 7].sum(axis=1) > 0).all()
    assert label.shape == (200,) and label.dtype == np.int64 and set(np.unique(label)) <= set(range(10))
    assert source.dtype == np.int64 and source.min() >= 0 and source.max() < len(SOURCES)
    assert len(np.unique(label)) == 10


def test_mnist_layers(sim):
    out = sim.generate({"pipeline": "mnist28"}, n=100, seed=0)
    img = out["image"]
    assert img.shape == (100, 28, 28) and img.dtype == np.uint8
    assert img.max() == 255
    mass = img.astype(float)
    total = mass.sum(axis=(1, 2))
    cy = (mass.sum(axis=2) @ (np.arange(28) + 0.5)) / total
    cx = (mass.sum(axis=1) @ (np.arange(28) + 0.5)) / total
    assert np.abs(cy - 14).max() < 0.6 and np.abs(cx - 14).max() < 0.6  # centre of mass at the centre
    ink = img > 0
    height = 28 - ink.any(axis=2).argmax(axis=1) - ink.any(axis=2)[:, ::-1].argmax(axis=1)
    width = 28 - ink.any(axis=1).argmax(axis=1) - ink.any(axis=1)[:, ::-1].argmax(axis=1)
    longer = np.maximum(height, width)
    assert longer.min() >= 20 and longer.max() <= 21  # the bounding box was fitted into 20 x 20


def test_zero_samples(sim):
    out = sim.generate({}, n=0, seed=0)
    assert out["image"].shape == (0, 8, 8) and out["label"].shape == (0,)


def test_extreme_corners_still_produce_ink(sim):
    space = sim.param_space()
    faint = {"thickness_mean": space["thickness_mean"].low, "blur": space["blur"].high,
             "threshold": space["threshold"].high, "noise": space["noise"].high}
    bold = {"thickness_mean": space["thickness_mean"].high, "thickness_spread": space["thickness_spread"].high,
            "threshold": space["threshold"].low, "elastic_strength": space["elastic_strength"].high,
            "elastic_smoothness": space["elastic_smoothness"].low, "rotation_spread": space["rotation_spread"].high}
    for params in (faint, bold):
        for pipeline in ("optdigits8x8", "mnist28"):
            img = sim.generate({**params, "pipeline": pipeline}, n=64, seed=1)["image"]
            assert (img.reshape(64, -1).sum(axis=1) > 0).all()


def test_random_settings_are_valid(sim):
    from synthlearn import seeding

    space = sim.param_space()
    for i in range(4):
        params = space.sample(seeding.generator(0, i))
        out = sim.generate(params, n=32, seed=i)
        assert out["image"].shape[0] == 32 and (out["image"].reshape(32, -1).max(axis=1) > 0).all()


# --- the acquisition pipeline -----------------------------------------------------------


def test_block_counts_on_hand_made_bitmap():
    bitmap = np.zeros((1, 32, 32), dtype=bool)
    bitmap[0, 0:4, 0:4] = True  # full block -> 16
    bitmap[0, 4, 4] = True  # one pixel in block (1, 1)
    bitmap[0, 28:32, 30] = True  # a 4-pixel column in block (7, 7)
    bitmap[0, 10:14, 16:18] = True  # 8 pixels in block (2, 4)
    counts = acquire.block_counts(bitmap)
    expected = np.zeros((8, 8), dtype=np.uint8)
    expected[0, 0], expected[1, 1], expected[7, 7], expected[3, 4] = 16, 1, 4, 4
    expected[2, 4] = 4
    assert counts.dtype == np.uint8 and counts.shape == (1, 8, 8)
    np.testing.assert_array_equal(counts[0], expected)
    # against an explicit loop on random bitmaps
    rng = np.random.default_rng(0)
    bits = rng.random((3, 32, 32)) < 0.4
    loop = np.array([[[bits[k, 4 * i:4 * i + 4, 4 * j:4 * j + 4].sum() for j in range(8)] for i in range(8)]
                     for k in range(3)])
    np.testing.assert_array_equal(acquire.block_counts(bits), loop)


def test_optdigits_is_block_counts_of_a_normalised_bitmap():
    rng = np.random.default_rng(1)
    scans = np.zeros((5, 40, 40), dtype=bool)
    for k in range(5):
        r0, c0 = rng.integers(2, 10, 2)
        scans[k, r0:r0 + 25, c0:c0 + 4] = True
        scans[k, r0:r0 + 4, c0:c0 + 15] = True
    bitmaps = acquire.nist_normalize(scans)
    assert bitmaps.shape == (5, 32, 32) and bitmaps.dtype == bool
    np.testing.assert_array_equal(acquire.optdigits8x8(scans), acquire.block_counts(bitmaps))


def test_nist32_is_the_bitmap_behind_optdigits(sim):
    bitmaps = sim.generate({"pipeline": "nist32"}, n=50, seed=4)
    counts = sim.generate({"pipeline": "optdigits8x8"}, n=50, seed=4)
    assert bitmaps["image"].shape == (50, 32, 32) and set(np.unique(bitmaps["image"])) <= {0, 1}
    np.testing.assert_array_equal(acquire.block_counts(bitmaps["image"].astype(bool)), counts["image"])
    np.testing.assert_array_equal(bitmaps["label"], counts["label"])


def test_nist_normalize_fits_20_by_32():
    scan = np.zeros((1, 40, 40), dtype=bool)
    scan[0, 5:35, 10:30] = True  # a solid box: 30 tall, 20 wide, no slant
    bitmap = acquire.nist_normalize(scan)[0]
    rows = np.flatnonzero(bitmap.any(axis=1))
    cols = np.flatnonzero(bitmap.any(axis=0))
    # 640 inked pixels > 560: eroded twice (4-neighbour), which peels two pixels off each side
    assert (rows.min(), rows.max()) == (2, 29)
    assert (cols.min(), cols.max()) == (8, 23)


def test_morphology_and_stroke_width_rule():
    dot = np.zeros((1, 5, 5), dtype=bool)
    dot[0, 2, 2] = True
    assert acquire.dilate4(dot)[0].sum() == 5
    assert acquire.erode4(acquire.dilate4(dot))[0].sum() == 1
    thin = np.zeros((1, 32, 32), dtype=bool)
    thin[0, :, 15] = True  # 32 pixels < 108: dilated twice -> 5 columns wide (a diamond at the ends)
    out = acquire.normalize_stroke_width(thin)[0]
    assert out[16].sum() == 5
    medium = np.zeros((1, 32, 32), dtype=bool)
    medium[0, :, 10:20] = True  # 320 pixels: inside [256, 412], unchanged
    np.testing.assert_array_equal(acquire.normalize_stroke_width(medium), medium)


def test_deslant_straightens_a_slanted_bar():
    bar = np.zeros((1, 32, 32), dtype=bool)
    for r in range(32):
        c = 8 + (31 - r) // 2  # leans right: top is further right
        bar[0, r, c:c + 3] = True
    out = acquire.deslant(bar)[0]
    lefts = np.array([np.flatnonzero(out[r])[0] for r in range(2, 30)])
    assert lefts.max() - lefts.min() <= 1
    assert out.sum() == bar.sum()


# --- labels are right -------------------------------------------------------------------


def test_clean_renders_are_classifiable_across_seeds(sim):
    from sklearn.neighbors import KNeighborsClassifier

    params = {**CLEAN, "source_mix": {"strokes": 1.0}}
    train = sim.generate(params, n=800, seed=0)
    test = sim.generate(params, n=400, seed=1)
    clf = KNeighborsClassifier(n_neighbors=3).fit(train["image"].reshape(800, -1), train["label"])
    assert (clf.predict(test["image"].reshape(400, -1)) == test["label"]).mean() > 0.9
    means = np.stack([train["image"][train["label"] == c].mean(axis=0).ravel() for c in range(10)])
    dists = np.linalg.norm(means[:, None] - means[None], axis=2) + np.eye(10) * 1e9
    assert dists.min() > 5.0  # every pair of class means differs visibly (values 0..16)


def test_clean_font_renders_are_classifiable(sim):
    from sklearn.neighbors import KNeighborsClassifier

    params = {**CLEAN, "source_mix": {"sans": 0.5, "serif": 0.5}}
    train = sim.generate(params, n=600, seed=0)
    test = sim.generate(params, n=300, seed=1)
    clf = KNeighborsClassifier(n_neighbors=1).fit(train["image"].reshape(600, -1), train["label"])
    assert (clf.predict(test["image"].reshape(300, -1)) == test["label"]).mean() > 0.9


# --- parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_one_hot_source_mix_gives_only_that_source(sim, source):
    out = sim.generate({"source_mix": {source: 1.0}}, n=60, seed=2)
    assert (out["source"] == SOURCES.index(source)).all()


def test_style_switches_allographs():
    table = glyphs.stroke_table()
    rng = np.random.default_rng(0)
    sevens = np.full(200, 7)
    us = set(table.candidates(7, continental=False).tolist())
    cont = set(table.candidates(7, continental=True).tolist())
    assert us and cont and not (us & cont)
    # with only continental writers every 7 has a crossbar: more ink points than a bare 7
    _, valid_cont, _ = glyphs.stroke_points(sevens, rng, 0.0, continental=1.0)
    _, valid_us, _ = glyphs.stroke_points(sevens, rng, 0.0, continental=0.0)
    assert valid_cont.sum(axis=1).min() > valid_us.sum(axis=1).max() - 40


@pytest.mark.parametrize(
    "params, name",
    [
        ({"thickness_mean": 5.0}, "thickness_mean"),
        ({"pipeline": "png"}, "pipeline"),
        ({"source_mix": {"strokes": 0.5}}, "source_mix"),
        ({"source_mix": {"comic-sans": 1.0}}, "source_mix"),
        ({"threshold": "high"}, "threshold"),
        ({"wobble": 1.0}, "wobble"),
    ],
)
def test_bad_params_raise_param_error_naming_the_parameter(sim, params, name):
    with pytest.raises(ParamError, match=name):
        sim.generate(params, n=4, seed=0)


# --- building blocks --------------------------------------------------------------------


def test_splat_conserves_mass_and_places_points():
    pts = np.array([[[10.5, 20.5], [3.25, 4.75], [0.0, 0.0]]], dtype=np.float32)
    w = np.array([[2.0, 1.0, 0.0]], dtype=np.float32)
    img = glyphs.splat(pts, w, 32)
    assert img[0, 20, 10] == pytest.approx(2.0)
    assert img.sum() == pytest.approx(3.0)


def test_gaussian_blur_preserves_mass_and_identity_at_zero():
    rng = np.random.default_rng(0)
    img = np.zeros((2, 24, 24), dtype=np.float32)
    img[:, 8:16, 8:16] = rng.random((2, 8, 8))
    out = distort.gaussian_blur(img, np.array([1.5, 0.0]))
    assert out[0].sum() == pytest.approx(img[0].sum(), rel=1e-4)
    np.testing.assert_allclose(out[1], img[1], atol=1e-6)


def test_affine_slant_and_rotation():
    top = np.array([[[0.0, -0.5]]], dtype=np.float32)  # y down: the top of the glyph
    a = distort.affine_matrices(slant=np.array([0.4]), rotation=np.array([0.0]), aspect=np.array([1.0]))
    np.testing.assert_allclose(distort.apply_affine(top, a)[0, 0], [0.2, -0.5], atol=1e-6)  # leans right
    right = np.array([[[1.0, 0.0]]], dtype=np.float32)
    r = distort.affine_matrices(slant=np.array([0.0]), rotation=np.array([90.0]), aspect=np.array([1.0]))
    np.testing.assert_allclose(distort.apply_affine(right, r)[0, 0], [0.0, -1.0], atol=1e-6)  # turns up


def test_elastic_field_statistics():
    rng = np.random.default_rng(0)
    fields = distort.random_elastic(rng, 2000, strength=0.1, smoothness=0.3)
    origin = np.zeros((2000, 2, 2), dtype=np.float32)
    origin[:, 1] = [0.01, 0.0]  # two nearby points move almost together
    moved = distort.elastic_displace(origin, *fields)
    disp = moved - origin
    assert disp[:, 0].std() == pytest.approx(0.1, rel=0.1)
    assert np.abs(disp[:, 0] - disp[:, 1]).mean() < 0.01


def test_font_table_covers_every_group_and_digit():
    table = glyphs.font_table()
    assert set(table.group.tolist()) == set(range(len(glyphs.FONT_GROUPS)))
    assert table.points.shape[0] == 10 * len(table.fonts)
    assert ((table.weight > 0).sum(axis=1) > 20).all()
