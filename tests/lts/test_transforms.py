"""Encode/decode round trips between parameter values and unbounded vectors."""

import math

import numpy as np
import pytest

from synthlearn.lts import transforms
from synthlearn.params import Choice, IntRange, Simplex, Uniform


@pytest.mark.parametrize("value", [0.3, 2.0, 9.7])
def test_uniform_round_trip(value):
    p = Uniform("x", 0.0, 10.0)
    assert transforms.decode(p, transforms.encode(p, value)) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("value", [1e-3, 0.05, 0.9])
def test_log_uniform_round_trip_and_midpoint(value):
    p = Uniform("lr", 1e-4, 1.0, log=True)
    assert transforms.decode(p, transforms.encode(p, value)) == pytest.approx(value, rel=1e-9)
    assert transforms.decode(p, np.zeros(1)) == pytest.approx(math.sqrt(1e-4 * 1.0))  # z = 0: the geometric middle


@pytest.mark.parametrize("value", [1, 4, 7])
def test_int_round_trip(value):
    p = IntRange("k", 1, 7)
    assert transforms.decode(p, transforms.encode(p, value)) == value


@pytest.mark.parametrize("probs", [[0.25, 0.25, 0.5], [0.7, 0.2, 0.1], [1 / 3] * 3])
def test_simplex_round_trip(probs):
    p = Simplex("mix", ["a", "b", "c"])
    decoded = transforms.decode(p, transforms.encode(p, probs))
    assert [decoded[c] for c in "abc"] == pytest.approx(probs, abs=5e-6)  # encode adds 1e-6 before the log


def test_simplex_decode_is_a_softmax():
    p = Simplex("mix", ["a", "b"])
    assert transforms.decode(p, np.array([0.0, math.log(3.0)])) == pytest.approx({"a": 0.25, "b": 0.75})


def test_choice_has_no_continuous_form():
    p = Choice("road", ["X", "T"])
    assert transforms.dim(p) == 0
    with pytest.raises(TypeError):
        transforms.decode(p, np.zeros(1))
