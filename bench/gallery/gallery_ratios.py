#!/usr/bin/env python3
"""Prints bench_gallery's figures next to the references measured in the
same run (medians of repetitions; run with
--benchmark_enable_random_interleaving=true so noise hits all alike), wall
clock and CPU time.

    python3 bench/gallery/gallery_ratios.py gallery.json
"""
import json
import sys


def main(path):
    with open(path) as handle:
        benchmarks = json.load(handle)["benchmarks"]
    medians = [b for b in benchmarks if b.get("aggregate_name") == "median"]
    chosen = medians if medians else [b for b in benchmarks if b.get("run_type", "iteration") == "iteration"]
    runs = {}
    for b in chosen:
        name = b["run_name"].replace("/real_time", "").replace("/process_time", "")
        runs[name] = b

    def items(name):
        return runs[name].get("items_per_second", 0.0)

    def cpu_per_item(name):
        run = runs[name]
        # cpu_time is per iteration in the run's time unit
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[run.get("time_unit", "ns")]
        per_iteration = run["cpu_time"] * scale
        per_second = run.get("items_per_second", 0.0)
        real = run["real_time"] * scale
        return per_iteration / (per_second * real) if per_second and real else float("nan")

    raw_sync = items("raw/pwrite+fdatasync")
    print("enrolment (records/s, wall)")
    for name in ("enrol/durable", "enrol/durable/threads:2", "enrol/deferred_group64", "enrol/memory"):
        if name in runs:
            print("  %-26s %10.0f   %.2fx bare pwrite+fdatasync (%.0f/s)" % (name, items(name), items(name) / raw_sync,
                                                                         raw_sync))
    ref = runs["raw/match_many"]
    print("identification, %d records, one-finger probe, 2 threads (searches/s, latency ms)" % runs[
        "identify/exhaustive"].get("records", 0))
    for name in ("identify/exhaustive", "identify/cascade_0.05"):
        run = runs[name]
        print("  %-26s %8.2f/s  p50 %7.1f  p95 %7.1f  p99 %7.1f  comparisons %7.0f  %.0f bytes/template  "
              "%.2fx raw match_many (1 thread, %.2f/s)  process CPU %.1f ms/search" % (
                  name, items(name), run["p50_ms"], run["p95_ms"], run["p99_ms"], run["comparisons_per_search"],
                  run["bytes_per_template"], items(name) / items("raw/match_many"), items("raw/match_many"),
                  run.get("process_cpu_ms_per_search", float("nan"))))
    print("  %-26s CPU %.1f ms/search" % ("raw/match_many", 1e3 * cpu_per_item("raw/match_many")))
    dedup = runs["dedup/all_pairs"]
    print("deduplication (record pairs/s, 2 threads): %.0f wall, %.0f per process CPU second; raw match_one on 1 "
          "thread: %.0f/s wall, %.0f per CPU second" % (
              items("dedup/all_pairs"), dedup.get("pairs_per_process_cpu_second", float("nan")), items("raw/match_one"),
              1.0 / cpu_per_item("raw/match_one")))
    print("reopen (records/s): %.0f, %.3fx the store's verified load alone (%.0f/s)" % (
        items("load/reopen"), items("load/reopen") / items("raw/store_open"), items("raw/store_open")))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "gallery.json")
