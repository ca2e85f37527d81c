/* N:N deduplication: every pair of records compared once with the fusion of
 * identification (fingers at the same position, faces), the pairs whose
 * estimated FMR is within the threshold kept, and duplicate clusters as the
 * connected components of those pairs (union-find with path halving and
 * union by size). Records are walked in id order, so pairs and clusters come
 * out the same for any shard or thread count. */
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "face/face_internal.h"
#include "gallery/gallery_internal.h"

typedef struct dedup_pair {
  uint32_t a, b; /* indices into the id-sorted record list, a < b */
  double score, fmr;
} dedup_pair;

typedef struct entry {
  const bm_shard_ *shard;
  size_t index;
  const char *id;
} entry;

struct bm_gallery_dedup_s {
  char (*ids)[BM_GALLERY_MAX_ID_BYTES + 1]; /* every record involved in a pair, by list index */
  size_t id_count;
  dedup_pair *pairs;
  size_t pair_count;
  uint32_t *members;        /* cluster members (list indices), cluster after cluster */
  size_t *cluster_starts;   /* cluster c: members[cluster_starts[c] .. cluster_starts[c + 1]) */
  size_t cluster_count;
  uint64_t compared;
};

static int compare_entries(const void *a, const void *b) {
  return strcmp(((const entry *)a)->id, ((const entry *)b)->id);
}

static int compare_pairs(const void *a, const void *b) {
  const dedup_pair *x = a, *y = b;
  if (x->a != y->a) return x->a < y->a ? -1 : 1;
  return x->b < y->b ? -1 : x->b > y->b;
}

/* Record x's face embeddings as queries: decoded once per record x. */
typedef struct face_queries {
  size_t count, dimension;
  float *f32;    /* count x dimension */
  int8_t *i8;    /* count x dimension */
  float scales[BM_GALLERY_MAX_FACES];
} face_queries;

/* Fused score of two stored records; 0 terms when nothing is comparable. */
static bm_status compare_records(bm_probe *const *probes, const face_queries *faces, const entry *y, double *fused,
                                 unsigned *terms) {
  const bm_shard_ *sy = y->shard;
  const bm_shard_record_ *ry = &sy->records[y->index];
  *fused = 0.0;
  *terms = 0;
  for (size_t fy = ry->first_finger; fy < ry->first_finger + ry->finger_count; ++fy) {
    const unsigned p = sy->finger_positions[fy];
    /* unknown positions are only compared in identification (latent search) */
    if (p == 0 || !probes[p]) continue;
    float score = 0.0f;
    bm_status status = bm_match_one(probes[p], sy->blobs + sy->finger_offsets[fy], sy->finger_sizes[fy], &score);
    if (status != BM_OK) return status;
    *fused += bm_fusion_finger_term_(score, NULL);
    ++*terms;
  }
  if (faces->count && ry->face_count) {
    /* as in identification: the best cosine over every pair of the two
     * records' embeddings, its FMR corrected for the pairs tried */
    float best = -INFINITY;
    for (size_t k = 0; k < faces->count; ++k) {
      const float score = bm_shard_face_best_(sy, y->index, faces->f32 + k * faces->dimension,
                                              faces->i8 + k * faces->dimension, faces->scales[k], NULL);
      if (isnan(score)) return BM_ERR_INTERNAL; /* the scan kernel refused valid rows */
      if (score > best) best = score;
    }
    *fused += bm_fusion_face_best_term_(best, faces->count * ry->face_count, NULL);
    ++*terms;
  }
  return BM_OK;
}

