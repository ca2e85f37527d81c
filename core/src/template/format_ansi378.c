/* ANSI INCITS 378-2004 finger minutiae record: like ISO/IEC 19794-2:2005 but
 * with a 2-byte record length (0 followed by a 4-byte length for records
 * over 65535 bytes), a 4-byte CBEFF product id, and angles in 2-degree units. */
#include <string.h>

#include "template/fmr_common.h"
#include "template/template_internal.h"

static const char record_name[] = "ANSI INCITS 378-2004 record";
enum { ANSI378_HEADER_SIZE = 26, ANSI378_LONG_HEADER_SIZE = 30 };

bm_status bm_ansi378_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                           bm_template **out) {
  bm_byte_reader_ head = bm_byte_reader_make_(data, size, BM_ERR_TRUNCATED, record_name);
  BM_TRY_(bm_fmr_read_magic_2005_(&head));
  unsigned short_length;
  uint32_t length;
  size_t header_size = ANSI378_HEADER_SIZE;
  BM_TRY_(bm_read_u16be_(&head, "record length", &short_length));
  length = short_length;
  if (short_length == 0) {
    BM_TRY_(bm_read_u32be_(&head, "extended record length", &length));
    header_size = ANSI378_LONG_HEADER_SIZE;
  }
  BM_TRY_(bm_fmr_check_record_length_(length, size, header_size, record_name));
  BM_TRY_(bm_fmr_check_trailing_(data, size, length, record_name, options));
  bm_byte_reader_ record = bm_byte_reader_make_(data, length, BM_ERR_LENGTH_MISMATCH, record_name);
  record.offset = head.offset;
  bm_fmr_view_ view;
  memset(&view, 0, offsetof(bm_fmr_view_, minutiae));
  uint32_t product_id;
  unsigned views;
  BM_TRY_(bm_read_u32be_(&record, "CBEFF product id", &product_id));
  BM_TRY_(bm_fmr_read_image_fields_(&record, &view, &views, record_name));
  BM_TRY_(bm_fmr_read_legacy_views_(&record, &view, views, BM_FMR_ANGLE_ANSI_, options, out));
  *view_count = views;
  return BM_OK;
}

bm_status bm_ansi378_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer) {
  (void)flags;
  unsigned ppcm_x, ppcm_y;
  BM_TRY_(bm_fmr_resolution_ppcm_(tpl, &ppcm_x, &ppcm_y));
  size_t length = ANSI378_HEADER_SIZE + bm_fmr_legacy_view_size_(tpl);
  bm_write_bytes_(writer, "FMR\0 20\0", 8);
  if (length <= UINT16_MAX) {
    bm_write_u16be_(writer, (unsigned)length);
  } else {
    length += ANSI378_LONG_HEADER_SIZE - ANSI378_HEADER_SIZE;
    bm_write_u16be_(writer, 0);
    bm_write_u32be_(writer, (uint32_t)length);
  }
  bm_write_u32be_(writer, 0); /* CBEFF product id: not kept in bm_template, written as unspecified */
  bm_write_u16be_(writer, tpl->capture_equipment_id);
  bm_write_u16be_(writer, tpl->width);
  bm_write_u16be_(writer, tpl->height);
  bm_write_u16be_(writer, ppcm_x);
  bm_write_u16be_(writer, ppcm_y);
  bm_write_u8_(writer, 1);
  bm_write_u8_(writer, 0);
  return bm_fmr_write_legacy_view_(tpl, BM_FMR_ANGLE_ANSI_, writer);
}
