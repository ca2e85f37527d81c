/* Shared decoding and encoding of the FMR records: minutiae, extended data
 * block, trailing bytes and resolution. See docs/template-formats.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "template/fmr_common.h"
#include "template/template_internal.h"

enum { BM_FMR_COORDINATE_MAX = 0x3FFF };

static float decode_angle(unsigned code, bm_fmr_angle_unit_ unit) {
  /* Both products are exact in float: 360/256 = 1.40625 is a short binary fraction. */
  return unit == BM_FMR_ANGLE_ISO_ ? (float)code * (360.0f / 256.0f) : (float)code * 2.0f;
}

bm_status bm_fmr_read_minutiae_(bm_byte_reader_ *reader, size_t count, unsigned bytes_each,
                                bm_fmr_angle_unit_ angle_unit, int iso2011_codes, const bm_read_options *options,
                                bm_fmr_view_ *view) {
  const int lenient = (options->flags & BM_READ_LENIENT) != 0;
  if (count * bytes_each > bm_byte_reader_left_(reader))
    return bm_fail_(BM_ERR_TOO_MANY_MINUTIAE,
                    "%s: minutia count %zu at offset %zu needs %zu bytes but only %zu remain in the record",
                    reader->what, count, reader->offset - 1, count * bytes_each, bm_byte_reader_left_(reader));
  for (size_t i = 0; i < count; ++i) {
    const size_t offset = reader->offset;
    unsigned word_x, word_y, angle_code, quality = BM_QUALITY_UNKNOWN;
    BM_TRY_(bm_read_u16be_(reader, "minutia type and x", &word_x));
    BM_TRY_(bm_read_u16be_(reader, "minutia y", &word_y));
    BM_TRY_(bm_read_u8_(reader, "minutia angle", &angle_code));
    if (bytes_each == 6) BM_TRY_(bm_read_u8_(reader, "minutia quality", &quality));
    const unsigned type_bits = word_x >> 14;
    if (type_bits == 3)
      return bm_fail_(BM_ERR_BAD_MINUTIA_TYPE, "%s: minutia %zu at offset %zu has the reserved type code 11b",
                      reader->what, i, offset);
    if ((word_y >> 14) != 0 && !lenient)
      return bm_fail_(BM_ERR_BAD_FIELD, "%s: minutia %zu at offset %zu sets the reserved bits above y",
                      reader->what, i, offset + 2);
    if (angle_unit == BM_FMR_ANGLE_ANSI_ && angle_code > 179)
      return bm_fail_(BM_ERR_BAD_ANGLE, "%s: minutia %zu at offset %zu has angle code %u, above 179 (2-degree units)",
                      reader->what, i, offset + 4, angle_code);
    if (bytes_each == 6 && quality > 100) {
      /* ISO 2011 reserves 254 for "not reported" and 255 for "failed to compute". */
      if (iso2011_codes && quality == 254) {
        quality = BM_QUALITY_UNKNOWN;
      } else if (iso2011_codes && quality == 255) {
        quality = 0;
      } else if (lenient) {
        /* "Not reported" in the format's own terms, so that the value survives re-writing. */
        quality = iso2011_codes ? BM_QUALITY_UNKNOWN : 0u;
      } else {
        return bm_fail_(BM_ERR_BAD_QUALITY, "%s: minutia %zu at offset %zu has quality %u, above 100", reader->what,
                        i, offset + 5, quality);
      }
    }
    bm_minutia *minutia = &view->minutiae[i];
    minutia->x = (uint16_t)(word_x & BM_FMR_COORDINATE_MAX);
    minutia->y = (uint16_t)(word_y & BM_FMR_COORDINATE_MAX);
    minutia->angle = decode_angle(angle_code, angle_unit);
    minutia->type = (uint8_t)(type_bits == 1 ? BM_MINUTIA_RIDGE_ENDING
                                             : type_bits == 2 ? BM_MINUTIA_BIFURCATION : BM_MINUTIA_OTHER);
    minutia->quality = (uint8_t)quality;
    minutia->reserved[0] = minutia->reserved[1] = 0;
  }
  view->minutia_count = count;
  return BM_OK;
}

