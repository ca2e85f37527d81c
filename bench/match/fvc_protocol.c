#include "fvc_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"

int fvc_load(const char *dir, fvc_set *set) {
  memset(set, 0, sizeof *set);
  for (int finger = 101; finger <= 110; ++finger) {
    for (int impression = 1; impression <= 8; ++impression) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%d_%d.iso", dir, finger, impression);
      bm_template *tpl = NULL;
      bm_status status = bm_template_read_file(path, &tpl);
      size_t size = 0;
      if (status == BM_OK) status = bm_prepare_template(tpl, NULL, 0, &size);
      uint8_t *blob = status == BM_OK ? malloc(size) : NULL;
      if (blob) status = bm_prepare_template(tpl, blob, size, &size);
      const size_t minutiae = bm_template_minutia_count(tpl);
      bm_template_free(tpl);
      if (status != BM_OK || !blob) {
        fprintf(stderr, "%s: %s: %s\n", path, bm_error_name(status), bm_last_error_message());
        free(blob);
        fvc_free(set);
        return 0;
      }
      set->finger[set->count] = finger;
      set->impression[set->count] = impression;
      set->blob[set->count] = blob;
      set->size[set->count] = size;
      set->minutiae[set->count] = minutiae;
      ++set->count;
    }
  }
  return 1;
}

void fvc_free(fvc_set *set) {
  for (size_t i = 0; i < set->count; ++i) free(set->blob[i]);
  set->count = 0;
}
