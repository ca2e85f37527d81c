#include "fvc_protocol.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"

int fvc_load(const char *dir, fvc_set *set) {
  memset(set, 0, sizeof *set);
  for (int finger = 101; finger <= 110; ++finger) {
    for (int impression = 1; impression <= 8; ++impression) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%d_%d.iso", dir, finger, impression);
      bm_template *tpl = NULL;
      bm_status status = bm_template_read_file(path, &tpl);
      size_t size = 0;
      if (status == BM_OK) status = bm_prepare_template(tpl, NULL, 0, &size);
      uint8_t *blob = status == BM_OK ? malloc(size) : NULL;
      if (blob) status = bm_prepare_template(tpl, blob, size, &size);
      const size_t minutiae = bm_template_minutia_count(tpl);
      bm_template_free(tpl);
      if (status != BM_OK || !blob) {
        fprintf(stderr, "%s: %s: %s\n", path, bm_error_name(status), bm_last_error_message());
        free(blob);
        fvc_free(set);
        return 0;
      }
      set->finger[set->count] = finger;
      set->impression[set->count] = impression;
      set->blob[set->count] = blob;
      set->size[set->count] = size;
      set->minutiae[set->count] = minutiae;
      ++set->count;
    }
  }
  return 1;
}

void fvc_free(fvc_set *set) {
  for (size_t i = 0; i < set->count; ++i) free(set->blob[i]);
  set->count = 0;
}

static int compare_floats(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

/* Share of `sorted` values >= t. */
static double share_at_or_above(const float *sorted, size_t count, double t) {
  size_t low = 0, high = count;
  while (low < high) {
    size_t mid = (low + high) / 2;
    if (sorted[mid] < t) low = mid + 1;
    else high = mid;
  }
  return (double)(count - low) / (double)count;
}

static double share_below(const float *sorted, size_t count, double t) { return 1.0 - share_at_or_above(sorted, count, t); }

void compute_error_rates(const float *genuine_in, size_t gn, const float *impostor_in, size_t in, error_rates *out) {
  float *genuine = malloc(gn * sizeof *genuine), *impostor = malloc(in * sizeof *impostor);
  memcpy(genuine, genuine_in, gn * sizeof *genuine);
  memcpy(impostor, impostor_in, in * sizeof *impostor);
  qsort(genuine, gn, sizeof *genuine, compare_floats);
  qsort(impostor, in, sizeof *impostor, compare_floats);
  double gsum = 0, isum = 0;
  for (size_t i = 0; i < gn; ++i) gsum += genuine[i];
  for (size_t i = 0; i < in; ++i) isum += impostor[i];
  out->genuine_mean = gsum / gn;
  out->impostor_mean = isum / in;
  /* Candidate thresholds: every distinct score, plus one above the maximum. */
  double best_gap = 2, eer = 1;
  double fnmr_1e2 = 1, fnmr_1e3 = 1, fnmr_zero = 1;
  const size_t total = gn + in + 1;
  for (size_t c = 0; c < total; ++c) {
    const double t = c < gn ? genuine[c] : c < gn + in ? impostor[c - gn] : (double)impostor[in - 1] + 1e-6;
    const double fmr = share_at_or_above(impostor, in, t), fnmr = share_below(genuine, gn, t);
    /* EER as in FVC: where FMR and FNMR cross, the mean of the two at the closest point. */
    const double gap = fabs(fmr - fnmr);
    if (gap < best_gap || (gap == best_gap && (fmr + fnmr) / 2 < eer)) {
      best_gap = gap;
      eer = (fmr + fnmr) / 2;
    }
    if (fmr <= 1e-2 && fnmr < fnmr_1e2) fnmr_1e2 = fnmr;
    if (fmr <= 1e-3 && fnmr < fnmr_1e3) fnmr_1e3 = fnmr;
    if (fmr == 0 && fnmr < fnmr_zero) fnmr_zero = fnmr;
  }
  out->eer = eer;
  out->fnmr_at_fmr_1e2 = fnmr_1e2;
  out->fnmr_at_fmr_1e3 = fnmr_1e3;
  out->fnmr_at_zero_fmr = fnmr_zero;
  free(genuine);
  free(impostor);
}

int write_det_png(const char *path, const float *genuine_in, size_t gn, const float *impostor_in, size_t in) {
  enum { W = 480, H = 480, MARGIN = 40 };
  float *genuine = malloc(gn * sizeof *genuine), *impostor = malloc(in * sizeof *impostor);
  memcpy(genuine, genuine_in, gn * sizeof *genuine);
  memcpy(impostor, impostor_in, in * sizeof *impostor);
  qsort(genuine, gn, sizeof *genuine, compare_floats);
  qsort(impostor, in, sizeof *impostor, compare_floats);
  static uint8_t pixels[H][W * 3];
  memset(pixels, 255, sizeof pixels);
  /* Axes: log10 rates from 1e-4 to 1 on both. */
  const double lo = -4;
  for (int d = 0; d <= 4; ++d) { /* grid every decade */
    const int px = MARGIN + (int)((W - 2 * MARGIN) * d / 4.0), py = H - MARGIN - (int)((H - 2 * MARGIN) * d / 4.0);
    for (int y = MARGIN; y < H - MARGIN; ++y) memset(&pixels[y][px * 3], 200, 3);
    for (int x = MARGIN; x < W - MARGIN; ++x) memset(&pixels[py][x * 3], 200, 3);
  }
  for (size_t c = 0; c < gn + in; ++c) {
    const double t = c < gn ? genuine[c] : impostor[c - gn];
    double fmr = share_at_or_above(impostor, in, t), fnmr = share_below(genuine, gn, t);
    fmr = log10(fmr > 1e-4 ? fmr : 1e-4);
    fnmr = log10(fnmr > 1e-4 ? fnmr : 1e-4);
    const int x = MARGIN + (int)((fmr - lo) / -lo * (W - 2 * MARGIN)), y = H - MARGIN - (int)((fnmr - lo) / -lo * (H - 2 * MARGIN));
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
        pixels[yy][xx * 3] = 200;
        pixels[yy][xx * 3 + 1] = 0;
        pixels[yy][xx * 3 + 2] = 0;
      }
  }
  free(genuine);
  free(impostor);
  FILE *file = fopen(path, "wb");
  if (!file) return 0;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return 0;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, W, H, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < H; ++y) png_write_row(png, pixels[y]);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return fclose(file) == 0;
}
