"""Detectors for the two ways SimGAN training fails in public implementations.

* **Identity collapse** -- the discriminator wins (it spots refined images almost always)
  while the refiner leaves its input almost unchanged: the self-regularisation term (or a
  refiner too weak to matter) has pinned R to the identity. :class:`CollapseMonitor` fires
  when, averaged over a window of adversarial steps, D's accuracy on refined patches exceeds
  ``accuracy`` and the mean |R(x) − x| (as a fraction of the pixel range) is below ``delta``.
* **Divergence** -- a loss or a weight becomes NaN or ±inf (or a loss explodes past a bound,
  which catches a blow-up before float32 overflows); :func:`all_finite` checks it.
  The run loop (:mod:`synthlearn.refine.run`) then rolls back to the last checkpoint and lowers
  the learning rates.

Example::

    >>> monitor = CollapseMonitor(window=50, accuracy=0.95, delta=0.01)
    >>> event = monitor.update(step=120, acc_refined=0.99, delta=0.001)   # None until it fires
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch


class TrainingDiverged(RuntimeError):
    """A loss or a parameter became NaN or infinite (or a loss exploded) at ``step``."""

    def __init__(self, step: int, what: str, why: str = "not finite") -> None:
        super().__init__(f"training diverged at step {step}: {what} is {why}")
        self.step, self.what, self.why = step, what, why


def all_finite(values: Iterable[float | torch.Tensor]) -> bool:
    """True when every number or tensor element is finite."""
    for value in values:
        if isinstance(value, torch.Tensor):
            if not bool(torch.isfinite(value).all()):
                return False
        elif not math.isfinite(value):
            return False
    return True


class CollapseMonitor:
    """Fires an identity-collapse event at most once per full window of adversarial steps."""

    def __init__(self, window: int, accuracy: float, delta: float) -> None:
        if window < 1 or not 0.0 <= accuracy <= 1.0 or delta < 0.0:
            raise ValueError(f"expected window >= 1, accuracy in [0, 1], delta >= 0; got {window}, {accuracy}, {delta}")
        self.window, self.accuracy, self.delta = window, accuracy, delta
        self.acc: list[float] = []
        self.deltas: list[float] = []

    def update(self, step: int, acc_refined: float, delta: float) -> dict[str, Any] | None:
        """Add one adversarial step's D accuracy on refined patches and mean |R(x) − x|.

        Returns the event (a JSON-able dict) when the window is full and both conditions hold;
        the window then starts afresh.
        """
        self.acc.append(float(acc_refined))
        self.deltas.append(float(delta))
        if len(self.acc) < self.window:
            return None
        mean_acc, mean_delta = sum(self.acc) / len(self.acc), sum(self.deltas) / len(self.deltas)
        self.acc, self.deltas = self.acc[1:], self.deltas[1:]
        if mean_acc > self.accuracy and mean_delta < self.delta:
            self.acc, self.deltas = [], []
            return {
                "event": "identity_collapse", "step": step, "window": self.window,
                "d_acc_refined": mean_acc, "refine_delta": mean_delta,
                "message": (f"identity collapse: over the last {self.window} steps D spotted {100 * mean_acc:.1f}% of refined "
                            f"patches while mean |R(x) - x| was {mean_delta:.4f} of the pixel range; lower lambda, "
                            f"raise k_g or weaken D"),
            }
        return None

    def state_dict(self) -> dict[str, Any]:
        return {"acc": list(self.acc), "deltas": list(self.deltas)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.acc, self.deltas = [float(v) for v in state["acc"]], [float(v) for v in state["deltas"]]
