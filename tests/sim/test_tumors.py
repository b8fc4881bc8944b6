"""The tumors simulator: the CNTK 101 generator's moments, its generalisations, and its Bayes error."""

from __future__ import annotations

import numpy as np
import pytest

from synthlearn import seeding
from synthlearn.params import ParamError
from synthlearn.sim import get_simulator
from synthlearn.sim.tumors import class_gaussians, tumors_space
from synthlearn.sim.tumors.bayes import bayes_classifier, bayes_error


def test_default_moments_are_the_tutorials():
    layers = get_simulator("tumors").generate({}, 40_000, seed=0)
    x, y = layers["features"], layers["label"]
    assert x.dtype == np.float32 and x.shape == (40_000, 2) and set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.01  # label uniform: sd of the mean is 0.0025
    for k, (mean, sd) in enumerate(((3.0, 1.0), (6.0, 2.0))):
        rows = x[y == k]
        np.testing.assert_allclose(rows.mean(axis=0), mean, atol=0.05)
        np.testing.assert_allclose(rows.std(axis=0), sd, rtol=0.03)
        assert abs(np.corrcoef(rows.T)[0, 1]) < 0.03


def test_generalised_parameters_set_prior_means_scales_and_correlation():
    params = {"classes": 3, "features": 3, "prior": [0.2, 0.3, 0.5], "means": [0, 1, 2, 3, 4, 5, 6, 7, 8],
              "scales": [1, 2, 3], "correlation": 0.6}
    layers = get_simulator("tumors").generate(params, 60_000, seed=1)
    x, y = layers["features"], layers["label"]
    np.testing.assert_allclose(np.bincount(y) / len(y), [0.2, 0.3, 0.5], atol=0.01)
    rows = x[y == 1]
    np.testing.assert_allclose(rows.mean(axis=0), [3, 4, 5], atol=0.06)
    np.testing.assert_allclose(rows.std(axis=0), 2.0, rtol=0.03)
    np.testing.assert_allclose(np.corrcoef(rows.T)[np.triu_indices(3, 1)], 0.6, atol=0.03)


def test_separation_and_spread():
    g = class_gaussians(tumors_space().validate({"separation": 2.0, "spread": 0.5}))
    np.testing.assert_allclose(g.means, [[1.5, 1.5], [7.5, 7.5]])  # 4.5 ± 2 · 1.5
    np.testing.assert_allclose(g.scales, [[0.5, 0.5], [1.0, 1.0]])


def test_same_seed_same_bytes_other_seed_other_bytes():
    sim = get_simulator("tumors")
    a, b, c = sim.generate({}, 50, 3), sim.generate({}, 50, 3), sim.generate({}, 50, 4)
    assert a["features"].tobytes() == b["features"].tobytes() and np.array_equal(a["label"], b["label"])
    assert a["features"].tobytes() != c["features"].tobytes()


@pytest.mark.parametrize("params,fragment", [
    ({"features": 0}, "'features': 0 is not allowed"),
    ({"scales": [-1.0, 2.0]}, "-1 is outside"),
    ({"prior": [0.5, 0.6]}, "sum to 1.1"),
    ({"prior": [0.2, 0.3, 0.5]}, "3 probabilities given for 2 classes"),
    ({"means": [1.0, 2.0, 3.0]}, "3 numbers given"),
    ({"means": ["big", 1.0]}, "must be a number"),
])
def test_bad_parameters(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        get_simulator("tumors").generate(params, 4, 0)


def test_bayes_error_matches_monte_carlo_and_the_tutorial():
    params = tumors_space().validate({})
    g = class_gaussians(params)
    exact, method = bayes_error(g)
    assert "grid" in method and abs(exact - 0.063) < 0.0005
    layers = get_simulator("tumors").generate(params, 400_000, seed=5)
    monte_carlo = float((bayes_classifier(g)(layers["features"]) != layers["label"]).mean())
    assert abs(exact - monte_carlo) < 4 * np.sqrt(exact * (1 - exact) / 400_000)  # 4 sd ≈ 0.0015


def test_bayes_error_in_three_dimensions_is_monte_carlo_and_below_two_dimensions():
    two = bayes_error(class_gaussians(tumors_space().validate({})))[0]
    three, method = bayes_error(class_gaussians(tumors_space().validate({"features": 3})), seeding.generator(0))
    assert "Monte Carlo" in method and 0.02 < three < two