bm_status bm_fmr_read_extended_block_(bm_byte_reader_ *reader, bm_fmr_view_ *view) {
  unsigned block_length;
  const size_t block_offset = reader->offset;
  BM_TRY_(bm_read_u16be_(reader, "extended data block length", &block_length));
  const uint8_t *block;
  BM_TRY_(bm_read_bytes_(reader, "extended data block", block_length, &block));
  /* Each area: type id (2 bytes), area length (2 bytes, counting this header), data. */
  size_t offset = 0;
  while (offset < block_length) {
    if (block_length - offset < 4)
      return bm_fail_(BM_ERR_BAD_FIELD, "%s: extended data area header at offset %zu needs 4 bytes, %zu left",
                      reader->what, block_offset + 2 + offset, block_length - offset);
    const size_t area_length = (size_t)block[offset + 2] << 8 | block[offset + 3];
    if (area_length < 4 || area_length > block_length - offset)
      return bm_fail_(BM_ERR_LENGTH_MISMATCH,
                      "%s: extended data area at offset %zu declares length %zu, block has %zu bytes left",
                      reader->what, block_offset + 2 + offset, area_length, block_length - offset);
    offset += area_length;
  }
  view->extended_data = block_length ? block : NULL;
  view->extended_size = block_length;
  return BM_OK;
}

bm_status bm_fmr_make_template_(const bm_fmr_view_ *view, const bm_read_options *options, bm_template **out) {
  if (view->ppcm_x == 0 || view->ppcm_y == 0)
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "%s resolution is zero pixels per centimetre",
                    view->ppcm_x == 0 ? "x" : "y");
  unsigned width = view->width, height = view->height;
  if (options->flags & BM_READ_LENIENT) {
    /* Lenient: keep every minutia where it is and grow the stated image to hold it. */
    for (size_t i = 0; i < view->minutia_count; ++i) {
      if (width && view->minutiae[i].x >= width) width = view->minutiae[i].x + 1u;
      if (height && view->minutiae[i].y >= height) height = view->minutiae[i].y + 1u;
    }
  }
  bm_template *tpl = NULL;
  BM_TRY_(bm_template_create(&tpl));
  bm_status status = bm_template_set_image(tpl, width, height, view->ppcm_x * 2.54, view->ppcm_y * 2.54);
  if (status == BM_OK)
    status = bm_template_set_finger(tpl, view->finger_position, view->impression_type, view->finger_quality);
  if (status == BM_OK) status = bm_template_set_record_info(tpl, view->capture_equipment_id, view->view_number);
  if (status == BM_OK) status = bm_template_set_minutiae(tpl, view->minutiae, view->minutia_count);
  if (status == BM_OK) status = bm_template_set_extended_data(tpl, view->extended_data, view->extended_size);
  if (status != BM_OK) {
    bm_template_free(tpl);
    return status;
  }
  *out = tpl;
  return BM_OK;
}

bm_status bm_fmr_check_record_length_(uint32_t length, size_t size, size_t header_size, const char *what) {
  if (length > size)
    return bm_fail_(BM_ERR_TRUNCATED, "%s: length field at offset 8 says %u bytes, only %zu present", what, length,
                    size);
  if (length < header_size)
    return bm_fail_(BM_ERR_LENGTH_MISMATCH, "%s: length field at offset 8 says %u bytes, less than the %zu-byte header",
                    what, length, header_size);
  return BM_OK;
}

bm_status bm_fmr_check_trailing_(const uint8_t *data, size_t size, size_t record_length, const char *what,
                                 const bm_read_options *options) {
  if (options->flags & BM_READ_LENIENT) return BM_OK;
  for (size_t offset = record_length; offset < size; ++offset)
    if (data[offset] != 0)
      return bm_fail_(BM_ERR_TRAILING_DATA,
                      "%s ends at byte %zu (its length field) but byte %zu of %zu is 0x%02x, not zero padding", what,
                      record_length, offset, size, data[offset]);
  return BM_OK;
}

bm_status bm_fmr_check_view_count_(unsigned view_count, const bm_read_options *options, const char *what) {
  if (view_count == 0) return bm_fail_(BM_ERR_NO_FINGER_VIEW, "%s holds no finger view", what);
  (void)options;
  return BM_OK;
}

