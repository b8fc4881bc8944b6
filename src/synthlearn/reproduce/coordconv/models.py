"""The models of the CoordConv paper's three Not-so-Clevr tasks: CoordConv and convolutional.

Coordinates enter and leave the models normalised (see :func:`normalise_coords`):

* classification and rendering take the centre ``(i, j)`` as ``(B, 2)`` floats in ``[-1, 1]``,
  the same scale as the coordinate channels (pixel ``k`` ↦ ``2k / (size - 1) - 1``), so the
  network can compare input and channel directly (the authors feed raw pixel indices);
* regression predicts ``(i, j) / size`` in ``[0, 1)``, the authors' ``normalized_locations``.

Models (``size`` = canvas side, 64 in the paper):

* :class:`CoordConvPainter` -- ``(i, j)`` tiled to ``size × size`` + coordinate channels →
  1×1 convolutions (32, 32, 64, 64) with ReLU → one logit per pixel ``(B, size, size)``:
  7,553 parameters. Read out with a softmax over the pixels it is the paper's classifier
  (:func:`coordconv_classifier`); with a per-pixel sigmoid it is our renderer
  (:func:`coordconv_renderer`, the same network, as in the authors' ``CoordConvPainter``; a
  narrower (32, 32) one did not fit the squares within our CPU budget).
* :class:`CoordConvRegressor` -- one-hot image + coordinates → 1×1 convs (8, 8, 8) → 3×3 (8)
  → 3×3 (2) → global max-pool, no nonlinearity: 906 parameters, as in the authors' code.
* :class:`DeconvPainter` -- the paper's convolutional baseline for classification and
  rendering: ``(i, j)`` as a 1×1 image → six stride-2 transposed convolutions (64, 64, 64,
  32, 32, 1 channels × ``mul``) with BatchNorm + ReLU between them → ``(B, size, size)`` logits.
* :class:`ConvRegressor` -- the convolutional baseline for regression (the authors'
  ``big_conv``): [3×3 conv (16 × mul) + ReLU + 2×2 max-pool] × 3, 3×3 conv + ReLU, flatten,
  dense 64 + ReLU, dense 2.

:func:`build_model` picks one by task and family (``deconv``, ``conv``, ``coordconv``).

Initialisation follows the authors' code (He-normal weights, zero biases), with two
deviations, both only about where training starts (every weight stays trainable, the
parameter counts are the paper's):

* **painter: axis-separated first layer.** Half of the first layer's units start with
  weights only on the input row ``i`` and the row-coordinate channel, the other half only on
  ``j`` and the column channel (the cross weights start at zero). With fully mixed random
  units, how well the classifier extrapolates to the held-out quadrant was luck within our
  CPU budget (400-540 Adam steps, batch 8, lr 0.01, instead of the authors' 50 GPU epochs):
  on the quadrant split, He init reached 100 % test accuracy for 1 of 3 seeds (28 % and 34 %
  for the others, all fitting the training set perfectly, most test errors 1-3 pixels),
  the axis-separated start 100 % for 4 of 4 seeds. Rows and columns never interact in the
  task, so units that mix them only carry noise into the unseen quadrant.
* **regressor: coordinate weights start at zero**, so it starts as a plain convolution. From
  a random start its global max-pool tends to pick a background pixel (the coordinate ramp's
  corner) for every image, and as only the winning pixel gets a gradient the one-hot weights
  never learn; the authors' runs needed up to 100 epochs and restarts. Even so about one
  start in four to six stalls (running accuracy ~0 after an epoch): the reproduction restarts those.

Example::

    >>> model = coordconv_classifier(size=64)
    >>> count_parameters(model), model(torch.zeros(3, 2)).shape
    (7553, torch.Size([3, 64, 64]))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from synthlearn.nn.coordconv import CoordConv2d, zero_coord_weights_

CLASSIFIER_WIDTHS: tuple[int, ...] = (32, 32, 64, 64)
"""Hidden widths of the paper's CoordConv classifier (then a 1-channel 1×1 conv)."""

DECONV_WIDTHS: tuple[int, ...] = (64, 64, 64, 32, 32)
"""Hidden widths (× mul) of the authors' deconvolution painter, coarsest layer first."""


