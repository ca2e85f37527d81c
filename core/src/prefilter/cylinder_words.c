/* Cylinder words of the prefilter code: locality-sensitive hashing of the
 * matcher's Minutia Cylinder-Code cylinders, after Cappelli, Ferrara and
 * Maltoni, "Fingerprint indexing based on Minutia Cylinder-Code" (TPAMI
 * 33(5), 2011).
 *
 * A cylinder (docs/matcher.md) is the neighbourhood of one minutia, rotated
 * to its direction: 16 x 16 cells x 6 direction layers of bits. Each of
 * `word_functions` hash functions reads a fixed sample of `word_bits`
 * (cell, layer) bits; the value read from a cylinder is a word, and the
 * (function, word) pair sets one bit of the code. Two cylinders that agree
 * on most bits (mated minutiae) give the same word with a probability that
 * falls quickly as they differ, which is what locality-sensitive hashing
 * needs. A word is kept only when all its cells are valid (inside the
 * print): an invalid cell reads as empty, which would fake agreement. The
 * samples come from a fixed pseudo-random sequence, so every code of one
 * version uses the same functions; cells near the rim are excluded because
 * they are often outside the print. */
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "match/match_internal.h"
#include "prefilter/prefilter_internal.h"

enum { CYLINDER_FAMILY = 2, MAX_WORD_BITS = 24 };

/* xorshift32: a fixed, portable sequence for the bit samples. */
static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

static int bit_at(const uint8_t *bits, unsigned index) { return (bits[index / 8] >> (index % 8)) & 1; }

bm_status bm_prefilter_add_cylinder_words_(const bm_template *tpl, const bm_prefilter_params_ *params, uint8_t *code) {
  size_t size = 0;
  bm_status status = bm_prepare_template(tpl, NULL, 0, &size);
  if (status != BM_OK) return status;
  uint8_t *blob = malloc(size);
  if (!blob) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_prefilter_encode_: %zu bytes for the cylinders", size);
  bm_prepared_view_ view;
  status = bm_prepare_template(tpl, blob, size, &size);
  if (status == BM_OK) status = bm_prepared_view_make_(blob, size, &view);
  if (status != BM_OK) {
    free(blob);
    return status;
  }

  /* Candidate cells: centre within selection_radius of the cylinder radius. */
  unsigned cells[BM_MCC_CELLS];
  unsigned cell_count = 0;
  const double spacing = 2 * BM_MCC_RADIUS_PX / BM_MCC_SECTORS;
  for (unsigned j = 0; j < BM_MCC_SECTORS; ++j)
    for (unsigned i = 0; i < BM_MCC_SECTORS; ++i) {
      const double u = (i - (BM_MCC_SECTORS - 1) / 2.0) * spacing, v = (j - (BM_MCC_SECTORS - 1) / 2.0) * spacing;
      if (hypot(u, v) <= params->selection_radius * BM_MCC_RADIUS_PX) cells[cell_count++] = j * BM_MCC_SECTORS + i;
    }

  uint32_t state = 0x2545F491u;
  for (unsigned f = 0; f < params->word_functions; ++f) {
    unsigned sample_cell[MAX_WORD_BITS], sample_layer[MAX_WORD_BITS];
    for (unsigned b = 0; b < params->word_bits; ++b) {
      sample_cell[b] = cells[next_random(&state) % cell_count];
      sample_layer[b] = next_random(&state) % BM_MCC_LAYERS;
    }
    for (size_t c = 0; c < view.count; ++c) {
      const uint8_t *cylinder = view.cylinders + c * BM_MCC_CYLINDER_BYTES; /* validity mask, then the layers */
      uint32_t word = 0;
      unsigned b = 0;
      for (; b < params->word_bits && bit_at(cylinder, sample_cell[b]); ++b)
        word |= (uint32_t)bit_at(cylinder + BM_MCC_LAYER_BYTES * (1 + sample_layer[b]), sample_cell[b]) << b;
      if (b == params->word_bits) bm_prefilter_set_feature_(code, CYLINDER_FAMILY, f << MAX_WORD_BITS | word);
    }
  }
  free(blob);
  return BM_OK;
}
