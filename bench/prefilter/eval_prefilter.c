/* bm_eval_prefilter: hit rate of the cascade prefilter against penetration.
 *
 * FVC sets (DIR/FFF_I.iso, 10 fingers x 8 impressions): every impression is
 * a probe. For each of its 7 mates, the gallery is that mate plus the 72
 * impressions of the other 9 fingers (73 entries, one enrolled impression
 * per finger, as in a registry); a hit at penetration p means the mate is
 * among the ceil(p * 73) best by prefilter similarity (560 searches per
 * set). Ties count against the mate (a non-mate with an equal score ranks
 * first), so the rates are lower bounds.
 *
 * Tsinghua generated latents (DIR/Latent_Latent/<pair>/{latent,sensor}/
 * *.xyt, NIST xyt, 512 x 512 at 500 ppi): each latent against the 84
 * sensor prints; a hit means its own pair's print is in the ceil(p * 84)
 * best. --crop N keeps each latent's N minutiae nearest their centroid
 * (as bm_eval_latent does), imitating small latents.
 *
 * With --matcher, each search also runs the full matcher: rank-1 rate
 * exhaustively and after the cascade (mate selected by the prefilter and
 * scoring above every other selected entry), the figure that sets the
 * penetration a gallery can use.
 *
 * usage: bm_eval_prefilter [--fvc DIR]... [--latent DIR [--crop N]] [--matcher]
 *                          [--params DMIN,DMAX,SCALE,BIN,ANGLES,NEIGHBOURS,SOFT,WORDBITS,WORDS,RADIUS,SECTORS]
 * --params evaluates a variant of the feature definition (the fields of
 * bm_prefilter_params_ in order; ANGLES 0 drops the pair features, WORDS 0
 * the cylinder words). Without it, the library's defaults are used. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "prefilter/prefilter_internal.h"
#include "tsinghua_latent.h"

enum { MAX_TEMPLATES = 256, PENETRATION_COUNT = 6 };
static const double penetrations[PENETRATION_COUNT] = {0.01, 0.02, 0.05, 0.10, 0.20, 0.50};

static bm_prefilter_params_ params;
static size_t code_bytes;

typedef struct code_set {
  size_t count;
  int label[MAX_TEMPLATES]; /* finger id */
  uint8_t *codes;           /* count codes, contiguous */
  size_t minutiae;          /* total, for the mean */
  size_t ones;              /* total feature bits set */
  bm_probe *probe[MAX_TEMPLATES]; /* the full matcher's probe and prepared template (--matcher) */
  uint8_t *blob[MAX_TEMPLATES];
  size_t blob_size[MAX_TEMPLATES];
} code_set;

static int with_matcher;

static int encode_into(code_set *set, bm_template *tpl, int label) {
  if (set->count >= MAX_TEMPLATES) return 0;
  uint8_t *code = set->codes + set->count * code_bytes;
  if (bm_prefilter_encode_with_(tpl, &params, code) != BM_OK) {
    fprintf(stderr, "encode: %s\n", bm_last_error_message());
    return 0;
  }
  if (with_matcher) {
    size_t size = 0;
    if (bm_probe_create(tpl, &set->probe[set->count]) != BM_OK || bm_prepare_template(tpl, NULL, 0, &size) != BM_OK ||
        !(set->blob[set->count] = malloc(size)) ||
        bm_prepare_template(tpl, set->blob[set->count], size, &set->blob_size[set->count]) != BM_OK) {
      fprintf(stderr, "prepare: %s\n", bm_last_error_message());
      return 0;
    }
  }
  set->label[set->count] = label;
  set->minutiae += bm_template_minutia_count(tpl);
  set->ones += bm_prefilter_code_ones_(code);
  ++set->count;
  return 1;
}

static void set_free(code_set *set) {
  for (size_t i = 0; i < set->count; ++i) {
    bm_probe_free(set->probe[i]);
    free(set->blob[i]);
  }
  free(set->codes);
}

