"""A small U-Net-style encoder–decoder that labels every pixel, sized for a CPU."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def _block(in_channels: int, out_channels: int) -> nn.Sequential:
    """3×3 conv → BatchNorm → ReLU, keeping H and W: ``(B, in, H, W) → (B, out, H, W)``."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False), nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class SmallUNet(nn.Module):
    """Fully convolutional encoder–decoder with skip connections: ``(B, C, H, W) → (B, classes, H, W)`` logits.

    The encoder is a stem block at full resolution, then ``depth`` stages of 2×2 max-pooling
    and a conv block, doubling the channels each stage (``width · 2^i``). The decoder climbs
    back: each stage upsamples (nearest) to the size of the encoder map of the level above,
    concatenates it (the skip connection) and applies a conv block; a 1×1 conv gives the
    logits. Pooling rounds sizes up, so any H and W work (an image of 1242×375 as well as 64×64).

    Args:
        in_channels: C of the input.
        classes: logits per pixel.
        width: channels of the full-resolution blocks.
        depth: pooling stages (feature maps shrink to about ``H / 2^depth``).

    Example::

        >>> model = SmallUNet(3, 7, width=8, depth=3)
        >>> model(torch.zeros(2, 3, 40, 64)).shape
        torch.Size([2, 7, 40, 64])
    """

    def __init__(self, in_channels: int, classes: int, width: int = 16, depth: int = 3) -> None:
        super().__init__()
        if depth < 1 or width < 1 or classes < 1:
            raise ValueError(f"depth, width and classes must be >= 1, got depth={depth}, width={width}, classes={classes}")
        channels = [width * 2**i for i in range(depth + 1)]
        self.stem = _block(in_channels, channels[0])
        self.down = nn.ModuleList(_block(channels[i], channels[i + 1]) for i in range(depth))
        self.up = nn.ModuleList(_block(channels[i + 1] + channels[i], channels[i]) for i in range(depth))
        self.head = nn.Conv2d(channels[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.stem(x)]
        for block in self.down:
            skips.append(block(F.max_pool2d(skips[-1], 2, ceil_mode=True)))
        y = skips.pop()
        for block in reversed(self.up):
            skip = skips.pop()
            y = block(torch.cat([F.interpolate(y, size=skip.shape[-2:], mode="nearest"), skip], dim=1))
        return self.head(y)
