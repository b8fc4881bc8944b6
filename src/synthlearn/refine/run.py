"""A SimGAN refiner run bound to its folder: data, checkpoints, history, figures, failure handling.

::

    RUN/config.yaml             the resolved config
    RUN/history.jsonl           one record per ``log_every`` steps (means over them) and one per event
    RUN/checkpoints/latest.pt   written atomically every ``checkpoint_every`` steps and at the end
    RUN/samples/step-NNNNNN.png synthetic | refined | real every ``sample_every`` steps
    RUN/samples.png             the same grid for the final refiner
    RUN/history.png             losses, D accuracy, mean |R(x) − x|
    RUN/refiner.pt              final refiner (weights + how to apply it)
    RUN/result.json             summary: final metrics, events, rollbacks, timings

History records carry ``step`` (the last step they average), ``phase`` and the metrics
``loss_refiner``, ``loss_adv``, ``loss_reg``, ``loss_d``, ``d_acc_real``, ``d_acc_refined``
(fraction of patches D classifies correctly) and ``refine_delta`` (mean |R(x) − x| as a fraction
of the pixel range). Event records have ``event``: ``identity_collapse`` (see
:mod:`synthlearn.refine.monitor`; also reported through ``on_event`` or a warning) or
``divergence`` (a NaN/inf, or a loss above ``monitor.divergence_loss``: the run rolls back to the last checkpoint, multiplies the learning
rates by ``monitor.divergence_lr_factor`` and goes on; after ``monitor.max_rollbacks`` it stops
with a :class:`~synthlearn.errors.UserError`).

``resume=True`` continues from the last checkpoint; the final weights equal those of an
uninterrupted run (same config, same number of torch threads).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from synthlearn import seeding
from synthlearn.checkpoint import save_checkpoint
from synthlearn.data.sources import load_real_images, load_synthetic
from synthlearn.errors import UserError
from synthlearn.refine.config import RefineConfig
from synthlearn.refine.images import REFINER_FILE, images_to_unit, refiner_record, unit_to_images
from synthlearn.refine.monitor import CollapseMonitor, TrainingDiverged
from synthlearn.refine.simgan import SimGANTrainer, _mean_records, check_discriminator_fits
from synthlearn.runs import RunFolder
from synthlearn.train.classifier import train_classifier
from synthlearn.train.config import TaskConfig
from synthlearn.train.threads import torch_threads

PREVIEW = 16  # images per row of the sample grids
_LABEL_CLASSIFIER_STREAM = 21  # stream id under the run seed for the classifier of ψ and the semantic term


class RefinerWarning(UserWarning):
    """A refiner run reported a failure event (identity collapse, divergence rollback)."""


def _label_classifier(
    config: RefineConfig, layers: dict[str, np.ndarray], pixel_max: float
) -> tuple[nn.Module | None, torch.Tensor | None]:
    """The frozen SmallCNN trained on the synthetic labels (it takes ``[-1, 1]`` images) and those
    labels ``(N,)``, when ``psi: features`` or ``semantic > 0`` needs them; else ``(None, None)``."""
    if not _needs_label_classifier(config):
        return None, None
    spec, synthetic = config.label_classifier, config.synthetic
    task = TaskConfig(name="classify", input_layer=synthetic.image_layer, target_layer=synthetic.label_layer,
                      input_scale=pixel_max, width=spec.width, depth=spec.depth, epochs=spec.epochs, batch_size=64)
    labels = layers[synthetic.label_layer]
    classes = int(labels.max()) + 1 if len(labels) else 1
    model = train_classifier(layers[synthetic.image_layer], labels, task, seeding.child_seed(config.seed, _LABEL_CLASSIFIER_STREAM), classes)
    return _FromUnit(model.eval()), torch.from_numpy(np.asarray(labels, dtype=np.int64))


def _needs_label_classifier(config: RefineConfig) -> bool:
    return config.simgan.psi == "features" or config.simgan.semantic > 0


class _FromUnit(nn.Module):
    """Feed ``[-1, 1]`` refiner images to a model trained on images scaled to ``[0, 1]``."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body((x + 1.0) / 2.0)


# -- checkpoints and history ------------------------------------------------------------------


def read_history(run: str | Path) -> list[dict[str, Any]]:
    """The records of ``RUN/history.jsonl``."""
    return RunFolder(run).history()


