"""SimGAN losses against hand-computed values."""

import math

import pytest
import torch
from torch import nn

from synthlearn.losses.simgan import (
    ChannelMean,
    FrozenFeatures,
    Identity,
    SemanticConsistencyLoss,
    SimGANRefinerLoss,
    discriminator_loss,
    local_adversarial_loss,
    make_psi,
    patch_accuracy,
    refiner_adversarial_loss,
    self_regularization_loss,
)


def bce(logit: float, target: float) -> float:
    p = 1.0 / (1.0 + math.exp(-logit))
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))


LOGITS = torch.tensor([[[[0.0, 2.0], [-1.0, 3.0]]], [[[1.0, -2.0], [0.5, 0.0]]]])  # (B=2, 1, h=2, w=2)


def test_patch_loss_shape_and_values_match_hand_computed_bce():
    per_patch = local_adversarial_loss(LOGITS, real=True, reduction="none")
    assert per_patch.shape == (2, 2, 2)
    expected = [[[bce(v, 1.0) for v in row] for row in image[0]] for image in LOGITS.tolist()]
    assert torch.allclose(per_patch, torch.tensor(expected), atol=1e-6)
    flat = [v for image in expected for row in image for v in row]
    assert float(local_adversarial_loss(LOGITS, True, "mean")) == pytest.approx(sum(flat) / 8, abs=1e-6)
    # "sum": summed over the 2×2 patches (the paper's), averaged over the batch of 2.
    assert float(local_adversarial_loss(LOGITS, True, "sum")) == pytest.approx(sum(flat) / 2, abs=1e-6)
    refined = [bce(v, 0.0) for image in LOGITS.tolist() for row in image[0] for v in row]
    assert float(local_adversarial_loss(LOGITS[:, 0], False)) == pytest.approx(sum(refined) / 8, abs=1e-6)


def test_refiner_and_discriminator_losses_follow_the_paper():
    # Refiner: −log(1 − D_refined(R(x))) = −log σ(logit_real): refined patches against "real".
    assert torch.equal(refiner_adversarial_loss(LOGITS), local_adversarial_loss(LOGITS, True))
    real = torch.full((3, 1, 2, 2), 2.0)
    loss = discriminator_loss(real, LOGITS)
    assert float(loss) == pytest.approx(bce(2.0, 1.0) + float(local_adversarial_loss(LOGITS, False)), abs=1e-6)
    shifted = LOGITS + 0.1  # 6 of the 8 patch logits are > 0 ("real"), 2 are < 0
    assert patch_accuracy(shifted, real=True) == pytest.approx(6 / 8)
    assert patch_accuracy(shifted, real=False) == pytest.approx(2 / 8)
    with pytest.raises(ValueError, match="patch logits"):
        local_adversarial_loss(torch.zeros(2, 3, 4, 4), True)


def test_self_regularization_with_each_psi():
    x = torch.zeros(2, 3, 4, 4)
    r = x.clone()
    r[:, 0] = 0.3  # the first channel moves by 0.3 everywhere
    assert float(self_regularization_loss(r, x, Identity())) == pytest.approx(0.3 / 3)
    assert float(self_regularization_loss(r, x, Identity(), "sum")) == pytest.approx(0.3 * 16)
    assert float(self_regularization_loss(r, x, ChannelMean())) == pytest.approx(0.1)
    # A colour-balanced change is invisible to the channel mean but not to the identity.
    shifted = x.clone()
    shifted[:, 0], shifted[:, 1] = 0.2, -0.2
    assert float(self_regularization_loss(shifted, x, ChannelMean())) == pytest.approx(0.0, abs=1e-7)
    assert float(self_regularization_loss(shifted, x, Identity())) > 0
    assert ChannelMean()(x).shape == (2, 1, 4, 4)


def test_frozen_features_pass_gradients_to_images_not_to_weights():
    extractor = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2))
    psi = make_psi("features", extractor)
    assert isinstance(psi, FrozenFeatures)
    psi.train()
    assert not extractor.training  # BatchNorm statistics stay frozen
    before = extractor[1].running_mean.clone()
    refined = torch.rand(4, 1, 8, 8, requires_grad=True)
    loss = self_regularization_loss(refined, torch.zeros(4, 1, 8, 8), psi)
    loss.backward()
    assert refined.grad is not None and refined.grad.abs().sum() > 0
    assert all(p.grad is None for p in extractor.parameters())
    assert torch.equal(extractor[1].running_mean, before)
    expected = (extractor(refined) - extractor(torch.zeros(4, 1, 8, 8))).abs().mean()
    assert float(loss.detach()) == pytest.approx(float(expected.detach()), rel=1e-5)
    with pytest.raises(ValueError, match="psi"):
        make_psi("gradients")


def test_refiner_loss_combines_terms_with_lambda():
    x = torch.zeros(2, 1, 4, 4)
    r = torch.full((2, 1, 4, 4), 0.5)
    total, adv, reg = SimGANRefinerLoss(lam=2.0)(r, x, torch.zeros(2, 1, 2, 2))
    assert float(adv) == pytest.approx(math.log(2), abs=1e-6) and float(reg) == pytest.approx(0.5)
    assert float(total) == pytest.approx(math.log(2) + 1.0, abs=1e-6)
    total, adv, reg = SimGANRefinerLoss(lam=2.0)(r, x, None)  # pretraining: self-regularisation alone
    assert float(adv) == 0.0 and float(total) == pytest.approx(1.0)


def test_semantic_consistency_is_the_frozen_classifiers_cross_entropy():
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    with torch.no_grad():
        classifier[1].weight.zero_()
        classifier[1].bias.copy_(torch.tensor([0.0, 1.0, 2.0]))
    refined = torch.zeros(2, 1, 2, 2, requires_grad=True)
    loss = SemanticConsistencyLoss(classifier)(refined, torch.tensor([2, 0]))
    log_z = math.log(1 + math.e + math.e**2)
    assert float(loss.detach()) == pytest.approx(((log_z - 2.0) + log_z) / 2, rel=1e-6)
    loss.backward()
    assert all(p.grad is None and not p.requires_grad for p in classifier.parameters())
    assert refined.grad is not None
