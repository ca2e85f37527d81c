#!/usr/bin/env python3
"""Markdown table of bench_face_approximate's JSON: per search, the median
latency (wall and CPU) over the repetitions, its speed as a ratio to the
exact int8 scan of the same run (wall and CPU: on a shared machine the CPU
ratio is the steadier one), recall@10 against exact f32, the mate hit
rate, the build time and the index size.

    python3 bench/face/approximate_table.py approx.json [more.json ...]
"""
import json
import sys


def medians(path):
    with open(path) as handle:
        benchmarks = json.load(handle)["benchmarks"]
    runs = {}
    for b in benchmarks:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        name = name.replace("/real_time", "")
        # A median aggregate (with repetitions) replaces the single run.
        if b.get("run_type") == "aggregate" or name not in runs:
            runs[name] = b
    return runs


def milliseconds(run, key):
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[run.get("time_unit", "ns")]
    return run[key] * scale


def main(paths):
    print("| search | latency wall | CPU | speed vs exact int8 (wall, CPU) | recall@10 | mate hit rate"
          " | build wall / CPU | index |")
    print("|---|---|---|---|---|---|---|---|")
    for path in paths:
        runs = medians(path)
        reference = runs["biomatch_exact/int8"]
        reference_wall, reference_cpu = milliseconds(reference, "real_time"), milliseconds(reference, "cpu_time")
        for name, run in runs.items():
            wall, cpu = milliseconds(run, "real_time"), milliseconds(run, "cpu_time")
            build = "-"
            if "build_seconds" in run:
                build = "%.0f s / %.0f s" % (run["build_seconds"], run["build_cpu_seconds"])
            size = "%.0f MB" % run["index_MB"] if run.get("index_MB", -1) >= 0 else "?"
            print("| %s | %.3f ms | %.3f ms | %.2fx, %.2fx | %.3f | %.3f | %s | %s |"
                  % (name, wall, cpu, reference_wall / wall, reference_cpu / cpu, run["recall_at_10"],
                     run["mate_hit_rate"], build, size))


if __name__ == "__main__":
    main(sys.argv[1:])
