/* bm_eval_extract_latent: the whole pipeline from images on a second,
 * independent set, the Tsinghua generated latents (part A): every latent
 * image and every sensor image is extracted by biomatch (500 ppi), each
 * latent is searched against all sensor prints; reports rank-1 and rank-10
 * identification rates and the verification error rates of the 84 mated
 * and 84 x 83 non-mated pairs. The extractor's rules were never chosen on
 * this set, so it tells whether a change made on FVC2002 holds elsewhere.
 * A latent or print the extractor rejects counts as a miss (score 0).
 *
 *   build/bench/extract/bm_eval_extract_latent ../shared/data/tsinghua_latent_generated_A */
#include <stdio.h>
#include <stdlib.h>

#include "biomatch/biomatch.h"
#include "error_rates.h"
#include "tsinghua_latent.h"

enum { MAX_PAIRS = 256 };

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bm_eval_extract_latent DIR   (DIR = .../tsinghua_latent_generated_A)\n");
    return 2;
  }
  char **pairs = NULL;
  size_t count = 0;
  if (!tsinghua_list_pairs(argv[1], MAX_PAIRS, &pairs, &count) || count < 2) {
    fprintf(stderr, "bm_eval_extract_latent: no pairs under %s/Latent_Latent\n", argv[1]);
    tsinghua_free_pairs(pairs, count);
    return 1;
  }
  bm_template *latents[MAX_PAIRS] = {0}, *prints[MAX_PAIRS] = {0};
  size_t rejected = 0, minutiae = 0;
  for (size_t p = 0; p < count; ++p)
    for (int role = 0; role < 2; ++role) {
      bm_template **slot = role ? &prints[p] : &latents[p];
      const bm_status status = tsinghua_extract_print(argv[1], pairs[p], role ? "sensor" : "latent", slot);
      if (status != BM_OK) {
        ++rejected;
        fprintf(stderr, "pair %s %s: %s\n", pairs[p], role ? "sensor" : "latent", bm_error_name(status));
      } else {
        minutiae += bm_template_minutia_count(*slot);
      }
    }
  float *genuine = malloc(sizeof(float) * count), *impostor = malloc(sizeof(float) * count * (count - 1));
  float *row = malloc(sizeof(float) * count);
  if (!genuine || !impostor || !row) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  size_t impostors = 0, rank1 = 0, rank10 = 0;
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = 0; j < count; ++j) {
      float score = 0.0f;
      if (latents[i] && prints[j] && bm_match_templates(latents[i], prints[j], &score) != BM_OK) score = 0.0f;
      row[j] = score;
      if (j != i) impostor[impostors++] = score;
    }
    genuine[i] = row[i];
    /* Rank of the mate: 1 + the non-mates scoring at least as high. */
    size_t ahead = 0;
    for (size_t j = 0; j < count; ++j) ahead += j != i && row[j] >= row[i];
    rank1 += row[i] > 0 && ahead == 0;
    rank10 += row[i] > 0 && ahead < 10;
  }
  error_rates rates;
  if (!compute_error_rates(genuine, count, impostor, impostors, &rates)) {
    fprintf(stderr, "error rates failed\n");
    return 1;
  }
  printf("%s: %zu latents against %zu prints, %.1f minutiae/image, %zu images rejected\n", argv[1], count, count,
         (double)minutiae / (double)(2 * count - rejected), rejected);
  printf("  rank-1 %.1f%% (%zu)  rank-10 %.1f%% (%zu)  EER %.2f%%  FNMR@FMR1%% %.2f%%  FNMR@FMR0 %.2f%%\n",
         100.0 * rank1 / count, rank1, 100.0 * rank10 / count, rank10, 100 * rates.eer, 100 * rates.fnmr_at_fmr_1e2,
         100 * rates.fnmr_at_zero_fmr);
  for (size_t p = 0; p < count; ++p) {
    bm_template_free(latents[p]);
    bm_template_free(prints[p]);
  }
  free(genuine);
  free(impostor);
  free(row);
  tsinghua_free_pairs(pairs, count);
  return 0;
}
