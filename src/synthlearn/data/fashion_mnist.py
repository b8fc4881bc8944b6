"""Real Fashion-MNIST: the IDX files of Debian's ``dataset-fashion-mnist``.

The package (``make data``) puts Zalando's four gzipped IDX files in
``/usr/share/datasets/fashion-mnist``: 60,000 training and 10,000 test images, grey
28×28 uint8, each labelled with one of ten clothing classes (:data:`CLASS_NAMES`).

IDX (LeCun's MNIST format): a 4-byte magic ``00 00 <type> <ndim>``, ``ndim`` big-endian
uint32 sizes, then the values row-major, big-endian. :func:`read_idx` reads any IDX file,
gzipped or raw; :func:`load_fashion_mnist` reads one split. Nothing is cached: every call
reads the files again and returns fresh, writable arrays.
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import Literal

import numpy as np

from synthlearn.errors import UserError

FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
INSTALL_HINT = "install it with `make data` (apt-get install dataset-fashion-mnist)"
REINSTALL_HINT = "reinstall it: apt-get install --reinstall dataset-fashion-mnist"
_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

#: IDX type code (third magic byte) -> big-endian numpy dtype of the values.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as stream:
                return stream.read()
        return path.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise UserError(f"IDX file {path} is not a complete gzip file (truncated or corrupt)") from None
    except OSError as error:
        raise UserError(f"IDX file {path} cannot be read: {error.strerror or error}") from None


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (``.gz`` or raw), shape from its header, native byte order.

    Raises :class:`UserError` naming the file when it is missing, unreadable, has a bad magic
    number or an unknown type code, or holds more or fewer bytes than its header says.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"IDX file {path} does not exist")
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES or data[3] == 0:
        raise UserError(f"{path} is not an IDX file (bad magic number {data[:4].hex() or 'none'})")
    ndim, dtype = data[3], np.dtype(IDX_DTYPES[data[2]])
    header = 4 + 4 * ndim
    if len(data) < header:
        raise UserError(f"IDX file {path} is truncated inside its header")
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise UserError(f"IDX file {path} holds {len(data)} bytes but its header {shape} needs {expected} (truncated or corrupt)")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(root: Path, name: str) -> Path:
    for candidate in (root / f"{name}.gz", root / name):
        if candidate.is_file():
            return candidate
    raise UserError(f"Fashion-MNIST not found in {root} (no {name}.gz or {name}): {INSTALL_HINT}")


def _check(images: np.ndarray, labels: np.ndarray, image_path: Path, label_path: Path) -> None:
    if images.dtype != np.uint8 or images.ndim != 3:
        raise UserError(f"{image_path} holds {images.dtype} {images.shape}, not uint8 images (N, H, W)")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise UserError(f"{label_path} holds {labels.dtype} {labels.shape}, not integer labels (N,)")
    if len(images) != len(labels):
        raise UserError(f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise UserError(f"{label_path} has labels outside 0..{len(CLASS_NAMES) - 1}")


def load_fashion_mnist(split: Literal["train", "test"], root: str | Path = FASHION_MNIST_ROOT) -> tuple[np.ndarray, np.ndarray]:
    """One split of Fashion-MNIST: images uint8 ``(N, 28, 28)`` and labels int64 ``(N,)`` into :data:`CLASS_NAMES`.

    ``N`` is 60,000 for ``train`` and 10,000 for ``test``. Each file is read as
    ``<name>.gz``, else as the raw ``<name>``, from ``root``.
    """
    if split not in _FILES:
        raise UserError(f"unknown Fashion-MNIST split {split!r}: use 'train' or 'test'")
    root = Path(root)
    image_path, label_path = (_find(root, name) for name in _FILES[split])
    try:
        images, labels = read_idx(image_path), read_idx(label_path)
        _check(images, labels, image_path, label_path)
    except UserError as error:
        raise UserError(f"{error}; {REINSTALL_HINT}") from None
    return images, labels.astype(np.int64)
