/* Comparison of two prepared templates: Minutia Cylinder-Code local
 * similarities consolidated by Local Similarity Sort with Relaxation
 * (LSS-R, Cappelli, Ferrara, Maltoni, TPAMI 2010, section 5).
 *
 * 1. Every probe cylinder is compared with every gallery cylinder (any
 *    rotation: no direction pre-filter); pairs sharing at least 60% of the
 *    disc's cells get a local similarity 1 - |a xor b| / (|a| + |b|)
 *    (|.| = sqrt of popcount, restricted to the common cells).
 * 2. The best pairs, each minutia used once (greedy in decreasing
 *    similarity, ties in probe-major order), up to min(nA, nB) and at most
 *    BM_RELAXED_MAX, are kept. Nothing is sorted: each probe minutia keeps
 *    its best free gallery minutia, and the best of those is taken next.
 * 3. Relaxation: five rounds in which each pair's similarity is averaged
 *    with those of the pairs geometrically compatible with it (distance,
 *    relative direction and radial angle agree), so isolated coincidences
 *    fade and mutually consistent pairs reinforce one another. Angles are
 *    compared through unit vectors (the cosine of a difference is a dot
 *    product) and the probe's pairwise distances and radial directions are
 *    computed once per probe, so no trigonometry runs per comparison.
 * 4. The score is the mean relaxed similarity of the nP pairs that kept
 *    most of their initial similarity; nP grows from 4 to 12 with the
 *    smaller minutia count (few minutiae: few pairs to agree on). The count
 *    is of reliable minutiae: each counts by its quality, so a poor
 *    impression whose extractor drew many doubtful minutiae (and graded
 *    them low) is not asked for more agreeing pairs than it can hold;
 *    templates without qualities count every minutia fully. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "match/match_internal.h"

#define PI_ 3.14159265358979323846

enum {
  BM_RELAXED_MAX = 16,
  BM_RELAX_ROUNDS = 5,
  BM_STACK_PAIRS = 4096,
  BM_MIN_SCORED_PAIRS = 4,
  BM_MAX_SCORED_PAIRS = 12,
  BM_DISTANCE_STEPS_PER_PX = 8,
  BM_DISTANCE_TABLE = 256,
  BM_COSINE_TABLE = 4096,    /* compatibility by 1 - cos(angle difference), steps of 2/4096 */
  BM_DIRECTION_TABLE = 2048, /* unit vectors of minutia directions, steps of 0.18 degree */
  BM_NO_COLUMN = 0xFF,       /* row_best of a used row or of one without a positive similarity */
  LANES = 8
};
#define BM_RELAX_WEIGHT 0.5f
#define BM_PAIR_COUNT_MU 20.0
#define BM_PAIR_COUNT_TAU 0.4

typedef bm_mcc_pair_ selected_pair_;

/* Compatibility sigmoids of the relaxation and other constants, tabulated once. */
static float distance_compatibility_[BM_DISTANCE_TABLE];
static float cosine_compatibility_[BM_COSINE_TABLE + 1];
static float direction_unit_[BM_DIRECTION_TABLE][2];
static uint8_t scored_pair_target_[BM_MAX_MINUTIAE + 1];
static unsigned minimum_common_cells_;
static pthread_once_t tables_once_ = PTHREAD_ONCE_INIT;

static double sigmoid(double value, double mu, double tau) { return 1.0 / (1.0 + exp(-tau * (value - mu))); }

/* Compatibilities below this are stored as 0: they cannot move a score,
 * and the products of two or three such tails (down to 1e-90) would be
 * subnormal floats, which cost a microcode assist per operation on x86. */
#define BM_COMPATIBILITY_FLOOR 1e-6

static float compatibility(double value) { return value < BM_COMPATIBILITY_FLOOR ? 0.0f : (float)value; }

static void build_tables(void) {
  /* Distances differing by 5 px (0.25 mm) are half compatible; angles by 15 degrees. */
  for (unsigned i = 0; i < BM_DISTANCE_TABLE; ++i)
    distance_compatibility_[i] = compatibility(sigmoid((double)i / BM_DISTANCE_STEPS_PER_PX, 5.0, -8.0 / 5.0));
  for (unsigned i = 0; i <= BM_COSINE_TABLE; ++i) {
    double cosine = 1.0 - 2.0 * i / BM_COSINE_TABLE;
    cosine = cosine < -1 ? -1 : cosine;
    cosine_compatibility_[i] = compatibility(sigmoid(acos(cosine), PI_ / 12, -30.0));
  }
  for (unsigned i = 0; i < BM_DIRECTION_TABLE; ++i) {
    const double angle = 2 * PI_ * i / BM_DIRECTION_TABLE;
    direction_unit_[i][0] = (float)cos(angle);
    direction_unit_[i][1] = (float)sin(angle);
  }
  for (unsigned n = 0; n <= BM_MAX_MINUTIAE; ++n) {
    const double z = sigmoid((double)n, BM_PAIR_COUNT_MU, BM_PAIR_COUNT_TAU);
    scored_pair_target_[n] =
        (uint8_t)(BM_MIN_SCORED_PAIRS + (unsigned)lround(z * (BM_MAX_SCORED_PAIRS - BM_MIN_SCORED_PAIRS)));
  }
  minimum_common_cells_ = (unsigned)ceil(BM_MCC_MIN_COMMON_CELL_FRACTION * bm_mcc_disc_cells_());
}

