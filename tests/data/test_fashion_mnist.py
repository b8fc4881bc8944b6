"""The IDX reader and Fashion-MNIST loader on tiny IDX files written here; one test on the real package."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from synthlearn.data.fashion_mnist import CLASS_NAMES, FASHION_MNIST_ROOT, load_fashion_mnist, read_idx
from synthlearn.data.real import load_real
from synthlearn.errors import UserError

IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int16): 0x0B, np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D}


def idx_bytes(array: np.ndarray) -> bytes:
    """``array`` in IDX: magic 00 00 <type> <ndim>, big-endian uint32 sizes, big-endian values."""
    header = bytes([0, 0, IDX_CODES[array.dtype], array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_split(root: Path, split: str, n: int, gz: bool = True, labels_n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    prefix = "train" if split == "train" else "t10k"
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(labels_n or n) % 10).astype(np.uint8)
    suffix = ".gz" if gz else ""
    root.mkdir(parents=True, exist_ok=True)
    write_idx(root / f"{prefix}-images-idx3-ubyte{suffix}", images)
    write_idx(root / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
@pytest.mark.parametrize("array", [
    np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
    np.array([-300, 7, 32000], dtype=np.int16),
    np.arange(6, dtype=np.int32).reshape(3, 2) * -100000,
    np.linspace(-1, 1, 10, dtype=np.float32).reshape(2, 5),
])
def test_idx_round_trip_raw_and_gzipped(tmp_path, name, array):
    out = read_idx(write_idx(tmp_path / name, array))
    assert out.shape == array.shape and out.dtype == array.dtype and out.dtype.isnative
    assert np.array_equal(out, array)


@pytest.mark.parametrize("mangle, reason", [
    (lambda data: data[:-1], r"holds 39 bytes but its header \(2, 2, 6\) needs 40"),
    (lambda data: data + b"\0", r"holds 41 bytes but its header \(2, 2, 6\) needs 40"),
    (lambda data: data[:6], "truncated inside its header"),
    (lambda data: b"\x01" + data[1:], "not an IDX file"),
    (lambda data: data[:2] + b"\x07" + data[3:], "not an IDX file"),
    (lambda data: b"", "not an IDX file"),
])
def test_corrupt_idx_is_a_user_error_naming_the_file(tmp_path, mangle, reason):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(mangle(idx_bytes(np.zeros((2, 2, 6), np.uint8))))
    with pytest.raises(UserError, match=reason) as error:
        read_idx(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_truncated_gzip_is_a_user_error(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))[:-20])
    with pytest.raises(UserError, match="cut.gz is not a complete gzip file"):
        read_idx(path)


def test_loads_a_split_gzipped_or_raw(tmp_path):
    images, labels = write_split(tmp_path / "gz", "train", 12)
    got_images, got_labels = load_fashion_mnist("train", tmp_path / "gz")
    assert got_images.dtype == np.uint8 and got_labels.dtype == np.int64
    assert np.array_equal(got_images, images) and np.array_equal(got_labels, labels)
    images, labels = write_split(tmp_path / "raw", "test", 5, gz=False)
    got_images, got_labels = load_fashion_mnist("test", tmp_path / "raw")
    assert got_images.shape == (5, 28, 28) and np.array_equal(got_labels, labels)


def test_missing_data_says_how_to_install_it(tmp_path):
    with pytest.raises(UserError, match=r"Fashion-MNIST not found in .*nowhere.*`make data`") as error:
        load_fashion_mnist("train", tmp_path / "nowhere")
    assert "\n" not in str(error.value)
    write_split(tmp_path / "half", "train", 3)
    with pytest.raises(UserError, match="no t10k-images-idx3-ubyte.gz or t10k-images-idx3-ubyte.*make data"):
        load_fashion_mnist("test", tmp_path / "half")


def test_inconsistent_or_corrupt_files_are_user_errors(tmp_path):
    write_split(tmp_path / "count", "train", 4, labels_n=3)
    with pytest.raises(UserError, match="holds 4 images but .* holds 3 labels.*--reinstall"):
        load_fashion_mnist("train", tmp_path / "count")
    write_split(tmp_path / "cut", "test", 2, gz=False)
    image_file = tmp_path / "cut" / "t10k-images-idx3-ubyte"
    image_file.write_bytes(image_file.read_bytes()[:-10])
    with pytest.raises(UserError, match="t10k-images-idx3-ubyte holds .* bytes .*--reinstall"):
        load_fashion_mnist("test", tmp_path / "cut")
    with pytest.raises(UserError, match="unknown Fashion-MNIST split 'val'"):
        load_fashion_mnist("val", tmp_path / "cut")


@pytest.mark.skipif(not Path(FASHION_MNIST_ROOT).is_dir(), reason="dataset-fashion-mnist is not installed (make data)")
def test_real_fashion_mnist():
    images, labels = load_fashion_mnist("train")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8 and images.max() == 255
    assert labels.dtype == np.int64 and np.bincount(labels).tolist() == [6000] * 10
    test = load_real("fashion-mnist:test")
    assert test.images.shape == (10000, 28, 28) and test.images.dtype == np.uint8
    assert test.labels.dtype == np.int64 and np.bincount(test.labels).tolist() == [1000] * 10
    assert test.classes == CLASS_NAMES and test.classes[0] == "T-shirt/top" and test.classes[9] == "Ankle boot"
