"""bf16 autocast and channels-last in the fit loop: off gives today's bytes, on still learns."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from synthlearn.sim import get_simulator
from synthlearn.train.config import TaskConfig, TrainSettings
from synthlearn.train.fit import evaluate, fit, fit_until
from synthlearn.train.models import build_model, make_task
from synthlearn.train.threads import single_thread_torch


@pytest.fixture(autouse=True)
def one_thread():
    with single_thread_torch():
        yield


def bars(n=128, seed=0):
    config = TaskConfig(name="classify", width=8, depth=2, batch_size=16, input_scale=255.0)
    task = make_task(config)
    inputs, targets = task.tensors(get_simulator("test-bars").generate({"mix": [0.5, 0.5], "noise": 0.3}, n, seed), 255.0)
    return config, task, inputs, targets


def reference_fit(model, inputs, targets, settings, seed):
    """The fit loop as it was before precision options existed (Adam, seeded order, skip batches of one)."""
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    model.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for _ in range(settings.epochs):
            order = torch.randperm(len(inputs), generator=generator)
            for start in range(0, len(inputs), settings.batch_size):
                index = order[start : start + settings.batch_size]
                if len(index) < 2:
                    continue
                optimiser.zero_grad(set_to_none=True)
                F.cross_entropy(model(inputs[index]), targets[index]).backward()
                optimiser.step()
    return model


def weight_bytes(model):
    return b"".join(v.detach().contiguous().numpy().tobytes() for v in model.state_dict().values())


def test_float32_default_gives_the_reference_bytes():
    config, task, inputs, targets = bars()
    settings = TrainSettings(epochs=2, batch_size=16)
    assert settings.precision == "float32" and not settings.channels_last
    ours = fit(build_model(config, task, inputs, 2, seed=5), inputs, targets, task, settings, seed=7)
    theirs = reference_fit(build_model(config, task, inputs, 2, seed=5), inputs, targets, settings, seed=7)
    assert weight_bytes(ours) == weight_bytes(theirs)
    assert config.training() == settings.model_copy(update={"epochs": 3, "lr": config.lr})


def test_bf16_channels_last_trains_and_learns():
    config, task, inputs, targets = bars()
    settings = TrainSettings(epochs=6, batch_size=16, precision="bf16", channels_last=True)
    model = build_model(config, task, inputs, 2, seed=5)
    conv_dtypes, losses = set(), []
    model.features[0].register_forward_hook(lambda module, args, out: conv_dtypes.add(out.dtype))
    fit(model, inputs, targets, task, settings, seed=7, on_batch=lambda step, index, loss: losses.append(float(loss)))
    assert conv_dtypes == {torch.bfloat16}  # the forward really ran in bf16
    assert model.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    per_epoch = np.array(losses).reshape(6, -1).mean(axis=1)
    assert per_epoch[-1] < 0.5 * per_epoch[0], per_epoch
    accuracy = evaluate(model, inputs, targets, task, precision="bf16", channels_last=True)
    assert isinstance(accuracy, float) and accuracy > 0.9
    fp32 = fit(build_model(config, task, inputs, 2, seed=5), inputs, targets, task, settings.model_copy(update={"precision": "float32"}), 7)
    assert weight_bytes(fp32) != weight_bytes(model)


def test_fit_until_then_resume_gives_the_bytes_of_one_fit():
    config, task, inputs, targets = bars(n=70)  # 70 = 4×16 + 6: a short last batch every epoch
    settings = TrainSettings(epochs=4, batch_size=16)
    whole = fit(build_model(config, task, inputs, 2, seed=1), inputs, targets, task, settings, seed=2)
    model = build_model(config, task, inputs, 2, seed=1)
    first = fit_until(model, inputs, targets, task, settings, 2, stop_epoch=1)
    second = fit_until(model, inputs, targets, task, settings, 2, stop_epoch=3, resume=first)
    fresh = build_model(config, task, inputs, 2, seed=99)  # another process: only the saved weights carry over
    fresh.load_state_dict(model.state_dict())
    last = fit_until(fresh, inputs, targets, task, settings, 2, stop_epoch=4, resume=second)
    assert (first.epoch, second.epoch, last.epoch) == (1, 3, 4) and last.step == 4 * 5
    assert weight_bytes(fresh) == weight_bytes(whole)
