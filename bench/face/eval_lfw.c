/* Face accuracy on real embeddings (LFW, FaceNet-style 512-d, see
 * ../shared/data/lfw_facenet512/SOURCE.md) for f32, f16 and int8 storage:
 *   - rank-1 identification: each sample of a person with 2+ samples is a
 *     probe against all other samples (leave-one-out);
 *   - verification EER over all genuine and impostor pairs;
 *   - agreement of the compressed top-10 with the f32 top-10, without and
 *     with float re-ranking of the best 50.
 *
 *   build/bench/face/bm_eval_lfw ../shared/data/lfw_facenet512
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_face.h"
#include "npy_reader.h"

static int compare_floats(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* EER: the threshold where FMR (impostors >= t) meets FNMR (genuines < t). */
static double equal_error_rate(float *genuine, size_t genuine_count, float *impostor, size_t impostor_count) {
  qsort(genuine, genuine_count, sizeof *genuine, compare_floats);
  qsort(impostor, impostor_count, sizeof *impostor, compare_floats);
  double best_gap = 2.0, eer = 1.0;
  size_t g = 0, i = 0;
  while (g <= genuine_count && i <= impostor_count) {
    const double fnmr = (double)g / (double)genuine_count, fmr = (double)(impostor_count - i) / (double)impostor_count;
    const double gap = fnmr > fmr ? fnmr - fmr : fmr - fnmr;
    if (gap < best_gap) best_gap = gap, eer = (fnmr + fmr) / 2;
    if (g == genuine_count && i == impostor_count) break;
    /* Advance the threshold past the next smallest score. */
    if (i == impostor_count || (g < genuine_count && genuine[g] <= impostor[i])) ++g;
    else ++i;
  }
  return eer;
}

int main(int argc, char **argv) {
  const char *folder = argc > 1 ? argv[1] : "../shared/data/lfw_facenet512";
  char path[1024];
  size_t rows, dimension, label_rows, label_width;
  snprintf(path, sizeof path, "%s/lfw_embeddings.npy", folder);
  float *embeddings = npy_read_f32_matrix(path, &rows, &dimension);
  snprintf(path, sizeof path, "%s/lfw_labels.npy", folder);
  char *labels = npy_read_labels(path, &label_rows, &label_width);
  if (!embeddings || !labels || label_rows != rows) return 1;
#define LABEL(i) (labels + (size_t)(i) * (label_width + 1))
  int *mated = calloc(rows, sizeof *mated);
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < rows && !mated[i]; ++j) mated[i] = j != i && strcmp(LABEL(i), LABEL(j)) == 0;

  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_F16, BM_FACE_INT8};
  const char *names[] = {"f32", "f16", "int8"};
  enum { TOP = 10, RERANK = 50 };
  uint64_t *reference_top = malloc(rows * TOP * sizeof *reference_top);
  bm_scored_id *all = malloc(rows * sizeof *all);
  float *genuine = malloc(rows * rows / 2 * sizeof *genuine), *impostor = malloc(rows * rows / 2 * sizeof *impostor);
  float *score_of = malloc(rows * sizeof *score_of);
  printf("LFW FaceNet-512: %zu embeddings, %zu-d\n", rows, dimension);
  printf("%-6s %8s %10s %10s %14s %18s\n", "store", "bytes/v", "rank-1", "EER", "top-10 = f32", "top-10 = f32 (rr)");
  for (int s = 0; s < 3; ++s) {
    bm_face_index *index = NULL;
    if (bm_face_index_create(dimension, storages[s], BM_FACE_KEEP_F32, &index) != BM_OK) return 1;
    for (size_t i = 0; i < rows; ++i)
      if (bm_face_index_add(index, i, embeddings + i * dimension, dimension) != BM_OK) {
        fprintf(stderr, "row %zu: %s\n", i, bm_last_error_message());
        return 1;
      }
    size_t probes = 0, hits = 0, genuine_count = 0, impostor_count = 0, same_plain = 0, same_reranked = 0;
    for (size_t i = 0; i < rows; ++i) {
      size_t found = 0;
      if (bm_face_index_search(index, embeddings + i * dimension, dimension, rows, 0, 0, all, &found) != BM_OK) return 1;
      for (size_t r = 0; r < found; ++r) score_of[all[r].id] = all[r].score;
      if (mated[i]) { /* best result other than the probe itself */
        ++probes;
        for (size_t r = 0; r < found; ++r)
          if (all[r].id != i) {
            hits += strcmp(LABEL(all[r].id), LABEL(i)) == 0;
            break;
          }
      }
      for (size_t j = i + 1; j < rows; ++j) {
        if (strcmp(LABEL(i), LABEL(j)) == 0) genuine[genuine_count++] = score_of[j];
        else impostor[impostor_count++] = score_of[j];
      }
      bm_scored_id top[TOP];
      size_t top_count = 0;
      for (int rerank = 0; rerank < 2; ++rerank) {
        if (s > 0 || rerank) {
          if (bm_face_index_search(index, embeddings + i * dimension, dimension, TOP, rerank && s > 0 ? RERANK : 0,
                                   0, top, &top_count) != BM_OK)
            return 1;
        } else {
          top_count = found < TOP ? found : TOP;
          memcpy(top, all, top_count * sizeof *top);
        }
        int same = 1;
        for (size_t r = 0; r < top_count; ++r) {
          if (s == 0 && !rerank) reference_top[i * TOP + r] = top[r].id;
          same &= top[r].id == reference_top[i * TOP + r];
        }
        *(rerank ? &same_reranked : &same_plain) += (size_t)same;
      }
    }
    const double eer = equal_error_rate(genuine, genuine_count, impostor, impostor_count);
    printf("%-6s %8zu %9.2f%% %9.3f%% %13.1f%% %17.1f%%\n", names[s], bm_face_index_storage_bytes(index) / rows,
           100.0 * (double)hits / (double)probes, 100.0 * eer, 100.0 * (double)same_plain / (double)rows,
           100.0 * (double)same_reranked / (double)rows);
    if (s == 0) {
      printf("       (%zu rank-1 probes, %zu genuine and %zu impostor pairs)\n", probes, genuine_count, impostor_count);
      /* The built-in calibration was measured on these very impostors, so
       * its rates are in-sample here: this checks the mapping, not a
       * generalisation claim. */
      for (int e = 2; e <= 5; ++e) {
        float threshold = 0;
        if (bm_face_fmr_to_threshold(NULL, pow(10.0, -e), &threshold) != BM_OK) return 1;
        size_t rejected = 0, accepted = 0;
        for (size_t g = 0; g < genuine_count; ++g) rejected += genuine[g] < threshold;
        for (size_t m = 0; m < impostor_count; ++m) accepted += impostor[m] >= threshold;
        printf("       calibrated FMR 1e-%d: cosine threshold %.4f, measured FMR %.2e, FNMR %.2f%%\n", e,
               (double)threshold, (double)accepted / (double)impostor_count,
               100.0 * (double)rejected / (double)genuine_count);
      }
    }
    bm_face_index_free(index);
  }
  free(embeddings), free(labels), free(mated), free(reference_top), free(all), free(genuine), free(impostor), free(score_of);
  return 0;
}
