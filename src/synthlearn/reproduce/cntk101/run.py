"""The whole CNTK 101 tutorial, its theoretical limits, scikit-learn parity and the real table.

Writes into ``out``::

    OUT/results.json     settings, progress, simulated-data errors, Bayes and ML-linear errors, parity, real k-fold
    OUT/results.md       the tutorial's figures beside ours (report.markdown_table)
    OUT/progress.txt     the printed progress lines ("Minibatch: 50, Loss: 0.3602, Error: 0.16")
    OUT/boundaries.png   data, learned and Bayes boundaries (2 features, 2 classes)
    OUT/progress.png     minibatch loss and error

Everything is checked (settings, simulator parameters, the real table, ``out``) before
anything is written; every random stream derives from ``settings.seed``.

Example::

    >>> results = run_cntk101("runs/cntk101", CNTK101Settings())            # doctest: +SKIP
    >>> round(results["simulated"]["bayes_error"], 3)                        # doctest: +SKIP
    0.063
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic, write_text_atomic
from synthlearn.data.tabular import load_tabular
from synthlearn.reproduce.cntk101.linear import linear_classifier, sklearn_logistic
from synthlearn.reproduce.cntk101.parity import sklearn_parity
from synthlearn.reproduce.cntk101.real import real_kfold
from synthlearn.reproduce.cntk101.report import markdown_table, plot_boundaries, plot_progress
from synthlearn.reproduce.cntk101.settings import CNTK101Settings
from synthlearn.reproduce.cntk101.train import error_rate, train_softmax, weights
from synthlearn.runs import check_output_folder
from synthlearn.sim.base import get_simulator
from synthlearn.sim.tumors.bayes import bayes_error, classifier_error
from synthlearn.sim.tumors.gaussians import class_gaussians

_TRAIN_DATA, _TEST_MINIBATCH, _TEST_DATA, _ML_DATA, _TRAIN, _BAYES = 1, 2, 3, 5, 6, 7  # streams under settings.seed


def progress_line(record: dict[str, float]) -> str:
    """One printed progress line, as the tutorial prints it."""
    return f"Minibatch: {record['minibatch']}, Loss: {record['loss']:.4f}, Error: {record['error']:.2f}"


def run_cntk101(out: str | Path, settings: CNTK101Settings, on_print: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the reproduction into ``out``; ``on_print`` receives every progress line. Returns ``results.json``'s content."""
    out = Path(out)
    check_output_folder(out)
    simulator = get_simulator("tumors")
    params = simulator.param_space().validate(settings.params)
    g = class_gaussians(params)
    real = load_tabular(settings.real) if settings.real else None
    started = time.perf_counter()

    def draw(n: int, stream: int) -> tuple:
        layers = simulator.generate(params, n, seeding.child_seed(settings.seed, stream))
        return layers["features"], layers["label"]

    train, test_minibatch, test = draw(settings.samples, _TRAIN_DATA), draw(settings.test_minibatch, _TEST_MINIBATCH), draw(settings.test_size, _TEST_DATA)
    lines: list[str] = []

    def show(record: dict[str, float]) -> None:
        lines.append(progress_line(record))
        if on_print is not None:
            on_print(lines[-1])

    model, progress = train_softmax(*train, g.classes, settings.lr, settings.minibatch, epochs=1,
                                    seed=seeding.child_seed(settings.seed, _TRAIN), print_every=settings.print_every, on_print=show)
    ml_weights = sklearn_logistic(*draw(settings.ml_size, _ML_DATA), c=float("inf"))
    bayes, bayes_method = bayes_error(g, seeding.generator(settings.seed, _BAYES))
    exact = g.features <= 2
    simulated = {
        "test_minibatch_error": error_rate(model, *test_minibatch),
        "test_error": error_rate(model, *test),
        "test_size": settings.test_size,
        "bayes_error": bayes,
        "bayes_method": bayes_method,
        "ml_linear_error": classifier_error(g, linear_classifier(*ml_weights)) if exact
        else float((linear_classifier(*ml_weights)(test[0]) != test[1]).mean()),
        "ml_linear_method": f"scikit-learn C=inf on {settings.ml_size:,} samples; error by "
        + ("grid integration" if exact else f"the large test set ({settings.test_size:,})"),
        "weights": [w.tolist() for w in weights(model)],
    }
    results: dict[str, Any] = {
        "settings": settings.model_dump(mode="json"),
        "params": params,
        "progress": progress,
        "simulated": simulated,
        "parity": sklearn_parity(train, test, g.classes, seeding.child_seed(settings.seed, _TRAIN), sgd_model=weights(model)),
        "real": {"source": settings.real, **real_kfold(real, settings)} if real is not None else None,
    }
    results["meta"] = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.platform(),
                       "python": platform.python_version(), "seconds": time.perf_counter() - started}
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "progress.txt", "\n".join(lines) + "\n")
    if g.features == 2 and g.classes == 2:
        plot_boundaries(test[0][:1000], test[1][:1000], g, weights(model), out / "boundaries.png")
    plot_progress(progress, out / "progress.png")
    write_text_atomic(out / "results.md", markdown_table(results))
    write_json_atomic(out / "results.json", results)
    return results
