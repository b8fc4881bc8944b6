"""What ``synthlearn reproduce cntk101`` runs: the tutorial's budget, the test sets, the real-data part."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from synthlearn.config import Settings


class CNTK101Settings(Settings):
    """The CNTK 101 logistic-regression tutorial, then the same trainer on a real table.

    Defaults are the tutorial's: 20,000 simulated patients in 800 minibatches of 25, SGD at
    learning rate 0.5 (per minibatch), loss and error printed every 50 minibatches, one fresh
    minibatch of 25 as the test.
    """

    seed: int = Field(0, ge=0)
    """Root seed of every stream (training data, test data, the real folds)."""
    params: dict[str, Any] = Field(default_factory=dict)
    """``tumors`` simulator parameters (missing ones: the tutorial's generator)."""
    samples: int = Field(20_000, ge=2)
    """Training samples (one pass: samples / minibatch SGD steps)."""
    minibatch: int = Field(25, ge=2)
    """Samples per SGD step."""
    lr: float = Field(0.5, gt=0)
    """SGD learning rate per minibatch (the gradient of the minibatch's mean loss)."""
    print_every: int = Field(50, ge=1)
    """Minibatches between two progress lines."""
    test_minibatch: int = Field(25, ge=1)
    """Size of the tutorial's one fresh test minibatch."""
    test_size: int = Field(100_000, ge=1)
    """Size of the large fresh test set."""
    ml_size: int = Field(200_000, ge=2)
    """Samples the maximum-likelihood linear classifier is fitted on."""
    real: str | None = "sklearn:breast_cancer"
    """Real table (``sklearn:breast_cancer``, a .csv, .npz or .npy file; see synthlearn.data.tabular); null: skip."""
    folds: int = Field(5, ge=2)
    """Stratified folds of the real table."""
    real_epochs: int = Field(40, ge=1)
    """Epochs of the same SGD trainer on each real training fold (455 rows: 19 minibatches per epoch)."""
