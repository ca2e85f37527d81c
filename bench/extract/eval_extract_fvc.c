/* FVC protocol from images: every image of a 10x8 FVC set is extracted by
 * biomatch and every pair compared by biomatch (genuine: the 280 pairs of
 * impressions of one finger; impostor: the 2,880 pairs of different
 * fingers). Prints EER, FNMR at FMR 1%, 0.1% and 0, and the extraction
 * time per image.
 *
 *   build/bench/extract/bm_eval_extract_fvc [--details] ../shared/data/fvc2002_db1_b/png [more folders]
 *
 * --details also lists the minutia count of every image, the ten weakest
 * genuine pairs and the five strongest impostor pairs, which say which
 * images to look at with `biomatch extract IMAGE --overlay OUT.png`.
 *
 * --scales F1,F2,... repeats the evaluation with every image declared at
 * its true resolution divided by F (so the extractor's working grid holds
 * the ridges F times wider, as a sensor of F times the resolution would)
 * and the templates relabelled at the true resolution before matching (so
 * the matcher's geometry is unchanged), then prints the mean over the
 * scales. On a 10x8 set one genuine pair moves the EER by a third of a
 * point, and a rescale of a few percent moves which pairs cross the
 * threshold: the mean over scales says whether a change helps prints in
 * general or only the one scale each set happens to have, and how much the
 * figures depend on the input resolution.
 *
 * Besides EER and FNMR, "weak10" is the mean log10 FMR of the weakest 10%
 * of genuine scores (the share of impostor scores at or above each, plus
 * half a pair): it moves with how far the hard pairs are from the impostors,
 * not only with whether they cross a threshold, so it is less noisy.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error_rates.h"
#include "biomatch/biomatch.h"
#include "biomatch/bm_match.h"

enum { FINGERS = 10, IMPRESSIONS = 8, IMAGES = FINGERS * IMPRESSIONS };

static int compare_float(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Fraction of genuine scores below the smallest threshold whose impostor
 * pass rate is <= fmr (scores >= threshold match). */
typedef struct scored_pair {
  float score;
  int a, b;
} scored_pair;

static int compare_pair(const void *x, const void *y) {
  const float a = ((const scored_pair *)x)->score, b = ((const scored_pair *)y)->score;
  return (a > b) - (a < b);
}

static void print_pairs(const char *title, const scored_pair *pairs, size_t count) {
  printf("  %s:", title);
  for (size_t i = 0; i < count; ++i)
    printf(" %d_%d/%d_%d %.3f", 101 + pairs[i].a / IMPRESSIONS, 1 + pairs[i].a % IMPRESSIONS,
           101 + pairs[i].b / IMPRESSIONS, 1 + pairs[i].b % IMPRESSIONS, pairs[i].score);
  printf("\n");
}

/* Mean log10 FMR of the weakest 10% of genuine scores (both arrays sorted ascending). */
static double weakest_genuine_log_fmr(const float *genuine, size_t gn, const float *impostor, size_t in) {
  const size_t weakest = gn / 10 ? gn / 10 : 1;
  double sum = 0;
  size_t at_or_above = in, k = 0;
  for (size_t i = 0; i < weakest && i < gn; ++i) {
    while (k < in && impostor[k] < genuine[i]) ++k;
    at_or_above = in - k;
    sum += log10((at_or_above + 0.5) / in);
  }
  return sum / (double)weakest;
}

typedef struct figures {
  double eer, fnmr1, fnmr01, fnmr0, weak10, minutiae, ms;
} figures;

