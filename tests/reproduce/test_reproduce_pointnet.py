"""The PointNet sim-to-real benchmark end to end on a tiny catalog of boxes the test writes."""

import json
import zipfile

import numpy as np
import pytest

from synthlearn.cli.app import main
from synthlearn.execute.local import LocalExecutor
from synthlearn.reproduce.pointnet import PointNetBenchSettings, run_pointnet

TINY = PointNetBenchSettings(seeds=(0, 1), points=32, width=8, train_size=32, epochs=1, iterations=1, candidates=2,
                             fresh_models=1, folds=2, val_per_class=1)


def box_obj(x: float, y: float, z: float) -> bytes:
    """A closed box x × y × z as OBJ text (y-up, like SweetHome3D's models)."""
    corners = [(i * x, j * y, k * z) for i in (0, 1) for j in (0, 1) for k in (0, 1)]
    faces = [(1, 2, 4, 3), (5, 7, 8, 6), (1, 5, 6, 2), (3, 4, 8, 7), (1, 3, 7, 5), (2, 6, 8, 4)]
    lines = [f"v {a} {b} {c}" for a, b, c in corners] + ["f " + " ".join(map(str, f)) for f in faces]
    return ("\n".join(lines) + "\n").encode()


def write_catalog(root):
    """Four classes of three models each: chairs, tables, lamps and doors of different box shapes."""
    root.mkdir()
    shapes = {"Chair": (0.5, 0.9, 0.5), "Table": (1.2, 0.7, 0.8), "Lamp": (0.2, 1.6, 0.2), "Door": (0.9, 2.0, 0.05)}
    lines, number = ["id=test"], 0
    with zipfile.ZipFile(root / "test.sh3f", "w") as archive:
        for name, (x, y, z) in shapes.items():
            for k in range(3):
                number += 1
                path = f"/models/{name.lower()}{k}.obj"
                archive.writestr(path.lstrip("/"), box_obj(x * (1 + 0.1 * k), y, z))
                lines += [f"name#{number}={name} {k}", f"model#{number}={path}"]
        archive.writestr("PluginFurnitureCatalog.properties", "\n".join(lines) + "\n")
    return root


def test_tiny_benchmark_writes_every_row_and_figure(tmp_path):
    real = write_catalog(tmp_path / "catalog")
    with LocalExecutor(1) as pool:
        results = run_pointnet(tmp_path / "out", TINY, pool, real_root=real)
    methods = [row["method"] for row in results["rows"]]
    assert methods == ["real (k-fold)", "default", "random-params", "random-search", "reinforce",
                       "default + scan", "random-params + scan", "random-search + scan", "reinforce + scan"]
    assert results["real_per_class"] == [3, 3, 3, 0, 0, 0, 3, 0, 0] and results["real_models"] == 12
    assert results["protocol"] == {"0": {"validation": 4, "test": 8}, "1": {"validation": 4, "test": 8}}
    for row in results["rows"]:
        per_seed = row["accuracy"]["per_seed"]
        assert len(per_seed) == 2 and row["accuracy"]["mean"] == pytest.approx(np.mean(per_seed))
        denominator = 12 if row["method"] == "real (k-fold)" else 8  # every real model once, or the test models
        assert all(abs(v * denominator - round(v * denominator)) < 1e-4 for v in per_seed)
        assert np.asarray(row["confusion_seed0"]).sum() == denominator
    scan_config = json.loads(json.dumps(results["settings"]))
    assert scan_config["scan"] == [False, True]
    for figure in ("samples.png", "confusion_real.png", "confusion_reinforce.png", "critical_sets.png", "learned_params.png"):
        assert (tmp_path / "out" / figure).stat().st_size > 1000, figure
    assert json.loads((tmp_path / "out" / "results.json").read_text()) == json.loads(json.dumps(results))
    # an interrupted benchmark continues: a second call re-uses every finished LTS run and gives the same table
    with LocalExecutor(1) as pool:
        assert run_pointnet(tmp_path / "out", TINY, pool, real_root=real) == results


def test_missing_catalog_is_one_line_that_names_make_data(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "pointnet", "--quick", "--out", str(tmp_path / "out"), "--real", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "make data" in err
    assert not (tmp_path / "out").exists()
