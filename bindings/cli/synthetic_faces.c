#include "synthetic_faces.h"

#include <math.h>

/* splitmix64: small, fast and good enough to draw Gaussian noise. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double next_gaussian(uint64_t *state) { /* Box-Muller */
  const double u = ((double)(next_random(state) >> 11) + 0.5) / 9007199254740992.0;
  const double v = ((double)(next_random(state) >> 11) + 0.5) / 9007199254740992.0;
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

void synthetic_face(uint64_t seed, uint64_t person, uint32_t capture, float *out, unsigned dimension) {
  uint64_t centre = seed * 0x100000001B3ull ^ person * 0x9E3779B97F4A7C15ull;
  uint64_t noise = centre ^ (0xD1B54A32D192ED03ull * (capture + 1));
  for (unsigned i = 0; i < dimension; ++i) out[i] = (float)(next_gaussian(&centre) + 0.6 * next_gaussian(&noise));
}
