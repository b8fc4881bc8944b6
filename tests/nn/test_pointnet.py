"""PointNet: the paper's properties (order invariance, critical set, identity T-Nets) and a smoke run."""

import math

import pytest
import torch
from torch.nn import functional as F

from synthlearn.losses.orthogonality import orthogonality_loss
from synthlearn.nn.pointnet import (
    PointNetClassifier,
    PointNetEncoder,
    TNet,
    critical_set,
    paper_bn_momentum,
    scaled,
)
from synthlearn.train.threads import torch_threads


def sphere_or_cube(n_clouds: int, n_points: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Points on the unit sphere (label 0) or on a randomly rotated cube surface inside it (label 1)."""
    labels = torch.arange(n_clouds) % 2
    sphere = torch.randn(n_clouds, n_points, 3, generator=g)
    sphere = sphere / sphere.norm(dim=2, keepdim=True)
    cube = torch.rand(n_clouds, n_points, 3, generator=g) * 2 - 1
    face = torch.randint(0, 3, (n_clouds, n_points, 1), generator=g)
    side = torch.randint(0, 2, (n_clouds, n_points, 1), generator=g).float() * 2 - 1
    cube.scatter_(2, face, side)  # push one coordinate of each point onto a face
    rotation, _ = torch.linalg.qr(torch.randn(n_clouds, 3, 3, generator=g))
    cube = cube @ rotation / math.sqrt(3)  # corners on the unit sphere
    return torch.where(labels[:, None, None] == 0, sphere, cube), labels


def trained_looking_model(seed: int = 0, **kwargs) -> PointNetClassifier:
    """A model in eval mode whose T-Nets are not the identity and whose BatchNorm has real statistics.

    At initialisation the T-Nets output exactly I and BatchNorm's running statistics are 0/1,
    which would make several properties hold trivially; this perturbs both.
    """
    torch.manual_seed(seed)
    model = PointNetClassifier(4, width=0.25, **kwargs)
    with torch.no_grad():
        for tnet in (model.encoder.input_tnet, model.encoder.feature_tnet):
            if tnet is not None:
                tnet.out.weight.normal_(0.0, 0.1)
        for _ in range(4):  # train-mode passes update the running statistics
            model(torch.randn(8, 200, 3) * 1.5 + 0.2)
    return model.eval()


def test_shapes_for_a_quarter_width_model():
    model = PointNetClassifier(num_classes=5, width=0.25)
    out = model(torch.randn(2, 64, 3))
    assert out.logits.shape == (2, 5)
    assert out.feature_transform.shape == (2, 64, 64)
    assert out.input_transform.shape == (2, 3, 3)
    assert out.global_feature.shape == (2, 256) and out.critical_indices.shape == (2, 256)
    assert out.critical_indices.dtype == torch.long
    assert 0 <= int(out.critical_indices.min()) and int(out.critical_indices.max()) < 64
    # The winners really are the arg-max: gathering the per-point features at them gives the pool.
    bare = PointNetClassifier(3, width=0.25, feature_transform=False, input_transform=False).eval()
    points = torch.randn(2, 64, 3)
    plain = bare(points)
    assert plain.feature_transform is None and plain.input_transform is None
    per_point = bare.encoder.mlp2(bare.encoder.mlp1(points.transpose(1, 2)))  # (B, 256, N)
    gathered = per_point.gather(2, plain.critical_indices[:, :, None])[:, :, 0]
    assert torch.equal(gathered, plain.global_feature)
    assert scaled(1024, 0.25) == 256 and scaled(64, 0.01) == 8 and scaled(100, 0.333) == 33
    with pytest.raises(ValueError, match=r"\(B, N, 3\)"):
        model(torch.randn(2, 3, 64))  # channels-first is a mistake, not silently accepted
    with pytest.raises(ValueError, match="width"):
        PointNetClassifier(5, width=0.0)


@pytest.mark.parametrize("k", [3, 64])
def test_tnet_starts_at_the_identity(k):
    tnet = TNet(k, width=0.25)
    x = torch.randn(4, k, 50) * 3
    identity = torch.eye(k).expand(4, k, k)
    assert torch.equal(tnet(x), identity)  # train mode
    assert torch.equal(tnet.eval()(x), identity)
    assert "identity" not in tnet.state_dict()  # a constant buffer, not a checkpointed weight
    assert tnet.double().identity.dtype == torch.float64  # ... that moves with the module
    with torch.no_grad():
        tnet.out.bias[0] = 0.5
    assert not torch.equal(tnet(x.double()), identity.double())


def test_logits_and_global_feature_do_not_depend_on_point_order():
    # Eval mode, compared to 1e-6 rather than bit-for-bit: every per-point step treats each
    # point alone and max is symmetric, so the result is mathematically identical, but a GEMM
    # may block the point dimension differently (edge tiles), which can change the last bits.
    # (Train mode adds dropout, which is random, and batch statistics summed in another order.)
    model = trained_looking_model()
    g = torch.Generator().manual_seed(1)
    points = torch.randn(3, 100, 3, generator=g)
    permuted = torch.stack([cloud[torch.randperm(100, generator=g)] for cloud in points])
    with torch.no_grad():
        out, out_perm = model(points), model(permuted)
    assert torch.allclose(out.logits, out_perm.logits, rtol=0, atol=1e-6)
    assert torch.allclose(out.global_feature, out_perm.global_feature, rtol=0, atol=1e-6)
    # Not vacuous: moving a point that wins a feature does change the output.
    moved = points.clone()
    moved[0, int(out.critical_indices[0, 0])] *= 3.0
    with torch.no_grad():
        assert not torch.allclose(model(moved).global_feature[0], out.global_feature[0], atol=1e-3)


def test_critical_points_alone_give_the_same_global_feature():
    model = trained_looking_model()
    g = torch.Generator().manual_seed(2)
    points = torch.randn(3, 500, 3, generator=g)
    with torch.no_grad():
        full = model(points).global_feature
        sets = critical_set(points, model)
        paper_sets = critical_set(points, model, include_transforms=False)
        worst_paper_gap = 0.0
        for b, (kept, paper_kept) in enumerate(zip(sets, paper_sets)):
            assert 0 < len(paper_kept) <= len(kept) < 500  # a strict subset that contains the paper's set
            assert torch.isin(paper_kept, kept).all()
            subset = points[b, kept]
            for n in (len(kept), 37 + len(kept), 600):  # pad to any N by repeating one critical point
                padded = torch.cat([subset, subset[:1].expand(n - len(kept), 3)])
                assert torch.allclose(model(padded[None]).global_feature[0], full[b], rtol=0, atol=1e-5)
            gap = (model(points[b, paper_kept][None]).global_feature[0] - full[b]).abs().max()
            worst_paper_gap = max(worst_paper_gap, float(gap))
    # The T-Nets pool over the whole cloud too: without their winners their transforms change.
    assert worst_paper_gap > 1e-5
    # Without T-Nets, the winners of the last max-pool are enough.
    bare = trained_looking_model(input_transform=False, feature_transform=False)
    with torch.no_grad():
        full = bare(points).global_feature
        for b, kept in enumerate(critical_set(points, bare.encoder, include_transforms=False)):
            assert torch.allclose(bare(points[b, kept][None]).global_feature[0], full[b], rtol=0, atol=1e-5)


def test_critical_set_restores_the_training_mode():
    model = PointNetClassifier(2, width=0.25).train()
    critical_set(torch.randn(2, 30, 3), model)
    assert model.training and model.encoder.training
    encoder = PointNetEncoder(width=0.25).eval()
    critical_set(torch.randn(2, 30, 3), encoder)
    assert not encoder.training


def test_paper_bn_momentum_schedule():
    assert paper_bn_momentum(0) == 0.5
    assert paper_bn_momentum(199_999) == 0.5 and paper_bn_momentum(200_000) == 0.25
    assert paper_bn_momentum(10**8) == 0.01
    model = PointNetClassifier(2, width=0.25, bn_momentum=0.3)
    assert model.head[1].momentum == 0.3 and model.encoder.input_tnet.mlp[1].momentum == 0.3


def test_trains_on_sphere_versus_cube():
    g = torch.Generator().manual_seed(0)
    points, labels = sphere_or_cube(32, 128, g)
    with torch_threads(1):
        torch.manual_seed(0)
        model = PointNetClassifier(2, width=0.25)
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
        for _ in range(30):
            out = model(points)
            loss = F.cross_entropy(out.logits, labels) + 0.001 * orthogonality_loss(out.feature_transform)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            accuracy = float((model(points).logits.argmax(1) == labels).float().mean())
    assert accuracy > 0.9  # eval mode: running BatchNorm statistics, no dropout
