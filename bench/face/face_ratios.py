#!/usr/bin/env python3
"""Face search throughput from bench_face's JSON: each exact scan as a
ratio to the read bandwidth of the same run, and to FAISS's equivalent.

    python3 bench/face/face_ratios.py face.json

With --benchmark_repetitions, the medians are used. Cases missing from the
run (a --benchmark_filter) are skipped.
"""
import json
import sys


def main(path):
    with open(path) as handle:
        benchmarks = json.load(handle)["benchmarks"]
    repeated = any(b.get("aggregate_name") for b in benchmarks)
    runs = {}
    for b in benchmarks:
        if repeated and b.get("aggregate_name") != "median":
            continue
        runs[b.get("run_name", b["name"]).replace("/real_time", "")] = b
    bandwidth = runs["read_bandwidth"]["bytes_per_second"]
    print("read bandwidth %.2f GB/s" % (bandwidth / 1e9))
    faiss_single = runs.get("faiss_IndexFlatIP/single", {}).get("items_per_second", float("nan"))
    faiss_sq8 = runs.get("faiss_IndexScalarQuantizer8/single", {}).get("items_per_second", float("nan"))
    faiss_batch = runs.get("faiss_IndexFlatIP/batch100", {}).get("items_per_second", float("nan"))
    for storage in ("f32", "f16", "int8"):
        run = runs.get("biomatch_exact/%s/single" % storage)
        if not run:
            continue
        print("single query %-5s %6.1f M vectors/s  %4.0f%% of bandwidth  %5.1fx FAISS FlatIP  %5.1fx FAISS SQ8"
              % (storage, run["items_per_second"] / 1e6, 100 * run["bytes_per_second"] / bandwidth,
                 run["items_per_second"] / faiss_single, run["items_per_second"] / faiss_sq8))
    print("FAISS FlatIP single %.2f M vectors/s, SQ8 single %.2f M vectors/s" % (faiss_single / 1e6, faiss_sq8 / 1e6))
    for storage in ("f32", "f16", "int8"):
        run = runs.get("biomatch_exact/%s/batch100" % storage)
        if not run:
            continue
        print("batch of 100  %-5s %6.1f M vector-queries/s  %4.2fx FAISS FlatIP+OpenBLAS (%.1f M/s)"
              % (storage, run["items_per_second"] / 1e6, run["items_per_second"] / faiss_batch, faiss_batch / 1e6))


if __name__ == "__main__":
    main(sys.argv[1])
