from pathlib import Path

import numpy as np
import pytest

from synthlearn.data import open_dataset, write_dataset
from synthlearn.errors import UserError


def test_written_dataset_reads_back_identically(tmp_path):
    manifest = write_dataset("test-bars", {"noise": 0.1}, n=50, seed=4, out=tmp_path / "d", shard_size=16)
    assert [s["count"] for s in manifest["shards"]] == [16, 16, 16, 2]
    data = open_dataset(tmp_path / "d")
    assert len(data) == 50
    every = data.load_all()
    assert every["image"].shape == (50, 8, 8)
    assert np.array_equal(data[17]["image"], every["image"][17])
    assert np.array_equal(data[-1]["label"], every["label"][49])


def test_same_seed_same_bytes(tmp_path):
    for name in ("a", "b"):
        write_dataset("test-bars", {}, n=20, seed=9, out=tmp_path / name, shard_size=8)
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_corrupt_and_missing_shards_are_named(tmp_path):
    write_dataset("test-bars", {}, n=20, seed=1, out=tmp_path / "d", shard_size=8)
    shard = tmp_path / "d" / "shard-00001.npz"
    raw = bytearray(shard.read_bytes())
    raw[-10] ^= 0xFF
    shard.write_bytes(bytes(raw))
    with pytest.raises(UserError, match="shard .*shard-00001.npz is corrupt"):
        open_dataset(tmp_path / "d")
    shard.unlink()
    with pytest.raises(UserError, match="shard-00001.npz listed in the manifest is missing"):
        open_dataset(tmp_path / "d")


def test_folder_without_manifest_is_not_a_dataset(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(UserError, match="manifest.json is missing"):
        open_dataset(tmp_path / "d")


def test_existing_dataset_is_not_overwritten_by_accident(tmp_path):
    write_dataset("test-bars", {}, n=4, seed=1, out=tmp_path / "d")
    before = (tmp_path / "d" / "manifest.json").read_text()
    with pytest.raises(UserError, match="already exists"):
        write_dataset("test-bars", {}, n=8, seed=2, out=tmp_path / "d")
    assert (tmp_path / "d" / "manifest.json").read_text() == before


def test_interrupted_generation_resumes_without_redoing_finished_shards(tmp_path, monkeypatch):
    import synthlearn.data.shards as shards

    write_dataset("test-bars", {}, n=40, seed=1, out=tmp_path / "reference", shard_size=8)
    made = []
    real = shards.make_shard

    def dies_on_third(job):
        if len(made) == 2:
            raise KeyboardInterrupt
        made.append(job)
        return real(job)

    monkeypatch.setattr(shards, "make_shard", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        write_dataset("test-bars", {}, n=40, seed=1, out=tmp_path / "d", shard_size=8)
    assert not (tmp_path / "d" / "manifest.json").exists()
    assert not list((tmp_path / "d").rglob("*.tmp"))
    assert sorted(p.name for p in (tmp_path / "d").glob("shard-*")) == ["shard-00000.npz", "shard-00001.npz"]
    with pytest.raises(UserError, match="pass --resume"):
        write_dataset("test-bars", {}, n=40, seed=1, out=tmp_path / "d", shard_size=8)
    with pytest.raises(UserError, match="other settings"):
        write_dataset("test-bars", {}, n=40, seed=2, out=tmp_path / "d", shard_size=8, resume=True)

    (tmp_path / "d" / "shard-00001.npz").write_bytes(b"torn")  # a damaged finished shard is redone
    monkeypatch.setattr(shards, "make_shard", lambda job: made.append(job) or real(job))
    made.clear()
    manifest = write_dataset("test-bars", {}, n=40, seed=1, out=tmp_path / "d", shard_size=8, resume=True)
    assert [Path(job.path).name for job in made] == ["shard-00001.npz", "shard-00002.npz", "shard-00003.npz", "shard-00004.npz"]
    assert manifest["regenerated_on_resume"] == 4 and not (tmp_path / "d" / ".partial").exists()
    for path in (tmp_path / "reference").glob("shard-*"):
        assert path.read_bytes() == (tmp_path / "d" / path.name).read_bytes()


def test_written_files_get_the_usual_permissions(tmp_path):
    import os

    from synthlearn.atomic import write_text_atomic

    write_text_atomic(tmp_path / "a.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask
