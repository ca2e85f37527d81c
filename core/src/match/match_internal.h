/* Minutia Cylinder-Code internals shared by preparation, the cylinder
 * comparison kernels, consolidation and the public calls. The prepared
 * template layout is documented in docs/matcher.md and bm_match.h. */
#ifndef BIOMATCH_MATCH_INTERNAL_H
#define BIOMATCH_MATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_match.h"

/* Cylinder geometry (Cappelli, Ferrara, Maltoni 2010), lengths in pixels at
 * 500 ppi: radius 70 px = 3.6 mm, 8 x 8 cells (17.5 px = 0.9 mm, about two
 * ridge periods), 6 direction layers. The paper's 16 x 16 grid samples the
 * same Gaussian contributions four times as densely; 8 x 8 makes a layer one
 * 64-bit word, so a cylinder is 7 words and a pair costs 13 popcounts
 * (docs/matcher.md gives the accuracy of both). */
#define BM_MCC_RADIUS_PX 70.0
#define BM_MCC_SECTORS 8
#define BM_MCC_LAYERS 6
#define BM_MCC_SIGMA_SPATIAL_PX (28.0 / 3.0)
#define BM_MCC_SIGMA_DIRECTION_RAD (2.0 * 3.14159265358979323846 / 9.0)
#define BM_MCC_CONTRIBUTION_THRESHOLD 0.01 /* mu_psi: a cell bit is set above this */
#define BM_MCC_HULL_MARGIN_PX 50.0        /* omega: cells this far outside the minutiae hull still count */
#define BM_MCC_MIN_VALID_CELL_FRACTION 0.75
#define BM_MCC_MIN_NEIGHBOURS 2
#define BM_MCC_MIN_COMMON_CELL_FRACTION 0.60

enum {
  BM_MCC_CELLS = BM_MCC_SECTORS * BM_MCC_SECTORS,      /* 64 cells, one bit each per layer */
  BM_MCC_LAYER_BYTES = BM_MCC_CELLS / 8,               /* 8: one little-endian 64-bit word */
  BM_MCC_WORDS = 1 + BM_MCC_LAYERS,                    /* validity mask + layers */
  BM_MCC_CYLINDER_BYTES = BM_MCC_LAYER_BYTES * BM_MCC_WORDS, /* 56 */
  BM_MCC_GEOMETRY_BYTES = 8,
  BM_MCC_MAX_LAYER_BITS = BM_MCC_LAYERS * BM_MCC_CELLS, /* 384: the largest popcount of a pair */
  BM_PREPARED_VERSION = 2
};

/* "BMMC" */
#define BM_PREPARED_MAGIC_0 0x42
#define BM_PREPARED_MAGIC_1 0x4D
#define BM_PREPARED_MAGIC_2 0x4D
#define BM_PREPARED_MAGIC_3 0x43

/* A prepared template as seen by the matcher: pointers into the blob. */
typedef struct bm_prepared_view_ {
  size_t count;
  const uint8_t *geometry;  /* count records of 8 bytes: x, y (int16 LE, 500 ppi, y up), angle (uint16 LE, 1/65536 turn), type, quality */
  const uint8_t *cylinders; /* count records of BM_MCC_CYLINDER_BYTES: validity mask word, then one word per layer (bit = cell j * 8 + i) */
} bm_prepared_view_;

/* Header checks only (no checksum): magic, version, declared size <= size. */
bm_status bm_prepared_view_make_(const void *blob, size_t size, bm_prepared_view_ *view);

/* The gallery side of a comparison, transposed once per comparison into
 * word planes: plane w (0 = validity masks, 1..6 = layers) holds word w of
 * every gallery cylinder, at planes + w * stride. The stride is a multiple
 * of BM_MCC_PLANE_ALIGN and the words past the last cylinder are 0, so the
 * kernels read whole vectors, one cylinder per lane, and never reduce
 * across lanes. */
enum { BM_MCC_PLANE_ALIGN = 8, BM_MCC_MAX_STRIDE = (BM_MAX_MINUTIAE + 7) / 8 * 8 };
static inline size_t bm_mcc_plane_stride_(size_t count) {
  return (count + BM_MCC_PLANE_ALIGN - 1) / BM_MCC_PLANE_ALIGN * BM_MCC_PLANE_ALIGN;
}
void bm_mcc_gallery_planes_(const uint8_t *cylinders, size_t count, uint64_t *planes);

