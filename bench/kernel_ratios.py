#!/usr/bin/env python3
"""Prints each kernel scan's throughput as a ratio to the memory read
bandwidth measured in the same Google Benchmark run, and the two-thread
speed-up, from bench_kernels' JSON output.

    python3 bench/kernel_ratios.py build/bench_kernels.json

Works on one run or on --benchmark_repetitions output (uses the medians).
"""
import json
import sys


def main(path):
    with open(path) as handle:
        benchmarks = json.load(handle)["benchmarks"]
    # With --benchmark_repetitions the medians stand for each benchmark (they
    # resist the other jobs on this shared machine better than one run).
    medians = [b for b in benchmarks if b.get("aggregate_name") == "median"]
    chosen = medians if medians else [b for b in benchmarks if b.get("run_type", "iteration") == "iteration"]
    runs = {b["run_name"] if "run_name" in b else b["name"]: b for b in chosen if "bytes_per_second" in b}
    if medians:
        print("medians of %d repetitions" % medians[0].get("repetitions", 0))
    bandwidth = {t: runs["read_bandwidth/threads:%d/real_time" % t]["bytes_per_second"] for t in (1, 2)}
    print("read bandwidth: %.2f GB/s (1 thread), %.2f GB/s (2 threads)" % (bandwidth[1] / 1e9, bandwidth[2] / 1e9))
    print("%-40s %10s %12s %12s %10s" % ("scan", "GB/s", "rows/s", "of bandw.", "2 thr x"))
    for name, run in sorted(runs.items()):  # interleaved runs come out shuffled
        if name.startswith("read_bandwidth"):
            continue
        threads = 2 if "/threads:2/" in name else 1
        one_thread = runs.get(name.replace("/threads:2/", "/threads:1/"))
        speedup = ("%.2f" % (run["bytes_per_second"] / one_thread["bytes_per_second"])) if threads == 2 and one_thread else ""
        print("%-40s %10.2f %12.3g %11.0f%% %10s" % (name.replace("/real_time", ""), run["bytes_per_second"] / 1e9,
                                                  run.get("items_per_second", 0), 100 * run["bytes_per_second"] / bandwidth[threads],
                                                  speedup))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/bench_kernels.json")
