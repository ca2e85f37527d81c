/* Image loading: PNG colour types and bit depths, resolution from pHYs,
 * raw buffers with a stride, and the error codes of bad input. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "biomatch/biomatch.h"
#include "synthetic.h"
#include "test_support.h"

enum { W = 200, H = 180 };

/* Writes a PNG with libpng directly so the reader is tested against the
 * reference encoder, not against our own writer. `row_bytes` per row. */
static void write_png(const char *path, int color_type, int bit_depth, const uint8_t *data, size_t row_bytes,
                      const png_color *palette, int palette_size, double ppi) {
  FILE *file = fopen(path, "wb");
  ck_assert_ptr_nonnull(file);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  ck_assert_int_eq(setjmp(png_jmpbuf(png)), 0);
  png_init_io(png, file);
  png_set_IHDR(png, info, W, H, bit_depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (palette) png_set_PLTE(png, info, palette, palette_size);
  if (ppi > 0) png_set_pHYs(png, info, (png_uint_32)(ppi / 0.0254 + 0.5), (png_uint_32)(ppi / 0.0254 + 0.5),
                            PNG_RESOLUTION_METER);
  png_write_info(png, info);
  for (int y = 0; y < H; ++y) png_write_row(png, data + (size_t)y * row_bytes);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  fclose(file);
}

static char temp_path[256];
static const char *make_temp_path(const char *suffix) {
  snprintf(temp_path, sizeof temp_path, "/tmp/bm_test_image_%d_%s", (int)getpid(), suffix);
  return temp_path;
}

static uint8_t gray[W * H];

static void setup(void) { synthetic_ridge_ending(gray, W, H, 9.0, 100, 90, 0); }

static void expect_loaded_gray(const char *path, int tolerance, double expected_ppi) {
  bm_image *image = NULL;
  ck_assert_msg(bm_image_load_file(path, 0, &image) == BM_OK, "%s", bm_last_error_message());
  ck_assert_uint_eq(bm_image_width(image), W);
  ck_assert_uint_eq(bm_image_height(image), H);
  ck_assert_double_eq_tol(bm_image_ppi(image), expected_ppi, 0.05);
  const uint8_t *pixels = bm_image_pixels(image);
  for (int i = 0; i < W * H; ++i) ck_assert_int_le(abs(pixels[i] - gray[i]), tolerance);
  bm_image_free(image);
}

START_TEST(gray8_png_loads_with_resolution_from_phys) {
  const char *path = make_temp_path("gray8.png");
  write_png(path, PNG_COLOR_TYPE_GRAY, 8, gray, W, NULL, 0, 569.0);
  expect_loaded_gray(path, 0, 569.0);
  unlink(path);
}
END_TEST

START_TEST(png_without_phys_takes_the_default_resolution) {
  const char *path = make_temp_path("nophys.png");
  write_png(path, PNG_COLOR_TYPE_GRAY, 8, gray, W, NULL, 0, 0);
  expect_loaded_gray(path, 0, 500.0);
  bm_image *image = NULL;
  ck_assert_int_eq(bm_image_load_file(path, 1000.0, &image), BM_OK);
  ck_assert_double_eq_tol(bm_image_ppi(image), 1000.0, 1e-9);
  bm_image_free(image);
  unlink(path);
}
END_TEST

START_TEST(gray16_png_loads) {
  uint8_t *data = malloc((size_t)W * H * 2);
  for (int i = 0; i < W * H; ++i) data[2 * i] = data[2 * i + 1] = gray[i]; /* v * 257, big-endian */
  const char *path = make_temp_path("gray16.png");
  write_png(path, PNG_COLOR_TYPE_GRAY, 16, data, (size_t)W * 2, NULL, 0, 500);
  expect_loaded_gray(path, 0, 500.0);
  unlink(path);
  free(data);
}
END_TEST

START_TEST(palette_png_loads) {
  png_color palette[256];
  for (int i = 0; i < 256; ++i) palette[i].red = palette[i].green = palette[i].blue = (png_byte)i;
  const char *path = make_temp_path("palette.png");
  write_png(path, PNG_COLOR_TYPE_PALETTE, 8, gray, W, palette, 256, 500);
  expect_loaded_gray(path, 1, 500.0);
  unlink(path);
}
END_TEST

START_TEST(rgb_and_rgba_png_load_as_luminance) {
  uint8_t *rgb = malloc((size_t)W * H * 4);
  for (int i = 0; i < W * H; ++i) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
  const char *path = make_temp_path("rgb.png");
  write_png(path, PNG_COLOR_TYPE_RGB, 8, rgb, (size_t)W * 3, NULL, 0, 500);
  expect_loaded_gray(path, 1, 500.0);
  for (int i = 0; i < W * H; ++i) {
    rgb[4 * i] = rgb[4 * i + 1] = rgb[4 * i + 2] = gray[i];
    rgb[4 * i + 3] = 255;
  }
  write_png(path, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgb, (size_t)W * 4, NULL, 0, 500);
  expect_loaded_gray(path, 1, 500.0);
  unlink(path);
  free(rgb);
}
END_TEST

START_TEST(raw_and_png_paths_give_the_same_template) {
  enum { SIDE = 300 };
  uint8_t *pixels = malloc(SIDE * (SIDE + 7));
  /* Raw buffer with a stride wider than the image. */
  synthetic_ridge_ending(pixels, SIDE + 7, SIDE, 9.0, 150, 150, 0);
  bm_image *raw = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE + 7, 500, &raw), BM_OK);
  const char *path = make_temp_path("roundtrip.png");
  ck_assert_int_eq(bm_png_write_file(path, bm_image_pixels(raw), SIDE, SIDE, 1, 500), BM_OK);
  bm_image *decoded = NULL;
  ck_assert_int_eq(bm_image_load_file(path, 0, &decoded), BM_OK);
  ck_assert_mem_eq(bm_image_pixels(raw), bm_image_pixels(decoded), SIDE * SIDE);
  bm_template *a = NULL, *b = NULL;
  ck_assert_int_eq(bm_extract(raw, &a), BM_OK);
  ck_assert_int_eq(bm_extract(decoded, &b), BM_OK);
  ck_assert_uint_gt(bm_template_minutia_count(a), 0);
  ck_assert_uint_eq(bm_template_minutia_count(a), bm_template_minutia_count(b));
  ck_assert_mem_eq(bm_template_minutiae(a), bm_template_minutiae(b), bm_template_minutia_count(a) * sizeof(bm_minutia));
  bm_template_free(a);
  bm_template_free(b);
  bm_image_free(raw);
  bm_image_free(decoded);
  unlink(path);
  free(pixels);
}
END_TEST