bm_status bm_gallery_dedup(bm_gallery *gallery, const char *const *batch_ids, size_t batch_count, double max_fmr,
                           unsigned threads, bm_gallery_progress_fn progress, void *context,
                           bm_gallery_dedup_result **out_result) {
  if (!gallery || !out_result || (!batch_ids && batch_count))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery, out_result or batch_ids is NULL");
  *out_result = NULL;
  if (!(max_fmr > 0.0 && max_fmr <= 1.0)) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "max_fmr must lie in (0, 1]");
  const int thread_count = threads ? (int)threads : omp_get_max_threads();
  bm_gallery_dedup_result *result = calloc(1, sizeof *result);
  if (!result) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "dedup result");

  pthread_rwlock_rdlock(&gallery->view_lock);
  size_t n = 0;
  for (uint32_t s = 0; s < gallery->shard_count; ++s) n += gallery->shards[s].live_records;
  entry *entries = malloc((n ? n : 1) * sizeof *entries);
  uint8_t *in_batch = calloc(n ? n : 1, 1);
  bm_status status = entries && in_batch ? BM_OK : bm_fail_(BM_ERR_OUT_OF_MEMORY, "dedup");
  size_t k = 0;
  for (uint32_t s = 0; status == BM_OK && s < gallery->shard_count; ++s)
    for (size_t r = 0; r < gallery->shards[s].record_count; ++r)
      if (gallery->shards[s].records[r].live)
        entries[k++] = (entry){&gallery->shards[s], r, gallery->shards[s].records[r].id};
  if (status == BM_OK) qsort(entries, n, sizeof *entries, compare_entries);
  /* batch membership by binary search in the id-sorted list */
  size_t batch_size = 0;
  for (size_t b = 0; status == BM_OK && batch_ids && b < batch_count; ++b) {
    size_t length;
    status = bm_gallery_check_id_(batch_ids[b], &length);
    if (status != BM_OK) break;
    const entry key = {NULL, 0, batch_ids[b]};
    const entry *found = bsearch(&key, entries, n, sizeof *entries, compare_entries);
    if (!found) status = bm_fail_(BM_ERR_NOT_FOUND, "batch record '%s' is not enrolled", batch_ids[b]);
    else if (!in_batch[found - entries]) {
      in_batch[found - entries] = 1;
      ++batch_size;
    }
  }
  const int all = batch_ids == NULL;
  const uint64_t total = all ? (uint64_t)n * (n ? n - 1 : 0) / 2
                             : (uint64_t)batch_size * (n - batch_size) + (uint64_t)batch_size * (batch_size ? batch_size - 1 : 0) / 2;
  atomic_uint_fast64_t done = 0;
  atomic_int cancelled = 0;
  bm_status worker_status = BM_OK;
  dedup_pair **thread_pairs = calloc((size_t)thread_count, sizeof *thread_pairs);
  size_t *thread_counts = calloc((size_t)thread_count, sizeof *thread_counts);
  size_t *thread_capacity = calloc((size_t)thread_count, sizeof *thread_capacity);
  if (status == BM_OK && (!thread_pairs || !thread_counts || !thread_capacity))
    status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "dedup");
  if (status == BM_OK && n > 1) {
#pragma omp parallel num_threads(thread_count)
    {
      const int t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
      for (size_t i = 0; i < n; ++i) {
        if (atomic_load(&cancelled)) continue;
        /* pairs (i, j), j > i, where i or j is in the batch; a batch record
         * i also meets every earlier non-batch record j < i */
        if (!all && !in_batch[i]) continue; /* its pairs are taken from the batch side */
        const entry *x = &entries[i];
        bm_probe *probes[BM_GALLERY_SLOTS_] = {0};
        bm_status st = BM_OK;
        const bm_shard_record_ *rx = &x->shard->records[x->index];
        for (size_t f = rx->first_finger; st == BM_OK && f < rx->first_finger + rx->finger_count; ++f)
          st = bm_probe_create_from_prepared(x->shard->blobs + x->shard->finger_offsets[f], x->shard->finger_sizes[f],
                                             &probes[x->shard->finger_positions[f]]);
        /* record i's faces, decoded once, are the queries for its pairs */
        face_queries faces = {0, x->shard->face_dimension, NULL, NULL, {0}};
        if (st == BM_OK && rx->face_count) {
          const size_t d = x->shard->face_dimension;
          faces.f32 = malloc((size_t)rx->face_count * d * sizeof *faces.f32);
          faces.i8 = malloc((size_t)rx->face_count * d);
          if (!faces.f32 || !faces.i8) st = BM_ERR_OUT_OF_MEMORY;
          else {
            faces.count = rx->face_count;
            for (size_t q = 0; q < faces.count; ++q) {
              bm_shard_face_decode_row_(x->shard, (size_t)rx->face_row + q, faces.f32 + q * d);
              faces.scales[q] = bm_face_quantise_int8_(faces.f32 + q * d, d, faces.i8 + q * d);
            }
          }
        }
        uint64_t local = 0;
        for (size_t j = 0; st == BM_OK && j < n; ++j) {
          if (j == i) continue;
          if (all ? j < i : !(in_batch[i] ? (!in_batch[j] || j > i) : 0)) continue;
          double fused;
          unsigned terms;
          st = compare_records(probes, &faces, &entries[j], &fused, &terms);
          ++local;
          if (st != BM_OK || !(fused > 0.0)) continue;
          const double fmr = bm_fusion_fmr_(fused, terms);
          if (fmr > max_fmr) continue;
          if (thread_counts[t] == thread_capacity[t]) {
            const size_t cap = thread_capacity[t] ? 2 * thread_capacity[t] : 256;
            dedup_pair *grown = realloc(thread_pairs[t], cap * sizeof *grown);
            if (!grown) {
              st = BM_ERR_OUT_OF_MEMORY;
              break;
            }
            thread_pairs[t] = grown;
            thread_capacity[t] = cap;
          }
          const uint32_t a = (uint32_t)(i < j ? i : j), b = (uint32_t)(i < j ? j : i);
          thread_pairs[t][thread_counts[t]++] = (dedup_pair){a, b, fused, fmr};
        }
        for (unsigned p = 0; p < BM_GALLERY_SLOTS_; ++p) bm_probe_free(probes[p]);
        free(faces.f32);
        free(faces.i8);
        const uint64_t now = atomic_fetch_add(&done, local) + local;
        if (st != BM_OK) {
#pragma omp critical(bm_gallery_dedup_error)
          worker_status = st;
          atomic_store(&cancelled, 1);
        }
        if (t == 0 && progress && !atomic_load(&cancelled) && progress(context, now, total)) atomic_store(&cancelled, 2);
      }
    }
  }
  /* The id strings live in the shards' arrays, which a writer may move
   * (grow) once the view lock is released: the result keeps copies. */
  char(*id_copies)[BM_GALLERY_MAX_ID_BYTES + 1] = NULL;
  if (status == BM_OK) {
    id_copies = malloc((n ? n : 1) * sizeof *id_copies);
    if (!id_copies) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "dedup ids");
    for (size_t i = 0; id_copies && i < n; ++i) {
      memcpy(id_copies[i], entries[i].id, strlen(entries[i].id) + 1);
      entries[i].id = id_copies[i];
    }
  }
  pthread_rwlock_unlock(&gallery->view_lock);
  if (status == BM_OK && worker_status != BM_OK)
    status = bm_fail_(worker_status, "comparing records failed");
  else if (status == BM_OK && atomic_load(&cancelled) == 2)
    status = bm_fail_(BM_ERR_CANCELLED, "deduplication cancelled after %llu of %llu pairs",
                      (unsigned long long)atomic_load(&done), (unsigned long long)total);
  /* The final report. Its answer counts too: on a busy machine the other
   * threads may have done every pair before the calling thread reported
   * once, and a caller that asks to cancel must get BM_ERR_CANCELLED. */
  if (status == BM_OK && progress && progress(context, atomic_load(&done), total))
    status = bm_fail_(BM_ERR_CANCELLED, "deduplication cancelled after all %llu pairs",
                      (unsigned long long)total);

  /* gather, order, cluster */
  size_t pair_total = 0;
  for (int t = 0; thread_counts && t < thread_count; ++t) pair_total += thread_counts[t];
  if (status == BM_OK) {
    result->pairs = malloc((pair_total ? pair_total : 1) * sizeof *result->pairs);
    if (!result->pairs) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "dedup pairs");
  }
  if (status == BM_OK) {
    for (int t = 0; t < thread_count; ++t) {
      if (!thread_counts[t]) continue; /* no array at all: memcpy from NULL is undefined even for 0 bytes */
      memcpy(result->pairs + result->pair_count, thread_pairs[t], thread_counts[t] * sizeof *result->pairs);
      result->pair_count += thread_counts[t];
    }
    qsort(result->pairs, result->pair_count, sizeof *result->pairs, compare_pairs);
    result->compared = atomic_load(&done);
  }
  uint32_t *parent = status == BM_OK ? malloc((n ? n : 1) * sizeof *parent) : NULL;
  uint32_t *size = status == BM_OK ? malloc((n ? n : 1) * sizeof *size) : NULL;
  if (status == BM_OK && (!parent || !size)) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "clusters");
  if (status == BM_OK) {
    for (size_t i = 0; i < n; ++i) parent[i] = (uint32_t)i, size[i] = 1;
    for (size_t q = 0; q < result->pair_count; ++q) {
      uint32_t a = result->pairs[q].a, b = result->pairs[q].b;
      while (parent[a] != a) a = parent[a] = parent[parent[a]];
      while (parent[b] != b) b = parent[b] = parent[parent[b]];
      if (a == b) continue;
      if (size[a] < size[b]) {
        const uint32_t swap = a;
        a = b;
        b = swap;
      }
      parent[b] = a;
      size[a] += size[b];
    }
    /* members: records in a component of 2 or more, grouped by root; the
     * walk in index (= id) order makes each cluster ascending and orders
     * clusters by their first id */
    size_t member_count = 0;
    for (size_t i = 0; i < n; ++i) {
      uint32_t root = (uint32_t)i;
      while (parent[root] != root) root = parent[root];
      parent[i] = root;
      if (size[root] > 1) ++member_count;
    }
    result->members = malloc((member_count ? member_count : 1) * sizeof *result->members);
    result->cluster_starts = malloc((member_count + 1) * sizeof *result->cluster_starts);
    result->ids = malloc((n ? n : 1) * sizeof *result->ids);
    uint32_t *cluster_of_root = malloc((n ? n : 1) * sizeof *cluster_of_root);
    size_t *fill = malloc((member_count + 1) * sizeof *fill);
    if (!result->members || !result->cluster_starts || !result->ids || !cluster_of_root || !fill) {
      status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "clusters");
    } else {
      for (size_t i = 0; i < n; ++i) {
        memcpy(result->ids[i], entries[i].id, strlen(entries[i].id) + 1);
        cluster_of_root[i] = UINT32_MAX;
      }
      result->id_count = n;
      size_t start = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t root = parent[i];
        if (size[root] < 2 || cluster_of_root[root] != UINT32_MAX) continue;
        cluster_of_root[root] = (uint32_t)result->cluster_count;
        result->cluster_starts[result->cluster_count] = start;
        fill[result->cluster_count] = start;
        start += size[root];
        result->cluster_count++;
      }
      result->cluster_starts[result->cluster_count] = start;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t root = parent[i];
        if (size[root] < 2) continue;
        result->members[fill[cluster_of_root[root]]++] = (uint32_t)i;
      }
    }
    free(cluster_of_root);
    free(fill);
  }
  free(parent);
  free(size);
  for (int t = 0; thread_pairs && t < thread_count; ++t) free(thread_pairs[t]);
  free(thread_pairs);
  free(thread_counts);
  free(thread_capacity);
  free(entries);
  free(id_copies);
  free(in_batch);
  if (status != BM_OK) {
    bm_gallery_dedup_free(result);
    return status;
  }
  *out_result = result;
  return BM_OK;
}

