/* Scan of one probe code against a contiguous array of gallery codes: the
 * run-time-dispatched Hamming kernel (bm_hamming_scan) counts differing
 * bits, and the similarity follows from that count and the two codes' bit
 * counts.
 *
 * Similarity: the number of feature bits the two codes share,
 * common = (probe_ones + row_ones - differing) / 2, expressed as a z-score
 * against chance: if the row's bits were placed at random, common would
 * have mean probe_ones * q and variance probe_ones * q * (1 - q), with q =
 * row_ones / bits. Raw `common` would favour codes with many bits (large
 * prints, many minutiae) whatever their content; the z-score asks how far
 * above chance the agreement is, which is what identifies a mate. It is
 * computed in double from exact integers by the same scalar code on every
 * tier, so the result does not depend on the instruction set. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_kernels.h"
#include "error.h"
#include "prefilter/prefilter_internal.h"

/* Rows per kernel call: 512 KB of codes, so the trailers read to finish
 * each row are still in cache after the kernel has streamed them. */
enum { SCAN_BLOCK_ROWS = 1024 };

/* Fixed-point scale of the z-score (1/1024 of a standard deviation). */
#define SIMILARITY_SCALE 1024.0

/* The last step, shared by every path so that they agree to the bit. */
static uint32_t similarity_of(double common, double mean, double deviation) {
  const double z = (common - mean) / deviation;
  if (!(z > 0)) return 0;
  const double scaled = z * SIMILARITY_SCALE + 0.5;
  return scaled >= 4294967295.0 ? UINT32_MAX : (uint32_t)scaled;
}

/* Chance mean and standard deviation of the shared bits for a row with
 * row_ones bits set; computed the same way inline and in the tables. */
static void chance_of(uint32_t probe_ones, uint32_t row_ones, double *mean, double *deviation) {
  const double q = (double)row_ones / BM_PREFILTER_FEATURE_BITS;
  *mean = probe_ones * q;
  *deviation = sqrt(*mean * (1.0 - q));
}

uint32_t bm_prefilter_similarity_(uint32_t probe_ones, uint32_t row_ones, uint32_t differing) {
  if (probe_ones == 0 || row_ones == 0 || row_ones >= BM_PREFILTER_FEATURE_BITS) return 0;
  double mean, deviation;
  chance_of(probe_ones, row_ones, &mean, &deviation);
  return similarity_of(((double)probe_ones + row_ones - differing) / 2.0, mean, deviation);
}

/* Rows at which tabulating the chance terms for every possible row_ones
 * (4,032 square roots) costs less than computing them per row. */
enum { TABLE_MIN_ROWS = 8192 };

bm_status bm_prefilter_scan_(const uint8_t *probe_code, const uint8_t *codes, size_t count,
                             uint32_t *similarities) {
  if (count == 0) return BM_OK;
  if (!probe_code || !codes || !similarities)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_scan_: NULL argument");
  if ((uintptr_t)codes % sizeof(uint64_t) != 0)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_scan_: code array not 8-byte aligned");
  /* The probe may sit anywhere (e.g. inside a message buffer): copy it. */
  uint64_t probe[BM_PREFILTER_CODE_WORDS];
  memcpy(probe, probe_code, sizeof probe);
  const uint32_t probe_ones = bm_prefilter_code_ones_(probe_code);
  const size_t stride = bm_prefilter_code_bytes_();
  /* Large scans look the chance terms up instead of taking a square root
   * per row (a sixth of the scan time otherwise); without the memory, or
   * for small scans, they are computed inline, with identical results. */
  double *table = NULL;
  if (count >= TABLE_MIN_ROWS && probe_ones > 0 &&
      (table = malloc(2 * BM_PREFILTER_FEATURE_BITS * sizeof *table)) != NULL) {
    table[0] = table[1] = 0;
    for (uint32_t ones = 1; ones < BM_PREFILTER_FEATURE_BITS; ++ones)
      chance_of(probe_ones, ones, &table[2 * ones], &table[2 * ones + 1]);
  }
  for (size_t first = 0; first < count; first += SCAN_BLOCK_ROWS) {
    const size_t rows = count - first < SCAN_BLOCK_ROWS ? count - first : SCAN_BLOCK_ROWS;
    const uint8_t *block = codes + first * stride;
    uint32_t *out = similarities + first;
    const bm_status status = bm_hamming_scan(probe, (const uint64_t *)(const void *)block, BM_PREFILTER_FEATURE_WORDS,
                                             BM_PREFILTER_CODE_WORDS, rows, out);
    if (status != BM_OK) {
      free(table);
      return status;
    }
    if (!table) {
      for (size_t r = 0; r < rows; ++r)
        out[r] = bm_prefilter_similarity_(probe_ones, bm_prefilter_code_ones_(block + r * stride), out[r]);
      continue;
    }
    for (size_t r = 0; r < rows; ++r) {
      const uint32_t row_ones = bm_prefilter_code_ones_(block + r * stride);
      out[r] = row_ones == 0 || row_ones >= BM_PREFILTER_FEATURE_BITS
                   ? 0
                   : similarity_of(((double)probe_ones + row_ones - out[r]) / 2.0, table[2 * row_ones],
                                   table[2 * row_ones + 1]);
    }
  }
  free(table);
  return BM_OK;
}
