"""Throughput of the digits simulator on ONE core, per acquisition pipeline.

Pins BLAS/OpenMP threads to 1 (before numpy is imported) and, where the OS allows, the
process to a single CPU; generates ``--n`` digits per repeat at the default parameters
(and with the stroke source only), and reports the best and the median of ``--repeats``
runs as digits/s.
Writes JSON (atomically) to ``--out`` and prints one markdown table row per setting.

    python benchmarks/bench_digits.py                      # -> benchmarks/results/digits_throughput.json
    python benchmarks/bench_digits.py --n 5000 --repeats 3 --out /tmp/digits.json
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from synthlearn.sim.digits import DigitsSimulator  # noqa: E402

TARGET = 5000.0  # digits/s on one core for optdigits8x8


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "not pinned (no sched_setaffinity)"


def measure(sim: DigitsSimulator, params: dict, n: int, repeats: int) -> tuple[float, float, float]:
    """Best and median wall-clock digits/s, and best digits per CPU-second, over ``repeats`` runs.

    The CPU-time rate is what one idle core would give; it stays meaningful when other
    processes share the machine (the wall-clock rate then drops).
    """
    sim.generate(params, n=64, seed=0)  # warm-up: font rasters, caches
    wall, cpu = [], []
    for r in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        sim.generate(params, n=n, seed=r)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return n / min(wall), n / statistics.median(wall), n / min(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="digits per timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--out", default="benchmarks/results/digits_throughput.json")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeats < 1:
        print("error: --n and --repeats must be positive", file=sys.stderr)
        return 2

    pinned = _pin_one_core()
    sim = DigitsSimulator()
    settings = [
        ("optdigits8x8", "default", {}),
        ("optdigits8x8", "strokes only", {"source_mix": {"strokes": 1.0}}),
        ("mnist28", "default", {"pipeline": "mnist28"}),
        ("mnist28", "strokes only", {"pipeline": "mnist28", "source_mix": {"strokes": 1.0}}),
    ]
    rows = []
    print("| pipeline | sources | digits/s, best (1 core) | median | digits per CPU-s | target |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for pipeline, label, params in settings:
        best, median, per_cpu = measure(sim, params, args.n, args.repeats)
        target = TARGET if pipeline == "optdigits8x8" else None
        rows.append({"pipeline": pipeline, "sources": label, "params": params, "digits_per_s": round(best, 1),
                     "digits_per_s_median": round(median, 1), "digits_per_cpu_s": round(per_cpu, 1),
                     "target_digits_per_s": target})
        print(f"| {pipeline} | {label} | {best:,.0f} | {median:,.0f} | {per_cpu:,.0f} | "
              f"{'' if target is None else f'{target:,.0f}'} |", flush=True)

    result = {
        "benchmark": "digits_throughput",
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version(), "numpy": np.__version__, "cpus_visible": os.cpu_count(),
                    "pinned": pinned, "threads": 1},
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "n_per_run": args.n,
        "repeats": args.repeats,
        "results": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=out.parent, suffix=".tmp", delete=False) as tmp:
        json.dump(result, tmp, indent=2)
        tmp.write("\n")
    os.replace(tmp.name, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
