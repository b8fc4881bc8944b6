"""Real 3-D loaders on tiny meshes, point files and a .sh3f catalog written here; one test on the real package."""

import zipfile
from pathlib import Path

import numpy as np
import pytest

from synthlearn.data.real3d import (
    CLASSES, FURNITURE_ROOT, MeshError, PointClouds, classify, load_obj_folder, load_off_folder, load_point_folder,
    load_sweethome3d, mesh_cloud, normalise, orient, parse_obj, parse_off, read_mesh, read_properties,
    sample_surface, split_clouds,
)
from synthlearn.data.real3d.mesh import Mesh
from synthlearn.errors import UserError

# A unit cube as OBJ: quads, every corner form, objects and groups, an edge line, negative indices.
CUBE_OBJ = b"""# cube
mtllib cube.mtl
o bottom
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vn 0 0 -1
f 1/1/1 4/1/1 3/1/1 2/1/1
o top
v 0 0 1
v 1 0 1
v 1 1 1
v 0 1 1
g sides
f 1//1 2//1 6//1 5//1
f 2/1 3/1 7/1 6/1
f 3 4 8 7
f 4 1 5 8
l 1 2
f 1 2
g lid
f -4 -3 -2 -1
"""
TETRA_OFF = b"OFF\n# a comment\n4 4 6\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3 255 0 0\n"


def unit_cube_area(mesh):
    a, b, c = (mesh.vertices[mesh.triangles[:, k]] for k in range(3))
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1).sum()


def test_obj_parses_corner_forms_fans_groups_and_negative_indices():
    mesh = parse_obj(CUBE_OBJ, "cube.obj")
    assert mesh.vertices.shape == (8, 3) and mesh.vertices.dtype == np.float64
    assert mesh.triangles.shape == (12, 3) and mesh.triangles.dtype == np.int64
    assert mesh.triangles[-2:].tolist() == [[4, 5, 6], [4, 6, 7]]  # the fan of "f -4 -3 -2 -1"
    assert unit_cube_area(mesh) == pytest.approx(6.0)
    crlf = parse_obj(CUBE_OBJ.replace(b"\n", b"\r\n"), "crlf.obj")
    assert np.array_equal(crlf.vertices, mesh.vertices) and np.array_equal(crlf.triangles, mesh.triangles)


def test_off_parses_plain_and_broken_modelnet_header():
    mesh = parse_off(TETRA_OFF, "t.off")
    assert mesh.vertices.shape == (4, 3) and mesh.triangles.tolist()[0] == [0, 2, 1]
    glued = parse_off(b"OFF4 2 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n3 0 1 2\n3 0 2 3\n", "glued.off")
    assert glued.triangles.shape == (2, 3)
    quad = parse_off(b"OFF\n4 1 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3\n", "quad.off")
    assert quad.triangles.tolist() == [[0, 1, 2], [0, 2, 3]]


