/* 1:N identification: probes, the cascade selection, the per-shard scan
 * (OpenMP over shards), fusion per record, the top-K in a fixed total order
 * (fused score descending, id ascending) and the result object.
 *
 * Shard and thread counts never change a result: every record's score is
 * computed the same way wherever it lives, the order is total, and the
 * cascade's cut is taken over the whole gallery, not per shard. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "face/face_internal.h"
#include "gallery/gallery_internal.h"

struct bm_gallery_probe_s {
  uint16_t finger_mask;
  bm_probe *probes[BM_GALLERY_SLOTS_];
  uint8_t *codes[BM_GALLERY_SLOTS_]; /* prefilter codes, or NULL */
  float *face;                       /* normalised */
  int8_t *face_i8;                   /* for int8 galleries */
  float face_scale;
  uint32_t face_dimension;
};

bm_status bm_gallery_probe_create(bm_gallery_probe **out_probe) {
  if (!out_probe) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_probe is NULL");
  *out_probe = calloc(1, sizeof **out_probe);
  return *out_probe ? BM_OK : bm_fail_(BM_ERR_OUT_OF_MEMORY, "probe");
}

void bm_gallery_probe_free(bm_gallery_probe *probe) {
  if (!probe) return;
  for (unsigned p = 0; p < BM_GALLERY_SLOTS_; ++p) {
    bm_probe_free(probe->probes[p]);
    free(probe->codes[p]);
  }
  free(probe->face);
  free(probe->face_i8);
  free(probe);
}

bm_status bm_gallery_probe_add_finger(bm_gallery_probe *probe, unsigned position, const bm_template *tpl) {
  if (!probe || !tpl) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "probe or template is NULL");
  if (position > BM_GALLERY_MAX_POSITION)
    return bm_fail_(BM_ERR_BAD_FINGER_POSITION, "finger position %u is not 0 (unknown) or 1..10", position);
  const uint16_t others = probe->finger_mask & (uint16_t)~(1u << position);
  if ((position == 0 && others) || (position != 0 && (probe->finger_mask & 1u)))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "a finger of unknown position (0) must be the probe's only finger");
  bm_probe *prepared = NULL;
  bm_status status = bm_probe_create(tpl, &prepared);
  if (status != BM_OK) return status;
  uint8_t *code = NULL;
  const size_t code_bytes = bm_cascade_code_bytes_();
  if (code_bytes) {
    code = malloc(code_bytes);
    status = code ? bm_cascade_encode_(tpl, code) : bm_fail_(BM_ERR_OUT_OF_MEMORY, "probe code");
    if (status != BM_OK) {
      free(code);
      bm_probe_free(prepared);
      return status;
    }
  }
  bm_probe_free(probe->probes[position]);
  free(probe->codes[position]);
  probe->probes[position] = prepared;
  probe->codes[position] = code;
  probe->finger_mask |= (uint16_t)(1u << position);
  return BM_OK;
}

bm_status bm_gallery_probe_set_face(bm_gallery_probe *probe, const float *embedding, size_t dimension) {
  if (!probe || !embedding) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "probe or embedding is NULL");
  if (dimension < BM_FACE_MIN_DIMENSION || dimension > BM_FACE_MAX_DIMENSION)
    return bm_fail_(BM_ERR_DIMENSION, "face dimension %zu outside %d..%d", dimension, BM_FACE_MIN_DIMENSION,
                    BM_FACE_MAX_DIMENSION);
  float *face = malloc(dimension * sizeof *face);
  int8_t *codes = malloc(dimension);
  bm_status status = face && codes ? bm_face_normalise_(embedding, dimension, face) : bm_fail_(BM_ERR_OUT_OF_MEMORY, "face");
  if (status != BM_OK) {
    free(face);
    free(codes);
    return status;
  }
  free(probe->face);
  free(probe->face_i8);
  probe->face = face;
  probe->face_i8 = codes;
  probe->face_scale = bm_face_quantise_int8_(face, dimension, codes);
  probe->face_dimension = (uint32_t)dimension;
  return BM_OK;
}

void bm_gallery_search_params_init(bm_gallery_search_params *params) {
  if (!params) return;
  memset(params, 0, sizeof *params);
  params->top_k = 10;
  params->max_fmr = 1.0;
  params->penetration = 1.0;
}

/* ------------------------------------------------------------ candidates */

typedef struct finger_detail {
  uint8_t probe_position, record_position;
  float score;
  double fmr;
} finger_detail;

