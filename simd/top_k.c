/* Top-K selection with a deterministic order: score descending, then id
 * ascending. A binary min-heap (worst candidate at the root) holds the K
 * best so far; scores arrive in blocks that the active tier's SIMD filter
 * reduces to those that could still enter (>= the root's score), so once
 * the heap is full almost every score costs one vector compare. */
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "kernels_internal.h"

enum { BLOCK_SCORES = 1024 };

/* True when a ranks strictly before b. */
static int ranks_before(const bm_scored_id *a, const bm_scored_id *b) {
  return a->score > b->score || (a->score == b->score && a->id < b->id);
}

typedef struct heap {
  bm_scored_id *entries;
  size_t size, capacity;
} heap;

static void sift_down(heap *h, size_t index) {
  for (;;) {
    size_t worst = index, left = 2 * index + 1, right = left + 1;
    if (left < h->size && ranks_before(&h->entries[worst], &h->entries[left])) worst = left;
    if (right < h->size && ranks_before(&h->entries[worst], &h->entries[right])) worst = right;
    if (worst == index) return;
    bm_scored_id swap = h->entries[index];
    h->entries[index] = h->entries[worst];
    h->entries[worst] = swap;
    index = worst;
  }
}

static void sift_up(heap *h, size_t index) {
  while (index > 0) {
    size_t parent = (index - 1) / 2;
    if (!ranks_before(&h->entries[parent], &h->entries[index])) return;
    bm_scored_id swap = h->entries[index];
    h->entries[index] = h->entries[parent];
    h->entries[parent] = swap;
    index = parent;
  }
}

static void offer(heap *h, float score, uint64_t id) {
  bm_scored_id candidate = {score, 0, id};
  if (h->size < h->capacity) {
    h->entries[h->size++] = candidate;
    sift_up(h, h->size - 1);
  } else if (ranks_before(&candidate, &h->entries[0])) {
    h->entries[0] = candidate;
    sift_down(h, 0);
  }
}

static int compare_ranked(const void *a, const void *b) {
  const bm_scored_id *left = a, *right = b;
  return ranks_before(left, right) ? -1 : ranks_before(right, left) ? 1 : 0;
}

bm_status bm_top_k(const float *scores, size_t count, uint64_t first_id, size_t k, bm_scored_id *best,
                   size_t *out_count) {
  if (!out_count) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_top_k: out_count is NULL");
  *out_count = 0;
  if (k == 0 || count == 0) return BM_OK;
  if (!scores || !best) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_top_k: NULL scores or output");
  const bm_kernel_table_ *kernels = bm_kernels_active_();
  heap h = {best, 0, k};
  uint32_t passing[BLOCK_SCORES];
  for (size_t start = 0; start < count; start += BLOCK_SCORES) {
    const size_t block = count - start < BLOCK_SCORES ? count - start : BLOCK_SCORES;
    const float threshold = h.size == h.capacity ? h.entries[0].score : -INFINITY;
    const size_t selected = kernels->select_at_least(scores + start, block, threshold, passing);
    for (size_t i = 0; i < selected; ++i) offer(&h, scores[start + passing[i]], first_id + start + passing[i]);
  }
  qsort(best, h.size, sizeof *best, compare_ranked);
  *out_count = h.size;
  return BM_OK;
}

bm_status bm_top_k_merge(const bm_scored_id *const *lists, const size_t *list_counts, size_t list_total, size_t k,
                         bm_scored_id *best, size_t *out_count) {
  if (!out_count) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_top_k_merge: out_count is NULL");
  *out_count = 0;
  if (k == 0 || list_total == 0) return BM_OK;
  if (!lists || !list_counts || !best)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_top_k_merge: NULL lists or output");
  heap h = {best, 0, k};
  for (size_t l = 0; l < list_total; ++l) {
    if (list_counts[l] && !lists[l]) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_top_k_merge: list %zu is NULL", l);
    for (size_t i = 0; i < list_counts[l]; ++i)
      if (!isnan(lists[l][i].score)) offer(&h, lists[l][i].score, lists[l][i].id);
  }
  qsort(best, h.size, sizeof *best, compare_ranked);
  *out_count = h.size;
  return BM_OK;
}