bm_status bm_fmr_resolution_ppcm_(const bm_template *tpl, unsigned *ppcm_x, unsigned *ppcm_y) {
  const double x = round(tpl->ppi_x / 2.54), y = round(tpl->ppi_y / 2.54);
  if (x < 1 || y < 1 || x > UINT16_MAX || y > UINT16_MAX)
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "resolution %g x %g ppi does not fit the pixels-per-cm field",
                    tpl->ppi_x, tpl->ppi_y);
  *ppcm_x = (unsigned)x;
  *ppcm_y = (unsigned)y;
  return BM_OK;
}

static unsigned encode_angle(float angle, bm_fmr_angle_unit_ unit) {
  if (unit == BM_FMR_ANGLE_ISO_) return (unsigned)lround(angle * (256.0 / 360.0)) % 256u;
  return (unsigned)lround(angle / 2.0) % 180u;
}

bm_status bm_fmr_write_minutiae_(const bm_template *tpl, unsigned bytes_each, bm_fmr_angle_unit_ angle_unit,
                                 int iso2011_codes, bm_byte_writer_ *writer) {
  for (size_t i = 0; i < tpl->minutia_count; ++i) {
    const bm_minutia *minutia = &tpl->minutiae[i];
    if (minutia->x > BM_FMR_COORDINATE_MAX || minutia->y > BM_FMR_COORDINATE_MAX)
      return bm_fail_(BM_ERR_COORDINATE_OUT_OF_RANGE, "minutia %zu at (%u,%u) does not fit the 14-bit fields", i,
                      minutia->x, minutia->y);
    const unsigned type_bits = minutia->type == BM_MINUTIA_RIDGE_ENDING ? 1u
                               : minutia->type == BM_MINUTIA_BIFURCATION ? 2u : 0u;
    bm_write_u16be_(writer, type_bits << 14 | minutia->x);
    bm_write_u16be_(writer, minutia->y);
    bm_write_u8_(writer, encode_angle(minutia->angle, angle_unit));
    if (bytes_each == 6)
      bm_write_u8_(writer, iso2011_codes ? minutia->quality : bm_fmr_legacy_quality_(minutia->quality));
  }
  return BM_OK;
}

void bm_fmr_write_extended_block_(const bm_template *tpl, bm_byte_writer_ *writer) {
  bm_write_u16be_(writer, (unsigned)tpl->extended_size);
  if (tpl->extended_size) bm_write_bytes_(writer, tpl->extended_data, tpl->extended_size);
}

unsigned bm_fmr_legacy_quality_(unsigned quality) { return quality == BM_QUALITY_UNKNOWN ? 0u : quality; }

bm_status bm_fmr_read_legacy_view_(bm_byte_reader_ *reader, bm_fmr_angle_unit_ angle_unit,
                                   const bm_read_options *options, bm_fmr_view_ *view) {
  const size_t start = reader->offset;
  unsigned position, view_and_impression, quality, count;
  BM_TRY_(bm_read_u8_(reader, "finger position", &position));
  BM_TRY_(bm_read_u8_(reader, "view number and impression type", &view_and_impression));
  BM_TRY_(bm_read_u8_(reader, "finger quality", &quality));
  BM_TRY_(bm_read_u8_(reader, "minutia count", &count));
  if (!bm_finger_position_is_valid(position))
    return bm_fail_(BM_ERR_BAD_FINGER_POSITION, "%s: finger position code %u at offset %zu is not defined",
                    reader->what, position, start);
  view->finger_position = position;
  view->view_number = view_and_impression >> 4;
  view->impression_type = view_and_impression & 0xFu;
  if (view->impression_type > 9)
    return bm_fail_(BM_ERR_BAD_IMPRESSION_TYPE, "%s: impression type code %u at offset %zu is not defined",
                    reader->what, view->impression_type, start + 1);
  if (quality > 100)
    return bm_fail_(BM_ERR_BAD_QUALITY, "%s: finger quality %u at offset %zu is above 100", reader->what, quality,
                    start + 2);
  view->finger_quality = quality;
  view->extended_data = NULL;
  view->extended_size = 0;
  BM_TRY_(bm_fmr_read_minutiae_(reader, count, 6, angle_unit, 0, options, view));
  return bm_fmr_read_extended_block_(reader, view);
}

