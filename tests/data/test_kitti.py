"""KITTI-style semantic folders: pairing, the Cityscapes-id table, centre crops and one-line errors."""

import numpy as np
import pytest
from PIL import Image

from synthlearn.data.kitti import CITYSCAPES_TO_TRAFFIC, load_semantic_folder
from synthlearn.data.shards import load_layers
from synthlearn.errors import UserError
from synthlearn.sim.traffic import SEGMENTATION_CLASSES
from synthlearn.train.tasks import IGNORE_ID, get_task


def test_labels_map_to_traffic_ids_and_images_stay_as_written(tmp_path, kitti_writer):
    root = kitti_writer(tmp_path / "kitti", n=3, height=12, width=16)
    layers = load_layers(root)  # what validation.dataset / test.dataset read
    assert layers["rgb"].shape == (3, 12, 16, 3) and layers["segmentation"].shape == (3, 12, 16)
    assert np.array_equal(layers["rgb"][1], np.asarray(Image.open(root / "image_2" / "000001_10.png")))
    raw = np.asarray(Image.open(root / "semantic" / "000001_10.png"))
    expected = np.select([raw == 23, raw == 7, raw == 26], [0, 1, 10], IGNORE_ID)  # sky, road, car -> sedan; vegetation ignored
    assert np.array_equal(layers["segmentation"][1], expected)
    task = get_task("segment")
    _, targets = task.tensors(layers, 255.0)
    assert set(targets.unique().tolist()) == {0, 1, 6, IGNORE_ID}  # sky, road, car, ignored


def test_table_targets_only_simulator_classes():
    assert set(CITYSCAPES_TO_TRAFFIC.values()) <= set(SEGMENTATION_CLASSES)
    assert {SEGMENTATION_CLASSES[CITYSCAPES_TO_TRAFFIC[i]] for i in (7, 8, 11, 22, 23)} == {
        "road", "sidewalk", "building", "terrain", "sky"}


def test_slightly_different_sizes_are_cropped_about_the_centre(tmp_path, kitti_writer):
    root = kitti_writer(tmp_path / "kitti", n=1, height=40, width=60)
    kitti_writer(tmp_path / "other", n=1, height=41, width=62, seed=1)
    for sub in ("image_2", "semantic"):
        (tmp_path / "other" / sub / "000000_10.png").rename(root / sub / "000001_10.png")
    layers = load_semantic_folder(root)
    bigger = np.asarray(Image.open(root / "image_2" / "000001_10.png"))
    assert layers["rgb"].shape == (2, 40, 60, 3)
    assert np.array_equal(layers["rgb"][1], bigger[0:40, 1:61])


def _break(root, what):
    if what == "no labels folder":
        for p in (root / "semantic").iterdir():
            p.unlink()
        (root / "semantic").rmdir()
    elif what == "unpaired image":
        (root / "semantic" / "000001_10.png").unlink()
    elif what == "label of another size":
        Image.fromarray(np.full((5, 5), 7, np.uint8)).save(root / "semantic" / "000001_10.png")
    elif what == "unknown id":
        Image.fromarray(np.full((12, 16), 40, np.uint8)).save(root / "semantic" / "000001_10.png")
    elif what == "colour label":
        Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(root / "semantic" / "000001_10.png")
    elif what == "far other size":
        Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(root / "image_2" / "000001_10.png")
        Image.fromarray(np.full((24, 32), 7, np.uint8)).save(root / "semantic" / "000001_10.png")


@pytest.mark.parametrize("what, fragment", [
    ("no labels folder", "has no semantic/ sub-folder"),
    ("unpaired image", "000001_10.png has no partner"),
    ("label of another size", "is 5×5 but its image is 16×12"),
    ("unknown id", "id(s) 40 that are no cityscapes label id"),
    ("colour label", "is a RGB image; labels must be grey"),
    ("far other size", "more than 5 % larger than the smallest (16×12)"),
])
def test_bad_folders_are_one_line_user_errors(tmp_path, kitti_writer, what, fragment):
    root = kitti_writer(tmp_path / "kitti", n=2, height=12, width=16)
    _break(root, what)
    with pytest.raises(UserError) as error:
        load_layers(root)
    assert fragment.lower() in str(error.value).lower() and "\n" not in str(error.value)
