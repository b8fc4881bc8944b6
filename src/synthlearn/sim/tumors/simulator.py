"""``tumors``: simulated patients for logistic regression (the CNTK 101 tutorial's generator).

Each sample is a patient: a class label (benign 0, malignant 1, ... up to ``classes``) drawn
from the prior, and ``features`` real-valued measurements (the tutorial's "age" and "tumour
size") drawn from that class's Gaussian (:mod:`synthlearn.sim.tumors.gaussians`). At the
defaults this is the tutorial exactly: label uniform over two classes and features
``(N(0, I₂) + 3) · (label + 1)``.

Layers, for ``n`` samples:

* ``features`` -- float32 ``(n, features)``;
* ``label``    -- int64 ``(n,)``, the class.

Example::

    >>> layers = get_simulator("tumors").generate({}, 4, seed=0)
    >>> layers["features"].shape, layers["label"].shape
    ((4, 2), (4,))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlearn.params import IntRange, ParamSpace, Uniform, Vector
from synthlearn.sim.base import Layer, Simulator, register
from synthlearn.sim.tumors.gaussians import class_gaussians


def tumors_space() -> ParamSpace:
    """The parameters of :class:`TumorsSimulator` (defaults: the CNTK 101 generator)."""
    return ParamSpace([
        IntRange("classes", 2, 10, default=2, doc="number of classes"),
        IntRange("features", 1, 100, default=2, doc="number of features per sample"),
        Vector("prior", 0.0, 1.0, default=(), total=1.0, doc="class probabilities, one per class; [] = uniform"),
        Vector("means", -1e6, 1e6, default=(),
               doc="class means: [] = 3 (k + 1); one per class; or one per class and feature (row-major)"),
        Vector("scales", 1e-6, 1e6, default=(),
               doc="class standard deviations: [] = k + 1; one per class; or one per class and feature (row-major)"),
        Uniform("correlation", 0.0, 0.95, default=0.0, doc="correlation between any two features within a class"),
        Uniform("separation", 0.0, 4.0, default=1.0, doc="class means move from their average by this factor"),
        Uniform("spread", 0.1, 10.0, default=1.0, log=True, doc="every class standard deviation is multiplied by this"),
    ])


@register
class TumorsSimulator(Simulator):
    """Patients as Gaussian feature vectors per class; the CNTK 101 tutorial at the defaults."""

    name = "tumors"
    description = (
        "Simulated patients (CNTK 101 logistic regression): label from the prior, features from the label's Gaussian; "
        "defaults: 2 classes, 2 features, class 0 ~ N(3, 1), class 1 ~ N(6, 2^2) per feature."
    )
    layers = {
        "features": Layer("float32", ("features",), "measurements of the patient (class k: N(mean_k, scale_k^2) per feature)"),
        "label": Layer("int64", (), "class: 0 benign, 1 malignant, ..."),
    }

    def param_space(self) -> ParamSpace:
        return tumors_space()

    def _generate(self, params: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        g = class_gaussians(params)
        label = rng.choice(g.classes, size=n, p=g.prior).astype(np.int64)
        z = rng.standard_normal((n, g.features))
        if g.correlation:
            z = z @ g.correlation_factor().T
        features = g.means[label] + g.scales[label] * z
        return {"features": features.astype(np.float32), "label": label}
