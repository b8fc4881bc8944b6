"""CoordConv layers: coordinate values, the plain-conv special case, drop-in shapes, clear errors."""

import math

import pytest
import torch
from torch import nn

from synthlearn.nn.coordconv import (
    AddCoords,
    CoordConv2d,
    CoordConvTranspose2d,
    add_coords,
    coordinate_grid,
    zero_coord_weights_,
)


def test_add_coords_shapes_and_values():
    x = torch.randn(2, 3, 5, 7)
    out = add_coords(x)
    assert out.shape == (2, 5, 5, 7) and out.dtype == x.dtype
    assert torch.equal(out[:, :3], x)
    i, j = out[0, 3], out[0, 4]
    assert torch.equal(i[0], torch.full((7,), -1.0)) and torch.equal(i[-1], torch.full((7,), 1.0))
    assert torch.equal(j[:, 0], torch.full((5,), -1.0)) and torch.equal(j[:, -1], torch.full((5,), 1.0))
    reference = lambda n: torch.tensor([2 * k / (n - 1) - 1 for k in range(n)], dtype=torch.float32)  # noqa: E731
    assert torch.equal(i[:, 0], reference(5)) and torch.equal(j[0], reference(7))
    assert torch.equal(i[:, 3], i[:, 0]) and torch.equal(j[2], j[0])
    assert torch.equal(out[0, 3:], out[1, 3:])  # same grid for every sample


def test_radius_is_zero_at_the_centre_and_sqrt2_at_corners():
    out = AddCoords(with_r=True)(torch.zeros(1, 1, 9, 9))
    assert out.shape == (1, 4, 9, 9)
    r = out[0, 3]
    assert r[4, 4] == 0 and r.min() == 0
    assert math.isclose(float(r[0, 0]), math.sqrt(2), rel_tol=1e-6) and math.isclose(float(r[0, 4]), 1.0)
    assert torch.allclose(r, torch.sqrt(out[0, 1] ** 2 + out[0, 2] ** 2))
    even = coordinate_grid(4, 4, with_r=True)[2]  # even sides: centre between pixels, radius symmetric
    assert torch.allclose(even, even.flip(0)) and torch.allclose(even, even.flip(1)) and even.min() > 0


def test_single_pixel_axis_is_centred():
    assert torch.equal(coordinate_grid(1, 3)[0], torch.zeros(1, 3))


def test_zero_coordinate_weights_give_the_plain_convolution():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 8)
    layer = zero_coord_weights_(CoordConv2d(3, 4, kernel_size=3, padding=1, stride=2, with_r=True))
    assert layer.weight.shape == (4, 6, 3, 3)
    expected = nn.functional.conv2d(x, layer.weight[:, :3], layer.bias, stride=2, padding=1)
    assert torch.allclose(layer(x), expected, atol=1e-6)

    t = zero_coord_weights_(CoordConvTranspose2d(3, 4, kernel_size=4, stride=2, padding=1))
    assert t.weight.shape == (5, 4, 4, 4)
    expected = nn.functional.conv_transpose2d(x, t.weight[:3], t.bias, stride=2, padding=1)
    assert torch.allclose(t(x), expected, atol=1e-6)


def test_zero_coordinate_weights_with_groups():
    torch.manual_seed(1)
    x = torch.randn(1, 4, 6, 6)
    layer = zero_coord_weights_(CoordConv2d(4, 6, kernel_size=1, groups=3))  # 6 channels seen, 2 per group
    full = add_coords(x)
    data_only = torch.cat([x, torch.zeros(1, 2, 6, 6)], dim=1)
    assert torch.allclose(nn.functional.conv2d(full, layer.weight, layer.bias, groups=3),
                          nn.functional.conv2d(data_only, layer.weight, layer.bias, groups=3), atol=1e-6)


def test_drop_in_shapes_and_gradients():
    layer = CoordConv2d(3, 8, kernel_size=3, stride=2, padding=1)
    x = torch.randn(4, 3, 32, 32, requires_grad=True)
    out = layer(x)
    assert out.shape == nn.Conv2d(3, 8, 3, stride=2, padding=1)(x).shape == (4, 8, 16, 16)
    out.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape
    assert isinstance(layer, nn.Conv2d) and "with_r=False" in repr(layer)
    up = CoordConvTranspose2d(8, 2, kernel_size=3, stride=2, padding=1, output_padding=1)
    assert up(out.detach()).shape == (4, 2, 32, 32)
    assert up(out.detach(), output_size=[31, 31]).shape == (4, 2, 31, 31)
    model = nn.Sequential(CoordConv2d(1, 4, 3, padding=1, with_r=True), nn.ReLU(), CoordConv2d(4, 1, 1))
    assert model(torch.zeros(2, 1, 5, 5)).shape == (2, 1, 5, 5)


def test_channels_last_input_stays_channels_last():
    x = torch.randn(2, 3, 6, 6).contiguous(memory_format=torch.channels_last)
    out = add_coords(x)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(out, add_coords(x.contiguous()))


@pytest.mark.parametrize("call,message", [
    (lambda: add_coords(torch.zeros(3, 4, 4)), r"4-D tensor of shape \(B, C, H, W\), got 3-D"),
    (lambda: add_coords(torch.zeros(4, 4)), r"4-D tensor of shape \(B, C, H, W\), got 2-D"),
    (lambda: add_coords(torch.zeros(1, 1, 4, 4, dtype=torch.int64)), "floating-point"),
    (lambda: add_coords([[1.0]]), "torch.Tensor"),
    (lambda: CoordConv2d(3, 4, 3)(torch.zeros(1, 2, 8, 8)), r"CoordConv2d expects input of shape \(B, 3, H, W\)"),
    (lambda: CoordConv2d(3, 4, 3)(torch.zeros(3, 8, 8)), "x.unsqueeze"),
    (lambda: CoordConvTranspose2d(3, 4, 3)(torch.zeros(1, 5, 8, 8)), r"\(B, 3, H, W\)"),
    (lambda: CoordConv2d(3, 4, 3, groups=2), "divisible by groups=2"),
    (lambda: coordinate_grid(0, 3), "height must be a positive integer"),
])
def test_bad_inputs_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
