"""The traffic simulator: determinism, shapes, labels that agree with pixels, parameters, and
the column ray caster against a brute-force per-pixel ray caster."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from synthlearn import seeding
from synthlearn.errors import UserError
from synthlearn.params import ParamError
from synthlearn.sim import get_simulator
from synthlearn.sim.traffic import (
    CAR_TYPES,
    INTERSECTIONS,
    SEGMENTATION_CLASSES,
    SKY_DEPTH,
    WEATHERS,
    TrafficSimulator,
)
from synthlearn.sim.traffic.render import render
from synthlearn.sim.traffic.sample import sample_scenes
from synthlearn.sim.traffic.scene import HORIZONTAL_FOV_DEG

SMALL = {"height": 48, "width": 64}
BUSY = {**SMALL, "cars_mean": 12.0, "buildings_mean": 15.0, "road_length": 30.0}


@pytest.fixture(scope="module")
def sim():
    return get_simulator("traffic")


@pytest.fixture(scope="module")
def batch(sim):
    return sim.generate(BUSY, 48, seed=1)


def _scenes(sim, params, n, seed):
    return sample_scenes(sim.param_space().validate(params), n, seeding.generator(seed))


def test_registered_with_documented_space(sim):
    assert isinstance(sim, TrafficSimulator)
    assert sim.param_space().names == [
        "height", "width", "intersection", "weather", "car_types",
        "cars_mean", "buildings_mean", "road_length", "min_visible_pixels",
    ]
    assert all(p.doc for p in sim.param_space())
    json.dumps(sim.describe())
    assert set(sim.layers) == {"rgb", "segmentation", "depth", "counts", "weather", "intersection"}


def test_class_table():
    assert SEGMENTATION_CLASSES[0] == "sky" and SEGMENTATION_CLASSES[1] == "road"
    assert SEGMENTATION_CLASSES[3] == "building" and SEGMENTATION_CLASSES[4] == "terrain"
    assert [SEGMENTATION_CLASSES[10 + i] for i in range(5)] == list(CAR_TYPES)
    assert WEATHERS == ("clear_noon", "clear_sunset", "rain_noon", "rain_sunset")
    assert INTERSECTIONS == ("X", "T", "L")


def test_shapes_and_dtypes(batch):
    n, (h, w) = 48, (SMALL["height"], SMALL["width"])
    expected = {
        "rgb": ((n, h, w, 3), np.uint8), "segmentation": ((n, h, w), np.uint8), "depth": ((n, h, w), np.float32),
        "counts": ((n, 5), np.int64), "weather": ((n,), np.int64), "intersection": ((n,), np.int64),
    }
    assert set(batch) == set(expected)
    for key, (shape, dtype) in expected.items():
        assert batch[key].shape == shape and batch[key].dtype == dtype, key
    assert set(np.unique(batch["segmentation"])) <= set(SEGMENTATION_CLASSES)
    for cls in (0, 1, 2, 3, 4):  # sky, road, sidewalk, building, terrain all show up
        assert (batch["segmentation"] == cls).any(), SEGMENTATION_CLASSES[cls]
    assert (batch["segmentation"] >= 10).any() and batch["counts"].sum() > 0


def test_same_seed_is_byte_identical_other_seed_differs(sim):
    a = sim.generate(BUSY, 6, seed=5)
    b = sim.generate(BUSY, 6, seed=5)
    c = sim.generate(BUSY, 6, seed=6)
    for key in a:
        assert a[key].tobytes() == b[key].tobytes(), key
    assert a["rgb"].tobytes() != c["rgb"].tobytes()


def test_scene_i_does_not_depend_on_n_or_chunking(sim):
    long = sim.generate(BUSY, 70, seed=3)  # more than one sampling block
    short = sim.generate(BUSY, 5, seed=3)
    for key in short:
        assert np.array_equal(long[key][:5], short[key]), key
    scenes = _scenes(sim, BUSY, 9, seed=4)
    one, many = render(scenes, chunk=9), render(scenes, chunk=2)
    for key in one:
        assert one[key].tobytes() == many[key].tobytes(), key


@pytest.mark.parametrize("size", [(16, 16), (33, 50), (100, 40)])
def test_resolution_is_honoured(sim, size):
    h, w = size
    out = sim.generate({"height": h, "width": w}, 3, seed=0)
    assert out["rgb"].shape == (3, h, w, 3) and out["depth"].shape == (3, h, w)
    assert (out["segmentation"][:, 0] != 1).all()  # top row: never road
    assert (out["depth"][:, -1] < 5).all()  # bottom row: ground just ahead of the camera


def test_counts_agree_with_pixels(sim):
    mvp = 6
    scenes = _scenes(sim, BUSY, 24, seed=11)
    out = render(scenes, min_visible_pixels=mvp, return_instance=True)
    inst, seg = out["instance"], out["segmentation"]
    assert np.array_equal(inst >= 0, seg >= 10)  # car pixels are exactly the instance pixels
    for i in range(len(scenes)):
        expected = np.zeros(5, np.int64)
        for slot in np.unique(inst[i][inst[i] >= 0]):
            ctype = scenes.car_type[i, slot]
            pixels = inst[i] == slot
            assert ctype >= 0 and (seg[i][pixels] == 10 + ctype).all()
            expected[ctype] += pixels.sum() >= mvp
        assert np.array_equal(out["counts"][i], expected)
    # through the simulator: every counted car has its pixels
    layers = sim.generate({**BUSY, "min_visible_pixels": mvp}, 24, seed=11)
    for t in range(5):
        assert ((layers["segmentation"] == 10 + t).sum(axis=(1, 2)) >= mvp * layers["counts"][:, t]).all()
    assert layers["counts"].sum() > 0


def test_threshold_only_removes_cars(sim):
    few = sim.generate({**BUSY, "min_visible_pixels": 60}, 16, seed=2)["counts"]
    many = sim.generate({**BUSY, "min_visible_pixels": 1}, 16, seed=2)["counts"]
    assert (few <= many).all() and few.sum() < many.sum()


def test_no_cars_means_no_car_pixels(sim):
    out = sim.generate({**SMALL, "cars_mean": 0.0}, 12, seed=0)
    assert out["counts"].sum() == 0
    assert (out["segmentation"] < 10).all()


@pytest.mark.parametrize("index", range(4))
def test_one_hot_weather(sim, index):
    out = sim.generate({**SMALL, "weather": {WEATHERS[index]: 1.0}}, 8, seed=index)
    assert (out["weather"] == index).all()


@pytest.mark.parametrize("index", range(3))
def test_one_hot_intersection(sim, index):
    out = sim.generate({**SMALL, "intersection": {INTERSECTIONS[index]: 1.0}}, 8, seed=index)
    assert (out["intersection"] == index).all()


@pytest.mark.parametrize("index", range(5))
def test_one_hot_car_type(sim, index):
    out = sim.generate({**BUSY, "car_types": {CAR_TYPES[index]: 1.0}}, 8, seed=index)
    car_classes = set(np.unique(out["segmentation"])) - set(range(10))
    assert car_classes == {10 + index}
    assert out["counts"][:, index].sum() > 0
    assert np.delete(out["counts"], index, axis=1).sum() == 0


def test_weather_changes_the_light(sim):
    def mean_sky(weather, rows):
        out = sim.generate({**SMALL, "buildings_mean": 0.0, "weather": {weather: 1.0}}, 6, seed=0)
        sky = out["segmentation"][:, rows] == 0
        return out["rgb"][:, rows][sky].astype(float).mean(axis=0)

    top, low = slice(0, 4), slice(18, 23)
    noon, sunset = mean_sky("clear_noon", top), mean_sky("clear_sunset", low)
    rain = mean_sky("rain_noon", top)
    assert noon[2] > noon[0] + 60  # blue sky
    assert sunset[0] > sunset[2] + 60  # orange horizon at sunset
    assert np.ptp(rain) < 25 and np.ptp(rain) < np.ptp(noon)  # grey sky in rain
    assert mean_sky("rain_sunset", top).mean() < rain.mean()  # darker still at sunset


def test_depth(batch):
    depth, seg = batch["depth"], batch["segmentation"]
    assert (depth[seg == 0] == SKY_DEPTH).all()
    solid = depth[seg != 0]
    assert np.isfinite(solid).all() and (solid > 0).all() and (solid < SKY_DEPTH).all()
    road = seg == 1
    h = SMALL["height"]
    rows = [r for r in range(h // 2, h) if road[:, r].sum() > 20]
    means = [depth[:, r][road[:, r]].mean() for r in rows]
    assert len(rows) > 10 and np.all(np.diff(means) < 0)  # farther towards the horizon


def _reference(scenes, i):
    """Brute force: cast every pixel's 3-D ray against every box (float64)."""
    H, W = scenes.height, scenes.width
    f = (W / 2) / math.tan(math.radians(HORIZONTAL_FOV_DEG) / 2)
    a = (np.arange(W) + 0.5 - W / 2) / f
    s = (np.arange(H) + 0.5 - H / 2) / f
    sin_yaw, cos_yaw = scenes.cam_dir[i].astype(np.float64)
    d = np.stack(np.broadcast_arrays((a * cos_yaw + sin_yaw)[None, :], -s[:, None], (cos_yaw - a * sin_yaw)[None, :]), -1)
    o = np.array([scenes.cam_x[i], scenes.cam_height[i], 0.0])
    best, who = np.full((H, W), np.inf), np.full((H, W), -1)
    for j in np.flatnonzero(scenes.obj_valid[i]):
        (x0, z0), (x1, z1) = scenes.obj_min[i, j], scenes.obj_max[i, j]
        boxes = [((x0, 0.0, z0), (x1, scenes.obj_top[i, j], z1))]
        if scenes.obj_has_cab[i, j]:
            (cx0, cz0), (cx1, cz1) = scenes.cab_min[i, j], scenes.cab_max[i, j]
            boxes.append(((cx0, scenes.obj_top[i, j], cz0), (cx1, scenes.cab_top[i, j], cz1)))
        for lo, hi in boxes:
            with np.errstate(divide="ignore", invalid="ignore"):
                t0, t1 = (np.array(lo) - o) / d, (np.array(hi) - o) / d
            tn, tf = np.minimum(t0, t1).max(-1), np.maximum(t0, t1).min(-1)
            closer = (tn < tf) & (tn > 0) & (tn < best)
            best[closer], who[closer] = tn[closer], j
    ground = np.broadcast_to(np.where(s > 0, o[1] / np.where(s > 0, s, 1), SKY_DEPTH)[:, None], (H, W))
    return who, np.where(who >= 0, best, ground)


