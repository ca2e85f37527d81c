/* Candidate lists on the wire and their merge, the custom MPI reduction of
 * 1:N identification.
 *
 * Each rank searches its own records with bm_gallery_identify() and packs
 * its top-K into a fixed-size block (header + top_k slots). The reduction
 * merges two blocks into the best top_k of their union in the gallery's
 * total order (fused score descending, then id ascending bytewise). The
 * order is total and every record lives on exactly one rank, so the merge
 * is commutative and associative and the root receives the candidate list
 * a single process would give for the same records, whatever the number of
 * ranks or the shape of MPI's reduction tree.
 *
 * Every byte of a block is written (padding included) before it is sent,
 * and the merge compares fields, never raw struct bytes. */
#ifndef BIOMATCH_MPI_CANDIDATES_H
#define BIOMATCH_MPI_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_gallery.h"

enum { BM_MPI_FINGER_SLOTS_ = BM_GALLERY_MAX_POSITION + 1 };

typedef struct bm_mpi_finger_ {
  uint8_t probe_position, record_position, reserved[2];
  float score;
  double fmr;
} bm_mpi_finger_;

typedef struct bm_mpi_candidate_ {
  char id[BM_GALLERY_MAX_ID_BYTES + 1]; /* NUL-terminated, zero-filled after the NUL */
  uint8_t finger_count;
  uint8_t reserved[2];
  float face_score; /* NaN when no face was compared */
  double score, fmr;
  bm_mpi_finger_ fingers[BM_MPI_FINGER_SLOTS_];
} bm_mpi_candidate_;

/* Block header; `top_k` candidate slots follow it. */
typedef struct bm_mpi_block_ {
  uint32_t top_k;       /* slots in the block (same on every rank) */
  uint32_t count;       /* slots used, in rank order */
  int32_t status;       /* BM_OK, or the smallest non-zero status of any rank */
  uint32_t reserved;
  uint64_t comparisons; /* fingers compared, summed over ranks */
} bm_mpi_block_;

/* Bytes of one block with `top_k` slots. */
size_t bm_mpi_block_bytes_(uint32_t top_k);
/* Slot i of a block. */
bm_mpi_candidate_ *bm_mpi_block_slots_(bm_mpi_block_ *block);
const bm_mpi_candidate_ *bm_mpi_block_slots_const_(const bm_mpi_block_ *block);

/* Fills `block` (bm_mpi_block_bytes_(top_k) bytes) with an empty list carrying `status`. */
void bm_mpi_block_init_(bm_mpi_block_ *block, uint32_t top_k, bm_status status);
/* Packs the first top_k candidates of `result` (already in rank order) into `block`. */
bm_status bm_mpi_block_from_result_(const bm_gallery_result *result, uint32_t top_k, bm_mpi_block_ *block);

/* The total order: negative when a ranks before b. */
int bm_mpi_candidate_order_(const bm_mpi_candidate_ *a, const bm_mpi_candidate_ *b);

/* inout := best top_k of (in ∪ inout), in order; statuses and comparison
 * counts combined. Both blocks must have the same top_k and hold sorted
 * lists (as every block built here does). Thread-safe on distinct blocks. */
void bm_mpi_block_merge_(const bm_mpi_block_ *in, bm_mpi_block_ *inout);

#endif
