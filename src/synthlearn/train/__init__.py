"""The task-model side of every method: tasks, settings, model building, the fit loop, metrics.

``lts/``, ``refine/``, ``reproduce/``, the demo and every later method train and score
their task models through this room, so one fit loop and one set of metrics serve all.
"""

from synthlearn.train.config import TaskConfig, TrainSettings
from synthlearn.train.fit import evaluate, fit, predict
from synthlearn.train.models import build_model, make_task, seeded_init
from synthlearn.train.tasks import Task, get_task
from synthlearn.train.threads import single_thread_torch, torch_threads

__all__ = [
    "Task", "TaskConfig", "TrainSettings", "build_model", "evaluate", "fit", "get_task", "make_task",
    "predict", "seeded_init", "single_thread_torch", "torch_threads",
]
