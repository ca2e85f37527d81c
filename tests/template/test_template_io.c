/* Reading and writing every template format: round trips within the
 * documented rounding, cross-format conversions, the NIST xyt convention,
 * truncation at every byte and one malformed-field case per error code. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "biomatch/biomatch.h"
#include "test_support.h"

enum { SAMPLE_MINUTIAE = 40, BUFFER_CAPACITY = 8192 };

static const bm_template_format binary_formats[] = {BM_FORMAT_ISO_2005, BM_FORMAT_ISO_2011, BM_FORMAT_ANSI_378,
                                                    BM_FORMAT_BIOMATCH};
static const bm_template_format all_formats[] = {BM_FORMAT_ISO_2005, BM_FORMAT_ISO_2011, BM_FORMAT_ANSI_378,
                                                 BM_FORMAT_BIOMATCH, BM_FORMAT_XYT};

/* One extended data area: type 0x0101 (vendor), length 7, 3 data bytes. */
static const unsigned char sample_extended[] = {0x01, 0x01, 0x00, 0x07, 0xAA, 0xBB, 0xCC};

/* A template using every feature: 197 px/cm exactly (so ppi survives the
 * pixels-per-cm fields), all minutia types, known and unknown qualities,
 * angles that fall between the steps of every format. */
static bm_template *make_sample(void) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_create(&tpl), BM_OK);
  ck_assert_int_eq(bm_template_set_image(tpl, 300, 400, 197 * 2.54, 197 * 2.54), BM_OK);
  ck_assert_int_eq(bm_template_set_finger(tpl, BM_FINGER_RIGHT_INDEX, BM_IMPRESSION_LIVE_ROLLED, 80), BM_OK);
  ck_assert_int_eq(bm_template_set_record_info(tpl, 0x1234, 3), BM_OK);
  ck_assert_int_eq(bm_template_set_extended_data(tpl, sample_extended, sizeof sample_extended), BM_OK);
  for (int i = 0; i < SAMPLE_MINUTIAE; ++i) {
    bm_minutia minutia = {0};
    minutia.x = (uint16_t)(i * 7 % 300);
    minutia.y = (uint16_t)(i * 13 % 400);
    minutia.angle = fmodf(i * 37.3f, 360.0f);
    minutia.type = (uint8_t)(i % 3);
    minutia.quality = (uint8_t)(i % 5 == 0 ? BM_QUALITY_UNKNOWN : i * 2);
    ck_assert_int_eq(bm_template_add_minutia(tpl, &minutia), BM_OK);
  }
  return tpl;
}

static bm_read_options xyt_options(void) {
  bm_read_options options;
  bm_read_options_init(&options);
  options.xyt_width = 300;
  options.xyt_height = 400;
  options.xyt_ppi = 197 * 2.54;
  return options;
}

static size_t write_record(const bm_template *tpl, bm_template_format format, unsigned char *buffer) {
  size_t size = 0;
  bm_status status = bm_template_write_memory(tpl, format, 0, buffer, BUFFER_CAPACITY, &size);
  ck_assert_msg(status == BM_OK, "%s: %s", bm_template_format_name(format), bm_last_error_message());
  return size;
}

static bm_template *read_record(const unsigned char *buffer, size_t size) {
  bm_read_options options = xyt_options();
  bm_template *tpl = NULL;
  bm_status status = bm_template_read_memory_ex(buffer, size, &options, &tpl);
  ck_assert_msg(status == BM_OK, "%s %s", bm_error_name(status), bm_last_error_message());
  return tpl;
}

/* Largest angle error a format's angle unit allows (half a step). */
static double angle_tolerance(bm_template_format format) {
  switch (format) {
    case BM_FORMAT_ISO_2005:
    case BM_FORMAT_ISO_2011: return 360.0 / 256.0 / 2.0;
    case BM_FORMAT_ANSI_378: return 1.0;
    case BM_FORMAT_XYT: return 0.5;
    default: return 0.0;
  }
}

