"""What a user sets about the task model: which task, the network's size, and how it trains."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from synthlearn.config import Settings
from synthlearn.train.precision import Precision


class TrainSettings(Settings):
    """How :func:`synthlearn.train.fit.fit` trains a model (Adam or plain SGD, fixed epochs, seeded batch order)."""

    epochs: int = Field(3, ge=1)
    """Passes over the training set."""
    batch_size: int = Field(32, ge=1)
    """Samples per optimiser step."""
    lr: float = Field(3e-3, gt=0)
    """Learning rate (per minibatch: the loss is the minibatch mean)."""
    weight_decay: float = Field(0.0, ge=0)
    """(L2) weight decay."""
    optimizer: Literal["adam", "sgd"] = "adam"
    """``adam``, or ``sgd`` (plain SGD without momentum, as the CNTK 101 tutorial trains)."""
    precision: Precision = "float32"
    """``float32``, or ``bf16``: forward passes under bf16 autocast on the inputs' device, float32 weights and optimiser
    (:mod:`synthlearn.train.precision`; fast only on CPUs with native bf16, emulated and slower elsewhere)."""
    channels_last: bool = False
    """Store 4-D weights and input batches channels-last (NHWC)."""


class TaskConfig(Settings):
    """The task model and how each candidate trains it (the ``task`` section of a config)."""

    name: str = "count"
    """Task: ``count`` (per-type counts from ``rgb``), ``classify`` (``label`` from ``image``), ``classify_points``
    (``label`` from ``points``), ``classify_tabular`` (``label`` from ``features`` (N, F), softmax regression),
    ``segment`` (``segmentation`` from ``rgb``, car types as one class, score Car IoU) or ``segment_car_types`` (one class per car type)."""
    input_layer: str | None = None
    """Layer read as the input (default: the task's)."""
    target_layer: str | None = None
    """Layer read as the target (default: the task's)."""
    input_scale: float = Field(255.0, gt=0)
    """Inputs are divided by this."""
    width: int = Field(16, ge=1)
    """Feature maps of the first convolution."""
    depth: int = Field(4, ge=1)
    """Convolution blocks."""
    coord_conv: bool = False
    """CoordConv first layer (i, j coordinate channels)."""
    epochs: int = Field(3, ge=1)
    """Training epochs per model."""
    batch_size: int = Field(32, ge=1)
    """Samples per optimiser step."""
    lr: float = Field(3e-3, gt=0)
    """Adam learning rate."""
    weight_decay: float = Field(0.0, ge=0)
    """Adam (L2) weight decay."""
    warm_start: bool = False
    """LTS: start each candidate from the previous iteration's best model."""
    precision: Precision = "float32"
    """Training and evaluation arithmetic: ``float32``, or ``bf16`` autocast (mixed precision; see ``TrainSettings.precision``)."""
    channels_last: bool = False
    """Train and evaluate with 4-D weights and inputs stored channels-last (NHWC)."""

    def training(self) -> TrainSettings:
        """The fit-loop settings of this task config."""
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, weight_decay=self.weight_decay,
                             precision=self.precision, channels_last=self.channels_last)
