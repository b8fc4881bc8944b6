"""CNTK 101: the SGD trainer against the ML linear classifier, scikit-learn parity, determinism, the command."""

from __future__ import annotations

import json

import numpy as np

from synthlearn.reproduce.cntk101 import CNTK101Settings, run_cntk101
from synthlearn.reproduce.cntk101.linear import linear_classifier, sklearn_logistic
from synthlearn.reproduce.cntk101.parity import TOLERANCE, sklearn_parity
from synthlearn.reproduce.cntk101.train import error_rate, train_softmax, weights
from synthlearn.sim import get_simulator
from synthlearn.sim.tumors import class_gaussians, tumors_space
from synthlearn.sim.tumors.bayes import classifier_error

SIM = get_simulator("tumors")


def test_sgd_loss_decreases_and_test_error_is_near_the_ml_linear_classifier():
    test = SIM.generate({}, 50_000, seed=100)
    ml = classifier_error(class_gaussians(tumors_space().validate({})),
                          linear_classifier(*sklearn_logistic(**_xy(SIM.generate({}, 20_000, seed=101)), c=np.inf)))
    assert abs(ml - 0.074) < 0.002
    errors = []
    for seed in range(3):  # the last iterate of constant-rate SGD wanders: judge the trainer over seeds
        train = SIM.generate({}, 20_000, seed=seed)
        model, progress = train_softmax(train["features"], train["label"], 2, lr=0.5, minibatch=25, epochs=1, seed=seed, print_every=10)
        losses = [p["loss"] for p in progress]
        assert len(losses) == 80 and abs(losses[0] - np.log(2)) < 1e-6  # every 10th of 800 minibatches
        assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:5])
        errors.append(error_rate(model, test["features"], test["label"]))
    assert abs(np.mean(errors) - ml) < 0.02, errors
    assert max(errors) < ml + 0.05, errors


def _xy(layers):
    return {"features": layers["features"], "label": layers["label"]}


def test_sklearn_parity_within_the_stated_tolerance():
    train, test = SIM.generate({}, 4_000, seed=7), SIM.generate({}, 20_000, seed=8)
    result = sklearn_parity((train["features"], train["label"]), (test["features"], test["label"]), 2, seed=0)
    converged = result["converged"]
    assert converged["within_tolerance"], converged
    assert converged["angle_degrees"] < TOLERANCE["angle_degrees"] and converged["accuracy_gap"] <= TOLERANCE["accuracy"]


def test_trainer_is_deterministic_per_seed():
    train = SIM.generate({}, 1_000, seed=3)
    runs = [weights(train_softmax(train["features"], train["label"], 2, 0.5, 25, 1, seed=s)[0]) for s in (1, 1, 2)]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1]))
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_reproduce_writes_results_and_figures(tmp_path):
    settings = CNTK101Settings(samples=2_000, test_size=2_000, ml_size=2_000, folds=2, real_epochs=2)
    lines: list[str] = []
    results = run_cntk101(tmp_path / "out", settings, on_print=lines.append)
    assert lines[0] == "Minibatch: 0, Loss: 0.6931, Error: " + lines[0].rsplit(" ", 1)[1] and len(lines) == 2
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["simulated"]["bayes_error"] == results["simulated"]["bayes_error"]
    assert saved["real"]["rows"] == 569 and 0.85 < saved["real"]["sklearn_accuracy"]["mean"] <= 1
    for name in ("results.md", "progress.txt", "boundaries.png", "progress.png"):
        assert (tmp_path / "out" / name).is_file()
