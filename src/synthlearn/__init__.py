"""synthlearn: learning from simulated data.

Procedural simulators with free labels, Learning to Simulate (policy-gradient search over
simulator parameters), and the building blocks around them.
"""

__version__ = "0.1.0"
