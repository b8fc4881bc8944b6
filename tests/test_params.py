import json

import numpy as np
import pytest

from synthlearn.params import Choice, IntRange, ParamError, ParamSpace, Simplex, Uniform


@pytest.fixture
def space():
    return ParamSpace([
        Choice("road", ["X", "T", "L"]),
        Simplex("weather", ["sun", "rain"], default=[0.7, 0.3]),
        Uniform("scale", 0.1, 10.0, log=True),
        IntRange("count", 0, 5, default=2),
    ])


def test_defaults_fill_missing(space):
    assert space.validate({"count": 4}) == {"road": "X", "weather": {"sun": 0.7, "rain": 0.3}, "scale": 1.0, "count": 4}


@pytest.mark.parametrize("name,value,fragment", [
    ("road", "Y", "one of X, T, L"),
    ("weather", [0.5, 0.6], "sum to 1.1"),
    ("weather", {"snow": 1.0}, "unknown choice 'snow'"),
    ("weather", [-0.5, 1.5], ">= 0"),
    ("scale", 20.0, "[0.1, 10], log scale"),
    ("scale", "big", "not a number"),
    ("count", 6, "integer in [0, 5]"),
    ("count", 1.5, "not an integer"),
])
def test_bad_values_name_the_parameter_and_range(space, name, value, fragment):
    with pytest.raises(ParamError) as err:
        space.validate({name: value})
    assert f"parameter '{name}'" in str(err.value) and fragment in str(err.value)


def test_unknown_parameter_lists_known_ones(space):
    with pytest.raises(ParamError, match="unknown parameter 'speed'; known parameters: road, weather, scale, count"):
        space.validate({"speed": 1})


def test_samples_are_valid_and_seeded(space):
    a = [space.sample(np.random.default_rng(5)) for _ in range(3)]
    b = [space.sample(np.random.default_rng(5)) for _ in range(3)]
    assert a == b
    for value in a:
        assert space.validate(value) == value
    draws = [space["scale"].sample(np.random.default_rng(i)) for i in range(400)]
    assert np.mean(np.array(draws) < 1.0) == pytest.approx(0.5, abs=0.1)  # log-uniform: half below the geometric mean


def test_spec_roundtrip_through_json(space):
    rebuilt = ParamSpace.from_spec(json.loads(json.dumps(space.spec())))
    assert rebuilt.spec() == space.spec()
    value = space.sample(np.random.default_rng(1))
    assert rebuilt.validate(json.loads(json.dumps(value))) == value


def test_overrides_parse_json_and_strings(space):
    assert space.parse_overrides(["road=T", "weather=[0,1]", "count=3"]) == {
        "road": "T", "weather": {"sun": 0.0, "rain": 1.0}, "count": 3,
    }
    with pytest.raises(ParamError, match="name=value"):
        space.parse_overrides(["road"])
