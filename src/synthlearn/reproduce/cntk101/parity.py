"""Parity of synthlearn's softmax regression with scikit-learn's ``LogisticRegression`` on the same data.

The tutorial's model is the last iterate of constant-rate SGD, so it wanders around the
optimum; parity is therefore checked on the same task model trained to convergence
(full-batch Adam, ``steps`` steps, no penalty) against scikit-learn's maximum-likelihood fit
(``C = ∞``). Tolerance (stated in ``TOLERANCE``): boundary normals within 0.5°, offsets
within 0.05, test accuracies within 0.002.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlearn.reproduce.cntk101.linear import boundary_gap, linear_classifier, sklearn_logistic
from synthlearn.reproduce.cntk101.train import TASK, weights
from synthlearn.train.config import TrainSettings
from synthlearn.train.fit import fit
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch

TOLERANCE = {"angle_degrees": 0.5, "offset": 0.05, "accuracy": 0.002}


def converged_softmax(features: np.ndarray, label: np.ndarray, classes: int, seed: int, steps: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """``W`` ``(K, F)``, ``b`` ``(K,)`` of the ``classify_tabular`` model fitted full-batch (Adam, lr 0.1)."""
    task = make_task(TASK)
    with single_thread_torch():
        inputs, targets = task.tensors({"features": features, "label": label}, TASK.input_scale)
        model = build_model(TASK, task, inputs, classes, seed)
        fit(model, inputs, targets, task, TrainSettings(epochs=steps, batch_size=len(inputs), lr=0.1), seed)
    return weights(model)


def accuracy(weight: np.ndarray, bias: np.ndarray, features: np.ndarray, label: np.ndarray) -> float:
    """Share of rows of ``features`` ``(N, F)`` that the linear classifier ``(W, b)`` gets right."""
    return float((linear_classifier(weight, bias)(features) == label).mean())


def sklearn_parity(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], classes: int, seed: int,
                   sgd_model: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, Any]:
    """Converged synthlearn vs scikit-learn (ML) on ``train``, scored on ``test`` (each ``(features, label)``).

    With ``sgd_model`` (the tutorial's SGD weights) the gap between it and scikit-learn's
    default fit (C = 1) is reported too, without a tolerance.
    """
    ours = converged_softmax(*train, classes, seed)
    theirs = sklearn_logistic(*train, c=np.inf)
    result: dict[str, Any] = {
        "converged": {"synthlearn_accuracy": accuracy(*ours, *test), "sklearn_accuracy": accuracy(*theirs, *test)},
        "tolerance": TOLERANCE,
    }
    converged = result["converged"]
    converged["accuracy_gap"] = abs(converged["synthlearn_accuracy"] - converged["sklearn_accuracy"])
    if classes == 2:
        converged.update(boundary_gap(ours, theirs))
    converged["within_tolerance"] = bool(converged["accuracy_gap"] <= TOLERANCE["accuracy"] and all(
        converged.get(k, 0.0) <= TOLERANCE[k] for k in ("angle_degrees", "offset")))
    if sgd_model is not None:
        default = sklearn_logistic(*train)
        tutorial = {"sgd_accuracy": accuracy(*sgd_model, *test), "sklearn_accuracy": accuracy(*default, *test)}
        if classes == 2:
            tutorial.update(boundary_gap(sgd_model, default))
        result["tutorial_sgd"] = tutorial
    return result