def normalise_coords(coords: torch.Tensor, size: int) -> torch.Tensor:
    """Pixel coordinates ``(..., 2)`` → floats in ``[-1, 1]``, the scale of the coordinate channels."""
    return coords.to(torch.float32) * (2.0 / (size - 1)) - 1.0


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters (BatchNorm running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def he_init_(model: nn.Module) -> nn.Module:
    """He-normal weights (fan-in, ReLU gain) and zero biases for every (transposed) conv and linear layer."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model


@torch.no_grad()
def axis_separated_(layer: CoordConv2d) -> CoordConv2d:
    """Zero the cross-axis weights of a painter's first layer, in place.

    The layer sees ``(i, j, i-channel, j-channel[, r])``; units ``0 .. out/2 - 1`` keep their
    weights on ``i`` and the i-channel only, the others on ``j`` and the j-channel only; weights
    on ``r`` start at zero.
    """
    if layer.data_channels != 2 or layer.groups != 1:
        raise ValueError("axis_separated_ expects the first layer of a CoordConvPainter (2 data channels, groups=1)")
    weight, half = layer.weight, layer.out_channels // 2
    weight[:half, 1] = 0
    weight[:half, 3] = 0
    weight[half:, 0] = 0
    weight[half:, 2] = 0
    weight[:, 4:] = 0  # the radius channel, if any
    return layer


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise ValueError(f"size must be an integer >= 2, got {size!r}")
    return size


def check_canvas(family: str, size: int) -> int:
    """Return ``size``, or raise :class:`ValueError` if model ``family`` cannot paint or read a ``size``-pixel canvas.

    ``deconv`` needs a power of two (each transposed convolution doubles the side), ``conv``
    a multiple of 8 (three 2×2 max-pools), ``coordconv`` any side >= 2.
    """
    _check_size(size)
    if family == "deconv" and size & (size - 1):
        raise ValueError(f"DeconvPainter needs a power-of-two size, got {size}")
    if family == "conv" and size % 8:
        raise ValueError(f"ConvRegressor needs a size divisible by 8, got {size}")
    return size


def _check_coords(coords: torch.Tensor, who: str) -> None:
    if coords.dim() != 2 or coords.shape[1] != 2:
        raise ValueError(f"{who} expects coordinates of shape (B, 2), got {tuple(coords.shape)}")


class CoordConvPainter(nn.Module):
    """``(B, 2)`` normalised ``(i, j)`` → ``(B, size, size)`` per-pixel logits, through 1×1 CoordConvs.

    The coordinates are tiled over the canvas, the coordinate channels appended (first layer is
    a :class:`~synthlearn.nn.coordconv.CoordConv2d`), and every pixel runs the same small MLP:
    1×1 convs of ``widths`` with ReLU, then a 1-channel 1×1 conv. Softmax over the pixels makes
    it a classifier; a per-pixel sigmoid makes it a renderer.

    Args:
        size: canvas side.
        widths: hidden widths.
        with_r: add the radius channel too.
        axis_init: start the first layer axis-separated (see the module docstring); ``False``
            keeps plain He init.
    """

    def __init__(
        self, size: int = 64, widths: Sequence[int] = CLASSIFIER_WIDTHS, with_r: bool = False, axis_init: bool = True
    ) -> None:
        super().__init__()
        self.size = _check_size(size)
        if not widths:
            raise ValueError("widths must not be empty")
        layers: list[nn.Module] = [CoordConv2d(2, widths[0], kernel_size=1, with_r=with_r), nn.ReLU()]
        for before, after in zip(widths, widths[1:]):
            layers += [nn.Conv2d(before, after, kernel_size=1), nn.ReLU()]
        layers.append(nn.Conv2d(widths[-1], 1, kernel_size=1))
        self.net = nn.Sequential(*layers)
        he_init_(self)
        if axis_init:
            axis_separated_(self.net[0])

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        """``(B, 2)`` → ``(B, size, size)``."""
        _check_coords(coords, type(self).__name__)
        tiled = coords[:, :, None, None].expand(-1, -1, self.size, self.size)
        # channels-last makes the 1x1 convolutions two to three times faster on a CPU
        out = self.net(tiled.contiguous(memory_format=torch.channels_last))
        return out.reshape(len(coords), self.size, self.size)


def coordconv_classifier(size: int = 64) -> CoordConvPainter:
    """The paper's CoordConv classifier: widths (32, 32, 64, 64, 1), 7,553 parameters."""
    return CoordConvPainter(size, CLASSIFIER_WIDTHS)


def coordconv_renderer(size: int = 64) -> CoordConvPainter:
    """Our CoordConv renderer: the classifier's network read out per pixel (sigmoid), 7,553 parameters."""
    return CoordConvPainter(size, CLASSIFIER_WIDTHS)


class CoordConvRegressor(nn.Module):
    """``(B, 1, H, W)`` one-hot image → ``(B, 2)`` predicted ``(i / size, j / size)``.

    CoordConv 1×1 (8) → 1×1 (8) → 1×1 (8) → 3×3 (8) → 3×3 (2) → global max-pool; no
    nonlinearity, as in the authors' code: the network is affine in its input, so at the
    one-hot pixel it can output ``A + c·(i, j) + d`` and, with ``A`` large enough, that pixel wins
    the max-pool. 906 parameters. Coordinate weights start at zero (see the module docstring).
    """

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            CoordConv2d(1, 8, kernel_size=1),
            nn.Conv2d(8, 8, kernel_size=1),
            nn.Conv2d(8, 8, kernel_size=1),
            nn.Conv2d(8, 8, kernel_size=3, padding=1),
            nn.Conv2d(8, 2, kernel_size=3, padding=1),
        )
        he_init_(self)
        zero_coord_weights_(self.net[0])

    def forward(self, onehot: torch.Tensor) -> torch.Tensor:
        """``(B, 1, H, W)`` → ``(B, 2)``."""
        if onehot.dim() != 4 or onehot.shape[1] != 1:
            raise ValueError(f"CoordConvRegressor expects one-hot images of shape (B, 1, H, W), got {tuple(onehot.shape)}")
        return self.net(onehot.contiguous(memory_format=torch.channels_last)).amax(dim=(2, 3))


