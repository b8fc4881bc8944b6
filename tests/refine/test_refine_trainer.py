"""The SimGAN trainer: phases, determinism, options."""

import pytest
import torch

from synthlearn.errors import UserError
from synthlearn.refine.simgan import SimGANSettings, SimGANTrainer
from synthlearn.train.threads import single_thread_torch


@pytest.fixture(autouse=True)
def one_thread():
    with single_thread_torch():
        yield

TINY = dict(refiner_width=4, refiner_blocks=1, disc_widths=(4, 4, 4, 4), disc_strides=(1, 2), disc_padding=1,
            batch_size=8, history_size=32, pretrain_refiner_steps=2, pretrain_discriminator_steps=1, steps=2)


def data(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(20, 1, 8, 8, generator=g) * 2 - 1, torch.rand(30, 1, 8, 8, generator=g) * 2 - 1


def test_phases_and_records():
    settings = SimGANSettings(**TINY, k_g=2, k_d=3)
    assert [settings.phase(t) for t in range(5)] == ["pretrain_refiner"] * 2 + ["pretrain_discriminator"] + ["adversarial"] * 2
    trainer = SimGANTrainer(settings, *data(), seed=1)
    records = [trainer.step(t) for t in range(trainer.total_steps)]
    assert set(records[0]) == {"step", "phase", "loss_refiner", "loss_reg", "refine_delta"}
    assert set(records[2]) == {"step", "phase", "loss_d", "d_acc_real", "d_acc_refined"}
    assert {"loss_adv", "loss_d", "refine_delta", "d_acc_refined"} <= set(records[3])
    assert len(trainer.history) == 7 * 4  # 1 pretraining + 2 steps × k_d=3 D updates, b/2 = 4 images stored by each
    same = SimGANTrainer(settings, *data(), seed=1)
    assert [same.step(t) for t in range(same.total_steps)] == records  # a pure function of data, settings, seed
    other = SimGANTrainer(settings, *data(), seed=2)
    assert [other.step(t) for t in range(other.total_steps)] != records


def test_quantized_discriminator_input_has_a_straight_through_gradient():
    trainer = SimGANTrainer(SimGANSettings(**TINY, quantize_levels=16), *data(), seed=0)
    x = torch.tensor([-1.0, -0.97, -0.93, 0.0, 0.99, 1.3], requires_grad=True)
    q = trainer._quantize(x)
    assert torch.allclose(q, torch.tensor([-1.0, -1.0, -0.875, 0.0, 1.0, 1.0]))
    q.sum().backward()
    assert torch.equal(x.grad, torch.ones(6))


def test_bad_settings_and_images():
    with pytest.raises(ValueError, match="batch_size"):
        SimGANSettings(batch_size=0)
    with pytest.raises(ValueError, match="psi"):
        SimGANSettings(psi="edges")
    synthetic, real = data()
    with pytest.raises(ValueError, match="differ in shape"):
        SimGANTrainer(SimGANSettings(**TINY), synthetic, real[:, :, :6, :6], seed=0)
    with pytest.raises(UserError, match="too small"):
        SimGANTrainer(SimGANSettings(**{**TINY, "disc_padding": 0, "disc_strides": (2, 2)}), synthetic[:, :, :4, :4], real[:, :, :4, :4], seed=0)


def test_semantic_term_pulls_refined_images_toward_their_labels():
    _, real = data()
    labels = torch.arange(20) % 2
    g = torch.Generator().manual_seed(0)
    synthetic = (labels.float() * 0.4 - 0.2)[:, None, None, None] + 0.1 * torch.randn(20, 1, 8, 8, generator=g)  # class 1 brighter
    classifier = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    with torch.no_grad():  # logit of class 1 minus class 0 = the mean brightness: barely sure of either class
        classifier[1].weight.copy_(torch.stack([torch.full((64,), -0.5 / 64), torch.full((64,), 0.5 / 64)]))
        classifier[1].bias.zero_()
    with pytest.raises(ValueError, match="semantic term needs labels"):
        SimGANTrainer(SimGANSettings(**TINY, semantic=1.0), synthetic, real, seed=0)
    with pytest.raises(ValueError, match="semantic\n  Input should be greater than or equal to 0"):
        SimGANSettings(semantic=-1.0)
    weights = [p.detach().clone() for p in classifier.parameters()]
    settings = SimGANSettings(**{**TINY, "pretrain_refiner_steps": 30, "pretrain_discriminator_steps": 0, "steps": 0},
                              semantic=1.0, lam=0.0, lr_refiner=1e-2, refiner_residual=True)
    trainer = SimGANTrainer(settings, synthetic, real, seed=0, labels=labels, label_classifier=classifier)
    records = [trainer.step(t) for t in range(trainer.total_steps)]
    assert records[-1]["loss_semantic"] < 0.5 * records[0]["loss_semantic"]  # the refiner makes each class easy to read
    assert all(torch.equal(a, b) for a, b in zip(weights, classifier.parameters()))  # which stays frozen
    plain = SimGANTrainer(SimGANSettings(**TINY), synthetic, real, seed=0)
    assert "loss_semantic" not in plain.step(0)


def test_refiner_closes_an_appearance_gap():
    """Where synthetic and real differ only in appearance (grey vs white bars), refinement fixes it."""
    g = torch.Generator().manual_seed(0)

    def bars(n, value):
        images = torch.full((n, 1, 8, 8), -1.0)
        images[torch.arange(n), 0, torch.randint(1, 7, (n,), generator=g)] = value
        return images

    synthetic, real = bars(64, 0.0), bars(64, 1.0)
    settings = SimGANSettings(refiner_width=16, refiner_blocks=1, refiner_residual=True, disc_widths=(16, 16, 16, 16),
                              disc_strides=(1, 2), disc_padding=1, batch_size=16, history_size=64, lam=0.05,
                              pretrain_refiner_steps=0, pretrain_discriminator_steps=20, steps=300, k_g=1, k_d=1)
    trainer = SimGANTrainer(settings, synthetic, real, seed=0)
    for t in range(trainer.total_steps):
        trainer.step(t)
    refined = trainer.refine(synthetic)
    ink = synthetic > -0.5
    assert refined[ink].mean() > 0.5  # grey bars (0.0) became nearly white (1.0); seeds 1-3 give 0.58-0.81
    assert refined[~ink].mean() < -0.7  # the background stayed black
