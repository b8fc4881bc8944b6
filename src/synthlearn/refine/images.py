"""Conversions between stored image arrays and the refiner's tensors, and the saved refiner file.

Stored images are ``(N, H, W)`` (grey) or ``(N, H, W, C)`` arrays with values in
``[0, pixel_max]`` (uint8 0..16 for optdigits, 0..255 for 8-bit images). The refiner works on
``(N, C, H, W)`` float tensors in ``[-1, 1]``. Converting back rounds to the stored dtype when
it is an integer type, so a refined dataset is read exactly like the synthetic one.

``RUN/refiner.pt`` (written by :mod:`synthlearn.refine.run`) holds the refiner's weights and
what is needed to rebuild and apply it; it loads with ``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn.checkpoint import load_checkpoint
from synthlearn.errors import UserError
from synthlearn.nn.refiner import Refiner, from_unit_range, to_unit_range
from synthlearn.train.tasks import images_to_tensor

REFINER_FILE = "refiner.pt"
REFINER_FORMAT = "synthlearn-refiner/1"


def images_to_unit(images: np.ndarray, pixel_max: float) -> torch.Tensor:
    """``(N, H, W)`` or ``(N, H, W, C)`` in ``[0, pixel_max]`` → float32 ``(N, C, H, W)`` in ``[-1, 1]``."""
    return to_unit_range(images_to_tensor(np.asarray(images), 1.0), float(pixel_max))


def unit_to_images(tensor: torch.Tensor, pixel_max: float, dtype: np.dtype, grey: bool) -> np.ndarray:
    """Inverse of :func:`images_to_unit`: ``(N, C, H, W)`` in ``[-1, 1]`` → ``(N, H, W)`` (grey) or ``(N, H, W, C)``.

    Values are clipped to ``[0, pixel_max]`` and, for an integer ``dtype``, rounded.
    """
    array = from_unit_range(tensor.detach().float(), float(pixel_max)).clamp(0, float(pixel_max)).numpy()
    array = array[:, 0] if grey else array.transpose(0, 2, 3, 1)
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer):
        array = np.rint(array)
    return np.ascontiguousarray(array.astype(dtype))


def refiner_record(refiner: Refiner, pixel_max: float, image_shape: tuple[int, ...], name: str) -> dict[str, Any]:
    """The content of ``refiner.pt``: weights plus how to rebuild and apply them (weights-only loadable)."""
    return {
        "format": REFINER_FORMAT,
        "state_dict": {k: v.detach().clone() for k, v in refiner.state_dict().items()},
        "in_channels": int(image_shape[0]),
        "width": int(refiner.stem.out_channels),
        "blocks": len(refiner.blocks),
        "residual": bool(refiner.residual),
        "pixel_max": float(pixel_max),
        "image_shape": [int(s) for s in image_shape],
        "name": name,
    }


def load_refiner(path: str | Path) -> tuple[Refiner, dict[str, Any]]:
    """The refiner saved at ``path`` (a ``refiner.pt`` or a run folder holding one), in eval mode, and its record."""
    path = Path(path)
    if path.is_dir():
        path = path / REFINER_FILE
    if not path.is_file():
        raise UserError(f"{path} does not exist: not a finished refiner run (run `synthlearn refine run` first)")
    record = load_checkpoint(path, "refiner file")
    if not isinstance(record, dict) or record.get("format") != REFINER_FORMAT:
        raise UserError(f"{path} is not a {REFINER_FORMAT} file")
    refiner = Refiner(record["in_channels"], record["width"], record["blocks"], bool(record.get("residual", False)))
    refiner.load_state_dict(record["state_dict"])
    refiner.eval()
    return refiner, record
