/* Exact face search. Rows are split into one contiguous range per thread;
 * each range is scored chunk by chunk with the active SIMD kernel and the
 * chunk's best are merged into the thread's running top list. Ties are
 * broken by row (insertion) order, a total order, so the merged result is
 * the same for any thread count.
 *
 * Batches: for a block of queries, each chunk of rows (sized to stay in the
 * L2 cache) is scored against every query of the block by the
 * register-blocked batch kernel before moving on, so memory is read once
 * per query block instead of once per query, and the cache once per tile
 * of four queries. Scores equal those of single searches bit for bit. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "face_internal.h"

enum {
  SINGLE_QUERY_CHUNK_ROWS = 4096,
  BATCH_CHUNK_BYTES = 1 << 19, /* a quarter of the L2 of the machines we target: the block's scores need room too */
  QUERY_BLOCK = 64 /* queries sharing one read of the gallery from memory */
};

/* A query in the index's representation. */
typedef struct prepared_query {
  float floats[BM_FACE_MAX_DIMENSION];
  int8_t codes[BM_FACE_MAX_DIMENSION];
  float scale;
} prepared_query;

static bm_status prepare_query(const bm_face_index *index, const float *query, prepared_query *prepared) {
  bm_status status = bm_face_normalise_(query, index->dimension, prepared->floats);
  if (status != BM_OK) return status;
  if (index->storage == BM_FACE_INT8) prepared->scale = bm_face_quantise_int8_(prepared->floats, index->dimension, prepared->codes);
  return BM_OK;
}

/* Scores rows [first, first + count) of the index against one query. */
static void score_rows(const bm_face_index *index, const prepared_query *query, size_t first, size_t count,
                       float *scores, int32_t *int_scores) {
  const size_t d = index->dimension;
  bm_status status = BM_OK;
  switch (index->storage) {
    case BM_FACE_F32:
      status = bm_dot_f32_scan(query->floats, (const float *)index->rows + first * d, d, d, count, scores);
      break;
    case BM_FACE_F16:
      status = bm_dot_f16_scan(query->floats, (const uint16_t *)index->rows + first * d, d, d, count, scores);
      break;
    case BM_FACE_INT8:
      status = bm_dot_i8_scan(query->codes, (const int8_t *)index->rows + first * d, d, d, count, int_scores);
      for (size_t i = 0; i < count; ++i) scores[i] = (float)int_scores[i] * query->scale * index->scales[first + i];
      break;
  }
  (void)status; /* arguments were validated by the caller */
}

/* A running top list of (score, row). */
typedef struct top_list {
  bm_scored_id *entries, *scratch, *chunk_best;
  size_t count, capacity;
} top_list;

static int top_list_init(top_list *list, size_t capacity) {
  list->entries = malloc(3 * capacity * sizeof *list->entries);
  list->scratch = list->entries ? list->entries + capacity : NULL;
  list->chunk_best = list->entries ? list->entries + 2 * capacity : NULL;
  list->count = 0;
  list->capacity = capacity;
  return list->entries != NULL;
}

static void top_list_free(top_list *list) { free(list->entries); }

/* Merges the best of scores[0..count) (rows first..) into the list. */
static void top_list_offer_scores(top_list *list, const float *scores, size_t count, size_t first) {
  size_t chunk_count = 0, merged = 0;
  if (bm_top_k(scores, count, first, list->capacity, list->chunk_best, &chunk_count) != BM_OK) return;
  const bm_scored_id *lists[2] = {list->entries, list->chunk_best};
  const size_t counts[2] = {list->count, chunk_count};
  if (bm_top_k_merge(lists, counts, 2, list->capacity, list->scratch, &merged) != BM_OK) return;
  memcpy(list->entries, list->scratch, merged * sizeof *list->entries);
  list->count = merged;
}

static void thread_row_range(size_t rows, int thread, int threads, size_t *first, size_t *end) {
  *first = rows * (size_t)thread / (size_t)threads;
  *end = rows * (size_t)(thread + 1) / (size_t)threads;
}

/* Thread count in [1, 64]: 0 means OpenMP's default. */
static int resolve_threads(unsigned threads) {
  int count = threads ? (int)(threads > 64 ? 64 : threads) : omp_get_max_threads();
  return count < 1 ? 1 : count > 64 ? 64 : count;
}

/* Merges per-thread lists into `best` (capacity `keep`), rows as ids. */
static size_t merge_thread_lists(top_list *lists, int threads, size_t keep, bm_scored_id *best) {
  const bm_scored_id **pointers = malloc((size_t)threads * sizeof *pointers);
  size_t *counts = malloc((size_t)threads * sizeof *counts), merged = 0;
  if (pointers && counts) {
    for (int t = 0; t < threads; ++t) pointers[t] = lists[t].entries, counts[t] = lists[t].count;
    if (bm_top_k_merge(pointers, counts, (size_t)threads, keep, best, &merged) != BM_OK) merged = 0;
  }
  free(pointers);
  free(counts);
  return merged;
}

