#!/usr/bin/env python3
"""Ratios of a bm_bench_match JSON run (--benchmark_format=json or
--benchmark_out): per tier and thread count, comparisons per second from
wall-clock and from CPU time, the speed-up over the scalar tier on one
thread measured in the same run (CPU time), and the 2-thread / 1-thread
ratio. On a machine whose cores are shared with other jobs the wall-clock
figures undercount; CPU time is what one core delivers to this process.

usage: match_ratios.py RUN.json [comparisons_per_iteration (default 160)]
"""
import json
import sys


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    per_iteration = int(sys.argv[2]) if len(sys.argv) > 2 else 160
    with open(sys.argv[1]) as handle:
        run = json.load(handle)
    rows = {}
    for bench in run["benchmarks"]:
        if bench.get("run_type") == "aggregate" and bench.get("aggregate_name") != "median":
            continue
        parts = bench["run_name"].split("/")
        tier, threads = parts[1], int(parts[2].split(":")[1])
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[bench.get("time_unit", "ns")]
        cpu_per_iteration = bench["cpu_time"] * unit
        rows[(tier, threads)] = {
            "wall_per_s": bench["comparisons_per_s"],
            # cpu_time is per iteration of one thread: each thread's own rate.
            "cpu_per_s_per_thread": per_iteration / cpu_per_iteration,
            "bytes": bench.get("bytes_per_template", 0.0),
        }
    reference = rows.get(("scalar", 1))
    print("load average: %s" % run.get("context", {}).get("load_avg"))
    print("%-8s %7s %14s %16s %14s %10s" % ("tier", "threads", "wall cmp/s", "CPU cmp/s/core", "vs scalar(CPU)",
                                            "2T/1T CPU"))
    for (tier, threads), row in sorted(rows.items(), key=lambda item: (item[0][0] != "scalar", item[0])):
        speedup = row["cpu_per_s_per_thread"] / reference["cpu_per_s_per_thread"] if reference else float("nan")
        one = rows.get((tier, 1))
        scaling = ""
        if threads == 2 and one:
            scaling = "%.2fx" % (2 * row["cpu_per_s_per_thread"] / one["cpu_per_s_per_thread"])
        print("%-8s %7d %14.0f %16.0f %13.2fx %10s" % (tier, threads, row["wall_per_s"], row["cpu_per_s_per_thread"],
                                                       speedup, scaling))
    if reference:
        print("prepared template: %.0f bytes on average" % reference["bytes"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
