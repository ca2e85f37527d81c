/* Candidate blocks and their merge (see mpi_candidates.h). */
#include "mpi_candidates.h"

#include <math.h>
#include <string.h>

#include "error.h"

size_t bm_mpi_block_bytes_(uint32_t top_k) {
  return sizeof(bm_mpi_block_) + (size_t)top_k * sizeof(bm_mpi_candidate_);
}

bm_mpi_candidate_ *bm_mpi_block_slots_(bm_mpi_block_ *block) { return (bm_mpi_candidate_ *)(block + 1); }

const bm_mpi_candidate_ *bm_mpi_block_slots_const_(const bm_mpi_block_ *block) {
  return (const bm_mpi_candidate_ *)(block + 1);
}

void bm_mpi_block_init_(bm_mpi_block_ *block, uint32_t top_k, bm_status status) {
  memset(block, 0, bm_mpi_block_bytes_(top_k));
  block->top_k = top_k;
  block->status = (int32_t)status;
}

bm_status bm_mpi_block_from_result_(const bm_gallery_result *result, uint32_t top_k, bm_mpi_block_ *block) {
  bm_mpi_block_init_(block, top_k, BM_OK);
  const size_t count = bm_gallery_result_count(result);
  block->comparisons = bm_gallery_result_comparisons(result);
  bm_mpi_candidate_ *slots = bm_mpi_block_slots_(block);
  for (size_t i = 0; i < count && i < top_k; ++i) {
    bm_mpi_candidate_ *c = &slots[i];
    const char *id = bm_gallery_result_id(result, i);
    const size_t length = strlen(id);
    if (length == 0 || length > BM_GALLERY_MAX_ID_BYTES)
      return bm_fail_(BM_ERR_INTERNAL, "candidate id of %zu bytes", length);
    memcpy(c->id, id, length);
    c->score = bm_gallery_result_score(result, i);
    c->fmr = bm_gallery_result_fmr(result, i);
    c->face_score = bm_gallery_result_face_score(result, i);
    const size_t fingers = bm_gallery_result_finger_count(result, i);
    if (fingers > BM_MPI_FINGER_SLOTS_) return bm_fail_(BM_ERR_INTERNAL, "candidate with %zu finger scores", fingers);
    for (size_t j = 0; j < fingers; ++j) {
      unsigned probe_position = 0, record_position = 0;
      bm_status status = bm_gallery_result_finger(result, i, j, &probe_position, &record_position,
                                                  &c->fingers[j].score, &c->fingers[j].fmr);
      if (status != BM_OK) return status;
      c->fingers[j].probe_position = (uint8_t)probe_position;
      c->fingers[j].record_position = (uint8_t)record_position;
    }
    c->finger_count = (uint8_t)fingers;
    block->count = (uint32_t)(i + 1);
  }
  return BM_OK;
}

int bm_mpi_candidate_order_(const bm_mpi_candidate_ *a, const bm_mpi_candidate_ *b) {
  if (a->score != b->score) return a->score > b->score ? -1 : 1;
  return strcmp(a->id, b->id);
}

/* The smallest non-zero status wins: commutative and associative, so every
 * reduction tree reports the same error. */
static int32_t combine_status(int32_t a, int32_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return a < b ? a : b;
}

void bm_mpi_block_merge_(const bm_mpi_block_ *in, bm_mpi_block_ *inout) {
  const uint32_t top_k = inout->top_k;
  const bm_mpi_candidate_ *a = bm_mpi_block_slots_const_(in);
  bm_mpi_candidate_ *b = bm_mpi_block_slots_(inout);
  const uint32_t na = in->count < top_k ? in->count : top_k, nb = inout->count;
  /* Merge from the back of the result so no scratch copy of inout is
   * needed: take the first `total` of the merged order, placed from
   * position total-1 down. The elements to keep are the best `total`:
   * count how many come from each list first. */
  uint32_t total = na + nb < top_k ? na + nb : top_k;
  uint32_t ia = 0, ib = 0;
  for (uint32_t k = 0; k < total; ++k) {
    if (ib < nb && (ia >= na || bm_mpi_candidate_order_(&b[ib], &a[ia]) <= 0)) ++ib;
    else ++ia;
  }
  /* ia elements of a and ib of b make the result; write backwards. */
  int64_t out = (int64_t)total - 1, xa = (int64_t)ia - 1, xb = (int64_t)ib - 1;
  while (out >= 0) {
    if (xa >= 0 && (xb < 0 || bm_mpi_candidate_order_(&a[xa], &b[xb]) > 0)) b[out--] = a[xa--];
    else {
      if (out != xb) b[out] = b[xb];
      --out;
      --xb;
    }
  }
  for (uint32_t k = total; k < nb; ++k) memset(&b[k], 0, sizeof b[k]);
  inout->count = total;
  inout->status = combine_status(in->status, inout->status);
  inout->comparisons += in->comparisons;
}
