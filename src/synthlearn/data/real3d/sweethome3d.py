"""Real furniture: the SweetHome3D catalogs of Debian's ``sweethome3d-furniture`` as point clouds.

The package (``make data``) puts five ``.sh3f`` zip archives in
``/usr/share/sweethome3d/furniture`` (BlendSwap CC-0 and CC-BY, KatorLegaz, Reallusion,
Scopia; 820 models). Each holds ``PluginFurnitureCatalog.properties`` (Java ``.properties``,
ISO-8859-1 with ``\\uXXXX`` escapes) whose keys ``name#N``, ``category#N``, ``model#N``,
``modelRotation#N`` ... describe model ``N``; ``model#N`` is an absolute path inside the same
archive (``/scopia/chair/chair.obj``), and every model in the package is such an OBJ -- the
loader reads it from the archive in memory and never extracts anything.

Orientation (checked on all 820 models): the OBJ files are y-up, the Java3D convention.
After ``modelRotation#N`` -- nine numbers, a row-major 3×3 matrix applied as ``R @ v``,
present for 33 models -- a model's x, y, z extents have the proportions of the catalog's
``width``, ``height``, ``depth`` (median difference 0.04 %, within 5 % for 97 % of the models;
read as z-up they would be within 5 % for 8 %), so the loader applies the rotation, then turns
+y into +z like every other cloud here.

Classes come from the English ``name#N`` alone, through :data:`KEYWORDS` (fixed once, from
the catalog's names, before any model was trained). Categories are rooms ("Living room"
holds chairs, tables, sofas and plants; "Lights" holds candles and a flashlight), so they do
not decide a class.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from synthlearn.data.real3d.mesh import MeshError, parse_obj
from synthlearn.data.real3d.sampling import PointClouds, check_points, mesh_cloud
from synthlearn.errors import UserError
from synthlearn.seeding import generator

FURNITURE_ROOT = "/usr/share/sweethome3d/furniture"
CATALOG = "PluginFurnitureCatalog.properties"
CLASSES = ("chair", "table", "lamp", "sofa", "cabinet", "window", "door", "bed", "bookshelf")
INSTALL_HINT = "install the real furniture models with `make data` (apt-get install sweethome3d-furniture)"

#: Whole words or phrases of a model's name -> its class (``None``: a phrase that names
#: something else, e.g. a table fan is no table). A name is read left to right, the longest
#: phrase at each word winning, so "Desk lamp" is a lamp and "Glass door cabinet" a cabinet;
#: a name that then matches no class, or two classes ("Upper shelves cabinet"), is skipped.
KEYWORDS: dict[str, str | None] = {
    "chair": "chair", "armchair": "chair", "stool": "chair",
    "table": "table", "desk": "table", "table fan": None, "table tennis bat": None,
    "lamp": "lamp", "light": "lamp", "lights": "lamp", "desk lamp": "lamp", "table lamp": "lamp",
    "sofa": "sofa", "couch": "sofa",
    "cabinet": "cabinet", "wardrobe": "cabinet", "cupboard": "cabinet", "dresser": "cabinet",
    "chest": "cabinet", "chest freezer": None, "door cabinet": "cabinet",
    "window": "window", "window shutter": None, "window blind": None,
    "door": "door",
    "bed": "bed",
    "bookcase": "bookshelf", "bookshelf": "bookshelf", "shelf": "bookshelf", "shelves": "bookshelf",
}
_LONGEST = max(len(phrase.split()) for phrase in KEYWORDS)
_SEED_STREAM = 0x5E3D  # the seed path of per-model sampling streams


def classify(name: str) -> tuple[str, ...]:
    """The classes (in :data:`CLASSES` order) that :data:`KEYWORDS` finds in a model ``name``."""
    words = re.findall(r"[a-z]+", name.lower())
    found, i = set(), 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            if (phrase := " ".join(words[i : i + n])) in KEYWORDS:
                found.add(KEYWORDS[phrase])
                i += n
                break
        else:
            i += 1
    return tuple(c for c in CLASSES if c in found)


def _unescape(text: str) -> str:
    codes = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", lambda m: chr(int(m[1][1:], 16)) if len(m[1]) == 5 else codes.get(m[1], m[1]),
                  text, flags=re.DOTALL)


def read_properties(data: bytes) -> dict[str, str]:
    """The keys and values of a Java ``.properties`` file (UTF-8, else ISO-8859-1, as Java 9+ reads them).

    ``#``/``!`` comment lines, ``key=value``, ``key: value`` and ``key value``, a line ending in
    an odd number of backslashes continuing on the next (its leading blanks dropped), and the
    escapes ``\\t \\n \\r \\f \\uXXXX`` and ``\\<any>``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    logical, pending = [], None
    for natural in re.split(r"\r\n|\r|\n", text):
        line = natural.lstrip(" \t\f")
        if pending is None and (not line or line[0] in "#!"):
            continue
        continued = (len(line) - len(line.rstrip("\\"))) % 2 == 1
        pending = (pending or "") + (line[:-1] if continued else line)
        if not continued:
            logical.append(pending)
            pending = None
    if pending is not None:
        logical.append(pending)
    pairs = (re.match(r"((?:\\.|[^\\=: \t\f])*)[ \t\f]*[=:]?[ \t\f]*(.*)", line, re.DOTALL) for line in logical)
    return {_unescape(m[1]): _unescape(m[2]) for m in pairs}


