#include "demo_pictures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct picture {
  unsigned width, height;
  uint8_t *rgb;
} picture;

static const uint8_t RED[3] = {220, 30, 30}, GREEN[3] = {20, 170, 40}, YELLOW[3] = {220, 180, 0},
                     PAIR_LINE[3] = {30, 90, 230};

static void put(picture *p, int x, int y, const uint8_t colour[3]) {
  if (x < 0 || y < 0 || (unsigned)x >= p->width || (unsigned)y >= p->height) return;
  memcpy(&p->rgb[((size_t)y * p->width + (size_t)x) * 3], colour, 3);
}

static void line(picture *p, double x0, double y0, double x1, double y1, const uint8_t colour[3]) {
  const double length = hypot(x1 - x0, y1 - y0);
  const int steps = (int)ceil(length) + 1;
  for (int s = 0; s <= steps; ++s) {
    const double t = (double)s / steps;
    put(p, (int)lround(x0 + t * (x1 - x0)), (int)lround(y0 + t * (y1 - y0)), colour);
  }
}

static void circle(picture *p, double cx, double cy, double radius, const uint8_t colour[3]) {
  for (int k = 0; k < 48; ++k) {
    const double a0 = 2 * M_PI * k / 48, a1 = 2 * M_PI * (k + 1) / 48;
    line(p, cx + radius * cos(a0), cy + radius * sin(a0), cx + radius * cos(a1), cy + radius * sin(a1), colour);
  }
}

/* Size of what a template is drawn on: its image, else its stated size, else its minutiae's extent. */
static void page_size(const bm_template *tpl, const bm_image *image, unsigned *width, unsigned *height) {
  if (image) {
    *width = bm_image_width(image);
    *height = bm_image_height(image);
    return;
  }
  double ppi_x, ppi_y;
  bm_template_get_image(tpl, width, height, &ppi_x, &ppi_y);
  const bm_minutia *m = bm_template_minutiae(tpl);
  for (size_t i = 0; i < bm_template_minutia_count(tpl); ++i) {
    if (m[i].x + 10u > *width) *width = m[i].x + 10u;
    if (m[i].y + 10u > *height) *height = m[i].y + 10u;
  }
}

/* Draws the page (image in gray, or white) at x offset `left`. */
static void draw_page(picture *p, const bm_image *image, unsigned left) {
  if (!image) return;
  const unsigned width = bm_image_width(image), height = bm_image_height(image);
  const uint8_t *pixels = bm_image_pixels(image);
  for (unsigned y = 0; y < height && y < p->height; ++y)
    for (unsigned x = 0; x < width && left + x < p->width; ++x) {
      const uint8_t g = pixels[(size_t)y * width + x];
      const uint8_t grey[3] = {g, g, g};
      put(p, (int)(left + x), (int)y, grey);
    }
}

static void draw_minutiae(picture *p, const bm_template *tpl, unsigned left) {
  const bm_minutia *m = bm_template_minutiae(tpl);
  for (size_t i = 0; i < bm_template_minutia_count(tpl); ++i) {
    const uint8_t *colour = m[i].type == BM_MINUTIA_RIDGE_ENDING  ? RED
                            : m[i].type == BM_MINUTIA_BIFURCATION ? GREEN
                                                                  : YELLOW;
    const double x = left + m[i].x, y = m[i].y, angle = m[i].angle * M_PI / 180;
    circle(p, x, y, 4, colour);
    /* ISO direction: counter-clockwise from the x axis, with y pointing down. */
    line(p, x, y, x + 11 * cos(angle), y - 11 * sin(angle), colour);
  }
}

static bm_status create(picture *p, unsigned width, unsigned height) {
  p->width = width ? width : 1;
  p->height = height ? height : 1;
  p->rgb = malloc((size_t)p->width * p->height * 3);
  if (!p->rgb) return BM_ERR_OUT_OF_MEMORY;
  memset(p->rgb, 255, (size_t)p->width * p->height * 3);
  return BM_OK;
}

bm_status write_minutiae_picture(const char *path, const bm_template *tpl, const bm_image *image) {
  unsigned width, height;
  page_size(tpl, image, &width, &height);
  picture p;
  bm_status status = create(&p, width, height);
  if (status != BM_OK) return status;
  draw_page(&p, image, 0);
  draw_minutiae(&p, tpl, 0);
  status = bm_png_write_file(path, p.rgb, p.width, p.height, 3, 0);
  free(p.rgb);
  return status;
}

bm_status write_match_picture(const char *path, const bm_template *a, const bm_image *image_a, const bm_template *b,
                              const bm_image *image_b, const minutia_pair *pairs, size_t pair_count) {
  enum { GAP = 20 };
  unsigned wa, ha, wb, hb;
  page_size(a, image_a, &wa, &ha);
  page_size(b, image_b, &wb, &hb);
  picture p;
  bm_status status = create(&p, wa + GAP + wb, ha > hb ? ha : hb);
  if (status != BM_OK) return status;
  const unsigned right = wa + GAP;
  draw_page(&p, image_a, 0);
  draw_page(&p, image_b, right);
  const bm_minutia *ma = bm_template_minutiae(a), *mb = bm_template_minutiae(b);
  for (size_t k = 0; k < pair_count; ++k)
    line(&p, ma[pairs[k].a].x, ma[pairs[k].a].y, right + mb[pairs[k].b].x, mb[pairs[k].b].y, PAIR_LINE);
  draw_minutiae(&p, a, 0);
  draw_minutiae(&p, b, right);
  status = bm_png_write_file(path, p.rgb, p.width, p.height, 3, 0);
  free(p.rgb);
  return status;
}
