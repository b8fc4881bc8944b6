"""shapes3d: layers, determinism, classes, sampling geometry, scans, class mix, separable classes."""

import json

import numpy as np
import pytest

from synthlearn.sim import available, get_simulator
from synthlearn.sim.shapes3d import CLASSES, PARAM_SPACE, Shapes3DSimulator
from synthlearn.sim.shapes3d.parts import PartBatch, rotation_x, rotation_z, vec
from synthlearn.sim.shapes3d.sampling import sample_surface
from synthlearn.sim.shapes3d.scan import grid_size, scan, visible_from
from synthlearn.sim.shapes3d.simulator import PARAM_GROUPS

SIM = get_simulator("shapes3d")
FAST = {"points": 128}


def one_hot(name):
    return {c: float(c == name) for c in CLASSES}


def test_registered_and_described():
    assert "shapes3d" in available() and isinstance(SIM, Shapes3DSimulator)
    described = SIM.describe()
    assert json.loads(json.dumps(described)) == described
    assert list(described["classes"]) == list(CLASSES)
    assert all(len(text) > 40 for text in described["classes"].values())
    grouped = {name for names in described["param_groups"].values() for name in names}
    assert grouped == set(PARAM_SPACE.names) and len(PARAM_SPACE) >= 20
    assert all(p.doc for p in PARAM_SPACE)


@pytest.mark.parametrize("params,n", [({}, 3), ({"points": 50, "scan_views": 2}, 4), ({"points": 17}, 0)])
def test_layers_match_declarations(params, n):
    out = SIM.generate(params, n, seed=1)
    size = PARAM_SPACE.validate(params)["points"]
    expected = {"points": ("float32", (n, size, 3)), "normals": ("float32", (n, size, 3)), "label": ("int64", (n,))}
    assert {k: (str(v.dtype), v.shape) for k, v in out.items()} == expected
    for key, layer in SIM.declared_layers().items():
        assert layer.dtype == expected[key][0]


@pytest.mark.parametrize("params", [FAST, {**FAST, "scan_views": 2, "jitter": 0.03}])
def test_deterministic(params):
    a, b = SIM.generate(params, 6, seed=5), SIM.generate(params, 6, seed=5)
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert a["points"].tobytes() != SIM.generate(params, 6, seed=6)["points"].tobytes()


@pytest.mark.parametrize("extra", [{}, {"scan_views": 3, "scan_noise": 0.05, "jitter": 0.05}])
def test_every_class_alone_gives_valid_clouds(extra):
    for index, name in enumerate(CLASSES):
        out = SIM.generate({**FAST, **extra, "class_mix": one_hot(name)}, 4, seed=index)
        assert (out["label"] == index).all(), name
        radius = np.linalg.norm(out["points"], axis=2)
        assert np.isfinite(out["points"]).all() and radius.max() <= 1 + 1e-5, name
        assert np.allclose(radius.max(axis=1), 1, atol=1e-5), name  # scaled so the farthest point is at 1
        assert np.abs(out["points"].mean(axis=1)).max() < 1e-4, name  # centred on the centroid
        assert np.allclose(np.linalg.norm(out["normals"], axis=2), 1, atol=1e-4), name


def test_uniform_mix_covers_all_classes_and_mix_is_respected():
    assert set(SIM.generate({"points": 16}, 200, seed=0)["label"]) == set(range(len(CLASSES)))
    mix = {"chair": 0.5, "lamp": 0.3, "bookshelf": 0.2}
    n = 3000
    counts = np.bincount(SIM.generate({"points": 16, "class_mix": mix}, n, seed=2)["label"], minlength=len(CLASSES))
    for index, name in enumerate(CLASSES):
        p = mix.get(name, 0.0)
        assert abs(counts[index] - n * p) <= 4 * np.sqrt(n * p * (1 - p)) + 1e-9, name


