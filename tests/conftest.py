"""Shared fixtures: a tiny registered simulator so engine tests never depend on a big one."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from synthlearn.params import ParamSpace, Simplex, Uniform
from synthlearn.sim import Layer, Simulator, register


@register
class BarsSimulator(Simulator):
    """8×8 images of a horizontal (label 0) or vertical (label 1) bar plus Gaussian noise."""

    name = "test-bars"
    description = "toy bars for engine tests"
    layers = {"image": Layer("uint8", (8, 8), "a bar plus noise"), "label": Layer("int64", (), "0 horizontal, 1 vertical")}

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


DIE_MARKER_ENV = "SYNTHLEARN_TEST_DIE_MARKER"


@register
class DyingBarsSimulator(BarsSimulator):
    """The bars simulator, except that the first call in a Ray worker kills its process.

    It dies only where the environment names a marker file that does not exist yet (and
    creates it first), so exactly one worker dies once, mid-evaluation.
    """

    name = "test-bars-dying"

    def _generate(self, params, n, rng):
        marker = os.environ.get(DIE_MARKER_ENV)
        if marker and not Path(marker).exists():
            Path(marker).touch()
            os._exit(1)
        return super()._generate(params, n, rng)


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory):
    """One local Ray instance (2 CPUs) shared by every Ray test; yields the die-marker path."""
    ray = pytest.importorskip("ray")
    marker = tmp_path_factory.mktemp("ray") / "died"
    tests_dir = str(Path(__file__).parent)
    ray.init(
        num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
        runtime_env={"env_vars": {"PYTHONPATH": tests_dir, DIE_MARKER_ENV: str(marker)}},
    )
    yield marker
    ray.shutdown()


def write_kitti_folder(root: Path, n: int = 3, height: int = 12, width: int = 16, seed: int = 0) -> Path:
    """A KITTI-style semantic folder ``root/image_2/*.png`` + ``root/semantic/*.png`` (grey Cityscapes ids).

    Every label has sky (23) above row ``height // 3``, vegetation (21) in the next row, road (7)
    below, and a car (26) in a 3×4 box at a random place on the road; images are random RGB.
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    (root / "image_2").mkdir(parents=True)
    (root / "semantic").mkdir()
    for i in range(n):
        label = np.full((height, width), 7, np.uint8)
        label[: height // 3] = 23
        label[height // 3] = 21
        top, left = rng.integers(height // 3 + 1, height - 3), rng.integers(0, width - 4)
        label[top : top + 3, left : left + 4] = 26
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(root / "image_2" / f"{i:06d}_10.png")
        Image.fromarray(label).save(root / "semantic" / f"{i:06d}_10.png")
    return root


@pytest.fixture(scope="session")
def kitti_writer():
    """:func:`write_kitti_folder`, for tests in any folder."""
    return write_kitti_folder


def kill_lts_after(config, out: Path, iteration: int) -> None:
    """Run LTS into ``out`` and kill it (KeyboardInterrupt) right after the checkpoint of ``iteration``."""
    from synthlearn.lts import run_lts

    def crash(done: int, record: dict) -> None:
        if done == iteration:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_lts(config, out, on_iteration=crash)


@pytest.fixture(scope="session")
def kill_lts():
    """:func:`kill_lts_after`, for tests in any folder."""
    return kill_lts_after

