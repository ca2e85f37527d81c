/* Extraction speed on FVC2002 DB1 images (500 ppi, 388x374), one core,
 * against a reference measured in the same run: one 3x3 box-filter pass
 * over the same image, a stand-in for "one cheap pass over the pixels" that
 * moves with the machine's load the same way the extractor does.
 *
 *   build-extract/bench/extract/bm_bench_extract --benchmark_out=extract.json --benchmark_out_format=json
 *
 * Needs ../shared/data/fvc2002_db1_b/png (BM_DATA_DIR overrides it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_shim.h"
#include "biomatch/biomatch.h"

enum { IMAGE_COUNT = 80 };

static bm_image *images[IMAGE_COUNT];
static int image_count;
static uint8_t *scratch;

static void bench_extract(bm_bench_state *state, void *context) {
  (void)context;
  int next = 0;
  while (bm_bench_keep_running(state)) {
    bm_template *tpl = NULL;
    if (bm_extract(images[next], &tpl) != BM_OK) {
      bm_bench_skip_with_error(state, bm_last_error_message());
      return;
    }
    bm_template_free(tpl);
    next = (next + 1) % image_count;
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state));
}

static void bench_reference_box3x3(bm_bench_state *state, void *context) {
  (void)context;
  int next = 0;
  while (bm_bench_keep_running(state)) {
    const bm_image *image = images[next];
    const unsigned width = bm_image_width(image), height = bm_image_height(image);
    const uint8_t *in = bm_image_pixels(image);
    for (unsigned y = 1; y + 1 < height; ++y)
      for (unsigned x = 1; x + 1 < width; ++x) {
        unsigned sum = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) sum += in[(y + dy) * width + x + dx];
        scratch[y * width + x] = (uint8_t)(sum / 9);
      }
    __asm__ volatile("" : : "r"(scratch) : "memory");
    next = (next + 1) % image_count;
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state));
}

int main(int argc, char **argv) {
  const char *root = getenv("BM_DATA_DIR");
  char folder[1024];
  snprintf(folder, sizeof folder, "%s/fvc2002_db1_b/png", root ? root : BM_DEFAULT_DATA_DIR);
  size_t largest = 0;
  for (int f = 101; f <= 110; ++f)
    for (int i = 1; i <= 8; ++i) {
      char path[1200];
      snprintf(path, sizeof path, "%s/%d_%d.png", folder, f, i);
      if (bm_image_load_file(path, 0, &images[image_count]) != BM_OK) {
        fprintf(stderr, "bm_bench_extract: %s: %s\n", path, bm_last_error_message());
        return 1;
      }
      const size_t pixels = (size_t)bm_image_width(images[image_count]) * bm_image_height(images[image_count]);
      if (pixels > largest) largest = pixels;
      ++image_count;
    }
  scratch = calloc(largest, 1);
  if (!scratch) return 1;
  bm_bench_register("extract/fvc2002_db1", bench_extract, NULL, 1);
  bm_bench_register("reference/box3x3_pass", bench_reference_box3x3, NULL, 1);
  const int result = bm_bench_run(argc, argv);
  for (int i = 0; i < image_count; ++i) bm_image_free(images[i]);
  free(scratch);
  return result;
}
