/* Printing candidate lists and deduplication results (see mpi_output.h). */
#include "mpi_output.h"

#include <math.h>

void bm_mpi_print_candidates_(FILE *out, const char *spec, const bm_mpi_block_ *block, int json) {
  const bm_mpi_candidate_ *c = bm_mpi_block_slots_const_(block);
  if (json) {
    fprintf(out, "{\"probe\": ");
    bm_json_write_string_(out, spec);
    fprintf(out, ", \"comparisons\": %llu, \"candidates\": [", (unsigned long long)block->comparisons);
    for (uint32_t i = 0; i < block->count; ++i) {
      fprintf(out, "%s{\"rank\": %u, \"id\": ", i ? ", " : "", i + 1);
      bm_json_write_string_(out, c[i].id);
      fprintf(out, ", \"score\": %.17g, \"fmr\": %.17g, \"fingers\": [", c[i].score, c[i].fmr);
      for (unsigned j = 0; j < c[i].finger_count; ++j) {
        const bm_mpi_finger_ *f = &c[i].fingers[j];
        fprintf(out, "%s{\"probe_position\": %u, \"record_position\": %u, \"score\": %.9g, \"fmr\": %.17g}",
                j ? ", " : "", f->probe_position, f->record_position, (double)f->score, f->fmr);
      }
      if (isnan(c[i].face_score)) fprintf(out, "], \"face_score\": null}");
      else fprintf(out, "], \"face_score\": %.9g}", (double)c[i].face_score);
    }
    fprintf(out, "]}\n");
    return;
  }
  fprintf(out, "%s: %u candidate%s (%llu finger comparisons)\n", spec, block->count, block->count == 1 ? "" : "s",
          (unsigned long long)block->comparisons);
  for (uint32_t i = 0; i < block->count; ++i) {
    fprintf(out, "  %2u  %-20s score %7.2f  FMR %.2g ", i + 1, c[i].id, c[i].score, c[i].fmr);
    for (unsigned j = 0; j < c[i].finger_count; ++j)
      fprintf(out, " [finger %u~%u %.3f]", c[i].fingers[j].probe_position, c[i].fingers[j].record_position,
              (double)c[i].fingers[j].score);
    if (!isnan(c[i].face_score)) fprintf(out, " [face %.3f]", (double)c[i].face_score);
    fputc('\n', out);
  }
}

void bm_mpi_print_dedup_(FILE *out, const bm_mpi_pair_list_ *pairs, const char **ids, const size_t *members,
                         const size_t *starts, size_t cluster_count, int json) {
  if (json) fprintf(out, "{\"pairs_compared\": %llu, \"pairs\": [", (unsigned long long)pairs->compared);
  for (size_t i = 0; i < pairs->count; ++i) {
    const bm_mpi_pair_ *p = &pairs->pairs[i];
    if (json) {
      fprintf(out, "%s{\"a\": ", i ? ", " : "");
      bm_json_write_string_(out, p->a);
      fprintf(out, ", \"b\": ");
      bm_json_write_string_(out, p->b);
      fprintf(out, ", \"score\": %.17g, \"fmr\": %.17g}", p->score, p->fmr);
    } else {
      fprintf(out, "pair %s %s %.3f %.3g\n", p->a, p->b, p->score, p->fmr);
    }
  }
  if (json) fprintf(out, "], \"clusters\": [");
  for (size_t c = 0; c < cluster_count; ++c) {
    fprintf(out, json ? (c ? ", [" : "[") : "cluster");
    for (size_t j = starts[c]; j < starts[c + 1]; ++j) {
      if (json) {
        if (j > starts[c]) fprintf(out, ", ");
        bm_json_write_string_(out, ids[members[j]]);
      } else {
        fprintf(out, " %s", ids[members[j]]);
      }
    }
    fprintf(out, json ? "]" : "\n");
  }
  if (json) fprintf(out, "]}\n");
}
