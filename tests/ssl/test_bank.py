"""NPID's memory bank: its initial values, the momentum update by hand, and staying outside autograd."""

import math

import pytest
import torch

from synthlearn.losses.instance_softmax import instance_softmax_loss
from synthlearn.ssl.bank import MemoryBank


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_initial_slots_are_uniform_within_the_papers_bound_and_seeded():
    size, dim = 500, 12
    bank = MemoryBank.initial(size, dim, gen(0))
    bound = 1 / math.sqrt(dim / 3)  # 0.5
    assert bank.vectors.shape == (size, dim) and bank.vectors.dtype == torch.float32
    assert len(bank) == size and bank.dim == dim
    assert float(bank.vectors.abs().max()) <= bound
    assert float(bank.vectors.min()) < -0.95 * bound and float(bank.vectors.max()) > 0.95 * bound  # fills the range
    # Not normalised: norms vary around 1 (expected squared norm d · bound²/3 = 1).
    norms = bank.vectors.norm(dim=1)
    assert float(norms.std()) > 0.05
    assert float(norms.pow(2).mean()) == pytest.approx(1.0, abs=0.05)
    assert torch.equal(MemoryBank.initial(size, dim, gen(0)).vectors, bank.vectors)
    assert not torch.equal(MemoryBank.initial(size, dim, gen(1)).vectors, bank.vectors)


def test_update_is_the_normalised_momentum_average_on_a_hand_example():
    old = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, -1.0], [3.0, 4.0]])
    bank = MemoryBank(old.clone())
    storage = bank.vectors.data_ptr()
    bank.update(torch.tensor([0, 1]), torch.tensor([[0.0, 1.0], [-0.6, 0.8]]), momentum=0.25)
    # slot 0: 0.25·(1, 0) + 0.75·(0, 1) = (0.25, 0.75), norm √0.625
    # slot 1: 0.25·(0.6, 0.8) + 0.75·(−0.6, 0.8) = (−0.3, 0.8), norm √0.73
    expected = torch.tensor([[0.25 / math.sqrt(0.625), 0.75 / math.sqrt(0.625)], [-0.3 / math.sqrt(0.73), 0.8 / math.sqrt(0.73)]])
    assert torch.allclose(bank.vectors[:2], expected, atol=1e-7)
    assert torch.equal(bank.vectors[2:], old[2:])  # untouched slots, including the unnormalised one
    assert bank.vectors.data_ptr() == storage  # in place
    bank.update(torch.tensor([3]), torch.tensor([[0.0, 0.0]]), momentum=1.0)  # momentum 1 only renormalises
    assert bank.vectors[3].tolist() == pytest.approx([0.6, 0.8])


def test_duplicate_indices_take_the_last_occurrence():
    bank = MemoryBank(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    bank.update(torch.tensor([1, 0, 1]), torch.tensor([[5.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]), momentum=0.5)
    # slot 1 from the last row: 0.5·(0, 1) + 0.5·(−1, 0) -> (−1, 1)/√2; slot 0: (0.5, 0.5) -> (1, 1)/√2
    s = 1 / math.sqrt(2)
    assert torch.allclose(bank.vectors, torch.tensor([[s, s], [-s, s]]))


def test_update_rejects_bad_input():
    bank = MemoryBank(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="momentum"):
        bank.update(torch.tensor([0]), torch.ones(1, 2), momentum=1.5)
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        bank.update(torch.tensor([4]), torch.ones(1, 2), momentum=0.5)
    with pytest.raises(ValueError, match=r"features \(B, 2\)"):
        bank.update(torch.tensor([0]), torch.ones(1, 3), momentum=0.5)


def test_bank_stays_outside_autograd():
    bank = MemoryBank.initial(6, 3, gen(0))
    weight = torch.randn(3, 3, generator=gen(1), requires_grad=True)
    indices = torch.tensor([0, 2, 5])
    features = torch.nn.functional.normalize(bank.vectors[indices] @ weight, dim=1)  # features read from the bank
    loss = instance_softmax_loss(features, indices, bank.vectors, temperature=0.1)
    before = bank.vectors.clone()
    loss.backward()
    assert torch.equal(bank.vectors, before)  # backward does not move the bank
    assert bank.vectors.grad is None and weight.grad is not None
    # update() with features that require grad builds no graph and leaves the bank a plain tensor.
    bank.update(indices, features, momentum=0.5)
    assert not bank.vectors.requires_grad and bank.vectors.grad_fn is None
    assert not torch.equal(bank.vectors, before)
    # Updating between a forward that read the bank and its backward is refused by autograd.
    loss = instance_softmax_loss(features.detach().requires_grad_(), indices, bank.vectors, temperature=0.1)
    bank.update(indices, torch.ones(3, 3), momentum=0.5)
    with pytest.raises(RuntimeError, match="inplace"):
        loss.backward()


def test_state_dict_round_trip():
    bank = MemoryBank.initial(5, 4, gen(0))
    bank.update(torch.tensor([1, 3]), torch.ones(2, 4), momentum=0.5)
    saved = {key: value.clone() for key, value in bank.state_dict().items()}
    restored = MemoryBank.initial(5, 4, gen(9))
    restored.load_state_dict(saved)
    assert torch.equal(restored.vectors, bank.vectors)
    with pytest.raises(ValueError, match="shape"):
        MemoryBank.initial(6, 4, gen(0)).load_state_dict(saved)
    with pytest.raises(ValueError, match="'vectors'"):
        restored.load_state_dict({"bank": saved["vectors"]})
