/* Distributed deduplication: local pairs, the ring, global clusters (see mpi_dedup.h). */
#include "mpi_dedup.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi_output.h"
#include "mpi_pairs.h"
#include "mpi_records.h"

static double now_seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct parsed_block {
  uint8_t *data;
  size_t size, count;
  bm_mpi_record_view_ *views;
  bm_mpi_probe_set_ *probes;
} parsed_block;

static void parsed_block_free(parsed_block *block) {
  for (size_t i = 0; block->probes && i < block->count; ++i) bm_mpi_probe_set_free_(&block->probes[i]);
  free(block->probes);
  free(block->views);
  free(block->data);
  memset(block, 0, sizeof *block);
}

/* Checks a block and prepares a probe per record (a record is the probe of
 * its pairs with records of larger id). */
static bm_status parse_block(parsed_block *block, uint32_t face_dimension) {
  bm_status status = bm_mpi_records_parse_(block->data, block->size, face_dimension, &block->views, &block->count);
  if (status != BM_OK) return status;
  block->probes = calloc(block->count ? block->count : 1, sizeof *block->probes);
  if (!block->probes) return BM_ERR_OUT_OF_MEMORY;
  for (size_t i = 0; status == BM_OK && i < block->count; ++i)
    status = bm_mpi_probe_set_create_(&block->views[i], &block->probes[i]);
  return status;
}

/* Gathers every rank's pairs on the root. */
static bm_status gather_pairs(const bm_mpi_job_ *job, const bm_mpi_pair_list_ *mine, bm_mpi_pair_list_ *all) {
  MPI_Datatype pair_type;
  MPI_Type_contiguous((int)sizeof(bm_mpi_pair_), MPI_BYTE, &pair_type);
  MPI_Type_commit(&pair_type);
  int count = (int)mine->count;
  int *counts = job->rank == 0 ? calloc((size_t)job->size, sizeof *counts) : NULL;
  int *displacements = job->rank == 0 ? calloc((size_t)job->size, sizeof *displacements) : NULL;
  MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, job->comm);
  bm_status status = BM_OK;
  size_t total = 0;
  if (job->rank == 0) {
    if (!counts || !displacements) status = BM_ERR_OUT_OF_MEMORY;
    for (int r = 0; status == BM_OK && r < job->size; ++r) {
      displacements[r] = (int)total;
      total += (size_t)counts[r];
    }
    if (status == BM_OK) {
      all->pairs = malloc((total ? total : 1) * sizeof *all->pairs);
      if (!all->pairs) status = BM_ERR_OUT_OF_MEMORY;
      all->count = all->capacity = all->pairs ? total : 0;
    }
  }
  status = bm_mpi_agree_(job, status);
  if (status == BM_OK)
    MPI_Gatherv(mine->pairs, count, pair_type, all->pairs, counts, displacements, pair_type, 0, job->comm);
  unsigned long long compared = mine->compared;
  MPI_Reduce(job->rank == 0 ? MPI_IN_PLACE : &compared, &compared, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0,
             job->comm);
  all->compared = compared;
  free(counts);
  free(displacements);
  MPI_Type_free(&pair_type);
  return status;
}