typedef struct candidate {
  char id[BM_GALLERY_MAX_ID_BYTES + 1];
  uint8_t detail_count;
  uint8_t face_index, faces_compared; /* the best-agreeing embedding; 0 compared: no face term */
  float face_score;
  double fused, fmr;
  finger_detail details[BM_GALLERY_SLOTS_];
} candidate;

struct bm_gallery_result_s {
  candidate *items;
  size_t count;
  uint64_t comparisons;
};

/* The total order of results: fused score descending, then id ascending. */
static int compare_candidates(const void *a, const void *b) {
  const candidate *x = a, *y = b;
  if (x->fused != y->fused) return x->fused > y->fused ? -1 : 1;
  return strcmp(x->id, y->id);
}

typedef struct candidate_list {
  candidate *items;
  size_t count, capacity, keep;
  /* after the first pruning: the worst of the `keep` kept, and its fused
   * score (-inf before), so most records of a large shard are turned away
   * by one comparison instead of being sorted later */
  int have_floor;
  candidate floor;
  double floor_fused;
} candidate_list;

/* Adds a candidate; when the list is full, sorts it and keeps the best
 * `keep` (the final order is total, so pruning early changes nothing).
 * A candidate ranking after the kept worst can never reach the top `keep`
 * (that many rank before it already): it is dropped at once. */
static int list_push(candidate_list *list, const candidate *c) {
  if (list->have_floor && compare_candidates(c, &list->floor) > 0) return 1;
  if (list->count == list->capacity) {
    if (list->capacity >= 4 * list->keep + 256) {
      qsort(list->items, list->count, sizeof *list->items, compare_candidates);
      list->count = list->keep;
      list->floor = list->items[list->keep - 1];
      list->floor_fused = list->floor.fused;
      list->have_floor = 1;
    } else {
      const size_t n = list->capacity ? list->capacity * 2 : 64;
      candidate *items = realloc(list->items, n * sizeof *items);
      if (!items) return 0;
      list->items = items;
      list->capacity = n;
    }
  }
  list->items[list->count++] = *c;
  return 1;
}

/* ------------------------------------------------------------ scoring */

typedef struct search_context {
  const bm_gallery *gallery;
  const bm_gallery_probe *probe;
  double max_fmr;
} search_context;

/* Scores record `r` of `shard`; `selected` (NULL: every finger) marks the
 * fingers the cascade passed for an unknown-position probe; face_scores
 * holds the probe face's cosine with every face row of the shard (NULL
 * without a probe face). Returns 1 and fills `out` when the record is a
 * candidate. */
static int score_record(const search_context *ctx, const bm_shard_ *shard, size_t r, const uint8_t *selected,
                        const float *face_scores, double floor_fused, candidate *out, uint64_t *comparisons,
                        bm_status *error) {
  const bm_gallery_probe *probe = ctx->probe;
  const bm_shard_record_ *record = &shard->records[r];
  double fused = 0.0;
  unsigned terms = 0;
  out->detail_count = 0;
  if (probe->finger_mask == 1u) {
    /* Unknown position: every (selected) finger of the record; the record's
     * finger term is the best score, its FMR corrected for the number of
     * fingers tried (the best of m impostor comparisons). */
    float best = 0.0f;
    size_t tried = 0;
    for (size_t f = record->first_finger; f < record->first_finger + record->finger_count; ++f) {
      if (selected && !selected[f]) continue;
      float score = 0.0f;
      bm_status status =
          bm_match_one(probe->probes[0], shard->blobs + shard->finger_offsets[f], shard->finger_sizes[f], &score);
      if (status != BM_OK) {
        *error = status;
        return 0;
      }
      ++tried;
      double fmr;
      bm_fusion_finger_term_(score, &fmr);
      finger_detail *d = &out->details[out->detail_count++];
      d->probe_position = 0;
      d->record_position = shard->finger_positions[f];
      d->score = score;
      d->fmr = fmr;
      if (score > best) best = score;
    }
    *comparisons += tried;
    if (tried) {
      double p;
      bm_fusion_finger_term_(best, &p);
      const double corrected = bm_fusion_best_of_(p, tried);
      fused += corrected < 1.0 ? -log10(corrected) : 0.0;
      ++terms;
    }
  } else if (probe->finger_mask) {
    for (unsigned p = 1; p < BM_GALLERY_SLOTS_; ++p) {
      if (!(probe->finger_mask >> p & 1u)) continue;
      for (size_t f = record->first_finger; f < record->first_finger + record->finger_count; ++f) {
        if (shard->finger_positions[f] != p) continue;
        float score = 0.0f;
        bm_status status =
            bm_match_one(probe->probes[p], shard->blobs + shard->finger_offsets[f], shard->finger_sizes[f], &score);
        if (status != BM_OK) {
          *error = status;
          return 0;
        }
        ++*comparisons;
        finger_detail *d = &out->details[out->detail_count++];
        d->probe_position = (uint8_t)p;
        d->record_position = (uint8_t)p;
        d->score = score;
        fused += bm_fusion_finger_term_(score, &d->fmr);
        ++terms;
        break;
      }
    }
  }
  out->face_score = NAN;
  out->face_index = out->faces_compared = 0;
  if (face_scores && record->face_count) {
    /* the record's face is its best-agreeing embedding, the FMR corrected
     * for how many were tried (gallery_fusion.c says why) */
    const float *scores = face_scores + record->face_row;
    size_t best = 0;
    for (size_t k = 1; k < record->face_count; ++k)
      if (scores[k] > scores[best]) best = k; /* the first of equal maxima, wherever the record lives */
    out->face_score = scores[best];
    out->face_index = (uint8_t)best;
    out->faces_compared = record->face_count;
    fused += bm_fusion_face_best_term_(out->face_score, record->face_count, NULL);
    ++terms;
  }
  if (!(fused > 0.0)) return 0;
  /* below the shard list's kept worst: it cannot be returned, so its FMR
   * and id are not worth computing (equal scores go on: the id decides) */
  if (fused < floor_fused) return 0;
  out->fused = fused;
  out->fmr = bm_fusion_fmr_(fused, terms);
  if (out->fmr > ctx->max_fmr) return 0;
  memcpy(out->id, record->id, record->id_length + 1u);
  return 1;
}

