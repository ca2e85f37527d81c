/* Shared body of the template reader fuzz targets. For any input the reader
 * accepts, writing the template in the same format and reading it back must
 * give the same template (the first read already applied the format's
 * rounding, so the second pass is exact), and every other writer must
 * either succeed or refuse with a status, never crash. Invariant failures
 * abort, which libFuzzer and the regression replay both report. */
#ifndef BIOMATCH_FUZZ_ROUND_TRIP_H
#define BIOMATCH_FUZZ_ROUND_TRIP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require_(int condition, const char *what) {
  if (!condition) {
    fprintf(stderr, "fuzz invariant broken: %s\n", what);
    abort();
  }
}

static void fuzz_assert_same_template_(const bm_template *a, const bm_template *b) {
  unsigned wa, ha, wb, hb, pa, ia, qa, pb, ib, qb, ea, va, eb, vb;
  double xa, ya, xb, yb;
  bm_template_get_image(a, &wa, &ha, &xa, &ya);
  bm_template_get_image(b, &wb, &hb, &xb, &yb);
  fuzz_require_(wa == wb && ha == hb, "image size survives a round trip");
  fuzz_require_(xa == xb && ya == yb, "resolution survives a round trip");
  bm_template_get_finger(a, &pa, &ia, &qa);
  bm_template_get_finger(b, &pb, &ib, &qb);
  fuzz_require_(pa == pb && ia == ib && qa == qb, "finger data survives a round trip");
  bm_template_get_record_info(a, &ea, &va);
  bm_template_get_record_info(b, &eb, &vb);
  fuzz_require_(ea == eb && va == vb, "record info survives a round trip");
  const size_t count = bm_template_minutia_count(a);
  fuzz_require_(count == bm_template_minutia_count(b), "minutia count survives a round trip");
  if (count)
    fuzz_require_(memcmp(bm_template_minutiae(a), bm_template_minutiae(b), count * sizeof(bm_minutia)) == 0,
                  "minutiae survive a round trip");
}

/* Parses `data` as `format` with `options_flags`; checks the round trip. */
static void fuzz_read_and_round_trip_(const uint8_t *data, size_t size, bm_template_format format, unsigned flags,
                                      int keeps_extended_data) {
  bm_read_options options;
  bm_read_options_init(&options);
  options.format = format;
  options.flags = flags;
  options.xyt_width = 4096;
  options.xyt_height = 4096;
  bm_template *first = NULL;
  const bm_status status = bm_template_read_memory_ex(data, size, &options, &first);
  fuzz_require_((status == BM_OK) == (first != NULL), "a template is returned exactly on success");
  if (status != BM_OK) {
    fuzz_require_(bm_last_error() == status, "the failing status is recorded");
    return;
  }
  size_t needed = 0;
  const unsigned write_flags = flags & BM_XYT_ISO_ORIENTATION;
  bm_status written = bm_template_write_memory(first, format, write_flags, NULL, 0, &needed);
  if (written == BM_OK) {
    uint8_t *buffer = malloc(needed ? needed : 1);
    size_t size_again = 0;
    fuzz_require_(buffer != NULL, "allocation");
    fuzz_require_(bm_template_write_memory(first, format, write_flags, buffer, needed, &size_again) == BM_OK,
                  "a sized write succeeds");
    fuzz_require_(size_again == needed, "sizing and writing agree");
    bm_template *second = NULL;
    unsigned width = 0, height = 0;
    bm_template_get_image(first, &width, &height, NULL, NULL);
    options.xyt_width = width; /* lenient reading may have grown the image */
    options.xyt_height = height;
    options.flags &= ~BM_READ_LENIENT; /* what biomatch writes must pass the strict reader */
    const bm_status reread = bm_template_read_memory_ex(buffer, needed, &options, &second);
    if (reread != BM_OK) fprintf(stderr, "re-read: %s %s\n", bm_error_name(reread), bm_last_error_message());
    fuzz_require_(reread == BM_OK, "what was written reads back");
    fuzz_assert_same_template_(first, second);
    if (keeps_extended_data) {
      size_t size_a = 0, size_b = 0;
      const void *ext_a = bm_template_extended_data(first, &size_a);
      const void *ext_b = bm_template_extended_data(second, &size_b);
      fuzz_require_(size_a == size_b && (size_a == 0 || memcmp(ext_a, ext_b, size_a) == 0),
                    "extended data survives a round trip");
    }
    bm_template_free(second);
    free(buffer);
  }
  /* Every other writer either writes or refuses cleanly. */
  for (int other = BM_FORMAT_ISO_2005; other <= BM_FORMAT_BIOMATCH; ++other) {
    size_t other_size = 0;
    uint8_t small[64];
    const bm_status other_status = bm_template_write_memory(first, (bm_template_format)other, BM_XYT_ISO_ORIENTATION,
                                                            small, sizeof small, &other_size);
    fuzz_require_(other_status == BM_OK || bm_last_error() == other_status, "a refused write records its status");
    fuzz_require_(other_status != BM_OK || other_size <= sizeof small, "a successful write fits its buffer");
  }
  bm_template_free(first);
}

#endif
