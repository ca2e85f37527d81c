/* Agreement of biomatch's minutiae with a reference extractor's.
 *
 * The FVC2002 set-B folders ship, next to each image, an ISO/IEC 19794-2
 * template made by a commercial extractor from the image stretched to
 * 300x400 pixels (../shared/data/README.md). Neither extractor is ground
 * truth, but the agreement is a far finer measure than the EER of a 10x8
 * set (where one genuine pair is 0.36 points): every image contributes
 * 30-60 minutiae. For every image the reference minutiae are mapped back to
 * the image grid, and pairs (ours, reference) are matched greedily by
 * distance: closer than REACH_MM_ and directions within 45 degrees.
 * Reported per folder: minutiae found by each, matched, recall (share of the
 * reference found), precision (share of ours the reference also has), the
 * type agreement of the matched pairs, and, of the pairs matched by position
 * alone, the share whose directions agree within 45 degrees.
 *
 *   build/bench/extract/bm_eval_extract_reference ../shared/data/fvc2002_db1_b [more folders]
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"

enum { FINGERS = 10, IMPRESSIONS = 8 };

/* Two minutiae this close (about one ridge period) are the same one. */
#define REACH_MM_ 0.45
/* Size the reference extractor's images were stretched to. */
#define REFERENCE_WIDTH_ 300.0
#define REFERENCE_HEIGHT_ 400.0

typedef struct candidate_pair {
  double distance;
  int ours, reference;
} candidate_pair;

static int compare_pair(const void *a, const void *b) {
  const double x = ((const candidate_pair *)a)->distance, y = ((const candidate_pair *)b)->distance;
  return (x > y) - (x < y);
}

static double angle_difference(double a, double b) {
  double d = fmod(fabs(a - b), 360.0);
  return d > 180.0 ? 360.0 - d : d;
}

typedef struct totals {
  size_t ours, reference, matched, same_type;
  size_t placed, placed_same_direction; /* pairs matched by position alone */
} totals;

/* Greedy one-to-one matching of the candidate pairs (sorted by distance);
 * returns the number of pairs kept and marks the minutiae used. */
static size_t match_pairs(const candidate_pair *pairs, size_t count, unsigned char *used, size_t n_ours,
                          int *kept_ours, int *kept_reference) {
  size_t kept = 0;
  for (size_t k = 0; k < count; ++k) {
    if (used[pairs[k].ours] || used[n_ours + pairs[k].reference]) continue;
    used[pairs[k].ours] = used[n_ours + pairs[k].reference] = 1;
    kept_ours[kept] = pairs[k].ours;
    kept_reference[kept] = pairs[k].reference;
    ++kept;
  }
  return kept;
}