unsigned bm_mcc_minimum_common_cells_(void) {
  pthread_once(&tables_once_, build_tables);
  return minimum_common_cells_;
}

/* Compatibility of two directions given the cosine of their difference. */
static inline float cosine_compat(float cosine) {
  const float index = (1.0f - cosine) * (BM_COSINE_TABLE / 2) + 0.5f;
  const unsigned i = index > 0 ? (unsigned)index : 0;
  return cosine_compatibility_[i > BM_COSINE_TABLE ? BM_COSINE_TABLE : i];
}

static inline const float *direction_of(const uint8_t *geometry) {
  return direction_unit_[bm_load_u16le_(geometry + 4) / (65536 / BM_DIRECTION_TABLE)];
}

bm_status bm_mcc_probe_init_(bm_mcc_probe_ *probe) {
  pthread_once(&tables_once_, build_tables);
  const size_t n = probe->view.count;
  probe->direction = probe->distance = probe->radial = NULL;
  probe->reliable = bm_mcc_reliable_count_(&probe->view);
  if (n == 0) return BM_OK;
  float *block = malloc((2 * n + 3 * n * n) * sizeof *block);
  if (!block) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_probe: pair geometry of %zu minutiae", n);
  probe->direction = block;
  probe->distance = block + 2 * n;
  probe->radial = block + 2 * n + n * n;
  for (size_t i = 0; i < n; ++i) {
    const float *unit = direction_of(probe->view.geometry + BM_MCC_GEOMETRY_BYTES * i);
    probe->direction[2 * i] = unit[0];
    probe->direction[2 * i + 1] = unit[1];
  }
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *gi = probe->view.geometry + BM_MCC_GEOMETRY_BYTES * i;
    const float xi = (float)(int16_t)bm_load_u16le_(gi), yi = (float)(int16_t)bm_load_u16le_(gi + 2);
    const float ci = probe->direction[2 * i], si = probe->direction[2 * i + 1];
    for (size_t k = 0; k < n; ++k) {
      const uint8_t *gk = probe->view.geometry + BM_MCC_GEOMETRY_BYTES * k;
      const float dx = (float)(int16_t)bm_load_u16le_(gk) - xi, dy = (float)(int16_t)bm_load_u16le_(gk + 2) - yi;
      const float distance = sqrtf(dx * dx + dy * dy);
      probe->distance[i * n + k] = distance;
      /* The segment i -> k in i's frame (rotated by minus i's direction). */
      const float ux = distance > 0 ? dx / distance : 1.0f, uy = distance > 0 ? dy / distance : 0.0f;
      probe->radial[2 * (i * n + k)] = ux * ci + uy * si;
      probe->radial[2 * (i * n + k) + 1] = uy * ci - ux * si;
    }
  }
  return BM_OK;
}

unsigned bm_mcc_reliable_count_(const bm_prepared_view_ *view) {
  unsigned hundredths = 0;
  for (size_t i = 0; i < view->count; ++i) {
    const unsigned quality = view->geometry[BM_MCC_GEOMETRY_BYTES * i + 7];
    hundredths += quality == 0 || quality > 100 ? 100 : quality;
  }
  return hundredths;
}

void bm_mcc_probe_release_(bm_mcc_probe_ *probe) {
  free(probe->direction);
  probe->direction = probe->distance = probe->radial = NULL;
}

/* First (lowest) column of `row` with the largest positive similarity
 * among the columns not yet used; nb when there is none. */
static size_t best_free_column(const float *row, size_t nb, const uint64_t *used_b) {
  size_t best = nb;
  float best_value = 0.0f;
  for (size_t j = 0; j < nb; ++j)
    if (row[j] > best_value && !(used_b[j / 64] >> (j % 64) & 1)) {
      best_value = row[j];
      best = j;
    }
  return best;
}

