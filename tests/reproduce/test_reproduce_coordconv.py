"""CoordConv reproduction: model sizes, metrics, a tiny CoordConv run that learns, the run folder
(resume after an interruption, nothing written for bad settings) and the CLI with a tiny budget."""

import json

import numpy as np
import pytest
import torch
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from synthlearn.cli import reproduce as cli_reproduce
from synthlearn.cli.app import main
from synthlearn.errors import UserError
from synthlearn.reproduce.coordconv import ROW_FIELDS, CoordConvSettings, Sweep, run_coordconv, split_sets
from synthlearn.reproduce.coordconv import run as coordconv_run
from synthlearn.reproduce.coordconv.models import (
    CLASSIFIER_WIDTHS,
    ConvRegressor,
    CoordConvRegressor,
    DeconvPainter,
    build_model,
    count_parameters,
    coordconv_classifier,
    coordconv_renderer,
)
from synthlearn.reproduce.coordconv.tasks import make_task
from synthlearn.runs import RunFolder
from synthlearn.sim.notsoclevr import all_centres

KEYS = ("classification/deconv", "classification/coordconv", "regression/conv", "regression/coordconv",
        "rendering/deconv", "rendering/coordconv")
TIMING = ("seconds", "sweep_seconds")


def tiny_settings(**sweep_changes) -> CoordConvSettings:
    """A 16×16 canvas with a 3×3 square (196 centres) and one short run per row."""
    sweeps = {key: Sweep(lrs=(1e-2,), epochs=2, batch_size=32) for key in KEYS}
    sweeps.update(sweep_changes)
    return CoordConvSettings(canvas=16, square=3, threads=1, sweeps=sweeps)


def untimed(records):
    """``records`` without their wall-clock fields."""
    return [{k: v for k, v in r.items() if k not in TIMING} for r in records]


def test_parameter_counts_match_the_paper():
    classifier, regressor = count_parameters(coordconv_classifier(64)), count_parameters(CoordConvRegressor())
    assert (classifier, regressor) == (7553, 906)  # the paper / authors' code: 7,553 and 906
    # the same counts layer by layer: 1x1 convs on (i, j, i-channel, j-channel), weights + biases ...
    widths = (4, *CLASSIFIER_WIDTHS, 1)
    assert classifier == sum(a * b + b for a, b in zip(widths, widths[1:]))
    # ... and the regressor's 1x1 convs on (one-hot, i-channel, j-channel), then two 3x3 convs
    assert regressor == (3 * 8 + 8) + 2 * (8 * 8 + 8) + (8 * 8 * 9 + 8) + (8 * 2 * 9 + 2)
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
    with pytest.raises(ValueError, match="divisible by 8"):
        ConvRegressor(20)
    with pytest.raises(ValueError, match="no model 'conv' for task 'rendering'"):
        build_model("rendering", "conv", 16)
    first = coordconv_classifier(16).net[0].weight[:, :, 0, 0]  # inputs (i, j, i-channel, j-channel)
    assert (first[:16, [1, 3]] == 0).all() and (first[16:, [0, 2]] == 0).all() and (first[:16, [0, 2]] != 0).all()
    regressor_first = CoordConvRegressor().net[0].weight
    assert (regressor_first[:, 1:] == 0).all() and (regressor_first[:, 0] != 0).all()


def test_metrics_are_computed_over_the_whole_set():
    classification = make_task("classification", 4)
    logits = torch.zeros(3, 4, 4)
    logits[0, 1, 2] = logits[1, 3, 3] = logits[2, 0, 0] = 1.0  # arg-max pixels 6, 15, 0
    assert classification.metric(logits, torch.tensor([6, 15, 5])) == pytest.approx(2 / 3)
    regression = make_task("regression", 64)
    truth = torch.tensor([[10.0, 20.0], [30.0, 40.0], [50.0, 5.0], [7.0, 7.0]]) / 64
    off = torch.tensor([[0.4, -0.4], [0.6, 0.0], [0.0, -0.6], [0.0, 0.0]]) / 64  # hit, i misses, j misses, hit
    assert regression.metric(truth + off, truth) == pytest.approx(0.5)
    rendering = make_task("rendering", 4)
    masks = torch.zeros(2, 4, 4)
    masks[0, :2, :2] = 1  # 4 pixels
    masks[1, 0, 0] = 1  # 1 pixel
    painted = torch.full((2, 4, 4), -1.0)
    painted[0, :2, :1] = 1.0  # 2 of the 4
    painted[1, :1, :3] = 1.0  # the pixel and 2 more
    # pooled: (2 + 1) / (4 + 3) -- not the mean of the per-image IoUs, (0.5 + 1/3) / 2
    assert rendering.metric(painted, masks) == pytest.approx(3 / 7)


