/* ISO/IEC 19794-2:2011 finger minutiae record: a 15-byte general header
 * (with a 2-byte representation count and a certification flag), then one
 * finger representation per view, each with its own length, capture
 * date/time, device ids, quality blocks, optional certification blocks,
 * geometry and 5- or 6-byte minutiae. */
#include <string.h>

#include "template/fmr_common.h"
#include "template/template_internal.h"

static const char record_name[] = "ISO 19794-2:2011 record";
enum {
  ISO2011_HEADER_SIZE = 15,
  ISO2011_DATE_SIZE = 9,
  ISO2011_QUALITY_BLOCK_SIZE = 5,
  ISO2011_CERTIFICATION_BLOCK_SIZE = 3,
  ISO2011_QUALITY_FAILED = 255
};

static bm_status read_representation(bm_byte_reader_ *record, int certified, const bm_read_options *options,
                                     bm_fmr_view_ *view) {
  const size_t start = record->offset;
  uint32_t length;
  BM_TRY_(bm_read_u32be_(record, "representation length", &length));
  if (length < 4 || length > record->size - start)
    return bm_fail_(BM_ERR_LENGTH_MISMATCH, "%s: representation at offset %zu declares %u bytes, record has %zu left",
                    record_name, start, length, record->size - start);
  bm_byte_reader_ rep = bm_byte_reader_make_(record->data, start + length, BM_ERR_LENGTH_MISMATCH, record_name);
  rep.offset = record->offset;
  const uint8_t *date;
  unsigned technology, vendor, device_type, quality_blocks;
  BM_TRY_(bm_read_bytes_(&rep, "capture date and time", ISO2011_DATE_SIZE, &date));
  BM_TRY_(bm_read_u8_(&rep, "capture device technology", &technology));
  BM_TRY_(bm_read_u16be_(&rep, "capture device vendor", &vendor));
  BM_TRY_(bm_read_u16be_(&rep, "capture device type", &device_type));
  BM_TRY_(bm_read_u8_(&rep, "quality block count", &quality_blocks));
  view->finger_quality = BM_QUALITY_UNKNOWN;
  for (unsigned i = 0; i < quality_blocks; ++i) {
    const size_t block_offset = rep.offset;
    const uint8_t *block;
    BM_TRY_(bm_read_bytes_(&rep, "quality block", ISO2011_QUALITY_BLOCK_SIZE, &block));
    if (block[0] > 100 && block[0] != ISO2011_QUALITY_FAILED)
      return bm_fail_(BM_ERR_BAD_QUALITY, "%s: quality score %u at offset %zu is above 100", record_name, block[0],
                      block_offset);
    /* The first block's score is the finger quality; "failed" (255) stays unknown. */
    if (i == 0 && block[0] <= 100) view->finger_quality = block[0];
  }
  if (certified) {
    unsigned certification_blocks;
    const uint8_t *blocks;
    BM_TRY_(bm_read_u8_(&rep, "certification block count", &certification_blocks));
    BM_TRY_(bm_read_bytes_(&rep, "certification blocks", certification_blocks * ISO2011_CERTIFICATION_BLOCK_SIZE,
                           &blocks));
  }
  unsigned position, representation_number, impression, minutia_format, count;
  const size_t position_offset = rep.offset;
  BM_TRY_(bm_read_u8_(&rep, "finger position", &position));
  BM_TRY_(bm_read_u8_(&rep, "representation number", &representation_number));
  BM_TRY_(bm_read_u16be_(&rep, "x resolution", &view->ppcm_x));
  BM_TRY_(bm_read_u16be_(&rep, "y resolution", &view->ppcm_y));
  BM_TRY_(bm_read_u8_(&rep, "impression type", &impression));
  BM_TRY_(bm_read_u16be_(&rep, "image width", &view->width));
  BM_TRY_(bm_read_u16be_(&rep, "image height", &view->height));
  BM_TRY_(bm_read_u8_(&rep, "minutia size and ridge ending type", &minutia_format));
  BM_TRY_(bm_read_u8_(&rep, "minutia count", &count));
  if (!bm_finger_position_is_valid(position))
    return bm_fail_(BM_ERR_BAD_FINGER_POSITION, "%s: finger position code %u at offset %zu is not defined",
                    record_name, position, position_offset);
  if (representation_number > 15)
    return bm_fail_(BM_ERR_BAD_FIELD, "%s: representation number %u at offset %zu is above 15", record_name,
                    representation_number, position_offset + 1);
  if (view->ppcm_x == 0 || view->ppcm_y == 0)
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "%s: %s resolution at offset %zu is zero", record_name,
                    view->ppcm_x == 0 ? "x" : "y", position_offset + (view->ppcm_x == 0 ? 2 : 4));
  if (impression > 9)
    return bm_fail_(BM_ERR_BAD_IMPRESSION_TYPE, "%s: impression type code %u at offset %zu is not supported",
                    record_name, impression, position_offset + 6);
  const unsigned minutia_size = minutia_format >> 4, ending_type = minutia_format & 0xFu;
  if ((minutia_size != 5 && minutia_size != 6) || ending_type > 1)
    return bm_fail_(BM_ERR_BAD_FIELD, "%s: minutia size %u / ridge ending type %u at offset %zu (expected 5 or 6 / 0 or 1)",
                    record_name, minutia_size, ending_type, position_offset + 11);
  view->finger_position = position;
  view->view_number = representation_number;
  view->impression_type = impression;
  view->capture_equipment_id = device_type;
  view->extended_data = NULL;
  view->extended_size = 0;
  BM_TRY_(bm_fmr_read_minutiae_(&rep, count, minutia_size, BM_FMR_ANGLE_ISO_, 1, options, view));
  BM_TRY_(bm_fmr_read_extended_block_(&rep, view));
  if (rep.offset != rep.size)
    return bm_fail_(BM_ERR_LENGTH_MISMATCH, "%s: representation at offset %zu declares %u bytes but ends after %zu",
                    record_name, start, length, rep.offset - start);
  record->offset = rep.offset;
  return BM_OK;
}

