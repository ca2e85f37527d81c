/* Comparison of two prepared templates: Minutia Cylinder-Code local
 * similarities consolidated by Local Similarity Sort with Relaxation
 * (LSS-R, Cappelli, Ferrara, Maltoni, TPAMI 2010, section 5).
 *
 * 1. Every pair of cylinders whose minutia directions differ by at most
 *    90 degrees and which share at least 60% of the disc's cells gets a
 *    local similarity 1 - |a xor b| / (|a| + |b|) (|.| = sqrt of popcount,
 *    restricted to the common cells).
 * 2. The best pairs, each minutia used once (greedy in similarity order),
 *    up to min(nA, nB) and at most BM_RELAXED_MAX, are kept.
 * 3. Relaxation: five rounds in which each pair's similarity is averaged
 *    with those of the pairs geometrically compatible with it (distance,
 *    relative direction and radial angle agree), so isolated coincidences
 *    fade and mutually consistent pairs reinforce one another.
 * 4. The score is the mean relaxed similarity of the nP pairs that kept
 *    most of their initial similarity; nP grows from 4 to 12 with the
 *    smaller minutia count (few minutiae: few pairs to agree on). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "match/match_internal.h"

#define PI_F 3.14159265f

enum {
  BM_RELAXED_MAX = 24,
  BM_RELAX_ROUNDS = 5,
  BM_SIMILARITY_BUCKETS = 512,
  BM_STACK_PAIRS = 4096,
  BM_MIN_SCORED_PAIRS = 4,
  BM_MAX_SCORED_PAIRS = 12,
  BM_DISTANCE_STEPS_PER_PX = 8,
  BM_DISTANCE_TABLE = 256,
  BM_ANGLE_TABLE = 512,
  LANES = 8,
  BM_MAX_BITS = BM_MCC_LAYERS * BM_MCC_CELLS
};
#define BM_RELAX_WEIGHT 0.5f
#define BM_PAIR_COUNT_MU 20.0
#define BM_PAIR_COUNT_TAU 0.4

typedef struct scored_pair_ {
  float similarity;
  uint8_t a, b;
} scored_pair_;

/* Compatibility sigmoids of the relaxation, tabulated once. */
static float distance_compatibility_[BM_DISTANCE_TABLE];
static float angle_compatibility_[BM_ANGLE_TABLE + 1];
static unsigned minimum_common_cells_;
static float square_root_[BM_MAX_BITS + 1]; /* popcounts are small integers */
static pthread_once_t tables_once_ = PTHREAD_ONCE_INIT;

static double sigmoid(double value, double mu, double tau) { return 1.0 / (1.0 + exp(-tau * (value - mu))); }

static void build_tables(void) {
  /* Distances differing by 5 px (0.25 mm) are half compatible; angles by 15 degrees. */
  for (unsigned i = 0; i < BM_DISTANCE_TABLE; ++i)
    distance_compatibility_[i] = (float)sigmoid((double)i / BM_DISTANCE_STEPS_PER_PX, 5.0, -8.0 / 5.0);
  for (unsigned i = 0; i <= BM_ANGLE_TABLE; ++i)
    angle_compatibility_[i] = (float)sigmoid(i * (3.14159265358979323846 / BM_ANGLE_TABLE), 3.14159265358979323846 / 12, -30.0);
  for (unsigned i = 0; i <= BM_MAX_BITS; ++i) square_root_[i] = sqrtf((float)i);
  minimum_common_cells_ = (unsigned)ceil(BM_MCC_MIN_COMMON_CELL_FRACTION * bm_mcc_disc_cells_());
}

static inline float wrap_pi(float angle) {
  if (angle >= PI_F) angle -= 2 * PI_F;
  if (angle < -PI_F) angle += 2 * PI_F;
  return angle;
}

/* atan2 within 0.0015 rad, enough for 15-degree tolerances and much faster than libm. */
static inline float fast_atan2(float y, float x) {
  const float ax = fabsf(x), ay = fabsf(y);
  const float big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;
  if (big == 0) return 0;
  const float t = small / big, t2 = t * t;
  float r = ((-0.0464964749f * t2 + 0.15931422f) * t2 - 0.327622764f) * t2 * t + t;
  if (ay > ax) r = 1.57079637f - r;
  if (x < 0) r = PI_F - r;
  return y < 0 ? -r : r;
}

static inline float angle_compat(float difference) {
  const float index = fabsf(difference) * (BM_ANGLE_TABLE / PI_F);
  const unsigned i = (unsigned)(index + 0.5f);
  return angle_compatibility_[i > BM_ANGLE_TABLE ? BM_ANGLE_TABLE : i];
}

typedef struct geometry_ {
  float x, y, angle;
} geometry_;

static void decode_geometry(const bm_prepared_view_ *view, geometry_ *out) {
  for (size_t i = 0; i < view->count; ++i) {
    const uint8_t *g = view->geometry + BM_MCC_GEOMETRY_BYTES * i;
    out[i].x = (float)(int16_t)bm_load_u16le_(g);
    out[i].y = (float)(int16_t)bm_load_u16le_(g + 2);
    out[i].angle = wrap_pi((float)bm_load_u16le_(g + 4) * (2 * PI_F / 65536.0f));
  }
}

