"""The segmentation encoder–decoder: logits for every pixel, at any image size."""

import pytest
import torch

from synthlearn.nn.unet import SmallUNet


@pytest.mark.parametrize("height, width", [(64, 64), (37, 50), (5, 3)])
def test_output_has_one_logit_per_class_and_pixel(height, width):
    model = SmallUNet(3, 7, width=4, depth=3)
    assert model(torch.zeros(2, 3, height, width)).shape == (2, 7, height, width)


def test_rejects_zero_depth():
    with pytest.raises(ValueError, match="depth=0"):
        SmallUNet(3, 7, depth=0)
