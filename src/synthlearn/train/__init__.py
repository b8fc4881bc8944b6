"""Training the task model: tasks (what to predict and how to score it) and a fit loop."""

from synthlearn.train.fit import TrainSettings, evaluate, fit
from synthlearn.train.tasks import Task, get_task

__all__ = ["Task", "TrainSettings", "evaluate", "fit", "get_task"]