/* ------------------------------------------------------------ cascade */

/* Eligible fingers of a shard for probe position p: live, and at position
 * p (any position for p = 0). */
static int eligible(const bm_shard_ *shard, size_t f, unsigned p) {
  return shard->records[shard->finger_records[f]].live && (p == 0 || shard->finger_positions[f] == p);
}

/* The k-th largest (k >= 1) of values[0..n), reordering them: Hoare's
 * selection with a middle pivot, linear on average (a sort of a million
 * similarities per probe finger would cost more than the scan). */
uint32_t bm_cascade_kth_largest_(uint32_t *values, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  const size_t target = k - 1; /* index in descending order */
  while (lo < hi) {
    const uint32_t pivot = values[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (values[i] > pivot) ++i;
      while (values[j] < pivot) --j;
      if (i <= j) {
        const uint32_t swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        ++i;
        if (j == 0) break;
        --j;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

/* Marks in selected[s][f] (bit p) the fingers the cascade keeps for each
 * probe position: for each, the ceil(penetration * n) best of the n eligible
 * fingers of the whole gallery by code similarity, all ties at the cut
 * included (so the set depends on nothing but the gallery's content). */
static bm_status cascade_select(const bm_gallery *g, const bm_gallery_probe *probe, double penetration,
                                unsigned threads, uint16_t **selected) {
  uint32_t **similarities = calloc(g->shard_count, sizeof *similarities);
  if (!similarities) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "cascade");
  bm_status status = BM_OK;
  for (uint32_t s = 0; s < g->shard_count; ++s) {
    const size_t n = g->shards[s].finger_count;
    similarities[s] = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!similarities[s]) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "cascade");
  }
  for (unsigned p = 0; status == BM_OK && p < BM_GALLERY_SLOTS_; ++p) {
    if (!(probe->finger_mask >> p & 1u)) continue;
    bm_status scan_status = BM_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (uint32_t s = 0; s < g->shard_count; ++s) {
      const bm_shard_ *shard = &g->shards[s];
      bm_status st = bm_cascade_scan_(probe->codes[p], shard->codes, shard->finger_count, similarities[s]);
      if (st != BM_OK) {
#pragma omp critical(bm_gallery_cascade_error)
        scan_status = st;
      }
    }
    if (scan_status != BM_OK) {
      status = bm_fail_(scan_status, "prefilter scan failed");
      break;
    }
    size_t eligible_count = 0;
    for (uint32_t s = 0; s < g->shard_count; ++s)
      for (size_t f = 0; f < g->shards[s].finger_count; ++f) eligible_count += (size_t)eligible(&g->shards[s], f, p);
    if (!eligible_count) continue;
    uint32_t *all = malloc(eligible_count * sizeof *all);
    if (!all) {
      status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "cascade");
      break;
    }
    size_t k = 0;
    for (uint32_t s = 0; s < g->shard_count; ++s)
      for (size_t f = 0; f < g->shards[s].finger_count; ++f)
        if (eligible(&g->shards[s], f, p)) all[k++] = similarities[s][f];
    size_t keep = (size_t)ceil(penetration * (double)eligible_count);
    if (keep < 1) keep = 1;
    if (keep > eligible_count) keep = eligible_count;
    const uint32_t cut = bm_cascade_kth_largest_(all, eligible_count, keep);
    free(all);
    for (uint32_t s = 0; s < g->shard_count; ++s)
      for (size_t f = 0; f < g->shards[s].finger_count; ++f)
        if (eligible(&g->shards[s], f, p) && similarities[s][f] >= cut) selected[s][f] |= (uint16_t)(1u << p);
  }
  for (uint32_t s = 0; s < g->shard_count; ++s) free(similarities[s]);
  free(similarities);
  return status;
}

