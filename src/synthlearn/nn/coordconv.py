"""CoordConv: convolutions that see where they are (Liu et al., NeurIPS 2018, arXiv 1807.03247).

A convolution is translation-equivariant, so it cannot map between pixel space and Cartesian
coordinates. CoordConv fixes that by concatenating the pixel coordinates to its input as
extra channels. With zero weights on those channels a CoordConv layer is exactly the plain
convolution it wraps, so it can stand wherever a convolution does.

Coordinate channels (appended after the input's ``C`` channels, in this order):

* ``i`` -- the row coordinate: varies along ``H``, ``-1`` on the first row, ``+1`` on the last;
* ``j`` -- the column coordinate: varies along ``W``, ``-1`` on the first column, ``+1`` on the last;
* ``r`` (only with ``with_r=True``) -- the Euclidean distance to the image centre in those same
  units, ``r = sqrt(i² + j²)``: ``0`` at the centre (exactly, when ``H`` and ``W`` are odd), ``1``
  at the middle of each edge and ``sqrt(2) ≈ 1.414`` at the corners. This is the scaling of the
  authors' reference code (``AddCoords`` with ``with_r``).

Pixel ``k`` of an axis of length ``n > 1`` has coordinate ``2k / (n - 1) - 1``; an axis of length
1 has the single coordinate ``0`` (its centre).

Following torchvision.ops, each operation is a function plus a thin module:
:func:`add_coords` / :class:`AddCoords`, and the drop-in layers :class:`CoordConv2d` and
:class:`CoordConvTranspose2d`, subclasses of ``nn.Conv2d`` / ``nn.ConvTranspose2d`` that take
the same arguments plus ``with_r``.

Example::

    >>> x = torch.zeros(2, 3, 8, 8)
    >>> add_coords(x).shape
    torch.Size([2, 5, 8, 8])
    >>> CoordConv2d(3, 16, kernel_size=3, padding=1, with_r=True)(x).shape
    torch.Size([2, 16, 8, 8])
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "AddCoords", "CoordConv2d", "CoordConvTranspose2d", "add_coords", "coord_channels", "coordinate_grid",
    "zero_coord_weights_",
]


def coord_channels(with_r: bool = False) -> int:
    """How many channels :func:`add_coords` appends: 2, or 3 with the radius channel."""
    return 3 if with_r else 2


def _axis(n: int, dtype: torch.dtype, device: torch.device | None) -> torch.Tensor:
    if n == 1:
        return torch.zeros(1, dtype=dtype, device=device)
    # 2k/(n-1) - 1 computed in float64 then cast: exact -1 and +1 at the ends, symmetric values.
    k = torch.arange(n, dtype=torch.float64, device=device)
    return (2.0 * k / (n - 1) - 1.0).to(dtype)


def coordinate_grid(
    height: int,
    width: int,
    with_r: bool = False,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The coordinate channels alone, shape ``(2, H, W)`` (``(3, H, W)`` with ``with_r``).

    Channel 0 is ``i`` (rows), channel 1 is ``j`` (columns), channel 2 is ``r``; see the module
    docstring for the scaling.

    Example::

        >>> coordinate_grid(3, 3, with_r=True)[:, 1, 1]   # the centre pixel
        tensor([0., 0., 0.])
    """
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"coordinate_grid: {name} must be a positive integer, got {value!r}")
    if not dtype.is_floating_point:
        raise ValueError(f"coordinate_grid: dtype must be a floating-point type, got {dtype}")
    device = torch.device(device) if device is not None else None
    i = _axis(height, dtype, device)[:, None].expand(height, width)
    j = _axis(width, dtype, device)[None, :].expand(height, width)
    channels = [i, j]
    if with_r:
        channels.append(torch.sqrt(i * i + j * j))
    return torch.stack(channels)


