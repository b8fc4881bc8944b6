"""The run folder contract: create or resume, history, checkpoints, result, failure."""

import pytest

from synthlearn.config import Settings
from synthlearn.errors import UserError
from synthlearn.runs import CHECKPOINT, RunFolder


class Budget(Settings):
    steps: int = 3
    lr: float = 0.1


def test_new_run_then_resume_cuts_history_back_to_the_checkpoint(tmp_path):
    folder = RunFolder(tmp_path / "run")
    assert folder.start(Budget(), resume=False) is None
    folder.append({"step": 0})
    folder.save_checkpoint({"step": 1})
    folder.append({"step": 1})  # appended, but the kill came before its checkpoint
    with open(folder.file("history.jsonl"), "a") as handle:
        handle.write('{"step": 2, "lo')  # torn
    (tmp_path / "run" / "checkpoints" / ".latest.pt.x.tmp").write_bytes(b"half")
    with pytest.raises(UserError, match="pass --resume"):
        RunFolder(tmp_path / "run").start(Budget(), resume=False)
    resumed = RunFolder(tmp_path / "run")
    assert resumed.start(Budget(), resume=True) == {"step": 1}
    assert resumed.history() == [{"step": 0}]
    assert not list((tmp_path / "run").rglob("*.tmp"))


def test_resume_refuses_other_settings_but_may_grow_a_budget(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.start(Budget(), resume=False)
    folder.save_checkpoint({"step": 3})
    with pytest.raises(UserError, match="settings differ"):
        folder.start(Budget(lr=0.2), resume=True)
    with pytest.raises(UserError, match="only steps may be raised"):
        folder.start(Budget(steps=2), resume=True, may_grow=("steps",))
    assert folder.start(Budget(steps=5), resume=True, may_grow=("steps",)) == {"step": 3}
    assert "steps: 5" in folder.file("config.yaml").read_text()


class BudgetWithMomentum(Settings):  # Budget after a release added a setting
    steps: int = 3
    lr: float = 0.1
    momentum: float = 0.9


def test_resume_accepts_a_setting_added_since_at_its_default_only(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.start(Budget(), resume=False)
    folder.save_checkpoint({"step": 1})
    assert folder.start(BudgetWithMomentum(), resume=True) == {"step": 1}
    (tmp_path / "run" / "config.yaml").write_text("steps: 3\nlr: 0.1\n")  # as the older code wrote it
    with pytest.raises(UserError, match="settings differ"):
        folder.start(BudgetWithMomentum(momentum=0.5), resume=True)
    (tmp_path / "run" / "config.yaml").write_text("steps: 3\nlr: 0.1\nnesterov: true\n")  # a setting since removed
    with pytest.raises(UserError, match="settings differ"):
        folder.start(BudgetWithMomentum(), resume=True)


def test_check_creates_nothing_and_names_the_problem(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="exists and is not a folder"):
        RunFolder(tmp_path / "file").check(resume=False)
    with pytest.raises(UserError, match="is not a folder"):
        RunFolder(tmp_path / "file" / "run").check(resume=False)
    RunFolder(tmp_path / "new" / "deep").check(resume=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_failed_run_takes_a_new_run(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.start(Budget(), resume=False)
    folder.save_checkpoint({"step": 1})
    folder.fail("diverged")
    assert not folder.file(CHECKPOINT).exists() and folder.file("failed.json").is_file()
    assert folder.start(Budget(lr=0.01), resume=False) is None
    assert not folder.file("failed.json").exists()


def test_finished_run_is_not_overwritten(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.start(Budget(), resume=False)
    folder.write_result({"ok": True})
    with pytest.raises(UserError, match="finished run"):
        RunFolder(tmp_path / "run").start(Budget(), resume=False)