static unsigned scored_pair_target(size_t smaller_count) {
  const double z = sigmoid((double)smaller_count, BM_PAIR_COUNT_MU, BM_PAIR_COUNT_TAU);
  return BM_MIN_SCORED_PAIRS + (unsigned)lround(z * (BM_MAX_SCORED_PAIRS - BM_MIN_SCORED_PAIRS));
}

/* Greedy one-to-one selection in decreasing similarity (counting sort on a
 * quantised similarity; ties keep probe-major order, so it is deterministic). */
static size_t select_pairs(const scored_pair_ *pairs, size_t pair_count, size_t limit, scored_pair_ *selected) {
  uint32_t bucket_start[BM_SIMILARITY_BUCKETS + 1] = {0};
  for (size_t i = 0; i < pair_count; ++i) {
    unsigned q = (unsigned)(pairs[i].similarity * (BM_SIMILARITY_BUCKETS - 1));
    ++bucket_start[BM_SIMILARITY_BUCKETS - 1 - q + 1];
  }
  for (unsigned q = 1; q <= BM_SIMILARITY_BUCKETS; ++q) bucket_start[q] += bucket_start[q - 1];
  uint8_t used_a[BM_MAX_MINUTIAE + 1] = {0}, used_b[BM_MAX_MINUTIAE + 1] = {0};
  /* Walk buckets from the best down; inside a bucket, in original order. */
  uint16_t order_stack[BM_STACK_PAIRS];
  uint32_t *order_heap = NULL;
  const int on_heap = pair_count > BM_STACK_PAIRS;
  if (on_heap) {
    order_heap = malloc(pair_count * sizeof *order_heap);
    if (!order_heap) return (size_t)-1;
  }
  uint32_t next[BM_SIMILARITY_BUCKETS];
  memcpy(next, bucket_start, sizeof next);
  for (size_t i = 0; i < pair_count; ++i) {
    unsigned q = (unsigned)(pairs[i].similarity * (BM_SIMILARITY_BUCKETS - 1));
    const uint32_t slot = next[BM_SIMILARITY_BUCKETS - 1 - q]++;
    if (on_heap) order_heap[slot] = (uint32_t)i;
    else order_stack[slot] = (uint16_t)i;
  }
  size_t count = 0;
  for (size_t s = 0; s < pair_count && count < limit; ++s) {
    const scored_pair_ *p = &pairs[on_heap ? order_heap[s] : order_stack[s]];
    if (used_a[p->a] || used_b[p->b]) continue;
    used_a[p->a] = used_b[p->b] = 1;
    selected[count++] = *p;
  }
  free(order_heap);
  return count;
}

static float relax_and_score(const scored_pair_ *selected, size_t n, const geometry_ *ga, const geometry_ *gb,
                             unsigned target) {
  float rho[BM_RELAXED_MAX][BM_RELAXED_MAX];
  float rotation[BM_RELAXED_MAX];
  for (size_t t = 0; t < n; ++t) rotation[t] = wrap_pi(ga[selected[t].a].angle - gb[selected[t].b].angle);
  for (size_t t = 0; t < n; ++t) {
    rho[t][t] = 0;
    const geometry_ *at = &ga[selected[t].a], *bt = &gb[selected[t].b];
    for (size_t k = t + 1; k < n; ++k) {
      const geometry_ *ak = &ga[selected[k].a], *bk = &gb[selected[k].b];
      const float ax = ak->x - at->x, ay = ak->y - at->y, bx = bk->x - bt->x, by = bk->y - bt->y;
      const float distance_a = sqrtf(ax * ax + ay * ay), distance_b = sqrtf(bx * bx + by * by);
      const unsigned d_index = (unsigned)(fabsf(distance_a - distance_b) * BM_DISTANCE_STEPS_PER_PX + 0.5f);
      float value = d_index < BM_DISTANCE_TABLE ? distance_compatibility_[d_index] : 0.0f;
      if (value > 0) {
        /* Relative direction: the two pairs must imply the same rotation. */
        value *= angle_compat(wrap_pi(rotation[k] - rotation[t]));
        /* Radial angle: the segment t->k seen from t's direction agrees on both sides. */
        const float segment_turn = fast_atan2(bx * ay - by * ax, bx * ax + by * ay);
        value *= angle_compat(wrap_pi(segment_turn - rotation[t]));
      }
      rho[t][k] = rho[k][t] = value;
    }
  }
  /* Rows are padded with zeros to a multiple of LANES so the support sums
   * run in LANES independent partial sums (vectorisable, and a fixed order,
   * so the result does not depend on the compiler's choices). */
  const size_t padded = (n + LANES - 1) / LANES * LANES;
  for (size_t t = 0; t < n; ++t)
    for (size_t k = n; k < padded; ++k) rho[t][k] = 0;
  float lambda[BM_RELAXED_MAX] = {0}, next[BM_RELAXED_MAX];
  for (size_t t = 0; t < n; ++t) lambda[t] = selected[t].similarity;
  if (n > 1) {
    const float share = (1 - BM_RELAX_WEIGHT) / (float)(n - 1);
    for (int round = 0; round < BM_RELAX_ROUNDS; ++round) {
      for (size_t t = 0; t < n; ++t) {
        float partial[LANES] = {0};
        for (size_t k = 0; k < padded; k += LANES)
          for (size_t lane = 0; lane < LANES; ++lane) partial[lane] += rho[t][k + lane] * lambda[k + lane];
        float support = 0;
        for (size_t lane = 0; lane < LANES; ++lane) support += partial[lane];
        next[t] = BM_RELAX_WEIGHT * lambda[t] + share * support;
      }
      memcpy(lambda, next, n * sizeof *lambda);
    }
  }
  /* Keep the pairs that lost least of their similarity (efficiency). */
  float efficiency[BM_RELAXED_MAX];
  uint8_t order[BM_RELAXED_MAX];
  for (size_t t = 0; t < n; ++t) {
    efficiency[t] = lambda[t] / selected[t].similarity;
    order[t] = (uint8_t)t;
  }
  for (size_t i = 1; i < n; ++i) { /* insertion sort, stable: ties keep selection order */
    const uint8_t item = order[i];
    size_t j = i;
    while (j > 0 && efficiency[order[j - 1]] < efficiency[item]) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = item;
  }
  const size_t used = n < target ? n : target;
  float sum = 0;
  for (size_t i = 0; i < used; ++i) sum += lambda[order[i]];
  return sum / (float)target;
}

