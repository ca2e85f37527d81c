/* NIST xyt text: one minutia per line, "x y theta [quality]", integers
 * separated by blanks. In the NIST (MINDTCT default) convention the origin
 * is the bottom-left corner, so y counts up from the bottom, and theta
 * points away from the ridge ending, 180 degrees from the ISO direction.
 * MINDTCT computes y_nist = height - y_iso (not height - 1 - y_iso) and
 * theta_nist = theta_iso + 180 (mod 360); this file inverts exactly that.
 * With BM_XYT_ISO_ORIENTATION the text already uses the ISO convention
 * (MINDTCT -m1) and is taken as is. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "template/formats_internal.h"
#include "template/template_internal.h"

static const char record_name[] = "xyt record";
enum { XYT_MAX_DIGITS = 9, XYT_MAX_COLUMNS = 4 };

static int is_blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Parses the integers of one line [begin, end). Fails on anything but
 * optionally signed decimal integers of at most XYT_MAX_DIGITS digits. */
static bm_status parse_line(const uint8_t *line, size_t length, size_t line_number, long values[XYT_MAX_COLUMNS],
                            int *column_count) {
  int columns = 0;
  size_t i = 0;
  for (;;) {
    while (i < length && is_blank(line[i])) ++i;
    if (i == length) break;
    if (columns == XYT_MAX_COLUMNS)
      return bm_fail_(BM_ERR_PARSE, "%s line %zu: more than %d numbers", record_name, line_number, XYT_MAX_COLUMNS);
    int negative = 0;
    if (line[i] == '-' || line[i] == '+') negative = line[i++] == '-';
    size_t digits = 0;
    long value = 0;
    while (i < length && line[i] >= '0' && line[i] <= '9') {
      if (++digits > XYT_MAX_DIGITS)
        return bm_fail_(BM_ERR_PARSE, "%s line %zu: number %d has more than %d digits", record_name, line_number,
                        columns + 1, XYT_MAX_DIGITS);
      value = value * 10 + (line[i++] - '0');
    }
    if (digits == 0 || (i < length && !is_blank(line[i])))
      return bm_fail_(BM_ERR_PARSE, "%s line %zu: column %d is not an integer", record_name, line_number,
                      columns + 1);
    values[columns++] = negative ? -value : value;
  }
  *column_count = columns;
  return BM_OK;
}

/* Converts one parsed line to a minutia in the ISO convention. */
static bm_status convert_line(const long values[XYT_MAX_COLUMNS], int columns, size_t line_number,
                              const bm_read_options *options, bm_minutia *minutia) {
  const int lenient = (options->flags & BM_READ_LENIENT) != 0;
  const int iso_orientation = (options->flags & BM_XYT_ISO_ORIENTATION) != 0;
  const long x = values[0], y = values[1], theta = values[2];
  if (columns < 3)
    return bm_fail_(BM_ERR_PARSE, "%s line %zu: %d numbers, expected x y theta [quality]", record_name, line_number,
                    columns);
  if (x < 0 || x > UINT16_MAX || y < 0 || y > UINT16_MAX)
    return bm_fail_(BM_ERR_COORDINATE_OUT_OF_RANGE, "%s line %zu: (%ld,%ld) is not a pixel position", record_name,
                    line_number, x, y);
  long y_iso = y;
  if (!iso_orientation) {
    if (y > (long)options->xyt_height)
      return bm_fail_(BM_ERR_COORDINATE_OUT_OF_RANGE, "%s line %zu: y %ld is above the image height %u", record_name,
                      line_number, y, options->xyt_height);
    y_iso = (long)options->xyt_height - y;
  }
  if (theta < 0 || theta > 360)
    return bm_fail_(BM_ERR_BAD_ANGLE, "%s line %zu: theta %ld is outside 0..360 degrees", record_name, line_number,
                    theta);
  long quality = BM_QUALITY_UNKNOWN;
  if (columns == 4) {
    quality = values[3];
    if (quality < 0 || quality > 100) {
      if (!lenient)
        return bm_fail_(BM_ERR_BAD_QUALITY, "%s line %zu: quality %ld is outside 0..100", record_name, line_number,
                        quality);
      quality = BM_QUALITY_UNKNOWN;
    }
  }
  const long angle = iso_orientation ? theta % 360 : (theta + 180) % 360;
  minutia->x = (uint16_t)x;
  minutia->y = (uint16_t)y_iso;
  minutia->angle = (float)angle;
  minutia->type = BM_MINUTIA_OTHER; /* xyt does not record the type */
  minutia->quality = (uint8_t)quality;
  minutia->reserved[0] = minutia->reserved[1] = 0;
  return BM_OK;
}

