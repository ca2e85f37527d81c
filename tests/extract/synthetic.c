#include "synthetic.h"

#include <math.h>
#include <stddef.h>

void synthetic_ridge_ending(uint8_t *pixels, int width, int height, double period, double end_x, double end_y,
                            int inverted) {
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      /* Horizontal ridges whose phase winds once around (end_x, end_y):
       * along any vertical line left of the point the phase changes by one
       * period more than right of it, so exactly one dark ridge, coming
       * from the left, ends there, and every ridge keeps its normal width. */
      const double winding = atan2(y - end_y, x - end_x);
      const double phase = 2.0 * M_PI * (y - end_y) / period - winding + M_PI;
      double value = 128.0 - 100.0 * cos(phase);
      if (inverted) value = 255.0 - value;
      pixels[(size_t)y * width + x] = (uint8_t)lround(value);
    }
}

void synthetic_noise(uint8_t *pixels, int count, uint32_t seed) {
  uint32_t state = seed ? seed : 1u;
  for (int i = 0; i < count; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    pixels[i] = (uint8_t)(state >> 24);
  }
}
