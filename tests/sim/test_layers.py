"""Declared layers (:class:`~synthlearn.sim.base.Layer`): built-ins match their output, mismatches fail."""

import json

import numpy as np
import pytest

from synthlearn.errors import UserError

from synthlearn.params import Choice, IntRange, ParamSpace
from synthlearn.sim import Simulator, base, get_simulator, register
from synthlearn.sim.base import Layer

# (simulator, params, n) -> every layer's (dtype, full array shape), written out by hand.
BUILTIN_CASES = [
    ("traffic", {"height": 16, "width": 24}, 3, {
        "rgb": ("uint8", (3, 16, 24, 3)), "segmentation": ("uint8", (3, 16, 24)), "depth": ("float32", (3, 16, 24)),
        "counts": ("int64", (3, 5)), "weather": ("int64", (3,)), "intersection": ("int64", (3,)),
    }),
    ("traffic", {"height": 40, "width": 17, "cars_mean": 15.0}, 2, {
        "rgb": ("uint8", (2, 40, 17, 3)), "segmentation": ("uint8", (2, 40, 17)), "depth": ("float32", (2, 40, 17)),
        "counts": ("int64", (2, 5)), "weather": ("int64", (2,)), "intersection": ("int64", (2,)),
    }),
    ("traffic", {}, 0, {
        "rgb": ("uint8", (0, 128, 128, 3)), "segmentation": ("uint8", (0, 128, 128)),
        "depth": ("float32", (0, 128, 128)), "counts": ("int64", (0, 5)), "weather": ("int64", (0,)),
        "intersection": ("int64", (0,)),
    }),
    ("digits", {}, 5, {"image": ("uint8", (5, 8, 8)), "label": ("int64", (5,)), "source": ("int64", (5,))}),
    ("digits", {"pipeline": "mnist28"}, 3, {"image": ("uint8", (3, 28, 28)), "label": ("int64", (3,)),
                                            "source": ("int64", (3,))}),
    ("digits", {"pipeline": "nist32"}, 3, {"image": ("uint8", (3, 32, 32)), "label": ("int64", (3,)),
                                           "source": ("int64", (3,))}),
    ("notsoclevr", {}, 4, {"image": ("uint8", (4, 64, 64)), "onehot": ("uint8", (4, 64, 64)),
                           "coords": ("int64", (4, 2))}),
    ("notsoclevr", {"canvas": 20, "square": 3, "region": "quadrant_test"}, 3, {
        "image": ("uint8", (3, 20, 20)), "onehot": ("uint8", (3, 20, 20)), "coords": ("int64", (3, 2)),
    }),
    ("notsoclevr", {"canvas": 8, "square": 1}, 0, {"image": ("uint8", (0, 8, 8)), "onehot": ("uint8", (0, 8, 8)),
                                                  "coords": ("int64", (0, 2))}),
    ("shapes3d", {"points": 64}, 3, {"points": ("float32", (3, 64, 3)), "normals": ("float32", (3, 64, 3)),
                                     "label": ("int64", (3,))}),
    ("shapes3d", {"points": 32, "scan_views": 2}, 2, {"points": ("float32", (2, 32, 3)), "normals": ("float32", (2, 32, 3)),
                                                      "label": ("int64", (2,))}),
]


@pytest.mark.parametrize("name,params,n,expected", BUILTIN_CASES)
def test_builtin_declarations_match_output(name, params, n, expected):
    sim = get_simulator(name)
    out = sim.generate(params, n, seed=1)  # generate itself checks every layer against its declaration
    assert {k: (str(v.dtype), v.shape) for k, v in out.items()} == expected
    dims = sim.dimensions(sim.param_space().validate(params))
    for key, layer in sim.declared_layers().items():
        assert layer.dtype == expected[key][0]
        assert (n, *(dims[d] if isinstance(d, str) else d for d in layer.shape)) == expected[key][1]


@pytest.mark.parametrize("name", ["traffic", "digits", "notsoclevr", "shapes3d"])
def test_describe_is_json_with_structured_layers(name):
    described = get_simulator(name).describe()
    assert json.loads(json.dumps(described)) == described
    for layer in described["layers"].values():
        assert set(layer) == {"dtype", "shape", "description"}
        assert isinstance(layer["shape"], list) and all(isinstance(d, (int, str)) for d in layer["shape"])
        assert str(np.dtype(layer["dtype"])) == layer["dtype"]


