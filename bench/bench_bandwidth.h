/* The reference every throughput benchmark reports its rate against: a
 * plain streaming read of a buffer, measured in the same run, so a kernel's
 * rate is given as a fraction of what the memory delivers on this machine
 * at that moment (the machine is shared; absolute rates drift). */
#ifndef BIOMATCH_BENCH_BANDWIDTH_H
#define BIOMATCH_BENCH_BANDWIDTH_H

#include <stddef.h>
#include <stdint.h>

#include "bench_shim.h"

/* Runs the benchmark loop of `state`: each iteration reads `count` words
 * split evenly over `threads` OpenMP threads (the remainder of the division
 * is not read) and sums them so the reads are not optimised away; reports
 * count * 8 bytes per iteration. Not thread-safe (one benchmark at a time,
 * as Google Benchmark runs them). */
void bm_bench_measure_read_bandwidth(bm_bench_state *state, const uint64_t *words, size_t count, int threads);

/* A benchmark buffer of `bytes` with the page policy of biomatch's own
 * arenas (util/arena.h): 2 MB aligned and advised to use transparent huge
 * pages, so the reference and the data a kernel scans are read through the
 * same kind of pages (on a VM, 4 KB pages cost a third of the read rate).
 * Exits the program when memory runs out; release with free(). */
void *bm_bench_allocate_pages(size_t bytes);

#endif
