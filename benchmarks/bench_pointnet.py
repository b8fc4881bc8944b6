"""PointNet speed on this CPU (fp32 vs bfloat16 autocast, 1 and 2 threads) and whether bf16 costs accuracy.

Speed, at the paper's size (full width, 1024 points, batch 32, 40 classes, both T-Nets):

* training: one forward + backward + Adam step of cross-entropy + 0.001·‖I − AAᵀ‖²;
* inference: an eval-mode forward under ``torch.inference_mode``.

Each setting is warmed up, then timed over ``--repeats`` rounds; the rounds interleave fp32 and
bf16 so that load from other processes hits both alike. Reported: clouds/s at the median and
best round, the process CPU time per wall second (≈ threads when the cores were ours, lower
when others took them), the share of that CPU time spent in the kernel and the minor page
faults per batch. Random points: speed does not depend on their values.

Memory allocator: at this size one activation of the 1024-channel layer is 32·1024·1024·4 B =
128 MiB. glibc serves every allocation above 32 MiB with a fresh ``mmap`` and unmaps it on free,
so each step faults in (and the kernel zeroes) gigabytes of new pages. The speed part therefore
runs once per ``--allocators`` entry, each in a child process started with its environment:
``glibc`` (the default), ``glibc+THP`` (PyTorch's ``THP_MEM_ALLOC_ENABLE=1``: 2 MiB transparent
huge pages, 512× fewer faults) and ``jemalloc`` (``LD_PRELOAD`` of libjemalloc with
``MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1``: freed pages are kept and reused; skipped
when the library is not installed, e.g. ``apt-get install libjemalloc2``).

Accuracy: a 3-class synthetic task (ellipsoid / box / cylinder surfaces, random anisotropic
scale and rotation, the paper's jitter, normalised to the unit sphere), trained for
``--steps`` Adam steps (lr 1e-3, batch 32, 256 points) from the same seed and the same batches
in fp32 and under bf16 autocast, for ``--seeds`` seeds; held-out accuracy is measured at ½, ¾
and all of the steps (each model in the precision it was trained in; one evaluation is noisy,
as BatchNorm's running statistics at momentum 0.5 follow the last few batches). Reports final
training loss and accuracy, mean ± std over seeds, the bf16 − fp32 difference paired by seed,
and how often fp32 and bf16 *inference* of the same fp32 weights agree.

    python benchmarks/bench_pointnet.py                       # -> benchmarks/results/pointnet_speed.json
    python benchmarks/bench_pointnet.py --repeats 3 --steps 60 --seeds 2 --out /tmp/pointnet.json
    python benchmarks/bench_pointnet.py --allocators glibc --skip-accuracy

Prints markdown tables. ``--skip-speed`` / ``--skip-accuracy`` rerun one part and keep the
other part's previous results in ``--out`` (each part records its own date and load average).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes.util
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch.nn import functional as F

from synthlearn.atomic import write_json_atomic
from synthlearn.losses.orthogonality import orthogonality_loss
from synthlearn.nn.pointnet import PointNetClassifier
from synthlearn.train.threads import torch_threads

PRECISIONS = ("fp32", "bf16")


def precision(name: str) -> contextlib.AbstractContextManager:
    """The autocast context of a precision name (fp32: none)."""
    return torch.autocast("cpu", dtype=torch.bfloat16) if name == "bf16" else contextlib.nullcontext()


def pointnet_loss(model: PointNetClassifier, points: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    out = model(points)
    return F.cross_entropy(out.logits.float(), labels) + 0.001 * orthogonality_loss(out.feature_transform)


def cpu_flags() -> dict[str, bool]:
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        flags = set()
    return {name: name in flags for name in ("avx512f", "avx512_bf16", "amx_bf16", "amx_tile")}


# ---------------------------------------------------------------- speed


def _timed_round(fn: Callable[[], None], steps: int) -> tuple[float, float, float, float]:
    """Per call of ``fn`` (over ``steps`` calls): wall s, user CPU s, kernel CPU s, minor page faults."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (wall / steps, (after.ru_utime - before.ru_utime) / steps, (after.ru_stime - before.ru_stime) / steps,
            (after.ru_minflt - before.ru_minflt) / steps)


