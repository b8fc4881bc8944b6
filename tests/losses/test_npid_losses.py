"""NPID's losses (instance softmax, NCE, proximal penalty) against hand computations and closed forms."""

import math

import pytest
import torch
from torch.nn import functional as F

from synthlearn.losses.instance_softmax import instance_softmax_loss
from synthlearn.losses.nce import NCECriterion, nce_loss
from synthlearn.losses.proximal import proximal_penalty


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def unit_rows(n: int, d: int, seed: int) -> torch.Tensor:
    return F.normalize(torch.randn(n, d, generator=gen(seed)), dim=1)


# ---------------------------------------------------------------- non-parametric softmax


def test_instance_softmax_is_cross_entropy_of_bank_similarities():
    features = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])
    bank = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    indices = torch.tensor([3, 1])
    # features @ bankᵀ = [[1, 2, 3, 6], [0, −1, 0.5, −0.5]], divided by τ = 0.5:
    logits = torch.tensor([[2.0, 4.0, 6.0, 12.0], [0.0, -2.0, 1.0, -1.0]])
    expected = F.cross_entropy(logits, indices)
    assert float(instance_softmax_loss(features, indices, bank, temperature=0.5)) == pytest.approx(float(expected), rel=1e-6)
    by_hand = -(12 - math.log(sum(math.exp(v) for v in (2, 4, 6, 12))) + -2 - math.log(sum(math.exp(v) for v in (0, -2, 1, -1)))) / 2
    assert float(expected) == pytest.approx(by_hand, rel=1e-6)


def test_instance_softmax_is_lower_for_a_feature_matching_its_own_slot():
    bank = unit_rows(16, 8, 0)
    indices = torch.tensor([2, 7, 11])
    matching = instance_softmax_loss(bank[indices], indices, bank, temperature=0.07)
    shifted = instance_softmax_loss(bank[indices + 1], indices, bank, temperature=0.07)
    assert float(matching) < float(shifted)


def test_instance_softmax_gradient_reaches_features_only():
    bank = unit_rows(10, 4, 0).requires_grad_()
    features = unit_rows(3, 4, 1).requires_grad_()
    instance_softmax_loss(features, torch.tensor([0, 4, 9]), bank, temperature=0.1).backward()
    assert features.grad is not None and float(features.grad.abs().sum()) > 0
    assert bank.grad is None
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under_autocast = instance_softmax_loss(features, torch.tensor([0, 4, 9]), bank, temperature=0.1)
    assert under_autocast.dtype == torch.float32


# ---------------------------------------------------------------- NCE


def nce_by_formula(positive_out: torch.Tensor, noise_out: torch.Tensor, z: float, n_data: int) -> torch.Tensor:
    """The paper's expression, literally (no log-space rewriting)."""
    m, pn = noise_out.shape[1], 1.0 / n_data
    p_pos, p_noise = positive_out / z, noise_out / z
    per_sample = torch.log(p_pos / (p_pos + m * pn)) + torch.log(m * pn / (p_noise + m * pn)).sum(dim=1)
    return -per_sample.mean()


def test_nce_loss_with_one_noise_sample_by_hand():
    # z = 4, N = 8: P_n = 1/8, m·P_n = 0.125.
    # sample 0: P_pos = 2/4 = 0.5, P_noise = 1/4 -> log(0.5/0.625) + log(0.125/0.375)
    # sample 1: P_pos = 0.5/4 = 0.125, P_noise = 3/4 -> log(0.125/0.25) + log(0.125/0.875)
    by_hand = -(math.log(0.8) + math.log(1 / 3) + math.log(0.5) + math.log(1 / 7)) / 2
    loss = nce_loss(torch.tensor([2.0, 0.5]), torch.tensor([[1.0], [3.0]]), z=4.0, n_data=8)
    assert float(loss) == pytest.approx(by_hand, rel=1e-6)
    assert by_hand == pytest.approx(1.9804, abs=1e-4)


@pytest.mark.parametrize("m", [1, 4, 16])
def test_nce_loss_closed_form_when_every_probability_is_the_noise_probability(m):
    # out = Z/N everywhere -> P = P_n: h = 1/(1 + m) for the positive, 1 − h = m/(1 + m) for each noise.
    z, n_data = 10.0, 5
    out = z / n_data
    loss = nce_loss(torch.full((3,), out), torch.full((3, m), out), z=z, n_data=n_data)
    closed_form = -(math.log(1 / (1 + m)) + m * math.log(m / (1 + m)))
    assert float(loss) == pytest.approx(closed_form, rel=1e-6)


def test_nce_loss_equals_the_literal_formula_and_its_gradient():
    g = gen(0)
    positive = (torch.rand(5, generator=g, dtype=torch.float64) * 50 + 0.1).requires_grad_()
    noise = (torch.rand(5, 7, generator=g, dtype=torch.float64) * 50 + 0.1).requires_grad_()
    ours = nce_loss(positive, noise, z=123.0, n_data=40)
    literal = nce_by_formula(positive, noise, z=123.0, n_data=40)
    assert float(ours.detach()) == pytest.approx(float(literal.detach()), rel=1e-12)
    ours_grads = torch.autograd.grad(ours, (positive, noise))
    literal_grads = torch.autograd.grad(literal, (positive, noise))
    for a, b in zip(ours_grads, literal_grads):
        assert torch.allclose(a, b, rtol=1e-10, atol=0)


