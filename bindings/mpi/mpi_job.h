/* One biomatch-mpi job: the communicator, this rank's gallery and the
 * collective checks every command starts and ends with.
 *
 * Failure model (docs/mpi.md): MPI jobs are fail-stop. A rank that dies
 * takes the job down (Debian's Open MPI has no ULFM); nothing is repaired
 * online. Each rank's gallery is its own snapshot + write-ahead log, so the
 * restarted job reopens every rank's gallery in the state it acknowledged. */
#ifndef BIOMATCH_MPI_JOB_H
#define BIOMATCH_MPI_JOB_H

#include <mpi.h>
#include <stdint.h>

#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"

typedef struct bm_mpi_job_ {
  MPI_Comm comm;
  int rank, size;
  bm_gallery *gallery;     /* this rank's records */
  uint32_t face_dimension; /* the gallery's (equal on every rank) */
} bm_mpi_job_;

/* Collective. Every rank passes its own status; the root prints the message
 * of each failing rank ("biomatch-mpi: rank R: NAME: message") and every
 * rank returns the status of the lowest failing rank (BM_OK when none). */
bm_status bm_mpi_agree_(const bm_mpi_job_ *job, bm_status status);

/* Collective: checks the manifest of `db` on the root (creating it for a new
 * gallery), then opens rank r's gallery in db/rank-r with `options`
 * (deferred sync: commands sync before acknowledging). On failure every
 * rank returns the same status and no gallery is open. */
bm_status bm_mpi_job_open_(bm_mpi_job_ *job, MPI_Comm comm, const char *db, const bm_gallery_options *options);

/* Closes this rank's gallery. */
void bm_mpi_job_close_(bm_mpi_job_ *job);

/* MPI message sizes are int: bytes travel as 64-byte units (buffers are
 * padded to 64), so one message carries up to 128 GiB. */
MPI_Datatype bm_mpi_unit_type_(void);
enum { BM_MPI_UNIT_BYTES_ = 64 };

#endif
