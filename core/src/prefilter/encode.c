/* Prefilter code of one finger: a fixed-length bit vector into which two
 * families of local, rotation- and translation-invariant features are
 * hashed (docs/prefilter.md):
 *
 * - minutia pairs (pair_features.c): the geometry of each minutia with its
 *   nearest neighbours;
 * - cylinder words (cylinder_words.c): short bit samples of Minutia
 *   Cylinder-Code cylinders, i.e. the smoothed neighbourhood of each
 *   minutia.
 *
 * Both are local, so a partial print keeps the features of the region it
 * shows, and both are measured relative to the minutiae themselves, so
 * neither depends on where or how rotated the finger lay. The two families
 * describe a neighbourhood differently (exact pairwise geometry against a
 * smoothed occupancy map), and their agreement adds up in one popcount. */
#include <math.h>
#include <string.h>

#include "error.h"
#include "prefilter/prefilter_internal.h"
#include "template/template_internal.h"

#define PI_ 3.14159265358979323846

void bm_prefilter_default_params_(bm_prefilter_params_ *params) {
  params->min_distance_px = 10.0;   /* about one ridge period: closer pairs are mostly extraction noise */
  params->max_distance_px = 150.0;  /* 7.6 mm: local enough for partial prints and modest distortion */
  params->distance_scale_px = 50.0; /* with distance_bin: bins 3 px wide near 0, 6 px at 50 px, 12 px at 150 px */
  params->distance_bin = 0.06;
  params->angle_bins = 24;   /* 15 degrees, about the direction error of minutia extractors */
  params->max_neighbours = 8; /* bounds the features of dense prints; the nearest partners are the most repeatable */
  params->soft = 0;           /* hard bins: soft ones multiply the bits set without adding selectivity (measured) */
  params->word_bits = 6;
  params->word_functions = 128; /* ~1,000 of the 4,032 bits set for 40 minutiae: sparse enough that chance overlaps stay rare */
  params->selection_radius = 0.8; /* cells near the rim are often invalid (outside the print) */
  params->sectors = 8; /* 17.5 px cells: as selective as 16 x 16 here (measured) and a third of the encoding time */
}

size_t bm_prefilter_code_bytes_(void) { return BM_PREFILTER_CODE_WORDS * 8; }

uint32_t bm_prefilter_code_version_(void) { return BM_PREFILTER_VERSION; }

static uint32_t load_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_u32le(uint8_t *p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(value >> (8 * i));
}

uint32_t bm_prefilter_code_ones_(const uint8_t *code) { return load_u32le(code + BM_PREFILTER_FEATURE_BYTES); }

/* Murmur3's finaliser: spreads feature numbers evenly over the bits. */
static uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

void bm_prefilter_set_feature_(uint8_t *code, uint32_t family, uint32_t feature) {
  const uint32_t hash = mix32(mix32(feature) ^ (family * 0x9e3779b9u));
  const uint32_t bit = (uint32_t)(((uint64_t)hash * BM_PREFILTER_FEATURE_BITS) >> 32);
  code[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static int params_valid(const bm_prefilter_params_ *p) {
  if (p->angle_bins > 360 || p->word_bits > 24 || p->word_functions > 256) return 0;
  if (p->angle_bins && (!(p->min_distance_px >= 0) || !(p->max_distance_px > p->min_distance_px) ||
                        !(p->distance_scale_px > 0) || !(p->distance_bin > 0)))
    return 0;
  if (p->word_functions && (p->word_bits < 1 || !(p->selection_radius > 0) || !(p->selection_radius <= 1) ||
                            p->sectors < 4 || p->sectors > 16))
    return 0;
  return 1;
}

bm_status bm_prefilter_encode_with_(const bm_template *tpl, const bm_prefilter_params_ *params, uint8_t *code) {
  if (!tpl || !params || !code) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_encode_: NULL argument");
  if (!params_valid(params)) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_encode_: invalid feature parameters");
  if (tpl->minutia_count == 0) return bm_fail_(BM_ERR_NO_MINUTIAE, "bm_prefilter_encode_: template has no minutiae");
  if (!(tpl->ppi_x > 0) || !(tpl->ppi_y > 0))
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "bm_prefilter_encode_: resolution %g x %g ppi", tpl->ppi_x, tpl->ppi_y);

  /* Same normalisation as the matcher: 500 ppi, y up so angles turn the usual way. */
  bm_prefilter_point_ points[BM_MAX_MINUTIAE];
  const double scale_x = 500.0 / tpl->ppi_x, scale_y = 500.0 / tpl->ppi_y;
  for (size_t i = 0; i < tpl->minutia_count; ++i) {
    points[i].x = tpl->minutiae[i].x * scale_x;
    points[i].y = -(double)tpl->minutiae[i].y * scale_y;
    points[i].angle = tpl->minutiae[i].angle * (PI_ / 180.0);
  }
  uint8_t local[BM_PREFILTER_CODE_WORDS * 8];
  memset(local, 0, sizeof local);
  if (params->word_functions) bm_prefilter_add_cylinder_words_(points, tpl->minutia_count, params, local);
  if (params->angle_bins) bm_prefilter_add_pairs_(points, tpl->minutia_count, params, local);
  uint32_t ones = 0;
  for (size_t byte = 0; byte < BM_PREFILTER_FEATURE_BYTES; ++byte) ones += (uint32_t)__builtin_popcount(local[byte]);
  store_u32le(local + BM_PREFILTER_FEATURE_BYTES, ones);
  store_u32le(local + BM_PREFILTER_FEATURE_BYTES + 4, BM_PREFILTER_VERSION);
  memcpy(code, local, sizeof local);
  return BM_OK;
}

bm_status bm_prefilter_encode_(const bm_template *tpl, uint8_t *code) {
  bm_prefilter_params_ params;
  bm_prefilter_default_params_(&params);
  return bm_prefilter_encode_with_(tpl, &params, code);
}
