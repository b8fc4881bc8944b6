"""Sharded datasets on disk: an atomic writer, a manifest with checksums, and a reader.

Layout of a dataset folder::

    DIR/manifest.json          simulator, parameters, seed, shard list (path, count, sha256)
    DIR/shard-00000.npz        one array per layer, first axis = samples in the shard
    ...

Shard ``i`` holds ``simulator.generate(params, count_i, child_seed(seed, i))``, so a shard
can be made by any worker in any order and the folder's bytes depend only on
(simulator, params, n, seed, shard_size). Every file is written to a temporary name and
moved into place; the manifest is written last, so a folder without ``manifest.json`` is
never mistaken for a complete dataset.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synthlearn import __version__, seeding
from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.data.arrays import read_npz
from synthlearn.errors import UserError
from synthlearn.runs import check_output_folder
from synthlearn.sim.base import get_simulator, import_ref
from synthlearn.sim.request import SimRequest

MANIFEST = "manifest.json"
FORMAT = "synthlearn-shards/1"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def encode_npz(layers: Mapping[str, np.ndarray]) -> bytes:
    """Layers as the bytes of an ``.npz`` archive with fixed timestamps (same arrays, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(layers):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(layers[name]), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=_FIXED_ZIP_TIME), member.getvalue())
    return buffer.getvalue()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker needs to make and write one shard (picklable): what to simulate, and where."""

    request: SimRequest
    path: str

    @property
    def count(self) -> int:
        return self.request.n


@dataclass(frozen=True)
class ShardRecord:
    path: str
    count: int
    sha256: str
    layers: dict[str, dict[str, Any]]


PARTIAL = ".partial"


def _record_path(shard_path: str | Path) -> Path:
    shard_path = Path(shard_path)
    return shard_path.parent / PARTIAL / (shard_path.stem + ".json")


def make_shard(job: ShardJob) -> ShardRecord:
    """Generate one shard, write it atomically, then its record in ``.partial/``; returns the record."""
    layers = job.request.generate()
    data = encode_npz(layers)
    write_bytes_atomic(job.path, data)
    info = {k: {"dtype": str(v.dtype), "shape": list(v.shape[1:])} for k, v in layers.items()}
    record = ShardRecord(Path(job.path).name, job.count, hashlib.sha256(data).hexdigest(), info)
    write_json_atomic(_record_path(job.path), asdict(record))
    return record


def _finished(job: ShardJob) -> ShardRecord | None:
    """The record of a shard an interrupted run already finished (file present, checksum matching)."""
    record_path, shard_path = _record_path(job.path), Path(job.path)
    if not (record_path.is_file() and shard_path.is_file()):
        return None
    record = ShardRecord(**json.loads(record_path.read_text()))
    if record.count != job.count or sha256_of(shard_path) != record.sha256:
        return None
    return record


def plan_shards(request: SimRequest, shard_size: int, out: Path) -> list[ShardJob]:
    """Split ``request`` into shard jobs of at most ``shard_size`` samples; shard ``i`` draws from ``child_seed(seed, i)``."""
    if shard_size < 1:
        raise UserError(f"shard size must be at least 1, got {shard_size}")
    jobs = []
    for index, start in enumerate(range(0, request.n, shard_size)):
        count = min(shard_size, request.n - start)
        path = out / f"shard-{index:05d}.npz"
        jobs.append(ShardJob(request.with_sample(count, seeding.child_seed(request.seed, index)), str(path)))
    return jobs


MapFn = Callable[[Callable[[ShardJob], ShardRecord], Sequence[ShardJob]], list[ShardRecord]]


def write_dataset(
    simulator: str,
    params: Mapping[str, Any] | None,
    n: int,
    seed: int,
    out: str | Path,
    shard_size: int = 512,
    overwrite: bool = False,
    resume: bool = False,
    map_fn: MapFn | None = None,
) -> dict[str, Any]:
    """Generate ``n`` samples into dataset folder ``out`` and return the manifest.

    ``map_fn(fn, jobs)`` runs the shard jobs (default: one after another in this process);
    an executor's ``map`` fits, which is how generation runs on worker processes or Ray.
    With ``resume=True`` an interrupted generation of the same dataset keeps the shards it
    finished (checksums verified) and makes only the rest.
    """
    sim = get_simulator(simulator)
    full = sim.param_space().validate(params)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UserError(f"--n must be a positive integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UserError(f"--seed must be a non-negative integer, got {seed!r}")
    out = Path(out)
    check_output_folder(out)
    if (out / MANIFEST).exists() and not overwrite:
        raise UserError(f"{out / MANIFEST} already exists; choose another --out or pass --overwrite")
    plan = {"simulator": sim.name, "params": full, "seed": seed, "n": n, "shard_size": shard_size}
    plan_path = out / PARTIAL / "plan.json"
    if resume and plan_path.is_file() and json.loads(plan_path.read_text()) != json.loads(json.dumps(plan)):
        raise UserError(f"{out} holds an interrupted generation with other settings; resume it with the same ones")
    if not resume and plan_path.exists():
        raise UserError(f"{out} holds an interrupted generation; pass --resume to finish it or choose another --out")
    jobs = plan_shards(SimRequest(import_ref(sim), full, n, seed), shard_size, out)
    sim.generate(full, 1, seed)  # a simulator that rejects these parameters does so before anything is written

    (out / MANIFEST).unlink(missing_ok=True)
    write_json_atomic(plan_path, plan)
    if resume:
        for stale in out.glob(".*.tmp"):  # left by a shard write that a kill interrupted
            stale.unlink()
    done = {job.path: _finished(job) for job in jobs} if resume else {}
    todo = [job for job in jobs if done.get(job.path) is None]
    made = iter((map_fn or (lambda fn, items: [fn(item) for item in items]))(make_shard, todo))
    records = [done.get(job.path) or next(made) for job in jobs]
    manifest = {
        **plan,
        "format": FORMAT,
        "synthlearn_version": __version__,
        "layers": records[0].layers,
        "shards": [{"path": r.path, "count": r.count, "sha256": r.sha256} for r in records],
        "regenerated_on_resume": len(todo) if resume else None,
    }
    write_json_atomic(out / MANIFEST, manifest)
    listed = {r.path for r in records}
    for old in out.glob("shard-*.npz"):  # an --overwrite with fewer shards leaves none of the old ones
        if old.name not in listed:
            old.unlink()
    shutil.rmtree(out / PARTIAL, ignore_errors=True)
    return manifest


def read_manifest(folder: str | Path) -> dict[str, Any]:
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.exists():
        raise UserError(f"dataset folder {folder} does not exist")
    if not folder.is_dir():
        raise UserError(f"dataset {folder} is not a folder (a dataset is a folder written by `synthlearn generate`, or an .npz of layers)")
    if not path.is_file():
        raise UserError(f"{path} is missing: not a complete synthlearn dataset")
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UserError(f"{path} is not a {FORMAT} manifest")
    shards = manifest.get("shards")
    if not isinstance(shards, list) or not shards:
        raise UserError(f"{path} lists no shards")
    for index, shard in enumerate(shards):
        if not (isinstance(shard, dict) and isinstance(shard.get("path"), str) and isinstance(shard.get("sha256"), str)
                and isinstance(shard.get("count"), int) and shard["count"] >= 0):
            raise UserError(f"{path}: shard entry {index} needs a path, a count and a sha256")
        if Path(shard["path"]).name != shard["path"]:
            raise UserError(f"{path}: shard entry {index} names a file outside the dataset folder: {shard['path']!r}")
    return manifest


def _load_shard(path: Path) -> dict[str, np.ndarray]:
    return read_npz(path, "shard")


class ShardDataset:
    """A map-style dataset (``torch.utils.data.Dataset`` compatible) over a shard folder.

    ``dataset[i]`` is a dict ``{layer: array}`` for sample ``i`` (the layer arrays without
    the sample axis). :meth:`load_all` returns every layer as one array ``(n, ...)``.
    Checksums of all shards are verified when the dataset is opened (``verify=True``).
    """

    def __init__(self, folder: str | Path, verify: bool = True) -> None:
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        self.shards = self.manifest["shards"]
        self._offsets = np.cumsum([0] + [int(s["count"]) for s in self.shards])
        self._cache: tuple[int, dict[str, np.ndarray]] | None = None
        if verify:
            self.verify()

    def verify(self) -> None:
        """Raise :class:`UserError` naming the first missing or corrupt shard."""
        for shard in self.shards:
            path = self.folder / shard["path"]
            if not path.is_file():
                raise UserError(f"shard {path} listed in the manifest is missing")
            if sha256_of(path) != shard["sha256"]:
                raise UserError(f"shard {path} is corrupt: its sha256 does not match the manifest")

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def _shard(self, index: int) -> dict[str, np.ndarray]:
        if self._cache is None or self._cache[0] != index:
            self._cache = (index, _load_shard(self.folder / self.shards[index]["path"]))
        return self._cache[1]

    def __getitem__(self, i: int) -> dict[str, np.ndarray]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} out of range for a dataset of {len(self)} samples")
        i %= len(self)
        shard = int(np.searchsorted(self._offsets, i, side="right") - 1)
        return {k: v[i - self._offsets[shard]] for k, v in self._shard(shard).items()}

    def load_all(self) -> dict[str, np.ndarray]:
        """All samples as ``{layer: array (n, ...)}``."""
        parts = [_load_shard(self.folder / s["path"]) for s in self.shards]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def open_dataset(folder: str | Path, verify: bool = True) -> ShardDataset:
    """Open a dataset folder written by :func:`write_dataset` (verifying checksums)."""
    return ShardDataset(folder, verify=verify)


def load_layers(path: str | Path) -> dict[str, np.ndarray]:
    """Every layer of a dataset folder, a plain ``.npz`` file of layers, or a KITTI-style semantic folder
    (:mod:`synthlearn.data.kitti`: ``image_2/`` and ``semantic/``), as arrays ``(n, ...)``."""
    from synthlearn.data.kitti import is_semantic_folder, load_semantic_folder

    path = Path(path)
    if path.suffix == ".npz":
        return read_npz(path, "layer file")
    if is_semantic_folder(path):
        return load_semantic_folder(path)
    return open_dataset(path).load_all()
