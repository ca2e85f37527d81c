/* biomatch's own binary template, "BMTF" version 1: every field of
 * bm_template stored exactly (resolution as IEEE-754 doubles, angles as
 * floats), little-endian, protected by a CRC-32C of all preceding bytes.
 * Byte layout: docs/template-formats.md. */
#include <string.h>

#include "template/formats_internal.h"
#include "template/template_internal.h"
#include "util/crc32c.h"

static const char record_name[] = "biomatch template";
enum {
  NATIVE_VERSION = 1,
  NATIVE_HEADER_SIZE = 48,
  NATIVE_MINUTIA_SIZE = 12,
  NATIVE_CHECKSUM_SIZE = 4
};

_Static_assert(sizeof(double) == 8 && sizeof(float) == 4, "IEEE-754 binary64/binary32 expected");

static double double_from_bits(uint32_t low, uint32_t high) {
  const uint64_t bits = (uint64_t)high << 32 | low;
  double value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

static void write_double(bm_byte_writer_ *writer, double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  bm_write_u32le_(writer, (uint32_t)bits);
  bm_write_u32le_(writer, (uint32_t)(bits >> 32));
}

bm_status bm_native_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                          bm_template **out) {
  bm_byte_reader_ head = bm_byte_reader_make_(data, size, BM_ERR_TRUNCATED, record_name);
  const uint8_t *magic;
  unsigned version, header_size;
  uint32_t length;
  BM_TRY_(bm_read_bytes_(&head, "magic", 4, &magic));
  if (memcmp(magic, "BMTF", 4) != 0)
    return bm_fail_(BM_ERR_BAD_MAGIC, "%s: magic at offset 0 is not \"BMTF\"", record_name);
  BM_TRY_(bm_read_u16le_(&head, "version", &version));
  if (version != NATIVE_VERSION)
    return bm_fail_(BM_ERR_BAD_VERSION, "%s: version %u at offset 4, this library reads version %d", record_name,
                    version, NATIVE_VERSION);
  BM_TRY_(bm_read_u16le_(&head, "header size", &header_size));
  if (header_size != NATIVE_HEADER_SIZE)
    return bm_fail_(BM_ERR_BAD_FIELD, "%s: header size %u at offset 6, expected %d", record_name, header_size,
                    NATIVE_HEADER_SIZE);
  BM_TRY_(bm_read_u32le_(&head, "total length", &length));
  if (length > size)
    return bm_fail_(BM_ERR_TRUNCATED, "%s: length field at offset 8 says %u bytes, only %zu present", record_name,
                    length, size);
  if (length < NATIVE_HEADER_SIZE + NATIVE_CHECKSUM_SIZE)
    return bm_fail_(BM_ERR_LENGTH_MISMATCH, "%s: length field at offset 8 says %u bytes, less than header and checksum",
                    record_name, length);
  if (length < size && !(options->flags & BM_READ_LENIENT))
    return bm_fail_(BM_ERR_TRAILING_DATA, "%s ends at byte %u (its length field) but %zu bytes follow", record_name,
                    length, size - length);
  const size_t body = length - NATIVE_CHECKSUM_SIZE;
  const uint32_t stored_crc = (uint32_t)data[body] | (uint32_t)data[body + 1] << 8 |
                              (uint32_t)data[body + 2] << 16 | (uint32_t)data[body + 3] << 24;
  const uint32_t computed_crc = bm_crc32c_(0, data, body);
  if (stored_crc != computed_crc)
    return bm_fail_(BM_ERR_CHECKSUM, "%s: CRC-32C at offset %zu is 0x%08x, content gives 0x%08x", record_name, body,
                    stored_crc, computed_crc);

  bm_byte_reader_ record = bm_byte_reader_make_(data, body, BM_ERR_LENGTH_MISMATCH, record_name);
  record.offset = head.offset;
  unsigned width, height, position, impression, quality, view_number, equipment, count, reserved_word;
  uint32_t ppi_x_low, ppi_x_high, ppi_y_low, ppi_y_high, extended_size, reserved;
  BM_TRY_(bm_read_u16le_(&record, "image width", &width));
  BM_TRY_(bm_read_u16le_(&record, "image height", &height));
  BM_TRY_(bm_read_u32le_(&record, "x resolution", &ppi_x_low));
  BM_TRY_(bm_read_u32le_(&record, "x resolution", &ppi_x_high));
  BM_TRY_(bm_read_u32le_(&record, "y resolution", &ppi_y_low));
  BM_TRY_(bm_read_u32le_(&record, "y resolution", &ppi_y_high));
  BM_TRY_(bm_read_u8_(&record, "finger position", &position));
  BM_TRY_(bm_read_u8_(&record, "impression type", &impression));
  BM_TRY_(bm_read_u8_(&record, "finger quality", &quality));
  BM_TRY_(bm_read_u8_(&record, "view number", &view_number));
  BM_TRY_(bm_read_u16le_(&record, "capture equipment", &equipment));
  BM_TRY_(bm_read_u16le_(&record, "minutia count", &count));
  BM_TRY_(bm_read_u32le_(&record, "extended data size", &extended_size));
  BM_TRY_(bm_read_u32le_(&record, "reserved", &reserved));
  if (reserved != 0) return bm_fail_(BM_ERR_BAD_FIELD, "%s: reserved field at offset 44 is not zero", record_name);
  if (count > BM_MAX_MINUTIAE)
    return bm_fail_(BM_ERR_TOO_MANY_MINUTIAE, "%s: minutia count %u at offset 38 is above %d", record_name, count,
                    BM_MAX_MINUTIAE);
  if ((size_t)count * NATIVE_MINUTIA_SIZE > bm_byte_reader_left_(&record))
    return bm_fail_(BM_ERR_TOO_MANY_MINUTIAE, "%s: minutia count %u at offset 38 needs %u bytes, %zu remain",
                    record_name, count, count * NATIVE_MINUTIA_SIZE, bm_byte_reader_left_(&record));
  if ((size_t)count * NATIVE_MINUTIA_SIZE + extended_size != bm_byte_reader_left_(&record))
    return bm_fail_(BM_ERR_LENGTH_MISMATCH,
                    "%s: %u minutiae and %u bytes of extended data disagree with the %zu bytes before the checksum",
                    record_name, count, extended_size, bm_byte_reader_left_(&record));
  bm_minutia minutiae[BM_MAX_MINUTIAE];
  for (unsigned i = 0; i < count; ++i) {
    unsigned x, y, type, minutia_quality;
    uint32_t angle_bits;
    BM_TRY_(bm_read_u16le_(&record, "minutia x", &x));
    BM_TRY_(bm_read_u16le_(&record, "minutia y", &y));
    BM_TRY_(bm_read_u32le_(&record, "minutia angle", &angle_bits));
    BM_TRY_(bm_read_u8_(&record, "minutia type", &type));
    BM_TRY_(bm_read_u8_(&record, "minutia quality", &minutia_quality));
    BM_TRY_(bm_read_u16le_(&record, "minutia reserved", &reserved_word));
    if (reserved_word != 0)
      return bm_fail_(BM_ERR_BAD_FIELD, "%s: minutia %u reserved bytes at offset %zu are not zero", record_name, i,
                      record.offset - 2);
    minutiae[i].x = (uint16_t)x;
    minutiae[i].y = (uint16_t)y;
    memcpy(&minutiae[i].angle, &angle_bits, sizeof angle_bits);
    minutiae[i].type = (uint8_t)type;
    minutiae[i].quality = (uint8_t)minutia_quality;
    minutiae[i].reserved[0] = minutiae[i].reserved[1] = 0;
  }
  const uint8_t *extended = NULL;
  BM_TRY_(bm_read_bytes_(&record, "extended data", extended_size, &extended));
  *view_count = 1;
  if (!out) return BM_OK;
  if (options->view_index != 0)
    return bm_fail_(BM_ERR_NO_FINGER_VIEW, "%s holds one view; view index %u was asked for", record_name,
                    options->view_index);
  bm_template *tpl = NULL;
  BM_TRY_(bm_template_create(&tpl));
  bm_status status = bm_template_set_image(tpl, width, height, double_from_bits(ppi_x_low, ppi_x_high),
                                           double_from_bits(ppi_y_low, ppi_y_high));
  if (status == BM_OK) status = bm_template_set_finger(tpl, position, impression, quality);
  if (status == BM_OK) status = bm_template_set_record_info(tpl, equipment, view_number);
  if (status == BM_OK) status = bm_template_set_minutiae(tpl, minutiae, count);
  if (status == BM_OK) status = bm_template_set_extended_data(tpl, extended, extended_size);
  if (status != BM_OK) {
    bm_template_free(tpl);
    return status;
  }
  *out = tpl;
  return BM_OK;
}

