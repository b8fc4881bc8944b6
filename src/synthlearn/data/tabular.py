"""Real tabular data: a labelled table of numeric features, from scikit-learn or a file.

Sources (``load_tabular(source)``):

* ``sklearn:breast_cancer`` -- scikit-learn's Wisconsin diagnostic breast-cancer set, 569
  patients × 30 features; label 0 malignant, 1 benign (scikit-learn's coding);
* ``FILE.csv`` -- a header row, then one row per sample; the column ``label`` (or, without
  one, the last column) holds integer classes, every other column is a numeric feature;
* ``FILE.npz`` -- arrays ``features`` ``(N, F)`` and ``label`` ``(N,)`` (the layers of the
  ``tumors`` simulator);
* ``FILE.npy`` -- one numeric ``(N, F + 1)`` array, the last column holding the classes.

A missing value (an empty cell, ``NaN``), a non-numeric column, non-integer classes or
fewer than two classes is a :class:`~synthlearn.errors.UserError` naming the file, row and
column.

Example::

    >>> data = load_tabular("sklearn:breast_cancer")
    >>> data.features.shape, data.label.shape, data.classes
    ((569, 30), (569,), 2)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthlearn.data.arrays import read_npz
from synthlearn.errors import UserError

SKLEARN_SOURCES: tuple[str, ...] = ("sklearn:breast_cancer",)
"""The built-in real tables."""


@dataclass(frozen=True)
class TabularData:
    """A labelled table: ``features`` float64 ``(N, F)``, ``label`` int64 ``(N,)`` in 0..classes-1, column ``names`` ``(F,)``."""

    features: np.ndarray
    label: np.ndarray
    names: tuple[str, ...]

    @property
    def classes(self) -> int:
        return int(self.label.max()) + 1


def _checked(source: str, features: np.ndarray, label: np.ndarray, names: tuple[str, ...]) -> TabularData:
    if features.ndim != 2 or label.shape != (len(features),):
        raise UserError(f"{source}: features must be (N, F) and label (N,), got {features.shape} and {label.shape}")
    if features.shape[1] == 0:
        raise UserError(f"{source}: no feature columns")
    missing = np.argwhere(~np.isfinite(features))
    if len(missing):
        row, column = missing[0]
        raise UserError(f"{source}: missing or non-finite value in row {row + 1}, column {names[column]!r}")
    if not np.all(np.isfinite(label)) or not np.all(np.asarray(label) == np.round(label)) or np.min(label) < 0:
        raise UserError(f"{source}: labels must be non-negative integers (classes 0, 1, ...)")
    label = np.asarray(label, dtype=np.int64)
    if len(np.unique(label)) < 2:
        raise UserError(f"{source}: labels hold {len(np.unique(label))} class; at least two are needed")
    return TabularData(np.asarray(features, dtype=np.float64), label, names)


def _number(text: str, source: str, row: int, column: str) -> float:
    if text.strip() == "":
        raise UserError(f"{source}: missing value in row {row}, column {column!r}")
    try:
        return float(text)
    except ValueError:
        raise UserError(f"{source}: column {column!r} is not numeric (row {row}: {text.strip()!r})") from None


def _read_csv(path: Path) -> TabularData:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a UTF-8 text CSV file") from None
    if len(rows) < 2:
        raise UserError(f"{path}: needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    target = header.index("label") if "label" in header else len(header) - 1
    values = np.empty((len(rows) - 1, len(header)))
    for r, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise UserError(f"{path}: row {r} has {len(row)} cells, the header {len(header)}")
        values[r - 2] = [_number(cell, str(path), r, header[c]) for c, cell in enumerate(row)]
    keep = [c for c in range(len(header)) if c != target]
    return _checked(str(path), values[:, keep], values[:, target], tuple(header[c] for c in keep))


def _numeric(array: np.ndarray, source: str, what: str) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise UserError(f"{source}: {what} is not numeric (dtype {array.dtype})")
    return array.astype(np.float64)


def load_tabular(source: str | Path) -> TabularData:
    """The labelled table of ``source`` (see the module docstring for the accepted sources)."""
    text = str(source)
    if text == "sklearn:breast_cancer":
        from sklearn.datasets import load_breast_cancer

        bunch = load_breast_cancer()
        return _checked(text, bunch.data, bunch.target, tuple(bunch.feature_names))
    if text.startswith("sklearn:"):
        raise UserError(f"unknown real table {text!r}; built in: {', '.join(SKLEARN_SOURCES)}, or a .csv / .npz / .npy file")
    path = Path(source)
    if not path.exists():
        raise UserError(f"real table {path} does not exist")
    if not path.is_file():
        raise UserError(f"real table {path} is not a file")
    if path.suffix == ".csv":
        return _read_csv(path)
    if path.suffix == ".npz":
        arrays = read_npz(path, "real table")
        absent = [k for k in ("features", "label") if k not in arrays]
        if absent:
            raise UserError(f"{path} has no array {absent[0]!r} (it has {', '.join(sorted(arrays)) or 'none'})")
        features = _numeric(arrays["features"], str(path), "'features'")
        names = tuple(f"feature {i}" for i in range(features.shape[1] if features.ndim == 2 else 0))
        return _checked(str(path), features, _numeric(arrays["label"], str(path), "'label'"), names)
    if path.suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            raise UserError(f"real table {path} is not a readable .npy array of numbers") from None
        array = _numeric(array, str(path), "the array")
        if array.ndim != 2 or array.shape[1] < 2:
            raise UserError(f"{path}: expected a 2-D array (N, F + 1) whose last column is the label, got {array.shape}")
        names = tuple(f"feature {i}" for i in range(array.shape[1] - 1))
        return _checked(str(path), array[:, :-1], array[:, -1], names)
    raise UserError(f"real table {path}: unknown format {path.suffix!r}; use .csv, .npz or .npy")
