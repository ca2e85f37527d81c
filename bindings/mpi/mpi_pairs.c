/* Cross-rank pair scoring and global clusters (see mpi_pairs.h). */
#include "mpi_pairs.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_kernels.h"
#include "error.h"
#include "gallery/gallery_internal.h"

bm_status bm_mpi_pair_list_push_(bm_mpi_pair_list_ *list, const char *a, const char *b, double score, double fmr) {
  if (list->count == list->capacity) {
    const size_t capacity = list->capacity ? 2 * list->capacity : 64;
    bm_mpi_pair_ *grown = realloc(list->pairs, capacity * sizeof *grown);
    if (!grown) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "deduplication pairs");
    list->pairs = grown;
    list->capacity = capacity;
  }
  bm_mpi_pair_ *p = &list->pairs[list->count++];
  memset(p, 0, sizeof *p);
  const size_t length_a = strnlen(a, BM_GALLERY_MAX_ID_BYTES), length_b = strnlen(b, BM_GALLERY_MAX_ID_BYTES);
  memcpy(p->a, a, length_a); /* the rest stays zero: NUL-terminated */
  memcpy(p->b, b, length_b);
  p->score = score;
  p->fmr = fmr;
  return BM_OK;
}

bm_status bm_mpi_pair_list_append_(bm_mpi_pair_list_ *list, const bm_mpi_pair_list_ *from) {
  for (size_t i = 0; i < from->count; ++i) {
    const bm_mpi_pair_ *p = &from->pairs[i];
    bm_status status = bm_mpi_pair_list_push_(list, p->a, p->b, p->score, p->fmr);
    if (status != BM_OK) return status;
  }
  list->compared += from->compared;
  return BM_OK;
}

void bm_mpi_pair_list_free_(bm_mpi_pair_list_ *list) {
  free(list->pairs);
  memset(list, 0, sizeof *list);
}

bm_status bm_mpi_probe_set_create_(const bm_mpi_record_view_ *record, bm_mpi_probe_set_ *out) {
  memset(out, 0, sizeof *out);
  for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p) {
    if (!record->blobs[p]) continue;
    bm_status status = bm_probe_create_from_prepared(record->blobs[p], record->blob_sizes[p], &out->probes[p]);
    if (status != BM_OK) {
      bm_mpi_probe_set_free_(out);
      return status;
    }
  }
  return BM_OK;
}

void bm_mpi_probe_set_free_(bm_mpi_probe_set_ *set) {
  for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p) {
    bm_probe_free(set->probes[p]);
    set->probes[p] = NULL;
  }
}

bm_status bm_mpi_compare_records_(const bm_mpi_probe_set_ *probes, const bm_mpi_record_view_ *probe_record,
                                  const bm_mpi_record_view_ *other, uint32_t face_dimension, double *fused,
                                  unsigned *terms) {
  *fused = 0.0;
  *terms = 0;
  /* unknown positions are compared only in identification (latent search) */
  for (unsigned p = 1; p <= BM_GALLERY_MAX_POSITION; ++p) {
    if (!other->blobs[p] || !probes->probes[p]) continue;
    float score = 0.0f;
    bm_status status = bm_match_one(probes->probes[p], other->blobs[p], other->blob_sizes[p], &score);
    if (status != BM_OK) return status;
    *fused += bm_fusion_finger_term_(score, NULL);
    ++*terms;
  }
  if (face_dimension && probe_record->face_count && other->face_count) {
    /* The best of every pair of embeddings, its FMR corrected for the
     * number of pairs tried: the gallery's own deduplication rule. */
    float best = -INFINITY;
    for (unsigned a = 0; a < probe_record->face_count; ++a) {
      float cosines[BM_GALLERY_MAX_FACES];
      bm_status status = bm_dot_f32_scan(probe_record->faces + a * probe_record->face_stride, other->faces,
                                         face_dimension, other->face_stride, other->face_count, cosines);
      if (status != BM_OK) return status;
      for (unsigned b = 0; b < other->face_count; ++b)
        if (cosines[b] > best) best = cosines[b];
    }
    *fused += bm_fusion_face_best_term_(best, (size_t)probe_record->face_count * other->face_count, NULL);
    ++*terms;
  }
  return BM_OK;
}

/* Pairs (i, j) of local x visiting; with `same_block`, local and visiting
 * are one block and only j > i is taken. */
static bm_status compare_blocks(const bm_mpi_record_view_ *local, const bm_mpi_probe_set_ *local_probes,
                                size_t local_count, const bm_mpi_record_view_ *visiting,
                                const bm_mpi_probe_set_ *visiting_probes, size_t visiting_count, int same_block,
                                uint32_t face_dimension, int parity, double max_fmr, unsigned threads,
                                bm_mpi_pair_list_ *out) {
  const int thread_count = threads ? (int)threads : omp_get_max_threads();
  bm_mpi_pair_list_ *found = calloc((size_t)thread_count, sizeof *found);
  if (!found) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "deduplication pairs");
  bm_status status = BM_OK;
