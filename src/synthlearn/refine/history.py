"""The history buffer of refined images (SimGAN §3.2).

A discriminator that only sees the current refiner's output forgets the artefacts earlier
refiners made, and the refiner can reintroduce them. SimGAN keeps a buffer of ``capacity``
past refined images: each discriminator minibatch of ``b`` images takes ``b − b//2`` from the
current refiner and ``b//2`` from the buffer, and after each step ``b//2`` random buffer slots
are overwritten with new refined images (while the buffer is not full, they are appended).

All random choices come from the ``torch.Generator`` passed in, so the buffer is
reproducible; :meth:`state_dict` / :meth:`load_state_dict` hold only tensors and ints, for
checkpoints that load with ``torch.load(..., weights_only=True)``.

Example::

    >>> history = ImageHistory(capacity=1024)
    >>> g = torch.Generator().manual_seed(0)
    >>> batch = history.mix(refined, g)      # refined (b, C, H, W) → (b, C, H, W)
"""

from __future__ import annotations

import torch


class ImageHistory:
    """A fixed-capacity buffer of past refined images ``(capacity, C, H, W)``."""

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"history capacity must be a positive integer, got {capacity!r}")
        self.capacity = capacity
        self.images: torch.Tensor | None = None  # (capacity, C, H, W), allocated on the first add
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Store ``images`` ``(k, C, H, W)``: append while there is room, then overwrite random slots.

        Overwritten slots are distinct (drawn without replacement). Returns the slot indices
        written, ``(k,)`` (``k`` is cut to ``capacity``).
        """
        images = images.detach()[: self.capacity]
        k = len(images)
        if self.images is None:
            self.images = torch.zeros((self.capacity, *images.shape[1:]), dtype=images.dtype)
        elif images.shape[1:] != self.images.shape[1:]:
            raise ValueError(f"images of shape {tuple(images.shape[1:])} do not fit a history of {tuple(self.images.shape[1:])}")
        room = min(k, self.capacity - self.size)
        appended = torch.arange(self.size, self.size + room)
        self.size += room
        replaced = torch.randperm(self.capacity, generator=generator)[: k - room]
        slots = torch.cat([appended, replaced])
        self.images[slots] = images.to(self.images.dtype)
        return slots

    def sample(self, k: int, generator: torch.Generator) -> torch.Tensor:
        """``k`` distinct stored images drawn at random, ``(k, C, H, W)`` (a copy)."""
        if k > self.size:
            raise ValueError(f"cannot sample {k} images from a history holding {self.size}")
        assert self.images is not None or k == 0
        if k == 0:
            return torch.empty(0)
        return self.images[torch.randperm(self.size, generator=generator)[:k]].clone()

    def mix(self, refined: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """A discriminator minibatch from the current ``refined`` images ``(b, C, H, W)``.

        Returns ``(b, C, H, W)``: the first ``b − b//2`` of ``refined`` followed by ``b//2``
        images from the buffer (all ``b`` from ``refined`` while the buffer holds fewer than
        ``b//2``). Then those ``b//2`` current images are stored in the buffer (replacing random
        slots once it is full), so the next minibatch can draw them.
        """
        refined = refined.detach()
        half = len(refined) // 2
        if half == 0 or self.size < half:
            batch = refined
        else:
            batch = torch.cat([refined[: len(refined) - half], self.sample(half, generator).to(refined.dtype)])
        if half:
            self.add(refined[:half], generator)
        return batch

    def state_dict(self) -> dict[str, object]:
        images = self.images[: self.size].clone() if self.images is not None else torch.empty(0)
        return {"capacity": self.capacity, "size": self.size, "images": images}

    def load_state_dict(self, state: dict[str, object]) -> None:
        capacity, size, images = int(state["capacity"]), int(state["size"]), state["images"]
        if capacity != self.capacity:
            raise ValueError(f"checkpoint history has capacity {capacity}, this one {self.capacity}")
        assert isinstance(images, torch.Tensor)
        self.size = size
        if size == 0:
            self.images = None
            return
        self.images = torch.zeros((capacity, *images.shape[1:]), dtype=images.dtype)
        self.images[:size] = images