def test_surface_sampling_is_area_weighted_and_on_the_surface():
    """A rotated box and a closed frustum: points on their surfaces, normals outward, areas respected."""
    batch = PartBatch(1)
    turn = rotation_z(0.7) @ rotation_x(0.3)
    batch.box(vec(0.5, -1.0, 2.0), vec(1.0, 2.0, 3.0), turn)
    batch.frustum(vec(10.0, 0.0, 0.0), 1.0, 0.5, 2.0)
    points, normals = sample_surface(batch.finish(), 20000, np.random.default_rng(0))
    points, normals = points[0].astype(float), normals[0].astype(float)
    box_area, frustum_side = 2 * (2 * 4 + 2 * 6 + 4 * 6), np.pi * (1.0 + 0.5) * np.hypot(2.0, 0.5)
    frustum_area = frustum_side + np.pi * (1.0**2 + 0.5**2)
    on_box = points[:, 0] < 6
    assert abs(on_box.mean() - box_area / (box_area + frustum_area)) < 0.005  # systematic: exact up to a point

    local = (points[on_box] - [0.5, -1.0, 2.0]) @ turn  # rows times R = R^T applied to each point
    excess = np.abs(local) / [1.0, 2.0, 3.0]
    assert excess.max() < 1 + 1e-5 and np.allclose(excess.max(axis=1), 1, atol=1e-5)
    local_normals = normals[on_box] @ turn
    face = np.argmax(excess, axis=1)
    assert np.allclose(np.abs(local_normals[np.arange(len(face)), face]), 1, atol=1e-5)
    assert (np.sign(local_normals[np.arange(len(face)), face]) == np.sign(local[np.arange(len(face)), face])).all()
    shares = np.bincount(face, minlength=3) / len(face)
    assert np.allclose(shares, np.array([2 * 4 * 6, 2 * 2 * 6, 2 * 2 * 4]) / box_area, atol=0.01)  # +-x, +-y, +-z

    f, fn = points[~on_box] - [10.0, 0.0, 0.0], normals[~on_box]
    radius, z = np.hypot(f[:, 0], f[:, 1]), f[:, 2]
    side = (z > 1e-5) & (z < 2 - 1e-5)
    assert np.allclose(radius[side], 1.0 - 0.25 * z[side], atol=1e-5)
    assert np.allclose(fn[z < 1e-5], [0, 0, -1], atol=1e-5) and np.allclose(fn[z > 2 - 1e-5], [0, 0, 1], atol=1e-5)
    assert (np.einsum("ij,ij->i", fn[side, :2], f[side, :2]) > 0).all() and (fn[side, 2] > 0).all()
    assert abs((z[side] < 1).mean() - 0.875 / 1.5) < 0.02  # side area below z = 1 over the whole side
    assert abs(side.sum() / len(z) - frustum_side / frustum_area) < 0.01


def _plates(n):
    """Two parallel square plates facing +-x at x = +0.4 and x = -0.4, sampled densely."""
    batch = PartBatch(n)
    for x in (0.4, -0.4):
        batch.box(vec(x, 0.0, 0.0), vec(0.02, 0.4, 0.4))
    points, normals = sample_surface(batch.finish(), 4096, np.random.default_rng(1))
    return points, normals


def test_scan_sees_the_side_facing_the_viewer_and_not_behind_occluders():
    points, normals = _plates(2)
    eye = np.array([[3.0, 0.0, 0.0], [-3.0, 0.0, 0.0]], np.float32)
    visible, column, row = visible_from(points, normals, eye, grid_size(points.shape[1]))
    assert column.min() >= 0 and row.max() < grid_size(points.shape[1])
    facing = np.einsum("nmk,nmk->nm", normals, eye[:, None, :] - points) > 0
    assert not (visible & ~facing).any()
    for view, sign in ((0, 1.0), (1, -1.0)):  # from +x, then from -x
        seen = points[view][visible[view]]
        assert (sign * seen[:, 0]).mean() > 0.35  # the near plate's outer face, ...
        assert (sign * seen[:, 0] < 0).mean() < 0.01  # ... not the far plate hidden behind it
        assert 0.15 < visible[view].mean() < 0.3  # the outer face: 0.64 of the plates' 2.82 area

    seen, seen_normals = scan(points, normals, eye[:, None, :], 0.0, 0.0, 300, np.random.default_rng(2))
    assert seen.shape == seen_normals.shape == (2, 300, 3)
    assert (seen[0][:, 0] > 0.35).all()


