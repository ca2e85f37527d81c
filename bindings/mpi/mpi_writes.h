/* Routed writes: enrolment and deletion travel from the root to the rank
 * owning the record id (mpi_route.h), which applies them to its gallery,
 * makes them durable (one fdatasync per batch: group commit) and only then
 * answers; the root prints "ok ID" for a line once its owner answered.
 *
 * A batch is scattered (MPI_Scatterv: each rank receives only its own
 * lines, with the file bytes read on the root) and the answers gathered
 * (MPI_Gatherv) in line order. */
#ifndef BIOMATCH_MPI_WRITES_H
#define BIOMATCH_MPI_WRITES_H

#include <stdio.h>

#include "mpi_job.h"

typedef struct bm_mpi_write_options_ {
  unsigned batch; /* lines per scatter and per sync (>= 1) */
  bm_read_options read;
} bm_mpi_write_options_;

/* Collective. Root reads "ID POSITION PATH" lines from `in` (POSITION 0..10
 * or "face"; lines sharing an id merge into one record, as `biomatch
 * enroll`) until EOF; a line "delete ID" deletes. Answers go to `out`
 * ("ok ID" / "deleted ID"), errors to stderr ("error ID: NAME: message").
 * *failed_lines (root) counts lines not applied. */
bm_status bm_mpi_write_lines_(const bm_mpi_job_ *job, FILE *in, FILE *out, const bm_mpi_write_options_ *options,
                              unsigned long long *failed_lines);

#endif