def test_matches_brute_force_ray_caster(sim):
    params = {"height": 64, "width": 96, "cars_mean": 14.0, "buildings_mean": 25.0, "road_length": 25.0}
    scenes = _scenes(sim, params, 12, seed=21)
    out = render(scenes, return_instance=True)
    mismatched = total = 0
    for i in range(len(scenes)):
        who, depth = _reference(scenes, i)
        expected_class = np.where(who >= 0, scenes.obj_class[i][who], 255)
        actual_class = np.where((out["segmentation"][i] == 3) | (out["segmentation"][i] >= 10),
                                out["segmentation"][i], 255)
        same = expected_class == actual_class
        mismatched += (~same).sum()
        total += same.size
        cars = same & (who >= 0)
        assert np.array_equal(out["instance"][i][cars], scenes.obj_car[i][who[cars]])
        np.testing.assert_allclose(out["depth"][i][same], depth[same], rtol=1e-4)
    assert mismatched / total < 1e-4  # at most pixel centres within float error of an edge


@pytest.mark.parametrize(
    "name, value",
    [
        ("height", 8), ("width", 1000), ("weather", {"snow": 1.0}), ("car_types", [0.5, 0.5, 0.5, 0, 0]),
        ("intersection", {"X": 0.2}), ("cars_mean", -1.0), ("buildings_mean", 31.0), ("road_length", 10.0),
        ("min_visible_pixels", 0), ("cars_mean", "many"),
    ],
)
def test_bad_params_raise_naming_the_parameter(sim, name, value):
    with pytest.raises(ParamError, match=name) as info:
        sim.generate({name: value}, 1, seed=0)
    assert isinstance(info.value, UserError)