bm_status bm_mcc_compare_(const bm_prepared_view_ *probe, const bm_prepared_view_ *gallery,
                          bm_mcc_count_row_fn_ row, float *out_score) {
  pthread_once(&tables_once_, build_tables);
  *out_score = 0;
  const size_t na = probe->count, nb = gallery->count;
  if (na == 0 || nb == 0) return BM_OK;

  geometry_ ga[BM_MAX_MINUTIAE], gb[BM_MAX_MINUTIAE];
  decode_geometry(probe, ga);
  decode_geometry(gallery, gb);
  uint16_t angle_b[BM_MAX_MINUTIAE];
  for (size_t j = 0; j < nb; ++j) angle_b[j] = bm_load_u16le_(gallery->geometry + BM_MCC_GEOMETRY_BYTES * j + 4);

  scored_pair_ stack_pairs[BM_STACK_PAIRS];
  scored_pair_ *pairs = stack_pairs;
  if (na * nb > BM_STACK_PAIRS) {
    pairs = malloc(na * nb * sizeof *pairs);
    if (!pairs) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_match: %zu x %zu similarity pairs", na, nb);
  }
  const unsigned max_turn = (unsigned)(BM_MCC_MAX_DIRECTION_DIFFERENCE * 32768.0);
  size_t pair_count = 0;
  uint8_t candidates[BM_MAX_MINUTIAE];
  bm_mcc_counts_ counts[BM_MAX_MINUTIAE];
  for (size_t i = 0; i < na; ++i) {
    const uint16_t angle_a = bm_load_u16le_(probe->geometry + BM_MCC_GEOMETRY_BYTES * i + 4);
    size_t candidate_count = 0;
    for (size_t j = 0; j < nb; ++j) {
      const uint16_t turn = (uint16_t)(angle_a - angle_b[j]);
      const unsigned difference = turn > 32768u ? 65536u - turn : turn;
      if (difference <= max_turn) candidates[candidate_count++] = (uint8_t)j;
    }
    row(probe->cylinders + BM_MCC_CYLINDER_BYTES * i, gallery->cylinders, candidates, candidate_count,
        minimum_common_cells_, counts);
    for (size_t c = 0; c < candidate_count; ++c) {
      const bm_mcc_counts_ *k = &counts[c];
      if (k->common_cells < minimum_common_cells_) continue;
      const float norms = square_root_[k->bits_a] + square_root_[k->bits_b];
      if (norms == 0) continue;
      const float similarity = 1.0f - square_root_[k->bits_differ] / norms;
      if (similarity <= 0) continue;
      pairs[pair_count].similarity = similarity;
      pairs[pair_count].a = (uint8_t)i;
      pairs[pair_count].b = candidates[c];
      ++pair_count;
    }
  }
  const size_t smaller = na < nb ? na : nb;
  scored_pair_ selected[BM_RELAXED_MAX];
  const size_t selected_count = select_pairs(pairs, pair_count, smaller < BM_RELAXED_MAX ? smaller : BM_RELAXED_MAX, selected);
  if (pairs != stack_pairs) free(pairs);
  if (selected_count == (size_t)-1) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_match: pair ordering of %zu pairs", pair_count);
  if (selected_count == 0) return BM_OK;
  *out_score = relax_and_score(selected, selected_count, ga, gb, scored_pair_target(smaller));
  return BM_OK;
}