static bm_status check_search_arguments(const bm_face_index *index, const float *query, size_t dimension,
                                        const void *results, const void *out_count) {
  if (!index || !query || !out_count || !results)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "face search: NULL argument");
  if (dimension != index->dimension)
    return bm_fail_(BM_ERR_DIMENSION, "query has %zu values, the index holds %zu-d embeddings", dimension,
                    index->dimension);
  return BM_OK;
}

bm_status bm_face_index_search(const bm_face_index *index, const float *query, size_t dimension, size_t k,
                               size_t rerank, unsigned threads, bm_scored_id *results, size_t *out_count) {
  if (out_count) *out_count = 0;
  bm_status status = check_search_arguments(index, query, dimension, results, out_count);
  if (status != BM_OK) return status;
  if (rerank && !(index->flags & BM_FACE_KEEP_F32) && index->storage != BM_FACE_F32)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "re-ranking needs an index created with BM_FACE_KEEP_F32");
  if (k == 0 || index->count == 0) return BM_OK;
  prepared_query *prepared = malloc(sizeof *prepared);
  if (!prepared) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face search: out of memory");
  status = prepare_query(index, query, prepared);
  if (status != BM_OK) {
    free(prepared);
    return status;
  }
  const int reranking = rerank && index->storage != BM_FACE_F32;
  const size_t keep = reranking && rerank > k ? rerank : k;
  const int thread_count = resolve_threads(threads);
  top_list *lists = calloc((size_t)thread_count, sizeof *lists);
  bm_scored_id *merged = malloc(keep * sizeof *merged);
  int failed = !lists || !merged;
  if (!failed) {
#pragma omp parallel num_threads(thread_count)
    {
      const int thread = omp_get_thread_num();
      size_t first, end;
      thread_row_range(index->count, thread, thread_count, &first, &end);
      float *scores = malloc(SINGLE_QUERY_CHUNK_ROWS * sizeof *scores);
      int32_t *int_scores = malloc(SINGLE_QUERY_CHUNK_ROWS * sizeof *int_scores);
      if (!scores || !int_scores || !top_list_init(&lists[thread], keep)) {
#pragma omp atomic write
        failed = 1;
      } else {
        for (size_t row = first; row < end; row += SINGLE_QUERY_CHUNK_ROWS) {
          const size_t count = end - row < SINGLE_QUERY_CHUNK_ROWS ? end - row : SINGLE_QUERY_CHUNK_ROWS;
          score_rows(index, prepared, row, count, scores, int_scores);
          top_list_offer_scores(&lists[thread], scores, count, row);
        }
      }
      free(scores);
      free(int_scores);
    }
  }
  size_t found = failed ? 0 : merge_thread_lists(lists, thread_count, keep, merged);
  if (!failed && reranking) {
    /* Exact float scores for the compressed scan's best candidates. */
    for (size_t i = 0; i < found; ++i) {
      const size_t row = (size_t)merged[i].id;
      if (bm_dot_f32_scan(prepared->floats, index->floats + row * index->dimension, index->dimension,
                          index->dimension, 1, &merged[i].score) != BM_OK)
        failed = 1;
    }
    const bm_scored_id *list = merged;
    size_t reranked = 0;
    if (bm_top_k_merge(&list, &found, 1, k, results, &reranked) != BM_OK) failed = 1;
    found = reranked;
  } else if (!failed) {
    memcpy(results, merged, found * sizeof *results);
  }
  for (size_t i = 0; i < found && !failed; ++i) results[i].id = index->ids[results[i].id];
  for (int t = 0; lists && t < thread_count; ++t) top_list_free(&lists[t]);
  free(lists);
  free(merged);
  free(prepared);
  if (failed) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face search: out of memory");
  *out_count = found;
  return BM_OK;
}

/* A block of up to QUERY_BLOCK queries in the index's representation,
 * contiguous so the batch kernels can stride over them. */
typedef struct query_block {
  float *floats;  /* QUERY_BLOCK x dimension */
  int8_t *codes;  /* QUERY_BLOCK x dimension (int8 storage) */
  float scales[QUERY_BLOCK];
} query_block;

static bm_status prepare_query_block(const bm_face_index *index, const float *queries, size_t count,
                                     query_block *block) {
  const size_t d = index->dimension;
  for (size_t q = 0; q < count; ++q) {
    bm_status status = bm_face_normalise_(queries + q * d, d, block->floats + q * d);
    if (status != BM_OK) return status;
    if (index->storage == BM_FACE_INT8)
      block->scales[q] = bm_face_quantise_int8_(block->floats + q * d, d, block->codes + q * d);
  }
  return BM_OK;
}

/* Scores rows [first, first + count) against the block's `queries` queries
 * with the register-blocked batch kernel: scores[q * count + r]. */
