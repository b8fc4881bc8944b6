"""The real 3-D protocol: a small labelled validation set per class, everything else test.

Validation clouds (``val_per_class`` of every class, default 3) are the only real data a
method may see -- for rewards and model selection; the test clouds are never tuned on. A
class with fewer than ``val_per_class + 1`` clouds cannot give both, so it is dropped from
both and reported in their ``skipped`` counts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from synthlearn.data.real3d.sampling import PointClouds
from synthlearn.errors import UserError
from synthlearn.seeding import generator

_SEED_STREAM = 0x5917  # the seed path of the per-class shuffles


class CloudSplit(NamedTuple):
    """Labelled ``validation`` clouds and held-out ``test`` clouds, disjoint."""

    validation: PointClouds
    test: PointClouds


def split_clouds(clouds: PointClouds, seed: int, val_per_class: int = 3) -> CloudSplit:
    """Split ``clouds`` into ``val_per_class`` validation clouds per class and the rest as test.

    Each class is shuffled by its own stream of ``seed``, so a class's split does not depend
    on the other classes. Labels and ``classes`` are kept as they are (a dropped class keeps
    its index); both halves keep their input order.
    """
    if isinstance(val_per_class, bool) or not isinstance(val_per_class, (int, np.integer)) or val_per_class < 0:
        raise UserError(f"validation clouds per class must be a non-negative integer, got {val_per_class!r}")
    skipped, validation, test = dict(clouds.skipped), [], []
    for label, name in enumerate(clouds.classes):
        members = generator(seed, _SEED_STREAM, label).permutation(np.flatnonzero(clouds.labels == label))
        if 0 < len(members) <= val_per_class:
            skipped[f"class {name} has {len(members)} clouds, fewer than {val_per_class + 1}"] = len(members)
        elif len(members):
            validation.append(members[:val_per_class])
            test.append(members[val_per_class:])
    if not test:
        raise UserError(f"no class has more than {val_per_class} clouds: nothing is left to test on")
    val_index, test_index = np.sort(np.concatenate(validation)), np.sort(np.concatenate(test))
    return CloudSplit(clouds.subset(val_index, skipped), clouds.subset(test_index, skipped))
