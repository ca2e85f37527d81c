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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "tsinghua_latent.h"

enum { MAX_PAIRS = 256 };

int main(int argc, char **argv) {
  size_t crop_to = 0;
  if (argc == 4 && strcmp(argv[2], "--crop") == 0) crop_to = (size_t)atoi(argv[3]);
  if (argc != 2 && !(argc == 4 && crop_to > 0)) {
    fprintf(stderr, "usage: bm_eval_latent DIR [--crop N]\n");
    return 2;
  }
  char **order = NULL;
  size_t pair_count = 0;
  if (!tsinghua_list_pairs(argv[1], MAX_PAIRS, &order, &pair_count)) {
    fprintf(stderr, "bm_eval_latent: cannot open %s/Latent_Latent\n", argv[1]);
    return 1;
  }

  static uint8_t *gallery[MAX_PAIRS];
  static size_t gallery_size[MAX_PAIRS];
  static bm_probe *probes[MAX_PAIRS];
  size_t latent_minutiae = 0, empty_latents = 0, empty_prints = 0;
  for (size_t p = 0; p < pair_count; ++p) {
    bm_template *tpl = NULL;
    if (tsinghua_read_print(argv[1], order[p], "sensor", &tpl) == BM_OK &&
        bm_prepare_template(tpl, NULL, 0, &gallery_size[p]) == BM_OK) {
      gallery[p] = malloc(gallery_size[p]);
      if (bm_prepare_template(tpl, gallery[p], gallery_size[p], &gallery_size[p]) != BM_OK) return 1;
    } else {
      ++empty_prints;
    }
    bm_template_free(tpl);
    tpl = NULL;
    if (tsinghua_read_print(argv[1], order[p], "latent", &tpl) == BM_OK) {
      if (crop_to) tsinghua_crop(tpl, crop_to);
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
  tsinghua_free_pairs(order, pair_count);
  return 0;
}
