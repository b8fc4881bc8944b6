"""A self-training run bound to its folder.

::

    RUN/config.yaml             the resolved config
    RUN/history.jsonl           one record per round (:func:`synthlearn.adapt.self_training.self_train`)
    RUN/checkpoints/latest.pt   after every round: the round's model, the pool images the next round
                                keeps and their pseudo labels, the round records
    RUN/rounds.png              accuracy and pseudo-labelled images per round
    RUN/result.json             summary, written last

Every round's model starts from streams derived from ``(seed, round)``, so ``resume=True``
after a kill writes the same ``result.json`` as an uninterrupted run, apart from its
``seconds`` fields (same config, same number of torch threads, same machine).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from synthlearn.adapt.config import AdaptConfig
from synthlearn.adapt.data import load_self_training_data
from synthlearn.adapt.self_training import SelfTrainingData, SelfTrainingState, chosen_round, self_train
from synthlearn.errors import UserError
from synthlearn.runs import RunFolder
from synthlearn.train.device import check_device
from synthlearn.train.threads import torch_threads

FIGURE = "rounds.png"


class SelfTrainingRun:
    """One self-training run in folder ``out``. Build it, then call :meth:`run`."""

    def __init__(self, config: AdaptConfig, out: str | Path) -> None:
        self.config = config
        self.folder = RunFolder(out, "a self-training run")

    def run(self, resume: bool = False, on_round: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Self-train (or continue); returns the content of ``result.json``.

        ``on_round(record)`` is called after every round, once its checkpoint is written.
        Every input is loaded and checked before the folder is created.
        """
        config = self.config
        self.folder.check(resume)
        data = load_self_training_data(config)
        check_device(config.device)
        saved = self.folder.start(config, resume)
        start = SelfTrainingState.from_checkpoint(saved) if saved is not None else None

        def round_done(record: dict[str, Any], state: SelfTrainingState) -> None:
            self.folder.append(record)
            self.folder.save_checkpoint(state.to_checkpoint())
            if on_round is not None:
                on_round(record)

        with torch_threads(config.threads):
            final = self_train(data, config.task, config.selection, config.rounds, config.seed, config.device, start, round_done)
        from synthlearn.report.adapt import plot_rounds

        plot_rounds(final.records, self.folder.file(FIGURE))
        result = summarise(config, data, list(final.records))
        self.folder.write_result(result)
        return result


def summarise(config: AdaptConfig, data: SelfTrainingData, records: list[dict[str, Any]]) -> dict[str, Any]:
    """``result.json``: the sizes, every round's record, and round 0 / final / validation-chosen accuracies."""
    chosen = chosen_round(records)

    def at(key: str) -> dict[str, float | None]:
        return {"round_0": records[0][key], "final": records[-1][key], "chosen": records[chosen][key] if chosen is not None else None}

    return {
        "name": config.name,
        "source_images": len(data.source_labels),
        "pool_images": len(data.pool),
        "classes": data.classes,
        "rounds": records,
        "chosen_round": chosen,
        "validation_accuracy": at("validation_accuracy"),
        "test_accuracy": at("test_accuracy"),
        "seconds": float(sum(r["seconds"] for r in records)),
    }
