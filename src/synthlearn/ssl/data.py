"""The images an NPID run learns from, and the pixel scale they share.

:func:`load_training_images` reads :class:`~synthlearn.ssl.config.NPIDData`: a real source
(labels kept aside for the kNN monitor only), optionally with synthetic images appended, and
returns them as one ``(N, 1, H, W)`` float32 tensor in ``[0, 1]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.data.sources import load_synthetic, load_unlabelled_npz
from synthlearn.errors import UserError
from synthlearn.ssl.config import NPIDData

_SUBSET_STREAM = 31  # stream id under the data seed for the subset choice


@dataclass(frozen=True)
class TrainingImages:
    """Images ``(N, 1, H, W)`` float32 in ``[0, 1]``; ``labels`` ``(N_real,)`` of the first ``N_real`` images, or None."""

    images: torch.Tensor
    labels: np.ndarray | None
    scale: float

    def __len__(self) -> int:
        return len(self.images)


def default_scale(source: str | None) -> float:
    """The pixel maximum of a source: 16 for scikit-learn's digits, else 255."""
    return 16.0 if source == SKLEARN_DIGITS else 255.0


def to_unit_tensor(images: np.ndarray, scale: float) -> torch.Tensor:
    """Grey images ``(N, H, W)`` → float32 ``(N, 1, H, W)`` in ``[0, 1]``."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise UserError(f"NPID takes grey images (N, H, W); got shape {images.shape}")
    return torch.from_numpy(np.clip(images.astype(np.float32) / scale, 0.0, 1.0)).unsqueeze(1)


def load_training_images(spec: NPIDData, seed: int) -> TrainingImages:
    """The run's training images (real first, then synthetic) and the real images' labels, if any."""
    scale = spec.input_scale or default_scale(spec.source)
    parts: list[np.ndarray] = []
    labels: np.ndarray | None = None
    if spec.source is not None:
        unlabelled = load_unlabelled_npz(spec.source)
        if unlabelled is not None and spec.split == "pool":
            raise UserError(f"{spec.source} has no labels, so the protocol split cannot be made; set data.split: all")
        real = load_real(spec.source) if unlabelled is None else None
        images, labels = (real.images, real.labels) if real is not None else (unlabelled, None)
        if real is not None and spec.split == "pool":
            split = split_real(real, seed=spec.split_seed)
            images, labels = split.pool, None  # the pool's labels are never read
        if spec.subset is not None and spec.subset < len(images):
            keep = np.sort(seeding.generator(seed, _SUBSET_STREAM).choice(len(images), spec.subset, replace=False))
            images = images[keep]
            labels = labels[keep] if labels is not None else None
        parts.append(images)
    if spec.synthetic is not None:
        layers = load_synthetic(spec.synthetic)
        parts.append(layers[spec.synthetic.image_layer])
    shapes = {p.shape[1:] for p in parts}
    if len(shapes) > 1:
        raise UserError(f"real and synthetic images differ in shape: {' vs '.join(map(str, sorted(shapes)))}")
    tensor = torch.cat([to_unit_tensor(p, scale) for p in parts])
    if len(tensor) < 2:
        raise UserError(f"NPID needs at least 2 training images, got {len(tensor)}")
    return TrainingImages(tensor, labels, scale)
