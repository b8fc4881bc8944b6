"""Throughput of the traffic simulator on one CPU core: scenes per second, all layers.

Generates ``--n`` scenes (default 1024) at ``--size`` x ``--size`` (default 128) with the
default parameters, ``--repeats`` times after one warm-up run, on one thread (OMP, MKL,
OpenBLAS and torch limited to one thread; the simulator itself uses NumPy only). Reports
the best and median wall-clock rate, the rate per CPU-second of this process (robust when
other processes share the machine), the split between sampling scenes and rendering them,
prints a markdown table row and writes JSON.

    python benchmarks/bench_traffic.py [--n 1024] [--size 128] [--repeats 5]
        [--out benchmarks/results/traffic_throughput.json]
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

from synthlearn import seeding  # noqa: E402
from synthlearn.atomic import write_json_atomic  # noqa: E402
from synthlearn.sim import get_simulator  # noqa: E402
from synthlearn.sim.traffic.render import render  # noqa: E402
from synthlearn.sim.traffic.sample import sample_scenes  # noqa: E402



def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1024, help="scenes per run (default 1024)")
    parser.add_argument("--size", type=int, default=128, help="image height and width (default 128)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/traffic_throughput.json", help="JSON result path")
    args = parser.parse_args(argv)
    if "torch" in sys.modules:  # not needed by the simulator; keep it on one thread if present
        sys.modules["torch"].set_num_threads(1)

    sim = get_simulator("traffic")
    params = sim.param_space().validate({"height": args.size, "width": args.size})
    sim.generate(params, args.n, args.seed)  # warm-up: imports, first-touch memory

    totals, cpu, samples, renders = [], [], [], []
    for r in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        layers = sim.generate(params, args.n, args.seed + 1 + r)
        totals.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start = time.perf_counter()
        scenes = sample_scenes(params, args.n, seeding.generator(args.seed + 1 + r))
        middle = time.perf_counter()
        render(scenes, min_visible_pixels=params["min_visible_pixels"])
        samples.append(middle - start)
        renders.append(time.perf_counter() - middle)
    best, median = args.n / min(totals), args.n / statistics.median(totals)
    result = {
        "simulator": "traffic",
        "n": args.n,
        "height": args.size,
        "width": args.size,
        "layers": sorted(layers),
        "repeats": args.repeats,
        "scenes_per_second_best": round(best, 1),
        "scenes_per_second_median": round(median, 1),
        "scenes_per_cpu_second_best": round(args.n / min(cpu), 1),
        "sample_share": round(min(samples) / (min(samples) + min(renders)), 3),
        "render_share": round(min(renders) / (min(samples) + min(renders)), 3),
        "mean_visible_cars": round(float(layers["counts"].sum(1).mean()), 2),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, {os.cpu_count()} cores, 1 thread used",
        "load_average_1min": round(os.getloadavg()[0], 2),  # > 1: other processes shared the cores
        "command": "python benchmarks/bench_traffic.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d"),
    }
    write_json_atomic(args.out, result)
    print("| simulator | size | n | scenes/s (best) | scenes/s (median) | scenes/CPU-s | sample / render |")
    print("|---|---|---|---|---|---|---|")
    print(f"| traffic | {args.size}x{args.size} | {args.n} | {best:.0f} | {median:.0f} | "
          f"{result['scenes_per_cpu_second_best']:.0f} | "
          f"{100 * result['sample_share']:.0f}% / {100 * result['render_share']:.0f}% |")
    return result


if __name__ == "__main__":
    main()