static float match_score(const code_set *probes, size_t probe, const code_set *gallery, size_t entry) {
  float score = 0;
  if (bm_match_one(probes->probe[probe], gallery->blob[entry], gallery->blob_size[entry], &score) != BM_OK) score = 0;
  return score;
}

/* Outcome of one search at every penetration. The gallery is `others`
 * followed by the mate (last, so ties in prefilter similarity go against
 * it), selected with bm_prefilter_select_. prefilter_hits counts searches
 * whose mate is selected; with matcher scores (match != NULL: scores of
 * `others` then the mate), cascade_hits counts searches whose mate is
 * selected and scores strictly above every other selected entry (rank 1
 * after the full matcher), and *exhaustive_hit whether it beats every
 * other entry without the prefilter. */
static void search_outcome(const uint32_t *similarities, const size_t *others, size_t other_count, size_t mate,
                           const float *match, size_t prefilter_hits[PENETRATION_COUNT],
                           size_t cascade_hits[PENETRATION_COUNT], size_t *exhaustive_hit) {
  uint32_t gallery[MAX_TEMPLATES + 1], selected[MAX_TEMPLATES + 1];
  for (size_t i = 0; i < other_count; ++i) gallery[i] = similarities[others[i]];
  gallery[other_count] = similarities[mate];
  const size_t size = other_count + 1;
  for (int p = 0; p < PENETRATION_COUNT; ++p) {
    size_t count = 0;
    if (bm_prefilter_select_(gallery, size, penetrations[p], selected, &count) != BM_OK) continue;
    const int kept = count > 0 && selected[count - 1] == other_count; /* ascending: the mate would be last */
    prefilter_hits[p] += kept;
    if (!match || !kept) continue;
    int best = 1;
    for (size_t i = 0; i + 1 < count; ++i) best &= match[selected[i]] < match[other_count];
    cascade_hits[p] += best;
  }
  if (match) {
    int best = 1;
    for (size_t i = 0; i < other_count; ++i) best &= match[i] < match[other_count];
    *exhaustive_hit += best;
  }
}

static void set_init(code_set *set) {
  memset(set, 0, sizeof *set);
  set->codes = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, MAX_TEMPLATES * code_bytes);
}

/* Position (1-based) the entry `target` would take among `others`, ties against it. */
static size_t rank_among(const uint32_t *scores, size_t target, const size_t *others, size_t other_count) {
  size_t rank = 1;
  for (size_t i = 0; i < other_count; ++i) rank += scores[others[i]] >= scores[target];
  return rank;
}

static void print_rates(const char *name, const size_t hits[PENETRATION_COUNT], const size_t cascade[PENETRATION_COUNT],
                        size_t exhaustive, size_t searches, size_t gallery) {
  printf("%-34s %5zu searches, gallery %3zu:", name, searches, gallery);
  for (int p = 0; p < PENETRATION_COUNT; ++p)
    printf("  %g%%(%zu) %5.1f%%", penetrations[p] * 100, bm_prefilter_select_count_(gallery, penetrations[p]),
           100.0 * hits[p] / searches);
  printf("\n");
  if (!with_matcher) return;
  printf("%-34s rank-1 after the matcher, exhaustive %5.1f%%; cascade:", "", 100.0 * exhaustive / searches);
  for (int p = 0; p < PENETRATION_COUNT; ++p) printf("  %g%% %5.1f%%", penetrations[p] * 100, 100.0 * cascade[p] / searches);
  printf("\n");
}