bm_status bm_mpi_dedup_(const bm_mpi_job_ *job, double max_fmr, unsigned threads, int json, FILE *out,
                        bm_mpi_dedup_stats_ *stats) {
  memset(stats, 0, sizeof *stats);
  const double wall_start = now_seconds(CLOCK_MONOTONIC), cpu_start = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const int rank = job->rank, ranks = job->size;
  bm_mpi_pair_list_ mine = {0};
  parsed_block local = {0}, current = {0}, next = {0};
  /* Pairs inside this rank are scored by the same code as the ring's (not
   * by bm_gallery_dedup(), whose result would be the same: its gathering
   * step passes a NULL buffer to memcpy when a thread found no pair, which
   * UBSan builds stop on; to be reported to the gallery's owner). */
  bm_status status =
      bm_mpi_records_pack_(job->gallery, job->face_dimension, &local.data, &local.size, &local.count);
  if (status == BM_OK) status = parse_block(&local, job->face_dimension);
  double compare_cpu = 0.0, started = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
  if (status == BM_OK)
    status = bm_mpi_block_pairs_(local.views, local.probes, local.count, job->face_dimension, max_fmr, threads, &mine);
  compare_cpu += now_seconds(CLOCK_PROCESS_CPUTIME_ID) - started;
  status = bm_mpi_agree_(job, status);
  unsigned long long ring_bytes = 0;
  /* `current` starts as a copy of the local block: it is what this rank
   * passes on at the first step */
  if (status == BM_OK && ranks > 1) {
    current.size = local.size;
    current.data = aligned_alloc(BM_MPI_UNIT_BYTES_, local.size);
    if (!current.data) status = BM_ERR_OUT_OF_MEMORY;
    else memcpy(current.data, local.data, local.size);
    status = bm_mpi_agree_(job, status);
  }
  const int right = (rank + 1) % ranks, left = (rank + ranks - 1) % ranks;
  const int steps = ranks / 2;
  MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  /* Passes `current` to the right and starts receiving the left
   * neighbour's block into `next` (non-blocking: it moves while `current`
   * is being compared). */
#define START_PASS(tag)                                                                                          \
  do {                                                                                                           \
    uint64_t send_units = current.size / BM_MPI_UNIT_BYTES_, receive_units = 0;                                  \
    MPI_Sendrecv(&send_units, 1, MPI_UINT64_T, right, (tag), &receive_units, 1, MPI_UINT64_T, left, (tag),       \
                 job->comm, MPI_STATUS_IGNORE);                                                                  \
    next.size = (size_t)receive_units * BM_MPI_UNIT_BYTES_;                                                     \
    next.data = aligned_alloc(BM_MPI_UNIT_BYTES_, next.size ? next.size : BM_MPI_UNIT_BYTES_);                  \
    status = bm_mpi_agree_(job, next.data ? BM_OK : BM_ERR_OUT_OF_MEMORY);                                      \
    if (status == BM_OK) {                                                                                       \
      MPI_Irecv(next.data, (int)receive_units, bm_mpi_unit_type_(), left, (tag), job->comm, &requests[0]);       \
      MPI_Isend(current.data, (int)send_units, bm_mpi_unit_type_(), right, (tag), job->comm, &requests[1]);      \
      ring_bytes += current.size;                                                                                \
    }                                                                                                            \
  } while (0)
  /* After the first pass, `current` holds the block of rank r-1. */
  if (status == BM_OK && steps > 0) {
    START_PASS(1);
    if (status == BM_OK) {
      MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
      parsed_block_free(&current);
      current = next;
      memset(&next, 0, sizeof next);
    }
  }
  for (int step = 1; status == BM_OK && step <= steps; ++step) {
    /* `current` is the block of rank r-step: send it on for step+1 while comparing it */
    if (step < steps) START_PASS(step + 1);
    if (status != BM_OK) break;
    bm_status local_status = parse_block(&current, job->face_dimension);
    const int source = (rank - step + ranks) % ranks;
    /* with R even, the last step pairs rank r with r+R/2 from both sides */
    const int parity = (ranks % 2 == 0 && step == steps) ? (rank < source ? 0 : 1) : -1;
    started = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (local_status == BM_OK)
      local_status = bm_mpi_cross_pairs_(local.views, local.probes, local.count, current.views, current.probes,
                                         current.count, job->face_dimension, parity, max_fmr, threads, &mine);
    compare_cpu += now_seconds(CLOCK_PROCESS_CPUTIME_ID) - started;
    if (step < steps) {
      MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
      parsed_block_free(&current);
      current = next;
      memset(&next, 0, sizeof next);
    }
    status = bm_mpi_agree_(job, local_status);
  }
#undef START_PASS
  free(next.data);
  parsed_block_free(&current);
  parsed_block_free(&local);
  bm_mpi_pair_list_ all = {0};
  if (status == BM_OK) status = gather_pairs(job, &mine, &all);
  bm_mpi_pair_list_free_(&mine);
  if (status == BM_OK && rank == 0) {
    const char **ids = NULL;
    size_t id_count = 0, cluster_count = 0, *members = NULL, *starts = NULL;
    status = bm_mpi_cluster_pairs_(&all, &ids, &id_count, &members, &starts, &cluster_count);
    if (status == BM_OK) bm_mpi_print_dedup_(out, &all, ids, members, starts, cluster_count, json);
    fflush(out);
    stats->pairs_compared = all.compared;
    stats->pairs_found = all.count;
    stats->clusters = cluster_count;
    free(ids);
    free(members);
    free(starts);
  }
  bm_mpi_pair_list_free_(&all);
  status = bm_mpi_agree_(job, status);
  double cpu[2] = {now_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start, compare_cpu};
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : cpu, cpu, 2, MPI_DOUBLE, MPI_SUM, 0, job->comm);
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : &ring_bytes, &ring_bytes, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, job->comm);
  stats->cpu_seconds = cpu[0];
  stats->compare_seconds = cpu[1];
  stats->ring_bytes = ring_bytes;
  stats->wall_seconds = now_seconds(CLOCK_MONOTONIC) - wall_start;
  return status;
}
