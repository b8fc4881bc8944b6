"""Throughput of the shapes3d simulator on one CPU core: point clouds per second, all layers.

Generates ``--n`` clouds (default 1024) of ``--points`` points (default 1024) with the default
parameters, without a scan and with a simulated scan from 1 and from 3 viewpoints, each
``--repeats`` times after one warm-up run, on one thread (OMP, MKL, OpenBLAS limited to one
thread; the simulator uses NumPy only). Reports the best and median wall-clock rate and the
rate per CPU-second of this process (robust when other processes share the machine), the
1-minute load average at the start and at the end, prints a markdown table and writes JSON.

    python benchmarks/bench_shapes3d.py [--n 1024] [--points 1024] [--repeats 5]
        [--out benchmarks/results/shapes3d_throughput.json]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from synthlearn.atomic import write_json_atomic  # noqa: E402
from synthlearn.sim import get_simulator  # noqa: E402

SCAN_SETTINGS = {"no scan": 0, "scan, 1 view": 1, "scan, 3 views": 3}



def _measure(sim, params: dict, n: int, seed: int, repeats: int) -> dict:
    sim.generate(params, n, seed)  # warm-up: imports, first-touch memory
    wall, cpu = [], []
    for r in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        sim.generate(params, n, seed + 1 + r)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "clouds_per_second_best": round(n / min(wall), 1),
        "clouds_per_second_median": round(n / statistics.median(wall), 1),
        "clouds_per_cpu_second_best": round(n / min(cpu), 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1024, help="clouds per run (default 1024)")
    parser.add_argument("--points", type=int, default=1024, help="points per cloud (default 1024)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/shapes3d_throughput.json", help="JSON result path")
    args = parser.parse_args(argv)
    load_at_start = round(os.getloadavg()[0], 2)

    sim = get_simulator("shapes3d")
    rates = {
        label: _measure(sim, {"points": args.points, "scan_views": views}, args.n, args.seed, args.repeats)
        for label, views in SCAN_SETTINGS.items()
    }
    result = {
        "simulator": "shapes3d",
        "n": args.n,
        "points": args.points,
        "repeats": args.repeats,
        "params": "defaults (jitter 0.01, up_rotation 180, uniform class_mix) with scan_views as labelled",
        "rates": rates,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, {os.cpu_count()} cores, 1 thread used",
        "load_average_1min_at_start": load_at_start,  # > 1: other processes shared the cores
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "command": " ".join(["python benchmarks/bench_shapes3d.py", *(sys.argv[1:] if argv is None else argv)]),
        "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)
    print(f"load average at start {load_at_start} ({os.cpu_count()} cores)")
    print("| simulator | setting | P | n | clouds/s (best) | clouds/s (median) | clouds/CPU-s |")
    print("|---|---|---|---|---|---|---|")
    for label, rate in rates.items():
        print(f"| shapes3d | {label} | {args.points} | {args.n} | {rate['clouds_per_second_best']:.0f} | "
              f"{rate['clouds_per_second_median']:.0f} | {rate['clouds_per_cpu_second_best']:.0f} |")
    return result


if __name__ == "__main__":
    main()
