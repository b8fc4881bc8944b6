"""The tutorial's trainer on a real table, beside scikit-learn, by stratified k-fold.

Each fold standardises the features with its training rows' mean and standard deviation,
trains softmax regression by the tutorial's SGD (:func:`~synthlearn.reproduce.cntk101.train.train_softmax`)
and scikit-learn's ``LogisticRegression`` (C = 1) on the same rows, and scores both on the
held-out rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlearn import seeding
from synthlearn.data.tabular import TabularData
from synthlearn.reproduce.cntk101.linear import linear_classifier, sklearn_logistic
from synthlearn.reproduce.cntk101.settings import CNTK101Settings
from synthlearn.reproduce.cntk101.train import error_rate, train_softmax

_FOLD_STREAM = 4


def standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """``(x − mean) / std`` with the mean and std ``(F,)`` of ``train`` ``(N, F)`` (a constant column: std 1)."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return [(x - mean) / std for x in (train, *others)]


def _summary(values: list[float]) -> dict[str, Any]:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "per_fold": [float(v) for v in values]}


def real_kfold(data: TabularData, settings: CNTK101Settings) -> dict[str, Any]:
    """Test accuracy per fold of the tutorial's SGD and of scikit-learn, with mean and std over folds."""
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(settings.folds, shuffle=True, random_state=seeding.child_seed(settings.seed, _FOLD_STREAM) % 2**32)
    ours, theirs = [], []
    for fold, (train, test) in enumerate(folds.split(data.features, data.label)):
        x_train, x_test = standardise(data.features[train], data.features[test])
        model, _ = train_softmax(x_train, data.label[train], data.classes, settings.lr, settings.minibatch,
                                 settings.real_epochs, seeding.child_seed(settings.seed, _FOLD_STREAM, fold))
        ours.append(1.0 - error_rate(model, x_test, data.label[test]))
        weight, bias = sklearn_logistic(x_train, data.label[train])
        theirs.append(float((linear_classifier(weight, bias)(x_test) == data.label[test]).mean()))
    return {"rows": int(len(data.label)), "features": int(data.features.shape[1]), "folds": settings.folds,
            "sgd_accuracy": _summary(ours), "sklearn_accuracy": _summary(theirs)}
