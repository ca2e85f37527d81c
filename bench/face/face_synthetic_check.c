/* Calibration check of the synthetic face embeddings (face_synthetic.c)
 * against real ones: prints the mate and impostor cosine means and spreads,
 * and the mean best impostor score of a probe in a gallery the size of LFW,
 * for LFW FaceNet-512 and for the synthetic model side by side.
 *
 *   build/bench/face/bm_face_synthetic_check ../shared/data/lfw_facenet512
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face_synthetic.h"
#include "npy_reader.h"

typedef struct moments {
  double sum, squares;
  size_t count;
} moments;

static void add(moments *m, double x) { m->sum += x, m->squares += x * x, ++m->count; }
static double mean(const moments *m) { return m->sum / (double)m->count; }
static double spread(const moments *m) { return sqrt(m->squares / (double)m->count - mean(m) * mean(m)); }

/* Every pair of `rows` unit vectors; `same(i, j)` tells mates apart. */
static void measure(const char *name, const float *vectors, size_t rows, const size_t *person) {
  moments mates = {0}, impostors = {0}, best = {0};
  for (size_t i = 0; i < rows; ++i) {
    double nearest = -1;
    for (size_t j = 0; j < rows; ++j) {
      if (j == i) continue;
      const double s = face_synthetic_cosine(vectors + i * FACE_SYNTHETIC_DIMENSION, vectors + j * FACE_SYNTHETIC_DIMENSION);
      if (person[i] == person[j]) {
        if (j > i) add(&mates, s);
      } else {
        if (j > i) add(&impostors, s);
        if (s > nearest) nearest = s;
      }
    }
    add(&best, nearest);
  }
  printf("%-10s %6zu vectors  mates %.3f +- %.3f (%zu pairs)  impostors %.3f +- %.3f (%zu pairs)  best impostor %.3f\n",
         name, rows, mean(&mates), spread(&mates), mates.count, mean(&impostors), spread(&impostors), impostors.count,
         mean(&best));
}

int main(int argc, char **argv) {
  const char *folder = argc > 1 ? argv[1] : "../shared/data/lfw_facenet512";
  char path[1024];
  size_t rows = 0, dimension = 0, label_rows = 0, label_width = 0;
  snprintf(path, sizeof path, "%s/lfw_embeddings.npy", folder);
  float *lfw = npy_read_f32_matrix(path, &rows, &dimension);
  snprintf(path, sizeof path, "%s/lfw_labels.npy", folder);
  char *labels = npy_read_labels(path, &label_rows, &label_width);
  if (lfw && labels && label_rows == rows && dimension == FACE_SYNTHETIC_DIMENSION) {
    size_t *person = malloc(rows * sizeof *person);
    for (size_t i = 0; i < rows; ++i) { /* person number = first row with the same label */
      person[i] = i;
      for (size_t j = 0; j < i; ++j)
        if (strcmp(labels + i * (label_width + 1), labels + j * (label_width + 1)) == 0) {
          person[i] = person[j];
          break;
        }
    }
    measure("LFW", lfw, rows, person);
    free(person);
  } else {
    printf("LFW embeddings not found in %s: synthetic figures only\n", folder);
  }
  free(lfw);
  free(labels);

  /* A synthetic registry the size of LFW, and a larger one for the spreads. */
  const size_t sizes[] = {1435, 8000};
  for (int s = 0; s < 2; ++s) {
    face_synthetic model;
    if (face_synthetic_create(&model, sizes[s], 7) != 0) return 1;
    float *vectors = malloc(model.vector_count * FACE_SYNTHETIC_DIMENSION * sizeof *vectors);
    size_t *person = malloc(model.vector_count * sizeof *person);
    float centre[FACE_SYNTHETIC_DIMENSION];
    for (size_t p = 0; p < model.person_count; ++p) {
      face_synthetic_person(&model, p, centre);
      for (size_t row = model.first_sample[p]; row < model.first_sample[p + 1]; ++row) {
        face_synthetic_sample(&model, p, row - model.first_sample[p], centre, vectors + row * FACE_SYNTHETIC_DIMENSION);
        person[row] = p;
      }
    }
    measure("synthetic", vectors, model.vector_count, person);
    free(vectors);
    free(person);
    face_synthetic_free(&model);
  }
  return 0;
}