/* Local similarity of one probe cylinder (7 words, any alignment) with each
 * of `gallery_count` gallery cylinders given as planes (above): with c the
 * cells valid in both, a and b the layer bits inside c, |x| = popcount,
 *   similarity = 1 - sqrt|a ^ b| / (sqrt|a| + sqrt|b|)
 * computed in single precision in exactly this order (IEEE sqrt and
 * division are correctly rounded, so every tier gives the same bits).
 * A pair sharing fewer than `minimum_common` cells, with no bits at all,
 * or with a similarity <= 0 gets 0. Returns the index of the first largest
 * positive similarity, gallery_count when there is none. */
typedef size_t (*bm_mcc_similarity_row_fn_)(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                         size_t gallery_count, unsigned minimum_common, float *similarity);

size_t bm_mcc_similarity_row_scalar_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                     size_t gallery_count, unsigned minimum_common, float *similarity);
#if defined(__x86_64__) || defined(__i386__)
size_t bm_mcc_similarity_row_avx2_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                   size_t gallery_count, unsigned minimum_common, float *similarity);
size_t bm_mcc_similarity_row_avx512_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                     size_t gallery_count, unsigned minimum_common, float *similarity);
#endif

/* sqrtf(n) for every popcount n a pair can give (square_roots.c). */
extern const float bm_mcc_square_root_[BM_MCC_MAX_LAYER_BITS + 1];

/* The shared last step of the scalar tiers, from the four popcounts. */
static inline float bm_mcc_similarity_(unsigned common, unsigned bits_a, unsigned bits_b, unsigned bits_differ,
                                       unsigned minimum_common) {
  if (common < minimum_common) return 0.0f;
  const float norms = bm_mcc_square_root_[bits_a] + bm_mcc_square_root_[bits_b];
  if (norms == 0.0f) return 0.0f;
  const float similarity = 1.0f - bm_mcc_square_root_[bits_differ] / norms;
  return similarity > 0.0f ? similarity : 0.0f;
}

/* The row kernel of the active instruction-set tier (bm_active_isa()). */
bm_mcc_similarity_row_fn_ bm_mcc_similarity_row_active_(void);

/* Number of cells whose centre lies inside the cylinder's radius. */
unsigned bm_mcc_disc_cells_(void);
/* Common valid cells a pair needs to be compared (60% of the disc). */
unsigned bm_mcc_minimum_common_cells_(void);

/* Per-probe constants of the consolidation, computed once when the probe is
 * made so that a comparison only reads them: each minutia's direction as a
 * unit vector and, for every ordered pair (i, k), the distance between the
 * two minutiae and the direction of the segment i -> k in i's own frame
 * (unit vector); and the probe's reliable minutia count (below). */
typedef struct bm_mcc_probe_ {
  bm_prepared_view_ view;
  float *direction;      /* count x 2: cos, sin */
  float *distance;       /* count x count */
  float *radial;         /* count x count x 2: cos, sin */
  unsigned reliable;     /* bm_mcc_reliable_count_(&view) */
} bm_mcc_probe_;

/* How many minutiae a prepared template reliably holds, in hundredths of a
 * minutia: each counts by its quality (1..100, ISO/IEC 19794-2), one not
 * graded (quality 0: "not reported") counts fully. The number of pairs the
 * score averages grows with this count. Integer arithmetic: the same on
 * every tier. */
unsigned bm_mcc_reliable_count_(const bm_prepared_view_ *view);

/* Fills probe->direction/distance/radial (one heap block, owned by the
 * caller through probe->direction); view must be set. */
bm_status bm_mcc_probe_init_(bm_mcc_probe_ *probe);
void bm_mcc_probe_release_(bm_mcc_probe_ *probe);

/* Greedy one-to-one selection of up to `limit` pairs in decreasing
 * similarity (ties: lower probe row, then lower column) from the na x nb
 * similarity matrix; row_best[i] = the row's first best column as the
 * kernels return it, 0xFF for a row without a positive similarity (updated
 * in place). Returns the number of pairs written to `selected`. */
typedef struct bm_mcc_pair_ {
  float similarity;
  uint8_t a, b;
} bm_mcc_pair_;
size_t bm_mcc_select_pairs_(const float *similarity, size_t na, size_t nb, uint8_t *row_best, size_t limit,
                            bm_mcc_pair_ *selected);

/* Whole comparison with an explicit row kernel (tests compare tiers). */
bm_status bm_mcc_compare_(const bm_mcc_probe_ *probe, const bm_prepared_view_ *gallery,
                          bm_mcc_similarity_row_fn_ row, float *out_score);

static inline uint16_t bm_load_u16le_(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t bm_load_u32le_(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t bm_load_u64le_(const uint8_t *p) { /* little-endian hosts only (x86, aarch64) */
  uint64_t value;
  __builtin_memcpy(&value, p, sizeof value);
  return value;
}

#endif
