/* Synthetic ridge patterns with a known minutia, for the extractor tests. */
#ifndef BIOMATCH_TEST_EXTRACT_SYNTHETIC_H
#define BIOMATCH_TEST_EXTRACT_SYNTHETIC_H

#include <stdint.h>

/* Fills a width x height 8-bit image (rows packed) with horizontal ridges of
 * `period` pixels (dark ridges on a light background); the ridge through
 * (end_x, end_y) stops at end_x, its body extending to the left, so the
 * image holds one ridge ending at (end_x, end_y) whose ISO direction is 180
 * degrees. `inverted` swaps ridges and valleys, which turns the ending into
 * a bifurcation at the same place with the same direction. */
void synthetic_ridge_ending(uint8_t *pixels, int width, int height, double period, double end_x, double end_y,
                            int inverted);

/* Deterministic pseudo-random bytes (uniform noise). */
void synthetic_noise(uint8_t *pixels, int count, uint32_t seed);

#endif