static double angle_difference(double a, double b) {
  double difference = fabs(a - b);
  return difference > 180.0 ? 360.0 - difference : difference;
}

/* Expected value of a minutia field after passing through `format`. */
static unsigned expected_quality(unsigned quality, bm_template_format format) {
  if ((format == BM_FORMAT_ISO_2005 || format == BM_FORMAT_ANSI_378) && quality == BM_QUALITY_UNKNOWN) return 0;
  return quality;
}

static void assert_same_geometry(const bm_template *original, const bm_template *copy, double tolerance,
                                 bm_template_format format) {
  ck_assert_uint_eq(bm_template_minutia_count(copy), bm_template_minutia_count(original));
  unsigned width_a, height_a, width_b, height_b;
  double ppi_a, ppi_b;
  bm_template_get_image(original, &width_a, &height_a, &ppi_a, NULL);
  bm_template_get_image(copy, &width_b, &height_b, &ppi_b, NULL);
  ck_assert_uint_eq(width_a, width_b);
  ck_assert_uint_eq(height_a, height_b);
  ck_assert_double_eq_tol(ppi_a, ppi_b, 1e-9);
  const bm_minutia *a = bm_template_minutiae(original), *b = bm_template_minutiae(copy);
  for (size_t i = 0; i < bm_template_minutia_count(original); ++i) {
    ck_assert_uint_eq(a[i].x, b[i].x);
    ck_assert_uint_eq(a[i].y, b[i].y);
    ck_assert_msg(angle_difference(a[i].angle, b[i].angle) <= tolerance + 1e-4, "minutia %zu: %g vs %g (%s)", i,
                  (double)a[i].angle, (double)b[i].angle, bm_template_format_name(format));
    if (format == BM_FORMAT_XYT)
      ck_assert_uint_eq(b[i].type, BM_MINUTIA_OTHER);
    else
      ck_assert_uint_eq(a[i].type, b[i].type);
  }
}

START_TEST(test_every_format_round_trips_within_its_rounding) {
  bm_template *original = make_sample();
  for (size_t f = 0; f < sizeof all_formats / sizeof all_formats[0]; ++f) {
    const bm_template_format format = all_formats[f];
    unsigned char first[BUFFER_CAPACITY], second[BUFFER_CAPACITY];
    const size_t first_size = write_record(original, format, first);
    bm_template_format detected;
    ck_assert_int_eq(bm_template_detect_format(first, first_size, &detected), BM_OK);
    ck_assert_int_eq(detected, format);
    bm_template *copy = read_record(first, first_size);
    assert_same_geometry(original, copy, angle_tolerance(format), format);
    const bm_minutia *a = bm_template_minutiae(original), *b = bm_template_minutiae(copy);
    for (size_t i = 0; i < bm_template_minutia_count(original); ++i)
      ck_assert_uint_eq(expected_quality(a[i].quality, format), b[i].quality);
    if (format != BM_FORMAT_XYT) {
      unsigned position, impression, quality, equipment, view;
      bm_template_get_finger(copy, &position, &impression, &quality);
      bm_template_get_record_info(copy, &equipment, &view);
      ck_assert_uint_eq(position, BM_FINGER_RIGHT_INDEX);
      ck_assert_uint_eq(impression, BM_IMPRESSION_LIVE_ROLLED);
      ck_assert_uint_eq(quality, 80);
      ck_assert_uint_eq(equipment, 0x1234);
      ck_assert_uint_eq(view, 3);
      size_t extended_size = 0;
      const void *extended = bm_template_extended_data(copy, &extended_size);
      ck_assert_uint_eq(extended_size, sizeof sample_extended);
      ck_assert_mem_eq(extended, sample_extended, sizeof sample_extended);
    }
    if (format == BM_FORMAT_BIOMATCH)
      ck_assert_mem_eq(bm_template_minutiae(copy), bm_template_minutiae(original),
                       bm_template_minutia_count(original) * sizeof(bm_minutia));
    /* Once rounded, a record is a fixed point: writing it again gives the same bytes. */
    const size_t second_size = write_record(copy, format, second);
    ck_assert_uint_eq(second_size, first_size);
    ck_assert_mem_eq(first, second, first_size);
    bm_template_free(copy);
  }
  bm_template_free(original);
}
END_TEST