bm_status bm_xyt_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                       bm_template **out) {
  if (!(options->flags & BM_XYT_ISO_ORIENTATION) && options->xyt_height == 0)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT,
                    "%s: the image height is needed to move the origin from the bottom-left to the top-left; set "
                    "bm_read_options.xyt_height (CLI: --height) or BM_XYT_ISO_ORIENTATION",
                    record_name);
  if (options->xyt_ppi == 0.0)
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "%s: bm_read_options.xyt_ppi is zero", record_name);
  bm_minutia minutiae[BM_MAX_MINUTIAE];
  size_t count = 0, line_number = 0, start = 0;
  while (start < size) {
    size_t end = start;
    while (end < size && data[end] != '\n') ++end;
    ++line_number;
    long values[XYT_MAX_COLUMNS];
    int columns = 0;
    BM_TRY_(parse_line(data + start, end - start, line_number, values, &columns));
    if (columns > 0) {
      if (count == BM_MAX_MINUTIAE)
        return bm_fail_(BM_ERR_TOO_MANY_MINUTIAE, "%s line %zu: more than %d minutiae", record_name, line_number,
                        BM_MAX_MINUTIAE);
      BM_TRY_(convert_line(values, columns, line_number, options, &minutiae[count]));
      ++count;
    }
    start = end + 1;
  }
  *view_count = 1;
  if (!out) return BM_OK;
  if (options->view_index != 0)
    return bm_fail_(BM_ERR_NO_FINGER_VIEW, "%s holds one view; view index %u was asked for", record_name,
                    options->view_index);
  unsigned width = options->xyt_width, height = options->xyt_height;
  if (options->flags & BM_READ_LENIENT)
    for (size_t i = 0; i < count; ++i) {
      if (width && minutiae[i].x >= width) width = minutiae[i].x + 1u;
      if (height && minutiae[i].y >= height) height = minutiae[i].y + 1u;
    }
  bm_template *tpl = NULL;
  BM_TRY_(bm_template_create(&tpl));
  bm_status status = bm_template_set_image(tpl, width, height, options->xyt_ppi, options->xyt_ppi);
  if (status == BM_OK) status = bm_template_set_minutiae(tpl, minutiae, count);
  if (status != BM_OK) {
    bm_template_free(tpl);
    return status;
  }
  *out = tpl;
  return BM_OK;
}

bm_status bm_xyt_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer) {
  const int iso_orientation = (flags & BM_XYT_ISO_ORIENTATION) != 0;
  if (!iso_orientation && tpl->height == 0)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT,
                    "writing xyt needs the image height to move the origin to the bottom-left; the template's is 0 "
                    "(set it, or write with BM_XYT_ISO_ORIENTATION)");
  for (size_t i = 0; i < tpl->minutia_count; ++i) {
    const bm_minutia *minutia = &tpl->minutiae[i];
    const long degrees = lround(minutia->angle) % 360; /* whole degrees, halves away from zero */
    const long theta = iso_orientation ? degrees : (degrees + 180) % 360;
    const long y = iso_orientation ? minutia->y : (long)tpl->height - minutia->y;
    char line[64];
    int length;
    if (minutia->quality == BM_QUALITY_UNKNOWN)
      length = snprintf(line, sizeof line, "%u %ld %ld\n", minutia->x, y, theta);
    else
      length = snprintf(line, sizeof line, "%u %ld %ld %u\n", minutia->x, y, theta, minutia->quality);
    bm_write_bytes_(writer, line, (size_t)length);
  }
  return BM_OK;
}