@pytest.mark.parametrize("name, data, reason", [
    ("nofaces.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\n", "has no faces"),
    ("flat.obj", b"v 0 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\n", "zero total surface area"),
    ("range.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n", "index is out of range"),
    ("negrange.obj", b"v 0 0 0\nf -1 -2 -3\nv 1 0 0\nv 0 1 0\n", "index is out of range"),
    ("zero.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", "index is 0"),
    ("text.obj", b"v 0 0 zero\n", "not a number"),
    ("short.obj", b"v 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "fewer than 3 coordinates"),
    ("empty_v.obj", b"v \nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 2 3 4\n", "fewer than 3 coordinates"),
    ("letters.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf a b c\n", "'f' line holds something that is not a number"),
    ("binary.obj", b"\x00\x01\x02binary", "not a text file"),
    ("noheader.off", b"3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "does not start with an OFF header"),
    ("short.off", b"OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "is truncated"),
    ("range.off", b"OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n", "index is out of range"),
    ("nan.off", b"OFF\n3 1 0\n0 0 nan\n1 0 0\n0 1 0\n3 0 1 2\n", "non-finite"),
])
def test_broken_meshes_raise_mesh_error_naming_the_file(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(MeshError, match=reason) as error:
        read_mesh(tmp_path / name)
    assert name in str(error.value) and "\n" not in str(error.value)
    assert isinstance(error.value, UserError)


def test_area_weighted_sampling_and_normals():
    # Two triangles in separate planes: area 1 (z = 0, normal +z) and area 3 (x = 5, normal +x).
    vertices = np.array([[0, 0, 0], [2, 0, 0], [0, 1, 0], [5, 0, 0], [5, 3, 0], [5, 0, 2]], float)
    mesh = Mesh(vertices, np.array([[0, 1, 2], [3, 4, 5]]))
    points, normals = sample_surface(mesh.vertices, mesh.triangles, 20000, np.random.default_rng(0))
    on_big = points[:, 0] > 4.0
    assert on_big.mean() == pytest.approx(0.75, abs=0.015)
    assert np.allclose(normals[on_big], [1, 0, 0]) and np.allclose(normals[~on_big], [0, 0, 1])
    small = points[~on_big]
    assert (small[:, 0] >= 0).all() and (small[:, 1] >= 0).all() and (small[:, 0] / 2 + small[:, 1] <= 1 + 1e-12).all()


def test_normalise_centres_and_scales_into_the_unit_sphere():
    clouds = np.random.default_rng(1).normal(5.0, 3.0, size=(4, 100, 3))
    out = normalise(clouds)
    assert np.allclose(out.mean(axis=1), 0.0)
    assert np.allclose(np.linalg.norm(out, axis=2).max(axis=1), 1.0)


def test_y_up_becomes_z_up_and_model_rotation_is_applied_first():
    up_y = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(orient(up_y, "y"), [[0, 0, 1], [0, -1, 0]])
    assert np.allclose(orient(up_y, "z"), up_y)
    lying = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])  # a modelRotation: +z of the file becomes +y
    assert np.allclose(orient(np.array([[0, 0, 2.0]]), "y", lying), [[0, 0, 2]])
    tall = Mesh(np.array([[0, 0, 0], [1, 0, 0], [0, 10, 0], [1, 10, 0]], float), np.array([[0, 1, 2], [1, 3, 2]]))
    points, normals = mesh_cloud(tall, 500, np.random.default_rng(0), up_axis="y")
    assert np.ptp(points[:, 2]) > 5 * np.ptp(points[:, 0]) and np.allclose(np.abs(normals), [0, 1, 0])
    with pytest.raises(UserError, match="up axis must be"):
        orient(up_y, "x")


@pytest.mark.parametrize("name, expected", [
    ("Armchair", ("chair",)), ("Bar stool", ("chair",)), ("Coffee table", ("table",)), ("Wooden desk", ("table",)),
    ("Desk lamp", ("lamp",)), ("Track lights", ("lamp",)), ("Corner sofa", ("sofa",)), ("Couch", ("sofa",)),
    ("Glass door cabinet", ("cabinet",)), ("Wardrobe", ("cabinet",)), ("Double-hung window", ("window",)),
    ("Garage door", ("door",)), ("Captain's bed", ("bed",)), ("Bedside table", ("table",)), ("Full bookcase", ("bookshelf",)),
    ("Upper shelves cabinet", ("cabinet", "bookshelf")), ("Table fan", ()), ("Chest freezer", ()), ("Window blind", ()),
    ("Flashlight", ()), ("Wheelchair", ()), ("Teddy bear", ()),
])
def test_keyword_table(name, expected):
    assert classify(name) == expected


def test_java_properties_syntax():
    text = ("# comment\n! also\n  key1 = plain \nkey2:colon\nkey3 spaced value\nlong=one \\\n    two\\\n three\n"
            "esc=a\\tb\\u00e9\\\\\nkey\\ with\\ space=v\nempty\n").encode() + b"latin=caf\xe9\n"
    props = read_properties(text)
    assert props == {"key1": "plain ", "key2": "colon", "key3": "spaced value", "long": "one twothree",
                     "esc": "a\tbé\\", "key with space": "v", "empty": "", "latin": "café"}


def write_catalog(path: Path, entries: list[dict], obj: bytes = CUBE_OBJ) -> None:
    """A .sh3f zip: a catalog whose models share one OBJ, written like SweetHome3D's (absolute paths)."""
    lines = ["id=test", "name=Test catalog"]
    for number, entry in enumerate(entries, start=1):
        lines += [f"{key}#{number}={value}" for key, value in entry.items()]
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("PluginFurnitureCatalog.properties", "\n".join(lines) + "\n")
        zipped.writestr("models/cube/cube.obj", obj)
        zipped.writestr("models/broken/broken.obj", b"v 0 0 0\n")


def tiny_catalog(root: Path) -> Path:
    root.mkdir()
    model = "/models/cube/cube.obj"
    write_catalog(root / "a.sh3f", [
        {"name": "Chair", "category": "Living room", "model": model},
        {"name": "Tall\\u00e9 lamp", "category": "Lights", "model": model, "modelRotation": "1 0 0 0 0 1 0 -1 0"},
        {"name": "Upper shelves cabinet", "category": "Kitchen", "model": model},
        {"name": "Teddy bear", "category": "Bedroom", "model": model},
        {"name": "Bed", "category": "Bedroom", "model": "/models/broken/broken.obj"},
        {"name": "Door", "category": "Doors and windows", "model": "/models/missing.obj"},
    ])
    write_catalog(root / "b.sh3f", [{"name": f"Sofa {i}", "model": model} for i in range(4)])
    return root


def test_sweethome3d_loader_on_a_tiny_catalog(tmp_path):
    clouds = load_sweethome3d(tiny_catalog(tmp_path / "furniture"), points=64, seed=3)
    assert isinstance(clouds, PointClouds) and clouds.classes == CLASSES
    assert clouds.points.shape == clouds.normals.shape == (6, 64, 3) and clouds.points.dtype == np.float32
    assert [CLASSES[label] for label in clouds.labels] == ["chair", "lamp"] + ["sofa"] * 4
    assert clouds.names[:2] == ("Chair", "Tallé lamp") and clouds.sources[:2] == ("a.sh3f#1", "a.sh3f#2")
    assert clouds.skipped == {"name matches several classes": 1, "name matches no class": 1, "broken mesh": 1,
                              "model file not in the archive": 1}
    assert np.allclose(np.linalg.norm(clouds.points, axis=2).max(axis=1), 1.0, atol=1e-6)
    assert np.allclose(np.linalg.norm(clouds.normals, axis=2), 1.0, atol=1e-6)
    again = load_sweethome3d(tmp_path / "furniture", points=64, seed=3)
    assert np.array_equal(again.points, clouds.points) and np.array_equal(again.normals, clouds.normals)
    assert not np.array_equal(load_sweethome3d(tmp_path / "furniture", points=64, seed=4).points, clouds.points)
    assert not np.array_equal(clouds.points[2], clouds.points[3])  # each model has its own stream


def test_sweethome3d_missing_package_and_bad_archives(tmp_path):
    with pytest.raises(UserError, match=r"not found; install the real furniture models with `make data` "
                                        r"\(apt-get install sweethome3d-furniture\)"):
        load_sweethome3d(tmp_path / "nowhere")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.sh3f").write_bytes(b"not a zip")
    with pytest.raises(UserError, match=r"x.sh3f is not a readable .sh3f \(zip\) archive"):
        load_sweethome3d(tmp_path / "bad")
    (tmp_path / "none").mkdir()
    write_catalog(tmp_path / "none" / "y.sh3f", [{"name": "Teddy bear", "model": "/models/cube/cube.obj"}])
    with pytest.raises(UserError, match=r"no usable furniture model .*name matches no class': 1"):
        load_sweethome3d(tmp_path / "none")
    with pytest.raises(UserError, match="points per cloud must be a positive integer"):
        load_sweethome3d(tmp_path / "none", points=0)


def write_modelnet(root: Path) -> None:
    for cls, count in (("chair", 2), ("table", 1), ("plant", 1)):
        for split in ("train", "test"):
            (root / cls / split).mkdir(parents=True)
            for i in range(count):
                (root / cls / split / f"{cls}_{i}.off").write_bytes(TETRA_OFF)
    (root / "table" / "test" / "broken.off").write_bytes(b"OFF\n1 1 0\n0 0 0\n3 0 0 0\n")
    (root / "bed" / "test").mkdir(parents=True)
    (root / "stool" / "test").mkdir(parents=True)


def test_off_folder_with_classes_skips_unknown_empty_and_broken(tmp_path):
    write_modelnet(tmp_path / "mn")
    clouds = load_off_folder(tmp_path / "mn", split="test", points=32, classes=["table", "chair", "bed"])
    assert clouds.classes == ("table", "chair", "bed") and clouds.labels.tolist() == [1, 1, 0]
    assert clouds.sources == ("chair/test/chair_0.off", "chair/test/chair_1.off", "table/test/table_0.off")
    assert clouds.skipped == {"class not in classes": 1, "empty class folder": 1, "broken file": 1}
    everything = load_off_folder(tmp_path / "mn", split="train", points=32)
    assert everything.classes == ("chair", "plant", "table") and len(everything) == 4
    assert everything.skipped == {"empty class folder": 2}
    assert np.array_equal(everything.points[0], load_off_folder(tmp_path / "mn", split="train", points=32).points[0])
    with pytest.raises(UserError, match="split must be one of train, test"):
        load_off_folder(tmp_path / "mn", split="val")
    with pytest.raises(UserError, match=r"no usable model in .*expected ROOT/<class>/test/\*.off"):
        load_off_folder(tmp_path / "mn", classes=["bed"])
    with pytest.raises(UserError, match="does not exist"):
        load_off_folder(tmp_path / "nowhere")


def test_point_folder_three_and_six_columns(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "pts" / "lamp").mkdir(parents=True)
    (tmp_path / "pts" / "sofa").mkdir()
    np.savetxt(tmp_path / "pts" / "lamp" / "a.pts", rng.normal(size=(50, 3)))
    np.savetxt(tmp_path / "pts" / "sofa" / "b.txt", np.hstack([rng.normal(size=(10, 3)), np.tile([0, 2.0, 0], (10, 1))]), delimiter=",")
    (tmp_path / "pts" / "sofa" / "c.xyz").write_text("1 2 3\n4 5\n")
    (tmp_path / "pts" / "sofa" / "d.xyz").write_text("# nothing\n")
    clouds = load_point_folder(tmp_path / "pts", points=20, seed=1, up_axis="y")
    assert clouds.classes == ("lamp", "sofa") and clouds.points.shape == (2, 20, 3)
    assert clouds.skipped == {"broken file": 2}
    assert np.allclose(clouds.normals[0], 0.0) and np.allclose(clouds.normals[1], [0, 0, 1])  # y-up normals turned to z
    assert np.allclose(np.linalg.norm(clouds.points, axis=2).max(axis=1), 1.0, atol=1e-6)


def test_obj_folder(tmp_path):
    (tmp_path / "objs" / "cabinet").mkdir(parents=True)
    (tmp_path / "objs" / "cabinet" / "box.obj").write_bytes(CUBE_OBJ)
    (tmp_path / "objs" / "cabinet" / "bad.obj").write_bytes(b"v 1 2 3\n")
    clouds = load_obj_folder(tmp_path / "objs", points=16, classes=CLASSES)
    assert clouds.labels.tolist() == [CLASSES.index("cabinet")] and clouds.names == ("box",)
    assert clouds.skipped == {"broken file": 1}


def fake_clouds(per_class):
    labels = np.repeat(np.arange(len(per_class)), per_class)
    n = len(labels)
    points = np.arange(n * 2 * 3, dtype=np.float32).reshape(n, 2, 3)
    return PointClouds(points, points.copy(), labels, tuple("abcd"[: len(per_class)]), tuple(map(str, range(n))),
                       tuple(f"src{i}" for i in range(n)), {"name matches no class": 7})


def test_split_sizes_determinism_and_dropped_classes():
    clouds = fake_clouds([10, 4, 3, 6])
    val, test = split_clouds(clouds, seed=0)
    assert np.bincount(val.labels, minlength=4).tolist() == [3, 3, 0, 3]
    assert np.bincount(test.labels, minlength=4).tolist() == [7, 1, 0, 3]
    assert not set(val.sources) & set(test.sources) and val.classes == test.classes == clouds.classes
    dropped = {"name matches no class": 7, "class c has 3 clouds, fewer than 4": 3}
    assert val.skipped == test.skipped == dropped
    again = split_clouds(clouds, seed=0)
    assert again.validation.sources == val.sources and np.array_equal(again.test.points, test.points)
    assert split_clouds(clouds, seed=1).validation.sources != val.sources
    with pytest.raises(UserError, match="nothing is left to test on"):
        split_clouds(fake_clouds([2, 3]), seed=0)


@pytest.mark.skipif(not Path(FURNITURE_ROOT).is_dir(), reason=f"{FURNITURE_ROOT} not installed (run `make data`)")
def test_real_sweethome3d_catalog():
    clouds = load_sweethome3d(points=256)
    counts = np.bincount(clouds.labels, minlength=len(CLASSES))
    assert len(clouds) >= 240 and (counts >= 15).sum() >= 8 and (counts >= 9).all(), dict(zip(CLASSES, counts))
    assert np.isfinite(clouds.points).all() and np.allclose(np.linalg.norm(clouds.normals, axis=2), 1.0, atol=1e-5)
    val, test = split_clouds(clouds, seed=0)
    assert len(val) == 3 * len(CLASSES) and len(test) == len(clouds) - len(val)
