#!/usr/bin/env python3
"""Prints the prefilter scans' throughput as ratios to the memory read of
the same code array measured in the same run, by wall-clock and by CPU
time, from bm_bench_prefilter's JSON output (medians of repetitions when
present):

    python3 bench/prefilter/prefilter_ratios.py prefilter.json

On a shared machine the CPU-time ratio is the steadier one: other jobs
stretch wall-clock times without changing the work done per byte. Google
Benchmark's CPU time is that of the calling thread, so for the two-thread
(OpenMP) runs it covers one of the two threads, for the scan and for its
reference alike.
"""
import json
import sys


def main(path):
    with open(path) as handle:
        benchmarks = json.load(handle)["benchmarks"]
    medians = [b for b in benchmarks if b.get("aggregate_name") == "median"]
    chosen = medians if medians else [b for b in benchmarks if b.get("run_type", "iteration") == "iteration"]
    runs = {b.get("run_name", b["name"]).replace("/real_time", ""): b for b in chosen}
    if medians:
        print("medians of %d repetitions" % medians[0].get("repetitions", 0))
    print("%-40s %9s %9s %8s %8s %12s %9s %9s" % ("benchmark", "wall ms", "CPU ms", "GB/s", "CPU GB/s", "codes/s",
                                                  "wall/ref", "CPU/ref"))
    for name, run in sorted(runs.items()):
        threads = 2 if "/threads:2" in name else 1
        reference = runs.get("read_bandwidth/threads:%d" % threads)
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[run.get("time_unit", "ns")]
        wall, cpu = run["real_time"] * scale, run["cpu_time"] * scale
        bytes_per_second = run.get("bytes_per_second", 0)
        work_bytes = bytes_per_second * wall / 1e3
        ratios = ("", "")
        if reference and bytes_per_second:
            ref_scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[reference.get("time_unit", "ns")]
            ratios = ("%.0f%%" % (100 * reference["real_time"] * ref_scale / wall),
                      "%.0f%%" % (100 * reference["cpu_time"] * ref_scale / cpu))
        print("%-40s %9.1f %9.1f %8.2f %8.2f %12.3g %9s %9s" % (
            name, wall, cpu, bytes_per_second / 1e9, work_bytes / cpu * 1e3 / 1e9 if cpu else 0,
            run.get("items_per_second", 0), ratios[0], ratios[1]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "prefilter.json")
