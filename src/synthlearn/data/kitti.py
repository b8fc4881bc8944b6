"""KITTI-style semantic segmentation folders: RGB images and label PNGs of Cityscapes ids, as traffic layers.

A folder laid out like KITTI's semantic benchmark (``data_semantics/training``)::

    ROOT/image_2/000000_10.png     RGB image
    ROOT/semantic/000000_10.png    8-bit grey label: one Cityscapes label id (0..33) per pixel

is read as the traffic simulator's layers ``rgb`` ``(N, H, W, 3)`` uint8 and ``segmentation``
``(N, H, W)`` uint8, the Cityscapes ids mapped to the simulator's class ids by
:data:`CITYSCAPES_TO_TRAFFIC`, so it can stand wherever simulated traffic data does: point an
LTS config's ``validation.dataset`` or ``test.dataset`` at ``ROOT`` and use the ``segment`` task.

Images and labels pair by file name. KITTI's images differ by a few pixels in size (from
1224×370 to 1242×376); every image and its label are cropped about their centre to the
smallest height and width in the folder. An image more than 5 % larger than that, a label of
another size than its image, an unpaired file, a colour label or an id that is no Cityscapes
label id is a :class:`~synthlearn.errors.UserError`. Images are used at their own scale: the
simulator's camera has KITTI's field of view (80° across the width), so render at the real
images' size, or resize the real images (labels with nearest neighbour) to the simulator's.

Example::

    >>> layers = load_semantic_folder("kitti/data_semantics/training")
    >>> layers["rgb"].shape, layers["segmentation"].shape
    ((200, 370, 1224, 3), (200, 370, 1224))
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synthlearn.errors import UserError
from synthlearn.sim.traffic.scene import BUILDING, CAR_CLASS_OFFSET, CAR_TYPES, ROAD, SIDEWALK, SKY, TERRAIN
from synthlearn.train.tasks import IGNORE_ID

IMAGES, LABELS = "image_2", "semantic"
"""Sub-folders of the RGB images and of the label PNGs (KITTI's names)."""
CITYSCAPES_IDS = 34
"""Cityscapes label ids run from 0 (unlabeled) to 33 (bicycle)."""

CITYSCAPES_TO_TRAFFIC: dict[int, int] = {
    7: ROAD,  # road (its painted markings included: real labels have no lane-marking class)
    8: SIDEWALK,  # sidewalk
    11: BUILDING,  # building
    22: TERRAIN,  # terrain
    23: SKY,  # sky
    26: CAR_CLASS_OFFSET + CAR_TYPES.index("sedan"),  # car: real labels have no sedan/suv/van, use the `segment` task
    27: CAR_CLASS_OFFSET + CAR_TYPES.index("truck"),  # truck
    28: CAR_CLASS_OFFSET + CAR_TYPES.index("bus"),  # bus
}
"""The one table from Cityscapes label ids to the traffic simulator's segmentation ids.

Every Cityscapes id not listed (unlabeled, ego vehicle, rectification border, out of roi,
static, dynamic, ground, parking, rail track, wall, fence, guard rail, bridge, tunnel, pole,
pole group, traffic light, traffic sign, vegetation, person, rider, caravan, trailer, train,
motorcycle, bicycle) has no counterpart in the simulator and becomes ``IGNORE_ID`` (255): those
pixels count in no loss and no IoU. Car, truck and bus together are what the ``segment``
task's one car class (and its Car IoU) covers, as the simulator's car types do.
"""

_MAX_CROP = 0.05  # largest share of an image's height or width cropped away


def is_semantic_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder with an ``image_2/`` or a ``semantic/`` sub-folder (then it is read as one)."""
    path = Path(path)
    return path.is_dir() and ((path / IMAGES).is_dir() or (path / LABELS).is_dir())


def _lookup() -> np.ndarray:
    """``(CITYSCAPES_IDS,)`` uint8: the traffic id of every Cityscapes id."""
    table = np.full(CITYSCAPES_IDS, IGNORE_ID, np.uint8)
    table[list(CITYSCAPES_TO_TRAFFIC)] = list(CITYSCAPES_TO_TRAFFIC.values())
    return table


def _read_png(path: Path, label: bool) -> np.ndarray:
    """An image ``(H, W, 3)`` uint8, or a label ``(H, W)`` of Cityscapes ids (it must be grey)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if label and image.mode not in ("L", "P"):
                raise UserError(f"label {path} is a {image.mode} image; labels must be grey PNGs of Cityscapes ids "
                                f"(KITTI's {LABELS}/, not semantic_rgb/)")
            return np.asarray(image if label else image.convert("RGB"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError):
        raise UserError(f"cannot read {path}: not an image file PIL can open, or truncated") from None


def _crop(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """The centre ``height × width`` of ``array`` ``(H, W, ...)``."""
    top, left = (array.shape[0] - height) // 2, (array.shape[1] - width) // 2
    return array[top : top + height, left : left + width]


def load_semantic_folder(root: str | Path) -> dict[str, np.ndarray]:
    """``{"rgb": (N, H, W, 3) uint8, "segmentation": (N, H, W) uint8}`` from ``root/image_2`` and ``root/semantic``."""
    root = Path(root)
    for sub in (IMAGES, LABELS):
        if not (root / sub).is_dir():
            raise UserError(f"KITTI-style folder {root} has no {sub}/ sub-folder; it needs {IMAGES}/ (RGB images) "
                            f"and {LABELS}/ (grey label PNGs of Cityscapes ids)")
    images = {p.name: p for p in (root / IMAGES).glob("*.png")}
    labels = {p.name: p for p in (root / LABELS).glob("*.png")}
    if not images:
        raise UserError(f"{root / IMAGES} has no .png images")
    unpaired = sorted(images.keys() ^ labels.keys())
    if unpaired:
        name = unpaired[0]
        has, lacks = (IMAGES, LABELS) if name in images else (LABELS, IMAGES)
        raise UserError(f"{root / has / name} has no partner {root / lacks / name}; every image needs a label of the same name")
    rgb, ids = [], []
    for name in sorted(images):
        image, label = _read_png(images[name], label=False), _read_png(labels[name], label=True)
        if label.shape != image.shape[:2]:
            raise UserError(f"label {labels[name]} is {label.shape[1]}×{label.shape[0]} but its image is "
                            f"{image.shape[1]}×{image.shape[0]}")
        unknown = np.unique(label[label >= CITYSCAPES_IDS])
        if unknown.size:
            raise UserError(f"label {labels[name]} holds id(s) {', '.join(map(str, unknown))} that are no Cityscapes "
                            f"label id (0..{CITYSCAPES_IDS - 1})")
        rgb.append(image)
        ids.append(label)
    height, width = min(a.shape[0] for a in ids), min(a.shape[1] for a in ids)
    for name, label in zip(sorted(images), ids):
        if label.shape[0] > height * (1 + _MAX_CROP) or label.shape[1] > width * (1 + _MAX_CROP):
            raise UserError(f"image {images[name]} is {label.shape[1]}×{label.shape[0]}, more than 5 % larger than the "
                            f"smallest ({width}×{height}); give images of one size")
    return {
        "rgb": np.stack([_crop(a, height, width) for a in rgb]),
        "segmentation": _lookup()[np.stack([_crop(a, height, width) for a in ids])],
    }
