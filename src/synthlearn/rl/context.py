"""The context of MQL: a GRU over the last H transitions of the current episode.

A transition ``k`` contributes the feature ``(a_k, r_k, o_k)`` (its action, its reward and the
observation the action was taken in), ``F = act_dim + 1 + obs_dim`` numbers. The context of
time ``t`` reads transitions ``t−H … t−1`` of the same episode only (never ``t`` itself, never a
future one, never a previous episode); missing ones are zeros at the front of the window.
:func:`gather_windows` builds those windows for the replay buffer and for acting alike, and
:class:`ContextEncoder` turns a window into a vector.

Example::

    windows = gather_windows(features, idx=np.array([5]), start=np.array([0]), history=3)  # (1, 3, F): rows 2, 3, 4
    context = ContextEncoder(obs_dim=2, act_dim=2, act_limit=0.1, hidden=30)(torch.from_numpy(windows))  # (1, 30)
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def transition_features(act: np.ndarray, rew: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """``(N, act_dim + 1 + obs_dim)`` float32 rows ``(a_k, r_k, o_k)`` from ``act (N, A)``, ``rew (N,)``, ``obs (N, O)``."""
    return np.concatenate([act, rew[:, None], obs], axis=1).astype(np.float32)


def gather_windows(features: np.ndarray, idx: np.ndarray, start: np.ndarray, history: int) -> np.ndarray:
    """The context windows ``(B, history, F)`` of times ``idx (B,)`` whose episodes began at rows ``start (B,)``.

    Row ``j`` of a window is transition ``idx − history + j`` if that lies in ``[start, idx)``,
    else zeros. Only rows before ``idx`` are read, so ``idx`` may equal ``len(features)``
    (the time after the last stored transition).
    """
    rows = idx[:, None] - history + np.arange(history)[None, :]  # (B, H)
    valid = rows >= start[:, None]
    if features.shape[0] == 0:
        return np.zeros((len(idx), history, features.shape[1]), dtype=np.float32)
    out = features[np.clip(rows, 0, features.shape[0] - 1)]
    out[~valid] = 0.0
    return out


class ContextEncoder(nn.Module):
    """A one-layer GRU over a window: ``(B, H, F)`` → its last hidden state ``(B, hidden)``.

    The action part of each feature is divided by ``act_limit`` first (actions enter in ``[−1, 1]``).
    """

    def __init__(self, obs_dim: int, act_dim: int, act_limit: float, hidden: int) -> None:
        super().__init__()
        scale = torch.ones(act_dim + 1 + obs_dim)
        scale[:act_dim] = 1.0 / act_limit
        self.register_buffer("scale", scale, persistent=False)
        self.gru = nn.GRU(act_dim + 1 + obs_dim, hidden, batch_first=True)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        _, last = self.gru(windows * self.scale)
        return last[0]
