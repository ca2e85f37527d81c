/* Which impression's template makes a genuine pair weak: ours or the
 * reference extractor's?
 *
 * The FVC2002 set-B folders ship an ISO/IEC 19794-2 template of every image
 * from a commercial extractor, made from the image stretched to 300x400
 * pixels (../shared/data/README.md). This program maps those minutiae back
 * to the image grid (the mapping of eval_extract_reference.c: positions
 * scaled per axis, directions through the direction vector), labels them
 * at the image's resolution, extracts our template of every image, and
 * compares every genuine pair four ways with biomatch's matcher:
 *
 *   ours/ours   ref/ref   ours/ref   ref/ours
 *
 * (first template of the pair / second). When ours/ref is high and
 * ours/ours low, our template of the second impression is the weak one;
 * when ref/ours is high, our template of the first. Prints the pairs whose
 * ours/ours score is weakest, the EER of both extractors' templates on the
 * image grid, and per image the mean gain of its genuine comparisons when
 * its own template is the reference's (the images where ours falls
 * shortest come first).
 *
 *   build/bench/extract/bm_eval_extract_cross ../shared/data/fvc2002_db2_b [more folders]
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_rates.h"
#include "biomatch/biomatch.h"
#include "biomatch/bm_match.h"

enum { FINGERS = 10, IMPRESSIONS = 8, IMAGES = FINGERS * IMPRESSIONS, SHOWN = 15, OURS = 0, REFERENCE = 1 };

/* Size the reference extractor's images were stretched to. */
#define REFERENCE_WIDTH_ 300.0
#define REFERENCE_HEIGHT_ 400.0

/* The reference template mapped to the image's pixel grid and resolution. */
static bm_status reference_on_image(const char *path, const bm_image *image, bm_template **out) {
  bm_template *stretched = NULL, *mapped = NULL;
  bm_status status = bm_template_read_file(path, &stretched);
  if (status == BM_OK) status = bm_template_create(&mapped);
  const unsigned width = bm_image_width(image), height = bm_image_height(image);
  if (status == BM_OK) status = bm_template_set_image(mapped, width, height, bm_image_ppi(image), bm_image_ppi(image));
  const double scale_x = width / REFERENCE_WIDTH_, scale_y = height / REFERENCE_HEIGHT_;
  const bm_minutia *source = bm_template_minutiae(stretched);
  for (size_t j = 0; status == BM_OK && j < bm_template_minutia_count(stretched); ++j) {
    bm_minutia m = source[j];
    const double x = (source[j].x + 0.5) * scale_x - 0.5, y = (source[j].y + 0.5) * scale_y - 0.5;
    m.x = (uint16_t)lround(x < 0 ? 0 : x > width - 1 ? width - 1 : x);
    m.y = (uint16_t)lround(y < 0 ? 0 : y > height - 1 ? height - 1 : y);
    /* The stretch is anisotropic: map the direction vector, not the angle. */
    const double radians = source[j].angle * M_PI / 180.0;
    double degrees = atan2(sin(radians) * scale_y, cos(radians) * scale_x) * 180.0 / M_PI;
    if (degrees < 0) degrees += 360.0;
    m.angle = degrees >= 360.0 ? 0.0f : (float)degrees;
    status = bm_template_add_minutia(mapped, &m);
  }
  bm_template_free(stretched);
  if (status != BM_OK) {
    bm_template_free(mapped);
    return status;
  }
  *out = mapped;
  return BM_OK;
}

typedef struct prepared {
  bm_probe *probe;
  void *blob;
  size_t size;
} prepared;

static bm_status prepare(const bm_template *tpl, prepared *out) {
  size_t needed = 0;
  bm_status status = bm_probe_create(tpl, &out->probe);
  if (status == BM_OK) status = bm_prepare_template(tpl, NULL, 0, &needed);
  if (status == BM_OK && !(out->blob = malloc(needed))) status = BM_ERR_OUT_OF_MEMORY;
  if (status == BM_OK) status = bm_prepare_template(tpl, out->blob, needed, &out->size);
  return status;
}

static float score(const prepared *a, const prepared *b) {
  float value = 0;
  if (bm_match_one(a->probe, b->blob, b->size, &value) != BM_OK) return -1;
  return value;
}

