"""How good is a refiner? Downstream accuracy, label preservation and realism.

* Downstream accuracy -- the task model (the demo's :func:`synthlearn.demo.task_config`) trained
  on refined or unrefined synthetic images with :func:`synthlearn.train.classifier.train_classifier`
  and scored on real images with :func:`synthlearn.train.classifier.accuracy_on`.
* :func:`label_preservation` -- the share of images on which a classifier trained on synthetic
  data predicts the same class for R(x) as for x.
* :func:`realism_accuracy` -- accuracy of a small classifier trained to tell images X from real
  images, measured on held-out images of both kinds (balanced). 0.5 = indistinguishable: the
  analogue of the paper's visual Turing test, with a CNN instead of human subjects.

Images are stored arrays ``(N, H, W)`` in ``[0, input_scale]`` (uint8 0..16 for optdigits).
"""

from __future__ import annotations

import numpy as np
import torch

from synthlearn import seeding
from synthlearn.train.classifier import accuracy_on, predict_labels, train_classifier
from synthlearn.train.config import TaskConfig

_REALISM_STREAM = 31
_REALISM_MODEL = TaskConfig(name="classify", width=16, depth=3, epochs=10, batch_size=64, lr=3e-3)


def label_preservation(model: torch.nn.Module, synthetic: np.ndarray, refined: np.ndarray, input_scale: float) -> float:
    """Share of pairs (x, R(x)) on which ``model`` (trained on synthetic data) predicts the same class."""
    if synthetic.shape != refined.shape:
        raise ValueError(f"synthetic {synthetic.shape} and refined {refined.shape} images differ in shape")
    return float((predict_labels(model, synthetic, input_scale) == predict_labels(model, refined, input_scale)).mean())


def realism_accuracy(
    fake_train: np.ndarray,
    real_train: np.ndarray,
    fake_test: np.ndarray,
    real_test: np.ndarray,
    input_scale: float,
    seed: int,
    epochs: int = 10,
) -> float:
    """Held-out accuracy of a small CNN trained to tell ``fake`` images from ``real`` ones.

    Both sets are cut to the same size (training and test separately, seeded), so 0.5 means
    the classifier cannot tell them apart and 1.0 means it always can.
    """
    rng = seeding.generator(seed, _REALISM_STREAM)

    def balanced(fake: np.ndarray, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = min(len(fake), len(real))
        fake, real = fake[rng.permutation(len(fake))[:n]], real[rng.permutation(len(real))[:n]]
        return np.concatenate([fake, real]), np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)])

    train_x, train_y = balanced(fake_train, real_train)
    test_x, test_y = balanced(fake_test, real_test)
    config = _REALISM_MODEL.model_copy(update={"input_scale": input_scale, "epochs": epochs})
    model = train_classifier(train_x, train_y, config, seed, classes=2)
    return accuracy_on(model, test_x, test_y, input_scale)
