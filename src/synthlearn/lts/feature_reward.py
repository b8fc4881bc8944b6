"""A label-free LTS reward: how close a candidate's synthetic images are to unlabelled real ones.

Both sets are embedded by a trained NPID encoder (:mod:`synthlearn.ssl`); the reward is
−MMD² between the two feature sets (Gaussian kernel, :func:`synthlearn.ssl.distance.mmd2`).
It needs no labels and no trained task model, only the unlabelled real images a sim-to-real
user always has. The encoder, the real features and σ are computed once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from synthlearn.data.sources import RealSpec, load_real_images
from synthlearn.ssl.distance import median_bandwidth, mmd2
from synthlearn.ssl.encoder import load_encoder
from synthlearn.ssl.evaluate import check_image_size, embed_images


@dataclass(frozen=True)
class FeatureReward:
    """−MMD² to the real images of ``real`` in the feature space of the encoder at ``encoder`` (picklable)."""

    encoder: str
    real: RealSpec
    bandwidth: float | None = None
    classes: int | None = None

    def check(self, synthetic: np.ndarray) -> None:
        """Load everything once and check that ``synthetic`` images ``(n, H, W)`` fit the encoder,
        so a missing encoder, unreadable real data or a size mismatch fails before a run starts."""
        encoder = _reference(self)[0]
        check_image_size(encoder, synthetic)

    def score(self, images: np.ndarray) -> float:
        """The reward of synthetic images ``(N, H, W)`` (higher: closer to the real images)."""
        encoder, scale, real_features, sigma = _reference(self)
        return -mmd2(embed_images(encoder, images, scale, threads=1), real_features, sigma)


@lru_cache(maxsize=2)
def _reference(reward: FeatureReward) -> tuple[torch.nn.Module, float, torch.Tensor, float]:
    encoder, scale = load_encoder(reward.encoder)
    real_features = embed_images(encoder, load_real_images(reward.real), scale, threads=1)
    sigma = reward.bandwidth or median_bandwidth(real_features)
    return encoder, scale, real_features, sigma
