/* The bm_template object: creation, geometry, finger data and minutiae,
 * each validated on entry so that every template in memory is well formed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "template_internal.h"

enum { BM_MIN_PPI = 50, BM_MAX_PPI = 5000 };

bm_status bm_template_create(bm_template **out_template) {
  if (!out_template) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_create: out_template is NULL");
  *out_template = NULL;
  bm_template *tpl = calloc(1, sizeof *tpl);
  if (!tpl) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_template_create: out of memory");
  tpl->ppi_x = tpl->ppi_y = 500.0;
  tpl->finger_position = BM_FINGER_UNKNOWN;
  tpl->impression_type = BM_IMPRESSION_LIVE_PLAIN;
  tpl->finger_quality = BM_QUALITY_UNKNOWN;
  *out_template = tpl;
  return BM_OK;
}

void bm_template_free(bm_template *tpl) {
  if (!tpl) return;
  free(tpl->extended_data);
  free(tpl);
}

bm_status bm_template_clone(const bm_template *tpl, bm_template **out_copy) {
  if (!tpl || !out_copy) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_clone: NULL argument");
  *out_copy = NULL;
  bm_template *copy = malloc(sizeof *copy);
  if (!copy) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_template_clone: out of memory");
  memcpy(copy, tpl, sizeof *copy);
  if (tpl->extended_size) {
    copy->extended_data = malloc(tpl->extended_size);
    if (!copy->extended_data) {
      free(copy);
      return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_template_clone: out of memory");
    }
    memcpy(copy->extended_data, tpl->extended_data, tpl->extended_size);
  }
  *out_copy = copy;
  return BM_OK;
}

static int ppi_is_valid(double ppi) { return isfinite(ppi) && ppi >= BM_MIN_PPI && ppi <= BM_MAX_PPI; }

bm_status bm_template_set_image(bm_template *tpl, unsigned width, unsigned height, double ppi_x, double ppi_y) {
  if (!tpl) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_set_image: template is NULL");
  if (ppi_x == 0.0 || ppi_y == 0.0) return bm_fail_(BM_ERR_ZERO_RESOLUTION, "resolution is zero");
  if (!ppi_is_valid(ppi_x) || !ppi_is_valid(ppi_y))
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "resolution %g x %g ppi outside [%d, %d]", ppi_x, ppi_y, BM_MIN_PPI,
                    BM_MAX_PPI);
  if (width > UINT16_MAX || height > UINT16_MAX)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "image size %ux%u exceeds 65535", width, height);
  for (size_t i = 0; i < tpl->minutia_count; ++i) {
    const bm_minutia *minutia = &tpl->minutiae[i];
    if ((width && minutia->x >= width) || (height && minutia->y >= height))
      return bm_fail_(BM_ERR_COORDINATE_OUT_OF_RANGE, "minutia %zu at (%u,%u) lies outside a %ux%u image", i,
                      minutia->x, minutia->y, width, height);
  }
  tpl->width = width;
  tpl->height = height;
  tpl->ppi_x = ppi_x;
  tpl->ppi_y = ppi_y;
  return BM_OK;
}

void bm_template_get_image(const bm_template *tpl, unsigned *width, unsigned *height, double *ppi_x,
                           double *ppi_y) {
  if (width) *width = tpl ? tpl->width : 0;
  if (height) *height = tpl ? tpl->height : 0;
  if (ppi_x) *ppi_x = tpl ? tpl->ppi_x : 0.0;
  if (ppi_y) *ppi_y = tpl ? tpl->ppi_y : 0.0;
}

int bm_finger_position_is_valid(unsigned code) {
  /* 0-10: fingers; 11-15: plain thumbs/four-finger slaps (ANSI/NIST-ITL table 8);
   * 20-38: palm and extra-finger areas (ANSI/NIST-ITL 1-2011 table 10 and ISO 19794-2:2011). */
  return code <= 15 || (code >= 20 && code <= 38);
}

static int impression_is_valid(unsigned code) {
  /* 0-3 live/non-live plain/rolled, 4-7 latent kinds, 8 swipe, 9 contactless. */
  return code <= 9;
}

bm_status bm_template_set_finger(bm_template *tpl, unsigned position, unsigned impression, unsigned quality) {
  if (!tpl) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_set_finger: template is NULL");
  if (!bm_finger_position_is_valid(position))
    return bm_fail_(BM_ERR_BAD_FINGER_POSITION, "finger position code %u is not defined", position);
  if (!impression_is_valid(impression))
    return bm_fail_(BM_ERR_BAD_IMPRESSION_TYPE, "impression type code %u is not defined", impression);
  if (quality > 100 && quality != BM_QUALITY_UNKNOWN)
    return bm_fail_(BM_ERR_BAD_QUALITY, "finger quality %u is outside 0..100", quality);
  tpl->finger_position = position;
  tpl->impression_type = impression;
  tpl->finger_quality = quality;
  return BM_OK;
}

void bm_template_get_finger(const bm_template *tpl, unsigned *position, unsigned *impression, unsigned *quality) {
  if (position) *position = tpl ? tpl->finger_position : 0;
  if (impression) *impression = tpl ? tpl->impression_type : 0;
  if (quality) *quality = tpl ? tpl->finger_quality : 0;
}

size_t bm_template_minutia_count(const bm_template *tpl) { return tpl ? tpl->minutia_count : 0; }

const bm_minutia *bm_template_minutiae(const bm_template *tpl) {
  return (tpl && tpl->minutia_count) ? tpl->minutiae : NULL;
}

