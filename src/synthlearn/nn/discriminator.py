"""The SimGAN local (patch) discriminator: one real-vs-refined logit per image patch.

Architecture (Shrivastava et al., CVPR 2017, eye model)::

    conv3×3 stride s₁, w₁ maps (96) → ReLU → conv3×3 stride s₂, w₂ maps (64) → ReLU
    → max-pool 3×3 stride 1 → conv3×3 stride 1, w₃ maps (32) → ReLU → conv1×1, w₄ maps (32) → ReLU
    → conv1×1 → logits

The paper ends with a 1×1 convolution to 2 maps and a softmax over {real, refined}; a softmax
over two logits equals the sigmoid of their difference, so this module outputs that single
difference: ``(B, 1, h, w)`` logits, positive = "this patch looks real". Each position of the
``h × w`` map sees only its receptive field (a local patch), so the adversarial loss is a sum
or mean of per-patch losses (:mod:`synthlearn.losses.simgan`).

With the paper's settings (no padding, strides 2, 2) a 35×55 (H×W) eye image gives a 4×9 map.
Tiny images need ``padding=1`` (8×8 digits with strides (1, 2) and padding 1 give a 4×4 map).

Example::

    >>> D = PatchDiscriminator(1)
    >>> D(torch.zeros(2, 1, 35, 55)).shape
    torch.Size([2, 1, 4, 9])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class PatchDiscriminator(nn.Module):
    """``(B, C, H, W)`` images in ``[-1, 1]`` → ``(B, 1, h, w)`` per-patch logits (positive = real).

    Args:
        in_channels: C of the images.
        widths: maps of the four hidden convolutions (paper: 96, 64, 32, 32).
        strides: strides of the first two 3×3 convolutions (paper: 2, 2).
        padding: zero padding of every 3×3 convolution and of the pool (paper: 0).
        pool: keep the 3×3 stride-1 max-pool (paper: yes).
    """

    def __init__(
        self,
        in_channels: int = 1,
        widths: Sequence[int] = (96, 64, 32, 32),
        strides: Sequence[int] = (2, 2),
        padding: int = 0,
        pool: bool = True,
    ) -> None:
        super().__init__()
        if len(widths) != 4 or min(widths) < 1:
            raise ValueError(f"widths must be four positive integers, got {list(widths)}")
        if len(strides) != 2 or min(strides) < 1:
            raise ValueError(f"strides must be two positive integers, got {list(strides)}")
        if padding not in (0, 1):
            raise ValueError(f"padding must be 0 or 1, got {padding}")
        w1, w2, w3, w4 = widths
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, w1, 3, stride=strides[0], padding=padding), nn.ReLU(inplace=True),
            nn.Conv2d(w1, w2, 3, stride=strides[1], padding=padding), nn.ReLU(inplace=True),
        ]
        if pool:
            layers.append(nn.MaxPool2d(3, stride=1, padding=padding))
        layers += [
            nn.Conv2d(w2, w3, 3, padding=padding), nn.ReLU(inplace=True),
            nn.Conv2d(w3, w4, 1), nn.ReLU(inplace=True),
            nn.Conv2d(w4, 1, 1),
        ]
        self.in_channels = in_channels
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"expected images (B, {self.in_channels}, H, W), got {tuple(x.shape)}")
        out = self.net(x)
        if out.shape[-1] < 1 or out.shape[-2] < 1:
            raise ValueError(f"images of size {tuple(x.shape[2:])} are too small for this discriminator; use padding=1 or smaller strides")
        return out

    def map_size(self, height: int, width: int) -> tuple[int, int]:
        """``(h, w)`` of the logit map for ``height × width`` images."""
        with torch.no_grad():
            return tuple(self.net(torch.zeros(1, self.in_channels, height, width)).shape[2:])  # type: ignore[return-value]
