#!/usr/bin/env python3
"""Prints bench_persist's figures as ratios to the references measured in
the same run (medians when repeated; run with
--benchmark_enable_random_interleaving=true so noise hits all alike): appends against the bare system calls, group commit and no
sync against sync-each, snapshot loads against CRC-32C over memory.

    python3 bench/persist/persist_ratios.py persist.json
"""
import json
import sys


def main(path):
    with open(path) as handle:
        benchmarks = json.load(handle)["benchmarks"]
    # With --benchmark_repetitions the medians are used, otherwise the single runs.
    medians = [b for b in benchmarks if b.get("aggregate_name") == "median"]
    chosen = medians if medians else [b for b in benchmarks if b.get("run_type", "iteration") == "iteration"]
    runs = {b["run_name"].replace("/real_time", ""): b for b in chosen}
    items = {name: run.get("items_per_second", 0) for name, run in runs.items()}
    rate = {name: run.get("bytes_per_second", 0) for name, run in runs.items()}
    for name in ("raw/pwrite+fdatasync", "append/sync_each", "append/group_64", "raw/pwrite", "append/no_sync"):
        print("%-22s %12.0f records/s" % (name, items[name]))
    print("sync_each / raw pwrite+fdatasync   %.2f" % (items["append/sync_each"] / items["raw/pwrite+fdatasync"]))
    print("no_sync / raw pwrite               %.2f" % (items["append/no_sync"] / items["raw/pwrite"]))
    print("group_64 / sync_each               %.1fx" % (items["append/group_64"] / items["append/sync_each"]))
    print("no_sync / sync_each                %.1fx" % (items["append/no_sync"] / items["append/sync_each"]))
    for name in ("raw/crc32c", "load/mmap", "load/read"):
        print("%-22s %8.2f GB/s  %6.3f s/GB  %.2f of crc32c" % (name, rate[name] / 1e9, 1e9 / rate[name],
                                                              rate[name] / rate["raw/crc32c"]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "persist.json")
