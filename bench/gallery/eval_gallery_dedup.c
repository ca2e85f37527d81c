/* Deduplication figure (issue 6): a gallery of N SYNTHETIC people with two
 * fingers each (positions 1 and 2), plus D planted duplicates (the same
 * synthetic fingers, another impression, under a new id); every pair is
 * compared once with bm_gallery_dedup. Prints record pairs per second (wall
 * and CPU), the planted duplicates found and the other pairs reported, per
 * threshold.
 *
 *   bm_eval_gallery_dedup [--people N] [--duplicates D] [--threads T] [--fmr 1e-6]
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"
#include "eval_clock.h"
#include "synthetic_minutiae.h"

static void must(bm_status status, const char *what) { eval_must("bm_eval_gallery_dedup", status, what); }

static int progress(void *context, uint64_t done, uint64_t total) {
  int *last = context;
  const int percent = total ? (int)(100 * done / total) : 100;
  if (percent / 10 != *last / 10) fprintf(stderr, "\rdedup %3d%%", percent);
  *last = percent;
  return 0;
}

int main(int argc, char **argv) {
  size_t people = 1500, duplicates = 100;
  unsigned threads = 2;
  double fmr = 1e-6;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--people")) people = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--duplicates")) duplicates = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--threads")) threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--fmr")) fmr = strtod(argv[i + 1], NULL);
    else {
      fprintf(stderr, "usage: %s [--people N] [--duplicates D] [--threads T] [--fmr F]\n", argv[0]);
      return 2;
    }
  }
  if (duplicates > people) duplicates = people;
  setvbuf(stdout, NULL, _IOLBF, 0);
  bm_gallery *g = NULL;
  must(bm_gallery_create(NULL, &g), "create");
  const size_t total = people + duplicates;
  bm_gallery_record **records = calloc(total, sizeof *records);
  /* duplicate d copies person d * people / duplicates (spread over the gallery) */
  int failed = 0;
#pragma omp parallel for schedule(dynamic, 16) num_threads((int)threads) reduction(| : failed)
  for (size_t i = 0; i < total; ++i) {
    const int is_duplicate = i >= people;
    const uint64_t person = is_duplicate ? (i - people) * people / duplicates : i;
    char id[32];
    snprintf(id, sizeof id, is_duplicate ? "dup-%06zu" : "person-%06zu", is_duplicate ? (size_t)person : i);
    if (bm_gallery_record_create(id, &records[i]) != BM_OK) {
      failed |= 1;
      continue;
    }
    for (unsigned p = 1; p <= 2; ++p) {
      bm_template *tpl = NULL;
      failed |= bm_synth_template(person * 16 + p, is_duplicate ? 3u : 0u, p, &tpl) != BM_OK ||
                bm_gallery_record_set_finger(records[i], p, tpl) != BM_OK;
      bm_template_free(tpl);
    }
  }
  if (failed) must(BM_ERR_INTERNAL, "records");
  for (size_t i = 0; i < total; ++i) {
    must(bm_gallery_enroll(g, records[i], BM_GALLERY_INSERT, NULL), "enrol");
    bm_gallery_record_free(records[i]);
  }
  free(records);
  printf("SYNTHETIC dedup gallery: %zu people with 2 fingers + %zu planted duplicates (another impression), %u threads, "
         "ISA %s\n",
         people, duplicates, threads, bm_isa_name(bm_active_isa()));
  int last = -1;
  const double w0 = eval_wall_seconds(), c0 = eval_cpu_seconds();
  bm_gallery_dedup_result *result = NULL;
  must(bm_gallery_dedup(g, NULL, 0, fmr, threads, progress, &last, &result), "dedup");
  const double wall = eval_wall_seconds() - w0, cpu = eval_cpu_seconds() - c0;
  fprintf(stderr, "\n");
  const uint64_t compared = bm_gallery_dedup_pairs_compared(result);
  size_t found = 0, other = 0;
  for (size_t i = 0; i < bm_gallery_dedup_pair_count(result); ++i) {
    const char *a, *b;
    must(bm_gallery_dedup_pair(result, i, &a, &b, NULL, NULL), "pair");
    /* planted: "dup-N" with "person-N" */
    if (!strncmp(a, "dup-", 4) && !strncmp(b, "person-", 7) && !strcmp(a + 4, b + 7)) ++found;
    else ++other;
  }
  printf("max FMR %g: %llu record pairs in %.1f s wall, %.1f s CPU: %.0f pairs/s wall, %.0f pairs/s per CPU second "
         "(2 finger comparisons per pair)\n",
         fmr, (unsigned long long)compared, wall, cpu, (double)compared / wall, (double)compared / cpu);
  printf("planted duplicates found: %zu of %zu (%.1f%%); other pairs reported: %zu; clusters: %zu\n", found, duplicates,
         100.0 * (double)found / (double)duplicates, other, bm_gallery_dedup_cluster_count(result));
  bm_gallery_dedup_free(result);
  bm_gallery_close(g);
  return 0;
}
