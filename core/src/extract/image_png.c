/* PNG decoding (any colour type to 8-bit gray) and encoding through libpng.
 *
 * libpng reports errors by longjmp. Everything that must be released after
 * a longjmp lives in a heap-allocated state whose address is fixed before
 * setjmp, so no automatic variable changes between setjmp and longjmp. */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/image_internal.h"

typedef struct png_source_ {
  const uint8_t *data;
  size_t size;
  size_t offset;
} png_source_;

typedef struct png_decode_state_ {
  png_structp png;
  png_infop info;
  png_source_ source;
  uint8_t *pixels;
  png_bytep *rows;
  double default_ppi;
  unsigned width, height;
  double ppi;
  char message[160];
} png_decode_state_;

static void png_read_from_memory_(png_structp png, png_bytep out, size_t length) {
  png_source_ *source = png_get_io_ptr(png);
  if (length > source->size - source->offset) png_error(png, "data ends inside the PNG stream");
  memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

static void png_error_to_state_(png_structp png, png_const_charp message) {
  png_decode_state_ *state = png_get_error_ptr(png);
  snprintf(state->message, sizeof state->message, "%s", message);
  png_longjmp(png, 1);
}

static void png_ignore_warning_(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;
}

/* Runs inside the setjmp scope: every failure longjmps. Returns the size
 * or resolution check status (which needs no longjmp). */
static bm_status png_decode_body_(png_decode_state_ *state) {
  double *ppi = &state->ppi;
  png_structp png = state->png;
  png_infop info = state->info;
  png_set_read_fn(png, &state->source, png_read_from_memory_);
  png_set_user_limits(png, BM_IMAGE_MAX_SIDE_, BM_IMAGE_MAX_SIDE_);
  png_set_chunk_malloc_max(png, 8u * 1024u * 1024u);
  png_read_info(png, info);

  png_uint_32 w = png_get_image_width(png, info);
  png_uint_32 h = png_get_image_height(png, info);
  bm_status status = bm_image_check_size_(w, h);
  if (status != BM_OK) return status;

  *ppi = state->default_ppi;
  png_uint_32 res_x = 0, res_y = 0;
  int unit = 0;
  if (png_get_pHYs(png, info, &res_x, &res_y, &unit) && unit == PNG_RESOLUTION_METER && res_x > 0)
    *ppi = res_x * 0.0254;
  status = bm_image_check_ppi_(*ppi);
  if (status != BM_OK) return status;

  int color_type = png_get_color_type(png, info);
  int bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_scale_16(png);
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png), png_set_strip_alpha(png);
  if (color_type == PNG_COLOR_TYPE_PALETTE || (color_type & PNG_COLOR_MASK_COLOR))
    png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_channels(png, info) != 1 || png_get_bit_depth(png, info) != 8)
    png_error(png, "cannot convert this PNG to 8-bit gray");

  state->pixels = malloc((size_t)w * h);
  state->rows = malloc(sizeof *state->rows * h);
  if (!state->pixels || !state->rows) png_error(png, "out of memory for the pixels");
  for (png_uint_32 y = 0; y < h; ++y) state->rows[y] = state->pixels + (size_t)y * w;
  png_read_image(png, state->rows);
  png_read_end(png, NULL);
  state->width = w;
  state->height = h;
  return BM_OK;
}

/* The only frame holding a jmp_buf: it keeps nothing but `state`, which
 * points to heap memory, so nothing here can be clobbered by longjmp. */
static int png_decode_guarded_(png_decode_state_ *state, bm_status *status) {
  if (setjmp(png_jmpbuf(state->png)) != 0) return 0;
  *status = png_decode_body_(state);
  return 1;
}

bm_status bm_image_load_memory(const void *data, size_t size, double default_ppi, bm_image **out_image) {
  if (!out_image) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_image is NULL");
  *out_image = NULL;
  if (!data || size == 0) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no PNG data");
  if (default_ppi == 0) default_ppi = BM_IMAGE_DEFAULT_PPI;
  if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0)
    return bm_fail_(BM_ERR_IMAGE_DECODE, "not a PNG file: signature bytes 0..7 differ");

  png_decode_state_ *state = calloc(1, sizeof *state);
  if (!state) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "PNG decoder state");
  state->source.data = data;
  state->source.size = size;
  state->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, state, png_error_to_state_, png_ignore_warning_);
  if (state->png) state->info = png_create_info_struct(state->png);
  if (!state->png || !state->info) {
    png_destroy_read_struct(state->png ? &state->png : NULL, NULL, NULL);
    free(state);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "libpng read structures");
  }

  state->default_ppi = default_ppi;
  bm_status status = BM_OK;
  if (!png_decode_guarded_(state, &status)) {
    status = bm_fail_(BM_ERR_IMAGE_DECODE, "PNG decoding failed at byte %zu: %s", state->source.offset,
                      state->message);
  }
  png_destroy_read_struct(&state->png, &state->info, NULL);
  free(state->rows);
  if (status == BM_OK) {
    status = bm_image_adopt_(state->pixels, state->width, state->height, state->ppi, out_image);
    if (status != BM_OK) free(state->pixels);
  } else {
    free(state->pixels);
  }
  free(state);
  return status;
}

