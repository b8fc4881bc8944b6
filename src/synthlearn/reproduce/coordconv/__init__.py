"""CoordConv's Not-so-Clevr experiments (Liu et al. 2018, sections 4.1-4.3), end to end.

Three supervised tasks on the full Not-so-Clevr set (3,136 centres, :mod:`synthlearn.sim.notsoclevr`),
each on the ``uniform`` and the ``quadrant`` split, each with a convolutional baseline and a
CoordConv model:

========================  ==========================  =============================  ==================
task                      input → output              baseline                       CoordConv
========================  ==========================  =============================  ==================
``classification``        (i, j) → one of 4,096 px    ``deconv`` (DeconvPainter)     classifier, 7,553
``regression``            one-hot image → (i, j)      ``conv`` (ConvRegressor)       regressor, 906
``rendering``             (i, j) → the square's mask  ``deconv`` (DeconvPainter)     renderer, 7,553
========================  ==========================  =============================  ==================

One idea per module:

* :mod:`.settings` -- :class:`CoordConvSettings` (the protocol, presets ``full`` / ``quick``) and
  :class:`Sweep` (how one model family trains);
* :mod:`.tasks` -- each task's tensors, loss and whole-set metric;
* :mod:`.models` -- the paper's models and :func:`~.models.build_model`;
* :mod:`.train` -- :func:`train_run` (Adam, cosine learning rate, early stop, give-up) and :func:`evaluate`;
* :mod:`.run` -- the rows, the sweeps and the run folder (:func:`run_coordconv`, resumable);
* :mod:`.report` -- the markdown table.

``train`` in the results is the metric on the fit set, ``seconds`` the training wall-clock of
the kept run (evaluation excluded) and ``sweep_seconds`` everything spent on that row. A run
stops early once its metric on the fit set reaches ``stop_at``; a sweep stops early once a run
reaches ``enough`` on validation; a run is abandoned after one epoch if its running fit metric
is below ``give_up`` (restarts of the CoordConv regressor, whose starts either take off in the
first epoch or stall).

Everything is seeded: the uniform split, the validation slices, every model's initialisation
(:func:`synthlearn.train.seeded_init`) and minibatch order (a ``torch.Generator``). Results are
reproducible for a fixed number of torch threads (``threads``).

Example::

    >>> rows = run_coordconv("runs/coordconv-q", CoordConvSettings.quick())   # doctest: +SKIP
"""

from synthlearn.reproduce.coordconv.report import format_metric, markdown_table
from synthlearn.reproduce.coordconv.run import ROW_FIELDS, Progress, count_runs, plan, run_coordconv, run_row, split_sets
from synthlearn.reproduce.coordconv.settings import CoordConvSettings, Sweep
from synthlearn.reproduce.coordconv.train import evaluate, train_run

__all__ = [
    "ROW_FIELDS", "CoordConvSettings", "Progress", "Sweep", "count_runs", "evaluate", "format_metric", "markdown_table",
    "plan", "run_coordconv", "run_row", "split_sets", "train_run",
]
