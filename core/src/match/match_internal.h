/* Minutia Cylinder-Code internals shared by preparation, the cylinder
 * comparison kernels, consolidation and the public calls. The prepared
 * template layout is documented in docs/matcher.md and bm_match.h. */
#ifndef BIOMATCH_MATCH_INTERNAL_H
#define BIOMATCH_MATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_match.h"

/* Cylinder geometry (Cappelli, Ferrara, Maltoni 2010), lengths in pixels at
 * 500 ppi: radius 70 px = 3.6 mm, 16 x 16 cells, 6 direction layers. */
#define BM_MCC_RADIUS_PX 70.0
#define BM_MCC_SECTORS 16
#define BM_MCC_LAYERS 6
#define BM_MCC_SIGMA_SPATIAL_PX (28.0 / 3.0)
#define BM_MCC_SIGMA_DIRECTION_RAD (2.0 * 3.14159265358979323846 / 9.0)
#define BM_MCC_CONTRIBUTION_THRESHOLD 0.01 /* mu_psi: a cell bit is set above this */
#define BM_MCC_HULL_MARGIN_PX 50.0        /* omega: cells this far outside the minutiae hull still count */
#define BM_MCC_MIN_VALID_CELL_FRACTION 0.75
#define BM_MCC_MIN_NEIGHBOURS 2
#define BM_MCC_MIN_COMMON_CELL_FRACTION 0.60
#define BM_MCC_MAX_DIRECTION_DIFFERENCE 1.0 /* of a half turn: no limit, full rotation invariance */

enum {
  BM_MCC_CELLS = BM_MCC_SECTORS * BM_MCC_SECTORS,      /* 256 cells, one bit each per layer */
  BM_MCC_LAYER_BYTES = BM_MCC_CELLS / 8,               /* 32 */
  BM_MCC_CYLINDER_BYTES = BM_MCC_LAYER_BYTES * (1 + BM_MCC_LAYERS), /* validity mask + layers = 224 */
  BM_MCC_GEOMETRY_BYTES = 8,
  BM_PREPARED_VERSION = 1
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
  const uint8_t *cylinders; /* count records of BM_MCC_CYLINDER_BYTES */
} bm_prepared_view_;

/* Header checks only (no checksum): magic, version, declared size <= size. */
bm_status bm_prepared_view_make_(const void *blob, size_t size, bm_prepared_view_ *view);

/* Integer popcount results of one cylinder pair, identical on every ISA. */
typedef struct bm_mcc_counts_ {
  uint16_t common_cells; /* valid in both cylinders */
  uint16_t bits_a;       /* set bits of a inside the common cells */
  uint16_t bits_b;
  uint16_t bits_differ;  /* bits of a xor b inside the common cells */
} bm_mcc_counts_;

/* Compares one probe cylinder with gallery cylinders gallery[index[i]].
 * Pairs sharing fewer than `minimum_common` valid cells cannot be scored:
 * only their common_cells is computed, the other counts are 0 (on every tier). */
typedef void (*bm_mcc_count_row_fn_)(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                                    const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out);

void bm_mcc_count_row_scalar_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                              const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out);
#if defined(__x86_64__) || defined(__i386__)
void bm_mcc_count_row_avx2_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                            const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out);
void bm_mcc_count_row_avx512_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                              const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out);
#endif

/* The row kernel of the active instruction-set tier (bm_active_isa()). */
bm_mcc_count_row_fn_ bm_mcc_count_row_active_(void);

/* Number of cells whose centre lies inside the cylinder's radius. */
unsigned bm_mcc_disc_cells_(void);

/* Whole comparison with an explicit row kernel (tests compare tiers). */
bm_status bm_mcc_compare_(const bm_prepared_view_ *probe, const bm_prepared_view_ *gallery,
                          bm_mcc_count_row_fn_ row, float *out_score);

static inline uint16_t bm_load_u16le_(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t bm_load_u32le_(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
