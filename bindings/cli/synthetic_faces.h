/* SYNTHETIC face embeddings for the benchmark and the demo: each person a
 * random centre, each capture the centre plus noise, so that mated cosines
 * fall around 0.7-0.9 and impostor cosines around 0, close to what real
 * face models give (docs/face.md). Deterministic from (seed, person,
 * capture). */
#ifndef BIOMATCH_CLI_SYNTHETIC_FACES_H
#define BIOMATCH_CLI_SYNTHETIC_FACES_H

#include <stdint.h>

void synthetic_face(uint64_t seed, uint64_t person, uint32_t capture, float *out, unsigned dimension);

#endif
