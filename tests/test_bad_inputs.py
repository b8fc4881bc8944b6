"""Bad command-line input, as a new user would type it: one table, one rule.

The rule (README "Bad input ...", ``synthlearn.cli.app``): every bad input exits with status 2,
prints exactly one line on stderr, ``error: ...``, that says what to change (no traceback, no
Python exception class names), and leaves ``--out`` exactly as it was: not created if it did
not exist, byte-identical if it did. Every input is checked before work starts, so no row
may reach training or generation; the guards below turn work that starts anyway into a
failure naming the row.

Each row is ``case(id, argv, fragment)``: ``argv`` is split like a shell line, ``<name>``
placeholders are filled from fixtures (files this module writes itself), and ``fragment`` is
a case-insensitive substring the error line must hold.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from synthlearn.cli.app import main

# -- the rule ------------------------------------------------------------------------------------

_CLASS_NAME = re.compile(
    r"\b(?:[A-Z]\w*(?:Error|Exception)|BadZipFile|Traceback|pydantic|ValidationError"
    r"|LTSConfig|SearcherConfig|TaskConfig|DataSpec|ExecutorConfig|RefineConfig|SimGANSettings"
    r"|SyntheticSpec|RealSpec|MonitorConfig|LabelClassifier|TrainSettings|AdaptConfig|SelectionSettings|allow_pickle"
    r"|keyword argument)\b"
)


class WorkStarted(Exception):
    """Raised by the guards when a command starts real work for a bad input."""


def snapshot(path: Path) -> dict[str, str] | None:
    """``{relative path: sha256 or "dir"}`` of a tree (``{".": sha256}`` for a file); None if missing."""
    if not path.exists():
        return None
    if not path.is_dir():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {
        p.relative_to(path).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
    }


def run_cli(capsys, argv: list[str]) -> tuple[int | str | None, str, str]:
    """Run ``synthlearn ARGV`` in this process; stderr includes the warnings a real run would print.

    pytest records warnings instead of printing them, so they are caught here with Python's
    default filters and added to stderr as the interpreter would show them.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.filterwarnings("ignore", category=category)
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
    out, err = capsys.readouterr()
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in caught)
    return exit_info.value.code, out, shown + err


# -- shared inputs (module scope, never written to by a row) -------------------------------------

LTS_RUN = {  # the conftest ``bars_config_dict`` with the smallest budget: one model, seconds
    "name": "bars", "seed": 3, "simulator": "test-bars", "learn": ["mix", "noise"], "train_size": 16,
    "searcher": {"name": "reinforce", "candidates": 1, "iterations": 1},
    "task": {"name": "classify", "width": 2, "depth": 1, "epochs": 1, "batch_size": 16, "input_scale": 255.0},
    "validation": {"params": {"mix": [0.8, 0.2], "noise": 0.2}, "n": 16, "seed": 10},
    "test": {"params": {"mix": [0.8, 0.2], "noise": 0.2}, "n": 16, "seed": 11},
}


def npid_config(source: Path) -> dict:
    """A tiny NPID run (width 2, depth 1, d = 8, one epoch) on 24 labelled 8×8 images."""
    return {
        "name": "tiny-npid", "seed": 2, "data": {"source": str(source)},
        "encoder": {"width": 2, "depth": 1, "dim": 8},
        "objective": {"kind": "nce", "noise": 4, "temperature": 0.1},
        "optimiser": {"batch_size": 8}, "monitor": {"every": 1, "holdout": 6, "k": 5},
        "epochs": 1, "threads": 1,
    }


def refine_config(real: Path) -> dict:
    """``tests/refine/test_refine_run.py``'s ``tiny_config`` with fewer steps."""
    return {
        "name": "tiny", "seed": 5,
        "synthetic": {"simulator": "test-bars", "n": 16, "seed": 1},
        "real": {"source": str(real), "split": "all"},
        "pixel_max": 255,
        "simgan": {"refiner_width": 2, "refiner_blocks": 1, "disc_widths": [2, 2, 2, 2], "disc_strides": [1, 2],
                   "disc_padding": 1, "batch_size": 8, "pretrain_refiner_steps": 1, "pretrain_discriminator_steps": 1,
                   "steps": 1, "history_size": 16, "lam": 0.5},
        "checkpoint_every": 3, "sample_every": 1000, "log_every": 2,
    }


RL_RUN = {  # experiments/rl_point_robot.yaml at the smallest budget: seconds
    "name": "tiny-rl", "seed": 0, "method": "mql",
    "tasks": {"family": "point-robot", "train": 2, "test": 1, "seed": 0},
    "td3": {"hidden": 8, "batch_size": 8},
    "context": {"history": 2, "hidden": 4},
    "training": {"steps": 60, "start_steps": 20, "checkpoint_every": 1},
}


def adapt_config(real: Path) -> dict:
    """A tiny self-training run (width 2, depth 1, one epoch, one round): 16 bars as the source, 24 real images as the pool."""
    return {
        "name": "tiny-adapt", "seed": 1,
        "source": {"simulator": "test-bars", "n": 16, "seed": 1},
        "real": {"source": str(real), "split": "all"},
        "task": {"name": "classify", "input_scale": 255.0, "width": 2, "depth": 1, "epochs": 1, "batch_size": 8},
        "selection": {"share": 0.5}, "rounds": 1, "threads": 1,
    }


