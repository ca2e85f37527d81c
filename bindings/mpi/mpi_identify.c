/* Batched, pipelined distributed identification (see mpi_identify.h). */
#include "mpi_identify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi_candidates.h"
#include "mpi_inputs.h"
#include "mpi_output.h"

/* The reduction's merge runs inside MPI calls of this process; these
 * counters measure its cost (one process, one reduction at a time in MPI's
 * progress engine, so plain statics suffice). */
static double merge_seconds;
static unsigned long long merge_count;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void merge_blocks_op(void *in, void *inout, int *length, MPI_Datatype *type) {
  const double start = now_seconds();
  int bytes = 0;
  MPI_Type_size(*type, &bytes);
  for (int i = 0; i < *length; ++i)
    bm_mpi_block_merge_((const bm_mpi_block_ *)(const void *)((const char *)in + (size_t)i * (size_t)bytes),
                        (bm_mpi_block_ *)(void *)((char *)inout + (size_t)i * (size_t)bytes));
  merge_seconds += now_seconds() - start;
  merge_count += (unsigned long long)*length;
}

typedef struct batch_slot {
  MPI_Request request;
  bm_mpi_block_ *send, *receive;
  size_t first, count;
  char **root_messages; /* root: its own error message per probe, or NULL */
  int active;
} batch_slot;

static bm_mpi_block_ *block_at(bm_mpi_block_ *blocks, size_t block_bytes, size_t i) {
  return (bm_mpi_block_ *)(void *)((char *)blocks + i * block_bytes);
}

/* Root: prints a finished batch in order. */
static void finish_slot(const bm_mpi_job_ *job, batch_slot *slot, char **specs, size_t block_bytes, int json,
                        FILE *out, bm_mpi_identify_stats_ *stats) {
  MPI_Wait(&slot->request, MPI_STATUS_IGNORE);
  for (size_t i = 0; job->rank == 0 && i < slot->count; ++i) {
    const bm_mpi_block_ *block = block_at(slot->receive, block_bytes, i);
    const char *spec = specs[slot->first + i];
    if (block->status != BM_OK) {
      const char *message = slot->root_messages[i] ? slot->root_messages[i] : "(failed on another rank)";
      fprintf(stderr, "biomatch-mpi: %s: %s: %s\n", spec, bm_error_name((bm_status)block->status), message);
      ++stats->failed;
      continue;
    }
    if (block->count == 0) ++stats->no_candidate;
    bm_mpi_print_candidates_(out, spec, block, json);
  }
  if (job->rank == 0) fflush(out);
  for (size_t i = 0; slot->root_messages && i < slot->count; ++i) free(slot->root_messages[i]);
  free(slot->root_messages);
  free(slot->send);
  free(slot->receive);
  memset(slot, 0, sizeof *slot);
}

