"""Real-data loaders on tiny fixtures written here, and the split protocol."""

import numpy as np
import pytest
from PIL import Image

from synthlearn.data.real import load_image_folder, load_numpy, load_real, load_sklearn_digits, split_real
from synthlearn.errors import UserError


def write_folder(root, sizes=None):
    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (root / label).mkdir(parents=True)
        for i in range(3):
            size = (sizes or {}).get((label, i), (6, 5))
            Image.fromarray(rng.integers(0, 255, size, dtype=np.uint8)).save(root / label / f"{i}.png")


def test_image_folder_loads_classes_in_sorted_order(tmp_path):
    write_folder(tmp_path / "real")
    data = load_image_folder(tmp_path / "real")
    assert data.images.shape == (6, 6, 5) and data.images.dtype == np.uint8
    assert data.classes == ("cat", "dog") and data.labels.tolist() == [0, 0, 0, 1, 1, 1]


def test_image_folder_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_image_folder(tmp_path / "nope")
    write_folder(tmp_path / "mixed", sizes={("dog", 2): (7, 7)})
    with pytest.raises(UserError, match=r"dog/2.png has shape \(7, 7\), expected \(6, 5\)"):
        load_image_folder(tmp_path / "mixed")
    write_folder(tmp_path / "empty")
    (tmp_path / "empty" / "zebra").mkdir()
    with pytest.raises(UserError, match="class folder .*zebra has no images"):
        load_image_folder(tmp_path / "empty")
    write_folder(tmp_path / "broken")
    (tmp_path / "broken" / "cat" / "9.png").write_bytes(b"not a png")
    with pytest.raises(UserError, match="cannot read image .*9.png"):
        load_image_folder(tmp_path / "broken")


def test_numpy_loader_and_errors(tmp_path):
    np.savez(tmp_path / "ok.npz", images=np.zeros((4, 8, 8), np.uint8), labels=np.array([0, 1, 2, 1]))
    data = load_real(tmp_path / "ok.npz")
    assert data.images.shape == (4, 8, 8) and data.classes == ("0", "1", "2")
    np.savez(tmp_path / "nolabels.npz", images=np.zeros((4, 8, 8)))
    with pytest.raises(UserError, match="lacks array\\(s\\) labels"):
        load_numpy(tmp_path / "nolabels.npz")
    np.savez(tmp_path / "flat.npz", images=np.zeros((4, 64)), labels=np.zeros(4, int))
    with pytest.raises(UserError, match="must have shape \\(N, H, W\\)"):
        load_numpy(tmp_path / "flat.npz")
    np.savez(tmp_path / "short.npz", images=np.zeros((4, 8, 8)), labels=np.zeros(3, int))
    with pytest.raises(UserError, match="4 images but 3 labels"):
        load_numpy(tmp_path / "short.npz")


def test_sklearn_digits_split_sizes_and_disjointness():
    digits = load_sklearn_digits()
    assert digits.images.shape == (1797, 8, 8) and digits.images.max() == 16
    split = split_real(digits, seed=0)
    assert len(split.validation) == 100 and np.bincount(split.validation.labels).tolist() == [10] * 10
    assert len(split.test) >= 0.4 * 1797
    assert len(split.validation) + len(split.pool) + len(split.test) == 1797
    rows = lambda a: {r.tobytes() + bytes([l]) for r, l in zip(a[0], a[1])}
    val, pool, test = rows((split.validation.images, split.validation.labels)), rows((split.pool, split.pool_labels)), rows((split.test.images, split.test.labels))
    assert not (val & test) and not (pool & test) and not (val & pool)
    again = split_real(digits, seed=0)
    assert np.array_equal(again.test.images, split.test.images)
    assert not np.array_equal(split_real(digits, seed=1).test.images, split.test.images)
