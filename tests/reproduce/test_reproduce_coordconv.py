"""CoordConv reproduction: model sizes, a tiny CoordConv run that learns, the CLI with a tiny budget."""

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from synthlearn.cli import reproduce as cli_reproduce
from synthlearn.errors import UserError
from synthlearn.reproduce.coordconv import ROW_FIELDS, CoordConvSettings, Sweep, run_coordconv, split_sets
from synthlearn.reproduce.coordconv_models import (
    ConvRegressor,
    CoordConvRegressor,
    DeconvPainter,
    count_parameters,
    coordconv_classifier,
    coordconv_renderer,
)
from synthlearn.sim.notsoclevr import all_centres

KEYS = ("classification/deconv", "classification/coordconv", "regression/conv", "regression/coordconv",
        "rendering/deconv", "rendering/coordconv")


def tiny_settings(**sweep_changes) -> CoordConvSettings:
    """A 16×16 canvas with a 3×3 square (196 centres) and one short run per row."""
    sweeps = {key: Sweep(lrs=(1e-2,), epochs=2, batch_size=32) for key in KEYS}
    sweeps.update(sweep_changes)
    return CoordConvSettings(canvas=16, square=3, threads=1, sweeps=sweeps)


def test_parameter_counts_match_the_paper():
    classifier, regressor = count_parameters(coordconv_classifier(64)), count_parameters(CoordConvRegressor())
    assert (classifier, regressor) == (7553, 906)  # the paper / authors' code: 7,553 and 906
    assert abs(classifier - 7553) / 7553 < 0.03 and abs(regressor - 906) / 906 < 0.03
    assert count_parameters(coordconv_renderer(64)) == 7553
    deconv = count_parameters(DeconvPainter(64, mul=1, kernel=3))
    assert deconv == 103_585 and deconv >= 10 * classifier  # >= 10x fewer for CoordConv
    assert count_parameters(DeconvPainter(64, mul=1, kernel=2)) == 46_465  # the paper's smallest, "46k"
    assert count_parameters(ConvRegressor(64, mul=1)) == 72_850 >= 10 * regressor


def test_model_shapes_and_input_checks():
    coords = torch.zeros(3, 2)
    assert coordconv_classifier(16)(coords).shape == DeconvPainter(16)(coords).shape == (3, 16, 16)
    onehot = torch.zeros(3, 1, 16, 16)
    assert CoordConvRegressor()(onehot).shape == ConvRegressor(16)(onehot).shape == (3, 2)
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        coordconv_classifier(16)(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="power-of-two"):
        DeconvPainter(48)
    first = coordconv_classifier(16).net[0].weight[:, :, 0, 0]  # inputs (i, j, i-channel, j-channel)
    assert (first[:16, [1, 3]] == 0).all() and (first[16:, [0, 2]] == 0).all() and (first[:16, [0, 2]] != 0).all()
    regressor_first = CoordConvRegressor().net[0].weight
    assert (regressor_first[:, 1:] == 0).all() and (regressor_first[:, 0] != 0).all()


def test_fit_validation_and_test_sets_are_disjoint_and_seeded():
    coords = all_centres()
    settings = CoordConvSettings()
    for split, n_test in [("uniform", 627), ("quadrant", 729)]:
        sets = split_sets(settings, coords, split)
        assert len(sets["test"]) == n_test and sum(len(v) for v in sets.values()) == 3136
        assert len(np.unique(np.concatenate(list(sets.values())))) == 3136
        assert len(sets["val"]) == round(0.1 * (3136 - n_test))
    assert np.array_equal(split_sets(settings, coords, "uniform")["val"], split_sets(settings, coords, "uniform")["val"])


def test_tiny_coordconv_classifier_reaches_full_accuracy_in_seconds():
    settings = tiny_settings(**{"classification/coordconv": Sweep(lrs=(1e-2,), epochs=15, batch_size=16, stop_at=1.0)})
    settings = CoordConvSettings(**{**settings.__dict__, "tasks": ("classification",), "splits": ("uniform",),
                                    "models": ("coordconv",)})
    rows = run_coordconv(None, settings)
    assert len(rows) == 1
    row = rows[0]
    assert row["model"] == "coordconv" and row["params"] == 7553
    assert row["train"] == 1.0 and row["test"] == 1.0 and row["seconds"] < 20
    again = run_coordconv(None, settings)[0]  # deterministic
    assert (again["train"], again["val"], again["test"], again["epochs"]) == (row["train"], row["val"], row["test"], row["epochs"])


def test_cli_writes_results_with_a_tiny_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(cli_reproduce.CoordConvSettings, "quick", staticmethod(tiny_settings))
    result = CliRunner().invoke(cli_reproduce.app, ["coordconv", "--quick", "--out", str(tmp_path / "out"), "--threads", "1"])
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [(r["task"], r["split"], r["model"]) for r in rows][:3] == [
        ("classification", "uniform", "deconv"), ("classification", "uniform", "coordconv"),
        ("classification", "quadrant", "deconv")]
    assert len(rows) == 12 and all(set(ROW_FIELDS) <= set(r) for r in rows)
    assert all(0 <= r["train"] <= 1 and 0 <= r["test"] <= 1 and r["params"] > 0 for r in rows)
    table = (tmp_path / "out" / "results.md").read_text()
    assert table.startswith("| task | split | model | params | train | test | seconds |") and table.count("\n| ") == 12
    assert "rendering" in result.output and "coordconv" in result.output


def test_cli_bad_out_is_a_one_line_user_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cli_reproduce.CoordConvSettings, "quick", staticmethod(tiny_settings))
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = CliRunner().invoke(cli_reproduce.app, ["coordconv", "--quick", "--out", str(target)])
    assert isinstance(result.exception, UserError)
    assert str(result.exception) == f"output folder {target} exists and is not a folder"
    with pytest.raises(UserError, match="cannot create output folder"):
        run_coordconv(target / "sub", tiny_settings())
