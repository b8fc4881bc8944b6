"""PointNet classification (Qi et al., CVPR 2017): T-Nets, shared per-point MLPs, max-pool.

A cloud of ``N`` points ``(B, N, 3)`` goes through

1. an input T-Net predicting a 3×3 matrix ``A₀`` applied to every point (``x ↦ x A₀``);
2. a shared MLP (64, 64): the same 1×1 convolutions (+ BatchNorm + ReLU) on every point;
3. a feature T-Net predicting a 64×64 matrix ``A`` applied to every point's 64 features;
4. a shared MLP (64, 128, 1024) · ``width``;
5. a max-pool over the points: the order-invariant global feature ``(B, 1024·width)``;
6. (classifier) FC 512 → FC 256 (· ``width``; BatchNorm + ReLU + dropout each) → FC ``K`` logits.

Every per-point step treats each point alone and the max-pool is symmetric, so the output does
not depend on the order of the points. The max-pool also says which point won each global
feature (``critical_indices``); the points that win at least one feature form the *critical
set*, and in eval mode the global feature of the critical set alone equals that of the whole
cloud. With T-Nets there is one catch: each T-Net pools over the whole cloud too, so the set
that provably reproduces the global feature is the union of the winners of all three
max-pools (what :func:`critical_set` returns by default; ``include_transforms=False`` gives the
paper's set, the winners of the last max-pool only).

The model returns logits (no ``log_softmax``) and the feature transform; the loss is the
caller's: ``F.cross_entropy(out.logits, y) + 0.001 * orthogonality_loss(out.feature_transform)``
(see :mod:`synthlearn.losses.orthogonality`).

``width`` scales the channels of the second shared MLP, the T-Nets' internals and the head
(each ``round(c · width)``, at least 8), so the model fits a CPU budget; the first shared MLP
stays at 64 channels, so the feature transform is always 64×64. BatchNorm needs ``B ≥ 2`` in
train mode.

BatchNorm momentum: the authors start at 0.5 (TensorFlow decay 0.5) and halve it every 200,000
training samples down to 0.01 (:func:`paper_bn_momentum`; apply it with
:func:`set_bn_momentum`). The classifier starts at 0.5 too, not PyTorch's 0.1: after a short
run (30 steps) the running statistics at 0.1 still lag the weights so far behind that
eval-mode predictions collapse to one class, while train-mode accuracy is 100%.

Example::

    >>> model = PointNetClassifier(num_classes=5, width=0.25)
    >>> out = model(torch.randn(2, 64, 3))
    >>> out.logits.shape, out.feature_transform.shape, out.critical_indices.shape
    (torch.Size([2, 5]), torch.Size([2, 64, 64]), torch.Size([2, 256]))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn

__all__ = [
    "PointNetClassifier", "PointNetEncoder", "PointNetFeatures", "PointNetOutput", "TNet", "critical_set", "paper_bn_momentum",
    "scaled", "set_bn_momentum",
]

MIN_CHANNELS = 8


def scaled(channels: int, width: float) -> int:
    """``channels · width`` rounded to an integer, at least :data:`MIN_CHANNELS` (8)."""
    if width <= 0:
        raise ValueError(f"width must be > 0, got {width}")
    return max(MIN_CHANNELS, int(round(channels * width)))


def set_bn_momentum(module: nn.Module, momentum: float) -> None:
    """Set the running-statistics momentum of every BatchNorm layer in ``module`` (PyTorch's sense:
    ``running = (1 − momentum) · running + momentum · batch``)."""
    if not 0.0 < momentum <= 1.0:
        raise ValueError(f"BatchNorm momentum must be in (0, 1], got {momentum}")
    for layer in module.modules():
        if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
            layer.momentum = momentum


def paper_bn_momentum(samples_seen: int, start: float = 0.5, rate: float = 0.5, every: int = 200_000, floor: float = 0.01) -> float:
    """The authors' BatchNorm momentum after ``samples_seen`` training clouds: ``start · rate^⌊seen / every⌋``, at least ``floor``."""
    return max(floor, start * rate ** (samples_seen // every))


def _shared_mlp(channels: Sequence[int]) -> nn.Sequential:
    """1×1 convolutions (no bias: BatchNorm follows) + BatchNorm + ReLU: ``(B, c₀, N)`` → ``(B, c_last, N)``."""
    layers: list[nn.Module] = []
    for c_in, c_out in zip(channels[:-1], channels[1:]):
        layers += [nn.Conv1d(c_in, c_out, kernel_size=1, bias=False), nn.BatchNorm1d(c_out), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


def _fc_block(c_in: int, c_out: int, dropout: float = 0.0) -> list[nn.Module]:
    """Linear (no bias) + BatchNorm + ReLU (+ dropout): ``(B, c_in)`` → ``(B, c_out)``."""
    block: list[nn.Module] = [nn.Linear(c_in, c_out, bias=False), nn.BatchNorm1d(c_out), nn.ReLU(inplace=True)]
    if dropout > 0:
        block.append(nn.Dropout(dropout))
    return block


def _max_pool(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Max over the points with the winning index: ``(B, C, N)`` → values ``(B, C)``, indices ``(B, C)`` long.

    The same as ``F.max_pool1d(features, N, return_indices=True)`` squeezed, and its gradient
    goes to the winning point only.
    """
    values, indices = features.max(dim=2)
    return values, indices


def _check_points(points: torch.Tensor) -> None:
    if points.ndim != 3 or points.shape[2] != 3 or points.shape[1] < 1:
        raise ValueError(f"expected points (B, N, 3) with N >= 1, got {tuple(points.shape)}")


class TNet(nn.Module):
    """A T-Net: predicts a ``k × k`` matrix from a cloud of ``k``-dimensional points.

    Shared MLP (64, 128, 1024) as 1×1 convolutions + BatchNorm + ReLU → max-pool over the
    points → FC 512 → FC 256 (BatchNorm + ReLU) → FC to ``k·k``, reshaped to ``k × k``, plus
    the identity. The last FC starts at zero (weights and bias), so at initialisation the
    T-Net outputs exactly the identity for any input. The identity is a (non-persistent)
    buffer: built once, moved with the module by ``.to()``, kept out of the state dict.

    ``k=3`` is the input transform, ``k=64`` the feature transform. ``width`` scales the
    internal channels (see :func:`scaled`), never ``k``.

    ``(B, k, N)`` → ``(B, k, k)``.
    """

    def __init__(self, k: int, width: float = 1.0) -> None:
        super().__init__()
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.k = k
        c64, c128, c1024, c512, c256 = (scaled(c, width) for c in (64, 128, 1024, 512, 256))
        self.mlp = _shared_mlp([k, c64, c128, c1024])
        self.fc = nn.Sequential(*_fc_block(c1024, c512), *_fc_block(c512, c256))
        self.out = nn.Linear(c256, k * k)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.register_buffer("identity", torch.eye(k).flatten(), persistent=False)

    def transform_and_indices(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, k, N)`` → the transform ``(B, k, k)`` and the winners of its max-pool ``(B, 1024·width)`` long."""
        if x.ndim != 3 or x.shape[1] != self.k:
            raise ValueError(f"TNet({self.k}) expects (B, {self.k}, N), got {tuple(x.shape)}")
        pooled, indices = _max_pool(self.mlp(x))
        matrix = self.out(self.fc(pooled)) + self.identity
        return matrix.view(-1, self.k, self.k), indices

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, k, N)`` → ``(B, k, k)``."""
        return self.transform_and_indices(x)[0]


def _apply(transform: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Each point (a column of ``x`` ``(B, k, N)``) as a row vector times ``transform`` ``(B, k, k)``: ``Aᵀ x``."""
    return torch.bmm(transform.transpose(1, 2), x)


class PointNetFeatures(NamedTuple):
    """What :class:`PointNetEncoder` returns (``F = 1024·width``, ``F_t`` = a T-Net's pooled width).

    Attributes:
        global_feature: ``(B, F)`` the max-pooled feature of each cloud.
        critical_indices: ``(B, F)`` long, the point that won the max-pool for each feature.
        input_transform: ``(B, 3, 3)``, or ``None`` without the input T-Net.
        feature_transform: ``(B, 64, 64)``, or ``None`` without the feature T-Net.
        transform_indices: the winners of each T-Net's own max-pool, ``(B, F_t)`` long each
            (input T-Net first); empty without T-Nets.
    """

    global_feature: torch.Tensor
    critical_indices: torch.Tensor
    input_transform: torch.Tensor | None
    feature_transform: torch.Tensor | None
    transform_indices: tuple[torch.Tensor, ...]


class PointNetEncoder(nn.Module):
    """PointNet up to the global feature: ``(B, N, 3)`` points → :class:`PointNetFeatures`.

    Points come point-major, ``(B, N, 3)`` (x, y, z last), as datasets store them; the encoder
    transposes them to ``(B, 3, N)`` for the 1×1 convolutions.

    Args:
        width: channel multiplier of the second shared MLP and the T-Nets (see :func:`scaled`).
        input_transform: use the 3×3 input T-Net.
        feature_transform: use the 64×64 feature T-Net.
    """

    def __init__(self, width: float = 1.0, input_transform: bool = True, feature_transform: bool = True) -> None:
        super().__init__()
        self.input_tnet = TNet(3, width) if input_transform else None
        self.mlp1 = _shared_mlp([3, 64, 64])
        self.feature_tnet = TNet(64, width) if feature_transform else None
        self.out_features = scaled(1024, width)
        self.mlp2 = _shared_mlp([64, scaled(64, width), scaled(128, width), self.out_features])

    def forward(self, points: torch.Tensor) -> PointNetFeatures:
        """``(B, N, 3)`` → :class:`PointNetFeatures` (global feature ``(B, 1024·width)``)."""
        _check_points(points)
        x = points.transpose(1, 2)  # (B, 3, N)
        input_transform = feature_transform = None
        transform_indices: list[torch.Tensor] = []
        if self.input_tnet is not None:
            input_transform, winners = self.input_tnet.transform_and_indices(x)
            transform_indices.append(winners)
            x = _apply(input_transform, x)
        x = self.mlp1(x)  # (B, 64, N)
        if self.feature_tnet is not None:
            feature_transform, winners = self.feature_tnet.transform_and_indices(x)
            transform_indices.append(winners)
            x = _apply(feature_transform, x)
        global_feature, critical_indices = _max_pool(self.mlp2(x))
        return PointNetFeatures(global_feature, critical_indices, input_transform, feature_transform, tuple(transform_indices))


class PointNetOutput(NamedTuple):
    """What :class:`PointNetClassifier` returns (``F = 1024·width``).

    Attributes:
        logits: ``(B, K)`` class scores (no softmax).
        feature_transform: ``(B, 64, 64)`` for the orthogonality regulariser, or ``None``.
        critical_indices: ``(B, F)`` long, the index (into the ``N`` points) that won the
            max-pool for each global feature.
        global_feature: ``(B, F)``.
        input_transform: ``(B, 3, 3)``, or ``None``.
    """

    logits: torch.Tensor
    feature_transform: torch.Tensor | None
    critical_indices: torch.Tensor
    global_feature: torch.Tensor
    input_transform: torch.Tensor | None = None


class PointNetClassifier(nn.Module):
    """PointNet classification network: ``(B, N, 3)`` points → :class:`PointNetOutput`.

    Args:
        num_classes: ``K``, the number of logits.
        width: channel multiplier (second shared MLP, T-Nets, head; see :func:`scaled`).
        feature_transform: use the 64×64 feature T-Net.
        input_transform: use the 3×3 input T-Net.
        dropout: drop probability after each hidden FC layer (0.3 = the paper's keep 0.7).
        bn_momentum: momentum of every BatchNorm layer (the authors' starting value 0.5; see
            :func:`paper_bn_momentum` for their decay).
    """

    def __init__(
        self,
        num_classes: int,
        width: float = 1.0,
        feature_transform: bool = True,
        input_transform: bool = True,
        dropout: float = 0.3,
        bn_momentum: float = 0.5,
    ) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.encoder = PointNetEncoder(width, input_transform=input_transform, feature_transform=feature_transform)
        c512, c256 = scaled(512, width), scaled(256, width)
        self.head = nn.Sequential(
            *_fc_block(self.encoder.out_features, c512, dropout), *_fc_block(c512, c256, dropout), nn.Linear(c256, num_classes)
        )
        set_bn_momentum(self, bn_momentum)

    def forward(self, points: torch.Tensor) -> PointNetOutput:
        """``(B, N, 3)`` → :class:`PointNetOutput` (logits ``(B, K)``)."""
        features = self.encoder(points)
        return PointNetOutput(
            self.head(features.global_feature), features.feature_transform, features.critical_indices,
            features.global_feature, features.input_transform,
        )


@torch.no_grad()
def critical_set(points: torch.Tensor, model: PointNetClassifier | PointNetEncoder, include_transforms: bool = True) -> list[torch.Tensor]:
    """The indices of each cloud's critical points: sorted, unique, one long tensor per cloud.

    Runs ``model`` in eval mode (BatchNorm on running statistics, no dropout; the previous
    mode is restored). A point is critical when it wins the max-pool for at least one global
    feature. With ``include_transforms=True`` (default) the winners of the T-Nets' max-pools
    count too: then ``points[b, critical_set(...)[b]]`` (padded to any length by repeating one
    of its points) gives the same global feature as the whole cloud. With ``False`` only the
    last max-pool counts (the paper's figure); that set reproduces the global feature exactly
    only for a model without T-Nets.

    Args:
        points: ``(B, N, 3)``.
        model: a :class:`PointNetClassifier` or its :class:`PointNetEncoder`.
        include_transforms: also count the winners of the T-Nets' max-pools.
    """
    encoder = model.encoder if isinstance(model, PointNetClassifier) else model
    was_training = encoder.training
    encoder.eval()
    try:
        features = encoder(points)
    finally:
        encoder.train(was_training)
    winners = [features.critical_indices, *(features.transform_indices if include_transforms else ())]
    everything = torch.cat(winners, dim=1)  # (B, total winners)
    return [torch.unique(row) for row in everything]