/* ------------------------------------------------------------ identify */

bm_status bm_gallery_identify(bm_gallery *gallery, const bm_gallery_probe *probe,
                              const bm_gallery_search_params *params, bm_gallery_result **out_result) {
  if (!gallery || !probe || !out_result) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery, probe or out_result is NULL");
  *out_result = NULL;
  bm_gallery_search_params defaults;
  if (!params) {
    bm_gallery_search_params_init(&defaults);
    params = &defaults;
  }
  if (params->top_k < 1 || params->top_k > BM_GALLERY_MAX_TOP_K)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "top_k %u outside 1..%d", params->top_k, BM_GALLERY_MAX_TOP_K);
  if (!(params->max_fmr > 0.0 && params->max_fmr <= 1.0))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "max_fmr must lie in (0, 1]");
  if (!(params->penetration > 0.0 && params->penetration <= 1.0))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "penetration must lie in (0, 1]");
  if (!probe->finger_mask && !probe->face) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "probe holds no finger and no face");
  if (probe->face && probe->face_dimension != gallery->face_dimension)
    return bm_fail_(BM_ERR_DIMENSION, "probe face of dimension %u, the gallery's is %u", probe->face_dimension,
                    gallery->face_dimension);
  const int cascade = params->penetration < 1.0 && probe->finger_mask;
  if (cascade && !gallery->code_bytes)
    return bm_fail_(BM_ERR_UNSUPPORTED, "cascade search needs prefilter codes, which this gallery does not keep");
  const int threads = params->threads ? (int)params->threads : omp_get_max_threads();

  bm_gallery_result *result = calloc(1, sizeof *result);
  if (!result) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "result");
  search_context ctx = {gallery, probe, params->max_fmr};
  const uint32_t shard_count = gallery->shard_count;
  candidate_list *lists = calloc(shard_count, sizeof *lists);
  uint16_t **selected = cascade ? calloc(shard_count, sizeof *selected) : NULL;
  bm_status status = lists && (!cascade || selected) ? BM_OK : bm_fail_(BM_ERR_OUT_OF_MEMORY, "search");

  pthread_rwlock_rdlock(&gallery->view_lock);
  for (uint32_t s = 0; status == BM_OK && cascade && s < shard_count; ++s) {
    selected[s] = calloc(gallery->shards[s].finger_count + 1, sizeof **selected);
    if (!selected[s]) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "cascade");
  }
  if (status == BM_OK && cascade) status = cascade_select(gallery, probe, params->penetration, (unsigned)threads, selected);
  uint64_t comparisons = 0;
  bm_status worker_status = BM_OK;
  if (status == BM_OK) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : comparisons)
    for (uint32_t s = 0; s < shard_count; ++s) {
      const bm_shard_ *shard = &gallery->shards[s];
      candidate_list *list = &lists[s];
      list->keep = params->top_k;
      list->floor_fused = -INFINITY;
      uint8_t *unknown_selected = NULL;
      bm_status shard_status = BM_OK;
      if (cascade && probe->finger_mask == 1u) {
        unknown_selected = calloc(shard->finger_count + 1, 1);
        if (!unknown_selected) shard_status = BM_ERR_OUT_OF_MEMORY;
        else
          for (size_t f = 0; f < shard->finger_count; ++f) unknown_selected[f] = (uint8_t)(selected[s][f] & 1u);
      }
      /* The probe face against every face row of the shard in one call of
       * the SIMD scan kernel (rows are contiguous; a record's rows are
       * adjacent, so its embeddings are scores[face_row .. + face_count)).
       * Rows of deleted records are scanned too until compaction: one
       * sequential pass costs less than skipping through the array. */
      float *face_scores = NULL;
      if (shard_status == BM_OK && probe->face && shard->face_count) {
        face_scores = malloc(shard->face_count * sizeof *face_scores);
        if (!face_scores) shard_status = BM_ERR_OUT_OF_MEMORY;
        else
          shard_status = bm_shard_face_scan_(shard, 0, shard->face_count, probe->face, probe->face_i8,
                                             probe->face_scale, face_scores);
      }
      candidate c;
      for (size_t r = 0; shard_status == BM_OK && r < shard->record_count; ++r) {
        const bm_shard_record_ *record = &shard->records[r];
        if (!record->live) continue;
        if (cascade) {
          /* a record goes to the matcher when the cascade kept any of its fingers */
          int any = 0;
          for (size_t f = record->first_finger; f < record->first_finger + record->finger_count && !any; ++f)
            any = selected[s][f] != 0;
          if (!any) continue;
        }
        if (score_record(&ctx, shard, r, unknown_selected, face_scores, list->floor_fused, &c, &comparisons,
                         &shard_status) &&
            !list_push(list, &c))
          shard_status = BM_ERR_OUT_OF_MEMORY;
      }
      free(face_scores);
      free(unknown_selected);
      if (shard_status != BM_OK) {
#pragma omp critical(bm_gallery_search_error)
        worker_status = shard_status;
      }
    }
    /* the message belongs to the calling thread, not to a worker */
    if (worker_status != BM_OK)
      status = worker_status == BM_ERR_OUT_OF_MEMORY ? bm_fail_(worker_status, "search candidates")
                                                     : bm_fail_(worker_status, "matching a gallery template or scanning its faces failed");
  }
  pthread_rwlock_unlock(&gallery->view_lock);

  if (status == BM_OK) {
    size_t total = 0;
    for (uint32_t s = 0; s < shard_count; ++s) total += lists[s].count;
    result->items = malloc((total ? total : 1) * sizeof *result->items);
    if (!result->items) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "result");
    else {
      for (uint32_t s = 0; s < shard_count; ++s) {
        if (lists[s].count == 0) continue; /* an empty shard list may have no array at all */
        memcpy(result->items + result->count, lists[s].items, lists[s].count * sizeof *result->items);
        result->count += lists[s].count;
      }
      qsort(result->items, result->count, sizeof *result->items, compare_candidates);
      if (result->count > params->top_k) result->count = params->top_k;
      result->comparisons = comparisons;
    }
  }
  for (uint32_t s = 0; lists && s < shard_count; ++s) free(lists[s].items);
  for (uint32_t s = 0; selected && s < shard_count; ++s) free(selected[s]);
  free(lists);
  free(selected);
  if (status != BM_OK) {
    bm_gallery_result_free(result);
    return status;
  }
  *out_result = result;
  return BM_OK;
}

