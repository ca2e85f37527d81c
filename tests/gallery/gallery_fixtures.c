/* Synthetic records and probes for the gallery tests (see the header). */
#include "gallery_fixtures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/gallery/synthetic_minutiae.h"

static void must(bm_status status, const char *what) {
  if (status != BM_OK) {
    fprintf(stderr, "%s: %s %s\n", what, bm_error_name(status), bm_last_error_message());
    abort();
  }
}

bm_gallery_record *gf_record(const char *id, uint64_t person, uint32_t impression, unsigned positions) {
  bm_gallery_record *record = NULL;
  must(bm_gallery_record_create(id, &record), "record");
  for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p) {
    if (!(positions >> p & 1u)) continue;
    bm_template *tpl = NULL;
    must(bm_synth_template(person * 16 + p, impression, p, &tpl), "synthetic template");
    must(bm_gallery_record_set_finger(record, p, tpl), "set finger");
    bm_template_free(tpl);
  }
  return record;
}

bm_gallery_probe *gf_probe(uint64_t person, uint32_t impression, unsigned positions) {
  bm_gallery_probe *probe = NULL;
  must(bm_gallery_probe_create(&probe), "probe");
  for (unsigned p = 1; p <= BM_GALLERY_MAX_POSITION; ++p) {
    if (!(positions >> p & 1u)) continue;
    bm_template *tpl = NULL;
    must(bm_synth_template(person * 16 + p, impression, p, &tpl), "synthetic template");
    must(bm_gallery_probe_add_finger(probe, p, tpl), "probe finger");
    bm_template_free(tpl);
  }
  return probe;
}

bm_gallery_probe *gf_latent_probe(uint64_t person, unsigned p, uint32_t impression) {
  bm_gallery_probe *probe = NULL;
  must(bm_gallery_probe_create(&probe), "probe");
  bm_template *tpl = NULL;
  must(bm_synth_template(person * 16 + p, impression, 0, &tpl), "synthetic template");
  must(bm_gallery_probe_add_finger(probe, 0, tpl), "probe finger");
  bm_template_free(tpl);
  return probe;
}

static double gaussian(uint64_t *state) {
  double u[2];
  for (int i = 0; i < 2; ++i) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    u[i] = ((double)(z >> 11) + 0.5) / 9007199254740992.0;
  }
  return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

void gf_embedding(uint64_t seed, float noise, uint64_t noise_seed, float *out, size_t dimension) {
  uint64_t a = seed * 7919 + 1, b = noise_seed * 104729 + 3;
  for (size_t i = 0; i < dimension; ++i) out[i] = (float)(gaussian(&a) + noise * gaussian(&b));
}
