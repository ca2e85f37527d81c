/* The single-process answer the MPI tests compare against: the same lines
 * enrolled into one in-memory gallery, then identification or
 * deduplication printed in biomatch-mpi's JSON layout, straight from the
 * gallery's result accessors (none of the module's candidate or pair code
 * is used, so a fault there cannot hide in both outputs).
 *
 *   mpi_reference ENROLL_LINES identify TOP_K POSITION FACE_DIMENSION PROBE...
 *   mpi_reference ENROLL_LINES dedup MAX_FMR FACE_DIMENSION */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"
#include "mpi_inputs.h"
#include "mpi_output.h"

static void must(bm_status status, const char *what) {
  if (status != BM_OK) {
    fprintf(stderr, "mpi_reference: %s: %s %s\n", what, bm_error_name(status), bm_last_error_message());
    exit(1);
  }
}

static void enrol_lines(bm_gallery *gallery, const char *path) {
  FILE *file = fopen(path, "r");
  if (!file) must(BM_ERR_IO, path);
  char line[8192];
  while (fgets(line, sizeof line, file)) {
    line[strcspn(line, "\r\n")] = '\0';
    char id[128], position[16], file_path[4096];
    if (sscanf(line, "delete %127s", id) == 1) {
      must(bm_gallery_delete(gallery, id, NULL), id);
      continue;
    }
    if (sscanf(line, "%127s %15s %4095s", id, position, file_path) != 3) continue;
    uint8_t *bytes = NULL;
    size_t size = 0;
    must(bm_mpi_read_file_(file_path, &bytes, &size), file_path);
    bm_gallery_record *record = NULL;
    must(bm_gallery_record_create(id, &record), id);
    if (strcmp(position, "face") == 0) {
      float *face = NULL;
      size_t dimension = 0;
      must(bm_mpi_parse_face_(bytes, size, &face, &dimension), file_path);
      must(bm_gallery_record_set_face(record, face, dimension), file_path);
      free(face);
    } else {
      bm_template *tpl = NULL;
      must(bm_template_read_memory(bytes, size, &tpl), file_path);
      must(bm_gallery_record_set_finger(record, (unsigned)atoi(position), tpl), file_path);
      bm_template_free(tpl);
    }
    must(bm_gallery_enroll(gallery, record, BM_GALLERY_MERGE, NULL), id);
    bm_gallery_record_free(record);
    free(bytes);
  }
  fclose(file);
}

static void print_result(const char *spec, const bm_gallery_result *result) {
  printf("{\"probe\": ");
  bm_json_write_string_(stdout, spec);
  printf(", \"comparisons\": %llu, \"candidates\": [", (unsigned long long)bm_gallery_result_comparisons(result));
  for (size_t i = 0; i < bm_gallery_result_count(result); ++i) {
    printf("%s{\"rank\": %zu, \"id\": ", i ? ", " : "", i + 1);
    bm_json_write_string_(stdout, bm_gallery_result_id(result, i));
    printf(", \"score\": %.17g, \"fmr\": %.17g, \"fingers\": [", bm_gallery_result_score(result, i),
           bm_gallery_result_fmr(result, i));
    for (size_t j = 0; j < bm_gallery_result_finger_count(result, i); ++j) {
      unsigned probe_position, record_position;
      float score;
      double fmr;
      must(bm_gallery_result_finger(result, i, j, &probe_position, &record_position, &score, &fmr), "detail");
      printf("%s{\"probe_position\": %u, \"record_position\": %u, \"score\": %.9g, \"fmr\": %.17g}", j ? ", " : "",
             probe_position, record_position, (double)score, fmr);
    }
    const float face = bm_gallery_result_face_score(result, i);
    if (isnan(face)) printf("], \"face_score\": null}");
    else printf("], \"face_score\": %.9g}", (double)face);
  }
  printf("]}\n");
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: see the comment at the top of mpi_reference.c\n");
    return 2;
  }
  const int identify = strcmp(argv[2], "identify") == 0;
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = 3; /* any count gives the same answers */
  options.face_dimension = (uint32_t)atoi(argv[identify ? 5 : 4]);
  bm_gallery *gallery = NULL;
  must(bm_gallery_create(&options, &gallery), "gallery");
  enrol_lines(gallery, argv[1]);
  if (identify) {
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.top_k = (uint32_t)atoi(argv[3]);
    bm_read_options read;
    bm_read_options_init(&read);
    for (int i = 6; i < argc; ++i) {
      bm_mpi_buffer_ message = {0};
      (void)bm_mpi_probe_pack_(argv[i], (unsigned)atoi(argv[4]), &message);
      bm_mpi_reader_ reader = {message.data, message.size, 0};
      bm_status root_status;
      bm_gallery_probe *probe = NULL;
      must(bm_mpi_probe_unpack_(&reader, &read, &root_status, &probe), argv[i]);
      must(root_status, argv[i]);
      bm_gallery_result *result = NULL;
      must(bm_gallery_identify(gallery, probe, &params, &result), argv[i]);
      print_result(argv[i], result);
      bm_gallery_result_free(result);
      bm_gallery_probe_free(probe);
      bm_mpi_buffer_free_(&message);
    }
  } else {
    bm_gallery_dedup_result *result = NULL;
    /* one thread: the gallery's gathering step passes a NULL buffer to
     * memcpy for a thread that found no pair, which UBSan builds stop on */
    must(bm_gallery_dedup(gallery, NULL, 0, atof(argv[3]), 1, NULL, NULL, &result), "dedup");
    printf("{\"pairs_compared\": %llu, \"pairs\": [", (unsigned long long)bm_gallery_dedup_pairs_compared(result));
    for (size_t i = 0; i < bm_gallery_dedup_pair_count(result); ++i) {
      const char *a, *b;
      double score, fmr;
      must(bm_gallery_dedup_pair(result, i, &a, &b, &score, &fmr), "pair");
      printf("%s{\"a\": ", i ? ", " : "");
      bm_json_write_string_(stdout, a);
      printf(", \"b\": ");
      bm_json_write_string_(stdout, b);
      printf(", \"score\": %.17g, \"fmr\": %.17g}", score, fmr);
    }
    printf("], \"clusters\": [");
    for (size_t c = 0; c < bm_gallery_dedup_cluster_count(result); ++c) {
      printf(c ? ", [" : "[");
      for (size_t j = 0; j < bm_gallery_dedup_cluster_size(result, c); ++j) {
        if (j) printf(", ");
        bm_json_write_string_(stdout, bm_gallery_dedup_cluster_member(result, c, j));
      }
      printf("]");
    }
    printf("]}\n");
    bm_gallery_dedup_free(result);
  }
  bm_gallery_close(gallery);
  return 0;
}
