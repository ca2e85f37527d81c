/* Prefilter internals shared by the encoder, the scan and the evaluation
 * tool: the code layout and the feature parameters. docs/prefilter.md. */
#ifndef BIOMATCH_PREFILTER_INTERNAL_H
#define BIOMATCH_PREFILTER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prefilter/prefilter.h"

/* Code layout: BM_PREFILTER_FEATURE_WORDS 64-bit words of feature bits
 * (bit b of the code is bit b % 64 of word b / 64, words little-endian),
 * then one trailer word: bytes 0-3 the number of feature bits set (uint32
 * LE), bytes 4-7 the code version (uint32 LE). 512 bytes in all. */
enum {
  BM_PREFILTER_CODE_WORDS = 64,
  BM_PREFILTER_FEATURE_WORDS = BM_PREFILTER_CODE_WORDS - 1,
  BM_PREFILTER_FEATURE_BITS = BM_PREFILTER_FEATURE_WORDS * 64,
  BM_PREFILTER_VERSION = 1
};

/* Feature definition (lengths in pixels at 500 ppi, angles in degrees). */
typedef struct bm_prefilter_params_ {
  double min_distance_px;   /* pairs closer than this are skipped */
  double max_distance_px;   /* and farther than this */
  double distance_scale_px; /* d is binned on log(1 + d / scale): bins widen with distance */
  double distance_bin;      /* bin width in that log unit */
  unsigned angle_bins;      /* bins over 360 degrees for each relative angle */
  unsigned max_neighbours;  /* per minutia, only its nearest this many partners (0 = all) */
  unsigned soft;            /* 1: each feature also sets its nearest neighbouring bin per dimension */
} bm_prefilter_params_;

/* The parameters bm_prefilter_encode_() uses. */
void bm_prefilter_default_params_(bm_prefilter_params_ *params);

/* bm_prefilter_encode_() with explicit parameters (evaluation of variants).
 * The code it writes is comparable only with codes of the same parameters. */
bm_status bm_prefilter_encode_with_(const bm_template *tpl, const bm_prefilter_params_ *params, uint8_t *code);

/* Similarity of two codes from the exact counts the scan kernel gives:
 * probe_ones and row_ones (bits set) and differing (popcount of xor).
 * Shared by the scan and its tests so both use one definition. */
uint32_t bm_prefilter_similarity_(uint32_t probe_ones, uint32_t row_ones, uint32_t differing);

/* Number of feature bits set, as stored in a code's trailer. */
uint32_t bm_prefilter_code_ones_(const uint8_t *code);

#endif
