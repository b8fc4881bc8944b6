"""Score a trained encoder on labelled images: weighted kNN and a linear probe on its embeddings.

``memory`` plays the training set (its labels vote, or train the probe) and ``queries`` the
test set; for Fashion-MNIST that is ``fashion-mnist:train`` against ``fashion-mnist:test``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from synthlearn.data.real import LabelledImages
from synthlearn.errors import UserError
from synthlearn.ssl.data import to_unit_tensor
from synthlearn.ssl.encoder import embed
from synthlearn.ssl.knn import knn_accuracy, linear_probe_accuracy
from synthlearn.train.threads import torch_threads


def check_image_size(encoder: nn.Module, images: np.ndarray) -> None:
    """Raise :class:`UserError` unless ``images`` ``(N, H, W)`` have the size the encoder was trained on."""
    expected = getattr(encoder, "input_size", None)
    if np.ndim(images) != 3:
        raise UserError(f"the encoder takes grey images (N, H, W); got shape {np.shape(images)}")
    if expected is not None and tuple(np.shape(images)[1:]) != (expected, expected):
        raise UserError(f"the encoder takes {expected}×{expected} images, these are {np.shape(images)[1]}×{np.shape(images)[2]}")


def embed_images(encoder: nn.Module, images: np.ndarray, scale: float, threads: int = 2) -> torch.Tensor:
    """Unit-length embeddings ``(N, d)`` of grey images ``(N, H, W)`` whose pixels are divided by ``scale``."""
    check_image_size(encoder, images)
    inputs = to_unit_tensor(images, scale)
    with torch_threads(threads):
        return embed(encoder, inputs)


def score_features(memory: torch.Tensor, memory_labels: np.ndarray, queries: torch.Tensor, query_labels: np.ndarray,
                   k: int = 200, temperature: float = 0.07, probe: bool = True, seed: int = 0) -> dict[str, float]:
    """``{"knn_accuracy", "linear_probe_accuracy"}`` of features ``(N, d)`` / ``(Q, d)`` with integer labels."""
    memory_y, query_y = (torch.from_numpy(np.asarray(y, dtype=np.int64)) for y in (memory_labels, query_labels))
    classes = int(max(memory_y.max(), query_y.max())) + 1
    scores = {"knn_accuracy": knn_accuracy(memory, memory_y, queries, query_y, classes=classes, k=k, temperature=temperature)}
    if probe:
        scores["linear_probe_accuracy"] = linear_probe_accuracy(memory, memory_y, queries, query_y, seed=seed)
    return scores


def evaluate_encoder(encoder: nn.Module, scale: float, memory: LabelledImages, queries: LabelledImages,
                     k: int = 200, temperature: float = 0.07, probe: bool = True) -> dict[str, float]:
    """kNN (and linear-probe) accuracy of ``queries`` given the labelled ``memory``, in the encoder's feature space."""
    for name, images in (("memory", memory), ("data", queries)):
        if len(images) == 0:
            raise UserError(f"the --{name} set holds no images")
        check_image_size(encoder, images.images)
    if probe and len(np.unique(memory.labels)) < 2:
        raise UserError("a linear probe needs at least 2 classes in the --memory set; pass --no-probe for kNN only")
    return score_features(embed_images(encoder, memory.images, scale), memory.labels,
                          embed_images(encoder, queries.images, scale), queries.labels, k, temperature, probe)