def test_fit_validation_and_test_sets_are_disjoint_and_seeded():
    coords = all_centres()
    settings = CoordConvSettings()
    for split, n_test in [("uniform", 627), ("quadrant", 729)]:
        sets = split_sets(settings, coords, split)
        assert len(sets["test"]) == n_test and sum(len(v) for v in sets.values()) == 3136
        assert len(np.unique(np.concatenate(list(sets.values())))) == 3136
        assert len(sets["val"]) == round(0.1 * (3136 - n_test))
    assert np.array_equal(split_sets(settings, coords, "uniform")["val"], split_sets(settings, coords, "uniform")["val"])
    with pytest.raises(UserError, match="leaves 2822 to fit, 314 to validate, 0 to test"):
        split_sets(settings.with_changes(test_fraction=1e-4), coords, "uniform")


@pytest.mark.parametrize("changes, field", [
    ({"val_fraction": 1.0}, "val_fraction"),
    ({"test_fraction": 0.0}, "test_fraction"),
    ({"tasks": ("segmentation",)}, "tasks"),
    ({"models": ()}, "models"),
    ({"canvas": 48}, "power-of-two"),
    ({"square": 8}, "must be odd"),
    ({"sweeps": {"classification/deconv": Sweep()}}, "no entry 'classification/coordconv'"),
    ({"sweeps": {key: {"batch_size": 1} for key in KEYS}}, "batch_size"),
    ({"sweeps": {key: {"lrs": [0.01, -1]} for key in KEYS}}, "lrs"),
])
def test_invalid_settings_are_refused_when_built(changes, field):
    raw = {**CoordConvSettings().model_dump(), **changes}
    with pytest.raises(ValidationError, match=field):
        CoordConvSettings(**raw)
    with pytest.raises(UserError, match=field):
        CoordConvSettings().with_changes(**changes)


def test_tiny_coordconv_classifier_reaches_full_accuracy_in_seconds(tmp_path):
    settings = tiny_settings(**{"classification/coordconv": Sweep(lrs=(1e-2,), epochs=15, batch_size=16, stop_at=1.0)})
    settings = settings.with_changes(tasks=("classification",), splits=("uniform",), models=("coordconv",))
    rows = run_coordconv(tmp_path / "a", settings)
    assert len(rows) == 1
    row = rows[0]
    assert row["model"] == "coordconv" and row["params"] == 7553
    assert row["train"] == 1.0 and row["test"] == 1.0 and row["seconds"] < 20
    assert row["epochs"] < 15  # stopped early at 100 % on the fit set
    again = run_coordconv(tmp_path / "b", settings)  # deterministic
    assert untimed(again) == untimed(rows)


