/* Synthetic records and probes for the gallery tests (bench/gallery's
 * SYNTHETIC minutiae generator: not real fingers). Helpers abort on failure
 * instead of using Check, so forked children may call them. */
#ifndef BIOMATCH_TESTS_GALLERY_FIXTURES_H
#define BIOMATCH_TESTS_GALLERY_FIXTURES_H

#include <stdint.h>

#include "biomatch/bm_gallery.h"

/* Record `id` with one impression of synthetic finger person*16+p at each
 * position p set in `positions` (bit p). */
bm_gallery_record *gf_record(const char *id, uint64_t person, uint32_t impression, unsigned positions);
/* Probe with impression `impression` of person*16+p at each position in `positions`. */
bm_gallery_probe *gf_probe(uint64_t person, uint32_t impression, unsigned positions);
/* Probe with a single finger of unknown position: person*16+p, impression. */
bm_gallery_probe *gf_latent_probe(uint64_t person, unsigned p, uint32_t impression);
/* A deterministic pseudo-random embedding (seed) plus `noise` times another. */
void gf_embedding(uint64_t seed, float noise, uint64_t noise_seed, float *out, size_t dimension);

#endif
