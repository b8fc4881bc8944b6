"""select_confident on toy probabilities whose confidences are known: share, threshold, balance, ties."""

from __future__ import annotations

import numpy as np
import pytest

from synthlearn.adapt.self_training import select_confident


def two_class(confidence_of_class_0: list[float]) -> np.ndarray:
    """Probabilities ``(N, 2)`` with row i = (p_i, 1 − p_i)."""
    p = np.asarray(confidence_of_class_0, dtype=np.float64)
    return np.stack([p, 1.0 - p], axis=1)


# confidences 0.9, 0.6, 0.95, 0.7, 0.8, 0.55; predicted 0, 0, 1, 1, 0, 1
TOY = two_class([0.9, 0.6, 0.05, 0.3, 0.8, 0.45])


def test_share_keeps_the_most_confident_in_index_order():
    assert select_confident(TOY, share=0.5).tolist() == [0, 2, 4]  # 0.95 (2), 0.9 (0), 0.8 (4)
    assert select_confident(TOY, share=1.0).tolist() == [0, 1, 2, 3, 4, 5]
    assert select_confident(TOY, share=1 / 6).tolist() == [2]
    # round(share · N), halves up: 0.25 · 6 = 1.5 → 2; 0.05 · 6 = 0.3 → 0
    assert select_confident(TOY, share=0.25).tolist() == [0, 2]
    assert select_confident(TOY, share=0.05).tolist() == []


def test_threshold_drops_the_unsure_even_within_the_share():
    assert select_confident(TOY, share=1.0, threshold=0.75).tolist() == [0, 2, 4]
    assert select_confident(TOY, share=0.5, threshold=0.92).tolist() == [2]
    assert select_confident(TOY, share=0.5, threshold=0.9).tolist() == [0, 2]  # at the threshold counts
    assert select_confident(TOY, share=1.0, threshold=0.99).tolist() == []


def test_balance_keeps_share_over_c_of_each_predicted_class():
    # quota round(0.5 · 6 / 2) = round(1.5) = 2 per class: class 0 → 0 (0.9), 4 (0.8); class 1 → 2 (0.95), 3 (0.7)
    assert select_confident(TOY, share=0.5, balance=True).tolist() == [0, 2, 3, 4]
    # unbalanced, the same share keeps 0.95, 0.9, 0.8: two of class 0
    assert select_confident(TOY, share=0.5, balance=False).tolist() == [0, 2, 4]
    # a class predicted fewer times than its quota gives all it has; the others never more than theirs
    skewed = two_class([0.9, 0.8, 0.7, 0.6, 0.2, 0.9])  # class 1 predicted only for row 4
    assert select_confident(skewed, share=1.0, balance=True).tolist() == [0, 1, 4, 5]  # quota 3: class 0 → 0, 5, 1; class 1 → 4
    assert select_confident(skewed, share=0.5, balance=True).tolist() == [0, 4, 5]  # quota 2: class 0 → 0, 5; class 1 → 4
    # threshold and balance together: the threshold first removes row 3 (0.7)
    assert select_confident(TOY, share=0.5, threshold=0.75, balance=True).tolist() == [0, 2, 4]


def test_ties_keep_the_lower_index_and_repeat_exactly():
    tied = two_class([0.75, 0.875, 0.75, 0.75, 0.25, 0.875])  # confidences 0.75, 0.875, 0.75, 0.75, 0.75, 0.875 (exact in binary)
    assert select_confident(tied, share=0.5).tolist() == [0, 1, 5]
    assert select_confident(tied, share=4 / 6).tolist() == [0, 1, 2, 5]
    # quota round(2.5) = 3: class 0 → 1, 5 (0.875) and the first of the tied 0, 2, 3 (0.75); class 1 → 4
    assert select_confident(tied, share=5 / 6, balance=True).tolist() == [0, 1, 4, 5]
    # a tie within one row's probabilities: the lowest class is the pseudo label
    even = np.full((4, 2), 0.5)
    assert select_confident(even, share=0.5, balance=True).tolist() == [0]  # quota round(0.5) = 1, everything is class 0
    for _ in range(3):
        assert select_confident(tied, share=0.5).tolist() == [0, 1, 5]


def test_many_classes_and_a_larger_pool():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 10))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    kept = select_confident(probabilities, share=0.3)
    assert len(kept) == 150 and np.all(np.diff(kept) > 0) and kept.dtype == np.int64
    confidence = probabilities.max(axis=1)
    assert confidence[kept].min() >= np.delete(confidence, kept).max()
    balanced = select_confident(probabilities, share=0.3, balance=True)
    counts = np.bincount(probabilities.argmax(axis=1)[balanced], minlength=10)
    assert np.all(counts <= 15) and np.all(counts == np.minimum(15, np.bincount(probabilities.argmax(axis=1), minlength=10)))


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_share_outside_zero_one_is_refused(share):
    with pytest.raises(ValueError, match=r"share must be in \(0, 1\]"):
        select_confident(TOY, share=share)


def test_probabilities_must_be_a_matrix():
    with pytest.raises(ValueError, match=r"shape \(N, C\)"):
        select_confident(np.ones(5), share=0.5)
