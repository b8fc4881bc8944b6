"""PointNet's losses and metric against closed-form and hand-computed values."""

import math

import pytest
import torch
from torch.nn import functional as F

from synthlearn.losses.class_balanced import (
    ClassBalancedCrossEntropy,
    class_balanced_cross_entropy,
    class_balanced_weights,
    class_counts,
)
from synthlearn.losses.focal import FocalLoss, focal_loss
from synthlearn.losses.orthogonality import OrthogonalityLoss, orthogonality_loss
from synthlearn.train.metrics import matthews_corrcoef

# ---------------------------------------------------------------- orthogonality ‖I − AAᵀ‖²_F


def rotation_z(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)


def test_orthogonality_loss_is_zero_for_orthogonal_matrices():
    rotations = torch.stack([rotation_z(a) for a in (0.3, 1.0, 2.5)])
    assert float(orthogonality_loss(rotations)) == pytest.approx(0.0, abs=1e-24)
    permutation = torch.eye(64)[torch.randperm(64, generator=torch.Generator().manual_seed(0))]
    reflection = torch.diag(torch.tensor([1.0, -1.0, 1.0]))
    assert float(orthogonality_loss(permutation)) == 0.0
    assert float(orthogonality_loss(reflection)) == 0.0
    q, _ = torch.linalg.qr(torch.randn(4, 64, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(1)))
    assert float(orthogonality_loss(q)) == pytest.approx(0.0, abs=1e-20)


@pytest.mark.parametrize("k", [3, 64])
def test_orthogonality_loss_exact_values_and_batch_reduction(k):
    eye = torch.eye(k)
    batch = torch.stack([2 * eye, eye])  # ‖I − 4I‖² = 9k, and 0
    assert torch.equal(orthogonality_loss(batch, "none"), torch.tensor([9.0 * k, 0.0]))
    assert float(orthogonality_loss(batch)) == 9.0 * k / 2  # mean over the batch
    assert float(orthogonality_loss(batch, "sum")) == 9.0 * k
    assert float(OrthogonalityLoss("sum")(batch)) == 9.0 * k
    # A shear: AAᵀ = [[2, 1], [1, 1]], I − AAᵀ = [[−1, −1], [−1, 0]], squared norm 3.
    assert float(orthogonality_loss(torch.tensor([[1.0, 1.0], [0.0, 1.0]]))) == 3.0
    with pytest.raises(ValueError, match="square"):
        orthogonality_loss(torch.zeros(2, 3, 4))


def test_orthogonality_loss_gradient_and_bf16_autocast():
    a = (torch.eye(4) + 0.1 * torch.randn(2, 4, 4, generator=torch.Generator().manual_seed(0))).double().requires_grad_()
    assert torch.autograd.gradcheck(orthogonality_loss, (a,))
    # Near the identity the regulariser is a small difference of numbers near 1; under bf16
    # autocast it must still be computed in float32 (the matmul would otherwise round it away).
    near = torch.eye(64).expand(8, 64, 64) + 1e-3 * torch.randn(8, 64, 64, generator=torch.Generator().manual_seed(2))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under_autocast = orthogonality_loss(near)
    assert under_autocast.dtype == torch.float32
    assert float(under_autocast) == pytest.approx(float(orthogonality_loss(near)), rel=1e-6)


# ---------------------------------------------------------------- focal loss

LOGITS = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.0]])
TARGETS = torch.tensor([0, 2, 0])


def softmax_row(row):
    exps = [math.exp(v) for v in row]
    return [e / sum(exps) for e in exps]


def test_focal_loss_matches_a_hand_computation():
    gamma, alpha = 2.0, [0.25, 0.5, 1.0]
    by_hand = []
    for row, t in zip(LOGITS.tolist(), TARGETS.tolist()):
        p_t = softmax_row(row)[t]
        by_hand.append(-alpha[t] * (1 - p_t) ** gamma * math.log(p_t))
    none = focal_loss(LOGITS, TARGETS, gamma=gamma, alpha=alpha, reduction="none")
    assert none.tolist() == pytest.approx(by_hand, rel=1e-6)
    assert float(focal_loss(LOGITS, TARGETS, gamma, alpha, "sum")) == pytest.approx(sum(by_hand), rel=1e-6)
    weight_sum = alpha[0] + alpha[2] + alpha[0]  # "mean" divides by Σ α_t, as F.cross_entropy does
    assert float(focal_loss(LOGITS, TARGETS, gamma, alpha)) == pytest.approx(sum(by_hand) / weight_sum, rel=1e-6)
    # Without alpha, "mean" is the plain mean; the easy first sample (p_t ≈ 0.79) is shrunk most.
    plain = focal_loss(LOGITS, TARGETS, gamma=gamma, reduction="none")
    ce = F.cross_entropy(LOGITS, TARGETS, reduction="none")
    assert float(focal_loss(LOGITS, TARGETS, gamma)) == pytest.approx(float(plain.mean()))
    assert int((plain / ce).argmin()) == 0
    assert torch.allclose(FocalLoss(gamma, alpha)(LOGITS, TARGETS), focal_loss(LOGITS, TARGETS, gamma, alpha))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_focal_loss_with_gamma_zero_is_cross_entropy(reduction):
    weight = torch.tensor([0.2, 1.0, 3.0])
    assert torch.allclose(focal_loss(LOGITS, TARGETS, 0.0, reduction=reduction), F.cross_entropy(LOGITS, TARGETS, reduction=reduction))
    assert torch.allclose(
        focal_loss(LOGITS, TARGETS, 0.0, weight, reduction), F.cross_entropy(LOGITS, TARGETS, weight=weight, reduction=reduction)
    )


