"""LTS on the tabular tumors simulator: softmax regression, validated on a labelled .npz of real-like rows."""

import numpy as np
import pytest

from synthlearn.config import parse_config
from synthlearn.errors import UserError
from synthlearn.execute.local import LocalExecutor
from synthlearn.lts.config import LTSConfig
from synthlearn.lts.loop import LTSRun
from synthlearn.sim import get_simulator


def _config(validation, **extra) -> LTSConfig:
    return parse_config({
        "simulator": "tumors", "seed": 0, "train_size": 200,
        "fixed": {"classes": 2, "features": 3, "means": [0.0, 1.0], "scales": [1.0, 1.0]},
        "searcher": {"name": "random-params", "candidates": 2, "iterations": 2},
        "task": {"name": "classify_tabular", "input_scale": 1.0, "epochs": 2, "lr": 0.05},
        "validation": {"dataset": str(validation)}, "test": {"dataset": str(validation)}, **extra,
    }, LTSConfig)


@pytest.fixture
def validation(tmp_path):
    layers = get_simulator("tumors").generate({"features": 3, "means": [0.0, 1.0], "correlation": 0.5}, 40, seed=9)
    path = tmp_path / "real.npz"
    np.savez(path, features=layers["features"].astype(np.float64), label=layers["label"])
    return path


def test_lts_searches_the_scalar_tumors_parameters_on_a_tabular_npz(tmp_path, validation):
    run = LTSRun(_config(validation), tmp_path / "run", figures=False)
    assert set(run.learned_space.names) == {"correlation", "separation", "spread"}  # lists stay fixed
    result = run.run(executor=LocalExecutor(1))
    assert result["metric"] == "accuracy" and 0.5 <= result["best"]["metric"] <= 1.0
    assert result["learned_params"]["means"] == [0.0, 1.0] and result["test"]["metric"] is not None


def test_lists_of_numbers_cannot_be_searched(tmp_path, validation):
    with pytest.raises(UserError, match="prior of simulator .* cannot be searched"):
        LTSRun(_config(validation, learn=["prior", "spread"]), tmp_path / "run")