START_TEST(test_cross_format_conversions_keep_geometry) {
  bm_template *original = make_sample();
  const size_t count = sizeof all_formats / sizeof all_formats[0];
  for (size_t from = 0; from < count; ++from)
    for (size_t to = 0; to < count; ++to) {
      unsigned char buffer[BUFFER_CAPACITY];
      bm_template *middle = read_record(buffer, write_record(original, all_formats[from], buffer));
      bm_template *last = read_record(buffer, write_record(middle, all_formats[to], buffer));
      const double tolerance = angle_tolerance(all_formats[from]) + angle_tolerance(all_formats[to]);
      const bm_template_format lossiest = all_formats[from] == BM_FORMAT_XYT ? BM_FORMAT_XYT : all_formats[to];
      assert_same_geometry(original, last, tolerance, lossiest);
      bm_template_free(middle);
      bm_template_free(last);
    }
  bm_template_free(original);
}
END_TEST

START_TEST(test_xyt_uses_the_nist_origin_and_direction) {
  /* ISO (10, 10) pointing up the screen (90 degrees) is NIST (10, 400-10)
   * pointing the opposite way (270 degrees), as MINDTCT's lfs2nist writes. */
  const char text[] = "10 390 270 50\n";
  bm_read_options options = xyt_options();
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory_ex(text, strlen(text), &options, &tpl), BM_OK);
  const bm_minutia *minutia = bm_template_minutiae(tpl);
  ck_assert_uint_eq(minutia->x, 10);
  ck_assert_uint_eq(minutia->y, 10);
  ck_assert_float_eq(minutia->angle, 90.0f);
  ck_assert_uint_eq(minutia->quality, 50);
  char out[64];
  size_t size = 0;
  ck_assert_int_eq(bm_template_write_memory(tpl, BM_FORMAT_XYT, 0, out, sizeof out, &size), BM_OK);
  ck_assert_uint_eq(size, strlen(text));
  ck_assert_mem_eq(out, text, size);
  /* The same line in the ISO orientation is taken as is. */
  bm_template_free(tpl);
  options.flags = BM_XYT_ISO_ORIENTATION;
  ck_assert_int_eq(bm_template_read_memory_ex(text, strlen(text), &options, &tpl), BM_OK);
  ck_assert_uint_eq(bm_template_minutiae(tpl)->y, 390);
  ck_assert_float_eq(bm_template_minutiae(tpl)->angle, 270.0f);
  bm_template_free(tpl);
}
END_TEST

START_TEST(test_xyt_needs_a_height_or_the_iso_orientation) {
  const char text[] = "10 390 270 50\n";
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory(text, strlen(text), &tpl), BM_ERR_INVALID_ARGUMENT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "height"));
  bm_template *no_height = NULL;
  ck_assert_int_eq(bm_template_create(&no_height), BM_OK);
  size_t size;
  char out[64];
  ck_assert_int_eq(bm_template_write_memory(no_height, BM_FORMAT_XYT, 0, out, sizeof out, &size),
                   BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_template_write_memory(no_height, BM_FORMAT_XYT, BM_XYT_ISO_ORIENTATION, out, sizeof out, &size),
                   BM_OK);
  bm_template_free(no_height);
}
END_TEST

START_TEST(test_empty_xyt_is_read_only_when_asked_for) {
  bm_read_options options = xyt_options();
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory_ex("", 0, &options, &tpl), BM_ERR_TRUNCATED);
  options.format = BM_FORMAT_XYT;
  ck_assert_int_eq(bm_template_read_memory_ex("", 0, &options, &tpl), BM_OK);
  ck_assert_uint_eq(bm_template_minutia_count(tpl), 0);
  bm_template_free(tpl);
}
END_TEST

