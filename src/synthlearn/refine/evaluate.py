"""How good is a refiner? Downstream accuracy, label preservation and realism.

* :func:`train_classifier` / :func:`accuracy` -- the task model (the demo's
  :func:`synthlearn.demo.task_config`, trained with :func:`synthlearn.train.fit`) on refined or
  unrefined synthetic images, scored on real images.
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
from synthlearn.config import TaskConfig
from synthlearn.lts.evaluate import build_model, make_task, train_settings
from synthlearn.train.fit import TrainSettings, fit, predict, seeded_init, single_thread_torch
from synthlearn.train.tasks import images_to_tensor

_REALISM_STREAM = 31


def train_classifier(images: np.ndarray, labels: np.ndarray, config: TaskConfig, seed: int, classes: int = 10) -> torch.nn.Module:
    """The task model trained on ``images`` ``(N, H, W)`` / ``labels`` ``(N,)`` (one torch thread, seeded)."""
    task = make_task(config)
    with single_thread_torch():
        inputs, targets = task.tensors({"image": images, "label": labels}, config.input_scale)
        model = build_model(config, task, inputs, classes, seed)
        fit(model, inputs, targets, task, train_settings(config), seed)
    return model


def predict_labels(model: torch.nn.Module, images: np.ndarray, input_scale: float) -> np.ndarray:
    """Predicted classes ``(N,)`` for ``images`` ``(N, H, W)``."""
    with single_thread_torch():
        return predict(model, images_to_tensor(images, input_scale)).argmax(dim=1).numpy()


def accuracy(model: torch.nn.Module, images: np.ndarray, labels: np.ndarray, input_scale: float) -> float:
    """Fraction of ``images`` classified as ``labels``."""
    return float((predict_labels(model, images, input_scale) == np.asarray(labels)).mean())


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
    task = make_task(TaskConfig(name="classify"))
    with single_thread_torch():
        inputs = images_to_tensor(train_x, input_scale)
        model = seeded_init(lambda: task.build_model(inputs, 2, width=16, depth=3), seed)
        fit(model, inputs, torch.from_numpy(train_y), task, TrainSettings(epochs=epochs, batch_size=64, lr=3e-3), seed)
        predicted = predict(model, images_to_tensor(test_x, input_scale)).argmax(dim=1).numpy()
    return float((predicted == test_y).mean())