def _check_4d(x: object, who: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{who} expects a torch.Tensor of shape (B, C, H, W), got {type(x).__name__}")
    if x.dim() != 4:
        raise ValueError(
            f"{who} expects a 4-D tensor of shape (B, C, H, W), got {x.dim()}-D with shape {tuple(x.shape)}"
            + ("; add a batch axis with x.unsqueeze(0)" if x.dim() == 3 else "")
        )
    if not x.is_floating_point():
        raise ValueError(f"{who} expects a floating-point tensor, got dtype {x.dtype}")
    return x


def add_coords(x: torch.Tensor, with_r: bool = False) -> torch.Tensor:
    """Append coordinate channels to a batch of feature maps.

    Args:
        x: floating-point tensor ``(B, C, H, W)``.
        with_r: also append the distance-to-centre channel ``r``.

    Returns:
        ``(B, C + 2, H, W)`` (``C + 3`` with ``with_r``): ``x`` followed by ``i``, ``j`` (and
        ``r``), same dtype and device as ``x``. Gradients flow to ``x`` only.

    Raises:
        ValueError: ``x`` is not a 4-D floating-point tensor.

    Example::

        >>> out = add_coords(torch.zeros(1, 1, 4, 4))
        >>> out[0, 1, :, 0]           # i: -1 on the first row, +1 on the last
        tensor([-1.0000, -0.3333,  0.3333,  1.0000])
    """
    x = _check_4d(x, "add_coords")
    batch, _, height, width = x.shape
    grid = coordinate_grid(height, width, with_r=with_r, dtype=x.dtype, device=x.device)
    out = torch.cat([x, grid.unsqueeze(0).expand(batch, -1, -1, -1)], dim=1)
    if not x.is_contiguous() and x.is_contiguous(memory_format=torch.channels_last):
        out = out.contiguous(memory_format=torch.channels_last)  # keep a channels-last input channels-last
    return out


class AddCoords(nn.Module):
    """Module form of :func:`add_coords`: ``(B, C, H, W)`` → ``(B, C + 2 [+1], H, W)``.

    Args:
        with_r: also append the distance-to-centre channel ``r``.

    Example::

        >>> AddCoords(with_r=True)(torch.zeros(2, 3, 5, 5)).shape
        torch.Size([2, 6, 5, 5])
    """

    def __init__(self, with_r: bool = False) -> None:
        super().__init__()
        self.with_r = bool(with_r)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return add_coords(x, self.with_r)

    def extra_repr(self) -> str:
        return f"with_r={self.with_r}"


def _check_input(layer: nn.Module, x: torch.Tensor, expected: int) -> torch.Tensor:
    name = type(layer).__name__
    x = _check_4d(x, name)
    if x.shape[1] != expected:
        raise ValueError(
            f"{name} expects input of shape (B, {expected}, H, W) "
            f"(its coordinate channels are added inside), got {tuple(x.shape)}"
        )
    return x


def _check_groups(name: str, in_channels: int, extra: int, groups: int) -> None:
    if isinstance(in_channels, bool) or not isinstance(in_channels, int) or in_channels < 0:
        raise ValueError(f"{name}: in_channels must be a non-negative integer, got {in_channels!r}")
    if groups < 1 or (in_channels + extra) % groups:
        raise ValueError(
            f"{name}: the convolution sees in_channels + {extra} coordinate channels = {in_channels + extra}, "
            f"which must be divisible by groups={groups}"
        )


class CoordConv2d(nn.Conv2d):
    """A drop-in ``nn.Conv2d`` that first appends coordinate channels to its input.

    Takes exactly the arguments of ``nn.Conv2d`` plus ``with_r``. ``in_channels`` is the
    number of channels of the *input*; the wrapped convolution sees ``in_channels + 2`` (``+ 3``
    with ``with_r``), so ``weight`` has shape ``(out_channels, (in_channels + k) / groups, kH, kW)``
    with ``k`` = :func:`coord_channels` and its last ``k`` input slices act on ``i``, ``j`` (, ``r``).
    Zeroing those slices gives the plain convolution. The attribute ``in_channels`` keeps
    ``nn.Conv2d``'s meaning (channels the convolution sees); ``data_channels`` is the input's.

    Shapes: ``(B, in_channels, H, W)`` → ``(B, out_channels, H_out, W_out)`` with ``H_out`` and
    ``W_out`` as for ``nn.Conv2d``. Coordinates are computed on the input grid, before any
    padding, so padded border pixels carry zeros like any other channel.

    Example::

        >>> layer = CoordConv2d(3, 8, kernel_size=3, stride=2, padding=1)
        >>> layer.weight.shape
        torch.Size([8, 5, 3, 3])
        >>> layer(torch.zeros(4, 3, 32, 32)).shape
        torch.Size([4, 8, 16, 16])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        with_r: bool = False,
    ) -> None:
        extra = coord_channels(with_r)
        _check_groups(type(self).__name__, in_channels, extra, groups)
        super().__init__(
            in_channels + extra, out_channels, kernel_size, stride=stride, padding=padding, dilation=dilation,
            groups=groups, bias=bias, padding_mode=padding_mode, device=device, dtype=dtype,
        )
        self.data_channels = in_channels
        self.with_r = bool(with_r)

    def forward(self, input: torch.Tensor) -> torch.Tensor:  # noqa: A002 (nn.Conv2d's name)
        """``(B, data_channels, H, W)`` → ``(B, out_channels, H_out, W_out)``."""
        x = _check_input(self, input, self.data_channels)
        return super().forward(add_coords(x, self.with_r))

    def extra_repr(self) -> str:
        return f"data_channels={self.data_channels}, " + super().extra_repr() + f", with_r={self.with_r}"


class CoordConvTranspose2d(nn.ConvTranspose2d):
    """A drop-in ``nn.ConvTranspose2d`` that first appends coordinate channels to its input.

    Takes exactly the arguments of ``nn.ConvTranspose2d`` plus ``with_r``; ``forward`` also
    accepts ``output_size``. ``in_channels`` is the input's channel count; the wrapped layer
    sees ``in_channels + 2`` (``+ 3`` with ``with_r``), so ``weight`` has shape
    ``(in_channels + k, out_channels / groups, kH, kW)`` and its last ``k`` slices along the
    first axis act on the coordinates (zero them for the plain transposed convolution).

    Shapes: ``(B, in_channels, H, W)`` → ``(B, out_channels, H_out, W_out)`` as for
    ``nn.ConvTranspose2d``; the coordinates are those of the *input* grid.

    Example::

        >>> layer = CoordConvTranspose2d(8, 4, kernel_size=4, stride=2, padding=1)
        >>> layer(torch.zeros(2, 8, 16, 16)).shape
        torch.Size([2, 4, 32, 32])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int] = 1,
        padding_mode: str = "zeros",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        with_r: bool = False,
    ) -> None:
        extra = coord_channels(with_r)
        _check_groups(type(self).__name__, in_channels, extra, groups)
        super().__init__(
            in_channels + extra, out_channels, kernel_size, stride=stride, padding=padding,
            output_padding=output_padding, groups=groups, bias=bias, dilation=dilation,
            padding_mode=padding_mode, device=device, dtype=dtype,
        )
        self.data_channels = in_channels
        self.with_r = bool(with_r)

    def forward(self, input: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:  # noqa: A002
        """``(B, data_channels, H, W)`` → ``(B, out_channels, H_out, W_out)``."""
        x = _check_input(self, input, self.data_channels)
        return super().forward(add_coords(x, self.with_r), output_size)

    def extra_repr(self) -> str:
        return f"data_channels={self.data_channels}, " + super().extra_repr() + f", with_r={self.with_r}"


@torch.no_grad()
def zero_coord_weights_(layer: CoordConv2d | CoordConvTranspose2d) -> CoordConv2d | CoordConvTranspose2d:
    """Set the weights acting on the coordinate channels to zero, in place; returns ``layer``.

    The layer then computes exactly the plain convolution of its input, and gradient descent
    decides how much to use the coordinates. Useful as an initialisation (see
    :mod:`synthlearn.reproduce.coordconv.models`) and to check a CoordConv layer against
    ``nn.Conv2d``.

    Example::

        >>> layer = zero_coord_weights_(CoordConv2d(1, 4, kernel_size=1))
        >>> float(layer.weight.detach()[:, 1:].abs().sum())
        0.0
    """
    extra = coord_channels(layer.with_r)
    if isinstance(layer, CoordConvTranspose2d):
        layer.weight[-extra:].zero_()  # (in + k, out / groups, kH, kW)
    elif isinstance(layer, CoordConv2d):
        # weight (out, (in + k) / groups, kH, kW): input channel c feeds group c // per_group_in.
        per_group_in, per_group_out = layer.weight.shape[1], layer.out_channels // layer.groups
        for c in range(layer.in_channels - extra, layer.in_channels):
            group = c // per_group_in
            layer.weight[group * per_group_out : (group + 1) * per_group_out, c % per_group_in].zero_()
    else:
        raise ValueError(f"zero_coord_weights_ expects a CoordConv2d or CoordConvTranspose2d, got {type(layer).__name__}")
    return layer
