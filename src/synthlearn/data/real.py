"""Real data a user brings (or that ships inside scikit-learn), and the fixed real-data protocol.

Loaders return :class:`LabelledImages` with ``images`` ``(N, H, W)`` (grey) or
``(N, H, W, 3)`` and integer ``labels`` ``(N,)``:

* :func:`load_sklearn_digits` -- scikit-learn's 1,797 real handwritten digits, 8×8, 0..16.
* :func:`load_image_folder` -- ``ROOT/<class name>/*.png|*.jpg``; classes in sorted order.
* :func:`load_numpy` -- an ``.npz`` with arrays ``images`` and ``labels``.
* :func:`load_real` -- any of the above from a path, ``sklearn:digits`` for the built-in set,
  ``fashion-mnist:train`` / ``fashion-mnist:test`` (:mod:`synthlearn.data.fashion_mnist`, ``make data``),
  ``mnist`` (10,000 real MNIST digits, :mod:`synthlearn.data.mnist`, ``make data``) or ``mnist-m``
  (those digits blended with photo crops, seed 0: :mod:`synthlearn.data.mnist_m`).

:func:`split_real` is the seeded protocol every sim-to-real table uses: a small labelled
validation set (for rewards and model selection only), an unlabelled pool, and a held-out
test set that nothing tunes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthlearn.data.arrays import read_npz
from synthlearn.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
SKLEARN_DIGITS = "sklearn:digits"
FASHION_MNIST = "fashion-mnist:"
MNIST = "mnist"
MNIST_M = "mnist-m"


@dataclass(frozen=True)
class LabelledImages:
    """Images ``(N, H, W)`` or ``(N, H, W, C)`` with labels ``(N,)`` and class names."""

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.images) != len(self.labels):
            raise UserError(f"{len(self.images)} images but {len(self.labels)} labels")

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray) -> LabelledImages:
        return LabelledImages(self.images[index], self.labels[index], self.classes)

    def layers(self) -> dict[str, np.ndarray]:
        """As simulator-style layers ``{"image": ..., "label": ...}``."""
        return {"image": self.images, "label": self.labels.astype(np.int64)}


def load_sklearn_digits() -> LabelledImages:
    """scikit-learn's real digits: ``images`` uint8 ``(1797, 8, 8)`` in 0..16, labels 0..9."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return LabelledImages(digits.images.astype(np.uint8), digits.target.astype(np.int64), tuple(map(str, range(10))))


def _read_image(path: Path, grayscale: bool) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert("L" if grayscale else "RGB")
            return np.asarray(image, dtype=np.uint8)
    except (OSError, UnidentifiedImageError):
        raise UserError(f"cannot read image {path}: not an image file PIL can open, or truncated") from None


def load_image_folder(root: str | Path, grayscale: bool = True) -> LabelledImages:
    """Images from ``root/<class>/<file>``; every image must have the same size."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"image folder {root} does not exist")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir())
    if not class_dirs:
        raise UserError(f"image folder {root} has no class sub-folders (expected ROOT/<class>/<image>)")
    images, labels, shape = [], [], None
    for label, folder in enumerate(class_dirs):
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise UserError(f"class folder {folder} has no images ({', '.join(IMAGE_SUFFIXES)})")
        for path in files:
            image = _read_image(path, grayscale)
            if shape is None:
                shape = image.shape
            elif image.shape != shape:
                raise UserError(f"image {path} has shape {image.shape}, expected {shape} like the first image")
            images.append(image)
            labels.append(label)
    return LabelledImages(np.stack(images), np.array(labels, dtype=np.int64), tuple(p.name for p in class_dirs))


def load_numpy(path: str | Path) -> LabelledImages:
    """An ``.npz`` with ``images`` ``(N, H, W[, C])`` and integer ``labels`` ``(N,)``."""
    arrays = read_npz(path)
    missing = {"images", "labels"} - set(arrays)
    if missing:
        raise UserError(f"{path} lacks array(s) {', '.join(sorted(missing))}; it needs 'images' and 'labels'")
    images, labels = arrays["images"], arrays["labels"]
    if images.ndim not in (3, 4):
        raise UserError(f"{path}: images must have shape (N, H, W) or (N, H, W, C), got {images.shape}")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise UserError(f"{path}: labels must be integers of shape (N,), got {labels.dtype} {labels.shape}")
    if len(labels) and labels.min() < 0:
        raise UserError(f"{path}: labels must be >= 0")
    classes = tuple(map(str, range(int(labels.max()) + 1 if len(labels) else 0)))
    return LabelledImages(images, labels.astype(np.int64), classes)


def load_real(source: str | Path) -> LabelledImages:
    """Real labelled images from ``sklearn:digits``, ``fashion-mnist:train|test``, ``mnist``, ``mnist-m``, an ``.npz`` file or an image folder."""
    if str(source) == SKLEARN_DIGITS:
        return load_sklearn_digits()
    if str(source) == MNIST:
        from synthlearn.data.mnist import load_mnist

        return load_mnist()
    if str(source) == MNIST_M:
        from synthlearn.data.mnist import load_mnist
        from synthlearn.data.mnist_m import MNIST_M_SEED, make_mnist_m

        return make_mnist_m(load_mnist(), MNIST_M_SEED)
    if str(source).startswith(FASHION_MNIST):
        from synthlearn.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist

        split = str(source)[len(FASHION_MNIST):]
        if split not in ("train", "test"):
            raise UserError(f"unknown Fashion-MNIST split {split!r}: use fashion-mnist:train or fashion-mnist:test")
        images, labels = load_fashion_mnist(split)
        return LabelledImages(images, labels, tuple(CLASS_NAMES))
    path = Path(source)
    if path.suffix == ".npz":
        return load_numpy(path)
    return load_image_folder(path)


@dataclass(frozen=True)
class RealSplit:
    """The real-data protocol: labelled validation, unlabelled pool, held-out test."""

    validation: LabelledImages
    pool: np.ndarray
    pool_labels: np.ndarray
    test: LabelledImages


def split_real(data: LabelledImages, seed: int, val_per_class: int = 10, test_fraction: float = 0.5) -> RealSplit:
    """Split ``data`` into validation (``val_per_class`` per class), pool and test, seeded.

    The test set is a stratified ``test_fraction`` of every class; validation takes
    ``val_per_class`` of each class's remaining images; the rest is the pool, whose labels are
    kept apart (``pool_labels``) only so an upper-bound "trained on real" row can use them.
    """
    if not 0.0 < test_fraction < 1.0:
        raise UserError(f"test fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5EA1])))
    val_idx, pool_idx, test_idx = [], [], []
    for label in np.unique(data.labels):
        members = rng.permutation(np.flatnonzero(data.labels == label))
        n_test = int(round(test_fraction * len(members)))
        if len(members) - n_test < val_per_class:
            raise UserError(f"class {data.classes[label]} has {len(members)} images: too few for {val_per_class} validation images after the test split")
        test_idx.append(members[:n_test])
        val_idx.append(members[n_test : n_test + val_per_class])
        pool_idx.append(members[n_test + val_per_class :])
    val, pool, test = (np.sort(np.concatenate(parts)) for parts in (val_idx, pool_idx, test_idx))
    return RealSplit(data.subset(val), data.images[pool], data.labels[pool], data.subset(test))
