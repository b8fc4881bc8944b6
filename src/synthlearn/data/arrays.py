"""Reading ``.npz`` archives of arrays safely: never unpickling, one clear error for any bad file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from synthlearn.errors import UserError


def read_npz(path: str | Path, what: str = "array file") -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` at ``path`` as ``{name: array}``.

    Raises :class:`UserError` naming ``what`` and ``path`` when the file is missing, not a
    file, empty, truncated, not an ``.npz`` archive, or holds pickled objects (which are
    never loaded).
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{what} {path} does not exist")
    if not path.is_file():
        raise UserError(f"{what} {path} is not a file")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise UserError(f"{what} {path} holds one array, not an .npz archive of named arrays")
        with loaded as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        raise UserError(f"{what} {path} is not a readable .npz archive of arrays "
                        "(it is empty, truncated, of another format, or holds Python objects)") from None