def _cli_ok(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0, f"fixture command failed: synthlearn {shlex.join(argv)}"


def _copy_dataset(src: Path, dst: Path, edit=None) -> Path:
    shutil.copytree(src, dst)
    if edit is not None:
        manifest = json.loads((dst / "manifest.json").read_text())
        edit(manifest, dst)
        (dst / "manifest.json").write_text(json.dumps(manifest))
    return dst


def _bars_images(n: int, size: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    images = np.zeros((n, size, size), np.uint8)
    for i, p in enumerate(rng.integers(1, size - 1, n)):
        images[i, p, :] = 250
    return images


def _write_png_folder(root: Path, classes: int, per_class: int, size: int = 8) -> Path:
    from PIL import Image

    rng = np.random.default_rng(1)
    for c in range(classes):
        (root / f"class{c:02d}").mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.integers(0, 255, (size, size), dtype=np.uint8), mode="L").save(root / f"class{c:02d}" / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def shared(tmp_path_factory, kitti_writer) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bad-inputs-shared")
    p: dict[str, Path] = {}

    # a small dataset, made as a user would, and broken copies of it
    p["dataset"] = root / "dataset"
    _cli_ok(["generate", "test-bars", "--n", "8", "--shard-size", "4", "--out", str(p["dataset"])])
    p["corrupt"] = _copy_dataset(p["dataset"], root / "corrupt")
    shard = p["corrupt"] / "shard-00001.npz"
    shard.write_bytes(shard.read_bytes()[:-20] + b"\0" * 20)
    p["noshards"] = _copy_dataset(p["dataset"], root / "noshards", lambda m, d: m.pop("shards"))
    p["nosha"] = _copy_dataset(p["dataset"], root / "nosha", lambda m, d: m["shards"][0].pop("sha256"))
    p["wrongformat"] = _copy_dataset(p["dataset"], root / "wrongformat", lambda m, d: m.pop("format"))
    p["outside"] = _copy_dataset(p["dataset"], root / "outside", lambda m, d: m["shards"][0].update(path="../secret.npz"))
    p["missingshard"] = _copy_dataset(p["dataset"], root / "missingshard", lambda m, d: (d / "shard-00001.npz").unlink())
    p["badjson"] = _copy_dataset(p["dataset"], root / "badjson")
    (p["badjson"] / "manifest.json").write_text('{"format": "synthlearn-shards/1", "shards": [')

    # an interrupted generation (killed after its first shard)
    from synthlearn.data.shards import write_dataset

    def interrupted_map(fn, jobs):
        fn(jobs[0])
        raise KeyboardInterrupt

    p["interrupted"] = root / "interrupted"
    with pytest.raises(KeyboardInterrupt):
        write_dataset("test-bars", None, 8, 0, p["interrupted"], shard_size=4, map_fn=interrupted_map)
    assert (p["interrupted"] / ".partial" / "plan.json").is_file()

    # files that are not what they claim to be
    p["nonutf8"] = root / "latin.yaml"
    p["nonutf8"].write_bytes(b"\xff\xfe\x00n\x00a\x00m\x00e\x00: caf\xe9\n")
    p["empty"] = root / "empty.yaml"
    p["empty"].write_bytes(b"")
    p["emptynpz"] = root / "empty.npz"
    p["emptynpz"].write_bytes(b"")
    p["garbagenpz"] = root / "garbage.npz"
    p["garbagenpz"].write_bytes(b"this is not a zip archive\n" * 8)
    p["malformed"] = root / "malformed.yaml"
    p["malformed"].write_text("name: bars\nsimulator: [test-bars\nseed: 3\n")
    p["toplist"] = root / "list.yaml"
    p["toplist"].write_text("- simulator: test-bars\n- seed: 3\n")
    p["emptydir"] = root / "emptydir"
    p["emptydir"].mkdir()

    # real images of the wrong kinds
    p["real16"] = root / "real16.npz"
    np.savez(p["real16"], images=_bars_images(40, 16), labels=np.arange(40) % 10)
    p["real16u"] = root / "real16-unlabelled.npz"
    np.savez(p["real16u"], images=_bars_images(40, 16))
    p["realnolabels"] = root / "real-nolabels.npz"
    np.savez(p["realnolabels"], images=_bars_images(40), classes=np.arange(40) % 10)
    p["realfloat"] = root / "real-float-labels.npz"
    np.savez(p["realfloat"], images=_bars_images(40), labels=(np.arange(40) % 10).astype(np.float32))
    p["realfew"] = root / "real-few.npz"
    np.savez(p["realfew"], images=_bars_images(20), labels=np.arange(20) % 10)
    p["folder12"] = _write_png_folder(root / "twelve-classes", classes=12, per_class=2)
    p["badpng"] = root / "bad-png"
    (p["badpng"] / "0").mkdir(parents=True)
    (p["badpng"] / "0" / "a.png").write_bytes(b"GIF89a but not really an image")

    # KITTI-style semantic folders (image_2/ + semantic/), each broken in one way
    from PIL import Image

    p["kitti_nolabels"] = kitti_writer(root / "kitti-nolabels", n=2)
    shutil.rmtree(p["kitti_nolabels"] / "semantic")
    p["kitti_unpaired"] = kitti_writer(root / "kitti-unpaired", n=2)
    (p["kitti_unpaired"] / "semantic" / "000001_10.png").unlink()
    p["kitti_othersize"] = kitti_writer(root / "kitti-othersize", n=2, height=12, width=16)
    Image.fromarray(np.full((6, 8), 7, np.uint8)).save(p["kitti_othersize"] / "semantic" / "000001_10.png")
    p["kitti_unknownid"] = kitti_writer(root / "kitti-unknownid", n=2, height=12, width=16)
    Image.fromarray(np.full((12, 16), 40, np.uint8)).save(p["kitti_unknownid"] / "semantic" / "000001_10.png")

    # layer files for refine apply
    p["noimage"] = root / "labels-only.npz"
    np.savez(p["noimage"], label=np.zeros(4, np.int64))
    p["layers16"] = root / "layers16.npz"
    np.savez(p["layers16"], image=_bars_images(4, 16), label=np.zeros(4, np.int64))

    # a finished tiny LTS run and a finished tiny refiner run, made as a user would
    p["lts_run_cfg"] = root / "lts-run.yaml"
    p["lts_run_cfg"].write_text(yaml.safe_dump(LTS_RUN))
    p["lts_run"] = root / "lts-run"
    _cli_ok(["lts", "run", str(p["lts_run_cfg"]), "--out", str(p["lts_run"])])
    p["real"] = root / "real.npz"
    np.savez(p["real"], images=_bars_images(16))
    p["refine_cfg"] = root / "refine.yaml"
    p["refine_cfg"].write_text(yaml.safe_dump(refine_config(p["real"])))
    p["refine_run"] = root / "refine-run"
    _cli_ok(["refine", "run", str(p["refine_cfg"]), "--out", str(p["refine_run"])])
    assert (p["refine_run"] / "refiner.pt").is_file()
    # a finished tiny NPID run, made as a user would, and what ssl knn reads
    p["npid_data"] = root / "npid-data.npz"
    np.savez(p["npid_data"], images=_bars_images(24), labels=np.arange(24) % 2)
    p["rgb8"] = root / "rgb8.npz"
    np.savez(p["rgb8"], images=np.stack([_bars_images(24)] * 3, axis=-1), labels=np.arange(24) % 2)
    p["npid_cfg"] = root / "npid.yaml"
    p["npid_cfg"].write_text(yaml.safe_dump(npid_config(p["npid_data"])))
    p["npid_run"] = root / "npid-run"
    _cli_ok(["ssl", "npid", str(p["npid_cfg"]), "--out", str(p["npid_run"])])
    assert (p["npid_run"] / "encoder.pt").is_file()
    p["npid_run16"] = root / "npid-run16"  # an encoder of 16×16 images (the bars simulator makes 8×8)
    _cli_ok(["ssl", "npid", str(p["npid_cfg"]), "--out", str(p["npid_run16"]), "--set", f"data.source={p['real16']}"])
    p["emptyset"] = root / "no-images.npz"
    np.savez(p["emptyset"], images=np.zeros((0, 8, 8), np.uint8), labels=np.zeros(0, np.int64))
    p["oneclass"] = root / "one-class.npz"
    np.savez(p["oneclass"], images=_bars_images(12), labels=np.zeros(12, np.int64))
    # a finished tiny self-training run, made as a user would
    p["adapt_cfg"] = root / "adapt.yaml"
    p["adapt_cfg"].write_text(yaml.safe_dump(adapt_config(p["npid_data"])))
    p["adapt_run"] = root / "adapt-run"
    _cli_ok(["adapt", "self-train", str(p["adapt_cfg"]), "--out", str(p["adapt_run"])])
    assert (p["adapt_run"] / "result.json").is_file()
    # a finished tiny Meta-Q-Learning run (the point robot, 60 environment steps), made as a user would
    p["rl_cfg"] = root / "rl.yaml"
    p["rl_cfg"].write_text(yaml.safe_dump(RL_RUN))
    p["rl_run"] = root / "rl-run"
    _cli_ok(["rl", "train", str(p["rl_cfg"]), "--out", str(p["rl_run"])])
    assert (p["rl_run"] / "result.json").is_file()
    p["garbage_npid_run"] = root / "garbage-npid-run"
    p["garbage_npid_run"].mkdir()
    (p["garbage_npid_run"] / "encoder.pt").write_bytes(b"\x80\x04not a torch file")
    p["garbage_run"] = root / "garbage-run"
    p["garbage_run"].mkdir()
    (p["garbage_run"] / "refiner.pt").write_bytes(b"\x80\x04not a torch file")
    return p


# -- per-test inputs (fresh in tmp_path, so a command that writes where it must not harms no other row)


def _per_test(name: str, tmp_path: Path, shared: dict[str, Path], bars_config_dict: dict) -> Path:
    if name == "out":
        return tmp_path / "out"
    if name == "missing":
        return tmp_path / "missing"
    if name == "file":
        path = tmp_path / "notes.txt"
        path.write_text("a file the user cares about\n")
        return path
    if name == "file_sub":
        return _per_test("file", tmp_path, shared, bars_config_dict) / "sub"
    if name == "csv_missing":
        path = tmp_path / "missing-value.csv"
        path.write_text("a,b,label\n1,,0\n2,3,1\n")
        return path
    if name == "csv_text":
        path = tmp_path / "text-column.csv"
        path.write_text("a,b,label\n1,x,0\n2,3,1\n")
        return path
    if name == "npy_nan":
        path = tmp_path / "nan.npy"
        np.save(path, np.array([[1.0, np.nan, 0.0], [2.0, 3.0, 1.0]]))
        return path
    if name == "lts_cfg":
        path = tmp_path / "bars.yaml"
        path.write_text(yaml.safe_dump(bars_config_dict))
        return path
    if name == "lts_typo_cfg":
        path = tmp_path / "typo.yaml"
        path.write_text(yaml.safe_dump({**bars_config_dict, "iteratons": 3}))
        return path
    if name.endswith("_copy"):
        return Path(shutil.copytree(shared[name.removesuffix("_copy")], tmp_path / name))
    if name == "lts_badckpt":
        run = Path(shutil.copytree(shared["lts_run"], tmp_path / name))
        (run / "checkpoints" / "latest.pt").write_bytes(b"PK\x03\x04 truncated by a full disk")
        (run / "result.json").unlink()
        return run
    raise KeyError(name)


@pytest.fixture
def fill(tmp_path, shared, bars_config_dict):
    made: dict[str, Path] = {}

    def path_of(name: str) -> str:
        if name in shared:
            return str(shared[name])
        if name not in made:
            made[name] = _per_test(name, tmp_path, shared, bars_config_dict)
        return str(made[name])

    def fill_argv(template: str) -> list[str]:
        return [re.sub(r"<(\w+)>", lambda m: path_of(m.group(1)), token) for token in shlex.split(template)]

    return fill_argv


@pytest.fixture
def guards(monkeypatch):
    """Make any real work a failure: bad input must be rejected before it starts."""

    def started(what):
        def guard(*args, **kwargs):
            raise WorkStarted(f"{what} started before the bad input was rejected")

        return guard

    monkeypatch.setattr("synthlearn.execute.local.LocalExecutor.map", started("parallel jobs (generation / training)"))
    monkeypatch.setattr("synthlearn.demo.train_on_real", started("demo training"))
    monkeypatch.setattr("synthlearn.refine.run.SimGANTrainer.step", started("refiner training"))
    monkeypatch.setattr("synthlearn.refine.run.train_classifier", started("label classifier training"))
    monkeypatch.setattr("synthlearn.reproduce.coordconv.run.train_run", started("CoordConv training"))
    monkeypatch.setattr("synthlearn.reproduce.cntk101.run.train_softmax", started("CNTK 101 training"))
    monkeypatch.setattr("synthlearn.ssl.train._Trainer.train_epoch", started("NPID training"))
    monkeypatch.setattr("synthlearn.ssl.evaluate.score_features", started("kNN / linear-probe scoring"))
    monkeypatch.setattr("synthlearn.adapt.self_training._train_model", started("self-training"))
    monkeypatch.setattr("synthlearn.rl.run.run_episode", started("RL meta-training"))
    monkeypatch.setattr("synthlearn.rl.evaluate.evaluate_tasks", started("RL evaluation"))


# -- the table ------------------------------------------------------------------------------------


def case(id: str, argv: str, fragment: str, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(argv, fragment, id=id, marks=marks)


GEN = "generate test-bars --n 8 --out <out>"
LTS = "lts run <lts_cfg> --out <out>"
REF = "refine run <refine_cfg> --out <out>"
APPLY = "refine apply <refine_run> --data <dataset> --out <out>"
DEMO = "demo --quick --out <out>"
CC = "reproduce coordconv --quick --out <out>"
CNTK = "reproduce cntk101 --out <out>"
NPID = "ssl npid <npid_cfg> --out <out>"
KNN = "ssl knn <npid_run> --memory <npid_data> --data <npid_data>"
FEATURE = f"{LTS} --set reward.kind=feature-mmd --set reward.encoder=<npid_run>"
ADAPT = "adapt self-train <adapt_cfg> --out <out>"
RL = "rl train <rl_cfg> --out <out>"

CASES = [
    # generate: simulator, parameters, sizes, executors
    case("generate-unknown-simulator", "generate nope --n 3 --out <out>", "unknown simulator 'nope'"),
    case("generate-unloadable-module", "generate no_such_module:Sim --n 3 --out <out>", "cannot load simulator"),
    case("generate-not-a-simulator", "generate os:path --n 3 --out <out>", "not a synthlearn simulator"),
    case("generate-unknown-parameter", f"{GEN} --set speed=1", "unknown parameter 'speed'"),
    case("generate-out-of-range", f"{GEN} --set noise=7", "expected a number in [0, 2]"),
    case("generate-negative", f"{GEN} --set noise=-0.1", "expected a number in [0, 2]"),
    case("generate-not-a-number", f"{GEN} --set noise=loud", "not a number"),
    case("generate-nan", f"{GEN} --set noise=.nan", "expected a number in [0, 2]"),
    case("generate-boolean-number", f"{GEN} --set noise=true", "not a number"),
    case("generate-boolean-probabilities", f"{GEN} --set mix='[true,false]'", "probabilities must be numbers"),
    case("generate-probabilities-sum", f"{GEN} --set mix='[0.7, 0.7]'", "sum to 1.4"),
    case("generate-probabilities-count", f"{GEN} --set mix='[1]'", "needs 2 probabilities"),
    case("generate-negative-probability", f"{GEN} --set mix='[1.5, -0.5]'", ">= 0"),
    case("generate-unknown-choice", f"{GEN} --set mix='{{diagonal: 1}}'", "unknown choice 'diagonal'"),
    case("generate-set-without-equals", f"{GEN} --set noise", "name=value"),
    case("generate-set-bad-yaml", f"{GEN} --set noise='[0.5'", "not valid yaml"),
    case("generate-n-zero", "generate test-bars --n 0 --out <out>", "'--n'"),
    case("generate-n-negative", "generate test-bars --n -5 --out <out>", "'--n'"),
    case("generate-n-not-a-number", "generate test-bars --n ten --out <out>", "valid integer"),
    case("generate-n-missing", "generate test-bars --out <out>", "missing option '--n'"),
    case("generate-seed-negative", f"{GEN} --seed -1", "'--seed'"),
    case("generate-shard-size-zero", f"{GEN} --shard-size 0", "'--shard-size'"),
    case("generate-workers-zero", f"{GEN} --workers 0", "'--workers'"),
    case("generate-workers-negative", f"{GEN} --workers -1", "'--workers'"),
    case("generate-executor-unknown", f"{GEN} --executor nope", "unknown executor 'nope'"),
    case("generate-out-missing", "generate test-bars --n 8", "missing option '--out'"),
    case("generate-out-is-file", "generate test-bars --n 8 --out <file>", "not a folder"),
    case("generate-out-under-file", "generate test-bars --n 8 --out <file_sub>", "not a folder"),
    case("generate-out-holds-dataset", "generate test-bars --n 8 --out <dataset_copy>", "--overwrite"),
    case("generate-overwrite-bad-parameter", "generate test-bars --n 8 --out <dataset_copy> --overwrite --set noise=9",
         "expected a number in [0, 2]"),
    case("generate-interrupted-without-resume", "generate test-bars --n 8 --shard-size 4 --out <interrupted_copy>",
         "--resume"),
    case("generate-resume-other-settings", "generate test-bars --n 12 --shard-size 4 --resume --out <interrupted_copy>",
         "other settings"),
    case("generate-unknown-option", f"{GEN} --colour red", "no such option"),
    case("generate-extra-argument", "generate test-bars traffic --n 8 --out <out>", "unexpected extra argument"),

    # lts run: the config file
    case("lts-config-missing", "lts run <missing>.yaml --out <out>", "does not exist"),
    case("lts-config-is-folder", "lts run <emptydir> --out <out>", "not a file"),
    case("lts-config-empty", "lts run <empty> --out <out>", "'simulator'"),
    case("lts-config-not-utf8", "lts run <nonutf8> --out <out>", "not utf-8"),
    case("lts-config-malformed-yaml", "lts run <malformed> --out <out>", "not valid yaml at line"),
    case("lts-config-list", "lts run <toplist> --out <out>", "mapping"),
    case("lts-config-unknown-key", "lts run <lts_typo_cfg> --out <out>", "'iteratons': unknown setting"),
    # lts run: --set
    case("lts-set-unknown-key", f"{LTS} --set searcher.itrations=3", "unknown setting"),
    case("lts-set-list-for-section", f"{LTS} --set searcher=[1,2]", "must be a section"),
    case("lts-set-scalar-for-section", f"{LTS} --set test=5", "must be a section"),
    case("lts-set-into-a-number", f"{LTS} --set searcher.iterations.max=3", "not a section"),
    case("lts-set-without-equals", f"{LTS} --set seed", "key.path=value"),
    case("lts-set-bad-yaml", f"{LTS} --set seed='[1'", "not valid yaml"),
    case("lts-set-wrong-type", f"{LTS} --set searcher.iterations=many", "integer"),
    case("lts-iterations-zero", f"{LTS} --set searcher.iterations=0", "greater than or equal to 1"),
    case("lts-train-size-one", f"{LTS} --set train_size=1", "greater than or equal to 2"),
    case("lts-seed-negative", f"{LTS} --set seed=-1", "greater than or equal to 0"),
    case("lts-unknown-searcher", f"{LTS} --set searcher.name=annealing", "reinforce"),
    # lts run: simulator and parameters
    case("lts-unknown-simulator", f"{LTS} --set simulator=nope", "unknown simulator 'nope'"),
    case("lts-fixed-unknown-parameter", f"{LTS} --set fixed='{{speed: 1}}'", "unknown parameter 'speed'"),
    case("lts-fixed-out-of-range", f"{LTS} --set fixed='{{noise: 9}}' --set learn=[mix]", "expected a number in [0, 2]"),
    case("lts-learn-unknown-parameter", f"{LTS} --set learn=[speed]", "unknown parameter 'speed'"),
    case("lts-fixed-and-learned", f"{LTS} --set fixed='{{noise: 0.5}}'", "both fixed and learned"),
    case("lts-nothing-to-learn", f"{LTS} --set learn=[]", "no parameters to search"),
    case("lts-validation-boolean-probabilities", f"{LTS} --set validation.params.mix='[true, false]'",
         "probabilities must be numbers"),
    case("lts-fixed-searcher-out-of-range", f"{LTS} --set searcher.name=fixed --set searcher.params='{{noise: 9}}'",
         "expected a number in [0, 2]"),
    case("lts-unknown-task", f"{LTS} --set task.name=detect", "unknown task 'detect'"),
    case("lts-task-missing-layer", f"{LTS} --set task.input_layer=rgb", "needs layer 'rgb'"),
    # lts run: evaluation datasets
    case("lts-dataset-missing", f"{LTS} --set validation.dataset=<missing>", "does not exist"),
    case("lts-dataset-corrupt-shard", f"{LTS} --set validation.dataset=<corrupt>", "corrupt"),
    case("lts-dataset-missing-shard", f"{LTS} --set validation.dataset=<missingshard>", "missing"),
    case("lts-dataset-no-shards", f"{LTS} --set validation.dataset=<noshards>", "lists no shards"),
    case("lts-dataset-shard-without-sha256", f"{LTS} --set validation.dataset=<nosha>", "sha256"),
    case("lts-dataset-manifest-not-json", f"{LTS} --set validation.dataset=<badjson>", "not valid json"),
    case("lts-dataset-manifest-wrong-format", f"{LTS} --set validation.dataset=<wrongformat>", "manifest"),
    case("lts-dataset-shard-outside", f"{LTS} --set validation.dataset=<outside>", "outside the dataset folder"),
    case("lts-dataset-empty-npz", f"{LTS} --set validation.dataset=<emptynpz>", "not a readable .npz"),
    case("lts-dataset-garbage-npz", f"{LTS} --set validation.dataset=<garbagenpz>", "not a readable .npz"),
    case("lts-dataset-is-a-file", f"{LTS} --set validation.dataset=<empty>", "not a folder"),
    # lts run: executors and the run folder
    case("lts-workers-zero", f"{LTS} --workers 0", "'--workers'"),
    case("lts-workers-negative", f"{LTS} --workers -1", "'--workers'"),
    case("lts-config-workers-zero", f"{LTS} --set executor.workers=0", "greater than or equal to 1"),
    case("lts-executor-unknown", f"{LTS} --executor nope", "unknown executor 'nope'"),
    case("lts-config-executor-unknown", f"{LTS} --set executor.name=nope", "'local' or 'ray'"),
    case("lts-out-is-file", "lts run <lts_cfg> --out <file>", "not a folder"),
    case("lts-out-under-file", "lts run <lts_cfg> --out <file_sub>", "not a folder"),
    case("lts-out-holds-run", "lts run <lts_run_cfg> --out <lts_run_copy>", "--resume"),
    case("lts-resume-changed-config", "lts run <lts_run_cfg> --out <lts_run_copy> --resume --set seed=4",
         "settings differ"),
    case("lts-resume-changed-learning-rate", "lts run <lts_run_cfg> --out <lts_run_copy> --resume --set searcher.lr=0.5",
         "settings differ"),
    case("lts-resume-corrupt-checkpoint", "lts run <lts_run_cfg> --out <lts_badckpt> --resume", "cannot be read"),

    # refine run
    case("refine-config-missing", "refine run <missing>.yaml --out <out>", "does not exist"),
    case("refine-config-not-utf8", "refine run <nonutf8> --out <out>", "not utf-8"),
    case("refine-config-malformed-yaml", "refine run <malformed> --out <out>", "not valid yaml at line"),
    case("refine-set-unknown-key", f"{REF} --set simgan.stepz=3", "unknown setting"),
    case("refine-set-list-for-section", f"{REF} --set simgan=[1,2]", "must be a section"),
    case("refine-set-wrong-choice", f"{REF} --set real.split=half", "'pool' or 'all'"),
    case("refine-pixel-max-zero", f"{REF} --set pixel_max=0", "greater than 0"),
    case("refine-classifier-deeper-than-itself", f"{REF} --set label_classifier.blocks=5", "exceeds its depth"),
    case("refine-unknown-simulator", f"{REF} --set synthetic.simulator=nope", "unknown simulator 'nope'"),
    case("refine-parameter-out-of-range", f"{REF} --set synthetic.params='{{noise: 9}}'", "expected a number in [0, 2]"),
    case("refine-boolean-probabilities", f"{REF} --set synthetic.params='{{mix: [true, false]}}'",
         "probabilities must be numbers"),
    case("refine-synthetic-dataset-missing", f"{REF} --set synthetic.dataset=<missing>", "does not exist"),
    case("refine-synthetic-dataset-corrupt", f"{REF} --set synthetic.dataset=<corrupt>", "corrupt"),
    case("refine-synthetic-no-image-layer", f"{REF} --set synthetic.image_layer=pixels", "no layer 'pixels'"),
    case("refine-features-without-labels", f"{REF} --set simgan.psi=features --set synthetic.label_layer=null",
         "label_layer"),
    case("refine-real-missing", f"{REF} --real <missing>.npz", "does not exist"),
    case("refine-real-garbage-npz", f"{REF} --real <garbagenpz>", "not a readable .npz"),
    case("refine-real-empty-npz", f"{REF} --real <emptynpz>", "not a readable .npz"),
    case("refine-real-other-shape", f"{REF} --real <real16u>", "(16, 16)"),
    case("refine-images-too-small-for-discriminator", f"{REF} --set simgan.disc_padding=0 --set simgan.disc_strides=[2,2]",
         "too small"),
    case("refine-out-is-file", "refine run <refine_cfg> --out <file>", "not a folder"),
    case("refine-out-under-file", "refine run <refine_cfg> --out <file_sub>", "not a folder"),
    case("refine-out-holds-run", "refine run <refine_cfg> --out <refine_run_copy>", "--resume"),
    case("refine-resume-changed-config", "refine run <refine_cfg> --out <refine_run_copy> --resume --set seed=6",
         "settings differ"),

    # refine apply
    case("apply-run-missing", "refine apply <missing> --data <dataset> --out <out>", "not a finished refiner run"),
    case("apply-run-without-refiner", "refine apply <emptydir> --data <dataset> --out <out>", "not a finished refiner run"),
    case("apply-refiner-garbage", "refine apply <garbage_run> --data <dataset> --out <out>", "cannot be read"),
    case("apply-data-missing", "refine apply <refine_run> --data <missing> --out <out>", "does not exist"),
    case("apply-data-npz-missing", "refine apply <refine_run> --data <missing>.npz --out <out>", "does not exist"),
    case("apply-data-corrupt", "refine apply <refine_run> --data <corrupt> --out <out>", "corrupt"),
    case("apply-data-no-shards", "refine apply <refine_run> --data <noshards> --out <out>", "lists no shards"),
    case("apply-data-shard-without-sha256", "refine apply <refine_run> --data <nosha> --out <out>", "sha256"),
    case("apply-data-is-a-file", "refine apply <refine_run> --data <empty> --out <out>", "not a folder"),
    case("apply-data-empty-npz", "refine apply <refine_run> --data <emptynpz> --out <out>", "not a readable .npz"),
    case("apply-data-garbage-npz", "refine apply <refine_run> --data <garbagenpz> --out <out>", "not a readable .npz"),
    case("apply-no-such-image-layer", f"{APPLY} --image-layer pixels", "no layer 'pixels'"),
    case("apply-npz-without-images", "refine apply <refine_run> --data <noimage> --out <out>", "no layer 'image'"),
    case("apply-npz-other-shape", "refine apply <refine_run> --data <layers16> --out <out>", "trained on"),
    case("apply-npz-without-images-overwrite",
         "refine apply <refine_run> --data <noimage> --out <dataset_copy> --overwrite", "no layer 'image'"),
    case("apply-npz-other-shape-overwrite",
         "refine apply <refine_run> --data <layers16> --out <dataset_copy> --overwrite", "trained on"),
    case("apply-out-is-data", "refine apply <refine_run> --data <dataset_copy> --out <dataset_copy>", "differ"),
    case("apply-out-is-data-overwrite", "refine apply <refine_run> --data <dataset_copy> --out <dataset_copy> --overwrite",
         "differ"),
    case("apply-out-is-file", "refine apply <refine_run> --data <dataset> --out <file>", "not a folder"),
    case("apply-out-under-file", "refine apply <refine_run> --data <dataset> --out <file_sub>", "not a folder"),
    case("apply-out-holds-dataset", "refine apply <refine_run> --data <dataset> --out <dataset_copy>", "--overwrite"),

    # demo
    case("demo-workers-zero", f"{DEMO} --workers 0", "'--workers'"),
    case("demo-workers-negative", f"{DEMO} --workers -1", "'--workers'"),
    case("demo-seed-negative", f"{DEMO} --seed -1", "'--seed'"),
    case("demo-seed-repeated", f"{DEMO} --seed 3 --seed 3", "repeat"),
    case("demo-real-missing-npz", f"{DEMO} --real <missing>.npz", "does not exist"),
    case("demo-real-missing-folder", f"{DEMO} --real <missing>", "does not exist"),
    case("demo-real-garbage-npz", f"{DEMO} --real <garbagenpz>", "not a readable .npz"),
    case("demo-real-empty-npz", f"{DEMO} --real <emptynpz>", "not a readable .npz"),
    case("demo-real-other-shape", f"{DEMO} --real <real16>", "(16, 16)"),
    case("demo-real-twelve-classes", f"{DEMO} --real <folder12>", "12 classes"),
    case("demo-real-without-labels", f"{DEMO} --real <realnolabels>", "labels"),
    case("demo-real-float-labels", f"{DEMO} --real <realfloat>", "labels must be integers"),
    case("demo-real-too-few-per-class", f"{DEMO} --real <realfew>", "too few"),
    case("demo-real-empty-folder", f"{DEMO} --real <emptydir>", "no class sub-folders"),
    case("demo-real-unreadable-image", f"{DEMO} --real <badpng>", "cannot read image"),
    case("demo-out-is-file", "demo --quick --out <file>", "not a folder"),
    case("demo-out-under-file", "demo --quick --out <file_sub>", "not a folder"),

    # reproduce coordconv
    case("coordconv-test-fraction-above-one", f"{CC} --test-fraction 1.5", "fraction"),
    case("coordconv-test-fraction-zero", f"{CC} --test-fraction 0", "fraction"),
    case("coordconv-test-fraction-negative", f"{CC} --test-fraction -0.2", "fraction"),
    case("coordconv-test-fraction-not-a-number", f"{CC} --test-fraction lots", "valid number"),
    case("coordconv-threads-zero", f"{CC} --threads 0", "'--threads'"),
    case("coordconv-seed-negative", f"{CC} --seed -1", "'--seed'"),
    case("coordconv-out-missing", "reproduce coordconv --quick", "missing option '--out'"),
    case("coordconv-out-is-file", "reproduce coordconv --quick --out <file>", "not a folder"),
    case("coordconv-out-under-file", "reproduce coordconv --quick --out <file_sub>", "cannot create output folder"),

    # reproduce cntk101: the tumors simulator's parameters and the real table
    case("cntk101-zero-features", f"{CNTK} --set params.features=0", "'features': 0 is not allowed"),
    case("cntk101-negative-scale", f"{CNTK} --set 'params.scales=[-1, 2]'", "-1 is outside"),
    case("cntk101-prior-not-summing-to-one", f"{CNTK} --set 'params.prior=[0.5, 0.6]'", "sum to 1.1, not 1"),
    case("cntk101-means-of-wrong-length", f"{CNTK} --set 'params.means=[1, 2, 3]'", "3 numbers given"),
    case("cntk101-real-csv-missing-value", f"{CNTK} --real <csv_missing>", "missing value in row 2, column 'b'"),
    case("cntk101-real-csv-text-column", f"{CNTK} --real <csv_text>", "column 'b' is not numeric"),
    case("cntk101-real-npy-nan", f"{CNTK} --real <npy_nan>", "missing or non-finite value"),
    case("cntk101-real-missing-file", f"{CNTK} --real <missing>.csv", "does not exist"),
    case("cntk101-out-is-file", "reproduce cntk101 --out <file>", "not a folder"),

    # lts run: the segmentation task and KITTI-style semantic folders as evaluation data
    case("lts-segment-task-without-segmentation-layers", f"{LTS} --set task.name=segment", "needs layer 'rgb'"),
    case("lts-kitti-validation-without-labels-folder", f"{LTS} --set validation.dataset=<kitti_nolabels>",
         "has no semantic/ sub-folder"),
    case("lts-kitti-validation-unpaired-image", f"{LTS} --set validation.dataset=<kitti_unpaired>", "has no partner"),
    case("lts-kitti-test-label-of-other-size", f"{LTS} --set test.dataset=<kitti_othersize>", "is 8×6 but its image is 16×12"),
    case("lts-kitti-test-unknown-id", f"{LTS} --set test.dataset=<kitti_unknownid>", "id(s) 40 that are no cityscapes label id"),

    # lts run: the label-free feature reward
    case("lts-feature-reward-without-encoder", f"{LTS} --set reward.kind=feature-mmd", "needs reward.encoder"),
    case("lts-feature-reward-without-real", FEATURE, "reward.real"),
    case("lts-feature-reward-encoder-not-a-run",
         f"{LTS} --set reward.kind=feature-mmd --set reward.encoder=<emptydir> --set reward.real='{{source: <real>, split: all}}'",
         "finished npid run"),
    case("lts-feature-reward-encoder-garbage",
         f"{LTS} --set reward.kind=feature-mmd --set reward.encoder=<garbage_npid_run> --set reward.real='{{source: <real>, split: all}}'",
         "cannot be read"),
    case("lts-feature-reward-real-missing", f"{FEATURE} --set reward.real='{{source: <missing>.npz, split: all}}'",
         "does not exist"),
    case("lts-feature-reward-unlabelled-pool", f"{FEATURE} --set reward.real='{{source: <real>}}'", "set real.split: all"),
    case("lts-feature-reward-real-other-size", f"{FEATURE} --set reward.real='{{source: <real16u>, split: all}}'",
         "takes 8×8 images, these are 16×16"),
    case("lts-feature-reward-encoder-other-size-than-simulator",
         f"{LTS} --set reward.kind=feature-mmd --set reward.encoder=<npid_run16> --set reward.real='{{source: <real16u>, split: all}}'",
         "8×8"),
    case("lts-feature-reward-bandwidth-zero",
         f"{FEATURE} --set reward.real='{{source: <real>, split: all}}' --set reward.bandwidth=0", "greater than 0"),
    case("lts-feature-reward-unknown-kind", f"{LTS} --set reward.kind=labels", "'validation' or 'feature-mmd'"),

    # ssl npid: the config file and --set
    case("npid-config-missing", "ssl npid <missing>.yaml --out <out>", "does not exist"),
    case("npid-config-is-folder", "ssl npid <emptydir> --out <out>", "not a file"),
    case("npid-config-not-utf8", "ssl npid <nonutf8> --out <out>", "not utf-8"),
    case("npid-config-malformed-yaml", "ssl npid <malformed> --out <out>", "not valid yaml at line"),
    case("npid-config-list", "ssl npid <toplist> --out <out>", "mapping"),
    case("npid-set-unknown-key", f"{NPID} --set objective.nosie=512", "unknown setting"),
    case("npid-set-unknown-section", f"{NPID} --set optimizer.lr=0.1", "unknown setting"),
    case("npid-set-without-equals", f"{NPID} --set epochs", "key.path=value"),
    case("npid-set-list-for-section", f"{NPID} --set objective=[1,2]", "must be a section"),
    case("npid-unknown-objective", f"{NPID} --set objective.kind=foo", "'nce', 'softmax' or 'parametric'"),
    case("npid-epochs-zero", f"{NPID} --set epochs=0", "greater than or equal to 1"),
    case("npid-epochs-not-a-number", f"{NPID} --set epochs=many", "integer"),
    case("npid-batch-size-one", f"{NPID} --set optimiser.batch_size=1", "greater than or equal to 2"),
    case("npid-noise-zero", f"{NPID} --set objective.noise=0", "greater than or equal to 1"),
    case("npid-temperature-zero", f"{NPID} --set objective.temperature=0", "greater than 0"),
    case("npid-bank-momentum-one", f"{NPID} --set objective.momentum=1", "less than 1"),
    case("npid-proximal-negative", f"{NPID} --set objective.proximal=-1", "greater than or equal to 0"),
    case("npid-crop-scale-reversed", f"{NPID} --set augment.crop_scale=[0.9,0.2]", "crop_scale must satisfy"),
    case("npid-unknown-split", f"{NPID} --set data.split=half", "'all' or 'pool'"),
    case("npid-no-images", f"{NPID} --set data.source=null", "give a source"),
    case("npid-unknown-device", f"{NPID} --set device=nope", "device 'nope' cannot be used here"),
    # ssl npid: the images
    case("npid-source-missing-npz", f"{NPID} --set data.source=<missing>.npz", "does not exist"),
    case("npid-source-missing-folder", f"{NPID} --set data.source=<missing>", "does not exist"),
    case("npid-source-garbage-npz", f"{NPID} --set data.source=<garbagenpz>", "not a readable .npz"),
    case("npid-source-colour", f"{NPID} --set data.source=<rgb8>", "grey images"),
    case("npid-source-unknown-fashion-split", f"{NPID} --set data.source=fashion-mnist:val", "unknown fashion-mnist split"),
    case("npid-holdout-too-large", f"{NPID} --set monitor.holdout=24", "monitor.holdout is 24"),
    case("npid-synthetic-other-shape", f"{NPID} --set data.synthetic='{{dataset: <layers16>}}'", "differ in shape"),
    case("npid-synthetic-missing", f"{NPID} --set data.synthetic='{{dataset: <missing>}}'", "does not exist"),
    # ssl npid: the run folder
    case("npid-out-is-file", "ssl npid <npid_cfg> --out <file>", "not a folder"),
    case("npid-out-under-file", "ssl npid <npid_cfg> --out <file_sub>", "not a folder"),
    case("npid-out-holds-run", "ssl npid <npid_cfg> --out <npid_run_copy>", "--resume"),
    case("npid-resume-changed-seed", "ssl npid <npid_cfg> --out <npid_run_copy> --resume --set seed=4", "settings differ"),
    case("npid-resume-more-epochs", "ssl npid <npid_cfg> --out <npid_run_copy> --resume --set epochs=3", "settings differ"),
    case("npid-out-missing", "ssl npid <npid_cfg>", "missing option '--out'"),

    # ssl knn
    case("knn-run-without-encoder", "ssl knn <emptydir> --memory <npid_data> --data <npid_data>", "finished npid run"),
    case("knn-run-missing", "ssl knn <missing> --memory <npid_data> --data <npid_data>", "not found"),
    case("knn-encoder-garbage", "ssl knn <garbage_npid_run> --memory <npid_data> --data <npid_data>", "cannot be read"),
    case("knn-data-missing-npz", "ssl knn <npid_run> --memory <npid_data> --data <missing>.npz", "does not exist"),
    case("knn-data-missing-folder", "ssl knn <npid_run> --memory <npid_data> --data <missing>", "does not exist"),
    case("knn-memory-missing", "ssl knn <npid_run> --memory <missing>.npz --data <npid_data>", "does not exist"),
    case("knn-data-garbage-npz", "ssl knn <npid_run> --memory <npid_data> --data <garbagenpz>", "not a readable .npz"),
    case("knn-data-without-labels", "ssl knn <npid_run> --memory <npid_data> --data <realnolabels>", "labels"),
    case("knn-data-other-size", "ssl knn <npid_run> --memory <npid_data> --data <real16>", "takes 8×8 images, these are 16×16"),
    case("knn-memory-other-size", "ssl knn <npid_run> --memory <real16> --data <npid_data>", "takes 8×8 images, these are 16×16"),
    case("knn-data-colour", "ssl knn <npid_run> --memory <npid_data> --data <rgb8>", "grey images"),
    case("knn-data-empty", "ssl knn <npid_run> --memory <npid_data> --data <emptyset>", "no images"),
    case("knn-memory-empty", "ssl knn <npid_run> --memory <emptyset> --data <npid_data>", "no images"),
    case("knn-memory-one-class-probe", "ssl knn <npid_run> --memory <oneclass> --data <npid_data>", "class"),
    case("knn-k-zero", f"{KNN} --k 0", "'--k'"),
    case("knn-temperature-zero", f"{KNN} --temperature 0", "'--temperature'"),
    case("knn-extra-argument", f"{KNN} <npid_run>", "unexpected extra argument"),
    case("unknown-ssl-command", "ssl simclr <npid_cfg> --out <out>", "no such command 'simclr'"),

    # adapt self-train: the config file and --set
    case("adapt-config-missing", "adapt self-train <missing>.yaml --out <out>", "does not exist"),
    case("adapt-config-malformed-yaml", "adapt self-train <malformed> --out <out>", "not valid yaml at line"),
    case("adapt-config-list", "adapt self-train <toplist> --out <out>", "mapping"),
    case("adapt-set-unknown-key", f"{ADAPT} --set selection.shares=0.5", "unknown setting"),
    case("adapt-set-without-equals", f"{ADAPT} --set rounds", "key.path=value"),
    case("adapt-share-zero", f"{ADAPT} --set selection.share=0", "share must be a fraction in (0, 1]"),
    case("adapt-share-above-one", f"{ADAPT} --set selection.share=1.5", "share must be a fraction in (0, 1]"),
    case("adapt-share-negative", f"{ADAPT} --set selection.share=-0.2", "share must be a fraction in (0, 1]"),
    case("adapt-share-not-a-number", f"{ADAPT} --set selection.share=most", "share must be a fraction in (0, 1]"),
    case("adapt-share-empty-list", f"{ADAPT} --set selection.share=[]", "share must be a fraction in (0, 1]"),
    case("adapt-share-list-entry-above-one", f"{ADAPT} --set rounds=2 --set selection.share='[0.5, 1.2]'",
         "share must be a fraction in (0, 1]"),
    case("adapt-share-list-other-length", f"{ADAPT} --set selection.share='[0.2, 0.4]'", "lists 2 shares but rounds is 1"),
    case("adapt-threshold-above-one", f"{ADAPT} --set selection.threshold=1.5", "less than or equal to 1"),
    case("adapt-rounds-zero", f"{ADAPT} --set rounds=0", "greater than or equal to 1"),
    case("adapt-rounds-not-a-number", f"{ADAPT} --set rounds=few", "integer"),
    case("adapt-task-not-classify", f"{ADAPT} --set task.name=count", "task.name must be classify"),
    case("adapt-threads-zero", f"{ADAPT} --set threads=0", "greater than or equal to 1"),
    case("adapt-unknown-split", f"{ADAPT} --set real.split=half", "'pool' or 'all'"),
    case("adapt-validation-with-pool-split", f"{ADAPT} --set real.split=pool --set validation=<npid_data>", "set real.split: all"),
    case("adapt-unknown-device", f"{ADAPT} --set device=nope", "device 'nope' cannot be used here"),
    # adapt self-train: the images
    case("adapt-source-missing", f"{ADAPT} --set source='{{dataset: <missing>}}'", "does not exist"),
    case("adapt-source-no-such-layer", f"{ADAPT} --set source.image_layer=pixels", "no layer 'pixels'"),
    case("adapt-source-without-labels", f"{ADAPT} --set source.label_layer=null", "needs the source's labels"),
    case("adapt-real-missing-npz", f"{ADAPT} --set real.source=<missing>.npz", "does not exist"),
    case("adapt-real-missing-folder", f"{ADAPT} --set real.source=<missing>", "does not exist"),
    case("adapt-real-garbage-npz", f"{ADAPT} --set real.source=<garbagenpz>", "not a readable .npz"),
    case("adapt-real-unlabelled-pool-split", f"{ADAPT} --set real='{{source: <real>, split: pool}}'", "set real.split: all"),
    case("adapt-real-other-size", f"{ADAPT} --set real.source=<real16u>", "real pool images are 16×16 but the source images are 8×8"),
    case("adapt-real-colour", f"{ADAPT} --set real.source=<rgb8>", "8×8×3"),
    case("adapt-real-empty", f"{ADAPT} --set real.source=<emptyset>", "the real pool has no images"),
    case("adapt-validation-other-size", f"{ADAPT} --set validation=<real16>", "validation images are 16×16"),
    case("adapt-validation-more-classes", f"{ADAPT} --set validation=<realfew>", "validation labels reach class 9 but the source has 2"),
    case("adapt-test-empty", f"{ADAPT} --set test=<emptyset>", "the test set has no images"),
    case("adapt-test-without-labels", f"{ADAPT} --set test=<realnolabels>", "labels"),
    # adapt self-train: the run folder
    case("adapt-out-is-file", "adapt self-train <adapt_cfg> --out <file>", "not a folder"),
    case("adapt-out-under-file", "adapt self-train <adapt_cfg> --out <file_sub>", "not a folder"),
    case("adapt-out-holds-run", "adapt self-train <adapt_cfg> --out <adapt_run_copy>", "--resume"),
    case("adapt-resume-changed-seed", "adapt self-train <adapt_cfg> --out <adapt_run_copy> --resume --set seed=4", "settings differ"),
    case("adapt-resume-more-rounds", "adapt self-train <adapt_cfg> --out <adapt_run_copy> --resume --set rounds=2", "settings differ"),
    case("adapt-out-missing", "adapt self-train <adapt_cfg>", "missing option '--out'"),
    case("unknown-adapt-command", "adapt distill <adapt_cfg> --out <out>", "no such command 'distill'"),

    # rl train / rl evaluate: the config, --set, the run folder, the split
    case("rl-config-missing", "rl train <missing>.yaml --out <out>", "does not exist"),
    case("rl-config-malformed-yaml", "rl train <malformed> --out <out>", "not valid yaml at line"),
    case("rl-unknown-method", f"{RL} --set method=ppo", "'td3', 'td3-context' or 'mql'"),
    case("rl-unknown-family", f"{RL} --set tasks.family=ant", "unknown task family 'ant'"),
    case("rl-lr-negative", f"{RL} --set td3.lr=-1", "td3.lr"),
    case("rl-steps-zero", f"{RL} --set training.steps=0", "training.steps"),
    case("rl-history-zero", f"{RL} --set context.history=0", "context.history"),
    case("rl-unknown-setting", f"{RL} --set td3.learning_rate=0.1", "unknown setting"),
    case("rl-set-without-equals", f"{RL} --set method", "key.path=value"),
    case("rl-out-is-file", "rl train <rl_cfg> --out <file>", "not a folder"),
    case("rl-out-holds-run", "rl train <rl_cfg> --out <rl_run_copy>", "--resume"),
    case("rl-resume-changed-seed", "rl train <rl_cfg> --out <rl_run_copy> --resume --set seed=4", "settings differ"),
    case("rl-out-missing", "rl train <rl_cfg>", "missing option '--out'"),
    case("rl-evaluate-no-run", "rl evaluate <missing>", "holds no rl run"),
    case("rl-evaluate-unknown-split", "rl evaluate <rl_run> --split sideways", "unknown task split 'sideways'"),
    case("rl-evaluate-episodes-zero", "rl evaluate <rl_run> --episodes 0", "--episodes must be at least 1"),
    case("unknown-rl-command", "rl play <rl_cfg> --out <out>", "no such command 'play'"),

    # commands
    case("unknown-command", "bogus --out <out>", "no such command 'bogus'"),
    case("unknown-lts-command", "lts walk <lts_cfg> --out <out>", "no such command 'walk'"),
    case("unknown-reproduction", "reproduce resnet --out <out>", "no such command 'resnet'"),
    case("simulators-unknown-option", "simulators --yaml", "no such option"),
    case("simulators-extra-argument", "simulators traffic", "unexpected extra argument"),
]


@pytest.mark.parametrize("template,fragment", CASES)
def test_bad_input(template, fragment, fill, guards, shared, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = fill(template)
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
    before_out = snapshot(out) if out is not None else None
    before_tmp, before_shared = snapshot(tmp_path), {k: snapshot(v) for k, v in shared.items()}

    code, stdout, stderr = run_cli(capsys, argv)

    shown = f"synthlearn {shlex.join(argv)}\n-> exit {code}\nstderr:\n{stderr}"
    lines = stderr.splitlines()
    assert code == 2, shown
    assert len(lines) == 1, shown
    line = lines[0]
    assert line.startswith("error: "), shown
    assert "Traceback" not in stderr, shown
    assert not _CLASS_NAME.search(line), f"names Python internals ({_CLASS_NAME.search(line).group(0)}): {shown}"
    assert fragment.lower() in line.lower(), f"expected {fragment!r} in the message: {shown}"
    assert stdout == "", f"stdout: {stdout!r}; {shown}"
    if out is not None:
        assert snapshot(out) == before_out, f"--out {out} changed: {shown}"
    assert snapshot(tmp_path) == before_tmp, f"files under the working folder changed: {shown}"
    assert {k: snapshot(v) for k, v in shared.items()} == before_shared, f"an input changed: {shown}"


def test_the_table_is_large_enough():
    assert len(CASES) >= 70
    assert len({c.id for c in CASES}) == len(CASES)