bm_status bm_mpi_identify_(const bm_mpi_job_ *job, char **specs, size_t spec_count,
                           const bm_mpi_identify_options_ *options, FILE *out, bm_mpi_identify_stats_ *stats) {
  memset(stats, 0, sizeof *stats);
  merge_seconds = 0.0;
  merge_count = 0;
  const double cpu_start = cpu_seconds(), wall_start = now_seconds();
  uint64_t total = spec_count;
  MPI_Bcast(&total, 1, MPI_UINT64_T, 0, job->comm);
  const uint32_t top_k = options->search.top_k;
  const size_t block_bytes = bm_mpi_block_bytes_(top_k);
  MPI_Datatype block_type;
  MPI_Type_contiguous((int)block_bytes, MPI_BYTE, &block_type);
  MPI_Type_commit(&block_type);
  MPI_Op merge;
  MPI_Op_create(merge_blocks_op, 1 /* commutative: the order is total */, &merge);
  const unsigned window = options->window ? options->window : 1;
  batch_slot *slots = calloc(window, sizeof *slots);
  bm_status status = slots ? BM_OK : BM_ERR_OUT_OF_MEMORY;
  status = bm_mpi_agree_(job, status);
  double search_seconds = 0.0, search_cpu = 0.0;
  size_t batch_index = 0;
  for (uint64_t first = 0; status == BM_OK && first < total; first += options->batch, ++batch_index) {
    const size_t count = (size_t)(total - first < options->batch ? total - first : options->batch);
    batch_slot *slot = &slots[batch_index % window];
    if (slot->active) finish_slot(job, slot, specs, block_bytes, options->json, out, stats);
    /* the root reads this batch's files and broadcasts their bytes */
    bm_mpi_buffer_ message = {0};
    bm_status local = BM_OK;
    if (job->rank == 0) {
      slot->root_messages = calloc(count, sizeof *slot->root_messages);
      for (size_t i = 0; i < count && local != BM_ERR_OUT_OF_MEMORY; ++i) {
        const bm_status packed = bm_mpi_probe_pack_(specs[first + i], options->default_position, &message);
        if (packed != BM_OK && slot->root_messages) slot->root_messages[i] = strdup(bm_last_error_message());
        if (packed == BM_ERR_OUT_OF_MEMORY) local = packed;
      }
      if (local == BM_OK) local = bm_mpi_buffer_append_(&message, NULL, (BM_MPI_UNIT_BYTES_ - message.size % BM_MPI_UNIT_BYTES_) % BM_MPI_UNIT_BYTES_);
    }
    uint64_t units = message.size / BM_MPI_UNIT_BYTES_;
    MPI_Bcast(&units, 1, MPI_UINT64_T, 0, job->comm);
    if (job->rank != 0) {
      local = bm_mpi_buffer_append_(&message, NULL, units * BM_MPI_UNIT_BYTES_);
    }
    slot->send = malloc(count * block_bytes);
    slot->receive = job->rank == 0 ? malloc(count * block_bytes) : NULL;
    if (local == BM_OK && (!slot->send || (job->rank == 0 && !slot->receive)))
      local = BM_ERR_OUT_OF_MEMORY;
    status = bm_mpi_agree_(job, local);
    if (status != BM_OK) {
      bm_mpi_buffer_free_(&message);
      for (size_t i = 0; slot->root_messages && i < count; ++i) free(slot->root_messages[i]);
      free(slot->root_messages);
      free(slot->send);
      free(slot->receive);
      memset(slot, 0, sizeof *slot);
      break;
    }
    MPI_Bcast(message.data, (int)units, bm_mpi_unit_type_(), 0, job->comm);
    bm_mpi_reader_ reader = {message.data, message.size, 0};
    for (size_t i = 0; i < count; ++i) {
      bm_mpi_block_ *block = block_at(slot->send, block_bytes, i);
      bm_gallery_probe *probe = NULL;
      bm_status root_status = BM_OK;
      bm_status probe_status = bm_mpi_probe_unpack_(&reader, &options->read, &root_status, &probe);
      if (probe_status == BM_OK && root_status != BM_OK) probe_status = root_status;
      if (probe_status == BM_OK && bm_gallery_count(job->gallery) == 0) {
        /* a rank without records has no candidates (and the gallery's
         * result gathering passes NULL to memcpy for empty shards, which
         * UBSan builds stop on) */
        bm_mpi_block_init_(block, top_k, BM_OK);
      } else if (probe_status == BM_OK) {
        bm_gallery_result *result = NULL;
        const double start = now_seconds(), start_cpu = cpu_seconds();
        probe_status = bm_gallery_identify(job->gallery, probe, &options->search, &result);
        search_seconds += now_seconds() - start;
        search_cpu += cpu_seconds() - start_cpu;
        if (probe_status == BM_OK) probe_status = bm_mpi_block_from_result_(result, top_k, block);
        bm_gallery_result_free(result);
      }
      if (probe_status != BM_OK) {
        bm_mpi_block_init_(block, top_k, probe_status);
        if (job->rank == 0 && slot->root_messages && !slot->root_messages[i])
          slot->root_messages[i] = strdup(bm_last_error_message());
      }
      bm_gallery_probe_free(probe);
    }
    bm_mpi_buffer_free_(&message);
    slot->first = (size_t)first;
    slot->count = count;
    slot->active = 1;
    MPI_Ireduce(slot->send, slot->receive, (int)count, block_type, merge, 0, job->comm, &slot->request);
    stats->probes += count;
  }
  /* drain in batch order: the oldest slot follows the one used last */
  for (unsigned k = 1; slots && k <= window; ++k) {
    batch_slot *slot = &slots[(batch_index + k - 1) % window];
    if (slot->active) finish_slot(job, slot, specs, block_bytes, options->json, out, stats);
  }
  free(slots);
  MPI_Op_free(&merge);
  MPI_Type_free(&block_type);
  double sums[4] = {search_seconds, cpu_seconds() - cpu_start, merge_seconds, search_cpu};
  unsigned long long merges = merge_count;
  MPI_Reduce(job->rank == 0 ? MPI_IN_PLACE : sums, sums, 4, MPI_DOUBLE, MPI_SUM, 0, job->comm);
  MPI_Reduce(job->rank == 0 ? MPI_IN_PLACE : &merges, &merges, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, job->comm);
  stats->wall_seconds = now_seconds() - wall_start;
  stats->search_seconds = sums[0];
  stats->cpu_seconds = sums[1];
  stats->merge_seconds = sums[2];
  stats->search_cpu_seconds = sums[3];
  stats->merges = merges;
  return status;
}