bm_status bm_iso2011_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                           bm_template **out) {
  bm_byte_reader_ head = bm_byte_reader_make_(data, size, BM_ERR_TRUNCATED, record_name);
  const uint8_t *magic, *version;
  BM_TRY_(bm_read_bytes_(&head, "format identifier", 4, &magic));
  if (memcmp(magic, "FMR", 4) != 0)
    return bm_fail_(BM_ERR_BAD_MAGIC, "%s: format identifier at offset 0 is not \"FMR\\0\"", record_name);
  BM_TRY_(bm_read_bytes_(&head, "version", 4, &version));
  if (memcmp(version, " 30", 4) != 0)
    return bm_fail_(BM_ERR_BAD_VERSION, "%s: version at offset 4 is not \" 30\"", record_name);
  uint32_t length;
  BM_TRY_(bm_read_u32be_(&head, "record length", &length));
  BM_TRY_(bm_fmr_check_record_length_(length, size, ISO2011_HEADER_SIZE, record_name));
  bm_byte_reader_ record = bm_byte_reader_make_(data, length, BM_ERR_LENGTH_MISMATCH, record_name);
  record.offset = head.offset;
  unsigned representations, certified;
  BM_TRY_(bm_read_u16be_(&record, "representation count", &representations));
  BM_TRY_(bm_read_u8_(&record, "certification flag", &certified));
  if (certified > 1)
    return bm_fail_(BM_ERR_BAD_FIELD, "%s: certification flag %u at offset 14 is not 0 or 1", record_name, certified);
  BM_TRY_(bm_fmr_check_view_count_(representations, options, record_name));
  bm_fmr_view_ view;
  memset(&view, 0, offsetof(bm_fmr_view_, minutiae));
  bm_template *chosen = NULL;
  for (unsigned i = 0; i < representations; ++i) {
    bm_template *current = NULL;
    bm_status status = read_representation(&record, certified, options, &view);
    if (status == BM_OK) status = bm_fmr_make_template_(&view, options, &current);
    if (status != BM_OK) {
      bm_template_free(chosen);
      return status;
    }
    if (out && i == options->view_index) chosen = current;
    else bm_template_free(current);
  }
  bm_status status = BM_OK;
  if (record.offset != length)
    status = bm_fail_(BM_ERR_LENGTH_MISMATCH, "%s: length field says %u bytes but the %u representation(s) end at %zu",
                      record_name, length, representations, record.offset);
  if (status == BM_OK) status = bm_fmr_check_trailing_(data, size, length, record_name, options);
  if (status == BM_OK && out && !chosen)
    status = bm_fail_(BM_ERR_NO_FINGER_VIEW, "%s holds %u representation(s); view index %u was asked for",
                      record_name, representations, options->view_index);
  if (status != BM_OK) {
    bm_template_free(chosen);
    return status;
  }
  if (out) *out = chosen;
  *view_count = representations;
  return BM_OK;
}

