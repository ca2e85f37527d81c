/* bm_eval_latent: latent-style identification on the Tsinghua generated
 * latent set (part A): each latent (.xyt under <pair>/latent) is searched
 * against every sensor print (<pair>/sensor); reports rank-1 and rank-10
 * identification rates. xyt files are read in the NIST convention (origin
 * bottom-left) with the 512-pixel image height and 500 ppi (SOURCE.md).
 * A latent or print without minutiae counts as a miss. With --crop N each
 * latent keeps only its N minutiae nearest to their centroid, imitating a
 * small latent of 8-20 minutiae.
 *
 * usage: bm_eval_latent DIR [--crop N]   (DIR = .../tsinghua_latent_generated_A) */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"

enum { MAX_PAIRS = 256 };

/* Path of the single .xyt file in DIR/<pair>/<role>, or 0. */
static int find_xyt(const char *dir, const char *pair, const char *role, char *path, size_t capacity) {
  char folder[2048];
  snprintf(folder, sizeof folder, "%s/Latent_Latent/%s/%s", dir, pair, role);
  DIR *d = opendir(folder);
  if (!d) return 0;
  struct dirent *entry;
  int found = 0;
  while ((entry = readdir(d)) != NULL) {
    const size_t length = strlen(entry->d_name);
    if (length > 4 && strcmp(entry->d_name + length - 4, ".xyt") == 0) {
      found = snprintf(path, capacity, "%s/%s", folder, entry->d_name) < (int)capacity;
      break;
    }
  }
  closedir(d);
  return found;
}

static bm_status load(const char *path, bm_template **out) {
  bm_read_options options;
  bm_read_options_init(&options);
  options.format = BM_FORMAT_XYT;
  options.xyt_width = 512;
  options.xyt_height = 512;
  options.xyt_ppi = 500;
  return bm_template_read_file_ex(path, &options, out);
}

/* Keeps the `keep` minutiae nearest to the centroid (ties by index). */
static void crop(bm_template *tpl, size_t keep) {
  const size_t count = bm_template_minutia_count(tpl);
  if (count <= keep) return;
  const bm_minutia *m = bm_template_minutiae(tpl);
  double cx = 0, cy = 0;
  for (size_t i = 0; i < count; ++i) {
    cx += m[i].x;
    cy += m[i].y;
  }
  cx /= count;
  cy /= count;
  bm_minutia sorted[BM_MAX_MINUTIAE];
  memcpy(sorted, m, count * sizeof *m);
  for (size_t i = 1; i < count; ++i)
    for (size_t j = i; j > 0 && hypot(sorted[j].x - cx, sorted[j].y - cy) < hypot(sorted[j - 1].x - cx, sorted[j - 1].y - cy); --j) {
      const bm_minutia t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  if (bm_template_set_minutiae(tpl, sorted, keep) != BM_OK) fprintf(stderr, "crop failed\n");
}

static int compare_names(const void *a, const void *b) {
  return atoi(*(const char *const *)a) - atoi(*(const char *const *)b);
}

int main(int argc, char **argv) {
  size_t crop_to = 0;
  if (argc == 4 && strcmp(argv[2], "--crop") == 0) crop_to = (size_t)atoi(argv[3]);
  if (argc != 2 && !(argc == 4 && crop_to > 0)) {
    fprintf(stderr, "usage: bm_eval_latent DIR [--crop N]\n");
    return 2;
  }
  char folder[4096];
  snprintf(folder, sizeof folder, "%s/Latent_Latent", argv[1]);
  DIR *d = opendir(folder);
  if (!d) {
    fprintf(stderr, "bm_eval_latent: cannot open %s\n", folder);
    return 1;
  }
  static char names[MAX_PAIRS][256];
  char *order[MAX_PAIRS];
  size_t pair_count = 0;
  struct dirent *entry;
  while ((entry = readdir(d)) != NULL && pair_count < MAX_PAIRS)
    if (entry->d_name[0] != '.') {
      snprintf(names[pair_count], sizeof names[pair_count], "%s", entry->d_name);
      order[pair_count] = names[pair_count];
      ++pair_count;
    }
  closedir(d);
  qsort(order, pair_count, sizeof *order, compare_names);

  static uint8_t *gallery[MAX_PAIRS];
  static size_t gallery_size[MAX_PAIRS];
  static bm_probe *probes[MAX_PAIRS];
  size_t latent_minutiae = 0, empty_latents = 0, empty_prints = 0;
  for (size_t p = 0; p < pair_count; ++p) {
    char path[4096];
    bm_template *tpl = NULL;
    if (find_xyt(argv[1], order[p], "sensor", path, sizeof path) && load(path, &tpl) == BM_OK &&
        bm_prepare_template(tpl, NULL, 0, &gallery_size[p]) == BM_OK) {
      gallery[p] = malloc(gallery_size[p]);
      if (bm_prepare_template(tpl, gallery[p], gallery_size[p], &gallery_size[p]) != BM_OK) return 1;
    } else {
      ++empty_prints;
    }
    bm_template_free(tpl);
    tpl = NULL;
    if (find_xyt(argv[1], order[p], "latent", path, sizeof path) && load(path, &tpl) == BM_OK) {
      if (crop_to) crop(tpl, crop_to);
      latent_minutiae += bm_template_minutia_count(tpl);
      if (bm_probe_create(tpl, &probes[p]) != BM_OK) ++empty_latents;
    } else {
      ++empty_latents;
    }
    bm_template_free(tpl);
  }
  size_t rank1 = 0, rank10 = 0;
  for (size_t p = 0; p < pair_count; ++p) {
    if (!probes[p] || !gallery[p]) continue;
    float mate = 0;
    if (bm_match_one(probes[p], gallery[p], gallery_size[p], &mate) != BM_OK) return 1;
    size_t better = 0; /* non-mates scoring at least as high: ties count against us */
    for (size_t g = 0; g < pair_count; ++g) {
      if (g == p || !gallery[g]) continue;
      float score = 0;
      if (bm_match_one(probes[p], gallery[g], gallery_size[g], &score) != BM_OK) return 1;
      if (score >= mate) ++better;
    }
    rank1 += better < 1;
    rank10 += better < 10;
  }
  printf("%zu latents vs %zu prints: rank-1 %.1f%% (%zu), rank-10 %.1f%% (%zu); mean latent minutiae %.1f; "
         "latents without usable minutiae %zu, prints without %zu\n",
         pair_count, pair_count, 100.0 * rank1 / pair_count, rank1, 100.0 * rank10 / pair_count, rank10,
         (double)latent_minutiae / pair_count, empty_latents, empty_prints);
  for (size_t p = 0; p < pair_count; ++p) {
    free(gallery[p]);
    bm_probe_free(probes[p]);
  }
  return 0;
}
