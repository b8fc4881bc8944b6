"""The NPID encoder: a small CNN whose output is an L2-normalised d-dimensional embedding.

The trained encoder is saved as ``RUN/encoder.pt`` (weights and the settings that rebuild it)
and read back by :func:`load_encoder` for kNN evaluation, fine-tuning and the feature-space
LTS reward.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from synthlearn.checkpoint import load_checkpoint, save_checkpoint
from synthlearn.errors import UserError
from synthlearn.nn.backbones import SmallCNN
from synthlearn.ssl.config import EncoderSettings

ENCODER_FILE = "encoder.pt"


class Encoder(nn.Module):
    """``(B, 1, H, W)`` images in ``[0, 1]`` → ``(B, dim)`` unit-length embeddings.

    ``backbone.head`` is the linear layer to the embedding; ``backbone.features`` the conv
    stack, so a classifier can reuse the trunk.
    """

    def __init__(self, settings: EncoderSettings, input_size: int) -> None:
        super().__init__()
        self.settings = settings
        self.input_size = input_size
        self.backbone = SmallCNN(1, settings.dim, width=settings.width, depth=settings.depth, input_size=input_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.backbone(x).float(), dim=1)


@torch.no_grad()
def embed(encoder: nn.Module, images: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """Embeddings ``(N, dim)`` of ``images`` ``(N, 1, H, W)`` in eval mode, batched, on the encoder's device."""
    encoder.eval()
    device = next(encoder.parameters()).device
    parts = [encoder(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)]
    return torch.cat(parts) if parts else torch.zeros(0, encoder.settings.dim)


def save_encoder(path: Path, encoder: Encoder, scale: float) -> None:
    """Write the weights, settings, input size and pixel scale to ``path`` atomically."""
    record = {"settings": encoder.settings.model_dump(), "input_size": encoder.input_size, "scale": scale,
              "state": {k: v.detach().cpu() for k, v in encoder.state_dict().items()}}
    save_checkpoint(path, record)


def load_encoder(run_or_file: str | Path) -> tuple[Encoder, float]:
    """The trained encoder of an NPID run folder (or its ``encoder.pt``) and its pixel scale."""
    path = Path(run_or_file)
    if path.is_dir():
        path = path / ENCODER_FILE
    if not path.is_file():
        raise UserError(f"{path} not found: give a finished NPID run folder (synthlearn ssl npid) or its {ENCODER_FILE}")
    record: dict[str, Any] = load_checkpoint(path, "encoder")
    encoder = Encoder(EncoderSettings(**record["settings"]), int(record["input_size"]))
    encoder.load_state_dict(record["state"])
    return encoder.eval(), float(record["scale"])