def test_unknown_parameter_is_rejected(sim):
    with pytest.raises(ParamError, match="fog"):
        sim.generate({"fog": 1.0}, 1, seed=0)


@pytest.mark.parametrize("road_length", [20.0, 150.0])
def test_boxes_never_overlap(sim, road_length):
    """The renderer's occlusion rule relies on disjoint footprints (and cabins inside bodies)."""
    params = {"cars_mean": 20.0, "buildings_mean": 30.0, "road_length": road_length}
    scenes = _scenes(sim, params, 64, seed=8)
    for i in range(len(scenes)):
        valid = scenes.obj_valid[i]
        lo, hi = scenes.obj_min[i][valid], scenes.obj_max[i][valid]
        assert (lo < hi).all()
        overlap = ((lo[:, None] < hi[None]) & (lo[None] < hi[:, None])).all(-1)
        np.fill_diagonal(overlap, False)
        assert not overlap.any()
        cab = scenes.obj_has_cab[i][valid]
        assert (scenes.cab_min[i][valid][cab] >= lo[cab]).all() and (scenes.cab_max[i][valid][cab] <= hi[cab]).all()
        assert (scenes.cab_top[i][valid][cab] > scenes.obj_top[i][valid][cab]).all()
    # the camera stands on the road, outside every box
    cam = np.stack([scenes.cam_x, np.zeros(len(scenes))], 1)[:, None]
    inside = ((scenes.obj_min <= cam) & (cam <= scenes.obj_max)).all(-1) & scenes.obj_valid
    assert not inside.any()


def test_empty_requests(sim):
    out = sim.generate(SMALL, 0, seed=0)
    assert out["rgb"].shape == (0, 48, 64, 3) and out["counts"].shape == (0, 5)
    bare = sim.generate({**SMALL, "cars_mean": 0.0, "buildings_mean": 0.0}, 3, seed=0)
    assert set(np.unique(bare["segmentation"])) <= {0, 1, 2, 4, 5}
