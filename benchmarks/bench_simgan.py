"""SimGAN training speed at the paper's eye-model size on this CPU.

Eye images 55×35 grey (W×H), refiner = 3×3 conv to 64 maps → 4 ResNet blocks → 1×1 conv, the
paper's discriminator (96, 64, max-pool, 32, 32, strides 2, 2; a 4×9 map of patch logits),
batch 512 (or the largest of 512, 256, 128, ... that fits in memory), history buffer 12,800.
Data are random tensors: speed does not depend on pixel values.

Measures, after one warm-up update of each, the median over ``--repeats`` timings of a refiner
update (R forward/backward through D, the adversarial + self-regularisation loss) and of a
discriminator update (R forward without gradient, history mixing, D forward/backward on real
and refined). An adversarial step of the paper's schedule (Kg = 2 refiner updates + Kd = 1
discriminator update) costs 2·R + D; ``--full`` also times whole steps directly.
The history buffer is pre-filled with random images (its content does not change the cost).

    python benchmarks/bench_simgan.py [--batch 512] [--threads 2] [--repeats 3] [--full]

Prints a markdown table row and writes JSON (default benchmarks/results/simgan_speed.json).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from synthlearn.atomic import write_json_atomic
from synthlearn.refine.simgan import SimGANSettings, SimGANTrainer

HEIGHT, WIDTH = 35, 55


def settings(batch: int) -> SimGANSettings:
    return SimGANSettings(
        refiner_width=64, refiner_blocks=4, disc_widths=(96, 64, 32, 32), disc_strides=(2, 2), disc_padding=0, disc_pool=True,
        batch_size=batch, k_g=2, k_d=1, pretrain_refiner_steps=0, pretrain_discriminator_steps=0, steps=10**6, history_size=12800,
    )


def make_trainer(batch: int) -> SimGANTrainer:
    g = torch.Generator().manual_seed(0)
    synthetic = torch.rand(4096, 1, HEIGHT, WIDTH, generator=g) * 2 - 1
    real = torch.rand(4096, 1, HEIGHT, WIDTH, generator=g) * 2 - 1
    return SimGANTrainer(settings(batch), synthetic, real, seed=0)


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also time whole Kg=2, Kd=1 steps")
    parser.add_argument("--out", default="benchmarks/results/simgan_speed.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load_at_start = round(os.getloadavg()[0], 2)
    batch = args.batch
    while True:
        try:
            trainer = make_trainer(batch)
            g = torch.Generator().manual_seed(1)
            trainer._refiner_update(g, adversarial=True)  # warm-up, and the memory test
            trainer._discriminator_update(g)
            break
        except (RuntimeError, MemoryError):  # out of memory: halve the batch
            if batch <= 8:
                raise
            batch //= 2
    trainer.history.add(torch.rand(trainer.history.capacity, 1, HEIGHT, WIDTH, generator=g) * 2 - 1, g)  # a full history
    refiner = timed(lambda: trainer._refiner_update(g, adversarial=True), args.repeats)
    discriminator = timed(lambda: trainer._discriminator_update(g), args.repeats)
    full = 2 * refiner + discriminator
    measured = None
    if args.full:
        step = [0]

        def adversarial() -> None:
            trainer.step(step[0])
            step[0] += 1

        measured = timed(adversarial, args.repeats)
    params_r = sum(p.numel() for p in trainer.refiner.parameters())
    params_d = sum(p.numel() for p in trainer.discriminator.parameters())
    result = {
        "image": f"{WIDTH}x{HEIGHT} grey (W x H)",
        "batch": batch,
        "refiner": "64 maps x 4 ResNet blocks", "refiner_parameters": params_r,
        "discriminator": "paper (96, 64, maxpool, 32, 32; strides 2, 2)", "discriminator_parameters": params_d,
        "patch_map": list(trainer.discriminator.map_size(HEIGHT, WIDTH)),
        "seconds_per_refiner_update": refiner,
        "seconds_per_discriminator_update": discriminator,
        "seconds_per_adversarial_step_kg2_kd1": full,
        "seconds_per_adversarial_step_measured": measured,
        "repeats": args.repeats,
        "adversarial_steps_per_second": 1.0 / full,
        "refined_images_per_second": 2 * batch / full,
        "threads": args.threads,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, {args.threads} torch threads",
        "load_average_1min_at_start": load_at_start,  # > 1: other processes shared the cores
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)
    print("| image | batch | R update (s) | D update (s) | Kg=2,Kd=1 step (s) | steps/s | refined img/s |")
    print("|---|---|---|---|---|---|---|")
    print(f"| 55x35 grey | {batch} | {refiner:.2f} | {discriminator:.2f} | {full:.2f} | {1 / full:.3f} | {2 * batch / full:.0f} |")


if __name__ == "__main__":
    main()
