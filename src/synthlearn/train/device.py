"""The torch device a run asked for, checked before anything is written."""

from __future__ import annotations

import torch

from synthlearn.errors import UserError


def check_device(device: str) -> None:
    """Raise :class:`UserError` when ``device`` (``cpu``, ``cuda:0``, …) cannot hold a tensor on this machine."""
    try:
        torch.zeros(1, device=device)
    except (RuntimeError, AssertionError) as exc:
        raise UserError(f"device {device!r} cannot be used here: {str(exc).splitlines()[0]}") from None
