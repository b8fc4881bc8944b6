"""Real tables: scikit-learn's breast cancer, CSV / .npz / .npy files, and their bad forms."""

from __future__ import annotations

import numpy as np
import pytest

from synthlearn.data.tabular import load_tabular
from synthlearn.errors import UserError


def test_breast_cancer():
    data = load_tabular("sklearn:breast_cancer")
    assert data.features.shape == (569, 30) and data.classes == 2 and len(data.names) == 30


def test_csv_npz_npy_read_the_same_table(tmp_path):
    features, label = np.array([[1.0, 2.5], [3.0, -1.0], [0.5, 0.0]]), np.array([0, 1, 1])
    (tmp_path / "t.csv").write_text("age,size,label\n1,2.5,0\n3,-1,1\n0.5,0,1\n")
    np.savez(tmp_path / "t.npz", features=features, label=label)
    np.save(tmp_path / "t.npy", np.column_stack([features, label]))
    for name in ("t.csv", "t.npz", "t.npy"):
        data = load_tabular(tmp_path / name)
        np.testing.assert_array_equal(data.features, features)
        np.testing.assert_array_equal(data.label, label)
    assert load_tabular(tmp_path / "t.csv").names == ("age", "size")


@pytest.mark.parametrize("name,content,fragment", [
    ("missing.csv", "a,b,label\n1,,0\n2,3,1\n", "missing value in row 2, column 'b'"),
    ("text.csv", "a,b,label\n1,x,0\n2,3,1\n", "column 'b' is not numeric"),
    ("nan.csv", "a,b,label\n1,nan,0\n2,3,1\n", "missing or non-finite value in row 1"),
    ("oneclass.csv", "a,label\n1,0\n2,0\n", "at least two"),
    ("fraction.csv", "a,label\n1,0.5\n2,1\n", "integers"),
])
def test_bad_csv(tmp_path, name, content, fragment):
    (tmp_path / name).write_text(content)
    with pytest.raises(UserError, match=fragment):
        load_tabular(tmp_path / name)


def test_bad_arrays(tmp_path):
    np.save(tmp_path / "nan.npy", np.array([[1.0, np.nan, 0], [2.0, 3.0, 1]]))
    np.save(tmp_path / "text.npy", np.array([["a", "0"], ["b", "1"]]))
    np.savez(tmp_path / "nolabel.npz", features=np.zeros((2, 2)))
    with pytest.raises(UserError, match="missing or non-finite"):
        load_tabular(tmp_path / "nan.npy")
    with pytest.raises(UserError, match="not numeric"):
        load_tabular(tmp_path / "text.npy")
    with pytest.raises(UserError, match="no array 'label'"):
        load_tabular(tmp_path / "nolabel.npz")
    with pytest.raises(UserError, match="unknown real table"):
        load_tabular("sklearn:iris")
