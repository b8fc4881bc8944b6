"""Shared fixtures: a tiny registered simulator so engine tests never depend on a big one."""

from __future__ import annotations

import numpy as np
import pytest

from synthlearn.params import ParamSpace, Simplex, Uniform
from synthlearn.sim import Simulator, register


@register
class BarsSimulator(Simulator):
    """8×8 images of a horizontal (label 0) or vertical (label 1) bar plus Gaussian noise."""

    name = "test-bars"
    description = "toy bars for engine tests"
    layers = {"image": "uint8 (n, 8, 8)", "label": "int64 (n,)"}

    def param_space(self) -> ParamSpace:
        return ParamSpace([
            Simplex("mix", ["horizontal", "vertical"], doc="class probabilities"),
            Uniform("noise", 0.0, 2.0, default=0.5, doc="noise std"),
        ])

    def _generate(self, params, n, rng):
        labels = rng.choice(2, size=n, p=[params["mix"]["horizontal"], params["mix"]["vertical"]])
        pos = rng.integers(1, 7, size=n)
        images = np.zeros((n, 8, 8), np.float32)
        for i, (label, p) in enumerate(zip(labels, pos)):
            if label == 0:
                images[i, p, :] = 1.0
            else:
                images[i, :, p] = 1.0
        images += params["noise"] * rng.standard_normal(images.shape).astype(np.float32)
        return {"image": np.clip(images * 100 + 100, 0, 255).astype(np.uint8), "label": labels.astype(np.int64)}


@pytest.fixture
def bars_config_dict():
    """A tiny LTS config on the bars simulator (seconds to run)."""
    return {
        "name": "bars",
        "seed": 3,
        "simulator": "test-bars",
        "learn": ["mix", "noise"],
        "train_size": 32,
        "searcher": {"name": "reinforce", "candidates": 2, "iterations": 3},
        "task": {"name": "classify", "width": 4, "depth": 2, "epochs": 1, "batch_size": 16, "input_scale": 255.0},
        "validation": {"params": {"mix": [0.8, 0.2], "noise": 0.2}, "n": 32, "seed": 10},
        "test": {"params": {"mix": [0.8, 0.2], "noise": 0.2}, "n": 32, "seed": 11},
    }
