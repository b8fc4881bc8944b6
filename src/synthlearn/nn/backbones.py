"""Small convolutional task models that train in seconds on a CPU."""

from __future__ import annotations

import torch
from torch import nn

from synthlearn.nn.coordconv import CoordConv2d


class SmallCNN(nn.Module):
    """A stack of 3×3 conv blocks, global average pooling and a linear head.

    Each block is conv (stride 2 while the feature map is larger than 4×4) → BatchNorm →
    ReLU, and doubles the width up to ``8 × width``.

    Args:
        in_channels: C of the input ``(B, C, H, W)``.
        out_features: size of the output ``(B, out_features)``.
        width: channels of the first block.
        depth: number of conv blocks.
        input_size: H (= W) of the inputs, used to decide where to stop striding.
        coord_conv: make the first convolution a :class:`~synthlearn.nn.coordconv.CoordConv2d`
            (the input gains i, j coordinate channels), so position is easy to use.

    Example::

        >>> model = SmallCNN(3, 5, width=16, depth=4, input_size=64)
        >>> model(torch.zeros(2, 3, 64, 64)).shape
        torch.Size([2, 5])
    """

    def __init__(
        self, in_channels: int, out_features: int, width: int = 16, depth: int = 4, input_size: int = 64, coord_conv: bool = False
    ) -> None:
        super().__init__()
        if depth < 1 or width < 1:
            raise ValueError(f"depth and width must be >= 1, got depth={depth}, width={width}")
        layers: list[nn.Module] = []
        channels, size = in_channels, input_size
        for i in range(depth):
            out = width * min(2**i, 8)
            stride = 2 if size > 4 else 1
            conv = CoordConv2d if coord_conv and i == 0 else nn.Conv2d
            layers += [conv(channels, out, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
            channels, size = out, (size + stride - 1) // stride
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(channels, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W)`` → ``(B, out_features)``."""
        return self.head(self.features(x).mean(dim=(2, 3)))