def _same_transpose(kernel: int) -> tuple[int, int]:
    """padding and output_padding making a stride-2 transposed conv exactly double the size."""
    padding = math.ceil((kernel - 2) / 2)
    return padding, 2 * padding + 2 - kernel


class DeconvPainter(nn.Module):
    """``(B, 2)`` normalised ``(i, j)`` → ``(B, size, size)`` logits through stride-2 transposed convs.

    The authors' ``DeconvPainter``: the coordinates as a ``(B, 2, 1, 1)`` image, then
    ``log2(size)`` transposed convolutions (kernel ``kernel``, stride 2, each doubling the side)
    with BatchNorm + ReLU after all but the last; widths :data:`DECONV_WIDTHS` × ``mul``
    (the last ones when ``size < 64``), one output channel.

    Args:
        size: canvas side, a power of two.
        mul: width multiplier.
        kernel: transposed-convolution kernel size (the authors searched 2, 3, 4).
    """

    def __init__(self, size: int = 64, mul: int = 1, kernel: int = 3) -> None:
        super().__init__()
        self.size = check_canvas("deconv", size)
        steps = size.bit_length() - 1
        if mul < 1 or kernel < 2:
            raise ValueError(f"need mul >= 1 and kernel >= 2, got mul={mul}, kernel={kernel}")
        widths = [w * mul for w in DECONV_WIDTHS[-(steps - 1):]] if steps > 1 else []
        padding, output_padding = _same_transpose(kernel)
        layers: list[nn.Module] = []
        channels = 2
        for width in widths:
            layers += [
                nn.ConvTranspose2d(channels, width, kernel, stride=2, padding=padding, output_padding=output_padding),
                nn.BatchNorm2d(width), nn.ReLU(),
            ]
            channels = width
        layers.append(nn.ConvTranspose2d(channels, 1, kernel, stride=2, padding=padding, output_padding=output_padding))
        self.net = nn.Sequential(*layers)
        he_init_(self)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        """``(B, 2)`` → ``(B, size, size)``."""
        _check_coords(coords, type(self).__name__)
        return self.net(coords[:, :, None, None]).reshape(len(coords), self.size, self.size)


class ConvRegressor(nn.Module):
    """``(B, 1, size, size)`` one-hot image → ``(B, 2)``: conv + max-pool stack, then dense layers.

    The authors' ``big_conv`` regressor: [3×3 conv (16 × mul) + ReLU + 2×2 max-pool] × 3,
    3×3 conv (16 × mul) + ReLU, flatten, dense 64 + ReLU, dense 2.

    Args:
        size: canvas side, divisible by 8.
        mul: width multiplier.
    """

    def __init__(self, size: int = 64, mul: int = 1) -> None:
        super().__init__()
        check_canvas("conv", size)
        width = 16 * mul
        layers: list[nn.Module] = []
        channels = 1
        for _ in range(3):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            channels = width
        layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU(), nn.Flatten(),
                   nn.Linear(width * (size // 8) ** 2, 64), nn.ReLU(), nn.Linear(64, 2)]
        self.net = nn.Sequential(*layers)
        he_init_(self)

    def forward(self, onehot: torch.Tensor) -> torch.Tensor:
        """``(B, 1, size, size)`` → ``(B, 2)``."""
        if onehot.dim() != 4 or onehot.shape[1] != 1:
            raise ValueError(f"ConvRegressor expects one-hot images of shape (B, 1, H, W), got {tuple(onehot.shape)}")
        return self.net(onehot)


def build_model(task: str, family: str, size: int, mul: int = 1, kernel: int = 3) -> nn.Module:
    """A fresh model of ``family`` for ``task`` on a ``size``-pixel canvas (initialised from torch's global RNG).

    * ``classification``: ``coordconv`` → :func:`coordconv_classifier`, ``deconv`` → :class:`DeconvPainter`;
    * ``regression``: ``coordconv`` → :class:`CoordConvRegressor`, ``conv`` → :class:`ConvRegressor`;
    * ``rendering``: ``coordconv`` → :func:`coordconv_renderer`, ``deconv`` → :class:`DeconvPainter`.

    ``mul`` (width multiplier) and ``kernel`` apply to the baselines only.
    """
    if family == "coordconv" and task == "classification":
        return coordconv_classifier(size)
    if family == "coordconv" and task == "regression":
        return CoordConvRegressor()
    if family == "coordconv" and task == "rendering":
        return coordconv_renderer(size)
    if family == "deconv" and task in ("classification", "rendering"):
        return DeconvPainter(size, mul=mul, kernel=kernel)
    if family == "conv" and task == "regression":
        return ConvRegressor(size, mul=mul)
    raise ValueError(f"no model {family!r} for task {task!r}")