void bm_gallery_result_free(bm_gallery_result *result) {
  if (!result) return;
  free(result->items);
  free(result);
}

size_t bm_gallery_result_count(const bm_gallery_result *result) { return result ? result->count : 0; }

const char *bm_gallery_result_id(const bm_gallery_result *result, size_t i) {
  return result && i < result->count ? result->items[i].id : NULL;
}

double bm_gallery_result_score(const bm_gallery_result *result, size_t i) {
  return result && i < result->count ? result->items[i].fused : NAN;
}

double bm_gallery_result_fmr(const bm_gallery_result *result, size_t i) {
  return result && i < result->count ? result->items[i].fmr : NAN;
}

size_t bm_gallery_result_finger_count(const bm_gallery_result *result, size_t i) {
  return result && i < result->count ? result->items[i].detail_count : 0;
}

bm_status bm_gallery_result_finger(const bm_gallery_result *result, size_t i, size_t j, unsigned *probe_position,
                                   unsigned *record_position, float *score, double *fmr) {
  if (!result || i >= result->count || j >= result->items[i].detail_count)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no finger detail %zu of candidate %zu", j, i);
  const finger_detail *d = &result->items[i].details[j];
  if (probe_position) *probe_position = d->probe_position;
  if (record_position) *record_position = d->record_position;
  if (score) *score = d->score;
  if (fmr) *fmr = d->fmr;
  return BM_OK;
}

float bm_gallery_result_face_score(const bm_gallery_result *result, size_t i) {
  return result && i < result->count ? result->items[i].face_score : NAN;
}

bm_status bm_gallery_result_face_detail(const bm_gallery_result *result, size_t i, size_t *best_index,
                                        size_t *compared) {
  if (!result || i >= result->count)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no candidate %zu (the result holds %zu)", i, result ? result->count : 0);
  if (best_index) *best_index = result->items[i].face_index;
  if (compared) *compared = result->items[i].faces_compared;
  return BM_OK;
}

uint64_t bm_gallery_result_comparisons(const bm_gallery_result *result) { return result ? result->comparisons : 0; }
