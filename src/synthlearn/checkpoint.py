"""Torch checkpoints: written atomically, read with ``weights_only=True``."""

from __future__ import annotations

import io
import warnings
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


def load_checkpoint(path: str | Path, what: str = "checkpoint") -> Any:
    """Load a checkpoint safely (tensors and plain data only); an unreadable file is a :class:`UserError` naming it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns before it fails on a file that is not a checkpoint
            return torch.load(path, weights_only=True)
    except Exception:  # noqa: BLE001 - any unreadable checkpoint is a user-facing error
        raise UserError(f"{what} {path} cannot be read: it is truncated, not a torch checkpoint, "
                        "or holds objects other than tensors and plain data") from None
