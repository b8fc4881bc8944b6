"""Not-so-Clevr: layers, the 3,136-example data set, the paper's splits, determinism, errors."""

import numpy as np
import pytest

from synthlearn.errors import UserError
from synthlearn.sim import get_simulator
from synthlearn.sim.notsoclevr import (
    NotSoClevrSimulator,
    all_centres,
    centre_range,
    full_dataset,
    in_test_quadrant,
    render,
    split_indices,
)


def test_full_dataset_layers():
    data = full_dataset()
    image, onehot, coords = data["image"], data["onehot"], data["coords"]
    assert image.shape == onehot.shape == (3136, 64, 64) and coords.shape == (3136, 2)
    assert image.dtype == onehot.dtype == np.uint8 and coords.dtype == np.int64
    assert centre_range() == (4, 59) and coords.min() == 4 and coords.max() == 59
    assert len({tuple(c) for c in coords}) == 3136
    assert set(np.unique(image)) == {0, 128} and (image == 128).sum(axis=(1, 2)).tolist() == [81] * 3136
    assert onehot.sum(axis=(1, 2)).tolist() == [1] * 3136
    k = 100
    i, j = coords[k]
    assert onehot[k, i, j] == 1 and image[k, i - 4 : i + 5, j - 4 : j + 5].min() == 128
    assert image[k, i - 5].max() == 0 and image[k, :, j + 5].max() == 0  # exactly 9x9 around the centre
    assert abs(128 / 255 - 0.502) < 5e-4


def test_split_sizes_and_disjointness():
    coords = all_centres()
    train, test = split_indices("quadrant", coords)
    assert (len(train), len(test)) == (2407, 729)
    assert coords[test].min() == 33 and set(np.unique(coords[test])) == set(range(33, 60))  # 27 values per axis
    assert not in_test_quadrant(coords[train]).any()
    for fraction, n_test in [(0.2, 627), (0.25, 784)]:
        tr, te = split_indices("uniform", coords, test_fraction=fraction, seed=3)
        assert len(te) == n_test and len(tr) + len(te) == 3136
        assert not set(tr) & set(te) and sorted(np.concatenate([tr, te]).tolist()) == list(range(3136))
    a = split_indices("uniform", coords, seed=1)[1]
    assert np.array_equal(a, split_indices("uniform", coords, seed=1)[1])
    assert not np.array_equal(a, split_indices("uniform", coords, seed=2)[1])


def test_split_errors():
    coords = all_centres()
    with pytest.raises(UserError, match="unknown split 'diagonal'"):
        split_indices("diagonal", coords)
    with pytest.raises(UserError, match="test fraction"):
        split_indices("uniform", coords, test_fraction=1.5)


def test_simulator_is_registered_deterministic_and_parameterised():
    sim = get_simulator("notsoclevr")
    assert isinstance(sim, NotSoClevrSimulator)
    assert [p.name for p in sim.param_space()] == ["canvas", "square", "intensity", "region"]
    a, b = sim.generate(None, 50, seed=7), sim.generate({}, 50, seed=7)
    assert all(np.array_equal(a[k], b[k]) for k in ("image", "onehot", "coords"))
    assert not np.array_equal(a["coords"], sim.generate(None, 50, seed=8)["coords"])
    assert np.array_equal(a["image"], render(a["coords"])["image"])

    small = sim.generate({"canvas": 16, "square": 3, "intensity": 200, "region": "quadrant_test"}, 40, seed=0)
    assert small["image"].shape == (40, 16, 16) and set(np.unique(small["image"])) == {0, 200}
    assert in_test_quadrant(small["coords"], 16).all()
    held_out = sim.generate({"region": "quadrant_train"}, 200, seed=0)["coords"]
    assert not in_test_quadrant(held_out).any() and held_out.min() >= 4 and held_out.max() <= 59
    assert len(full_dataset({"region": "quadrant_test"})["coords"]) == 729


@pytest.mark.parametrize("params,message", [
    ({"square": 8}, "must be odd"),
    ({"canvas": 8, "square": 11}, "larger than the canvas"),
    ({"canvas": 300}, "parameter 'canvas'"),
])
def test_bad_parameters_are_user_errors(params, message):
    with pytest.raises(UserError, match=message):
        NotSoClevrSimulator().generate(params, 2, seed=0)