size_t bm_fmr_legacy_view_size_(const bm_template *tpl) {
  return 4 + 6 * tpl->minutia_count + 2 + tpl->extended_size;
}

bm_status bm_fmr_write_legacy_view_(const bm_template *tpl, bm_fmr_angle_unit_ angle_unit, bm_byte_writer_ *writer) {
  bm_write_u8_(writer, tpl->finger_position);
  bm_write_u8_(writer, tpl->view_number << 4 | tpl->impression_type);
  bm_write_u8_(writer, bm_fmr_legacy_quality_(tpl->finger_quality));
  bm_write_u8_(writer, (unsigned)tpl->minutia_count);
  BM_TRY_(bm_fmr_write_minutiae_(tpl, 6, angle_unit, 0, writer));
  bm_fmr_write_extended_block_(tpl, writer);
  return BM_OK;
}

/* Reads the common start "FMR\0" " 20\0" of ISO 2005 and ANSI 378 records. */
bm_status bm_fmr_read_magic_2005_(bm_byte_reader_ *reader) {
  const uint8_t *magic, *version;
  BM_TRY_(bm_read_bytes_(reader, "format identifier", 4, &magic));
  if (memcmp(magic, "FMR", 4) != 0)
    return bm_fail_(BM_ERR_BAD_MAGIC, "%s: format identifier at offset 0 is not \"FMR\\0\"", reader->what);
  BM_TRY_(bm_read_bytes_(reader, "version", 4, &version));
  if (memcmp(version, " 20", 4) != 0)
    return bm_fail_(BM_ERR_BAD_VERSION, "%s: version at offset 4 is \"%.3s\", expected \" 20\"", reader->what,
                    (const char *)version);
  return BM_OK;
}

/* Reads the views that follow a legacy (2005/ANSI) record header. */
bm_status bm_fmr_read_legacy_views_(bm_byte_reader_ *record, bm_fmr_view_ *view, unsigned view_count,
                                    bm_fmr_angle_unit_ angle_unit, const bm_read_options *options,
                                    bm_template **out) {
  BM_TRY_(bm_fmr_check_view_count_(view_count, options, record->what));
  bm_template *chosen = NULL;
  for (unsigned i = 0; i < view_count; ++i) {
    /* Every view becomes a template, so every view is validated, not only the one asked for. */
    bm_template *current = NULL;
    bm_status status = bm_fmr_read_legacy_view_(record, angle_unit, options, view);
    if (status == BM_OK) status = bm_fmr_make_template_(view, options, &current);
    if (status != BM_OK) {
      bm_template_free(chosen);
      return status;
    }
    if (out && i == options->view_index) chosen = current;
    else bm_template_free(current);
  }
  if (record->offset != record->size) {
    bm_template_free(chosen);
    return bm_fail_(BM_ERR_LENGTH_MISMATCH, "%s: length field says %zu bytes but the %u view(s) end at byte %zu",
                    record->what, record->size, view_count, record->offset);
  }
  if (out) {
    if (!chosen)
      return bm_fail_(BM_ERR_NO_FINGER_VIEW, "%s holds %u view(s); view index %u was asked for", record->what,
                      view_count, options->view_index);
    *out = chosen;
  }
  return BM_OK;
}


bm_status bm_fmr_read_image_fields_(bm_byte_reader_ *record, bm_fmr_view_ *view, unsigned *view_count,
                                    const char *record_name) {
  unsigned reserved;
  BM_TRY_(bm_read_u16be_(record, "capture equipment", &view->capture_equipment_id));
  BM_TRY_(bm_read_u16be_(record, "image width", &view->width));
  BM_TRY_(bm_read_u16be_(record, "image height", &view->height));
  BM_TRY_(bm_read_u16be_(record, "x resolution", &view->ppcm_x));
  BM_TRY_(bm_read_u16be_(record, "y resolution", &view->ppcm_y));
  BM_TRY_(bm_read_u8_(record, "finger view count", view_count));
  BM_TRY_(bm_read_u8_(record, "reserved byte", &reserved));
  if (view->ppcm_x == 0 || view->ppcm_y == 0)
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "%s: %s resolution at offset %zu is zero", record_name,
                    view->ppcm_x == 0 ? "x" : "y", record->offset - (view->ppcm_x == 0 ? 6 : 4));
  return BM_OK;
}
