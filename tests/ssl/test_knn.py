"""Weighted kNN and the linear probe on toy features with known answers."""

import math

import pytest
import torch

from synthlearn.ssl.knn import knn_accuracy, linear_probe_accuracy, weighted_knn_predict


def on_circle(*degrees: float) -> torch.Tensor:
    return torch.tensor([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in degrees])


# Class 0 around 0°, class 1 around 180°.
MEMORY = on_circle(-20, -5, 0, 10, 25, 160, 175, 185, 200)
LABELS = torch.tensor([0, 0, 0, 0, 0, 1, 1, 1, 1])


def test_two_clusters_on_the_circle():
    queries = on_circle(3, -15, 178, 190, 85, 95)
    predictions = weighted_knn_predict(MEMORY, LABELS, queries, classes=2, k=3)
    # 85°: neighbours 25°, 10° (class 0) and 160° (class 1); 95°: 160°, 175° (class 1) and 25°.
    assert predictions.tolist() == [0, 0, 1, 1, 0, 1]
    assert predictions.dtype == torch.int64
    truth = torch.tensor([0, 0, 1, 1, 1, 1])  # call the 85° query class 1: one error in six
    assert knn_accuracy(MEMORY, LABELS, queries, truth, classes=2, k=3) == pytest.approx(5 / 6)


def test_similarity_weights_can_overrule_the_majority():
    # Query at 0°: one class-0 neighbour at 0° (s = 1) and two class-1 neighbours at ±60° (s = 0.5).
    memory = on_circle(0, 60, -60, 180)
    labels = torch.tensor([0, 1, 1, 0])
    query = on_circle(0)
    # τ = 0.1: class 0 gets e^10 ≈ 22026, class 1 gets 2·e^5 ≈ 297 -> class 0.
    assert weighted_knn_predict(memory, labels, query, classes=2, k=3, temperature=0.1).tolist() == [0]
    # τ = 100: e^0.01 ≈ 1.01 against 2·e^0.005 ≈ 2.01 -> the majority, class 1.
    assert weighted_knn_predict(memory, labels, query, classes=2, k=3, temperature=100.0).tolist() == [1]
    # k = 1 is plain nearest neighbour, whatever τ.
    assert weighted_knn_predict(memory, labels, query, classes=2, k=1, temperature=100.0).tolist() == [0]


def test_k_larger_than_memory_is_clipped():
    queries = on_circle(3, 178, 90.5)
    clipped = weighted_knn_predict(MEMORY, LABELS, queries, classes=2, k=1000, temperature=0.5)
    assert torch.equal(clipped, weighted_knn_predict(MEMORY, LABELS, queries, classes=2, k=len(MEMORY), temperature=0.5))
    # 90.5° with all nine, Σ exp(cos(Δ)/0.5): 5.99 for class 0 against 4.59 for class 1.
    assert clipped.tolist() == [0, 1, 0]


def test_chunking_does_not_change_predictions():
    g = torch.Generator().manual_seed(0)
    memory = torch.nn.functional.normalize(torch.randn(60, 8, generator=g), dim=1)
    labels = torch.randint(5, (60,), generator=g)
    queries = torch.nn.functional.normalize(torch.randn(37, 8, generator=g), dim=1)
    whole = weighted_knn_predict(memory, labels, queries, classes=5, k=7, chunk=1024)
    for chunk in (1, 5, 36):
        assert torch.equal(weighted_knn_predict(memory, labels, queries, classes=5, k=7, chunk=chunk), whole)
    assert len(set(whole.tolist())) > 1  # a non-trivial answer


def test_knn_rejects_bad_input():
    with pytest.raises(ValueError, match="memory_labels must be in"):
        weighted_knn_predict(MEMORY, LABELS + 1, on_circle(0), classes=2)
    with pytest.raises(ValueError, match="temperature"):
        weighted_knn_predict(MEMORY, LABELS, on_circle(0), classes=2, temperature=0.0)


def test_linear_probe_separates_separable_data():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 4.0]])

    def sample(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        labels = torch.randint(3, (n,), generator=g)
        return centres[labels] + 0.3 * torch.randn(n, 3, generator=g), labels

    train, train_labels = sample(150)
    test, test_labels = sample(60)
    assert linear_probe_accuracy(train, train_labels, test, test_labels, seed=0) == 1.0
    assert linear_probe_accuracy(train, train_labels, test, (test_labels + 1) % 3, seed=0) == 0.0