bm_status bm_iso2011_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer) {
  (void)flags;
  unsigned ppcm_x, ppcm_y;
  BM_TRY_(bm_fmr_resolution_ppcm_(tpl, &ppcm_x, &ppcm_y));
  int has_minutia_quality = 0;
  for (size_t i = 0; i < tpl->minutia_count; ++i)
    if (tpl->minutiae[i].quality != BM_QUALITY_UNKNOWN) has_minutia_quality = 1;
  const unsigned minutia_size = has_minutia_quality ? 6u : 5u;
  const unsigned quality_blocks = tpl->finger_quality == BM_QUALITY_UNKNOWN ? 0u : 1u;
  const size_t representation_length = 4 + ISO2011_DATE_SIZE + 1 + 2 + 2 + 1 +
                                       quality_blocks * ISO2011_QUALITY_BLOCK_SIZE + 1 + 1 + 2 + 2 + 1 + 2 + 2 + 1 +
                                       1 + minutia_size * tpl->minutia_count + 2 + tpl->extended_size;
  bm_write_bytes_(writer, "FMR\0 30\0", 8);
  bm_write_u32be_(writer, (uint32_t)(ISO2011_HEADER_SIZE + representation_length));
  bm_write_u16be_(writer, 1);
  bm_write_u8_(writer, 0); /* no certification blocks */
  bm_write_u32be_(writer, (uint32_t)representation_length);
  static const uint8_t date_not_given[ISO2011_DATE_SIZE] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  bm_write_bytes_(writer, date_not_given, sizeof date_not_given);
  bm_write_u8_(writer, 0);  /* capture device technology: unknown */
  bm_write_u16be_(writer, 0); /* vendor: unknown */
  bm_write_u16be_(writer, tpl->capture_equipment_id);
  bm_write_u8_(writer, quality_blocks);
  if (quality_blocks) {
    bm_write_u8_(writer, tpl->finger_quality);
    bm_write_u16be_(writer, 0); /* quality algorithm vendor: unknown */
    bm_write_u16be_(writer, 0); /* quality algorithm: unknown */
  }
  bm_write_u8_(writer, tpl->finger_position);
  bm_write_u8_(writer, tpl->view_number);
  bm_write_u16be_(writer, ppcm_x);
  bm_write_u16be_(writer, ppcm_y);
  bm_write_u8_(writer, tpl->impression_type);
  bm_write_u16be_(writer, tpl->width);
  bm_write_u16be_(writer, tpl->height);
  bm_write_u8_(writer, minutia_size << 4); /* ridge ending type 0 */
  bm_write_u8_(writer, (unsigned)tpl->minutia_count);
  BM_TRY_(bm_fmr_write_minutiae_(tpl, minutia_size, BM_FMR_ANGLE_ISO_, 1, writer));
  bm_fmr_write_extended_block_(tpl, writer);
  return BM_OK;
}
