"""Total-variation distance between a searcher's probabilities and hidden parameters."""

import pytest

from synthlearn.lts.recovery import tv_distances
from synthlearn.params import Choice, ParamSpace, Simplex, Uniform


def test_tv_distances_by_hand():
    space = ParamSpace([Simplex("weather", ["a", "b", "c"]), Choice("road", ["X", "T"]), Uniform("length", 0.0, 1.0)])
    summary = {"weather": {"probs": {"a": 0.5, "b": 0.3, "c": 0.2}}, "road": {"probs": {"X": 0.9, "T": 0.1}},
               "length": {"mean": 0.5, "std": 0.1}}
    hidden = {"weather": {"a": 0.2, "b": 0.3, "c": 0.5}, "road": "T", "length": 0.4}
    assert tv_distances(space, summary, hidden) == pytest.approx({"weather": 0.3, "road": 0.9})
    assert tv_distances(space, {"weather": {"probs": hidden["weather"]}}, hidden) == {"weather": 0.0}
