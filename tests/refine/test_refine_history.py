"""The history buffer: half of each discriminator minibatch from it, b/2 random slots replaced per step."""

import pytest
import torch

from synthlearn.refine.history import ImageHistory


def tagged(values, shape=(1, 2, 2)):
    """Images whose every pixel holds their tag, (k, *shape)."""
    return torch.tensor(values, dtype=torch.float32).view(-1, 1, 1, 1).expand(-1, *shape).clone()


def tags(images):
    return [int(v) for v in images[:, 0, 0, 0]]


def test_fills_then_mixes_half_and_half():
    history, g = ImageHistory(capacity=6), torch.Generator().manual_seed(0)
    first = history.mix(tagged(range(8)), g)  # empty buffer: the whole batch is current
    assert tags(first) == list(range(8)) and len(history) == 4  # b/2 = 4 current images stored
    batch = history.mix(tagged(range(100, 108)), g)
    assert batch.shape == (8, 1, 2, 2)
    assert tags(batch[:4]) == [100, 101, 102, 103]  # b − b/2 current images
    assert set(tags(batch[4:])) <= set(range(4)) and len(set(tags(batch[4:]))) == 4  # b/2 distinct past images
    assert len(history) == 6  # 2 appended until full, then 2 random slots overwritten


def test_replaces_exactly_half_a_batch_of_random_slots_when_full():
    history, g = ImageHistory(capacity=20), torch.Generator().manual_seed(1)
    history.add(tagged(range(20)), g)
    assert len(history) == 20 and tags(history.images) == list(range(20))
    changed_slots = set()
    for step in range(5):
        before = history.images.clone()
        history.mix(tagged([1000 + step] * 8), g)
        changed = (history.images != before).flatten(1).any(dim=1)
        assert int(changed.sum()) == 4  # exactly b/2 slots, distinct
        assert set(tags(history.images[changed])) == {1000 + step}
        changed_slots |= set(changed.nonzero().flatten().tolist())
    assert len(changed_slots) > 4  # random slots, not always the same ones
    assert len(history) == 20


def test_odd_batch_and_reproducibility():
    def run(seed):
        history, g = ImageHistory(capacity=10), torch.Generator().manual_seed(seed)
        out = [history.mix(tagged(range(10 * i, 10 * i + 5)), g) for i in range(6)]
        return [tags(b) for b in out], history

    batches, history = run(3)
    assert all(len(b) == 5 for b in batches)
    assert batches[-1][:3] == [50, 51, 52]  # 5 − 5//2 = 3 current, 2 from the buffer
    assert run(3)[0] == batches and run(4)[0] != batches


def test_state_dict_round_trip_and_errors():
    history, g = ImageHistory(capacity=8), torch.Generator().manual_seed(0)
    history.add(tagged(range(5)), g)
    clone = ImageHistory(capacity=8)
    clone.load_state_dict(history.state_dict())
    g1, g2 = torch.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    assert torch.equal(history.mix(tagged(range(40, 46)), g1), clone.mix(tagged(range(40, 46)), g2))
    assert torch.equal(history.images, clone.images)
    with pytest.raises(ValueError, match="capacity"):
        ImageHistory(capacity=0)
    with pytest.raises(ValueError, match="cannot sample"):
        ImageHistory(capacity=4).sample(2, g)
    with pytest.raises(ValueError, match="do not fit"):
        history.add(torch.zeros(1, 1, 3, 3), g)
