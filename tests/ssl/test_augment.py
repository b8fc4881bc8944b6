"""Batched augmentations: shapes, determinism, the identity and flip limits, jitter, and settings validation."""

import pytest
import torch

from synthlearn.config import dump_config, parse_config
from synthlearn.errors import UserError
from synthlearn.ssl.augment import DIGIT_AUGMENT, AugmentSettings, augment

IDENTITY = AugmentSettings(crop_scale=(1, 1), crop_ratio=(1, 1), hflip=False, brightness=0, contrast=0)


def batch(b=16, h=12, w=12, seed=0):
    return torch.rand(b, 1, h, w, generator=torch.Generator().manual_seed(seed))


def seeded(seed):
    return torch.Generator().manual_seed(seed)


def test_shape_and_range_kept():
    images = batch(h=12, w=10)
    out = augment(images, AugmentSettings(), seeded(0))
    assert out.shape == images.shape and out.dtype == images.dtype
    assert out.min() >= 0 and out.max() <= 1
    assert not torch.equal(out, images)


def test_same_seed_same_output_different_seed_different_output():
    images = batch()
    first, again = augment(images, AugmentSettings(), seeded(3)), augment(images, AugmentSettings(), seeded(3))
    assert torch.equal(first, again)
    other = augment(images, AugmentSettings(), seeded(4))
    assert not torch.allclose(first, other)


def test_full_square_crop_without_flip_or_jitter_is_the_identity():
    images = batch()
    assert torch.allclose(augment(images, IDENTITY, seeded(0)), images, atol=1e-5)


def test_flip_at_full_scale_mirrors_some_images_and_leaves_the_rest():
    images = batch(b=64)
    out = augment(images, IDENTITY.model_copy(update={"hflip": True}), seeded(1))
    flipped = torch.tensor([torch.allclose(o, torch.flip(i, dims=[-1]), atol=1e-5) for o, i in zip(out, images)])
    kept = torch.tensor([torch.allclose(o, i, atol=1e-5) for o, i in zip(out, images)])
    assert (flipped ^ kept).all()
    assert 16 < flipped.sum() < 48


def test_brightness_scales_each_image_by_one_factor():
    images = 0.05 + 0.45 * batch(b=32)  # in [0.05, 0.5]: a factor up to 1.4 never clips
    out = augment(images, IDENTITY.model_copy(update={"brightness": 0.4}), seeded(2))
    factors = out / images
    per_image = factors.flatten(1)
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image), atol=1e-4)
    assert per_image[:, 0].min() >= 0.6 - 1e-5 and per_image[:, 0].max() <= 1.4 + 1e-5
    assert per_image[:, 0].std() > 0.05


def test_contrast_keeps_each_mean_and_scales_the_spread():
    images = 0.3 + 0.4 * batch(b=32)  # a factor up to 1.4 about the mean stays inside [0, 1]
    out = augment(images, IDENTITY.model_copy(update={"contrast": 0.4}), seeded(5))
    assert torch.allclose(out.mean(dim=(1, 2, 3)), images.mean(dim=(1, 2, 3)), atol=1e-5)
    spread = out.std(dim=(1, 2, 3)) / images.std(dim=(1, 2, 3))
    assert spread.min() >= 0.6 - 1e-4 and spread.max() <= 1.4 + 1e-4 and spread.std() > 0.05


def test_crops_zoom_in():
    # a small crop of a left-to-right ramp spans less of the ramp than the whole image does
    ramp = torch.linspace(0, 1, 16).expand(8, 1, 16, 16).contiguous()
    settings = IDENTITY.model_copy(update={"crop_scale": (0.25, 0.25)})
    out = augment(ramp, settings, seeded(6))
    span = out[..., -1] - out[..., 0]
    assert torch.allclose(span, torch.full_like(span, 0.5), atol=0.05)


def test_settings_from_yaml_lists_and_validation():
    settings = parse_config({"crop_scale": [0.5, 1.0], "crop_ratio": [1, 1]}, AugmentSettings)
    assert settings.crop_scale == (0.5, 1.0) and settings.crop_ratio == (1.0, 1.0)
    assert "crop_scale:\n- 0.2\n- 1.0\n" in dump_config(AugmentSettings())
    assert DIGIT_AUGMENT.hflip is False and AugmentSettings().hflip is True
    for bad, reason in [({"crop_scale": [0, 1]}, "0 < low <= high <= 1"), ({"crop_scale": [0.8, 0.5]}, "0 < low <= high <= 1"),
                        ({"crop_scale": [0.5, 1.2]}, "0 < low <= high <= 1"), ({"crop_ratio": [2, 1]}, "0 < low <= high"),
                        ({"crop_scale": [0.5]}, "crop_scale"), ({"brightness": 1.5}, "brightness"), ({"contrast": -0.1}, "contrast")]:
        with pytest.raises(UserError, match=reason):
            parse_config(bad, AugmentSettings)
