"""MNIST-M-style targets: grey digits blended with crops of real colour photographs.

As in MNIST-M (Ganin & Lempitsky, 2015), each grey digit ``d`` (uint8 ``(H, W)``) gets a
random ``H×W`` crop ``p`` (uint8 ``(H, W, 3)``) of a real photograph, and becomes
``|p − d|`` per channel: the digit's shape survives, its colour and texture come from the photo.

The photographs are :data:`PHOTOS`, real colour photographs that ship inside scikit-image's
wheel and load without network (``skimage.data`` fetches others with pooch; those are not used).

* :func:`blend_with_photos` -- uint8 ``(N, H, W)`` digits -> uint8 ``(N, H, W, 3)``, seeded.
* :func:`make_mnist_m` -- the same on :class:`~synthlearn.data.real.LabelledImages`, labels kept.
* ``load_real("mnist-m")`` is :func:`make_mnist_m` of the real MNIST digits
  (:mod:`synthlearn.data.mnist`) with :data:`MNIST_M_SEED`: one fixed target.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synthlearn.data.real import LabelledImages
from synthlearn.errors import UserError

#: ``skimage.data`` loaders of the photographs, all shipped in the wheel: scenes, objects and
#: tissue with colour texture. Not the synthetic ``colorwheel``, nor ``hubble_deep_field``
#: (nine pixels in ten near black: most digits would stay plain grey) or ``retina`` (a black
#: border around a nearly uniform red disc).
PHOTOS = ("astronaut", "chelsea", "coffee", "immunohistochemistry", "rocket")
#: The seed of the fixed ``mnist-m`` target.
MNIST_M_SEED = 0


def load_photos() -> list[np.ndarray]:
    """The :data:`PHOTOS` as uint8 ``(h, w, 3)`` arrays, read from scikit-image's own files."""
    import skimage.data

    return [np.asarray(getattr(skimage.data, name)(), dtype=np.uint8) for name in PHOTOS]


def _check(images: np.ndarray, photos: Sequence[np.ndarray]) -> None:
    if images.dtype != np.uint8 or images.ndim != 3:
        raise UserError(f"MNIST-M blends grey uint8 digits (N, H, W), got {images.dtype} {images.shape}: convert them first")
    if not photos:
        raise UserError("MNIST-M needs at least one photograph to crop from")
    for photo in photos:
        if photo.dtype != np.uint8 or photo.ndim != 3 or photo.shape[2] != 3:
            raise UserError(f"MNIST-M photographs must be uint8 RGB (h, w, 3), got {photo.dtype} {photo.shape}")
        if photo.shape[0] < images.shape[1] or photo.shape[1] < images.shape[2]:
            raise UserError(f"a photograph of {photo.shape[:2]} is smaller than the {images.shape[1:]} digits: use larger photographs")


def blend_with_photos(images: np.ndarray, seed: int, photos: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """``|crop − digit|`` per channel: uint8 ``(N, H, W)`` digits -> uint8 ``(N, H, W, 3)``.

    Each digit takes one photograph of ``photos`` (default :func:`load_photos`) and a crop
    position in it, uniformly at random from ``np.random.default_rng(seed)``; the same
    ``images``, ``seed`` and ``photos`` give the same bytes.
    """
    images = np.asarray(images)
    photos = load_photos() if photos is None else [np.asarray(photo) for photo in photos]
    _check(images, photos)
    n, height, width = images.shape
    rng = np.random.default_rng(seed)
    which = rng.integers(len(photos), size=n)
    sizes = np.array([photo.shape[:2] for photo in photos])
    tops = rng.integers(0, sizes[which, 0] - height + 1)
    lefts = rng.integers(0, sizes[which, 1] - width + 1)
    rows = tops[:, None, None] + np.arange(height)[None, :, None]
    cols = lefts[:, None, None] + np.arange(width)[None, None, :]
    patches = np.empty((n, height, width, 3), np.uint8)
    for k, photo in enumerate(photos):
        chosen = np.flatnonzero(which == k)
        patches[chosen] = photo[rows[chosen], cols[chosen]]
    return np.abs(patches.astype(np.int16) - images[..., None].astype(np.int16)).astype(np.uint8)


def make_mnist_m(source: LabelledImages, seed: int) -> LabelledImages:
    """``source``'s grey digits blended with photo crops (:func:`blend_with_photos`); same labels and classes."""
    return LabelledImages(blend_with_photos(source.images, seed), source.labels, source.classes)
