"""Triangle meshes from OBJ and OFF text, with NumPy only.

Both readers return a :class:`Mesh`: ``vertices`` float64 ``(V, 3)`` and ``triangles`` int64
``(T, 3)`` of 0-based vertex indices. Polygons are split into triangle fans ``(0, j, j+1)``.

* OBJ: ``v x y z [w | r g b]`` and ``f`` lines whose corners are ``i``, ``i/t``, ``i//n`` or
  ``i/t/n``; negative indices count back from the last vertex defined before the face;
  ``f`` lines with fewer than 3 corners (edges, which some exporters write) are dropped;
  ``o``/``g``/``usemtl`` and every other statement are ignored, so all objects and groups of a
  file make one mesh.
* OFF (ModelNet style): an ``OFF`` header (also ``COFF``/``NOFF``...), then ``V F E`` -- on the
  next line, or glued to the header as in ModelNet's broken ``OFF123 456 0`` -- then ``V``
  vertex lines and ``F`` lines ``k i0 ... i(k-1) [colour]``; ``#`` starts a comment.

A mesh that cannot give surface points -- unreadable text, no faces, an index out of range, a
non-finite coordinate, zero total area -- raises :class:`MeshError` naming the file and why.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from synthlearn.errors import UserError

MESH_SUFFIXES = (".obj", ".off")
_OBJ_STATEMENT = re.compile(r"^[ \t]*([vf])[ \t]+(.*)$", re.MULTILINE)
_OBJ_CORNER_EXTRAS = re.compile(r"/\S*|#.*")  # texture/normal indices of "i/t/n" corners, comments
_OFF_HEADER = re.compile(r"^\s*[A-Z]*OFF(?![A-Za-z])\s*(.*)$")


class MeshError(UserError):
    """A mesh (or point) file that cannot be read or has nothing to sample; the message names the file."""


class Mesh(NamedTuple):
    """``vertices`` float64 ``(V, 3)`` and ``triangles`` int64 ``(T, 3)`` (0-based indices)."""

    vertices: np.ndarray
    triangles: np.ndarray


def _numbers(tokens: list, dtype: type[np.generic], name: str, what: str) -> np.ndarray:
    try:
        return np.array(tokens, dtype=dtype)
    except ValueError:
        raise MeshError(f"mesh {name}: {what} holds something that is not a number") from None


def fan_triangles(corners: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Triangle fans of polygons: ``corners`` ``(sum(sizes),)`` indices, ``sizes`` ``(F,)`` >= 3 -> ``(sum(sizes - 2), 3)``."""
    fans = sizes - 2
    first = np.repeat(np.cumsum(sizes) - sizes, fans)
    step = np.arange(fans.sum()) - np.repeat(np.cumsum(fans) - fans, fans) + 1
    return np.stack([corners[first], corners[first + step], corners[first + step + 1]], axis=1)


