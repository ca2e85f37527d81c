/* Internal layout of bm_template, shared by the format readers/writers. */
#ifndef BIOMATCH_TEMPLATE_INTERNAL_H
#define BIOMATCH_TEMPLATE_INTERNAL_H

#include "biomatch/bm_template.h"

struct bm_template_s {
  unsigned width, height; /* pixels; 0 = unknown */
  double ppi_x, ppi_y;
  unsigned finger_position;
  unsigned impression_type;
  unsigned finger_quality;
  unsigned capture_equipment_id; /* 16-bit ISO 2005/ANSI field, as stored */
  unsigned view_number;          /* 0..15 */
  uint8_t *extended_data;        /* extended data areas, owned; NULL when empty */
  size_t extended_size;
  size_t minutia_count;
  bm_minutia minutiae[BM_MAX_MINUTIAE];
};

/* Validates one minutia against the template's image; records the error. */
bm_status bm_template_check_minutia_(const bm_template *tpl, const bm_minutia *minutia, size_t index);

#endif
