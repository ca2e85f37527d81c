/* Diagnostic overlay: the image in gray, the background tinted blue, each
 * minutia a small circle with a tick along its direction. */
#include <math.h>
#include <stdlib.h>

#include "biomatch/bm_extract.h"
#include "error.h"

static void put_(uint8_t *rgb, unsigned width, unsigned height, long x, long y, const uint8_t colour[3]) {
  if (x < 0 || y < 0 || x >= (long)width || y >= (long)height) return;
  uint8_t *p = rgb + ((size_t)y * width + (size_t)x) * 3;
  p[0] = colour[0];
  p[1] = colour[1];
  p[2] = colour[2];
}

bm_status bm_extract_write_overlay(const bm_image *image, const bm_image *foreground, const bm_template *tpl,
                                   const char *path) {
  if (!image || !tpl || !path) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "image, template or path is NULL");
  const unsigned width = bm_image_width(image), height = bm_image_height(image);
  if (foreground && (bm_image_width(foreground) != width || bm_image_height(foreground) != height))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "foreground is %ux%u, image %ux%u", bm_image_width(foreground),
                    bm_image_height(foreground), width, height);
  uint8_t *rgb = malloc((size_t)width * height * 3);
  if (!rgb) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "overlay of %ux%u pixels", width, height);
  const uint8_t *gray = bm_image_pixels(image);
  const uint8_t *mask = foreground ? bm_image_pixels(foreground) : NULL;
  for (size_t i = 0; i < (size_t)width * height; ++i) {
    const uint8_t g = gray[i];
    const int outside = mask && !mask[i];
    rgb[3 * i] = outside ? g / 2 : g;
    rgb[3 * i + 1] = outside ? g / 2 : g;
    rgb[3 * i + 2] = outside ? (uint8_t)(g / 2 + 100) : g;
  }
  static const uint8_t colours[3][3] = {{230, 200, 0}, {230, 0, 0}, {0, 180, 0}};
  const double ppi = bm_image_ppi(image);
  const double radius = 4.0 * ppi / 500.0, tick = 12.0 * ppi / 500.0;
  const bm_minutia *minutiae = bm_template_minutiae(tpl);
  for (size_t i = 0; i < bm_template_minutia_count(tpl); ++i) {
    const bm_minutia *m = &minutiae[i];
    const uint8_t *colour = colours[m->type <= 2 ? m->type : 0];
    for (int a = 0; a < 48; ++a) {
      const double t = a * 2.0 * M_PI / 48;
      put_(rgb, width, height, lround(m->x + radius * cos(t)), lround(m->y + radius * sin(t)), colour);
    }
    const double angle = m->angle * M_PI / 180.0;
    for (double r = radius; r <= tick; r += 0.5)
      put_(rgb, width, height, lround(m->x + r * cos(angle)), lround(m->y - r * sin(angle)), colour);
  }
  bm_status status = bm_png_write_file(path, rgb, width, height, 3, ppi);
  free(rgb);
  return status;
}