static int compare_float(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* EER of one system's scores (tools/evaluation, as every evaluation program). */
static double equal_error_rate(const float *genuine, size_t gn, const float *impostor, size_t in) {
  error_rates rates;
  return compute_error_rates(genuine, gn, impostor, in, &rates) ? rates.eer : NAN;
}

typedef struct genuine_pair {
  float ours, reference, ours_ref, ref_ours;
  int a, b;
} genuine_pair;

static int by_our_score(const void *x, const void *y) {
  const float a = ((const genuine_pair *)x)->ours, b = ((const genuine_pair *)y)->ours;
  return (a > b) - (a < b);
}

typedef struct image_gain {
  double gain;
  int image;
} image_gain;

static int by_gain_descending(const void *x, const void *y) {
  const double a = ((const image_gain *)x)->gain, b = ((const image_gain *)y)->gain;
  return (a < b) - (a > b);
}

static const char *name(int image, char *buffer, size_t size) {
  snprintf(buffer, size, "%d_%d", 101 + image / IMPRESSIONS, 1 + image % IMPRESSIONS);
  return buffer;
}

static int evaluate(const char *folder) {
  static prepared templates[2][IMAGES];
  memset(templates, 0, sizeof templates);
  int failed = 0;
  for (int k = 0; k < IMAGES && !failed; ++k) {
    char image_path[2048], reference_path[2048], label[16];
    snprintf(image_path, sizeof image_path, "%s/png/%s.png", folder, name(k, label, sizeof label));
    snprintf(reference_path, sizeof reference_path, "%s/%s.iso", folder, label);
    bm_image *image = NULL;
    bm_template *ours = NULL, *reference = NULL;
    bm_status status = bm_image_load_file(image_path, 0, &image);
    if (status == BM_OK) status = bm_extract(image, &ours);
    if (status == BM_OK) status = reference_on_image(reference_path, image, &reference);
    if (status == BM_OK) status = prepare(ours, &templates[OURS][k]);
    if (status == BM_OK) status = prepare(reference, &templates[REFERENCE][k]);
    if (status != BM_OK) {
      fprintf(stderr, "%s: %s: %s\n", image_path, bm_error_name(status), bm_last_error_message());
      failed = 1;
    }
    bm_image_free(image);
    bm_template_free(ours);
    bm_template_free(reference);
  }
  genuine_pair pairs[FINGERS * IMPRESSIONS * (IMPRESSIONS - 1) / 2];
  float genuine[2][sizeof pairs / sizeof *pairs], impostor[2][IMAGES * (IMAGES - 1) / 2];
  double gain_sum[IMAGES] = {0};
  int gain_count[IMAGES] = {0};
  size_t gn = 0, in = 0;
  for (int a = 0; a < IMAGES && !failed; ++a)
    for (int b = a + 1; b < IMAGES; ++b) {
      const float oo = score(&templates[OURS][a], &templates[OURS][b]);
      const float rr = score(&templates[REFERENCE][a], &templates[REFERENCE][b]);
      if (oo < 0 || rr < 0) {
        fprintf(stderr, "match %d/%d: %s\n", a, b, bm_last_error_message());
        failed = 1;
        break;
      }
      if (a / IMPRESSIONS != b / IMPRESSIONS) {
        impostor[OURS][in] = oo;
        impostor[REFERENCE][in++] = rr;
        continue;
      }
      const float orr = score(&templates[OURS][a], &templates[REFERENCE][b]);
      const float ro = score(&templates[REFERENCE][a], &templates[OURS][b]);
      pairs[gn] = (genuine_pair){oo, rr, orr, ro, a, b};
      genuine[OURS][gn] = oo;
      genuine[REFERENCE][gn++] = rr;
      /* Gain of b's comparison when b's template is the reference's, and of a's likewise. */
      gain_sum[b] += orr - oo;
      ++gain_count[b];
      gain_sum[a] += ro - oo;
      ++gain_count[a];
    }
  if (!failed) {
    for (int s = 0; s < 2; ++s) {
      qsort(genuine[s], gn, sizeof(float), compare_float);
      qsort(impostor[s], in, sizeof(float), compare_float);
    }
    printf("%s: image grid, %zu genuine and %zu impostor pairs: EER ours %.2f%%, reference %.2f%%\n", folder, gn, in,
           100 * equal_error_rate(genuine[OURS], gn, impostor[OURS], in),
           100 * equal_error_rate(genuine[REFERENCE], gn, impostor[REFERENCE], in));
    printf("  strongest impostor: ours %.3f, reference %.3f\n", impostor[OURS][in - 1], impostor[REFERENCE][in - 1]);
    qsort(pairs, gn, sizeof *pairs, by_our_score);
    printf("  weakest genuine pairs (A/B): ours/ours ref/ref ours/ref ref/ours\n");
    for (size_t i = 0; i < SHOWN && i < gn; ++i) {
      char a[16], b[16];
      printf("    %s/%s  %.3f  %.3f  %.3f  %.3f\n", name(pairs[i].a, a, sizeof a), name(pairs[i].b, b, sizeof b),
             pairs[i].ours, pairs[i].reference, pairs[i].ours_ref, pairs[i].ref_ours);
    }
    image_gain gains[IMAGES];
    for (int k = 0; k < IMAGES; ++k) gains[k] = (image_gain){gain_count[k] ? gain_sum[k] / gain_count[k] : 0, k};
    qsort(gains, IMAGES, sizeof *gains, by_gain_descending);
    printf("  mean gain of an image's genuine scores with its reference template in place of ours:");
    for (int k = 0; k < 10; ++k) {
      char label[16];
      printf(" %s %+.3f", name(gains[k].image, label, sizeof label), gains[k].gain);
    }
    printf("\n");
  }
  for (int s = 0; s < 2; ++s)
    for (int k = 0; k < IMAGES; ++k) {
      bm_probe_free(templates[s][k].probe);
      free(templates[s][k].blob);
    }
  return failed;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bm_eval_extract_cross FVC_FOLDER [...]  (a folder holds png/FFF_I.png and FFF_I.iso)\n");
    return 2;
  }
  int failures = 0;
  for (int i = 1; i < argc; ++i) failures += evaluate(argv[i]);
  return failures ? 1 : 0;
}
