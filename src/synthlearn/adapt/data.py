"""The images a self-training run reads, from its settings: labelled source, real pool, validation, test.

:func:`load_self_training_data` reads :class:`~synthlearn.adapt.config.AdaptConfig`'s ``source``
(:class:`~synthlearn.data.sources.SyntheticSpec`: a simulator, or a dataset / ``.npz`` of layers),
and ``real`` (:class:`~synthlearn.data.sources.RealSpec`): with ``split: pool`` the protocol split
(:func:`synthlearn.data.real.split_real`) gives the pool, the validation and the test images;
with ``split: all`` every image of the source is the pool, and ``validation`` / ``test`` name
labelled sets of their own. The pool's labels, where the source has them, are kept for
reporting only.
"""

from __future__ import annotations


import numpy as np

from synthlearn.adapt.config import AdaptConfig
from synthlearn.adapt.self_training import SelfTrainingData
from synthlearn.data.real import load_real, split_real
from synthlearn.data.sources import load_synthetic, load_unlabelled_npz
from synthlearn.errors import UserError


def load_self_training_data(config: AdaptConfig) -> SelfTrainingData:
    """Every image set of ``config``, checked against each other (:class:`UserError` on a problem)."""
    spec = config.source
    layers = load_synthetic(spec)
    if spec.label_layer is None or spec.label_layer not in layers:
        raise UserError(f"self-training needs the source's labels: set source.label_layer to one of {', '.join(sorted(layers))}")
    real = config.real
    unlabelled = load_unlabelled_npz(real.source)
    if unlabelled is not None:
        if real.split == "pool":
            raise UserError(f"{real.source} has no labels, so the protocol split cannot be made; set real.split: all")
        pool, pool_labels, validation, test = unlabelled, None, None, None
    else:
        data = load_real(real.source)
        if real.split == "pool":
            split = split_real(data, seed=real.split_seed)
            pool, pool_labels, validation, test = split.pool, split.pool_labels, split.validation, split.test
        else:
            pool, pool_labels, validation, test = data.images, data.labels, None, None
    if config.validation is not None:
        validation = load_real(config.validation)
    if config.test is not None:
        test = load_real(config.test)
    return SelfTrainingData(layers[spec.image_layer], layers[spec.label_layer], pool, pool_labels, validation, test)