static int evaluate_fvc(const char *dir) {
  code_set set;
  set_init(&set);
  for (int finger = 101; finger <= 110; ++finger)
    for (int impression = 1; impression <= 8; ++impression) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%d_%d.iso", dir, finger, impression);
      bm_template *tpl = NULL;
      if (bm_template_read_file(path, &tpl) != BM_OK || !encode_into(&set, tpl, finger)) {
        fprintf(stderr, "bm_eval_prefilter: %s: %s\n", path, bm_last_error_message());
        bm_template_free(tpl);
        set_free(&set);
        return 0;
      }
      bm_template_free(tpl);
    }
  size_t hits[PENETRATION_COUNT] = {0}, cascade[PENETRATION_COUNT] = {0}, exhaustive = 0;
  size_t searches = 0, gallery = 0, rank_sum = 0;
  uint32_t scores[MAX_TEMPLATES];
  float match[MAX_TEMPLATES + 1];
  for (size_t probe = 0; probe < set.count; ++probe) {
    if (bm_prefilter_scan_(set.codes + probe * code_bytes, set.codes, set.count, scores) != BM_OK) return 0;
    size_t others[MAX_TEMPLATES], other_count = 0;
    for (size_t g = 0; g < set.count; ++g)
      if (set.label[g] != set.label[probe]) others[other_count++] = g;
    gallery = other_count + 1;
    if (with_matcher)
      for (size_t i = 0; i < other_count; ++i) match[i] = match_score(&set, probe, &set, others[i]);
    for (size_t mate = 0; mate < set.count; ++mate) {
      if (mate == probe || set.label[mate] != set.label[probe]) continue;
      rank_sum += rank_among(scores, mate, others, other_count);
      ++searches;
      if (with_matcher) match[other_count] = match_score(&set, probe, &set, mate);
      search_outcome(scores, others, other_count, mate, with_matcher ? match : NULL, hits, cascade, &exhaustive);
    }
  }
  const char *base = strrchr(dir, '/');
  base = base && base[1] ? base + 1 : dir;
  print_rates(base, hits, cascade, exhaustive, searches, gallery);
  printf("%-34s mean mate rank %.2f; %.1f minutiae, %.0f of %d bits set (%.1f%%) per code\n", "", (double)rank_sum / searches,
         (double)set.minutiae / set.count, (double)set.ones / set.count, BM_PREFILTER_FEATURE_BITS,
         100.0 * set.ones / set.count / BM_PREFILTER_FEATURE_BITS);
  set_free(&set);
  return 1;
}

static int evaluate_latent(const char *dir, size_t crop_to) {
  char **order = NULL;
  size_t pair_count = 0;
  if (!tsinghua_list_pairs(dir, MAX_TEMPLATES, &order, &pair_count)) {
    fprintf(stderr, "bm_eval_prefilter: cannot open %s/Latent_Latent\n", dir);
    return 0;
  }
  code_set prints, latents;
  set_init(&prints);
  set_init(&latents);
  for (size_t p = 0; p < pair_count; ++p) {
    bm_template *tpl = NULL;
    if (tsinghua_read_print(dir, order[p], "sensor", &tpl) != BM_OK ||
        !encode_into(&prints, tpl, (int)p)) {
      fprintf(stderr, "bm_eval_prefilter: sensor print of pair %s: %s\n", order[p], bm_last_error_message());
      return 0;
    }
    bm_template_free(tpl);
    tpl = NULL;
    if (tsinghua_read_print(dir, order[p], "latent", &tpl) != BM_OK) {
      fprintf(stderr, "bm_eval_prefilter: latent of pair %s: %s\n", order[p], bm_last_error_message());
      return 0;
    }
    if (crop_to) tsinghua_crop(tpl, crop_to);
    if (!encode_into(&latents, tpl, (int)p)) return 0;
    bm_template_free(tpl);
  }
  size_t hits[PENETRATION_COUNT] = {0}, cascade[PENETRATION_COUNT] = {0}, exhaustive = 0, rank_sum = 0;
  uint32_t scores[MAX_TEMPLATES];
  size_t others[MAX_TEMPLATES];
  float match[MAX_TEMPLATES + 1];
  for (size_t q = 0; q < latents.count; ++q) {
    if (bm_prefilter_scan_(latents.codes + q * code_bytes, prints.codes, prints.count, scores) != BM_OK) return 0;
    size_t other_count = 0, mate = 0;
    for (size_t g = 0; g < prints.count; ++g) {
      if (prints.label[g] == latents.label[q])
        mate = g;
      else
        others[other_count++] = g;
    }
    rank_sum += rank_among(scores, mate, others, other_count);
    if (with_matcher) {
      for (size_t i = 0; i < other_count; ++i) match[i] = match_score(&latents, q, &prints, others[i]);
      match[other_count] = match_score(&latents, q, &prints, mate);
    }
    search_outcome(scores, others, other_count, mate, with_matcher ? match : NULL, hits, cascade, &exhaustive);
  }
  char name[64];
  if (crop_to)
    snprintf(name, sizeof name, "tsinghua latents (crop %zu)", crop_to);
  else
    snprintf(name, sizeof name, "tsinghua latents");
  print_rates(name, hits, cascade, exhaustive, latents.count, prints.count);
  printf("%-34s mean mate rank %.2f; latents %.1f minutiae, %.0f bits; prints %.1f minutiae, %.0f bits\n", "",
         (double)rank_sum / latents.count, (double)latents.minutiae / latents.count,
         (double)latents.ones / latents.count, (double)prints.minutiae / prints.count,
         (double)prints.ones / prints.count);
  set_free(&prints);
  set_free(&latents);
  tsinghua_free_pairs(order, pair_count);
  return 1;
}