def _rotation(text: str | None, source: str) -> np.ndarray | None:
    if text is None:
        return None
    try:
        values = np.array(text.split(), dtype=np.float64)
    except ValueError:
        values = np.zeros(0)
    if values.shape != (9,):
        raise MeshError(f"{source}: modelRotation {text!r} is not 9 numbers")
    return values.reshape(3, 3)


def _read(zipped: zipfile.ZipFile, member: str, archive: Path) -> bytes:
    try:
        return zipped.read(member)
    except (zipfile.BadZipFile, zlib.error, OSError):
        raise UserError(f"furniture catalog {archive} is corrupt ({member} cannot be read); reinstall it: {INSTALL_HINT}") from None


def _open(archive: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise UserError(f"furniture catalog {archive} is not a readable .sh3f (zip) archive; reinstall it: {INSTALL_HINT}") from None


def load_sweethome3d(root: str | Path = FURNITURE_ROOT, points: int = 1024, seed: int = 0) -> PointClouds:
    """Every classifiable model of the ``.sh3f`` catalogs in ``root`` as a normalised z-up cloud.

    Returns :class:`PointClouds` with ``points``/``normals`` float32 ``(N, points, 3)``, labels
    into :data:`CLASSES`, names from ``name#N``, sources ``<archive>#N``, and ``skipped``
    counting models whose name matches no class or several, whose model file is not in the
    archive, or whose mesh is broken. Model ``<archive>#N`` is sampled from its own stream of
    ``seed``, so its cloud does not depend on the other models; nothing is cached.
    """
    check_points(points)
    root = Path(root)
    archives = sorted(root.glob("*.sh3f")) if root.is_dir() else []
    if not archives:
        raise UserError(f"SweetHome3D furniture catalogs (*.sh3f) in {root} not found; {INSTALL_HINT}")
    clouds, labels, names, sources, skipped = [], [], [], [], Counter()
    for archive in archives:
        with _open(archive) as zipped:
            entries = set(zipped.namelist())
            if CATALOG not in entries:
                raise UserError(f"furniture catalog {archive} has no {CATALOG}; reinstall it: {INSTALL_HINT}")
            catalog = read_properties(_read(zipped, CATALOG, archive))
            for number in sorted(int(key[5:]) for key in catalog if re.fullmatch(r"name#\d+", key)):
                name, source = catalog[f"name#{number}"], f"{archive.name}#{number}"
                model, matched = catalog.get(f"model#{number}", "").lstrip("/"), classify(name)
                if len(matched) != 1:
                    skipped["name matches several classes" if matched else "name matches no class"] += 1
                    continue
                if model not in entries:
                    skipped["model file not in the archive"] += 1
                    continue
                try:
                    rotation = _rotation(catalog.get(f"modelRotation#{number}"), source)
                    mesh = parse_obj(_read(zipped, model, archive), f"{archive}:{model}")
                except MeshError:
                    skipped["broken mesh"] += 1
                    continue
                rng = generator(seed, _SEED_STREAM, zlib.crc32(source.encode()))
                clouds.append(mesh_cloud(mesh, points, rng, up_axis="y", rotation=rotation))
                labels.append(CLASSES.index(matched[0]))
                names.append(name)
                sources.append(source)
    if not clouds:
        raise UserError(f"no usable furniture model in {root} (skipped: {dict(skipped)}); {INSTALL_HINT}")
    return PointClouds.stack(clouds, labels, CLASSES, names, sources, dict(skipped))
