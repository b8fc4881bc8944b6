"""Building a searcher by name. Nothing in ``lts/`` imports this module back."""

from __future__ import annotations

from synthlearn.errors import UserError
from synthlearn.lts.config import SearcherConfig
from synthlearn.lts.searcher import Searcher
from synthlearn.lts.searchers import FixedSearcher, RandomParamsSearcher, RandomSearchSearcher, ReinforceSearcher
from synthlearn.params import ParamSpace

_BUILT_IN: dict[str, type[Searcher]] = {
    cls.name: cls for cls in (ReinforceSearcher, RandomParamsSearcher, RandomSearchSearcher, FixedSearcher)
}


def make_searcher(space: ParamSpace, settings: SearcherConfig, seed: int) -> Searcher:
    """The searcher named in ``settings`` over ``space`` (Optuna's are imported only when asked for)."""
    if len(space) == 0 and settings.name != "fixed":
        raise UserError("no parameters to search: every simulator parameter is fixed")
    if settings.name.startswith("optuna-"):
        from synthlearn.lts.optuna_searcher import OptunaSearcher

        return OptunaSearcher(space, settings, seed)
    return _BUILT_IN[settings.name](space, settings, seed)