bm_status bm_image_load_file(const char *path, double default_ppi, bm_image **out_image) {
  if (!out_image) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_image is NULL");
  *out_image = NULL;
  if (!path) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "path is NULL");
  FILE *file = fopen(path, "rb");
  if (!file) return bm_fail_(BM_ERR_IO, "%s: %s", path, strerror(errno));
  uint8_t *data = NULL;
  size_t size = 0, capacity = 0;
  bm_status status = BM_OK;
  for (;;) {
    if (size == capacity) {
      if (capacity >= ((size_t)1 << 30)) {
        status = bm_fail_(BM_ERR_IMAGE_SIZE, "%s: file larger than 1 GiB", path);
        break;
      }
      size_t grown = capacity ? capacity * 2 : 1u << 16;
      uint8_t *bigger = realloc(data, grown);
      if (!bigger) {
        status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "%s: reading %zu bytes", path, grown);
        break;
      }
      data = bigger;
      capacity = grown;
    }
    size_t got = fread(data + size, 1, capacity - size, file);
    size += got;
    if (got == 0) {
      if (ferror(file)) status = bm_fail_(BM_ERR_IO, "%s: read error at byte %zu", path, size);
      break;
    }
  }
  fclose(file);
  if (status == BM_OK) {
    if (size == 0)
      status = bm_fail_(BM_ERR_IMAGE_DECODE, "%s: empty file", path);
    else
      status = bm_image_load_memory(data, size, default_ppi, out_image);
  }
  free(data);
  return status;
}

typedef struct png_encode_state_ {
  png_structp png;
  png_infop info;
  FILE *file;
  png_bytep *rows;
  char message[160];
} png_encode_state_;

static void png_encode_error_(png_structp png, png_const_charp message) {
  png_encode_state_ *state = png_get_error_ptr(png);
  snprintf(state->message, sizeof state->message, "%s", message);
  png_longjmp(png, 1);
}

bm_status bm_png_write_file(const char *path, const uint8_t *pixels, unsigned width, unsigned height,
                            unsigned channels, double ppi) {
  if (!path || !pixels) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "path or pixels is NULL");
  if (channels != 1 && channels != 3) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "channels %u: must be 1 or 3", channels);
  if (width == 0 || height == 0 || width > BM_IMAGE_MAX_SIDE_ || height > BM_IMAGE_MAX_SIDE_)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "image %ux%u: bad size", width, height);
  png_encode_state_ *state = calloc(1, sizeof *state);
  if (!state) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "PNG encoder state");
  state->rows = malloc(sizeof *state->rows * height);
  state->file = fopen(path, "wb");
  bm_status status = BM_OK;
  if (!state->file) status = bm_fail_(BM_ERR_IO, "%s: %s", path, strerror(errno));
  if (status == BM_OK && !state->rows) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "PNG rows");
  if (status == BM_OK) {
    state->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, png_encode_error_, png_ignore_warning_);
    if (state->png) state->info = png_create_info_struct(state->png);
    if (!state->png || !state->info) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "libpng write structures");
  }
  if (status == BM_OK) {
    if (setjmp(png_jmpbuf(state->png)) == 0) {
      png_init_io(state->png, state->file);
      png_set_IHDR(state->png, state->info, width, height, 8,
                   channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                   PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
      if (ppi > 0) {
        png_uint_32 per_metre = (png_uint_32)(ppi / 0.0254 + 0.5);
        png_set_pHYs(state->png, state->info, per_metre, per_metre, PNG_RESOLUTION_METER);
      }
      for (unsigned y = 0; y < height; ++y)
        state->rows[y] = (png_bytep)(pixels + (size_t)y * width * channels);
      png_write_info(state->png, state->info);
      png_write_image(state->png, state->rows);
      png_write_end(state->png, NULL);
    } else {
      status = bm_fail_(BM_ERR_IO, "%s: PNG encoding failed: %s", path, state->message);
    }
  }
  if (state->png) png_destroy_write_struct(&state->png, &state->info);
  if (state->file && fclose(state->file) != 0 && status == BM_OK)
    status = bm_fail_(BM_ERR_IO, "%s: %s", path, strerror(errno));
  free(state->rows);
  free(state);
  return status;
}
