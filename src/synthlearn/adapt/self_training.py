"""Self-training: a task model pseudo-labels unlabelled real images, keeps the confident ones, retrains.

Round 0 trains the task model on the labelled source images only. Every round r = 1..R then
predicts the pool with round r − 1's model (softmax probabilities), keeps a confident share of it
(:func:`select_confident`) with the predicted classes as labels, and trains a fresh model on
source + kept pool images. The pool's true labels, when given, are read only to report how many
kept pseudo labels are right; validation accuracy can choose the round (:func:`chosen_round`),
test accuracy is only reported.

Every round's initialisation and batch order come from streams derived from ``(seed, round)``,
so a run continued from a :class:`SelfTrainingState` ends with the same models as an
uninterrupted one (same number of torch threads, same machine)::

    >>> state = self_train(data, task, selection, rounds=3, seed=0)              # doctest: +SKIP
    >>> [r["test_accuracy"] for r in state.records]                             # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from synthlearn import seeding
from synthlearn.adapt.config import SelectionSettings
from synthlearn.data.real import LabelledImages
from synthlearn.errors import UserError
from synthlearn.train import metrics
from synthlearn.train.config import TaskConfig
from synthlearn.train.fit import fit, predict
from synthlearn.train.models import build_model, make_task
from synthlearn.train.tasks import images_to_tensor

# stream ids under the run seed, each refined by the round
_INIT, _ORDER = 1, 2


def _count(amount: float) -> int:
    """``amount`` rounded to an integer, halves up."""
    return int(math.floor(amount + 0.5))


def select_confident(probabilities: np.ndarray, share: float, threshold: float | None = None, balance: bool = False) -> np.ndarray:
    """Indices ``(K,)``, ascending, of the pool images whose pseudo labels a round keeps.

    An image's confidence is its largest probability, its pseudo label that class (the lowest
    on a tie). The most confident come first; equal confidences keep the lower index first.

    Args:
        probabilities: softmax outputs ``(N, C)``.
        share: in (0, 1]: keep the ``round(share · N)`` most confident images (halves up); with
            ``balance``, the ``round(share · N / C)`` most confident of each predicted class
            (every image of a class predicted fewer times).
        threshold: also drop images whose confidence is below this (None: no minimum), so fewer
            than the share may be kept.
        balance: count per predicted class instead of over the whole pool.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] == 0:
        raise ValueError(f"probabilities must have shape (N, C) with C >= 1, got {probabilities.shape}")
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must be in (0, 1], got {share}")
    n, classes = probabilities.shape
    confidence = probabilities.max(axis=1)
    order = np.argsort(-confidence, kind="stable")
    if threshold is not None:
        order = order[confidence[order] >= threshold]
    if balance:
        predicted, quota = probabilities.argmax(axis=1), _count(share * n / classes)
        kept = np.concatenate([order[predicted[order] == c][:quota] for c in range(classes)])
    else:
        kept = order[: _count(share * n)]
    return np.sort(kept).astype(np.int64)


