/* Distributed N:N deduplication. Every pair of records is compared exactly
 * once:
 *   - pairs inside one rank by comparing its own block with itself;
 *   - pairs across ranks by a ring: each rank packs its records into one
 *     block (mpi_records.h) and passes blocks to its right neighbour; after
 *     step k rank r holds the block of rank r-k and compares it with its own
 *     records, for k = 1 .. floor(R/2). With R even the last step meets each
 *     pair of ranks from both sides, so each side takes the pairs (i, j) of
 *     one parity of i + j. The next block travels while the current one is
 *     compared (non-blocking send/receive).
 * The root gathers every rank's pairs, sorts them by (first id, second id)
 * and forms the clusters with union-find: the result a single process gives
 * for the same records (mpi_pairs.h states why scores agree bit for bit). */
#ifndef BIOMATCH_MPI_DEDUP_H
#define BIOMATCH_MPI_DEDUP_H

#include <stdio.h>

#include "mpi_job.h"

typedef struct bm_mpi_dedup_stats_ {
  double wall_seconds;
  double cpu_seconds;     /* summed over ranks: the whole run */
  double compare_seconds; /* summed over ranks: CPU time inside the pair comparisons */
  unsigned long long pairs_compared, pairs_found, clusters;
  unsigned long long ring_bytes; /* bytes of record blocks sent, summed over ranks */
} bm_mpi_dedup_stats_;

/* Collective. Prints the result on the root (`out`). */
bm_status bm_mpi_dedup_(const bm_mpi_job_ *job, double max_fmr, unsigned threads, int json, FILE *out,
                        bm_mpi_dedup_stats_ *stats);

#endif