bm_status bm_template_check_minutia_(const bm_template *tpl, const bm_minutia *minutia, size_t index) {
  if (!isfinite(minutia->angle) || minutia->angle < 0.0f || minutia->angle >= 360.0f)
    return bm_fail_(BM_ERR_BAD_ANGLE, "minutia %zu: angle %g is outside [0, 360)", index, (double)minutia->angle);
  if (minutia->type > BM_MINUTIA_BIFURCATION)
    return bm_fail_(BM_ERR_BAD_MINUTIA_TYPE, "minutia %zu: type code %u is not defined", index, minutia->type);
  if (minutia->quality > 100 && minutia->quality != BM_QUALITY_UNKNOWN)
    return bm_fail_(BM_ERR_BAD_QUALITY, "minutia %zu: quality %u is outside 0..100", index, minutia->quality);
  if ((tpl->width && minutia->x >= tpl->width) || (tpl->height && minutia->y >= tpl->height))
    return bm_fail_(BM_ERR_COORDINATE_OUT_OF_RANGE, "minutia %zu at (%u,%u) lies outside the %ux%u image", index,
                    minutia->x, minutia->y, tpl->width, tpl->height);
  return BM_OK;
}

bm_status bm_template_add_minutia(bm_template *tpl, const bm_minutia *minutia) {
  if (!tpl || !minutia) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_add_minutia: NULL argument");
  if (tpl->minutia_count >= BM_MAX_MINUTIAE)
    return bm_fail_(BM_ERR_TOO_MANY_MINUTIAE, "a template holds at most %d minutiae", BM_MAX_MINUTIAE);
  bm_status status = bm_template_check_minutia_(tpl, minutia, tpl->minutia_count);
  if (status != BM_OK) return status;
  bm_minutia *slot = &tpl->minutiae[tpl->minutia_count++];
  *slot = *minutia;
  memset(slot->reserved, 0, sizeof slot->reserved);
  return BM_OK;
}

bm_status bm_template_set_minutiae(bm_template *tpl, const bm_minutia *minutiae, size_t count) {
  if (!tpl || (!minutiae && count))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_set_minutiae: NULL argument");
  if (count > BM_MAX_MINUTIAE)
    return bm_fail_(BM_ERR_TOO_MANY_MINUTIAE, "%zu minutiae given, a template holds at most %d", count,
                    BM_MAX_MINUTIAE);
  for (size_t i = 0; i < count; ++i) {
    bm_status status = bm_template_check_minutia_(tpl, &minutiae[i], i);
    if (status != BM_OK) return status;
  }
  for (size_t i = 0; i < count; ++i) {
    tpl->minutiae[i] = minutiae[i];
    memset(tpl->minutiae[i].reserved, 0, sizeof tpl->minutiae[i].reserved);
  }
  tpl->minutia_count = count;
  return BM_OK;
}

bm_status bm_template_set_record_info(bm_template *tpl, unsigned capture_equipment_id, unsigned view_number) {
  if (!tpl) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_set_record_info: template is NULL");
  if (capture_equipment_id > UINT16_MAX)
    return bm_fail_(BM_ERR_BAD_FIELD, "capture equipment id 0x%x does not fit 16 bits", capture_equipment_id);
  if (view_number > 15) return bm_fail_(BM_ERR_BAD_FIELD, "view number %u is outside 0..15", view_number);
  tpl->capture_equipment_id = capture_equipment_id;
  tpl->view_number = view_number;
  return BM_OK;
}

void bm_template_get_record_info(const bm_template *tpl, unsigned *capture_equipment_id, unsigned *view_number) {
  if (capture_equipment_id) *capture_equipment_id = tpl ? tpl->capture_equipment_id : 0;
  if (view_number) *view_number = tpl ? tpl->view_number : 0;
}

/* Walks the area headers (type, length including the 4-byte header) and
 * returns the number of areas, or 0 with an error when they do not tile the block. */
static bm_status count_extended_areas(const uint8_t *data, size_t size, size_t *area_count) {
  size_t offset = 0, count = 0;
  while (offset < size) {
    if (size - offset < 4)
      return bm_fail_(BM_ERR_BAD_FIELD, "extended data area header at offset %zu needs 4 bytes, %zu left", offset,
                      size - offset);
    size_t area_length = (size_t)data[offset + 2] << 8 | data[offset + 3];
    if (area_length < 4 || area_length > size - offset)
      return bm_fail_(BM_ERR_BAD_FIELD, "extended data area at offset %zu declares length %zu (%zu bytes left)",
                      offset, area_length, size - offset);
    offset += area_length;
    ++count;
  }
  *area_count = count;
  return BM_OK;
}

bm_status bm_template_set_extended_data(bm_template *tpl, const void *data, size_t size) {
  if (!tpl || (!data && size)) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_set_extended_data: NULL argument");
  if (size > UINT16_MAX)
    return bm_fail_(BM_ERR_BAD_FIELD, "extended data of %zu bytes exceeds the 65535-byte block limit", size);
  size_t area_count = 0;
  {
    bm_status status = count_extended_areas(data, size, &area_count);
    if (status != BM_OK) return status;
  }
  uint8_t *copy = NULL;
  if (size) {
    copy = malloc(size);
    if (!copy) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_template_set_extended_data: out of memory");
    memcpy(copy, data, size);
  }
  free(tpl->extended_data);
  tpl->extended_data = copy;
  tpl->extended_size = size;
  return BM_OK;
}

const void *bm_template_extended_data(const bm_template *tpl, size_t *size) {
  if (size) *size = tpl ? tpl->extended_size : 0;
  return (tpl && tpl->extended_size) ? tpl->extended_data : NULL;
}

size_t bm_template_extended_area_count(const bm_template *tpl) {
  size_t count = 0;
  if (!tpl || !tpl->extended_size) return 0;
  if (count_extended_areas(tpl->extended_data, tpl->extended_size, &count) != BM_OK) return 0;
  return count;
}