static int compare_image(const char *folder, int finger, int impression, totals *sum) {
  char image_path[2048], reference_path[2048];
  snprintf(image_path, sizeof image_path, "%s/png/%d_%d.png", folder, finger, impression);
  snprintf(reference_path, sizeof reference_path, "%s/%d_%d.iso", folder, finger, impression);
  bm_image *image = NULL;
  bm_template *ours = NULL, *reference = NULL;
  bm_status status = bm_image_load_file(image_path, 0, &image);
  if (status == BM_OK) status = bm_extract(image, &ours);
  if (status == BM_OK) status = bm_template_read_file(reference_path, &reference);
  if (status != BM_OK) {
    fprintf(stderr, "%s: %s: %s\n", image_path, bm_error_name(status), bm_last_error_message());
    bm_image_free(image);
    bm_template_free(ours);
    return 1;
  }
  const double width = bm_image_width(image), height = bm_image_height(image);
  const double scale_x = width / REFERENCE_WIDTH_, scale_y = height / REFERENCE_HEIGHT_;
  const double reach = REACH_MM_ / 25.4 * bm_image_ppi(image);
  const size_t n_ours = bm_template_minutia_count(ours), n_reference = bm_template_minutia_count(reference);
  const bm_minutia *a = bm_template_minutiae(ours), *b = bm_template_minutiae(reference);
  double *bx = malloc(sizeof(double) * 3 * (n_reference + 1)), *by = bx + n_reference + 1,
         *bangle = by + n_reference + 1;
  candidate_pair *pairs = malloc(sizeof *pairs * (n_ours * n_reference + 1));
  unsigned char *used = calloc(n_ours + n_reference + 1, 1);
  if (!bx || !pairs || !used) {
    fprintf(stderr, "out of memory\n");
    free(bx);
    free(pairs);
    free(used);
    return 1;
  }
  for (size_t j = 0; j < n_reference; ++j) {
    bx[j] = (b[j].x + 0.5) * scale_x - 0.5;
    by[j] = (b[j].y + 0.5) * scale_y - 0.5;
    /* The stretch is anisotropic: map the direction vector, not the angle. */
    const double radians = b[j].angle * M_PI / 180.0;
    bangle[j] = atan2(sin(radians) * scale_y, cos(radians) * scale_x) * 180.0 / M_PI;
  }
  int *kept_ours = malloc(sizeof(int) * 2 * (n_ours + n_reference + 1)), *kept_reference = kept_ours + n_ours + n_reference + 1;
  if (!kept_ours) {
    fprintf(stderr, "out of memory\n");
    free(bx);
    free(pairs);
    free(used);
    return 1;
  }
  /* Direction check: match by position alone, then count agreeing directions. */
  size_t count = 0;
  for (size_t i = 0; i < n_ours; ++i)
    for (size_t j = 0; j < n_reference; ++j) {
      const double dx = a[i].x - bx[j], dy = a[i].y - by[j], distance = sqrt(dx * dx + dy * dy);
      if (distance <= reach) pairs[count++] = (candidate_pair){distance, (int)i, (int)j};
    }
  qsort(pairs, count, sizeof *pairs, compare_pair);
  size_t kept = match_pairs(pairs, count, used, n_ours, kept_ours, kept_reference);
  sum->placed += kept;
  for (size_t k = 0; k < kept; ++k)
    sum->placed_same_direction += angle_difference(a[kept_ours[k]].angle, bangle[kept_reference[k]]) <= 45.0;
  /* Agreement: position and direction. */
  memset(used, 0, n_ours + n_reference + 1);
  size_t agreeing = 0;
  for (size_t k = 0; k < count; ++k)
    if (angle_difference(a[pairs[k].ours].angle, bangle[pairs[k].reference]) <= 45.0) pairs[agreeing++] = pairs[k];
  kept = match_pairs(pairs, agreeing, used, n_ours, kept_ours, kept_reference);
  sum->matched += kept;
  for (size_t k = 0; k < kept; ++k) sum->same_type += a[kept_ours[k]].type == b[kept_reference[k]].type;
  free(kept_ours);
  sum->ours += n_ours;
  sum->reference += n_reference;
  free(bx);
  free(pairs);
  free(used);
  bm_image_free(image);
  bm_template_free(ours);
  bm_template_free(reference);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bm_eval_extract_reference FVC_FOLDER [...] (folders holding png/ and the .iso files)\n");
    return 2;
  }
  int failures = 0;
  for (int f = 1; f < argc; ++f) {
    totals sum = {0};
    for (int finger = 101; finger < 101 + FINGERS; ++finger)
      for (int impression = 1; impression <= IMPRESSIONS; ++impression)
        failures += compare_image(argv[f], finger, impression, &sum);
    const double recall = sum.reference ? (double)sum.matched / sum.reference : 0;
    const double precision = sum.ours ? (double)sum.matched / sum.ours : 0;
    printf("%s: ours %zu, reference %zu, matched %zu: recall %.1f%%, precision %.1f%%, F1 %.1f%%, same type %.1f%%; "
           "direction within 45 degrees for %.1f%% of the %zu matched by position\n",
           argv[f], sum.ours, sum.reference, sum.matched, 100 * recall, 100 * precision,
           recall + precision > 0 ? 200 * recall * precision / (recall + precision) : 0,
           sum.matched ? 100.0 * sum.same_type / sum.matched : 0,
           sum.placed ? 100.0 * sum.placed_same_direction / sum.placed : 0, sum.placed);
  }
  return failures ? 1 : 0;
}
