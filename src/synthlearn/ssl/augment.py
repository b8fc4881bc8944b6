"""Random augmentations of a batch of small grey images, all drawn at once on the whole batch.

NPID (Wu et al. 2018) learns to tell every image apart from every other under random
resized crops, horizontal flips and intensity jitter. :func:`augment` does all three for a
``(B, C, H, W)`` batch without a loop over images:

1. random resized crop -- a box of ``crop_scale`` of the image's area and width/height
   ratio ``crop_ratio`` (log-uniform), placed uniformly inside the image and resampled to
   ``H × W`` by one ``affine_grid`` + bilinear ``grid_sample``; a box side longer than the
   image's is cut to it;
2. horizontal flip -- half of the images, by negating the affine x scale of their crop;
3. brightness -- multiply by ``U[1 - brightness, 1 + brightness]``, clamp to ``[0, 1]``;
4. contrast -- blend with the image's mean by ``U[1 - contrast, 1 + contrast]``, clamp.

Every image takes seven uniform draws from the given ``torch.Generator``, whatever the
settings, so a seed gives the same crops whether or not flips or jitter are on.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from pydantic import Field, field_validator

from synthlearn.config import Settings

_DRAWS = 7  # per image: area, log ratio, x centre, y centre, flip, brightness, contrast


class AugmentSettings(Settings):
    """Augmentations of the training images (the defaults are the NPID paper's, for clothes)."""

    crop_scale: tuple[float, float] = (0.2, 1.0)
    """Range of the crop's area as a fraction of the image's, 0 < low <= high <= 1 (the paper's 0.2..1); [1, 1] disables cropping."""
    crop_ratio: tuple[float, float] = (3 / 4, 4 / 3)
    """Range of the crop's width/height ratio, 0 < low <= high, drawn log-uniformly; [1, 1] keeps crops square."""
    hflip: bool = True
    """Mirror half of the images left-right: right for clothes (a mirrored shirt is a shirt), wrong for digits and text."""
    brightness: float = Field(0.4, ge=0, le=1)
    """Brightness jitter b: pixels times U[1 - b, 1 + b] (0: off)."""
    contrast: float = Field(0.4, ge=0, le=1)
    """Contrast jitter c: blend with the image's mean by U[1 - c, 1 + c] (0: off)."""

    @field_validator("crop_scale")
    @classmethod
    def _scale_range(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0 < low <= high <= 1:
            raise ValueError(f"crop_scale must satisfy 0 < low <= high <= 1, got {list(value)}")
        return value

    @field_validator("crop_ratio")
    @classmethod
    def _ratio_range(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0 < low <= high or not math.isfinite(high):
            raise ValueError(f"crop_ratio must satisfy 0 < low <= high (finite), got {list(value)}")
        return value


DIGIT_AUGMENT = AugmentSettings(hflip=False)
"""The preset for digits (and any images whose mirror image means something else): no flips."""


def _uniform(u: torch.Tensor, low: float, high: float) -> torch.Tensor:
    return low + (high - low) * u


def augment(images: torch.Tensor, settings: AugmentSettings, generator: torch.Generator) -> torch.Tensor:
    """A randomly cropped, flipped and jittered copy of ``images`` ``(B, C, H, W)`` float in ``[0, 1]``; same shape.

    Every draw comes from ``generator`` (on any device; the draws move to the images').
    """
    if images.ndim != 4 or not images.is_floating_point():
        raise ValueError(f"augment takes a float batch (B, C, H, W), got {images.dtype} {tuple(images.shape)}")
    batch, _, height, width = images.shape
    u = torch.rand(batch, _DRAWS, generator=generator, device=generator.device).to(images.device, images.dtype)
    area, log_ratio, x_centre, y_centre, flip, bright, contrast = u.unbind(1)

    area = _uniform(area, *settings.crop_scale)
    ratio = torch.exp(_uniform(log_ratio, *map(math.log, settings.crop_ratio)))
    # crop width and height as fractions of the image's (the ratio is in pixels, width / height)
    crop_w = torch.sqrt(area * ratio * height / width).clamp(max=1.0)
    crop_h = torch.sqrt(area / ratio * width / height).clamp(max=1.0)
    # in affine_grid's [-1, 1] coordinates the crop's centre may lie up to 1 - side away from 0
    x_shift = (1 - crop_w) * (2 * x_centre - 1)
    y_shift = (1 - crop_h) * (2 * y_centre - 1)
    x_scale = torch.where(flip < 0.5, -crop_w, crop_w) if settings.hflip else crop_w
    zero = torch.zeros_like(crop_w)
    theta = torch.stack([torch.stack([x_scale, zero, x_shift], 1), torch.stack([zero, crop_h, y_shift], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    out = F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)

    out = out * _uniform(bright, 1 - settings.brightness, 1 + settings.brightness).view(batch, 1, 1, 1)
    out = out.clamp(0.0, 1.0)
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    factor = _uniform(contrast, 1 - settings.contrast, 1 + settings.contrast).view(batch, 1, 1, 1)
    return (mean + factor * (out - mean)).clamp(0.0, 1.0)
