/* Prefilter internals shared by the encoder, its two feature families, the
 * scan, the tests and the evaluation tool: the code layout and the feature
 * parameters. docs/prefilter.md gives the reasons for each value. */
#ifndef BIOMATCH_PREFILTER_INTERNAL_H
#define BIOMATCH_PREFILTER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prefilter/prefilter.h"

/* Code layout: BM_PREFILTER_FEATURE_WORDS 64-bit words of feature bits
 * (bit b is bit b % 8 of byte b / 8), then one trailer word: bytes 0-3 the
 * number of feature bits set (uint32 LE), bytes 4-7 the code version
 * (uint32 LE). 512 bytes in all. */
enum {
  BM_PREFILTER_CODE_WORDS = 64,
  BM_PREFILTER_FEATURE_WORDS = BM_PREFILTER_CODE_WORDS - 1,
  BM_PREFILTER_FEATURE_BYTES = BM_PREFILTER_FEATURE_WORDS * 8,
  BM_PREFILTER_FEATURE_BITS = BM_PREFILTER_FEATURE_WORDS * 64,
  BM_PREFILTER_VERSION = 1
};

/* Feature definition (lengths in pixels at 500 ppi). */
typedef struct bm_prefilter_params_ {
  /* Minutia pairs (pair_features.c). */
  double min_distance_px;   /* pairs closer than this are skipped */
  double max_distance_px;   /* and farther than this */
  double distance_scale_px; /* d is binned on log(1 + d / scale): bins widen with distance */
  double distance_bin;      /* bin width in that log unit */
  unsigned angle_bins;      /* bins over 360 degrees for each relative angle (0 = no pair features) */
  unsigned max_neighbours;  /* per minutia, only its nearest this many partners (0 = all in the band) */
  unsigned soft;            /* 1: each feature also sets its nearest neighbouring bin per dimension */
  /* Cylinder words (cylinder_words.c). */
  unsigned word_bits;        /* cylinder bits per word, 1..24 */
  unsigned word_functions;   /* words per cylinder (<= 256), each from its own bit sample (0 = none) */
  double selection_radius;   /* sampled cells lie within this fraction of the cylinder radius */
  unsigned sectors;          /* cylinder cells per side, 4..16 */
} bm_prefilter_params_;

/* The parameters bm_prefilter_encode_() uses. */
void bm_prefilter_default_params_(bm_prefilter_params_ *params);

/* bm_prefilter_encode_() with explicit parameters (evaluation of variants).
 * The code it writes is comparable only with codes of the same parameters. */
bm_status bm_prefilter_encode_with_(const bm_template *tpl, const bm_prefilter_params_ *params, uint8_t *code);

/* A minutia normalised like the matcher does: pixels at 500 ppi, y up, angle in radians counter-clockwise. */
typedef struct bm_prefilter_point_ {
  double x, y, angle;
} bm_prefilter_point_;

/* Sets the feature bit that `feature` (a cell number of one feature family,
 * `family` keeping the families' cells apart) hashes to. */
void bm_prefilter_set_feature_(uint8_t *code, uint32_t family, uint32_t feature);

/* Adds the minutia-pair features of `points` to `code`. */
void bm_prefilter_add_pairs_(const bm_prefilter_point_ *points, size_t count, const bm_prefilter_params_ *params,
                             uint8_t *code);

/* Adds the cylinder words of the minutiae's cylinders to `code`. */
void bm_prefilter_add_cylinder_words_(const bm_prefilter_point_ *points, size_t count,
                                      const bm_prefilter_params_ *params, uint8_t *code);

/* Similarity of two codes from the exact counts the scan kernel gives:
 * probe_ones and row_ones (bits set) and differing (popcount of xor).
 * Shared by the scan and its tests so both use one definition. */
uint32_t bm_prefilter_similarity_(uint32_t probe_ones, uint32_t row_ones, uint32_t differing);

/* Number of feature bits set, as stored in a code's trailer. */
uint32_t bm_prefilter_code_ones_(const uint8_t *code);

#endif