START_TEST(test_truncation_at_every_byte_is_rejected) {
  bm_template *original = make_sample();
  for (size_t f = 0; f < sizeof binary_formats / sizeof binary_formats[0]; ++f) {
    unsigned char record[BUFFER_CAPACITY];
    const size_t size = write_record(original, binary_formats[f], record);
    for (size_t prefix = 0; prefix < size; ++prefix) {
      /* A fresh heap copy of exactly `prefix` bytes, so ASan sees any over-read. */
      unsigned char *copy = malloc(prefix ? prefix : 1);
      memcpy(copy, record, prefix);
      bm_template *tpl = NULL;
      const bm_status status = bm_template_read_memory(copy, prefix, &tpl);
      ck_assert_msg(status == BM_ERR_TRUNCATED, "%s prefix %zu of %zu: %s %s", bm_template_format_name(binary_formats[f]),
                    prefix, size, bm_error_name(status), bm_last_error_message());
      ck_assert_ptr_null(tpl);
      free(copy);
    }
  }
  bm_template_free(original);
}
END_TEST

/* A hand-made ISO 2005 record: 300x400, 197 px/cm, one view, two minutiae, no extended data. */
static size_t make_iso2005(unsigned char *record) {
  static const unsigned char bytes[] = {
      'F', 'M', 'R', 0, ' ', '2', '0', 0, 0, 0, 0, 42,    /* record length 42 */
      0x00, 0x00, 0x01, 0x2C, 0x01, 0x90, 0x00, 0xC5, 0x00, 0xC5, 1, 0, /* equipment, 300x400, 197x197, 1 view */
      2, 0x01, 60, 2,                                     /* right index, view 0 rolled, quality 60, 2 minutiae */
      0x40, 10, 0x00, 20, 64, 50,                         /* ending at (10,20), 90 degrees, quality 50 */
      0x80, 30, 0x00, 40, 128, 70,                        /* bifurcation at (30,40), 180 degrees */
      0x00, 0x00};                                        /* no extended data */
  memcpy(record, bytes, sizeof bytes);
  return sizeof bytes;
}

static bm_status read_with(const unsigned char *record, size_t size, unsigned format, unsigned flags) {
  bm_read_options options;
  bm_read_options_init(&options);
  options.format = format;
  options.flags = flags;
  bm_template *tpl = NULL;
  bm_status status = bm_template_read_memory_ex(record, size, &options, &tpl);
  if (status == BM_OK) ck_assert_ptr_nonnull(tpl);
  else ck_assert_ptr_null(tpl);
  bm_template_free(tpl);
  return status;
}

START_TEST(test_hand_made_iso2005_record_reads_exactly) {
  unsigned char record[64];
  const size_t size = make_iso2005(record);
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory(record, size, &tpl), BM_OK);
  const bm_minutia *minutiae = bm_template_minutiae(tpl);
  ck_assert_uint_eq(bm_template_minutia_count(tpl), 2);
  ck_assert_uint_eq(minutiae[0].x, 10);
  ck_assert_uint_eq(minutiae[0].y, 20);
  ck_assert_float_eq(minutiae[0].angle, 90.0f);
  ck_assert_uint_eq(minutiae[0].type, BM_MINUTIA_RIDGE_ENDING);
  ck_assert_uint_eq(minutiae[0].quality, 50);
  ck_assert_uint_eq(minutiae[1].type, BM_MINUTIA_BIFURCATION);
  ck_assert_float_eq(minutiae[1].angle, 180.0f);
  unsigned position, impression, quality;
  bm_template_get_finger(tpl, &position, &impression, &quality);
  ck_assert_uint_eq(position, 2);
  ck_assert_uint_eq(impression, 1);
  ck_assert_uint_eq(quality, 60);
  bm_template_free(tpl);
}
END_TEST