def test_focal_loss_gradient_stays_finite_when_a_sample_is_certain():
    logits = torch.tensor([[60.0, 0.0], [0.0, 1.0]], requires_grad=True)  # p_t of the first rounds to 1
    focal_loss(logits, torch.tensor([0, 0]), gamma=0.5).backward()
    assert torch.isfinite(logits.grad).all()
    with pytest.raises(ValueError, match="gamma"):
        focal_loss(LOGITS, TARGETS, gamma=-1.0)
    with pytest.raises(ValueError, match="one weight per class"):
        focal_loss(LOGITS, TARGETS, alpha=[1.0, 2.0])


# ---------------------------------------------------------------- class-balanced cross-entropy


def test_class_balanced_weights_on_known_counts():
    # Inverse frequency: 1/10, 1/30 normalised to sum to 2 classes -> 1.5, 0.5.
    assert class_balanced_weights([10, 30]).tolist() == pytest.approx([1.5, 0.5])
    # Effective number, β = 0.9, counts 1 and 2: (1 − β)/(1 − β^n) = 1 and 0.1/0.19 = 1/1.9,
    # normalised to sum to 2: 2·1.9/2.9 and 2/2.9.
    assert class_balanced_weights([1, 2], beta=0.9).tolist() == pytest.approx([3.8 / 2.9, 2 / 2.9])
    assert class_balanced_weights([5, 50, 500], beta=0.0).tolist() == pytest.approx([1.0, 1.0, 1.0])  # β = 0: no reweighting
    assert class_balanced_weights([5, 50, 500], beta=1 - 1e-9).tolist() == pytest.approx(
        class_balanced_weights([5, 50, 500]).tolist(), rel=1e-5
    )  # β → 1: inverse frequency
    # A class without samples gets 0; the others are normalised among themselves.
    assert class_balanced_weights([10, 0, 30]).tolist() == pytest.approx([1.5, 0.0, 0.5])
    assert class_counts(torch.tensor([0, 2, 2, 2]), 4).tolist() == [1, 0, 3, 0]
    with pytest.raises(ValueError, match="beta"):
        class_balanced_weights([1, 2], beta=1.0)
    with pytest.raises(ValueError, match=">= 0"):
        class_balanced_weights([1, -2])


def test_class_balanced_cross_entropy_is_weighted_cross_entropy():
    counts = [10, 30, 60]
    weights = class_balanced_weights(counts, beta=0.99)
    expected = F.cross_entropy(LOGITS, TARGETS, weight=weights)
    assert torch.allclose(class_balanced_cross_entropy(LOGITS, TARGETS, counts, beta=0.99), expected)
    module = ClassBalancedCrossEntropy(counts, beta=0.99)
    assert torch.allclose(module(LOGITS, TARGETS), expected)
    assert torch.equal(module.state_dict()["weight"], weights)  # saved with checkpoints
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        module(torch.zeros(3, 4), TARGETS)


# ---------------------------------------------------------------- MCC over a whole epoch

# Confusion matrix, rows = true class, columns = predicted class.
CONFUSION = [[5, 1, 0], [2, 3, 1], [0, 1, 4]]


def labels_from_confusion(confusion):
    truth, predicted = [], []
    for t, row in enumerate(confusion):
        for p, count in enumerate(row):
            truth += [t] * count
            predicted += [p] * count
    return torch.tensor(predicted), torch.tensor(truth)


def test_multiclass_mcc_matches_the_gorodkin_formula():
    predicted, truth = labels_from_confusion(CONFUSION)
    s = 17  # samples
    c = 5 + 3 + 4  # correct
    t = [6, 6, 5]  # true per class (row sums)
    p = [7, 5, 5]  # predicted per class (column sums)
    expected = (c * s - sum(pk * tk for pk, tk in zip(p, t))) / math.sqrt((s**2 - sum(x * x for x in p)) * (s**2 - sum(x * x for x in t)))
    assert expected == pytest.approx(107 / math.sqrt(190 * 192))  # ≈ 0.5602
    assert matthews_corrcoef(predicted, truth, num_classes=3) == pytest.approx(expected, rel=1e-6)


def test_mcc_averaged_over_class_sorted_batches_is_the_tutorial_bug():
    # Batches that each hold one true class have an undefined (reported 0) MCC: their mean says
    # nothing, while the whole epoch has MCC ≈ 0.56 at 71 % accuracy.
    predicted, truth = labels_from_confusion(CONFUSION)
    per_batch = [matthews_corrcoef(predicted[truth == k], truth[truth == k], num_classes=3) for k in range(3)]
    assert sum(per_batch) / 3 == pytest.approx(0.0)
    assert matthews_corrcoef(predicted, truth, num_classes=3) > 0.5
