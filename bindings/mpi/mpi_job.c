/* Job set-up and collective status checks (see mpi_job.h). */
#include "mpi_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_route.h"

enum { MESSAGE_BYTES = 512 };

typedef struct rank_status {
  int32_t status;
  char message[MESSAGE_BYTES];
} rank_status;

bm_status bm_mpi_agree_(const bm_mpi_job_ *job, bm_status status) {
  rank_status mine;
  memset(&mine, 0, sizeof mine);
  mine.status = (int32_t)status;
  if (status != BM_OK) snprintf(mine.message, sizeof mine.message, "%s", bm_last_error_message());
  rank_status *all = NULL;
  if (job->rank == 0) all = calloc((size_t)job->size, sizeof *all);
  /* a root without memory still takes part; it then reports no details */
  MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, all ? all : &mine, all ? (int)sizeof mine : 0, MPI_BYTE, 0,
             job->comm);
  int32_t first = BM_OK;
  if (job->rank == 0 && all) {
    for (int r = 0; r < job->size; ++r) {
      if (all[r].status == BM_OK) continue;
      fprintf(stderr, "biomatch-mpi: rank %d: %s: %s\n", r, bm_error_name((bm_status)all[r].status),
              all[r].message);
      if (first == BM_OK) first = all[r].status;
    }
  } else if (job->rank == 0) {
    first = mine.status;
  }
  free(all);
  MPI_Bcast(&first, 1, MPI_INT32_T, 0, job->comm);
  return (bm_status)first;
}

bm_status bm_mpi_job_open_(bm_mpi_job_ *job, MPI_Comm comm, const char *db, const bm_gallery_options *options) {
  memset(job, 0, sizeof *job);
  job->comm = comm;
  MPI_Comm_rank(comm, &job->rank);
  MPI_Comm_size(comm, &job->size);
  bm_status status = job->rank == 0 ? bm_mpi_check_manifest_(db, job->size) : BM_OK;
  status = bm_mpi_agree_(job, status);
  if (status != BM_OK) return status;
  char directory[BM_MPI_PATH_MAX_];
  status = bm_mpi_rank_directory_(db, job->rank, directory, sizeof directory);
  bm_gallery_options rank_options = *options;
  rank_options.sync = BM_GALLERY_SYNC_DEFERRED;
  if (status == BM_OK) status = bm_gallery_open(directory, &rank_options, &job->gallery);
  bm_gallery_stats stats;
  if (status == BM_OK) status = bm_gallery_get_stats(job->gallery, &stats);
  status = bm_mpi_agree_(job, status);
  if (status != BM_OK) {
    bm_gallery_close(job->gallery);
    job->gallery = NULL;
    return status;
  }
  /* every rank must hold faces of one dimension (a stored value wins over options) */
  uint32_t low = stats.face_dimension, high = stats.face_dimension;
  MPI_Allreduce(MPI_IN_PLACE, &low, 1, MPI_UINT32_T, MPI_MIN, comm);
  MPI_Allreduce(MPI_IN_PLACE, &high, 1, MPI_UINT32_T, MPI_MAX, comm);
  if (low != high) {
    if (job->rank == 0)
      fprintf(stderr, "biomatch-mpi: rank galleries disagree on the face dimension (%u..%u)\n", low, high);
    bm_gallery_close(job->gallery);
    job->gallery = NULL;
    return BM_ERR_DIMENSION;
  }
  job->face_dimension = stats.face_dimension;
  return BM_OK;
}

void bm_mpi_job_close_(bm_mpi_job_ *job) {
  bm_gallery_close(job->gallery);
  job->gallery = NULL;
}

MPI_Datatype bm_mpi_unit_type_(void) {
  static MPI_Datatype unit = MPI_DATATYPE_NULL;
  if (unit == MPI_DATATYPE_NULL) {
    MPI_Type_contiguous(BM_MPI_UNIT_BYTES_, MPI_BYTE, &unit);
    MPI_Type_commit(&unit);
  }
  return unit;
}