START_TEST(test_each_malformed_field_gets_its_code) {
  unsigned char base[64], record[64];
  const size_t size = make_iso2005(base);
#define MUTATE(offset, value) (memcpy(record, base, sizeof base), record[offset] = (unsigned char)(value))
  MUTATE(3, 1);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_MAGIC);
  MUTATE(0, 'X');
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_FORMAT_UNKNOWN);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ISO_2005, 0), BM_ERR_BAD_MAGIC);
  MUTATE(5, '1');
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_VERSION);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ISO_2005, 0), BM_ERR_BAD_VERSION);
  MUTATE(11, 41); /* length one short: the views run past it */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ISO_2005, 0), BM_ERR_LENGTH_MISMATCH);
  MUTATE(11, 43); /* one byte longer than the views, with a padding byte present */
  ck_assert_int_eq(read_with(record, size + 1, BM_FORMAT_ISO_2005, 0), BM_ERR_LENGTH_MISMATCH);
  MUTATE(11, 43); /* longer than the buffer */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ISO_2005, 0), BM_ERR_TRUNCATED);
  MUTATE(27, 3); /* a third minutia the record has no room for */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ISO_2005, 0), BM_ERR_TOO_MANY_MINUTIAE);
  MUTATE(14, 0); /* width 20 < x 30 */
  record[15] = 20;
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_COORDINATE_OUT_OF_RANGE);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, BM_READ_LENIENT), BM_OK);
  MUTATE(19, 0); /* x resolution 0 */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_ZERO_RESOLUTION);
  MUTATE(24, 17);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_FINGER_POSITION);
  MUTATE(25, 0x0A);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_IMPRESSION_TYPE);
  MUTATE(26, 101);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_QUALITY);
  MUTATE(28, 0xC0 | 10);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_MINUTIA_TYPE);
  MUTATE(33, 101);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_QUALITY);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, BM_READ_LENIENT), BM_OK);
  MUTATE(30, 0x40); /* reserved bits above y */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_FIELD);
  MUTATE(22, 0); /* no finger view */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ISO_2005, 0), BM_ERR_NO_FINGER_VIEW);
  MUTATE(size, 0); /* zero padding after the record is accepted */
  ck_assert_int_eq(read_with(record, size + 1, BM_FORMAT_AUTO, 0), BM_OK);
  MUTATE(size, 0x5A); /* anything else is trailing garbage */
  ck_assert_int_eq(read_with(record, size + 1, BM_FORMAT_AUTO, 0), BM_ERR_TRAILING_DATA);
  ck_assert_int_eq(read_with(record, size + 1, BM_FORMAT_AUTO, BM_READ_LENIENT), BM_OK);
#undef MUTATE
  /* An extended data area whose length overruns the block. */
  memcpy(record, base, sizeof base);
  static const unsigned char area[] = {0x00, 0x05, 0x01, 0x00, 0x00, 0x09, 0x00};
  memcpy(record + size - 2, area, sizeof area);
  record[11] = (unsigned char)(size - 2 + sizeof area);
  ck_assert_int_eq(read_with(record, size - 2 + sizeof area, BM_FORMAT_AUTO, 0), BM_ERR_LENGTH_MISMATCH);
  record[size - 2 + 5] = 0x05; /* and one that fills the block exactly */
  ck_assert_int_eq(read_with(record, size - 2 + sizeof area, BM_FORMAT_AUTO, 0), BM_OK);
}
END_TEST

START_TEST(test_binary_formats_reject_their_own_defects) {
  bm_template *tpl = make_sample();
  unsigned char record[BUFFER_CAPACITY];
  size_t size = write_record(tpl, BM_FORMAT_BIOMATCH, record);
  record[20] ^= 0x01; /* flip one bit of the x resolution */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_CHECKSUM);
  record[20] ^= 0x01;
  record[4] = 2;
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_VERSION);
  record[4] = 1;
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_OK);

  size = write_record(tpl, BM_FORMAT_ANSI_378, record);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_OK);
  record[30 + 4] = 180; /* first minutia angle: 2-degree units stop at 179 */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_ANGLE);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_ANSI_378, 0), BM_ERR_BAD_ANGLE);

  size = write_record(tpl, BM_FORMAT_ISO_2011, record);
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_OK);
  /* Minutia size / ending type byte: 15 + 4 + 9 + 5 + 1 + 5 + 11 = 50. */
  ck_assert_uint_eq(record[50] >> 4, 6);
  record[50] = 0x70;
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_BAD_FIELD);
  record[50] = 0x60;
  record[18] += 1; /* representation length one too long */
  ck_assert_int_eq(read_with(record, size, BM_FORMAT_AUTO, 0), BM_ERR_LENGTH_MISMATCH);
  bm_template_free(tpl);
}
END_TEST