/* Heap key of a row: its bound's bits (a positive float orders like its
 * bit pattern) above the complement of the row number, so one integer
 * comparison orders by larger bound, then lower row. */
static inline uint64_t row_key(float bound, size_t row) {
  uint32_t bits;
  memcpy(&bits, &bound, sizeof bits);
  return (uint64_t)bits << 8 | (uint64_t)(255 - row);
}

static void sift_down(uint64_t *heap, size_t size, size_t at) {
  const uint64_t item = heap[at];
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= size) break;
    child += child + 1 < size && heap[child + 1] > heap[child];
    if (heap[child] <= item) break;
    heap[at] = heap[child];
    at = child;
  }
  heap[at] = item;
}

/* Greedy one-to-one selection in decreasing similarity, ties in
 * probe-major order: the pair taken next is always the largest similarity
 * among unused rows and columns. Each row keeps its best column (from the
 * row kernel) and that similarity, in a max-heap of rows; the stored
 * similarity of a row whose best column was taken by another row remains an
 * upper bound of its best free one, so the row is re-scanned only if it
 * comes out on top (lazily). No sort of all pairs. */
size_t bm_mcc_select_pairs_(const float *similarity, size_t na, size_t nb, uint8_t *row_best, size_t limit,
                            bm_mcc_pair_ *selected) {
  uint64_t used_b[4] = {0};
  uint64_t heap[BM_MAX_MINUTIAE];
  size_t size = 0;
  for (size_t i = 0; i < na; ++i)
    if (row_best[i] != BM_NO_COLUMN) heap[size++] = row_key(similarity[i * nb + row_best[i]], i);
  for (size_t at = size / 2; at-- > 0;) sift_down(heap, size, at);
  size_t count = 0;
  while (count < limit && size > 0) {
    const size_t a = 255 - (size_t)(heap[0] & 0xFF);
    const size_t b = row_best[a];
    if (used_b[b / 64] >> (b % 64) & 1) { /* stale: the row's best free column, then choose again */
      const size_t column = best_free_column(similarity + a * nb, nb, used_b);
      if (column < nb) {
        row_best[a] = (uint8_t)column;
        heap[0] = row_key(similarity[a * nb + column], a);
      } else {
        heap[0] = heap[--size];
      }
      sift_down(heap, size, 0);
      continue;
    }
    used_b[b / 64] |= 1ull << (b % 64);
    selected[count].similarity = similarity[a * nb + b];
    selected[count].a = (uint8_t)a;
    selected[count].b = (uint8_t)b;
    ++count;
    heap[0] = heap[--size];
    sift_down(heap, size, 0);
  }
  return count;
}

