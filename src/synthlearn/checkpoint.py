"""Torch checkpoints: written atomically, read with ``weights_only=True``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from synthlearn.atomic import write_atomic
from synthlearn.errors import UserError


def save_checkpoint(path: str | Path, state: Any) -> None:
    """``torch.save(state)`` to ``path`` through a temporary file (never half-written)."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_atomic(path, lambda handle: handle.write(buffer.getvalue()))


def load_checkpoint(path: str | Path) -> Any:
    """Load a checkpoint safely; an unreadable file is a :class:`UserError` naming it."""
    try:
        return torch.load(path, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable checkpoint is a user-facing error
        raise UserError(f"checkpoint {path} cannot be read: {exc.__class__.__name__}") from None