START_TEST(bad_png_bytes_fail_to_decode) {
  const char *path = make_temp_path("trunc.png");
  write_png(path, PNG_COLOR_TYPE_GRAY, 8, gray, W, NULL, 0, 500);
  FILE *file = fopen(path, "rb");
  uint8_t buffer[65536];
  const size_t size = fread(buffer, 1, sizeof buffer, file);
  fclose(file);
  bm_image *image = (bm_image *)1;
  /* Cut inside the pixel data, inside the header, and a wrong signature. */
  ck_assert_int_eq(bm_image_load_memory(buffer, size / 2, 0, &image), BM_ERR_IMAGE_DECODE);
  ck_assert_ptr_null(image);
  ck_assert_int_eq(bm_image_load_memory(buffer, 20, 0, &image), BM_ERR_IMAGE_DECODE);
  buffer[1] = 'Q';
  ck_assert_int_eq(bm_image_load_memory(buffer, size, 0, &image), BM_ERR_IMAGE_DECODE);
  ck_assert_int_eq(bm_image_load_memory("hello", 5, 0, &image), BM_ERR_IMAGE_DECODE);
  ck_assert_int_eq(bm_image_load_file("/nonexistent/x.png", 0, &image), BM_ERR_IO);
  unlink(path);
}
END_TEST

START_TEST(sizes_and_resolutions_out_of_range_are_rejected) {
  uint8_t pixels[64 * 64] = {0};
  bm_image *image = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, 8, 64, 64, 500, &image), BM_ERR_IMAGE_SIZE);
  ck_assert_int_eq(bm_image_from_gray8(pixels, 64, 8, 64, 500, &image), BM_ERR_IMAGE_SIZE);
  ck_assert_int_eq(bm_image_from_gray8(pixels, 20000, 3, 20000, 500, &image), BM_ERR_IMAGE_SIZE);
  ck_assert_int_eq(bm_image_from_gray8(pixels, 64, 64, 64, 100, &image), BM_ERR_IMAGE_RESOLUTION);
  ck_assert_int_eq(bm_image_from_gray8(pixels, 64, 64, 64, 2000, &image), BM_ERR_IMAGE_RESOLUTION);
  ck_assert_int_eq(bm_image_from_gray8(pixels, 64, 64, 32, 500, &image), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_image_from_gray8(NULL, 64, 64, 64, 500, &image), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_image_from_gray8(pixels, 64, 64, 64, 500, &image), BM_OK);
  ck_assert_int_eq(bm_image_set_ppi(image, 10), BM_ERR_IMAGE_RESOLUTION);
  ck_assert_int_eq(bm_image_set_ppi(image, 700), BM_OK);
  ck_assert_double_eq_tol(bm_image_ppi(image), 700, 1e-9);
  bm_image_free(image);
  /* A tiny PNG and one whose pHYs says 72 dpi. */
  const char *path = make_temp_path("small.png");
  write_png(path, PNG_COLOR_TYPE_GRAY, 8, gray, W, NULL, 0, 72);
  ck_assert_int_eq(bm_image_load_file(path, 0, &image), BM_ERR_IMAGE_RESOLUTION);
  unlink(path);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("image");
  TCase *tc = tcase_create("image");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, gray8_png_loads_with_resolution_from_phys);
  tcase_add_test(tc, png_without_phys_takes_the_default_resolution);
  tcase_add_test(tc, gray16_png_loads);
  tcase_add_test(tc, palette_png_loads);
  tcase_add_test(tc, rgb_and_rgba_png_load_as_luminance);
  tcase_add_test(tc, raw_and_png_paths_give_the_same_template);
  tcase_add_test(tc, bad_png_bytes_fail_to_decode);
  tcase_add_test(tc, sizes_and_resolutions_out_of_range_are_rejected);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
