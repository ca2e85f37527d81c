/* Shared by the evaluation programs: loading prepared FVC templates. */
#ifndef BIOMATCH_BENCH_FVC_PROTOCOL_H
#define BIOMATCH_BENCH_FVC_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct fvc_set {
  size_t count;
  int finger[128], impression[128];
  uint8_t *blob[128];
  size_t size[128];
  size_t minutiae[128];
} fvc_set;

/* Loads DIR/FFF_I.iso for FFF 101..110, I 1..8; prints and returns 0 on failure. */
int fvc_load(const char *dir, fvc_set *set);
void fvc_free(fvc_set *set);

/* Error rates and DET pictures come from tools/evaluation, shared with
 * `biomatch eval`. */
#include "det_plot.h"
#include "error_rates.h"

#endif
