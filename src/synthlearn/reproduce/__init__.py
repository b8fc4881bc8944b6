"""Reproductions of published results on the simulators here, each runnable from the CLI.

* :mod:`synthlearn.reproduce.coordconv` -- CoordConv's Not-so-Clevr experiments
  (``synthlearn reproduce coordconv``).
"""
