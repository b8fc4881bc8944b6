"""The command line: smoke runs with tiny budgets and one-line errors with exit status 2."""

import json
import subprocess
import sys

import pytest
import yaml

from synthlearn.cli.app import main


def run_cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_version_and_help(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("synthlearn ")
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "generate" in out and "lts" in out


def test_simulators_json_lists_parameters(capsys):
    code, out, _ = run_cli(capsys, "simulators", "--json")
    listed = {s["name"]: s for s in json.loads(out)}
    assert code == 0 and "test-bars" in listed
    assert [p["name"] for p in listed["test-bars"]["params"]] == ["mix", "noise"]


def test_generate_then_read(capsys, tmp_path):
    code, _, err = run_cli(capsys, "generate", "test-bars", "--n", "10", "--seed", "2", "--out", str(tmp_path / "d"),
                           "--set", "noise=0.1", "--shard-size", "4")
    assert code == 0, err
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert manifest["params"]["noise"] == 0.1 and len(manifest["shards"]) == 3


@pytest.mark.parametrize("argv,message", [
    (["generate", "nope", "--n", "3", "--out", "X"], "error: unknown simulator 'nope'"),
    (["generate", "test-bars", "--n", "3", "--out", "X", "--set", "noise=7"], "error: parameter 'noise': 7.0 is not allowed"),
    (["generate", "test-bars", "--n", "3", "--out", "X", "--set", "speed=1"], "error: unknown parameter 'speed'"),
    (["generate", "test-bars", "--n", "0", "--out", "X"], "error: Invalid value for '--n'"),
    (["lts", "run", "missing.yaml", "--out", "R"], "error: config file missing.yaml does not exist"),
    (["bogus"], "error: No such command 'bogus'"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "X").exists() or not (tmp_path / "X" / "manifest.json").exists()


def test_malformed_yaml(capsys, tmp_path):
    (tmp_path / "c.yaml").write_text("simulator: [unclosed\n")
    code, _, err = run_cli(capsys, "lts", "run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "r"))
    assert code == 2 and err.startswith("error: config file") and "not valid YAML at line" in err


def test_missing_or_corrupt_dataset_as_validation(capsys, tmp_path, bars_config_dict):
    bars_config_dict["validation"] = {"dataset": str(tmp_path / "nodata")}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(bars_config_dict))
    code, _, err = run_cli(capsys, "lts", "run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "r"))
    assert code == 2 and err == f"error: dataset folder {tmp_path / 'nodata'} does not exist\n"


def test_lts_run_smoke_and_resume_flag(capsys, tmp_path, bars_config_dict):
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(bars_config_dict))
    argv = ["lts", "run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "r"), "--set", "searcher.iterations=2"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "result.json").read_text())["budget"]["models_trained"] == 4
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "already holds an LTS run" in err


def test_console_script_runs():
    done = subprocess.run([sys.executable, "-m", "synthlearn", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("synthlearn ")


def test_demo_seed_options(capsys, tmp_path, monkeypatch):
    seen = {}

    def fake_run_demo(out, settings, pool, real, on_run, on_iteration):
        seen["seeds"] = settings.seeds
        row = {"method": "real", "mean": 0.9, "std": 0.0, "per_seed": [0.9], "fresh_models": {"mean": 0.9, "std": 0.0, "per_seed": [0.9]}}
        return {"protocol": {"test": 898}, "rows": [row]}

    monkeypatch.setattr("synthlearn.cli.demo.run_demo", fake_run_demo)
    code, out, err = run_cli(capsys, "demo", "--quick", "--seed", "3", "--seed", "4", "--out", str(tmp_path / "d"))
    assert code == 0, err
    assert seen["seeds"] == (3, 4) and "90.0 ± 0.0 %" in out
    code, _, err = run_cli(capsys, "demo", "--seed", "3", "--seed", "3", "--out", str(tmp_path / "d"))
    assert code == 2 and err.strip() == "error: --seed values repeat: [3, 3]"
