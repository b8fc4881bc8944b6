"""The one run folder every method writes: create or resume, history, checkpoints, result.

The contract (LTS, refinement, the CoordConv reproduction and every later method follow it)::

    RUN/config.yaml             the resolved settings; a resume with other settings is refused
    RUN/history.jsonl           one JSON object per line, appended as the run goes
    RUN/checkpoints/latest.pt   written atomically; holds the method's state and how many
                                history lines it covers
    RUN/result.json             written last: its presence means the run finished
    RUN/failed.json             why a run ended for good (its checkpoint is gone; a new run may start)
    RUN/*.png                   figures

Rules:

* **Validate before creating.** :meth:`RunFolder.check` creates nothing; call it (and check
  every other input) before :meth:`RunFolder.start`, so a bad input never leaves a
  half-made folder that then refuses a corrected re-run.
* **Resume reaches the same result.** :meth:`start` with ``resume=True`` returns the last
  checkpoint's state, cuts ``history.jsonl`` back to the lines that checkpoint covers (a
  line torn by a kill during the append is dropped with them) and removes temporary files
  an interrupted atomic write left behind. The method continues from that state with
  streams derived from (seed, step), so the result equals an uninterrupted run's.
* **Nothing half-written.** Checkpoints, config and result go through
  :mod:`synthlearn.atomic`; history lines are appended whole or cut on resume.

Example::

    folder = RunFolder(out)
    folder.check(resume)                          # raises UserError, creates nothing
    state = folder.start(config, resume)          # None for a new run
    for step in range(start, total):
        ...
        folder.append({"step": step, ...})
        folder.save_checkpoint({"step": step + 1, ...})
    folder.write_result(result)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.checkpoint import load_checkpoint, save_checkpoint
from synthlearn.config import dump_config
from synthlearn.errors import UserError

CONFIG = "config.yaml"
HISTORY = "history.jsonl"
CHECKPOINT = Path("checkpoints") / "latest.pt"
RESULT = "result.json"
FAILED = "failed.json"


def check_output_folder(path: Path) -> None:
    """Raise :class:`UserError` unless ``path`` is, or can become, a writable folder (creates nothing)."""
    if path.exists():
        if not path.is_dir():
            raise UserError(f"output folder {path} exists and is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UserError(f"output folder {path} is not writable")
        return
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"cannot create output folder {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"cannot create output folder {path}: {parent} is not writable")


class RunFolder:
    """A run's folder (see the module docstring for the contract).

    Args:
        path: the folder.
        what: what the run is, for messages (``"an LTS run"``, ``"a refiner run"``).
    """

    def __init__(self, path: str | Path, what: str = "a run") -> None:
        self.path = Path(path)
        self.what = what

    def file(self, name: str | Path) -> Path:
        """The path of ``name`` inside the folder."""
        return self.path / name

    @property
    def has_checkpoint(self) -> bool:
        return self.file(CHECKPOINT).is_file()

    @property
    def finished(self) -> bool:
        return self.file(RESULT).is_file()

    # -- opening ---------------------------------------------------------------------------

    def check(self, resume: bool) -> None:
        """Raise :class:`UserError` if the folder cannot hold this run; creates nothing."""
        check_output_folder(self.path)
        if resume:
            return  # a checkpoint to continue from, or nothing yet: a new run
        if self.has_checkpoint:
            raise UserError(f"{self.path} already holds {self.what}; pass --resume to continue it or choose a new --out")
        if self.finished:
            raise UserError(f"{self.path} already holds a finished run; choose a new --out")

    def start(self, config: BaseModel, resume: bool, may_grow: tuple[str, ...] = ()) -> Any | None:
        """Create the run (writing ``config.yaml`` and an empty history), or resume it.

        Returns the state saved by the last :meth:`save_checkpoint`, or ``None`` for a new run
        (also when ``resume`` finds no checkpoint, e.g. after a run that :meth:`fail` ended).
        Raises :class:`UserError` when resuming with settings other than the saved ones (a setting
        added to the code since the run started counts at its default), except that the dotted
        settings in ``may_grow`` (a budget such as ``searcher.iterations``) may
        be raised: the run then goes on to the new budget.
        """
        self.check(resume)
        if resume and self.has_checkpoint:
            self._check_same_settings(config, may_grow)
            self._sweep_temporary_files()
            checkpoint = load_checkpoint(self.file(CHECKPOINT))
            self._truncate_history(checkpoint["history_lines"])
            write_text_atomic(self.file(CONFIG), dump_config(config))
            return checkpoint["state"]
        self.path.mkdir(parents=True, exist_ok=True)
        self._sweep_temporary_files()
        self.file(FAILED).unlink(missing_ok=True)
        write_text_atomic(self.file(CONFIG), dump_config(config))
        write_text_atomic(self.file(HISTORY), "")
        return None

    def _check_same_settings(self, config: BaseModel, may_grow: tuple[str, ...]) -> None:
        path = self.file(CONFIG)
        if not path.is_file():
            return
        saved, new = yaml.safe_load(path.read_text(encoding="utf-8")), config.model_dump(mode="json")
        try:  # a setting added to the code since the run started counts at its default
            saved = type(config).model_validate(saved).model_dump(mode="json")
        except ValidationError:
            pass  # the saved settings no longer parse: they differ
        for dotted in may_grow:
            *parents, leaf = dotted.split(".")
            saved_node, new_node = saved, new
            for key in parents:
                saved_node, new_node = saved_node.get(key, {}), new_node.get(key, {})
            if leaf in saved_node and leaf in new_node and new_node[leaf] >= saved_node[leaf]:
                saved_node[leaf] = new_node[leaf]
        if saved != new:
            grow = f" (only {', '.join(may_grow)} may be raised)" if may_grow else ""
            raise UserError(f"the settings differ from {path}; resume with the same config and --set values{grow}")

    def fail(self, message: str) -> None:
        """End the run for good (e.g. training diverged): drop its checkpoint, record why in ``failed.json``.

        The folder then takes a corrected run, started with or without ``--resume``.
        """
        self.file(CHECKPOINT).unlink(missing_ok=True)
        write_json_atomic(self.file(FAILED), {"error": message})

    def _sweep_temporary_files(self) -> None:
        for stale in self.path.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)

    # -- history ---------------------------------------------------------------------------

    def _lines(self) -> list[str]:
        path = self.file(HISTORY)
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []

    def history(self) -> list[dict[str, Any]]:
        """Every record of ``history.jsonl``, in order."""
        return [json.loads(line) for line in self._lines() if line.strip()]

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as a JSON line (keys sorted)."""
        with open(self.file(HISTORY), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")

    def history_lines(self) -> int:
        return sum(1 for line in self._lines() if line.strip())

    def _truncate_history(self, keep: int) -> None:
        lines = [line for line in self._lines() if line.strip()][:keep]
        write_text_atomic(self.file(HISTORY), "".join(line + "\n" for line in lines))

    # -- checkpoints and result ------------------------------------------------------------

    def save_checkpoint(self, state: Any) -> None:
        """Atomically save ``state`` (tensors, numbers, strings, lists, dicts) with the history length."""
        save_checkpoint(self.file(CHECKPOINT), {"history_lines": self.history_lines(), "state": state})

    def rollback(self) -> Any:
        """The last checkpoint's state, with the history cut back to it (for a run that rolls back)."""
        checkpoint = load_checkpoint(self.file(CHECKPOINT))
        self._truncate_history(checkpoint["history_lines"])
        return checkpoint["state"]

    def write_result(self, result: dict[str, Any]) -> None:
        """Write ``result.json`` (indented, keys sorted): the run is finished."""
        write_json_atomic(self.file(RESULT), result)

    def result(self) -> dict[str, Any]:
        """The content of a finished run's ``result.json``."""
        return json.loads(self.file(RESULT).read_text(encoding="utf-8"))