def speed(threads: int, batch: int, points: int, repeats: int, steps: int) -> list[dict]:
    """Training and inference clouds/s of a full-width PointNet in fp32 and bf16, interleaved."""
    rows = []
    with torch_threads(threads):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(batch, points, 3, generator=g)
        y = torch.randint(0, 40, (batch,), generator=g)
        jobs: dict[tuple[str, str], Callable[[], None]] = {}
        for name in PRECISIONS:
            torch.manual_seed(0)
            model = PointNetClassifier(40)
            optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)

            def train_step(model=model, optimiser=optimiser, name=name) -> None:
                model.train()
                with precision(name):
                    loss = pointnet_loss(model, x, y)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()

            def infer(model=model, name=name) -> None:
                model.eval()
                with torch.inference_mode(), precision(name):
                    model(x)

            jobs[("train", name)], jobs[("inference", name)] = train_step, infer
        for fn in jobs.values():  # warm-up: oneDNN primitives, allocator
            fn()
            fn()
        times: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {key: [] for key in jobs}
        for _ in range(repeats):
            for key, fn in jobs.items():
                times[key].append(_timed_round(fn, steps))
    for (mode, name), rounds in times.items():
        walls = [r[0] for r in rounds]
        median = statistics.median(walls)
        rows.append({
            "mode": mode, "precision": name, "threads": threads, "batch": batch, "points": points,
            "seconds_per_batch_median": median, "seconds_per_batch_best": min(walls),
            "clouds_per_second_median": batch / median, "clouds_per_second_best": batch / min(walls),
            "cpu_seconds_per_wall_second": statistics.median((u + k) / w for w, u, k, _ in rounds),
            "kernel_share_of_cpu": statistics.median(k / max(u + k, 1e-9) for _, u, k, _ in rounds),
            "minor_page_faults_per_batch": statistics.median(f for *_, f in rounds),
            "rounds": repeats, "steps_per_round": steps,
        })
    return rows


# ---------------------------------------------------------------- accuracy: a small 3-class task

SHAPES = ("ellipsoid", "box", "cylinder")


def _surface(shape: str, n: int, g: torch.Generator) -> torch.Tensor:
    """``n`` points on the surface of a unit sphere, cube or cylinder (radius 1, height 2): ``(n, 3)``."""
    if shape == "ellipsoid":
        p = torch.randn(n, 3, generator=g)
        return p / p.norm(dim=1, keepdim=True)
    if shape == "box":
        p = torch.rand(n, 3, generator=g) * 2 - 1
        face = torch.randint(0, 3, (n, 1), generator=g)
        side = torch.randint(0, 2, (n, 1), generator=g).float() * 2 - 1
        return p.scatter(1, face, side)
    # cylinder: the side (area 4π) or one of the two caps (area π each), by area
    angle = torch.rand(n, generator=g) * 2 * math.pi
    on_side = torch.rand(n, generator=g) < 4 / 6
    radius = torch.where(on_side, torch.ones(n), torch.rand(n, generator=g).sqrt())
    z = torch.where(on_side, torch.rand(n, generator=g) * 2 - 1, torch.randint(0, 2, (n,), generator=g).float() * 2 - 1)
    return torch.stack([radius * angle.cos(), radius * angle.sin(), z], dim=1)


