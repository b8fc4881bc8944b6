"""Apply a trained refiner to a dataset: same layers and labels, refined images, valid manifest.

:func:`refine_dataset` reads a dataset folder (or an ``.npz`` of layers), refines its image
layer shard by shard and writes a new dataset folder in the same
:mod:`synthlearn.data.shards` format: one shard per input shard (same counts), every other
layer copied unchanged, checksums recomputed, and the manifest (written last) keeps the
source's simulator, parameters and seed and adds a ``refined`` section naming the refiner run.

Example::

    >>> refine_dataset("runs/simgan", "data/digits", "data/digits-refined")
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthlearn import __version__
from synthlearn.atomic import write_bytes_atomic, write_json_atomic
from synthlearn.data.shards import FORMAT, MANIFEST, encode_npz, load_layers, open_dataset, sha256_of
from synthlearn.errors import UserError
from synthlearn.nn.refiner import Refiner
from synthlearn.refine.images import REFINER_FILE, images_to_unit, load_refiner, unit_to_images
from synthlearn.refine.simgan import refine_tensor
from synthlearn.runs import check_output_folder

def refine_array(refiner: Refiner, images: np.ndarray, pixel_max: float, batch_size: int = 1024) -> np.ndarray:
    """Refine stored images ``(N, H, W)`` / ``(N, H, W, C)``; returns the same shape and dtype (rounded if integer)."""
    with torch.no_grad():
        refined = refine_tensor(refiner, images_to_unit(images, pixel_max), batch_size)
    return unit_to_images(refined, pixel_max, images.dtype, grey=images.ndim == 3)


def _check_shape(images: np.ndarray, record: dict[str, Any], where: str) -> None:
    channels = 1 if images.ndim == 3 else images.shape[-1]
    shape = [channels, *images.shape[1:3]]
    if shape != record["image_shape"]:
        raise UserError(f"{where}: images of shape (C, H, W) = {tuple(shape)}, but the refiner was trained on {tuple(record['image_shape'])}")


def refine_dataset(
    run: str | Path, data: str | Path, out: str | Path, image_layer: str = "image", batch_size: int = 1024, overwrite: bool = False
) -> dict[str, Any]:
    """Write the refined copy of dataset ``data`` into ``out``; returns the new manifest."""
    run, data, out = Path(run), Path(data), Path(out)
    refiner, record = load_refiner(run)
    check_output_folder(out)
    if out.resolve() == data.resolve():
        raise UserError("--out must differ from --data (a dataset is never rewritten in place)")
    if (out / MANIFEST).exists() and not overwrite:
        raise UserError(f"{out / MANIFEST} already exists; choose another --out or pass --overwrite")
    if data.suffix == ".npz":
        source_manifest: dict[str, Any] = {"simulator": None, "params": None, "seed": None}
        layers = load_layers(data)
        if image_layer not in layers:
            raise UserError(f"{data}: no layer '{image_layer}' to refine; layers are {', '.join(sorted(layers))}")
        _check_shape(layers[image_layer], record, str(data))
        parts = iter([layers])
        source_sha = sha256_of(data)
    else:
        dataset = open_dataset(data)  # verifies the source's checksums
        source_manifest = dataset.manifest
        declared = source_manifest.get("layers") or {}
        if image_layer not in declared:
            raise UserError(f"{data}: no layer '{image_layer}' to refine; layers are {', '.join(sorted(declared))}")
        _check_shape(np.empty((0, *declared[image_layer]["shape"])), record, str(data))
        parts = (load_layers(data / shard["path"]) for shard in dataset.shards)  # one shard in memory at a time
        source_sha = sha256_of(data / MANIFEST)
    (out / MANIFEST).unlink(missing_ok=True)
    shards = []
    for index, layers in enumerate(parts):
        if image_layer not in layers:
            raise UserError(f"{data}: no layer '{image_layer}' to refine; layers are {', '.join(sorted(layers))}")
        _check_shape(layers[image_layer], record, str(data))
        refined = {**layers, image_layer: refine_array(refiner, layers[image_layer], record["pixel_max"], batch_size)}
        payload = encode_npz(refined)
        name = f"shard-{index:05d}.npz"
        write_bytes_atomic(out / name, payload)
        shards.append({"path": name, "count": int(len(refined[image_layer])), "sha256": hashlib.sha256(payload).hexdigest()})
    layer_info = {k: {"dtype": str(v.dtype), "shape": list(v.shape[1:])} for k, v in refined.items()}
    manifest = {
        "format": FORMAT,
        "synthlearn_version": __version__,
        "simulator": source_manifest.get("simulator"),
        "params": source_manifest.get("params"),
        "seed": source_manifest.get("seed"),
        "n": sum(s["count"] for s in shards),
        "shard_size": source_manifest.get("shard_size", max(s["count"] for s in shards)),
        "layers": layer_info,
        "shards": shards,
        "refined": {
            "run": str(run.resolve()),
            "refiner": record.get("name"),
            "refiner_sha256": sha256_of(run / REFINER_FILE if run.is_dir() else run),
            "pixel_max": record["pixel_max"],
            "image_layer": image_layer,
            "source": str(data.resolve()),
            "source_sha256": source_sha,
        },
    }
    write_json_atomic(out / MANIFEST, manifest)
    listed = {s["path"] for s in shards}
    for old in out.glob("shard-*.npz"):  # an --overwrite with fewer shards leaves none of the old ones
        if old.name not in listed:
            old.unlink()
    return manifest