static int evaluate(const char *folder, int details, double scale, figures *out) {
  bm_template *templates[IMAGES] = {0};
  double extract_seconds = 0;
  size_t minutiae = 0;
  for (int f = 0; f < FINGERS; ++f)
    for (int i = 0; i < IMPRESSIONS; ++i) {
      char path[2048];
      snprintf(path, sizeof path, "%s/%d_%d.png", folder, 101 + f, 1 + i);
      bm_image *image = NULL;
      bm_status status = bm_image_load_file(path, 0, &image);
      const double true_ppi = status == BM_OK ? bm_image_ppi(image) : 0;
      if (status == BM_OK && scale != 1.0) status = bm_image_set_ppi(image, true_ppi / scale);
      const double start = now_seconds();
      if (status == BM_OK) status = bm_extract(image, &templates[f * IMPRESSIONS + i]);
      extract_seconds += now_seconds() - start;
      if (status == BM_OK && scale != 1.0) {
        unsigned width, height;
        double ppi_x, ppi_y;
        bm_template_get_image(templates[f * IMPRESSIONS + i], &width, &height, &ppi_x, &ppi_y);
        status = bm_template_set_image(templates[f * IMPRESSIONS + i], width, height, true_ppi, true_ppi);
      }
      bm_image_free(image);
      if (status != BM_OK) {
        fprintf(stderr, "%s: %s: %s\n", path, bm_error_name(status), bm_last_error_message());
        return 1;
      }
      minutiae += bm_template_minutia_count(templates[f * IMPRESSIONS + i]);
    }
  /* Each template is prepared once, as a gallery would hold it. */
  bm_probe *probes[IMAGES] = {0};
  void *blobs[IMAGES] = {0};
  size_t sizes[IMAGES] = {0};
  for (int i = 0; i < IMAGES; ++i) {
    size_t needed = 0;
    if (bm_probe_create(templates[i], &probes[i]) != BM_OK ||
        bm_prepare_template(templates[i], NULL, 0, &needed) != BM_OK || !(blobs[i] = malloc(needed)) ||
        bm_prepare_template(templates[i], blobs[i], needed, &sizes[i]) != BM_OK) {
      fprintf(stderr, "preparing template %d: %s\n", i, bm_last_error_message());
      return 1;
    }
  }
  float genuine[FINGERS * IMPRESSIONS * (IMPRESSIONS - 1) / 2], impostor[IMAGES * (IMAGES - 1) / 2];
  scored_pair genuine_pairs[sizeof genuine / sizeof *genuine], impostor_pairs[sizeof impostor / sizeof *impostor];
  size_t gn = 0, in = 0;
  for (int a = 0; a < IMAGES; ++a)
    for (int b = a + 1; b < IMAGES; ++b) {
      float score = 0;
      if (bm_match_one(probes[a], blobs[b], sizes[b], &score) != BM_OK) {
        fprintf(stderr, "match %d/%d: %s\n", a, b, bm_last_error_message());
        return 1;
      }
      if (a / IMPRESSIONS == b / IMPRESSIONS) {
        genuine_pairs[gn] = (scored_pair){score, a, b};
        genuine[gn++] = score;
      } else {
        impostor_pairs[in] = (scored_pair){score, a, b};
        impostor[in++] = score;
      }
    }
  qsort(genuine, gn, sizeof *genuine, compare_float);
  qsort(impostor, in, sizeof *impostor, compare_float);
  error_rates rates;
  if (!compute_error_rates(genuine, gn, impostor, in, &rates)) {
    fprintf(stderr, "%s: no scores\n", folder);
    return 1;
  }
  const figures result = {100 * rates.eer,
                          100 * rates.fnmr_at_fmr_1e2,
                          100 * rates.fnmr_at_fmr_1e3,
                          100 * rates.fnmr_at_zero_fmr,
                          weakest_genuine_log_fmr(genuine, gn, impostor, in),
                          (double)minutiae / IMAGES,
                          1e3 * extract_seconds / IMAGES};
  *out = result;
  if (scale != 1.0)
    printf("%s at scale %.3g: %zu genuine, %zu impostor pairs; %.1f minutiae/image; extraction %.2f ms/image (wall, incl. timer)\n",
           folder, scale, gn, in, result.minutiae, result.ms);
  else
    printf("%s: %zu genuine, %zu impostor pairs; %.1f minutiae/image; extraction %.2f ms/image (wall, incl. timer)\n",
           folder, gn, in, result.minutiae, result.ms);
  printf("  EER %.2f%%  FNMR@FMR1%% %.2f%%  FNMR@FMR0.1%% %.2f%%  FNMR@FMR0 %.2f%%  weak10 %.3f\n", result.eer,
         result.fnmr1, result.fnmr01, result.fnmr0, result.weak10);
  if (details) {
    printf("  minutiae:");
    for (int i = 0; i < IMAGES; ++i)
      printf("%s%zu", i % IMPRESSIONS ? " " : (i ? " | " : " "), bm_template_minutia_count(templates[i]));
    printf("\n");
    qsort(genuine_pairs, gn, sizeof *genuine_pairs, compare_pair);
    qsort(impostor_pairs, in, sizeof *impostor_pairs, compare_pair);
    print_pairs("weakest genuine", genuine_pairs, 10);
    print_pairs("strongest impostor", impostor_pairs + in - 5, 5);
  }
  for (int i = 0; i < IMAGES; ++i) {
    bm_template_free(templates[i]);
    bm_probe_free(probes[i]);
    free(blobs[i]);
  }
  return 0;
}

enum { MAX_SCALES = 16 };

/* Parses "F1,F2,..." (each 0.5..2); returns the count, 0 on a bad list. */
static int parse_scales(const char *text, double *scales) {
  int count = 0;
  while (*text && count < MAX_SCALES) {
    char *end = NULL;
    const double value = strtod(text, &end);
    if (end == text || !(value >= 0.5 && value <= 2.0)) return 0;
    scales[count++] = value;
    if (*end == ',') ++end;
    else if (*end) return 0;
    text = end;
  }
  return *text ? 0 : count;
}

int main(int argc, char **argv) {
  int first = 1, details = 0, scale_count = 1;
  double scales[MAX_SCALES] = {1.0};
  while (first < argc && strncmp(argv[first], "--", 2) == 0) {
    if (strcmp(argv[first], "--details") == 0) {
      details = 1;
      ++first;
    } else if (strcmp(argv[first], "--scales") == 0 && first + 1 < argc &&
               (scale_count = parse_scales(argv[first + 1], scales)) > 0) {
      first += 2;
    } else {
      break;
    }
  }
  if (argc <= first || strncmp(argv[first], "--", 2) == 0) {
    fprintf(stderr, "usage: bm_eval_extract_fvc [--details] [--scales F1,F2,...] FOLDER_OF_PNG [...]\n");
    return 2;
  }
  int failures = 0;
  for (int i = first; i < argc; ++i) {
    figures sum = {0};
    for (int s = 0; s < scale_count; ++s) {
      figures one;
      if (evaluate(argv[i], details, scales[s], &one) != 0) {
        ++failures;
        break;
      }
      sum.eer += one.eer;
      sum.fnmr1 += one.fnmr1;
      sum.fnmr01 += one.fnmr01;
      sum.fnmr0 += one.fnmr0;
      sum.weak10 += one.weak10;
      sum.ms += one.ms;
    }
    if (scale_count > 1)
      printf("%s, mean over %d scales: EER %.2f%%  FNMR@FMR1%% %.2f%%  FNMR@FMR0.1%% %.2f%%  FNMR@FMR0 %.2f%%  weak10 %.3f  %.2f ms/image\n",
             argv[i], scale_count, sum.eer / scale_count, sum.fnmr1 / scale_count, sum.fnmr01 / scale_count,
             sum.fnmr0 / scale_count, sum.weak10 / scale_count, sum.ms / scale_count);
  }
  return failures ? 1 : 0;
}
