/* ISO/IEC 19794-2:2005 finger minutiae record: 24-byte record header with a
 * 4-byte length, then one or more finger views. */
#include <string.h>

#include "template/fmr_common.h"
#include "template/template_internal.h"

static const char record_name[] = "ISO 19794-2:2005 record";
enum { ISO2005_HEADER_SIZE = 24 };

bm_status bm_iso2005_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                           bm_template **out) {
  bm_byte_reader_ head = bm_byte_reader_make_(data, size, BM_ERR_TRUNCATED, record_name);
  BM_TRY_(bm_fmr_read_magic_2005_(&head));
  uint32_t length;
  BM_TRY_(bm_read_u32be_(&head, "record length", &length));
  BM_TRY_(bm_fmr_check_record_length_(length, size, ISO2005_HEADER_SIZE, record_name));
  BM_TRY_(bm_fmr_check_trailing_(data, size, length, record_name, options));
  bm_byte_reader_ record = bm_byte_reader_make_(data, length, BM_ERR_LENGTH_MISMATCH, record_name);
  record.offset = head.offset;
  bm_fmr_view_ view;
  memset(&view, 0, offsetof(bm_fmr_view_, minutiae));
  unsigned views;
  BM_TRY_(bm_fmr_read_image_fields_(&record, &view, &views, record_name));
  BM_TRY_(bm_fmr_read_legacy_views_(&record, &view, views, BM_FMR_ANGLE_ISO_, options, out));
  *view_count = views;
  return BM_OK;
}

bm_status bm_iso2005_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer) {
  (void)flags;
  unsigned ppcm_x, ppcm_y;
  BM_TRY_(bm_fmr_resolution_ppcm_(tpl, &ppcm_x, &ppcm_y));
  const size_t length = ISO2005_HEADER_SIZE + bm_fmr_legacy_view_size_(tpl);
  bm_write_bytes_(writer, "FMR\0 20\0", 8);
  bm_write_u32be_(writer, (uint32_t)length);
  bm_write_u16be_(writer, tpl->capture_equipment_id);
  bm_write_u16be_(writer, tpl->width);
  bm_write_u16be_(writer, tpl->height);
  bm_write_u16be_(writer, ppcm_x);
  bm_write_u16be_(writer, ppcm_y);
  bm_write_u8_(writer, 1);
  bm_write_u8_(writer, 0);
  return bm_fmr_write_legacy_view_(tpl, BM_FMR_ANGLE_ISO_, writer);
}