class Toy(Simulator):
    """``image`` uint8 (n, size, size) and ``label`` int64 (n,); ``fault`` breaks one of them."""

    name = "test-layers-toy"
    layers = {
        "image": Layer("uint8", ("size", "size"), "zeros"),
        "label": Layer("int64", (), "zeros"),
    }

    def param_space(self) -> ParamSpace:
        return ParamSpace([
            IntRange("size", 1, 8, default=4, doc="image side"),
            Choice("fault", ["none", "dtype", "shape", "extra", "missing", "list"], default="none",
                   doc="how the output departs from the declaration"),
        ])

    def _generate(self, params, n, rng):
        size, fault = params["size"], params["fault"]
        out = {"image": np.zeros((n, size, size), np.uint8), "label": np.zeros(n, np.int64)}
        if fault == "dtype":
            out["image"] = out["image"].astype(np.float32)
        elif fault == "shape":
            out["image"] = np.zeros((n, size, size + 1), np.uint8)
        elif fault == "extra":
            out["mask"] = np.zeros((n, size, size), bool)
        elif fault == "missing":
            del out["label"]
        elif fault == "list":
            out["label"] = [0] * n
        return out


def test_toy_matching_output_passes():
    out = Toy().generate({"size": 3}, 2, seed=0)
    assert out["image"].shape == (2, 3, 3) and out["label"].shape == (2,)


@pytest.mark.parametrize("fault,message", [
    ("dtype", r"simulator 'test-layers-toy': layer 'image' is float32 \(2, 3, 3\), expected uint8 \(2, 3, 3\) "
              r"\(declared uint8 \(n, size, size\) with n=2, size=3\)"),
    ("shape", r"layer 'image' is uint8 \(2, 3, 4\), expected uint8 \(2, 3, 3\)"),
    ("extra", r"returned layers 'image', 'label', 'mask', expected exactly the declared 'image', 'label'; "
              r"undeclared: 'mask'"),
    ("missing", r"returned layers 'image', expected exactly the declared 'image', 'label'; missing: 'label'"),
    ("list", r"layer 'label' is a list, expected a numpy array of int64 \(2,\)"),
])
def test_toy_mismatch_raises_naming_the_layer(fault, message):
    with pytest.raises(RuntimeError, match=message):
        Toy().generate({"size": 3, "fault": fault}, 2, seed=0)


def test_unknown_dimension_name_raises():
    class Unresolved(Toy):
        layers = {**Toy.layers, "image": Layer("uint8", ("side", "side"), "zeros")}

    with pytest.raises(RuntimeError, match=r"layer 'image' declares shape \('side', 'side'\) with dimension\(s\) "
                                           r"'side', which are neither integer parameters"):
        Unresolved().generate({}, 1, seed=0)


def test_old_string_layers_fail_at_first_generate_not_at_registration(monkeypatch):
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))  # keep the old-style class out of other tests

    @register
    class OldStyle(Toy):
        name = "test-layers-old-style"
        layers = {"image": "uint8 (n, size, size)", "label": "int64 (n,)"}

    sim = get_simulator("test-layers-old-style")  # registration and lookup still work
    for call in (lambda: sim.generate({}, 1, seed=0), sim.describe):
        with pytest.raises(UserError, match=r"simulator 'test-layers-old-style' .*'layers' must be a dict of layer "
                                            r"name -> synthlearn.sim.Layer"):
            call()


@pytest.mark.parametrize("kwargs,message", [
    ({"dtype": "float"}, r"numpy dtype name .* got 'float' \(write 'float64'\)"),
    ({"dtype": "<i8"}, r"got '<i8' \(write 'int64'\)"),
    ({"dtype": "nope"}, r"got 'nope'$"),
    ({"dtype": np.uint8}, r"got <class 'numpy.uint8'>"),
    ({"shape": [8, 8]}, r"tuple of non-negative ints and dimension names"),
    ({"shape": (8, -1)}, r"got \(8, -1\)"),
    ({"shape": (True,)}, r"got \(True,\)"),
    ({"shape": ("",)}, r"got \('',\)"),
    ({"description": None}, r"description must be a str"),
])
def test_layer_rejects_bad_declarations(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Layer(**{"dtype": "uint8", "shape": (8, 8), "description": "x", **kwargs})


def test_layer_to_json_and_describe_shape():
    layer = Layer("uint8", ("height", "width", 3), "colour image")
    assert layer.to_json() == {"dtype": "uint8", "shape": ["height", "width", 3], "description": "colour image"}
    assert layer.describe_shape() == "(n, height, width, 3)" and Layer("int64", (), "").describe_shape() == "(n,)"
