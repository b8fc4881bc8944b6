"""Learning to Simulate: policies, searchers and the outer loop over simulator parameters."""

from synthlearn.lts.loop import LTSRun, run_lts

__all__ = ["LTSRun", "run_lts"]
