"""`refine apply`: refined dataset with the same labels and a valid manifest; the CLI around it."""

import json

import numpy as np
import pytest
import torch
import yaml

from synthlearn.cli import app as app_module
from synthlearn.cli import refine as refine_cli
from synthlearn.data.shards import open_dataset, write_dataset
from synthlearn.errors import UserError
from synthlearn.refine.apply import refine_array, refine_dataset
from synthlearn.refine.images import images_to_unit, load_refiner, unit_to_images
from synthlearn.refine.run import run_refiner

from test_refine_run import tiny_config

if "refine" not in {group.name for group in app_module.app.registered_groups}:  # until cli/app.py wires it
    app_module.app.add_typer(refine_cli.app, name="refine")


def run_cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        app_module.main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture
def trained(tmp_path):
    run_refiner(tiny_config(tmp_path, steps=2), tmp_path / "run")
    return tmp_path / "run"


def test_apply_keeps_labels_and_writes_a_valid_manifest(tmp_path, trained):
    write_dataset("test-bars", {"noise": 0.3}, 10, 4, tmp_path / "data", shard_size=4)
    manifest = refine_dataset(trained, tmp_path / "data", tmp_path / "refined")
    source, refined = open_dataset(tmp_path / "data"), open_dataset(tmp_path / "refined")  # verifies checksums
    a, b = source.load_all(), refined.load_all()
    assert np.array_equal(a["label"], b["label"]) and b["image"].dtype == a["image"].dtype == np.uint8
    assert b["image"].shape == a["image"].shape and not np.array_equal(a["image"], b["image"])
    assert [s["count"] for s in manifest["shards"]] == [4, 4, 2] and manifest["n"] == 10
    assert manifest["simulator"] == "test-bars" and manifest["params"]["noise"] == 0.3
    assert manifest["refined"]["run"] == str(trained.resolve())
    assert json.loads((tmp_path / "refined" / "manifest.json").read_text()) == manifest
    refiner, record = load_refiner(trained)
    assert np.array_equal(b["image"], refine_array(refiner, a["image"], record["pixel_max"]))
    with pytest.raises(UserError, match="already exists"):
        refine_dataset(trained, tmp_path / "data", tmp_path / "refined")


def test_conversions_round_trip():
    images = np.arange(2 * 8 * 8, dtype=np.uint8).reshape(2, 8, 8) % 17
    unit = images_to_unit(images, 16)
    assert unit.shape == (2, 1, 8, 8) and unit.min() == -1 and unit.max() == 1
    assert np.array_equal(unit_to_images(unit, 16, np.uint8, grey=True), images)
    rgb = np.zeros((3, 5, 5, 3), np.uint8)
    assert unit_to_images(images_to_unit(rgb, 255), 255, np.uint8, grey=False).shape == rgb.shape
    assert unit_to_images(torch.full((1, 1, 2, 2), 5.0), 16, np.uint8, grey=True).max() == 16  # clipped


def test_cli_run_and_apply(capsys, tmp_path):
    config = tiny_config(tmp_path, steps=2)
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config.model_dump(mode="json")))
    write_dataset("test-bars", None, 6, 0, tmp_path / "data")
    code, _, err = run_cli(capsys, "refine", "run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "run"),
                           "--set", "simgan.lam=0.3", "--set", f"synthetic.dataset={tmp_path / 'data'}",
                           "--real", str(tmp_path / "real.npz"))
    assert code == 0, err
    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())
    assert saved["simgan"]["lam"] == 0.3 and saved["synthetic"]["dataset"] == str(tmp_path / "data")
    assert json.loads((tmp_path / "run" / "result.json").read_text())["n_synthetic"] == 6
    code, _, err = run_cli(capsys, "refine", "apply", str(tmp_path / "run"), "--data", str(tmp_path / "data"),
                           "--out", str(tmp_path / "refined"))
    assert code == 0, err
    assert open_dataset(tmp_path / "refined").manifest["refined"]["refiner"] == "tiny"


@pytest.mark.parametrize("argv,message", [
    (["refine", "run", "missing.yaml", "--out", "R"], "error: config file missing.yaml does not exist"),
    (["refine", "apply", "R", "--data", "D", "--out", "O"], "error: R does not exist: not a finished refiner run"),
])
def test_cli_errors_are_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1


def test_cli_bad_config_value(capsys, tmp_path):
    config = tiny_config(tmp_path)
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config.model_dump(mode="json")))
    code, _, err = run_cli(capsys, "refine", "run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "r"), "--set", "simgan.psi=edges")
    assert code == 2 and err.startswith("error: setting 'simgan.psi': Input should be 'identity'")
    assert not (tmp_path / "r").exists()