static float relax_and_score(const selected_pair_ *selected, size_t count, const bm_mcc_probe_ *probe,
                             const bm_prepared_view_ *gallery, unsigned target) {
  const size_t n = count < BM_RELAXED_MAX ? count : BM_RELAXED_MAX; /* always count; tells the compiler the bound */
  const size_t na = probe->view.count;
  float gx[BM_RELAXED_MAX], gy[BM_RELAXED_MAX], gc[BM_RELAXED_MAX], gs[BM_RELAXED_MAX];
  float rotation_cos[BM_RELAXED_MAX], rotation_sin[BM_RELAXED_MAX];
  for (size_t t = 0; t < n; ++t) {
    const uint8_t *g = gallery->geometry + BM_MCC_GEOMETRY_BYTES * selected[t].b;
    gx[t] = (float)(int16_t)bm_load_u16le_(g);
    gy[t] = (float)(int16_t)bm_load_u16le_(g + 2);
    const float *unit = direction_of(g);
    gc[t] = unit[0];
    gs[t] = unit[1];
    /* Rotation from gallery to probe: probe direction minus gallery direction. */
    const float pc = probe->direction[2 * selected[t].a], ps = probe->direction[2 * selected[t].a + 1];
    rotation_cos[t] = pc * gc[t] + ps * gs[t];
    rotation_sin[t] = ps * gc[t] - pc * gs[t];
  }
  float rho[BM_RELAXED_MAX][BM_RELAXED_MAX];
  for (size_t t = 0; t < n; ++t) {
    rho[t][t] = 0;
    const size_t at = selected[t].a;
    for (size_t k = t + 1; k < n; ++k) {
      const size_t ak = selected[k].a;
      const float dx = gx[k] - gx[t], dy = gy[k] - gy[t];
      const float distance_b = sqrtf(dx * dx + dy * dy);
      const unsigned d_index =
          (unsigned)(fabsf(probe->distance[at * na + ak] - distance_b) * BM_DISTANCE_STEPS_PER_PX + 0.5f);
      float value = d_index < BM_DISTANCE_TABLE ? distance_compatibility_[d_index] : 0.0f;
      if (value > 0) {
        /* Relative direction: the two pairs must imply the same rotation. */
        value *= cosine_compat(rotation_cos[k] * rotation_cos[t] + rotation_sin[k] * rotation_sin[t]);
        /* Radial angle: the segment t->k seen from t's direction agrees on both sides. */
        const float *radial_a = &probe->radial[2 * (at * na + ak)];
        float cosine = 1.0f;
        if (distance_b > 0) /* the gallery segment turned into t's frame, dotted with the probe's */
          cosine = (radial_a[0] * (dx * gc[t] + dy * gs[t]) + radial_a[1] * (dy * gc[t] - dx * gs[t])) / distance_b;
        value *= cosine_compat(cosine);
      }
      rho[t][k] = rho[k][t] = value;
    }
  }
  /* Rows are padded with zeros to a multiple of LANES (whole vectors). */
  const size_t padded = (n + LANES - 1) / LANES * LANES;
  for (size_t t = 0; t < n; ++t)
    for (size_t k = n; k < padded; ++k) rho[t][k] = 0;
  float lambda[BM_RELAXED_MAX] = {0}, next[BM_RELAXED_MAX];
  for (size_t t = 0; t < n; ++t) lambda[t] = selected[t].similarity;
  if (n > 1) {
    const float share = (1 - BM_RELAX_WEIGHT) / (float)(n - 1);
    for (int round = 0; round < BM_RELAX_ROUNDS; ++round) {
      /* support[t] = sum over k of rho[k][t] * lambda[k] (rho is symmetric),
       * accumulated over k in order for every t at once: vectorisable over
       * t without changing any element's order of additions. */
      float support[BM_RELAXED_MAX] = {0};
      for (size_t k = 0; k < n; ++k)
        for (size_t t = 0; t < padded; ++t) support[t] += rho[k][t] * lambda[k];
      for (size_t t = 0; t < n; ++t) next[t] = BM_RELAX_WEIGHT * lambda[t] + share * support[t];
      memcpy(lambda, next, n * sizeof *lambda);
    }
  }
  /* Keep the pairs that lost least of their similarity (efficiency). */
  float efficiency[BM_RELAXED_MAX];
  uint8_t order[BM_RELAXED_MAX + 1]; /* +1: silences a false -Wstringop-overflow of GCC 12 */
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

bm_status bm_mcc_compare_(const bm_mcc_probe_ *probe, const bm_prepared_view_ *gallery,
                          bm_mcc_similarity_row_fn_ row, float *out_score) {
  pthread_once(&tables_once_, build_tables);
  *out_score = 0;
  const size_t na = probe->view.count, nb = gallery->count;
  if (na == 0 || nb == 0) return BM_OK;

  float stack_similarity[BM_STACK_PAIRS];
  float *similarity = stack_similarity;
  if (na * nb > BM_STACK_PAIRS) {
    similarity = malloc(na * nb * sizeof *similarity);
    if (!similarity) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_match: %zu x %zu similarity pairs", na, nb);
  }
  uint64_t planes[BM_MCC_WORDS * BM_MCC_MAX_STRIDE];
  bm_mcc_gallery_planes_(gallery->cylinders, nb, planes);
  uint8_t row_best[BM_MAX_MINUTIAE];
  for (size_t i = 0; i < na; ++i) {
    const size_t best = row(probe->view.cylinders + BM_MCC_CYLINDER_BYTES * i, planes, nb, minimum_common_cells_,
                            similarity + i * nb);
    row_best[i] = best < nb ? (uint8_t)best : (uint8_t)BM_NO_COLUMN;
  }
  const size_t smaller = na < nb ? na : nb;
  selected_pair_ selected[BM_RELAXED_MAX];
  const size_t selected_count =
      bm_mcc_select_pairs_(similarity, na, nb, row_best, smaller < BM_RELAXED_MAX ? smaller : BM_RELAXED_MAX, selected);
  if (similarity != stack_similarity) free(similarity);
  if (selected_count == 0) return BM_OK;
  /* Reliable minutiae of the smaller template, rounded to whole minutiae
   * (at most `smaller`, so within the table). */
  const unsigned gallery_reliable = bm_mcc_reliable_count_(gallery);
  const unsigned reliable = (probe->reliable < gallery_reliable ? probe->reliable : gallery_reliable) + 50;
  const size_t counted = reliable / 100 < smaller ? reliable / 100 : smaller;
  *out_score = relax_and_score(selected, selected_count, probe, gallery, scored_pair_target_[counted]);
  return BM_OK;
}