def triangle_areas(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Areas ``(T,)`` of ``triangles`` ``(T, 3)`` over ``vertices`` ``(V, 3)``."""
    a, b, c = (vertices[triangles[:, k]] for k in range(3))
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)


def checked(vertices: np.ndarray, triangles: np.ndarray, name: str) -> Mesh:
    """``Mesh(vertices, triangles)`` after checking it has faces, valid indices and a surface."""
    if len(triangles) == 0:
        raise MeshError(f"mesh {name} has no faces")
    if triangles.min() < 0 or triangles.max() >= len(vertices):
        raise MeshError(f"mesh {name}: a face index is out of range (the file has {len(vertices)} vertices)")
    if not np.isfinite(vertices).all():
        raise MeshError(f"mesh {name} has a non-finite vertex coordinate")
    if not triangle_areas(vertices, triangles).sum() > 0.0:
        raise MeshError(f"mesh {name} has zero total surface area")
    return Mesh(vertices, triangles)


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise MeshError(f"mesh {name} is not a text file")
    return data.decode("latin-1")


def parse_obj(data: bytes, name: str) -> Mesh:
    """The mesh of OBJ file contents ``data``; ``name`` is used in errors only."""
    statements = _OBJ_STATEMENT.findall(_decode(data, name))  # ("v" or "f", the rest of the line), in file order
    is_vertex = np.array([kind == "v" for kind, _ in statements], dtype=bool)
    vertex_text = "\n".join(rest for kind, rest in statements if kind == "v")
    try:
        vertices = np.loadtxt(io.StringIO(vertex_text), usecols=(0, 1, 2), ndmin=2) if vertex_text else np.zeros((0, 3))
    except ValueError:
        vertices = None
    if vertices is None or len(vertices) != is_vertex.sum():  # loadtxt skips 'v' lines without coordinates
        raise MeshError(f"mesh {name}: a 'v' line has fewer than 3 coordinates or something that is not a number")
    face_text = _OBJ_CORNER_EXTRAS.sub("", "\n".join(rest for kind, rest in statements if kind == "f"))
    faces = [line.split() for line in face_text.split("\n")] if face_text else []
    polygons = [words for words in faces if len(words) >= 3]
    sizes = np.array([len(words) for words in polygons], dtype=np.int64)
    corners = _numbers([index for words in polygons for index in words], np.int64, name, "an 'f' line")
    if (corners == 0).any():
        raise MeshError(f"mesh {name}: a face index is 0 (OBJ indices start at 1)")
    # Vertices defined before each polygon, for negative (relative) indices.
    before = np.cumsum(is_vertex)[~is_vertex][np.array([len(words) >= 3 for words in faces], dtype=bool)]
    corners = np.where(corners < 0, corners + np.repeat(before, sizes), corners - 1)
    return checked(vertices, fan_triangles(corners, sizes), name)


def parse_off(data: bytes, name: str) -> Mesh:
    """The mesh of OFF file contents ``data``; ``name`` is used in errors only."""
    lines = [words for line in _decode(data, name).splitlines() if (words := line.split("#", 1)[0].split())]
    header = _OFF_HEADER.match(" ".join(lines[0])) if lines else None
    if header is None:
        raise MeshError(f"mesh {name} does not start with an OFF header")
    body = lines[1:] if not header.group(1) else [header.group(1).split(), *lines[1:]]
    if not body or len(body[0]) < 2:
        raise MeshError(f"mesh {name}: the OFF header lacks the vertex and face counts")
    n_vertices, n_faces = (int(n) for n in _numbers(body[0][:2], np.int64, name, "the OFF counts line"))
    vertex_lines, face_lines = body[1 : 1 + n_vertices], body[1 + n_vertices : 1 + n_vertices + n_faces]
    if min(n_vertices, n_faces) < 0 or len(vertex_lines) < n_vertices or len(face_lines) < n_faces:
        raise MeshError(f"mesh {name} is truncated: the header promises {n_vertices} vertices and {n_faces} faces")
    if any(len(words) < 3 for words in vertex_lines):
        raise MeshError(f"mesh {name}: a vertex line has fewer than 3 coordinates")
    vertices = _numbers([words[:3] for words in vertex_lines], np.float64, name, "a vertex line").reshape(-1, 3)
    sizes = _numbers([words[0] for words in face_lines], np.int64, name, "a face line")
    if (sizes < 3).any() or any(len(words) <= size for words, size in zip(face_lines, sizes)):
        raise MeshError(f"mesh {name}: a face line has fewer than 3 corners or fewer indices than it declares")
    corners = _numbers([i for words, size in zip(face_lines, sizes) for i in words[1 : 1 + size]], np.int64, name, "a face line")
    return checked(vertices, fan_triangles(corners, sizes), name)


def read_mesh(path: str | Path) -> Mesh:
    """The mesh of an ``.obj`` or ``.off`` file at ``path``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise MeshError(f"mesh {path}: unknown format {suffix!r} (expected {', '.join(MESH_SUFFIXES)})")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MeshError(f"mesh {path} cannot be read: {error.strerror}") from None
    return (parse_obj if suffix == ".obj" else parse_off)(data, str(path))
