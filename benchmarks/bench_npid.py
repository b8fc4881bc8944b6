"""NPID speed on this CPU: training images/s on 1 and 2 threads, and the cost of one NCE step as m grows.

Training: one step of the ablation's encoder (SmallCNN width 16 / 32, depth 4, 128-d, 28×28
grey images, batch 128): augmentation, forward, the objective against a bank of N = 60,000
slots, backward, SGD step, bank update. Loss alone: the objective's forward + backward for a
batch of 128 unit features against N slots, for NCE with m noise slots (both ways of reading the
scores: gathering B·(1+m) slots, or one B×N product then a gather) and the full softmax.
Random images and features: speed does not depend on their values. Median of ``--repeats``.

    python benchmarks/bench_npid.py    # -> benchmarks/results/npid/speed.json
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from pathlib import Path

import numpy as np
import torch

from synthlearn.atomic import write_json_atomic
from synthlearn.losses import nce as nce_module
from synthlearn.losses.instance_softmax import instance_softmax_loss
from synthlearn.losses.nce import NCECriterion
from synthlearn.ssl.augment import AugmentSettings, augment
from synthlearn.ssl.bank import MemoryBank
from synthlearn.ssl.config import EncoderSettings
from synthlearn.ssl.encoder import Encoder

RESULTS = Path(__file__).parent / "results" / "npid" / "speed.json"
BATCH, N, DIM = 128, 60_000, 128


def median_ms(step, repeats: int) -> float:
    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def train_step_ms(width: int, kind: str, repeats: int) -> float:
    generator = torch.Generator().manual_seed(0)
    encoder = Encoder(EncoderSettings(width=width, depth=4), 28)
    optimiser = torch.optim.SGD(encoder.parameters(), lr=0.03, momentum=0.9)
    bank = MemoryBank.initial(N, DIM, generator)
    criterion = NCECriterion(N, 4096, 0.07)
    images, index = torch.rand(BATCH, 1, 28, 28, generator=generator), torch.arange(BATCH)

    def step() -> None:
        features = encoder(augment(images, AugmentSettings(), generator))
        loss = criterion(features, index, bank.vectors, generator) if kind == "nce-4096" else instance_softmax_loss(features, index, bank.vectors, 0.07)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        bank.update(index, features.detach(), 0.5)

    return median_ms(step, repeats)


def loss_step_ms(kind: str, m: int, path: str, repeats: int) -> float:
    generator = torch.Generator().manual_seed(0)
    bank = torch.nn.functional.normalize(torch.randn(N, DIM, generator=generator), dim=1)
    raw = torch.randn(BATCH, DIM, generator=generator, requires_grad=True)
    index = torch.arange(BATCH)
    if kind == "softmax":
        return median_ms(lambda: instance_softmax_loss(torch.nn.functional.normalize(raw, dim=1), index, bank, 0.07).backward(), repeats)
    criterion = NCECriterion(N, m, 0.07)
    saved = nce_module.MATMUL_FRACTION
    nce_module.MATMUL_FRACTION = 10**9 if path == "matmul" else 0  # force one path
    try:
        return median_ms(lambda: criterion(torch.nn.functional.normalize(raw, dim=1), index, bank, generator).backward(), repeats)
    finally:
        nce_module.MATMUL_FRACTION = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    training, losses = [], []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for width in (16, 32):
            for kind in ("nce-4096", "softmax"):
                ms = train_step_ms(width, kind, args.repeats)
                training.append({"threads": threads, "width": width, "objective": kind, "ms_per_step": ms, "images_per_second": BATCH / ms * 1000})
                print(f"train threads {threads} width {width} {kind}: {BATCH / ms * 1000:.0f} images/s", flush=True)
    torch.set_num_threads(2)
    for m in (1, 10, 512, 4096, 16384):
        for path in ("gather", "matmul"):
            ms = loss_step_ms("nce", m, path, args.repeats)
            losses.append({"objective": "nce", "m": m, "path": path, "ms_per_step": ms})
            print(f"NCE m {m} {path}: {ms:.1f} ms", flush=True)
    ms = loss_step_ms("softmax", 0, "matmul", args.repeats)
    losses.append({"objective": "softmax", "m": N, "path": "matmul", "ms_per_step": ms})
    print(f"softmax over {N}: {ms:.1f} ms")
    write_json_atomic(args.out, {"date": datetime.date.today().isoformat(), "load_at_start": load, "batch": BATCH, "bank_slots": N,
                                 "bank_mib_per_million_images": 1e6 * DIM * 4 / 2**20, "training": training, "loss_steps": losses})


if __name__ == "__main__":
    main()