class RefinerRun:
    """One refiner run in folder ``out``. Build it, then call :meth:`run`."""

    def __init__(self, config: RefineConfig, out: str | Path) -> None:
        self.config = config
        self.folder = RunFolder(out, "a refiner run")

    @property
    def out(self) -> Path:
        return self.folder.path

    def _prepare_data(self) -> tuple[torch.Tensor, torch.Tensor, dict[str, np.ndarray], np.ndarray, float]:
        """Load and check both image sets: (synthetic, real) in [-1, 1], synthetic layers, real images, pixel max."""
        config = self.config
        layers = load_synthetic(config.synthetic)
        if _needs_label_classifier(config) and config.synthetic.label_layer not in layers:
            raise UserError("psi 'features' and the semantic term train a classifier on the synthetic labels; "
                            f"synthetic.label_layer must name a layer of {', '.join(sorted(layers))}")
        synthetic_images = layers[config.synthetic.image_layer]
        real_images = load_real_images(config.real)
        if synthetic_images.shape[1:] != real_images.shape[1:]:
            raise UserError(f"synthetic images have shape {synthetic_images.shape[1:]} but real images {real_images.shape[1:]}")
        pixel_max = config.pixel_max
        if pixel_max is None:
            pixel_max = float(max(synthetic_images.max(), real_images.max(), 1))
        synthetic = images_to_unit(synthetic_images, pixel_max)
        check_discriminator_fits(config.simgan, tuple(synthetic.shape[1:]))
        return synthetic, images_to_unit(real_images, pixel_max), layers, real_images, pixel_max

    def run(
        self,
        resume: bool = False,
        on_step: Callable[[int, dict[str, Any]], None] | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Train (or continue) the refiner; returns the content of ``result.json``.

        ``on_step(step, record)`` is called after every step (checkpoint included);
        ``on_event(event)`` receives identity-collapse and divergence events (without it they
        become :class:`RefinerWarning` warnings). Every input is loaded and checked before the
        run folder is created or changed.
        """
        config = self.config
        self.folder.check(resume)
        with torch_threads(config.threads):
            synthetic, real, layers, real_images, pixel_max = self._prepare_data()
            state = self.folder.start(config, resume)
            monitor = CollapseMonitor(config.monitor.collapse_window, config.monitor.collapse_accuracy, config.monitor.collapse_delta)
            classifier, labels = _label_classifier(config, layers, pixel_max)
            psi = _FromUnit(classifier.body.features[: 3 * config.label_classifier.blocks]) if classifier is not None else None
            trainer = SimGANTrainer(config.simgan, synthetic, real, config.seed, psi_extractor=psi, labels=labels,
                                    label_classifier=classifier, collapse=monitor, max_loss=config.monitor.divergence_loss)
            preview = _preview_indices(len(synthetic), layers.get(config.synthetic.label_layer or ""))
            report = on_event or (lambda event: warnings.warn(event["message"], RefinerWarning, stacklevel=3))

            step, pending, rollbacks, elapsed = 0, [], 0, 0.0
            if state is None:
                self._checkpoint(trainer, 0, pending, rollbacks, 0.0)  # step 0: the first rollback target
            else:
                trainer.load_state_dict(state["trainer"])
                step, pending, rollbacks, elapsed = state["step"], state["pending"], state["rollbacks"], state["elapsed"]
            clock = time.perf_counter() - elapsed
            total = trainer.total_steps
            while step < total:
                try:
                    record = trainer.step(step)
                except TrainingDiverged as exc:
                    rollbacks += 1
                    step, pending = self._roll_back(trainer, exc, rollbacks, report, time.perf_counter() - clock)
                    continue
                event = record.pop("event", None)
                pending.append(record)
                last_of_phase = step + 1 == total or config.simgan.phase(step + 1) != record["phase"]
                if len(pending) >= config.log_every or last_of_phase:
                    self.folder.append({"step": step, "phase": record["phase"], **_mean_records([_metrics(r) for r in pending])})
                    pending = []
                if event is not None:
                    self.folder.append(event)
                    report(event)
                step += 1
                if step % config.sample_every == 0:
                    self._samples(trainer, synthetic, real_images, preview, pixel_max, self.folder.file("samples") / f"step-{step:06d}.png", step)
                if step % config.checkpoint_every == 0 or step == total:
                    self._checkpoint(trainer, step, pending, rollbacks, time.perf_counter() - clock)
                if on_step is not None:
                    on_step(step - 1, record)
            return self._finish(trainer, synthetic, real, real_images, preview, pixel_max, rollbacks, time.perf_counter() - clock)

    # -- helpers -------------------------------------------------------------------------------

    def _checkpoint(self, trainer: SimGANTrainer, step: int, pending: list, rollbacks: int, elapsed: float) -> None:
        self.folder.save_checkpoint({"step": step, "trainer": trainer.state_dict(), "pending": list(pending),
                                     "rollbacks": rollbacks, "elapsed": float(elapsed)})

    def _roll_back(self, trainer: SimGANTrainer, exc: TrainingDiverged, rollbacks: int, report, elapsed: float) -> tuple[int, list]:
        monitor = self.config.monitor
        state = self.folder.rollback()
        trainer.load_state_dict(state["trainer"])
        scale = trainer.lr_scale * monitor.divergence_lr_factor
        event = {
            "event": "divergence", "step": exc.step, "what": exc.what, "rolled_back_to": state["step"],
            "lr_scale": scale, "lr_refiner": trainer.settings.lr_refiner * scale,
            "lr_discriminator": trainer.settings.lr_discriminator * scale, "rollback": rollbacks,
            "message": (f"divergence at step {exc.step} ({exc.what} {exc.why}): rolled back to step {state['step']} "
                        f"and scaled the learning rates by {monitor.divergence_lr_factor} (now x{scale:g})"),
        }
        self.folder.append(event)
        report(event)
        if rollbacks > monitor.max_rollbacks:
            message = (f"refiner training diverged at step {exc.step} ({exc.what} {exc.why}) after {monitor.max_rollbacks} "
                       f"rollbacks with lower learning rates; lower simgan.lr_refiner / simgan.lr_discriminator and run again")
            self.folder.fail(message)
            raise UserError(message)
        trainer.set_lr_scale(scale)
        self._checkpoint(trainer, state["step"], state["pending"], rollbacks, elapsed)
        return state["step"], list(state["pending"])

    def _samples(self, trainer, synthetic, real_images, preview, pixel_max, path: Path, step: int) -> None:
        from synthlearn.report.refine import plot_refine_samples

        grey = real_images.ndim == 3
        x = synthetic[preview]
        rows = [("synthetic", unit_to_images(x, pixel_max, np.float32, grey)),
                ("refined", unit_to_images(trainer.refine(x), pixel_max, np.float32, grey)),
                ("real (unlabelled pool)", real_images[:PREVIEW])]
        plot_refine_samples(rows, path, pixel_max, title=f"{self.config.name}, step {step}")

    def _finish(self, trainer, synthetic, real, real_images, preview, pixel_max, rollbacks, elapsed) -> dict[str, Any]:
        from synthlearn.report.refine import plot_refine_history

        config = self.config
        record = refiner_record(trainer.refiner, pixel_max, tuple(synthetic.shape[1:]), config.name)
        save_checkpoint(self.folder.file(REFINER_FILE), record)
        self._samples(trainer, synthetic, real_images, preview, pixel_max, self.folder.file("samples.png"), trainer.total_steps)
        history = self.folder.history()
        plot_refine_history(history, self.folder.file("history.png"))
        records = [h for h in history if "event" not in h]
        result = {
            "name": config.name,
            "seed": config.seed,
            "steps": {"pretrain_refiner": config.simgan.pretrain_refiner_steps,
                      "pretrain_discriminator": config.simgan.pretrain_discriminator_steps,
                      "adversarial": config.simgan.steps, "total": trainer.total_steps},
            "final": records[-1] if records else None,
            "events": [h for h in history if "event" in h],
            "rollbacks": rollbacks,
            "lr_scale": trainer.lr_scale,
            "n_synthetic": len(synthetic),
            "n_real": len(real),
            "image_shape": list(synthetic.shape[1:]),
            "pixel_max": pixel_max,
            "refiner": REFINER_FILE,
            "seconds": elapsed,
        }
        self.folder.write_result(result)
        return result


def _metrics(record: dict[str, Any]) -> dict[str, float]:
    return {k: v for k, v in record.items() if k not in ("step", "phase")}


def _preview_indices(n: int, labels: np.ndarray | None) -> np.ndarray:
    """Up to PREVIEW synthetic images, one per class in turn when labels exist (deterministic)."""
    if labels is None or len(labels) != n:
        return np.arange(min(n, PREVIEW))
    order = np.argsort(labels, kind="stable")
    classes = np.unique(labels)
    firsts = [order[labels[order] == c] for c in classes]
    picked: list[int] = []
    depth = 0
    while len(picked) < min(n, PREVIEW):
        for members in firsts:
            if depth < len(members) and len(picked) < PREVIEW:
                picked.append(int(members[depth]))
        depth += 1
    return np.array(picked)


def run_refiner(config: RefineConfig, out: str | Path, resume: bool = False, **callbacks: Any) -> dict[str, Any]:
    """Run (or resume) a refiner run in folder ``out``; see :class:`RefinerRun`."""
    return RefinerRun(config, out).run(resume=resume, **callbacks)