bm_status bm_native_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer) {
  (void)flags;
  const size_t start = writer->size;
  const size_t length =
      NATIVE_HEADER_SIZE + tpl->minutia_count * NATIVE_MINUTIA_SIZE + tpl->extended_size + NATIVE_CHECKSUM_SIZE;
  bm_write_bytes_(writer, "BMTF", 4);
  bm_write_u16le_(writer, NATIVE_VERSION);
  bm_write_u16le_(writer, NATIVE_HEADER_SIZE);
  bm_write_u32le_(writer, (uint32_t)length);
  bm_write_u16le_(writer, tpl->width);
  bm_write_u16le_(writer, tpl->height);
  write_double(writer, tpl->ppi_x);
  write_double(writer, tpl->ppi_y);
  bm_write_u8_(writer, tpl->finger_position);
  bm_write_u8_(writer, tpl->impression_type);
  bm_write_u8_(writer, tpl->finger_quality);
  bm_write_u8_(writer, tpl->view_number);
  bm_write_u16le_(writer, tpl->capture_equipment_id);
  bm_write_u16le_(writer, (unsigned)tpl->minutia_count);
  bm_write_u32le_(writer, (uint32_t)tpl->extended_size);
  bm_write_u32le_(writer, 0);
  for (size_t i = 0; i < tpl->minutia_count; ++i) {
    const bm_minutia *minutia = &tpl->minutiae[i];
    uint32_t angle_bits;
    memcpy(&angle_bits, &minutia->angle, sizeof angle_bits);
    bm_write_u16le_(writer, minutia->x);
    bm_write_u16le_(writer, minutia->y);
    bm_write_u32le_(writer, angle_bits);
    bm_write_u8_(writer, minutia->type);
    bm_write_u8_(writer, minutia->quality);
    bm_write_u16le_(writer, 0);
  }
  if (tpl->extended_size) bm_write_bytes_(writer, tpl->extended_data, tpl->extended_size);
  /* The checksum covers what was written; it is only computed when the whole record fits. */
  uint32_t crc = 0;
  if (writer->data && writer->size <= writer->capacity) crc = bm_crc32c_(0, writer->data + start, writer->size - start);
  bm_write_u32le_(writer, crc);
  return BM_OK;
}