@pytest.mark.parametrize("name", ["cabinet", "bed", "sofa"])
def test_simulated_scan_keeps_one_side(name):
    """Normals over a closed surface average to zero; those one camera sees point its way."""
    params = {"points": 512, "class_mix": one_hot(name)}
    full = SIM.generate(params, 8, seed=3)
    scanned = SIM.generate({**params, "scan_views": 1, "scan_noise": 0.01}, 8, seed=3)
    assert scanned["points"].shape == scanned["normals"].shape == full["points"].shape
    assert np.linalg.norm(full["normals"].mean(axis=1), axis=1).max() < 0.1
    assert np.linalg.norm(scanned["normals"].mean(axis=1), axis=1).min() > 0.3


def _histograms(out):
    """Rotation-invariant features (n, 40): histograms of height, distance from the up axis, |normal z|."""
    p, n = out["points"], out["normals"]
    columns = [(p[..., 2], -1, 1, 16), (np.hypot(p[..., 0], p[..., 1]), 0, 1, 16), (np.abs(n[..., 2]), 0, 1, 8)]
    return np.concatenate([np.stack([np.histogram(row, bins, (lo, hi))[0] for row in values]) / p.shape[1]
                           for values, lo, hi, bins in columns], axis=1)


def test_classes_are_separable_by_a_nearest_centroid_on_histograms():
    params = {"points": 256}
    train, test = SIM.generate(params, 450, seed=10), SIM.generate(params, 270, seed=11)
    f_train, f_test = _histograms(train), _histograms(test)
    centroids = np.stack([f_train[train["label"] == c].mean(axis=0) for c in range(len(CLASSES))])
    predicted = np.argmin(((f_test[:, None] - centroids[None]) ** 2).sum(axis=2), axis=1)
    recall = [(predicted[test["label"] == c] == c).mean() for c in range(len(CLASSES))]
    assert (predicted == test["label"]).mean() > 0.6
    assert min(recall) > 0.3, dict(zip(CLASSES, np.round(recall, 2)))  # chance is 1/9


@pytest.mark.parametrize("group", [g for g in PARAM_GROUPS if g in CLASSES])
def test_every_class_parameter_changes_that_class(group):
    for name in PARAM_GROUPS[group]:
        param = PARAM_SPACE[name]
        if param.kind == "choice":
            low, high = param.choices[0], param.choices[1]
        elif param.kind == "simplex":
            low, high = ({c: float(c == pick) for c in param.choices} for pick in param.choices[:2])
        else:
            low, high = param.low, param.high
        base = {**FAST, "class_mix": one_hot(group), "up_rotation": 0.0}
        a = SIM.generate({**base, name: low}, 8, seed=4)["points"]
        b = SIM.generate({**base, name: high}, 8, seed=4)["points"]
        assert np.abs(a - b).max() > 0.01, f"{name} does not change {group}"


def test_parameters_change_proportions_as_documented():
    def extent_ratio(params, name):
        p = SIM.generate({**FAST, "class_mix": one_hot(name), "up_rotation": 0.0, "aspect_jitter": 0.0, **params},
                         20, seed=7)["points"]
        extent = p.max(axis=1) - p.min(axis=1)
        return float(np.mean(extent[:, 2] / extent[:, 0]))  # height over width

    assert extent_ratio({"shelf_count_mean": 8.0}, "bookshelf") > 1.5 * extent_ratio({"shelf_count_mean": 1.0}, "bookshelf")
    assert extent_ratio({"sofa_length": 3.0}, "sofa") < 0.7 * extent_ratio({"sofa_length": 1.0}, "sofa")
    assert extent_ratio({"cabinet_height": 2.4}, "cabinet") > 1.5 * extent_ratio({"cabinet_height": 0.5}, "cabinet")