def shapes_task(n_clouds: int, n_points: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(n_clouds, n_points, 3)`` clouds and ``(n_clouds,)`` labels of the 3-class task."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, len(SHAPES), (n_clouds,), generator=g)
    clouds = []
    for label in labels.tolist():
        p = _surface(SHAPES[label], n_points, g)
        p = p * (0.6 + 0.8 * torch.rand(3, generator=g))  # anisotropic scale: axes 0.6-1.4
        rotation, _ = torch.linalg.qr(torch.randn(3, 3, generator=g))
        p = p @ rotation
        p = p + (0.01 * torch.randn(p.shape, generator=g)).clamp(-0.05, 0.05)  # the paper's jitter
        p = p - p.mean(dim=0)
        clouds.append(p / p.norm(dim=1).max())  # unit sphere
    return torch.stack(clouds), labels


def _evaluate(model: PointNetClassifier, xt: torch.Tensor) -> dict[str, torch.Tensor]:
    """Eval-mode logits of the test clouds in fp32 and under bf16 autocast (the model goes back to train mode)."""
    model.eval()
    logits = {}
    with torch.inference_mode():
        for inference in PRECISIONS:
            with precision(inference):
                logits[inference] = torch.cat([model(chunk).logits.float() for chunk in xt.split(100)])
    model.train()
    return logits


def train_task(name: str, seed: int, steps: int, train: tuple, test: tuple, threads: int) -> dict:
    """Train a full-width PointNet for ``steps`` in precision ``name``, evaluating at ½, ¾ and all of ``steps``.

    Accuracy is measured in the precision the model was trained in; for fp32 models, also how
    bf16 inference of the same weights agrees with fp32 inference.
    """
    (x, y), (xt, yt) = train, test
    checkpoints = sorted({steps // 2, (3 * steps) // 4, steps})
    evaluations = []
    with torch_threads(threads):
        torch.manual_seed(seed)
        model = PointNetClassifier(len(SHAPES))
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
        batches = torch.Generator().manual_seed(seed + 1000)  # the same batches in both precisions
        losses = []
        seconds = 0.0
        for step in range(1, steps + 1):
            start = time.perf_counter()
            idx = torch.randint(0, len(x), (32,), generator=batches)
            with precision(name):
                loss = pointnet_loss(model, x[idx], y[idx])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            seconds += time.perf_counter() - start
            losses.append(float(loss.detach()))
            if step in checkpoints:
                logits = _evaluate(model, xt)
                record = {"step": step, "test_accuracy": float((logits[name].argmax(1) == yt).float().mean())}
                if name == "fp32":
                    record["bf16_inference_accuracy"] = float((logits["bf16"].argmax(1) == yt).float().mean())
                    record["bf16_inference_agreement"] = float((logits["bf16"].argmax(1) == logits["fp32"].argmax(1)).float().mean())
                    record["bf16_inference_max_abs_logit_diff"] = float((logits["bf16"] - logits["fp32"]).abs().max())
                evaluations.append(record)
    return {
        "precision": name, "seed": seed, "steps": steps, "train_seconds": seconds,
        "final_train_loss_last10": statistics.fmean(losses[-10:]),
        "test_accuracy": evaluations[-1]["test_accuracy"],
        "test_accuracy_mean_of_checkpoints": statistics.fmean(e["test_accuracy"] for e in evaluations),
        "evaluations": evaluations,
    }


def _mean_std(values: list[float]) -> str:
    return f"{statistics.fmean(values):.3f} ± {statistics.stdev(values):.3f}" if len(values) > 1 else f"{values[0]:.3f}"


JEMALLOC_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
ALLOCATOR_VARIABLES = ("LD_PRELOAD", "MALLOC_CONF", "THP_MEM_ALLOC_ENABLE")


def allocator_env(name: str) -> dict[str, str] | None:
    """Environment additions that select allocator ``name``, or ``None`` when it is not available here."""
    if name == "glibc":
        return {}
    if name == "glibc+THP":
        return {"THP_MEM_ALLOC_ENABLE": "1"}
    if name == "jemalloc":
        library = ctypes.util.find_library("jemalloc")  # a soname such as libjemalloc.so.2, which LD_PRELOAD accepts
        return {"LD_PRELOAD": library, "MALLOC_CONF": JEMALLOC_CONF} if library else None
    raise ValueError(f"unknown allocator {name!r}: expected glibc, glibc+THP or jemalloc")


def speed_in_child(allocator: str, args: argparse.Namespace) -> list[dict] | None:
    """Run the speed part in a fresh process started with ``allocator``'s environment."""
    extra = allocator_env(allocator)
    if extra is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "speed.json")
        command = [sys.executable, __file__, "--speed-child", out, "--batch", str(args.batch), "--points", str(args.points),
                   "--repeats", str(args.repeats), "--steps-per-round", str(args.steps_per_round),
                   "--threads", *map(str, args.threads)]
        base = {k: v for k, v in os.environ.items() if k not in ALLOCATOR_VARIABLES}
        subprocess.run(command, env={**base, **extra}, check=True)
        with open(out) as handle:
            rows = json.load(handle)
    for row in rows:
        row["allocator"] = allocator
        row["allocator_env"] = extra
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--points", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per setting")
    parser.add_argument("--steps-per-round", type=int, default=2)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=200, help="training steps of the accuracy check")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--task-points", type=int, default=256)
    parser.add_argument("--task-threads", type=int, default=1)
    parser.add_argument("--allocators", nargs="+", default=["glibc", "glibc+THP", "jemalloc"])
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-child", metavar="JSON", help=argparse.SUPPRESS)  # internal: run the speed part only
    parser.add_argument("--out", default="benchmarks/results/pointnet_speed.json")
    args = parser.parse_args()
    if args.speed_child:
        rows = [row for threads in args.threads for row in speed(threads, args.batch, args.points, args.repeats, args.steps_per_round)]
        write_json_atomic(args.speed_child, rows)
        return
    previous: dict = {}
    if os.path.exists(args.out):
        with open(args.out) as handle:
            previous = json.load(handle)
    result = {
        "model": "PointNetClassifier, width 1.0, input + feature T-Nets, dropout 0.3, BatchNorm momentum 0.5",
        "loss": "cross-entropy + 0.001 * orthogonality_loss(feature_transform)",
        "optimiser": "Adam lr 1e-3",
        "cpu_count": os.cpu_count(),
        "cpu_flags": cpu_flags(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "torch": torch.__version__,
        # A part that was skipped keeps its previous results (each part carries its own date and load).
        "speed": previous.get("speed") if args.skip_speed else run_speed(args),
        "accuracy": previous.get("accuracy") if args.skip_accuracy else run_accuracy(args),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write_json_atomic(args.out, result)
    print(f"\nwrote {args.out}")


def _conditions() -> dict:
    """When and under what load a part started: others' processes share the 2 cores when the load is > 0."""
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average_1min_at_start": round(os.getloadavg()[0], 2)}


def run_speed(args: argparse.Namespace) -> dict:
    """The speed part: one child process per allocator; prints a markdown table."""
    part = {**_conditions(), "batch": args.batch, "points": args.points, "threads": args.threads, "classes": 40}
    rows, unavailable = [], []
    for allocator in args.allocators:
        got = speed_in_child(allocator, args)
        if got is None:
            unavailable.append(allocator)
            print(f"allocator {allocator}: not installed here, skipped")
        else:
            rows += got
    part.update(rows=rows, allocators_unavailable=unavailable, load_average_1min_at_end=round(os.getloadavg()[0], 2))
    print("| allocator | mode | precision | threads | clouds/s (median) | clouds/s (best) | s/batch (median) "
          "| CPU s / wall s | kernel share | page faults/batch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['allocator']} | {r['mode']} | {r['precision']} | {r['threads']} | {r['clouds_per_second_median']:.1f} | "
              f"{r['clouds_per_second_best']:.1f} | {r['seconds_per_batch_median']:.3f} | {r['cpu_seconds_per_wall_second']:.2f} | "
              f"{r['kernel_share_of_cpu']:.2f} | {r['minor_page_faults_per_batch']:.0f} |")
    print(f"load average (1 min): {part['load_average_1min_at_start']} at start, {part['load_average_1min_at_end']} at end")
    return part


def run_accuracy(args: argparse.Namespace) -> dict:
    """The bf16-vs-fp32 accuracy part; prints a markdown table."""
    part = {
        **_conditions(),
        "task": "3 classes (ellipsoid/box/cylinder surfaces), anisotropic scale 0.6-1.4, random rotation, jitter, unit sphere",
        "train_clouds": 512, "test_clouds": 300, "points": args.task_points, "batch": 32, "steps": args.steps,
        "seeds": args.seeds, "threads": args.task_threads,
        "allocator_env": {k: os.environ[k] for k in ALLOCATOR_VARIABLES if k in os.environ},
    }
    train = shapes_task(512, args.task_points, seed=1)
    test = shapes_task(300, args.task_points, seed=2)
    runs = []
    for seed in range(args.seeds):
        for name in PRECISIONS:
            runs.append(train_task(name, seed, args.steps, train, test, args.task_threads))
            print({k: v for k, v in runs[-1].items() if k != "evaluations"}, flush=True)
    summary: dict = {}
    for name in PRECISIONS:
        mine = [a for a in runs if a["precision"] == name]
        summary[name] = {key: [a[key] for a in mine] for key in
                         ("test_accuracy", "test_accuracy_mean_of_checkpoints", "final_train_loss_last10", "train_seconds")}
    paired = [b - f for f, b in zip(summary["fp32"]["test_accuracy_mean_of_checkpoints"],
                                    summary["bf16"]["test_accuracy_mean_of_checkpoints"])]
    summary["bf16_minus_fp32_accuracy_mean_of_checkpoints"] = paired
    fp32_evals = [e for a in runs if a["precision"] == "fp32" for e in a["evaluations"]]
    inference = {
        key: [e[key] for e in fp32_evals]
        for key in ("test_accuracy", "bf16_inference_accuracy", "bf16_inference_agreement", "bf16_inference_max_abs_logit_diff")
    }
    summary["fp32_weights_bf16_inference"] = inference
    part.update(runs=runs, summary=summary, load_average_1min_at_end=round(os.getloadavg()[0], 2))
    print(f"\n| precision | final test acc. ({args.seeds} seeds, {args.steps} steps) | test acc., mean of 3 checkpoints "
          "| final train loss | train s |")
    print("|---|---|---|---|---|")
    for name in PRECISIONS:
        row = summary[name]
        print(f"| {name} | {_mean_std(row['test_accuracy'])} | {_mean_std(row['test_accuracy_mean_of_checkpoints'])} | "
              f"{_mean_std(row['final_train_loss_last10'])} | {_mean_std(row['train_seconds'])} |")
    print(f"bf16 − fp32 (paired by seed, mean of checkpoints): {_mean_std(paired)}")
    print(f"fp32 weights at every checkpoint: fp32 inference accuracy {_mean_std(inference['test_accuracy'])}, "
          f"bf16 inference accuracy {_mean_std(inference['bf16_inference_accuracy'])}, "
          f"agreement {_mean_std(inference['bf16_inference_agreement'])}, "
          f"max |Δlogit| {max(inference['bf16_inference_max_abs_logit_diff']):.3f}")
    print(f"load average (1 min): {part['load_average_1min_at_start']} at start, {part['load_average_1min_at_end']} at end")
    return part

if __name__ == "__main__":
    main()
