"""3-D data a user brings, one class per sub-folder, as normalised z-up :class:`PointClouds`.

* :func:`load_off_folder` -- ModelNet style ``ROOT/<class>/{train,test}/*.off``.
* :func:`load_point_folder` -- ShapeNet / ModelNet-resampled style ``ROOT/<class>/*.pts|*.txt|*.xyz``:
  one point a line, 3 columns ``x y z`` or 6 ``x y z nx ny nz``, blank- or comma-separated.
* :func:`load_obj_folder` -- ``ROOT/<class>/*.obj``.

Classes are the sorted non-empty class folders, or ``classes`` in the caller's order (labels
are positions in it, so real clouds share the simulator's labels). What cannot be used is
skipped and counted in ``skipped``: files of a folder not in ``classes`` ("class not in
classes", per file), class folders without a file of the format ("empty class folder", per
folder) and files that cannot be read ("broken file", per file). Nothing usable at all is
one :class:`UserError`. Every file is sampled from its own stream of ``seed``, keyed by its
path under ``ROOT``.
"""

from __future__ import annotations

import zlib
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from synthlearn.data.real3d.mesh import MeshError, read_mesh
from synthlearn.data.real3d.sampling import PointClouds, UpAxis, check_points, mesh_cloud, normalise, orient
from synthlearn.errors import UserError
from synthlearn.seeding import generator

POINT_SUFFIXES = (".pts", ".txt", ".xyz")
SPLITS = ("train", "test")
_SEED_STREAM = 0xF01D  # the seed path of per-file sampling streams

Cloud = tuple[np.ndarray, np.ndarray]


def read_points(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Points float64 ``(M, 3)`` and unit normals ``(M, 3)`` (zero vectors if the file has 3 columns)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise MeshError(f"point file {path} cannot be read: {error.strerror}") from None
    rows = [words for line in data.decode("latin-1").splitlines() if (words := line.split("#", 1)[0].replace(",", " ").split())]
    if not rows:
        raise MeshError(f"point file {path} has no points")
    columns = {len(words) for words in rows}
    if len(columns) != 1 or not columns <= {3, 6}:
        raise MeshError(f"point file {path}: expected lines of 3 or 6 numbers each, found lines of {sorted(columns)} numbers")
    try:
        table = np.array(rows, dtype=np.float64)
    except ValueError:
        raise MeshError(f"point file {path} holds something that is not a number") from None
    if not np.isfinite(table).all():
        raise MeshError(f"point file {path} holds a non-finite number")
    normals = table[:, 3:] if table.shape[1] == 6 else np.zeros((len(table), 3))
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return table[:, :3], normals / np.where(length > 0.0, length, 1.0)


def _resampled(path: Path, points: int, rng: np.random.Generator, up_axis: UpAxis) -> Cloud:
    cloud, normals = read_points(path)
    index = rng.choice(len(cloud), size=points, replace=len(cloud) < points)
    return normalise(orient(cloud[index], up_axis)), orient(normals[index], up_axis)


def _load(root: str | Path, layout: str, files_of: Callable[[Path], list[Path]], cloud_of: Callable[[Path, np.random.Generator], Cloud],
          classes: Sequence[str] | None, seed: int) -> PointClouds:
    root, wanted = Path(root), None if classes is None else tuple(classes)
    if not root.is_dir():
        raise UserError(f"3-D data folder {root} does not exist (expected {layout})")
    skipped: Counter[str] = Counter()
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = files_of(folder)
        known = wanted is None or folder.name in wanted
        if known and files:
            found.append((folder.name, files))
        elif known:
            skipped["empty class folder"] += 1
        elif files:
            skipped["class not in classes"] += len(files)
    classes = wanted if wanted is not None else tuple(name for name, _ in found)
    clouds, labels, names, sources = [], [], [], []
    for name, files in found:
        for path in files:
            source = path.relative_to(root).as_posix()
            try:
                clouds.append(cloud_of(path, generator(seed, _SEED_STREAM, zlib.crc32(source.encode()))))
            except MeshError:
                skipped["broken file"] += 1
                continue
            labels.append(classes.index(name))
            names.append(path.stem)
            sources.append(source)
    if not clouds:
        raise UserError(f"no usable model in {root}: expected {layout} (skipped: {dict(skipped)})")
    return PointClouds.stack(clouds, labels, classes, names, sources, dict(skipped))


def _files(folder: Path, suffixes: Sequence[str]) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes) if folder.is_dir() else []


def load_off_folder(root: str | Path, split: str = "test", points: int = 1024, seed: int = 0,
                    classes: Sequence[str] | None = None, up_axis: UpAxis = "z") -> PointClouds:
    """ModelNet-style meshes ``root/<class>/<split>/*.off`` as clouds ``(N, points, 3)`` with normals (ModelNet is z-up)."""
    if split not in SPLITS:
        raise UserError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    check_points(points)
    return _load(root, f"ROOT/<class>/{split}/*.off", lambda folder: _files(folder / split, (".off",)),
                 lambda path, rng: mesh_cloud(read_mesh(path), points, rng, up_axis), classes, seed)


def load_point_folder(root: str | Path, points: int = 1024, seed: int = 0,
                      classes: Sequence[str] | None = None, up_axis: UpAxis = "z") -> PointClouds:
    """Point files ``root/<class>/*.pts|*.txt|*.xyz`` resampled to ``points`` each: ``(N, points, 3)``.

    A file with more points than ``points`` gives a random subset, one with fewer repeats some;
    normals are the file's (columns 4-6) or zero vectors. ShapeNet and PointNet++'s resampled
    ModelNet files are y-up: pass ``up_axis="y"``.
    """
    check_points(points)
    return _load(root, "ROOT/<class>/*.pts|*.txt|*.xyz", lambda folder: _files(folder, POINT_SUFFIXES),
                 lambda path, rng: _resampled(path, points, rng, up_axis), classes, seed)


def load_obj_folder(root: str | Path, points: int = 1024, seed: int = 0,
                    classes: Sequence[str] | None = None, up_axis: UpAxis = "y") -> PointClouds:
    """OBJ meshes ``root/<class>/*.obj`` as clouds ``(N, points, 3)`` with normals.

    ``up_axis`` defaults to ``"y"``, the axis most OBJ exporters (Blender, SweetHome3D) write as up.
    """
    check_points(points)
    return _load(root, "ROOT/<class>/*.obj", lambda folder: _files(folder, (".obj",)),
                 lambda path, rng: mesh_cloud(read_mesh(path), points, rng, up_axis), classes, seed)
