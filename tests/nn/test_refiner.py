"""SimGAN networks: the refiner keeps the image size; the discriminator gives a map of patch logits."""

import pytest
import torch

from synthlearn.nn.discriminator import PatchDiscriminator
from synthlearn.nn.refiner import Refiner, from_unit_range, to_unit_range


@pytest.mark.parametrize("channels,height,width", [(1, 8, 8), (1, 35, 55), (3, 13, 7), (1, 1, 1)])
def test_refiner_output_size_equals_input_size(channels, height, width):
    refiner = Refiner(channels, width=8, blocks=2)
    x = torch.rand(2, channels, height, width) * 2 - 1
    y = refiner(x)
    assert y.shape == x.shape and y.abs().max() <= 1.0
    assert not any(getattr(m, "stride", (1, 1)) != (1, 1) for m in refiner.modules() if isinstance(m, torch.nn.Conv2d))


def test_refiner_paper_size_and_locality():
    refiner = Refiner(1, width=64, blocks=4)
    assert len(refiner.blocks) == 4 and refiner.stem.out_channels == 64 and refiner.head.kernel_size == (1, 1)
    # Receptive field: 1 + 2 (stem) + 4 blocks × 4 = 19 pixels across; a far pixel cannot change an output.
    x = (torch.rand(1, 1, 35, 55) * 2 - 1).requires_grad_(True)
    refiner(x)[0, 0, 17, 27].backward()
    touched = x.grad[0, 0].abs() > 0
    assert touched.any()
    rows, cols = touched.nonzero(as_tuple=True)
    assert rows.min() >= 17 - 9 and rows.max() <= 17 + 9 and cols.min() >= 27 - 9 and cols.max() <= 27 + 9


def test_unit_range_round_trip():
    x = torch.tensor([0.0, 8.0, 16.0])
    assert torch.equal(to_unit_range(x, 16), torch.tensor([-1.0, 0.0, 1.0]))
    assert torch.allclose(from_unit_range(to_unit_range(x, 16), 16), x)


def test_discriminator_paper_map_for_eye_images():
    D = PatchDiscriminator(1)  # paper: 96, 64, maxpool, 32, 32, strides 2, 2, no padding
    logits = D(torch.zeros(3, 1, 35, 55))
    assert logits.shape == (3, 1, 4, 9) and D.map_size(35, 55) == (4, 9)


def test_discriminator_digits_map_and_bad_arguments():
    D = PatchDiscriminator(1, widths=(8, 8, 4, 4), strides=(1, 2), padding=1)
    assert D(torch.zeros(2, 1, 8, 8)).shape == (2, 1, 4, 4)
    with pytest.raises(ValueError, match="widths"):
        PatchDiscriminator(1, widths=(8, 8))
    with pytest.raises(ValueError, match="expected images"):
        D(torch.zeros(2, 3, 8, 8))