START_TEST(test_xyt_text_errors) {
  bm_read_options options = xyt_options();
  struct {
    const char *text;
    bm_status status;
  } cases[] = {
      {"1 2 x 4\n", BM_ERR_FORMAT_UNKNOWN},  /* not xyt-shaped text at all */
      {"1 2\n", BM_ERR_PARSE},
      {"1 2 3 4 5\n", BM_ERR_PARSE},
      {"1 2 3-4\n", BM_ERR_PARSE},
      {"1 2 400 4\n", BM_ERR_BAD_ANGLE},
      {"1 2 -1 4\n", BM_ERR_BAD_ANGLE},
      {"1 2 3 101\n", BM_ERR_BAD_QUALITY},
      {"1 401 3 4\n", BM_ERR_COORDINATE_OUT_OF_RANGE},
      {"301 2 3 4\n", BM_ERR_COORDINATE_OUT_OF_RANGE},
      {"1 0 3 4\n", BM_ERR_COORDINATE_OUT_OF_RANGE}, /* y 0 is row 400, one past the image */
      {"-1 2 3 4\n", BM_ERR_COORDINATE_OUT_OF_RANGE},
      {"1234567890 2 3 4\n", BM_ERR_PARSE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    bm_template *tpl = NULL;
    bm_status status = bm_template_read_memory_ex(cases[i].text, strlen(cases[i].text), &options, &tpl);
    ck_assert_msg(status == cases[i].status, "\"%s\": %s %s", cases[i].text, bm_error_name(status),
                  bm_last_error_message());
    ck_assert_ptr_null(tpl);
  }
  char many[256 * 8 + 1] = "";
  for (int i = 0; i < 256; ++i) strcat(many, "1 2 3 4\n");
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory_ex(many, strlen(many), &options, &tpl), BM_ERR_TOO_MANY_MINUTIAE);
}
END_TEST

START_TEST(test_multi_view_records_count_and_select_views) {
  unsigned char single[64], record[128];
  const size_t size = make_iso2005(single);
  /* Second view: left thumb, view 1, plain, quality 90, one minutia, no extended data. */
  static const unsigned char second_view[] = {6, 0x10, 90, 1, 0x40, 5, 0x00, 6, 0, 40, 0x00, 0x00};
  memcpy(record, single, size);
  memcpy(record + size, second_view, sizeof second_view);
  record[11] = (unsigned char)(size + sizeof second_view);
  record[22] = 2;
  size_t views = 0;
  ck_assert_int_eq(bm_template_count_views(record, size + sizeof second_view, NULL, &views), BM_OK);
  ck_assert_uint_eq(views, 2);
  bm_read_options options;
  bm_read_options_init(&options);
  options.view_index = 1;
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory_ex(record, size + sizeof second_view, &options, &tpl), BM_OK);
  unsigned position, view_number;
  bm_template_get_finger(tpl, &position, NULL, NULL);
  bm_template_get_record_info(tpl, NULL, &view_number);
  ck_assert_uint_eq(position, 6);
  ck_assert_uint_eq(view_number, 1);
  ck_assert_uint_eq(bm_template_minutia_count(tpl), 1);
  bm_template_free(tpl);
  options.view_index = 2;
  ck_assert_int_eq(bm_template_read_memory_ex(record, size + sizeof second_view, &options, &tpl),
                   BM_ERR_NO_FINGER_VIEW);
  ck_assert_ptr_null(tpl);
}
END_TEST

