#include "det_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"

enum { WIDTH = 480, HEIGHT = 480, MARGIN = 40 };

typedef struct canvas {
  uint8_t *rgb;
  double lowest_decade; /* log10 of the axes' lower end */
} canvas;

static void put(canvas *c, int x, int y, const uint8_t colour[3]) {
  if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) return;
  memcpy(&c->rgb[((size_t)y * WIDTH + (size_t)x) * 3], colour, 3);
}

/* Bresenham line, `thick` pixels wide (square pen). */
static void line(canvas *c, int x0, int y0, int x1, int y1, int thick, const uint8_t colour[3]) {
  const int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int error = dx + dy;
  for (;;) {
    for (int oy = -(thick / 2); oy <= thick / 2; ++oy)
      for (int ox = -(thick / 2); ox <= thick / 2; ++ox) put(c, x0 + ox, y0 + oy, colour);
    if (x0 == x1 && y0 == y1) break;
    const int twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x0 += sx;
    }
    if (twice <= dx) {
      error += dx;
      y0 += sy;
    }
  }
}

/* A 5x7 pixel font for the axis labels, only the characters they use
 * (one byte per row, bit 4 = leftmost column). */
static const struct glyph {
  char c;
  uint8_t rows[7];
} glyphs[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'e', {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}}, {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}}, {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
};
enum { GLYPH_ADVANCE = 6 };

/* Draws `text` with its top-left corner at (x, y); characters without a glyph are left blank. */
static void text(canvas *c, int x, int y, const char *s, const uint8_t colour[3]) {
  for (; *s; ++s, x += GLYPH_ADVANCE)
    for (size_t g = 0; g < sizeof glyphs / sizeof *glyphs; ++g) {
      if (glyphs[g].c != *s) continue;
      for (int row = 0; row < 7; ++row)
        for (int column = 0; column < 5; ++column)
          if (glyphs[g].rows[row] & (0x10 >> column)) put(c, x + column, y + row, colour);
    }
}

/* Pixel coordinate of a rate on an axis of `span` pixels. */
static int axis(const canvas *c, double rate, int span) {
  const double floor_rate = pow(10, c->lowest_decade);
  const double position = (log10(rate > floor_rate ? rate : floor_rate) - c->lowest_decade) / -c->lowest_decade;
  return (int)lround(position * span);
}

static int compare_floats(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

static float *sorted_copy(const float *values, size_t count) {
  float *copy = malloc((count ? count : 1) * sizeof *copy);
  if (!copy) return NULL;
  if (count) memcpy(copy, values, count * sizeof *copy);
  qsort(copy, count, sizeof *copy, compare_floats);
  return copy;
}

/* Walks the thresholds upwards through both sorted lists: each step rejects
 * one more score, moving the curve along. */
static int draw_curve(canvas *c, const det_curve *curve) {
  const size_t gn = curve->genuine_count, in = curve->impostor_count;
  if (gn == 0 || in == 0) return 1;
  float *genuine = sorted_copy(curve->genuine, gn), *impostor = sorted_copy(curve->impostor, in);
  if (!genuine || !impostor) {
    free(genuine);
    free(impostor);
    return 0;
  }
  const int span = WIDTH - 2 * MARGIN;
  size_t g = 0, i = 0; /* scores below the threshold */
  int last_x = -1, last_y = -1;
  while (1) {
    const double fmr = (double)(in - i) / (double)in, fnmr = (double)g / (double)gn;
    const int x = MARGIN + axis(c, fmr, span), y = HEIGHT - MARGIN - axis(c, fnmr, span);
    if (last_x >= 0) line(c, last_x, last_y, x, y, 3, curve->rgb);
    last_x = x;
    last_y = y;
    if (g == gn && i == in) break;
    /* Next threshold: just above the smallest score not yet rejected; ties move together. */
    const float next = g == gn ? impostor[i] : i == in ? genuine[g] : genuine[g] < impostor[i] ? genuine[g] : impostor[i];
    while (g < gn && genuine[g] <= next) ++g;
    while (i < in && impostor[i] <= next) ++i;
  }
  free(genuine);
  free(impostor);
  return 1;
}

int det_plot_write(const char *path, const det_curve *curves, size_t curve_count) {
  size_t largest = 1;
  for (size_t k = 0; k < curve_count; ++k) {
    if (curves[k].genuine_count > largest) largest = curves[k].genuine_count;
    if (curves[k].impostor_count > largest) largest = curves[k].impostor_count;
  }
  double lowest = floor(log10(1.0 / (double)largest));
  lowest = lowest > -2 ? -2 : lowest < -6 ? -6 : lowest;
  canvas c = {malloc((size_t)WIDTH * HEIGHT * 3), lowest};
  if (!c.rgb) return 0;
  memset(c.rgb, 255, (size_t)WIDTH * HEIGHT * 3);
  static const uint8_t grid[3] = {205, 205, 205}, diagonal[3] = {235, 225, 190}, frame[3] = {60, 60, 60};
  const int span = WIDTH - 2 * MARGIN, decades = (int)-lowest;
  for (int d = 0; d <= decades; ++d) {
    const int offset = MARGIN + span * d / decades;
    line(&c, offset, MARGIN, offset, HEIGHT - MARGIN, 1, grid);
    line(&c, MARGIN, offset, WIDTH - MARGIN, offset, 1, grid);
  }
  /* Decade labels ("1e-4" ... "1") under the x axis and left of the y axis, axis names. */
  for (int d = 0; d <= decades; ++d) {
    char label[8];
    if (d == decades) snprintf(label, sizeof label, "1");
    else snprintf(label, sizeof label, "1e%d", (int)lowest + d);
    const int width = (int)strlen(label) * GLYPH_ADVANCE - 1, offset = MARGIN + span * d / decades;
    text(&c, offset - width / 2, HEIGHT - MARGIN + 5, label, frame);
    text(&c, MARGIN - 4 - width, HEIGHT - offset - 3, label, frame);
  }
  text(&c, WIDTH / 2 - 8, HEIGHT - MARGIN + 18, "FMR", frame);
  text(&c, 4, MARGIN - 16, "FNMR", frame);
  line(&c, MARGIN, HEIGHT - MARGIN, WIDTH - MARGIN, MARGIN, 1, diagonal);
  line(&c, MARGIN, HEIGHT - MARGIN, WIDTH - MARGIN, HEIGHT - MARGIN, 1, frame);
  line(&c, MARGIN, MARGIN, MARGIN, HEIGHT - MARGIN, 1, frame);
  int ok = 1;
  for (size_t k = 0; k < curve_count && ok; ++k) ok = draw_curve(&c, &curves[k]);
  if (ok) ok = bm_png_write_file(path, c.rgb, WIDTH, HEIGHT, 3, 0) == BM_OK;
  free(c.rgb);
  return ok;
}

int write_det_png(const char *path, const float *genuine, size_t genuine_count, const float *impostor,
                  size_t impostor_count) {
  const det_curve curve = {genuine, genuine_count, impostor, impostor_count, {200, 0, 0}};
  return det_plot_write(path, &curve, 1);
}