def test_nce_criterion_estimates_z_once_from_the_first_batch():
    n_data, m, tau = 20, 6, 0.5
    bank = unit_rows(n_data, 4, 0)
    features, indices = unit_rows(3, 4, 1), torch.tensor([5, 0, 19])
    criterion = NCECriterion(n_data, noise=m, temperature=tau)
    assert math.isnan(float(criterion.z))
    loss = criterion(features, indices, bank, gen(7))
    # The same draws, by hand: the positive first, then m uniform slots per sample.
    noise = torch.randint(n_data, (3, m), generator=gen(7))
    slots = torch.cat([indices[:, None], noise], dim=1)
    out = torch.exp((bank[slots].double() * features.double()[:, None, :]).sum(dim=2) / tau)  # (3, 1 + m)
    expected_z = float(out.mean()) * n_data
    assert float(criterion.z) == pytest.approx(expected_z, rel=1e-6)
    assert float(loss) == pytest.approx(float(nce_by_formula(out[:, 0], out[:, 1:], expected_z, n_data)), rel=1e-5)
    # A second batch with other features and draws scores against the same z.
    other = unit_rows(3, 4, 2)
    second = criterion(other, indices, bank, gen(8))
    assert float(criterion.z) == pytest.approx(expected_z, rel=1e-6)
    noise = torch.randint(n_data, (3, m), generator=gen(8))
    out = torch.exp((bank[torch.cat([indices[:, None], noise], dim=1)].double() * other.double()[:, None, :]).sum(dim=2) / tau)
    assert float(second) == pytest.approx(float(nce_by_formula(out[:, 0], out[:, 1:], expected_z, n_data)), rel=1e-5)
    assert float(out.mean()) * n_data != pytest.approx(expected_z, rel=1e-3)  # re-estimating would have changed z


def test_nce_criterion_keeps_z_through_a_checkpoint_and_is_seeded():
    bank = unit_rows(30, 4, 0)
    features, indices = unit_rows(4, 4, 1), torch.tensor([1, 2, 3, 29])
    first = NCECriterion(30, noise=5, temperature=0.1)
    first(features, indices, bank, gen(0))
    state = {key: value.clone() for key, value in first.state_dict().items()}
    assert set(state) == {"z"} and not math.isnan(float(state["z"]))
    resumed = NCECriterion(30, noise=5, temperature=0.1)
    resumed.load_state_dict(state)
    assert float(resumed.z) == float(first.z)
    other = unit_rows(4, 4, 2)
    assert torch.equal(resumed(other, indices, bank, gen(1)), first(other, indices, bank, gen(1)))
    assert float(resumed.z) == float(state["z"])
    assert not torch.equal(first(other, indices, bank, gen(1)), first(other, indices, bank, gen(2)))  # draws matter


def test_nce_criterion_gradient_reaches_features_only():
    bank = unit_rows(12, 4, 0).requires_grad_()
    features = unit_rows(3, 4, 1).requires_grad_()
    NCECriterion(12, noise=4, temperature=0.07)(features, torch.tensor([0, 5, 11]), bank, gen(0)).backward()
    assert features.grad is not None and torch.isfinite(features.grad).all() and float(features.grad.abs().sum()) > 0
    assert bank.grad is None


def test_nce_rejects_bad_settings():
    with pytest.raises(ValueError, match="noise must be >= 1.*instance_softmax_loss"):
        NCECriterion(10, noise=0, temperature=0.07)
    with pytest.raises(ValueError, match=r"bank_vectors \(10, d\)"):
        NCECriterion(10, noise=2, temperature=0.07)(unit_rows(2, 4, 0), torch.tensor([0, 1]), unit_rows(11, 4, 1), gen(0))
    with pytest.raises(ValueError, match="m >= 1"):
        nce_loss(torch.ones(2), torch.ones(2, 0), z=1.0, n_data=4)


# ---------------------------------------------------------------- proximal penalty


def test_proximal_penalty_by_hand():
    features = torch.tensor([[1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    previous = torch.tensor([[0.0, 0.0], [3.0, 4.0]], requires_grad=True)
    penalty = proximal_penalty(features, previous, weight=0.5)  # 0.5 · (5 + 25) / 2
    assert float(penalty.detach()) == 7.5
    penalty.backward()
    assert features.grad.tolist() == [[0.5, 1.0], [-1.5, -2.0]]  # 2 · 0.5 · (f − p) / 2
    assert previous.grad is None
    assert float(proximal_penalty(features.detach(), features.detach().clone(), weight=3.0)) == 0.0
    with pytest.raises(ValueError, match="weight"):
        proximal_penalty(features, previous, weight=-1.0)


def test_nce_scores_read_by_gather_or_by_one_product_agree(monkeypatch):
    """Both ways of reading the B × (1 + m) scores give the same loss and gradient."""
    from synthlearn.losses import nce

    bank, indices = unit_rows(50, 8, 3), torch.tensor([1, 7, 49, 20])
    results = []
    for chosen in (0, 10**9):  # 0: always gather the slots; 10**9: always one B × N product
        monkeypatch.setattr(nce, "MATMUL_FRACTION", chosen)
        features = unit_rows(4, 8, 4).requires_grad_(True)
        criterion = NCECriterion(50, noise=5, temperature=0.1)
        loss = criterion(features, indices, bank, gen(9))
        loss.backward()
        results.append((loss.item(), features.grad.clone(), float(criterion.z)))
    (loss_a, grad_a, z_a), (loss_b, grad_b, z_b) = results
    assert loss_a == pytest.approx(loss_b, rel=1e-5) and z_a == pytest.approx(z_b, rel=1e-6)
    torch.testing.assert_close(grad_a, grad_b, rtol=1e-4, atol=1e-6)