def _size(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def _check_labels(labels: np.ndarray, count: int, what: str) -> None:
    if labels.ndim != 1 or len(labels) != count:
        raise UserError(f"{what}: expected {count} labels of shape ({count},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or (len(labels) and labels.min() < 0):
        raise UserError(f"{what}: labels must be integers >= 0, got {labels.dtype}")


@dataclass(frozen=True)
class SelfTrainingData:
    """What self-training reads; checked on creation (:class:`UserError` on a mismatch).

    Attributes:
        source_images: labelled source images ``(N_s, H, W[, C])`` (synthetic or refined).
        source_labels: their classes ``(N_s,)``, 0..C−1; C is ``max + 1``.
        pool: unlabelled real images ``(N_p, H, W[, C])``, the source's image size.
        pool_labels: the pool's true classes ``(N_p,)``, for reporting only (never selection or training), or None.
        validation: labelled real images that choose the round, or None.
        test: labelled real images that are only reported, or None.
    """

    source_images: np.ndarray
    source_labels: np.ndarray
    pool: np.ndarray
    pool_labels: np.ndarray | None = None
    validation: LabelledImages | None = None
    test: LabelledImages | None = None

    def __post_init__(self) -> None:
        images = self.source_images
        if images.ndim not in (3, 4) or len(images) == 0:
            raise UserError(f"source images must be a non-empty array (N, H, W) or (N, H, W, C), got shape {images.shape}")
        _check_labels(self.source_labels, len(images), "source")
        if len(self.pool) == 0:
            raise UserError("the real pool has no images")
        if self.pool_labels is not None:
            _check_labels(self.pool_labels, len(self.pool), "real pool")
        labelled = [(what, part) for what, part in (("validation", self.validation), ("test", self.test)) if part is not None]
        for what, other in [("real pool", self.pool), *((what, part.images) for what, part in labelled)]:
            if other.shape[1:] != images.shape[1:]:
                raise UserError(f"{what} images are {_size(other.shape[1:])} but the source images are {_size(images.shape[1:])}; "
                                "give real images of the source's size")
        for what, part in labelled:
            if len(part) == 0:
                raise UserError(f"the {what} set has no images")
            if int(part.labels.max()) >= self.classes:
                raise UserError(f"{what} labels reach class {int(part.labels.max())} but the source has {self.classes} classes "
                                f"(0..{self.classes - 1})")

    @property
    def classes(self) -> int:
        """C: the number of classes, from the source labels."""
        return int(self.source_labels.max()) + 1


@dataclass(frozen=True)
class SelfTrainingState:
    """Self-training after ``rounds_done`` rounds: what the next round trains on, and what came before.

    Attributes:
        rounds_done: rounds finished (round 0 included).
        kept: pool indices ``(K,)``, ascending, the next round trains on (empty after the last round).
        pseudo_labels: their pseudo labels ``(K,)``.
        records: one report per finished round (see :func:`self_train`).
        model: the last finished round's model weights (None before round 0).
    """

    rounds_done: int
    kept: np.ndarray
    pseudo_labels: np.ndarray
    records: tuple[dict[str, Any], ...]
    model: dict[str, torch.Tensor] | None

    @staticmethod
    def initial() -> SelfTrainingState:
        """Before round 0: nothing kept, nothing reported."""
        empty = np.zeros(0, np.int64)
        return SelfTrainingState(0, empty, empty, (), None)

    def to_checkpoint(self) -> dict[str, Any]:
        """Tensors and plain data (:meth:`synthlearn.runs.RunFolder.save_checkpoint`)."""
        return {"rounds_done": self.rounds_done, "kept": torch.from_numpy(self.kept), "pseudo_labels": torch.from_numpy(self.pseudo_labels),
                "records": list(self.records), "model": self.model}

    @staticmethod
    def from_checkpoint(state: dict[str, Any]) -> SelfTrainingState:
        """The state :meth:`to_checkpoint` saved."""
        return SelfTrainingState(int(state["rounds_done"]), state["kept"].numpy(), state["pseudo_labels"].numpy(),
                                 tuple(state["records"]), state["model"])


def _train_model(images: np.ndarray, labels: np.ndarray, task: TaskConfig, classes: int, seed: int, round_: int, device: str) -> nn.Module:
    """A fresh task model trained on ``images`` ``(N, H, W[, C])`` / ``labels`` ``(N,)``; init and batch order from streams (seed, round)."""
    model_task = make_task(task)
    inputs, targets = model_task.tensors({model_task.input_layer: images, model_task.target_layer: labels}, task.input_scale)
    model = build_model(task, model_task, inputs, classes, seeding.child_seed(seed, _INIT, round_)).to(device)
    return fit(model, inputs.to(device), targets.to(device), model_task, task.training(), seeding.child_seed(seed, _ORDER, round_))


def _logits(model: nn.Module, images: np.ndarray, task: TaskConfig, device: str) -> torch.Tensor:
    """The model's class scores ``(N, C)`` for ``images`` ``(N, H, W[, C])``, on the CPU."""
    return predict(model, images_to_tensor(images, task.input_scale).to(device), task=make_task(task)).float().cpu()


def _accuracy(model: nn.Module, part: LabelledImages | None, task: TaskConfig, device: str) -> float | None:
    if part is None:
        return None
    return metrics.accuracy(_logits(model, part.images, task, device), torch.from_numpy(part.labels.astype(np.int64)))


def self_train(
    data: SelfTrainingData,
    task: TaskConfig,
    selection: SelectionSettings,
    rounds: int,
    seed: int,
    device: str = "cpu",
    start: SelfTrainingState | None = None,
    on_round: Callable[[dict[str, Any], SelfTrainingState], None] | None = None,
) -> SelfTrainingState:
    """Round 0 and ``rounds`` self-training rounds (or the rest of them after ``start``); returns the final state.

    Runs on the caller's torch threads. ``on_round(record, state)`` is called after every round
    with its report and the state a continuation starts from. A record holds ``round``,
    ``share`` (of the pool selected for this round; None at round 0), ``kept`` (pseudo-labelled
    images trained on), ``kept_per_class`` (``(C,)`` counts by pseudo label), ``trained_on``
    (source + kept), ``pseudo_label_accuracy`` (share of kept pseudo labels that are right),
    ``pool_accuracy`` (this round's model on the whole pool), ``validation_accuracy``,
    ``test_accuracy`` (None where the labels or images are not given) and ``seconds``.

    Args:
        data: source, pool and the optional labelled real images.
        task: a ``classify`` task model, trained from scratch every round.
        selection: which pool images each round keeps (:func:`select_confident`).
        rounds: self-training rounds after round 0 (≥ 1).
        seed: root of the streams (seed, round) of every model's initialisation and batch order.
        device: torch device.
        start: continue from this state (None: from the beginning).
        on_round: called after every round.
    """
    if task.name != "classify":
        raise ValueError(f"self-training needs a classify task, got {task.name!r}")
    shares = selection.shares(rounds)
    state = start if start is not None else SelfTrainingState.initial()
    classes = data.classes
    for round_ in range(state.rounds_done, rounds + 1):
        began = time.perf_counter()
        kept, pseudo = state.kept, state.pseudo_labels
        model = _train_model(np.concatenate([data.source_images, data.pool[kept]]), np.concatenate([data.source_labels, pseudo]),
                             task, classes, seed, round_, device)
        probabilities = torch.softmax(_logits(model, data.pool, task, device), dim=1).numpy()
        labelled_pool = data.pool_labels is not None
        record = {
            "round": round_,
            "share": shares[round_ - 1] if round_ > 0 else None,
            "kept": len(kept),
            "kept_per_class": np.bincount(pseudo, minlength=classes).tolist(),
            "trained_on": len(data.source_labels) + len(kept),
            "pseudo_label_accuracy": float(np.mean(pseudo == data.pool_labels[kept])) if labelled_pool and len(kept) else None,
            "pool_accuracy": float(np.mean(probabilities.argmax(axis=1) == data.pool_labels)) if labelled_pool else None,
            "validation_accuracy": _accuracy(model, data.validation, task, device),
            "test_accuracy": _accuracy(model, data.test, task, device),
        }
        if round_ < rounds:
            kept = select_confident(probabilities, shares[round_], selection.threshold, selection.balance)
            pseudo = probabilities.argmax(axis=1)[kept].astype(np.int64)
        else:
            kept = pseudo = np.zeros(0, np.int64)
        record["seconds"] = time.perf_counter() - began
        weights = {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}
        state = SelfTrainingState(round_ + 1, kept, pseudo, (*state.records, record), weights)
        if on_round is not None:
            on_round(record, state)
    return state


def chosen_round(records: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> int | None:
    """The round with the highest validation accuracy (the earliest of equals), or None without validation images."""
    scored = [r for r in records if r["validation_accuracy"] is not None]
    return max(scored, key=lambda r: r["validation_accuracy"])["round"] if scored else None
