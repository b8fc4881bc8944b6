"""The SimGAN refiner: a fully convolutional ResNet that maps an image to an image of the same size.

Architecture (Shrivastava et al., CVPR 2017, eye model): a 3×3 convolution to ``width`` maps,
``blocks`` ResNet blocks (two 3×3 convolutions with ``width`` maps and an identity skip), and a
1×1 convolution back to the input's channels, followed by ``tanh``. Every convolution has
stride 1 and "same" padding and there is no pooling, so the output has the input's size and
each output pixel depends only on a small neighbourhood (``2 + 4·blocks`` pixels across), which
is what keeps a refined image close to its synthetic original.

Images go in and come out scaled to ``[-1, 1]`` (see :func:`to_unit_range`).

``residual=True`` (not in the paper) makes the refiner predict a correction instead:
``R(x) = x + head(·)`` with the head initialised to zero, so R starts as the exact identity
(pretraining on self-regularisation is then unnecessary) and pixels it leaves alone keep their
exact values, e.g. a background of exact zeros. The output is not bounded (a clamp would stop
the gradient of saturated pixels); conversion back to stored images clips it.

Example::

    >>> refiner = Refiner(in_channels=1, width=64, blocks=4)
    >>> refiner(torch.zeros(2, 1, 35, 55)).shape
    torch.Size([2, 1, 35, 55])
"""

from __future__ import annotations

import torch
from torch import nn


def to_unit_range(images: torch.Tensor, pixel_max: float) -> torch.Tensor:
    """Pixel values in ``[0, pixel_max]`` → ``[-1, 1]`` (any shape)."""
    return images * (2.0 / pixel_max) - 1.0


def from_unit_range(images: torch.Tensor, pixel_max: float) -> torch.Tensor:
    """Inverse of :func:`to_unit_range`: ``[-1, 1]`` → ``[0, pixel_max]``."""
    return (images + 1.0) * (pixel_max / 2.0)


class ResnetBlock(nn.Module):
    """``x → relu(x + conv3×3(relu(conv3×3(x))))`` with ``channels`` maps; ``(B, C, H, W)`` → same shape."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.conv2(torch.relu(self.conv1(x))))


class Refiner(nn.Module):
    """Fully convolutional ResNet refiner; ``(B, C, H, W)`` in ``[-1, 1]`` → ``(B, C, H, W)`` (in ``[-1, 1]`` unless residual).

    Args:
        in_channels: C of the images (1 for grey).
        width: feature maps of every hidden convolution (paper: 64).
        blocks: number of ResNet blocks (paper: 4).
        residual: output ``clamp(x + correction, −1, 1)`` starting from the identity, instead of
            the paper's ``tanh(head(·))``.

    Example::

        >>> Refiner(1, width=16, blocks=2)(torch.zeros(3, 1, 8, 8)).shape
        torch.Size([3, 1, 8, 8])
    """

    def __init__(self, in_channels: int = 1, width: int = 64, blocks: int = 4, residual: bool = False) -> None:
        super().__init__()
        if in_channels < 1 or width < 1 or blocks < 0:
            raise ValueError(f"expected in_channels >= 1, width >= 1, blocks >= 0; got {in_channels}, {width}, {blocks}")
        self.stem = nn.Conv2d(in_channels, width, 3, padding=1)
        self.blocks = nn.Sequential(*[ResnetBlock(width) for _ in range(blocks)])
        self.head = nn.Conv2d(width, in_channels, 1)
        self.residual = residual
        if residual:
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.stem.in_channels:
            raise ValueError(f"expected images (B, {self.stem.in_channels}, H, W), got {tuple(x.shape)}")
        out = self.head(self.blocks(torch.relu(self.stem(x))))
        return x + out if self.residual else torch.tanh(out)
