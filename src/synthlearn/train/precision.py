"""Numeric precision and memory layout of task-model training and evaluation (both off by default).

``precision="bf16"`` runs the forward pass (and so the loss) under
``torch.autocast(device_type, dtype=torch.bfloat16)`` on the device the inputs live on, so
the same code serves a CPU and a GPU; weights, gradients and the optimiser stay float32
(mixed precision). ``channels_last=True`` stores 4-D activations NHWC, which oneDNN's
convolutions prefer. With ``precision="float32"`` and ``channels_last=False`` nothing here
touches the model or the tensors, so training gives today's bytes.

Whether either helps depends on the CPU: bf16 is fast only with native bf16 instructions
(AVX512-BF16 / AMX); elsewhere it is emulated and slower (``benchmarks/bench_fast_loop.py``).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Literal

import torch
from torch import nn

Precision = Literal["float32", "bf16"]


def autocast(precision: Precision, device_type: str = "cpu"):
    """The context a forward pass runs in: bf16 autocast on ``device_type``, or nothing for float32."""
    if precision == "bf16":
        return torch.autocast(device_type, dtype=torch.bfloat16)
    return nullcontext()


def to_layout(model: nn.Module, channels_last: bool) -> nn.Module:
    """``model`` with its 4-D weights stored channels-last (in place), or unchanged."""
    return model.to(memory_format=torch.channels_last) if channels_last else model


def batch_layout(batch: torch.Tensor, channels_last: bool) -> torch.Tensor:
    """An input batch ``(B, C, H, W)`` made channels-last contiguous, or unchanged (also every non-4-D batch)."""
    return batch.contiguous(memory_format=torch.channels_last) if channels_last and batch.dim() == 4 else batch


def as_float32(outputs: torch.Tensor) -> torch.Tensor:
    """Metric inputs in float32: bf16 outputs of an autocast forward are cast back (integer class maps stay as they are)."""
    return outputs.float() if outputs.dtype == torch.bfloat16 else outputs
