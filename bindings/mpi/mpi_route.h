/* Which rank owns a record, and where each rank keeps its gallery.
 *
 * Ownership is a pure function of the record id and the rank count: the
 * 64-bit FNV-1a hash of the id bytes, mixed by the splitmix64 finaliser and
 * reduced to 0..R-1 by a multiply-shift of its high 32 bits. It never depends
 * on the gallery's own shard hash, the MPI implementation or the host, so a
 * restarted job routes every id to the same rank as before. Changing R moves
 * records between ranks: the rank count is stored in the gallery folder and
 * a job with another count is refused (docs/mpi.md). */
#ifndef BIOMATCH_MPI_ROUTE_H
#define BIOMATCH_MPI_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"

/* FNV-1a 64 over the id bytes (not the NUL). Thread-safe. */
uint64_t bm_mpi_id_hash_(const char *id, size_t length);

/* Rank 0..rank_count-1 that owns `id` (NUL-terminated). rank_count >= 1. Thread-safe. */
int bm_mpi_owner_rank_(const char *id, int rank_count);

/* Longest folder path the module builds (rank folder, manifest). */
enum { BM_MPI_PATH_MAX_ = 4096 };

/* Writes "<db>/rank-NNNN" into out (capacity bytes). BM_ERR_INVALID_ARGUMENT when it does not fit. */
bm_status bm_mpi_rank_directory_(const char *db, int rank, char *out, size_t capacity);

/* Root only, before any rank opens its gallery: creates `db` when absent and
 * its manifest "ranks.txt" (written to a temporary file, synced, renamed),
 * or checks that an existing manifest names rank_count ranks. A different
 * count is BM_ERR_INVALID_ARGUMENT naming both counts; a damaged manifest
 * BM_ERR_CORRUPT; file errors BM_ERR_IO. Not thread-safe for one db. */
bm_status bm_mpi_check_manifest_(const char *db, int rank_count);

#endif
