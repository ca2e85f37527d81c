/* Distributed 1:N identification: probes travel from the root to every
 * rank in batches (MPI_Bcast), each rank searches its own gallery with
 * bm_gallery_identify(), and the per-rank top-K blocks are merged on their
 * way to the root by a user-defined MPI reduction (mpi_candidates.h) in a
 * non-blocking MPI_Ireduce. Up to `window` batches are in flight: a rank
 * searches batch b+1 while batch b is still being reduced, and the root
 * prints batch b only when its reduction completes, in input order. */
#ifndef BIOMATCH_MPI_IDENTIFY_H
#define BIOMATCH_MPI_IDENTIFY_H

#include <stdio.h>

#include "mpi_job.h"

typedef struct bm_mpi_identify_options_ {
  bm_gallery_search_params search; /* top_k, threads, max_fmr (penetration must be 1) */
  unsigned default_position;       /* position of a probe given as a plain path */
  unsigned batch;                  /* probes per broadcast (>= 1) */
  unsigned window;                 /* batches in flight (>= 1) */
  int json;
  bm_read_options read;
} bm_mpi_identify_options_;

/* Figures of a run (root: for --stats). */
typedef struct bm_mpi_identify_stats_ {
  double wall_seconds;         /* root, from first broadcast to last print */
  double search_seconds;       /* summed over ranks: time inside bm_gallery_identify */
  double search_cpu_seconds;   /* summed over ranks: process CPU time inside bm_gallery_identify */
  double cpu_seconds;          /* summed over ranks: process CPU time of the whole run */
  double merge_seconds;        /* summed over ranks: time inside the reduction's merge */
  unsigned long long merges;   /* block merges (one per probe per reduction step) */
  unsigned long long probes;
  unsigned long long no_candidate, failed;
} bm_mpi_identify_stats_;

/* Collective. specs (root only; other ranks pass NULL/0) are the probe
 * specifications, printed to `out` on the root. Returns BM_OK when the run
 * completed (individual probe failures are counted in stats->failed). */
bm_status bm_mpi_identify_(const bm_mpi_job_ *job, char **specs, size_t spec_count,
                           const bm_mpi_identify_options_ *options, FILE *out, bm_mpi_identify_stats_ *stats);

#endif