#pragma omp parallel num_threads(thread_count)
  {
    bm_mpi_pair_list_ *mine = &found[omp_get_thread_num()];
    bm_status st = BM_OK;
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < local_count; ++i) {
      for (size_t j = same_block ? i + 1 : 0; st == BM_OK && j < visiting_count; ++j) {
        if (parity >= 0 && (int)((i + j) % 2) != parity) continue;
        const int local_first = strcmp(local[i].id, visiting[j].id) < 0;
        const bm_mpi_record_view_ *a = local_first ? &local[i] : &visiting[j];
        const bm_mpi_record_view_ *b = local_first ? &visiting[j] : &local[i];
        const bm_mpi_probe_set_ *probes = local_first ? &local_probes[i] : &visiting_probes[j];
        double fused;
        unsigned terms;
        st = bm_mpi_compare_records_(probes, a, b, face_dimension, &fused, &terms);
        ++mine->compared;
        if (st != BM_OK || !(fused > 0.0)) continue;
        const double fmr = bm_fusion_fmr_(fused, terms);
        if (fmr <= max_fmr) st = bm_mpi_pair_list_push_(mine, a->id, b->id, fused, fmr);
      }
    }
    if (st != BM_OK) {
#pragma omp critical(bm_mpi_cross_pairs_error)
      status = st;
    }
  }
  for (int t = 0; t < thread_count; ++t) {
    if (status == BM_OK) status = bm_mpi_pair_list_append_(out, &found[t]);
    bm_mpi_pair_list_free_(&found[t]);
  }
  free(found);
  return status;
}

bm_status bm_mpi_cross_pairs_(const bm_mpi_record_view_ *local, const bm_mpi_probe_set_ *local_probes,
                              size_t local_count, const bm_mpi_record_view_ *visiting,
                              const bm_mpi_probe_set_ *visiting_probes, size_t visiting_count,
                              uint32_t face_dimension, int parity, double max_fmr, unsigned threads,
                              bm_mpi_pair_list_ *out) {
  return compare_blocks(local, local_probes, local_count, visiting, visiting_probes, visiting_count, 0,
                        face_dimension, parity, max_fmr, threads, out);
}

bm_status bm_mpi_block_pairs_(const bm_mpi_record_view_ *records, const bm_mpi_probe_set_ *probes, size_t count,
                              uint32_t face_dimension, double max_fmr, unsigned threads, bm_mpi_pair_list_ *out) {
  return compare_blocks(records, probes, count, records, probes, count, 1, face_dimension, -1, max_fmr, threads,
                        out);
}

static int compare_pairs(const void *x, const void *y) {
  const bm_mpi_pair_ *p = x, *q = y;
  const int first = strcmp(p->a, q->a);
  return first ? first : strcmp(p->b, q->b);
}

static int compare_id_pointers(const void *x, const void *y) {
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static size_t index_of(const char **ids, size_t count, const char *id) {
  const char **found = bsearch(&id, ids, count, sizeof *ids, compare_id_pointers);
  return (size_t)(found - ids);
}

static size_t find_root(size_t *parent, size_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

bm_status bm_mpi_cluster_pairs_(bm_mpi_pair_list_ *pairs, const char ***out_ids, size_t *out_id_count,
                                size_t **out_members, size_t **out_starts, size_t *out_cluster_count) {
  *out_ids = NULL;
  *out_members = *out_starts = NULL;
  *out_id_count = *out_cluster_count = 0;
  qsort(pairs->pairs, pairs->count, sizeof *pairs->pairs, compare_pairs);
  const size_t slots = 2 * pairs->count + 1;
  const char **ids = malloc(slots * sizeof *ids);
  size_t *parent = malloc(slots * sizeof *parent), *size = malloc(slots * sizeof *size);
  size_t *members = malloc(slots * sizeof *members), *starts = malloc((slots + 1) * sizeof *starts);
  size_t *cluster_of_root = malloc(slots * sizeof *cluster_of_root), *fill = malloc(slots * sizeof *fill);
  if (!ids || !parent || !size || !members || !starts || !cluster_of_root || !fill) {
    free(ids), free(parent), free(size), free(members), free(starts), free(cluster_of_root), free(fill);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "clusters of %zu pairs", pairs->count);
  }
  size_t n = 0;
  for (size_t q = 0; q < pairs->count; ++q) {
    ids[n++] = pairs->pairs[q].a;
    ids[n++] = pairs->pairs[q].b;
  }
  qsort(ids, n, sizeof *ids, compare_id_pointers);
  size_t unique = 0;
  for (size_t i = 0; i < n; ++i)
    if (unique == 0 || strcmp(ids[unique - 1], ids[i]) != 0) ids[unique++] = ids[i];
  n = unique;
  for (size_t i = 0; i < n; ++i) parent[i] = i, size[i] = 1;
  for (size_t q = 0; q < pairs->count; ++q) {
    size_t a = find_root(parent, index_of(ids, n, pairs->pairs[q].a));
    size_t b = find_root(parent, index_of(ids, n, pairs->pairs[q].b));
    if (a == b) continue;
    if (size[a] < size[b]) {
      const size_t swap = a;
      a = b;
      b = swap;
    }
    parent[b] = a;
    size[a] += size[b];
  }
  /* Walking ids in ascending order makes each cluster ascending and orders
   * clusters by their first id. Every id here is in a pair: no singletons. */
  size_t clusters = 0, start = 0;
  for (size_t i = 0; i < n; ++i) cluster_of_root[i] = SIZE_MAX;
  for (size_t i = 0; i < n; ++i) {
    const size_t root = find_root(parent, i);
    if (cluster_of_root[root] != SIZE_MAX) continue;
    cluster_of_root[root] = clusters;
    starts[clusters] = fill[clusters] = start;
    start += size[root];
    ++clusters;
  }
  starts[clusters] = start;
  for (size_t i = 0; i < n; ++i) members[fill[cluster_of_root[find_root(parent, i)]]++] = i;
  free(parent), free(size), free(cluster_of_root), free(fill);
  *out_ids = ids;
  *out_id_count = n;
  *out_members = members;
  *out_starts = starts;
  *out_cluster_count = clusters;
  return BM_OK;
}