int main(int argc, char **argv) {
  bm_prefilter_default_params_(&params);
  code_bytes = bm_prefilter_code_bytes_();
  const char *fvc[8];
  size_t fvc_count = 0, crop_to = 0;
  const char *latent = NULL;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--fvc") == 0 && i + 1 < argc && fvc_count < 8) {
      fvc[fvc_count++] = argv[++i];
    } else if (strcmp(argv[i], "--latent") == 0 && i + 1 < argc) {
      latent = argv[++i];
    } else if (strcmp(argv[i], "--matcher") == 0) {
      with_matcher = 1;
    } else if (strcmp(argv[i], "--crop") == 0 && i + 1 < argc) {
      crop_to = (size_t)atoi(argv[++i]);
    } else if (strcmp(argv[i], "--params") == 0 && i + 1 < argc) {
      if (sscanf(argv[++i], "%lf,%lf,%lf,%lf,%u,%u,%u,%u,%u,%lf,%u", &params.min_distance_px, &params.max_distance_px,
                 &params.distance_scale_px, &params.distance_bin, &params.angle_bins, &params.max_neighbours,
                 &params.soft, &params.word_bits, &params.word_functions, &params.selection_radius, &params.sectors) != 11) {
        fprintf(stderr, "bm_eval_prefilter: --params needs 11 comma-separated values\n");
        return 2;
      }
    } else {
      fprintf(stderr, "usage: bm_eval_prefilter [--fvc DIR]... [--latent DIR [--crop N]] [--matcher]\n"
                      "                         [--params DMIN,DMAX,SCALE,BIN,ANGLES,NEIGHBOURS,SOFT,WORDBITS,WORDS,RADIUS,SECTORS]\n");
      return 2;
    }
  }
  if (fvc_count == 0 && !latent) {
    fprintf(stderr, "bm_eval_prefilter: nothing to evaluate (give --fvc and/or --latent)\n");
    return 2;
  }
  printf("prefilter code: %zu bytes per finger (%d feature bits); params %g,%g,%g,%g,%u,%u,%u,%u,%u,%g,%u\n", code_bytes,
         BM_PREFILTER_FEATURE_BITS, params.min_distance_px, params.max_distance_px, params.distance_scale_px,
         params.distance_bin, params.angle_bins, params.max_neighbours, params.soft, params.word_bits,
         params.word_functions, params.selection_radius, params.sectors);
  for (size_t i = 0; i < fvc_count; ++i)
    if (!evaluate_fvc(fvc[i])) return 1;
  if (latent && !evaluate_latent(latent, crop_to)) return 1;
  return 0;
}