void bm_gallery_dedup_free(bm_gallery_dedup_result *result) {
  if (!result) return;
  free(result->ids);
  free(result->pairs);
  free(result->members);
  free(result->cluster_starts);
  free(result);
}

size_t bm_gallery_dedup_pair_count(const bm_gallery_dedup_result *result) { return result ? result->pair_count : 0; }

bm_status bm_gallery_dedup_pair(const bm_gallery_dedup_result *result, size_t i, const char **id_a, const char **id_b,
                                double *score, double *fmr) {
  if (!result || i >= result->pair_count) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no pair %zu", i);
  const dedup_pair *p = &result->pairs[i];
  if (id_a) *id_a = result->ids[p->a];
  if (id_b) *id_b = result->ids[p->b];
  if (score) *score = p->score;
  if (fmr) *fmr = p->fmr;
  return BM_OK;
}

size_t bm_gallery_dedup_cluster_count(const bm_gallery_dedup_result *result) {
  return result ? result->cluster_count : 0;
}

size_t bm_gallery_dedup_cluster_size(const bm_gallery_dedup_result *result, size_t c) {
  if (!result || c >= result->cluster_count) return 0;
  return result->cluster_starts[c + 1] - result->cluster_starts[c];
}

const char *bm_gallery_dedup_cluster_member(const bm_gallery_dedup_result *result, size_t c, size_t j) {
  if (j >= bm_gallery_dedup_cluster_size(result, c)) return NULL;
  return result->ids[result->members[result->cluster_starts[c] + j]];
}

uint64_t bm_gallery_dedup_pairs_compared(const bm_gallery_dedup_result *result) {
  return result ? result->compared : 0;
}
