"""Sample-efficiency measures: best-so-far curve, threshold, models to reach it, spreads over seeds."""

import math

import numpy as np
import pytest

from synthlearn.lts.efficiency import best_so_far, curve_band, models_to_reach, reward_threshold, rewards_in_training_order, spread


def test_rewards_are_read_in_training_order():
    history = [{"iteration": 1, "rewards": [0.3, 0.1]}, {"iteration": 0, "rewards": [0.5, 0.2]}]
    assert rewards_in_training_order(history).tolist() == [0.5, 0.2, 0.3, 0.1]


def test_best_so_far_is_the_running_maximum():
    assert best_so_far([0.2, 0.1, 0.5, 0.4, 0.7]).tolist() == [0.2, 0.2, 0.5, 0.5, 0.7]
    assert best_so_far([-0.4, -0.5, -0.3]).tolist() == [-0.4, -0.4, -0.3]
    with pytest.raises(ValueError):
        best_so_far([])


def test_threshold_of_a_positive_and_of_a_negated_error_reward():
    assert reward_threshold(0.9) == pytest.approx(0.855)
    assert reward_threshold(-0.3) == pytest.approx(-0.3 / 0.95)  # MAE at most 0.3158
    assert reward_threshold(-0.3) < -0.3 and reward_threshold(0.9) < 0.9


def test_models_to_reach_counts_from_one_and_never_reached_is_inf():
    rewards = [0.1, 0.5, 0.86, 0.9]
    assert models_to_reach(rewards, 0.855) == 3
    assert models_to_reach(rewards, 0.1) == 1
    assert models_to_reach(rewards, 0.95) == math.inf
    assert models_to_reach([-0.5, -0.31], reward_threshold(-0.3)) == 2


def test_spread_keeps_never_reached_last_without_nan():
    s = spread([12, math.inf, 4])
    assert (s["min"], s["median"], s["max"]) == (4, 12, math.inf)
    assert s["q1"] == 8 and s["q3"] == math.inf
    assert spread([math.inf, math.inf])["median"] == math.inf


def test_curve_band_is_median_and_range_per_model():
    band = curve_band([[0.1, 0.4, 0.4], [0.3, 0.3, 0.6], [0.2, 0.5, 0.5]])
    np.testing.assert_allclose(band["median"], [0.2, 0.4, 0.5])
    np.testing.assert_allclose(band["low"], [0.1, 0.3, 0.4])
    np.testing.assert_allclose(band["high"], [0.3, 0.5, 0.6])