static void score_rows_batch(const bm_face_index *index, const query_block *block, size_t queries, size_t first,
                             size_t count, float *scores, int32_t *int_scores) {
  const size_t d = index->dimension;
  bm_status status = BM_OK;
  switch (index->storage) {
    case BM_FACE_F32:
      status = bm_dot_f32_scan_batch(block->floats, queries, d, (const float *)index->rows + first * d, d, d, count,
                                     scores, count);
      break;
    case BM_FACE_F16:
      status = bm_dot_f16_scan_batch(block->floats, queries, d, (const uint16_t *)index->rows + first * d, d, d,
                                     count, scores, count);
      break;
    case BM_FACE_INT8:
      status = bm_dot_i8_scan_batch(block->codes, queries, d, (const int8_t *)index->rows + first * d, d, d, count,
                                    int_scores, count);
      for (size_t q = 0; q < queries; ++q)
        for (size_t i = 0; i < count; ++i)
          scores[q * count + i] = (float)int_scores[q * count + i] * block->scales[q] * index->scales[first + i];
      break;
  }
  (void)status; /* arguments were validated by the caller */
}

bm_status bm_face_index_search_batch(const bm_face_index *index, const float *queries, size_t query_count,
                                     size_t dimension, size_t k, unsigned threads, bm_scored_id *results,
                                     size_t *out_counts) {
  bm_status status = check_search_arguments(index, queries, dimension, results, out_counts);
  if (status != BM_OK) return status;
  memset(out_counts, 0, query_count * sizeof *out_counts);
  if (k == 0 || index->count == 0 || query_count == 0) return BM_OK;
  const size_t row_bytes = index->dimension * (index->storage == BM_FACE_F32 ? 4 : index->storage == BM_FACE_F16 ? 2 : 1);
  const size_t chunk_rows = BATCH_CHUNK_BYTES / row_bytes > 64 ? BATCH_CHUNK_BYTES / row_bytes : 64;
  const int thread_count = resolve_threads(threads);
  query_block block_queries;
  block_queries.floats = malloc(QUERY_BLOCK * dimension * sizeof *block_queries.floats);
  block_queries.codes = malloc(QUERY_BLOCK * dimension);
  top_list *lists = calloc((size_t)thread_count * QUERY_BLOCK, sizeof *lists);
  int failed = !block_queries.floats || !block_queries.codes || !lists;
  for (size_t block_start = 0; block_start < query_count && !failed; block_start += QUERY_BLOCK) {
    const size_t block = query_count - block_start < QUERY_BLOCK ? query_count - block_start : QUERY_BLOCK;
    status = prepare_query_block(index, queries + block_start * dimension, block, &block_queries);
    if (status != BM_OK) {
      free(block_queries.floats), free(block_queries.codes), free(lists);
      return status;
    }
#pragma omp parallel num_threads(thread_count)
    {
      const int thread = omp_get_thread_num();
      top_list *thread_lists = &lists[(size_t)thread * QUERY_BLOCK];
      size_t first, end;
      thread_row_range(index->count, thread, thread_count, &first, &end);
      float *scores = malloc(QUERY_BLOCK * chunk_rows * sizeof *scores);
      int32_t *int_scores = malloc(QUERY_BLOCK * chunk_rows * sizeof *int_scores);
      int ready = scores && int_scores;
      for (size_t q = 0; q < block && ready; ++q) ready = top_list_init(&thread_lists[q], k);
      if (!ready) {
#pragma omp atomic write
        failed = 1;
      } else {
        for (size_t row = first; row < end; row += chunk_rows) {
          const size_t count = end - row < chunk_rows ? end - row : chunk_rows;
          /* The chunk stays in cache while the block's queries are scored against it. */
          score_rows_batch(index, &block_queries, block, row, count, scores, int_scores);
          for (size_t q = 0; q < block; ++q) top_list_offer_scores(&thread_lists[q], scores + q * count, count, row);
        }
      }
      free(scores);
      free(int_scores);
    }
    for (size_t q = 0; q < block && !failed; ++q) {
      const bm_scored_id *pointers[64];
      size_t counts[64];
      for (int t = 0; t < thread_count; ++t) {
        pointers[t] = lists[(size_t)t * QUERY_BLOCK + q].entries;
        counts[t] = lists[(size_t)t * QUERY_BLOCK + q].count;
      }
      bm_scored_id *out = results + (block_start + q) * k;
      if (bm_top_k_merge(pointers, counts, (size_t)thread_count, k, out, &out_counts[block_start + q]) != BM_OK)
        failed = 1;
      for (size_t i = 0; i < out_counts[block_start + q]; ++i) out[i].id = index->ids[out[i].id];
    }
    for (size_t i = 0; i < (size_t)thread_count * QUERY_BLOCK; ++i) {
      top_list_free(&lists[i]);
      lists[i].entries = NULL;
    }
  }
  free(block_queries.floats);
  free(block_queries.codes);
  free(lists);
  if (failed) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face batch search: out of memory");
  return BM_OK;
}
