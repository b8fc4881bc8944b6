"""Probe: a SimGAN refiner that edits the 32×32 NIST bitmap BEFORE block counting.

The pixel-level refiner of ``synthlearn.refine`` works on the 8×8 optdigits images and can
produce values no scan can (fractions, grey backgrounds). Here the refiner sees the binary
32×32 bitmap behind each synthetic digit (pipeline ``nist32``) and outputs a new bitmap:
``soft = σ(sharpness · R(2b − 1))``, binarised with a straight-through gradient; the 4×4 block
counts of that bitmap are an exact optdigits image (integers 0..16), which the patch
discriminator compares with the real unlabelled pool. Self-regularisation is
``λ · mean |soft − b|`` (about the share of flipped bitmap pixels).

Per seed and λ: one refiner on ``--n`` digits at the default parameters, then ``--models`` task
models (the demo's) on the unrefined and on the refined counts; accuracy on the 100 real
validation images (choose λ by these) and on the 898 test images.

    python benchmarks/simgan_bitmap_digits.py --lam 1 5 --seeds 0 1 2 \\
        --out benchmarks/results/simgan_bitmap_digits.json
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch
from torch.nn import functional as F

from synthlearn import seeding
from synthlearn.atomic import write_json_atomic
from synthlearn.data.real import SKLEARN_DIGITS, load_real, split_real
from synthlearn.demo import DemoSettings, task_config
from synthlearn.losses.simgan import discriminator_loss, refiner_adversarial_loss
from synthlearn.nn.discriminator import PatchDiscriminator
from synthlearn.nn.refiner import Refiner, to_unit_range
from synthlearn.train.classifier import accuracy_on, train_classifier
from synthlearn.refine.history import ImageHistory
from synthlearn.sim import get_simulator
from synthlearn.sim.digits.acquire import BLOCK
from synthlearn.train.threads import single_thread_torch

COUNT_MAX = BLOCK * BLOCK  # 16: the largest optdigits value
_DATA_STREAM, _INIT_STREAM, _STEP_STREAM, _TASK_STREAM = 61, 62, 63, 64


def refine_bitmaps(refiner: Refiner, bitmaps: torch.Tensor, sharpness: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, 1, 32, 32)`` 0/1 bitmaps → (soft bitmaps ``(B, 1, 32, 32)``, exact counts ``(B, 1, 8, 8)`` in 0..16).

    The counts come from the binarised bitmap; their gradient flows through ``soft`` (straight-through).
    """
    soft = torch.sigmoid(sharpness * refiner(bitmaps * 2.0 - 1.0))
    binary = soft + ((soft > 0.5).float() - soft).detach()
    return soft, F.avg_pool2d(binary, BLOCK) * COUNT_MAX


def train_bitmap_refiner(bitmaps: torch.Tensor, real: torch.Tensor, lam: float, steps: int, seed: int,
                         batch: int = 64, sharpness: float = 3.0) -> Refiner:
    """Adversarial training (1 refiner + 1 discriminator update per step) with a history buffer."""
    torch.manual_seed(seeding.child_seed(seed, _INIT_STREAM))
    refiner = Refiner(1, width=16, blocks=2, residual=True)
    disc = PatchDiscriminator(1, (32, 32, 16, 16), strides=(1, 2), padding=1, pool=True)
    opt_r, opt_d = torch.optim.Adam(refiner.parameters(), 1e-3), torch.optim.Adam(disc.parameters(), 1e-3)
    history = ImageHistory(4096)
    for step in range(steps):
        g = torch.Generator().manual_seed(seeding.child_seed(seed, _STEP_STREAM, step))
        x = bitmaps[torch.randint(len(bitmaps), (batch,), generator=g)]
        soft, counts = refine_bitmaps(refiner, x, sharpness)
        for p in disc.parameters():
            p.requires_grad_(False)
        loss_r = refiner_adversarial_loss(disc(to_unit_range(counts, COUNT_MAX))) + lam * (soft - x).abs().mean()
        for p in disc.parameters():
            p.requires_grad_(True)
        opt_r.zero_grad()
        loss_r.backward()
        opt_r.step()
        with torch.no_grad():
            _, counts = refine_bitmaps(refiner, bitmaps[torch.randint(len(bitmaps), (batch,), generator=g)], sharpness)
        fake = history.mix(counts, g)
        history.add(counts[: batch // 2], g)
        real_batch = real[torch.randint(len(real), (batch,), generator=g)]
        loss_d = discriminator_loss(disc(to_unit_range(real_batch, COUNT_MAX)), disc(to_unit_range(fake, COUNT_MAX)))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
    return refiner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lam", type=float, nargs="+", default=[1.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--models", type=int, default=3, help="task models per data set (accuracies averaged)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    split = split_real(load_real(SKLEARN_DIGITS), seed=0)
    real = torch.from_numpy(split.pool.astype(np.float32))[:, None]
    task = task_config(DemoSettings.full())
    sim = get_simulator("digits")
    start, rows = time.perf_counter(), []
    with single_thread_torch():
        for lam in args.lam:
            for seed in args.seeds:
                layers = sim.generate({"pipeline": "nist32"}, args.n, seed=seeding.child_seed(seed, _DATA_STREAM))
                bitmaps = torch.from_numpy(layers["image"].astype(np.float32))[:, None]
                refiner = train_bitmap_refiner(bitmaps, real, lam, args.steps, seed)
                with torch.no_grad():
                    refined = refine_bitmaps(refiner.eval(), bitmaps, 3.0)[1][:, 0].round().numpy().astype(np.uint8)
                plain = F.avg_pool2d(bitmaps, BLOCK)[:, 0].mul(COUNT_MAX).round().numpy().astype(np.uint8)
                row = {"lam": lam, "seed": seed, "changed_pixels": float((refined != plain).mean())}
                for name, images in (("synthetic", plain), ("refined", refined)):
                    models = [train_classifier(images, layers["label"], task, seeding.child_seed(seed, _TASK_STREAM, m)) for m in range(args.models)]
                    for split_name, data in (("validation", split.validation), ("test", split.test)):
                        row[f"{name}_{split_name}"] = float(np.mean([accuracy_on(m, data.images, data.labels, task.input_scale) for m in models]))
                rows.append(row)
                print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
    summary = {}
    for lam in args.lam:
        mine = [r for r in rows if r["lam"] == lam]
        summary[str(lam)] = {k: {"mean": float(np.mean([r[k] for r in mine])), "std": float(np.std([r[k] for r in mine]))}
                             for k in mine[0] if k not in ("lam", "seed")}
        print(f"λ {lam}: " + ", ".join(f"{k} {100 * v['mean']:.1f} ± {100 * v['std']:.1f}" for k, v in summary[str(lam)].items()))
    write_json_atomic(args.out, {"rows": rows, "summary": summary, "args": vars(args), "wall_seconds": time.perf_counter() - start,
                                 "machine": f"{platform.machine()}, 1 process x 1 torch thread", "date": time.strftime("%Y-%m-%d")})


if __name__ == "__main__":
    main()
