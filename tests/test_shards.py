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


def test_interrupted_generation_leaves_no_complete_looking_dataset(tmp_path, monkeypatch):
    import synthlearn.data.shards as shards

    calls = []
    real = shards.make_shard

    def failing(job):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(job)
        return real(job)

    monkeypatch.setattr(shards, "make_shard", failing)
    with pytest.raises(KeyboardInterrupt):
        write_dataset("test-bars", {}, n=40, seed=1, out=tmp_path / "d", shard_size=8)
    assert not (tmp_path / "d" / "manifest.json").exists()
    assert not list((tmp_path / "d").glob("*.tmp")) and not list((tmp_path / "d").glob(".*.tmp"))
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["shard-00000.npz", "shard-00001.npz"]
