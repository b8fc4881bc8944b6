"""An NPID run bound to its folder: instance discrimination on unlabelled images.

::

    RUN/config.yaml             the resolved config
    RUN/history.jsonl           one record per epoch: loss, lr, seconds, images/s, kNN accuracy when monitored
    RUN/checkpoints/latest.pt   after every epoch: encoder, parametric head, optimiser, memory bank, NCE's Z
    RUN/encoder.pt              the final encoder (:func:`synthlearn.ssl.encoder.load_encoder`)
    RUN/history.png             loss and monitored kNN accuracy per epoch
    RUN/result.json             summary, written last

Every epoch draws its batch order, augmentations and NCE noise from streams derived from
``(seed, epoch)``, so ``resume=True`` after a kill gives the same encoder as an uninterrupted
run (same config, same number of torch threads, same machine).

One step (Wu et al. 2018): embed an augmented batch, score it against the memory bank (NCE
with m noise slots, or the full softmax; or a linear layer with one output per image for the
parametric baseline), optionally add the proximal term, take the optimiser step, then write
the batch's detached features into their bank slots (:meth:`MemoryBank.update`, outside
autograd).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from synthlearn import seeding
from synthlearn.errors import UserError
from synthlearn.losses.instance_softmax import instance_softmax_loss
from synthlearn.losses.nce import NCECriterion
from synthlearn.losses.proximal import proximal_penalty
from synthlearn.runs import RunFolder
from synthlearn.ssl.augment import augment
from synthlearn.ssl.bank import MemoryBank
from synthlearn.ssl.config import NPIDConfig
from synthlearn.ssl.data import TrainingImages, load_training_images
from synthlearn.ssl.encoder import ENCODER_FILE, Encoder, embed, save_encoder
from synthlearn.ssl.knn import knn_accuracy
from synthlearn.train.device import check_device
from synthlearn.train.threads import torch_threads

class TrainingDiverged(Exception):
    """The loss became NaN or infinite; the run ends (``failed.json``) and can be started again with other settings."""


# stream ids under the run seed
_INIT, _BANK, _ORDER, _AUGMENT, _NOISE = 1, 2, 3, 4, 5


class NPIDRun:
    """One NPID run in folder ``out``. Build it, then call :meth:`run`."""

    def __init__(self, config: NPIDConfig, out: str | Path) -> None:
        self.config = config
        self.folder = RunFolder(out, "an NPID run")

    def run(
        self,
        resume: bool = False,
        on_step: Callable[[int, int], None] | None = None,
        on_epoch: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Train (or continue) the encoder; returns the content of ``result.json``.

        ``on_step(done, total)`` is called after every optimiser step, ``on_epoch(record)``
        after every epoch. Inputs are loaded and checked before the folder is created.
        """
        config = self.config
        self.folder.check(resume)
        data = load_training_images(config.data, config.seed)
        monitor = _monitor_split(data, config)
        check_device(config.device)
        state = self.folder.start(config, resume)
        with torch_threads(config.threads):
            trainer = _Trainer(config, data)
            if state is not None:
                trainer.load_state(state)
            total = config.epochs * trainer.steps_per_epoch
            for epoch in range(trainer.epoch, config.epochs):
                try:
                    record = trainer.train_epoch(epoch, lambda step: on_step and on_step(epoch * trainer.steps_per_epoch + step, total))
                except TrainingDiverged as exc:
                    self.folder.fail(str(exc))
                    raise UserError(str(exc)) from None
                if monitor is not None and _monitor_due(config, epoch):
                    record["knn_accuracy"] = trainer.monitor_accuracy(*monitor)
                self.folder.append(record)
                self.folder.save_checkpoint(trainer.state())
                if on_epoch:
                    on_epoch(record)
            save_encoder(self.folder.file(ENCODER_FILE), trainer.encoder.cpu(), data.scale)
        history = self.folder.history()
        from synthlearn.report.ssl import plot_npid_history

        plot_npid_history(history, self.folder.file("history.png"))
        monitored = [h["knn_accuracy"] for h in history if "knn_accuracy" in h]
        result = {
            "name": config.name,
            "images": len(data),
            "epochs": config.epochs,
            "final_loss": history[-1]["loss"],
            "knn_accuracy": monitored[-1] if monitored else None,
            "images_per_second": float(np.median([h["images_per_second"] for h in history])),
            "seconds": float(sum(h["seconds"] for h in history)),
        }
        self.folder.write_result(result)
        return result


def _monitor_due(config: NPIDConfig, epoch: int) -> bool:
    every = config.monitor.every
    return every > 0 and ((epoch + 1) % every == 0 or epoch + 1 == config.epochs)


def _monitor_split(data: TrainingImages, config: NPIDConfig) -> tuple[slice, slice, torch.Tensor] | None:
    """(memory rows, query rows, labels) of the labelled real images, or None when there is nothing to monitor."""
    if config.monitor.every == 0 or data.labels is None:
        return None
    labelled, holdout = len(data.labels), config.monitor.holdout
    if holdout >= labelled:
        raise UserError(f"monitor.holdout is {holdout} but the source has only {labelled} labelled images; "
                        "lower it or set monitor.every: 0")
    return slice(0, labelled - holdout), slice(labelled - holdout, labelled), torch.from_numpy(data.labels.astype(np.int64))


class _Trainer:
    """The encoder, its objective and optimiser, and one epoch of training."""

    def __init__(self, config: NPIDConfig, data: TrainingImages) -> None:
        self.config = config
        self.device = torch.device(config.device)
        self.images = data.images
        self.n = len(data)
        objective = config.objective
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seeding.child_seed(config.seed, _INIT))
            self.encoder = Encoder(config.encoder, int(data.images.shape[-1])).to(self.device)
            self.head = nn.Linear(config.encoder.dim, self.n, bias=False).to(self.device) if objective.kind == "parametric" else None
        generator = torch.Generator().manual_seed(seeding.child_seed(config.seed, _BANK))
        self.bank = MemoryBank.initial(self.n, config.encoder.dim, generator) if objective.kind != "parametric" else None
        if self.bank is not None:
            self.bank.vectors = self.bank.vectors.to(self.device)
        self.nce = NCECriterion(self.n, objective.noise, objective.temperature).to(self.device) if objective.kind == "nce" else None
        parameters = list(self.encoder.parameters()) + (list(self.head.parameters()) if self.head is not None else [])
        opt = config.optimiser
        self.optimiser = torch.optim.SGD(parameters, lr=opt.lr, momentum=opt.momentum, weight_decay=opt.weight_decay)
        self.steps_per_epoch = self.n // opt.batch_size + (1 if self.n % opt.batch_size >= 2 else 0)
        self.epoch = 0

    # -- state -----------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "encoder": self.encoder.state_dict(),
            "head": self.head.state_dict() if self.head is not None else None,
            "bank": self.bank.state_dict() if self.bank is not None else None,
            "nce": self.nce.state_dict() if self.nce is not None else None,
            "optimiser": self.optimiser.state_dict(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        self.epoch = int(state["epoch"])
        self.encoder.load_state_dict(state["encoder"])
        if self.head is not None:
            self.head.load_state_dict(state["head"])
        if self.bank is not None:
            self.bank.load_state_dict(state["bank"])
            self.bank.vectors = self.bank.vectors.to(self.device)
        if self.nce is not None:
            self.nce.load_state_dict(state["nce"])
        self.optimiser.load_state_dict(state["optimiser"])

    # -- training --------------------------------------------------------------------------

    def _lr(self, step: int) -> float:
        opt = self.config.optimiser
        if not opt.cosine:
            return opt.lr
        progress = step / (self.config.epochs * self.steps_per_epoch)
        return 0.5 * opt.lr * (1.0 + math.cos(math.pi * progress))

    def _loss(self, features: torch.Tensor, index: torch.Tensor, noise: torch.Generator) -> torch.Tensor:
        objective = self.config.objective
        if objective.kind == "parametric":
            return nn.functional.cross_entropy(self.head(features), index)
        if objective.kind == "nce":
            loss = self.nce(features, index, self.bank.vectors, noise)
        else:
            loss = instance_softmax_loss(features, index, self.bank.vectors, objective.temperature)
        if objective.proximal > 0:
            loss = loss + proximal_penalty(features, self.bank.vectors[index], objective.proximal)
        return loss

    def train_epoch(self, epoch: int, on_step: Callable[[int], None]) -> dict[str, Any]:
        """One pass over the images in the order of stream (seed, epoch); returns its history record."""
        config, seed = self.config, self.config.seed
        order = torch.randperm(self.n, generator=torch.Generator().manual_seed(seeding.child_seed(seed, _ORDER, epoch)))
        augment_rng = torch.Generator().manual_seed(seeding.child_seed(seed, _AUGMENT, epoch))
        noise_rng = torch.Generator(device=self.device).manual_seed(seeding.child_seed(seed, _NOISE, epoch))
        autocast = torch.autocast(self.device.type, dtype=torch.bfloat16) if config.bf16 else contextlib.nullcontext()
        self.encoder.train()
        losses, start, batch = [], time.perf_counter(), config.optimiser.batch_size
        for step in range(self.steps_per_epoch):
            index = order[step * batch : (step + 1) * batch]
            for group in self.optimiser.param_groups:
                group["lr"] = self._lr(epoch * self.steps_per_epoch + step)
            inputs = augment(self.images[index], config.augment, augment_rng).to(self.device)
            index = index.to(self.device)
            with autocast:
                features = self.encoder(inputs)
            loss = self._loss(features.float(), index, noise_rng)
            if not torch.isfinite(loss):
                raise TrainingDiverged(f"NPID diverged at epoch {epoch + 1}, step {step + 1} (loss {loss.item()}); lower optimiser.lr")
            self.optimiser.zero_grad(set_to_none=True)
            loss.backward()
            self.optimiser.step()
            if self.bank is not None:
                self.bank.update(index, features.detach().float(), self.config.objective.momentum)
            losses.append(loss.item())
            on_step(step + 1)
        seconds = time.perf_counter() - start
        self.epoch = epoch + 1
        return {"epoch": epoch + 1, "loss": float(np.mean(losses)), "lr": self._lr((epoch + 1) * self.steps_per_epoch - 1),
                "seconds": seconds, "images_per_second": self.n / seconds}

    def monitor_accuracy(self, memory: slice, queries: slice, labels: torch.Tensor) -> float:
        """Weighted-kNN accuracy of held-out labelled images against fresh embeddings of the rest (no augmentation)."""
        features = embed(self.encoder, self.images[: len(labels)])
        monitor = self.config.monitor
        return knn_accuracy(features[memory], labels[memory], features[queries], labels[queries],
                            classes=int(labels.max()) + 1, k=monitor.k, temperature=self.config.objective.temperature)
