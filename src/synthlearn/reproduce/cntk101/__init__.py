"""CNTK 101 (logistic regression on simulated patients), reproduced on the ``tumors`` simulator.

``run_cntk101(out, CNTK101Settings())`` trains softmax regression as the tutorial does, tests
it on one fresh minibatch and on a large test set, computes the generator's Bayes error and
the maximum-likelihood linear classifier's error, checks parity with scikit-learn and runs
the same trainer on a real table (breast cancer) by stratified k-fold.
"""

from synthlearn.reproduce.cntk101.run import progress_line, run_cntk101
from synthlearn.reproduce.cntk101.settings import CNTK101Settings

__all__ = ["CNTK101Settings", "progress_line", "run_cntk101"]