def test_resume_after_an_interruption_reaches_the_same_rows(tmp_path):
    two_points = Sweep(lrs=(1e-2, 3e-2), epochs=2, batch_size=32)
    settings = tiny_settings(**{"classification/deconv": two_points, "classification/coordconv": two_points})
    settings = settings.with_changes(tasks=("classification", "regression"), splits=("uniform",))  # rows of 2, 2, 1, 1 runs
    whole = run_coordconv(tmp_path / "whole", settings)

    class Killed(Exception):
        pass

    def kill_in_second_row(description: str, done: int, total: int) -> None:
        if done == 3:  # before the second run of the second row: one row checkpointed, one run past it
            raise Killed(description)

    cut = tmp_path / "cut"
    with pytest.raises(Killed, match="classification/uniform/coordconv"):
        run_coordconv(cut, settings, progress=kill_in_second_row)
    folder = RunFolder(cut)
    assert folder.has_checkpoint and not folder.finished and len(folder.history()) == 3
    with pytest.raises(UserError, match="pass --resume"):
        run_coordconv(cut, settings)
    with pytest.raises(UserError, match="settings differ"):
        run_coordconv(cut, settings.with_changes(seed=1), resume=True)

    calls = []
    resumed = run_coordconv(cut, settings, progress=lambda description, done, total: calls.append((description, done)), resume=True)
    assert calls[0] == ("classification/uniform/coordconv (1/2)", 2)  # the finished row is skipped
    assert len(resumed) == 4 and untimed(resumed) == untimed(whole)
    assert untimed(folder.history()) == untimed(RunFolder(tmp_path / "whole").history())  # the cut row's run was dropped
    assert json.loads((cut / "result.json").read_text())["rows"] == resumed
    assert json.loads((cut / "results.json").read_text()) == resumed


@pytest.mark.parametrize("argv, message", [
    (["--test-fraction", "1.5"], "error: setting 'test_fraction': Input should be less than 1"),
    (["--test-fraction", "0.001"], "error: the uniform split of the 196 centres leaves"),
    (["--seed", "-1"], "'--seed'"),
])
@pytest.mark.parametrize("existing", [False, True])
def test_bad_settings_leave_out_untouched(argv, message, existing, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(CoordConvSettings, "quick", staticmethod(tiny_settings))

    def no_training(*args, **kwargs):
        raise AssertionError("training started for bad settings")

    monkeypatch.setattr(coordconv_run, "train_run", no_training)
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "coordconv", "--quick", "--out", str(out), *argv])
    lines = capsys.readouterr().err.splitlines()
    assert exit_info.value.code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    if existing:
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
    else:
        assert not out.exists()


def test_cli_writes_results_with_a_tiny_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(cli_reproduce.CoordConvSettings, "quick", staticmethod(tiny_settings))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli_reproduce.app, ["coordconv", "--quick", "--out", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "results.json").read_text())
    assert [(r["task"], r["split"], r["model"]) for r in rows][:3] == [
        ("classification", "uniform", "deconv"), ("classification", "uniform", "coordconv"),
        ("classification", "quadrant", "deconv")]
    assert len(rows) == 12 and all(set(ROW_FIELDS) <= set(r) for r in rows)
    assert all(0 <= r["train"] <= 1 and 0 <= r["test"] <= 1 and r["params"] > 0 for r in rows)
    table = (out / "results.md").read_text()
    assert table.startswith("| task | split | model | params | train | test | seconds |") and table.count("\n| ") == 12
    assert "rendering" in result.output and "coordconv" in result.output
    folder = RunFolder(out)
    assert folder.finished and len(folder.history()) == sum(r["runs"] for r in rows) == 12
    result_json = json.loads((out / "result.json").read_text())
    assert result_json["rows"] == rows and result_json["meta"]["machine"]["torch_threads"] == 1
    assert CoordConvSettings.model_validate(yaml.safe_load((out / "config.yaml").read_text())) == tiny_settings()
    assert not (out / "settings.json").exists() and not (out / "runs.jsonl").exists()
    again = CliRunner().invoke(cli_reproduce.app, ["coordconv", "--quick", "--out", str(out), "--resume"])
    assert again.exit_code == 0, again.output
    assert json.loads((out / "results.json").read_text()) == rows  # nothing left to run


def test_cli_bad_out_is_a_one_line_user_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cli_reproduce.CoordConvSettings, "quick", staticmethod(tiny_settings))
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = CliRunner().invoke(cli_reproduce.app, ["coordconv", "--quick", "--out", str(target)])
    assert isinstance(result.exception, UserError)
    assert str(result.exception) == f"output folder {target} exists and is not a folder"
    with pytest.raises(UserError, match="cannot create output folder"):
        run_coordconv(target / "sub", tiny_settings())
