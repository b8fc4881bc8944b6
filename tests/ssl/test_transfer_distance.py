"""Feature-set distances by hand, and reusing an NPID encoder's trunk for a labelled task."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from synthlearn.errors import UserError
from synthlearn.ssl import transfer
from synthlearn.ssl.config import EncoderSettings
from synthlearn.ssl.distance import median_bandwidth, mmd2
from synthlearn.ssl.encoder import Encoder
from synthlearn.ssl.transfer import fine_tune, head_only_accuracy, trunk_features
from synthlearn.train.config import TaskConfig
from synthlearn.train.models import build_model, make_task

# -- mmd2 and the median heuristic ---------------------------------------------------------------


def cloud(n: int, d: int, shift: float = 0.0, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed)) + shift


def test_mmd2_of_a_set_with_itself_is_zero():
    x = cloud(20, 3)
    assert mmd2(x, x, 1.0) == 0.0
    assert mmd2(x, x.clone()[torch.randperm(20)], 1.0) == pytest.approx(0.0, abs=1e-12)  # order does not matter


def test_mmd2_grows_with_the_shift_and_is_symmetric():
    x = cloud(30, 2, seed=0)
    near, far = cloud(30, 2, shift=0.5, seed=1), cloud(30, 2, shift=3.0, seed=1)
    assert 0 < mmd2(x, near, 1.0) < mmd2(x, far, 1.0)
    assert mmd2(x, far, 1.0) == pytest.approx(mmd2(far, x, 1.0), rel=1e-12)
    assert mmd2(x, near, 1.0) == pytest.approx(mmd2(near, x, 1.0), rel=1e-12)


def test_mmd2_on_two_plus_two_points_by_hand():
    x, y = torch.tensor([[0.0], [1.0]]), torch.tensor([[2.0], [4.0]])
    k = lambda d2: math.exp(-d2 / 2.0)  # σ = 1  # noqa: E731
    kxx = (2 * k(0) + 2 * k(1)) / 4
    kyy = (2 * k(0) + 2 * k(4)) / 4
    kxy = (k(4) + k(16) + k(1) + k(9)) / 4
    assert mmd2(x, y, 1.0) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-12)
    # σ = 2: every squared distance counts a quarter as much
    k2 = lambda d2: math.exp(-d2 / 8.0)  # noqa: E731
    expected = (2 + 2 * k2(1)) / 4 + (2 + 2 * k2(4)) / 4 - 2 * (k2(4) + k2(16) + k2(1) + k2(9)) / 4
    assert mmd2(x, y, 2.0) == pytest.approx(expected, rel=1e-12)


def test_mmd2_sets_of_different_sizes_and_scale_invariance():
    x, y = cloud(7, 4, seed=3).double(), cloud(11, 4, shift=1.0, seed=4).double()
    value = mmd2(x, y, 1.5)
    assert value > 0
    assert mmd2(10 * x, 10 * y, 15.0) == pytest.approx(value, rel=1e-9)


def test_mmd2_and_median_bandwidth_refuse_bad_input():
    x = cloud(3, 2)
    for bandwidth in (0.0, -1.0):
        with pytest.raises(ValueError, match="bandwidth must be > 0"):
            mmd2(x, x, bandwidth)
    with pytest.raises(ValueError, match="at least 2"):
        median_bandwidth(x[:1])


def test_median_bandwidth_by_hand():
    # 1-d points 0, 1, 3: distances 1, 3, 2 → median 2
    assert median_bandwidth(torch.tensor([[0.0], [1.0], [3.0]])) == pytest.approx(2.0)
    # a 3-4-5 triangle: distances 5, 4, 3 → median 4 (the diagonal zeros are not counted)
    assert median_bandwidth(torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 4.0]])) == pytest.approx(4.0)
    assert median_bandwidth(torch.tensor([[1.0, 1.0], [4.0, 5.0]])) == pytest.approx(5.0)


# -- fine-tuning and the head-only probe ---------------------------------------------------------


def encoder(width: int = 2, depth: int = 2, seed: int = 0) -> Encoder:
    torch.manual_seed(seed)
    model = Encoder(EncoderSettings(width=width, depth=depth, dim=8), 8)
    with torch.no_grad():  # weights no fresh task model could have, and non-trivial BatchNorm statistics
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                tensor.copy_(torch.rand(tensor.shape) + 0.5 if "running_var" in name else torch.randn(tensor.shape))
    return model.eval()


def task_config(width: int = 2, depth: int = 2, **extra) -> TaskConfig:
    return TaskConfig(name="classify", width=width, depth=depth, epochs=1, batch_size=8, input_scale=255.0, **extra)


def labelled(n: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 8, 8), dtype=np.uint8), np.arange(n) % 2


def test_fine_tune_starts_from_the_encoders_trunk_and_a_fresh_head(monkeypatch):
    monkeypatch.setattr(transfer, "fit", lambda *args, **kwargs: None)  # look at the weights before training
    source = encoder()
    images, labels = labelled()
    cfg = task_config()
    model = fine_tune(source, images, labels, cfg, seed=3, classes=2)
    trunk, expected = model.features.state_dict(), source.backbone.features.state_dict()
    assert trunk.keys() == expected.keys()
    assert all(torch.equal(trunk[k], expected[k]) for k in trunk)

    task = make_task(cfg)
    inputs, _ = task.tensors({"image": images, "label": labels}, 255.0)
    fresh = build_model(cfg, task, inputs, 2, seed=3)
    assert torch.equal(model.head.weight, fresh.head.weight) and torch.equal(model.head.bias, fresh.head.bias)
    assert not torch.equal(fresh.features[0].weight, model.features[0].weight)  # the trunk did not start fresh


def test_fine_tune_trains_every_weight_and_leaves_the_encoder_alone():
    source = encoder()
    before = {k: v.clone() for k, v in source.state_dict().items()}
    images, labels = labelled()
    model = fine_tune(source, images, labels, task_config(), seed=3, classes=2)
    assert all(torch.equal(before[k], v) for k, v in source.state_dict().items())
    assert not torch.equal(model.features[0].weight, source.backbone.features[0].weight)
    assert model.head.out_features == 2


@pytest.mark.parametrize("width,depth", [(4, 2), (2, 1), (2, 3)])
def test_fine_tune_refuses_a_task_model_of_another_shape(width, depth):
    images, labels = labelled()
    with pytest.raises(UserError, match=rf"task model \(width {width}, depth {depth}\) differs from the encoder's \(width 2, depth 2\)"):
        fine_tune(encoder(), images, labels, task_config(width, depth), seed=0, classes=2)


def test_fine_tune_refuses_a_coord_conv_task_model_with_a_user_error():
    images, labels = labelled()
    with pytest.raises(UserError):
        fine_tune(encoder(), images, labels, task_config(coord_conv=True), seed=0, classes=2)


def test_head_only_accuracy_on_an_easy_split():
    # constant images, dark (class 0) or bright (class 1): with bias-free convolutions every pooled trunk feature
    # is c · v for the pixel value c, so any trunk with one live channel separates them by a threshold
    rng = np.random.default_rng(0)
    dark, bright = rng.integers(0, 30, 20), rng.integers(200, 256, 20)
    images = np.concatenate([dark, bright])[:, None, None] * np.ones((1, 8, 8), np.int64)
    images, labels = images.astype(np.uint8), np.repeat([0, 1], 20)
    source = encoder(width=4, depth=1)
    before = {k: v.clone() for k, v in source.state_dict().items()}
    accuracy = head_only_accuracy(source, 255.0, images[::2], labels[::2], images[1::2], labels[1::2], seed=0)
    assert isinstance(accuracy, float) and accuracy == 1.0
    assert all(torch.equal(before[k], v) for k, v in source.state_dict().items())  # frozen, BatchNorm statistics too

    noise = rng.integers(0, 256, (40, 8, 8)).astype(np.uint8)
    chance = head_only_accuracy(source, 255.0, noise[::2], labels[::2], noise[1::2], labels[1::2], seed=0)
    assert 0.0 <= chance <= 1.0


def test_trunk_features_are_pooled_and_use_the_scale():
    source = encoder(width=2, depth=2)
    images = np.random.default_rng(1).integers(0, 17, (5, 8, 8)).astype(np.uint8)
    features = trunk_features(source, images, 16.0)
    assert features.shape == (5, 4)  # width 2, doubled by the second block
    with torch.no_grad():
        expected = source.backbone.features(torch.from_numpy(images / 16.0).float().unsqueeze(1)).mean(dim=(2, 3))
    assert torch.allclose(features, expected, atol=1e-6)
    assert not torch.allclose(trunk_features(source, images, 255.0), features)