START_TEST(test_writer_reports_sizes_and_bad_arguments) {
  bm_template *tpl = make_sample();
  size_t needed = 0, size = 0;
  ck_assert_int_eq(bm_template_write_memory(tpl, BM_FORMAT_ISO_2005, 0, NULL, 0, &needed), BM_OK);
  ck_assert_uint_eq(needed, 24 + 4 + 6 * SAMPLE_MINUTIAE + 2 + sizeof sample_extended);
  unsigned char small[16];
  ck_assert_int_eq(bm_template_write_memory(tpl, BM_FORMAT_ISO_2005, 0, small, sizeof small, &size),
                   BM_ERR_BUFFER_TOO_SMALL);
  ck_assert_uint_eq(size, needed);
  ck_assert_int_eq(bm_template_write_memory(tpl, BM_FORMAT_AUTO, 0, NULL, 0, &size), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_template_write_memory(tpl, (bm_template_format)99, 0, NULL, 0, &size), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_template_write_memory(NULL, BM_FORMAT_ISO_2005, 0, NULL, 0, &size), BM_ERR_INVALID_ARGUMENT);
  bm_template *out = NULL;
  ck_assert_int_eq(bm_template_read_memory(NULL, 4, &out), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_template_read_file("/nonexistent/biomatch.iso", &out), BM_ERR_IO);
  bm_read_options options;
  bm_read_options_init(&options);
  options.flags = 0x100;
  ck_assert_int_eq(bm_template_read_memory_ex("1 2 3\n", 6, &options, &out), BM_ERR_INVALID_ARGUMENT);
  bm_template_format format;
  ck_assert_int_eq(bm_template_format_from_name("ansi378", &format), BM_OK);
  ck_assert_int_eq(format, BM_FORMAT_ANSI_378);
  ck_assert_int_eq(bm_template_format_from_name("jpeg", &format), BM_ERR_INVALID_ARGUMENT);
  ck_assert_str_eq(bm_template_format_name(BM_FORMAT_BIOMATCH), "bm");
  ck_assert_ptr_null(bm_template_format_name((bm_template_format)42));
  bm_template_free(tpl);
}
END_TEST

START_TEST(test_file_round_trip) {
  bm_template *tpl = make_sample();
  char path[] = "/tmp/biomatch_template_XXXXXX";
  const int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bm_template_write_file(tpl, BM_FORMAT_BIOMATCH, 0, path), BM_OK);
  bm_template *copy = NULL;
  ck_assert_int_eq(bm_template_read_file(path, &copy), BM_OK);
  ck_assert_mem_eq(bm_template_minutiae(copy), bm_template_minutiae(tpl), SAMPLE_MINUTIAE * sizeof(bm_minutia));
  unlink(path);
  bm_template_free(copy);
  bm_template_free(tpl);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("template_io");
  TCase *tcase = tcase_create("formats");
  tcase_add_test(tcase, test_every_format_round_trips_within_its_rounding);
  tcase_add_test(tcase, test_cross_format_conversions_keep_geometry);
  tcase_add_test(tcase, test_xyt_uses_the_nist_origin_and_direction);
  tcase_add_test(tcase, test_xyt_needs_a_height_or_the_iso_orientation);
  tcase_add_test(tcase, test_empty_xyt_is_read_only_when_asked_for);
  tcase_add_test(tcase, test_truncation_at_every_byte_is_rejected);
  tcase_add_test(tcase, test_hand_made_iso2005_record_reads_exactly);
  tcase_add_test(tcase, test_each_malformed_field_gets_its_code);
  tcase_add_test(tcase, test_binary_formats_reject_their_own_defects);
  tcase_add_test(tcase, test_xyt_text_errors);
  tcase_add_test(tcase, test_multi_view_records_count_and_select_views);
  tcase_add_test(tcase, test_writer_reports_sizes_and_bad_arguments);
  tcase_add_test(tcase, test_file_round_trip);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
